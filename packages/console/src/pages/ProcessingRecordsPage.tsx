/**
 * The processing-records register (P1.1, P6.1, P6.2): every share, transfer, public disclosure
 * and export, with who, which fields, how many customers (and the hash of the set), to whom, on
 * which legal basis and the file's hash. Auditors filter it and export it as CSV.
 */
import { DownloadOutlined, ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { Button, Card, DatePicker, Empty, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, type DataCategory } from '../api';
import { HashText } from '../components/ConsentParts';
import { PageHeader } from '../components/PageHeader';
import { categoryLabel, formatDateTime, shortId } from '../format';
import { useI18n } from '../i18n';
import { useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import {
  PROCESSING_KINDS,
  processingRecordsApi,
  saveFile,
  type ProcessingKind,
  type ProcessingRecord,
  type ProcessingRecordFilter,
} from '../transfersApi';
import { useLoad } from '../useLoad';
import { useTT } from './transfers-i18n';

const KIND_COLOR: Record<ProcessingKind, string> = { share: 'blue', transfer: 'purple', disclosure: 'orange', export: 'cyan' };
const PAGE_SIZE = 50;

interface FilterForm {
  kind?: ProcessingKind;
  period?: [Dayjs | null, Dayjs | null] | null;
  recipient?: string;
}

function toFilter(v: FilterForm): ProcessingRecordFilter {
  const [from, to] = v.period ?? [null, null];
  return {
    ...(v.kind ? { kind: v.kind } : {}),
    ...(from ? { from: from.startOf('day').toISOString() } : {}),
    ...(to ? { to: to.endOf('day').toISOString() } : {}),
    ...(v.recipient?.trim() ? { recipient: v.recipient.trim() } : {}),
  };
}

export function ProcessingRecordsPage() {
  const tt = useTT();
  const { t, lang } = useI18n();
  const { can } = useSession();
  const report = useProblemReporter();
  const success = useSuccess();
  const [form] = Form.useForm<FilterForm>();
  const [filter, setFilter] = useState<ProcessingRecordFilter>({});
  const [page, setPage] = useState(1);
  const [exporting, setExporting] = useState(false);
  const records = useLoad(() => processingRecordsApi.list({ ...filter, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }), {
    items: [] as ProcessingRecord[],
    total: 0,
    limit: PAGE_SIZE,
    offset: 0,
  });
  // A new filter or page loads again (the first load is useLoad's own).
  const first = useRef(true);
  const reloadRecords = records.reload;
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    void reloadRecords();
  }, [filter, page, reloadRecords]);
  const categories = useLoad<DataCategory[]>(api.listDataCategories, [], can('catalogue.read'));
  const catMap = useMemo(() => new Map(categories.data.map((c) => [c.code, c])), [categories.data]);

  const search = (v: FilterForm) => {
    setFilter(toFilter(v));
    setPage(1);
  };
  const exportCsv = async () => {
    setExporting(true);
    try {
      const blob = await processingRecordsApi.exportCsv(toFilter(form.getFieldsValue()));
      saveFile(blob, `processing-records-${new Date().toISOString().slice(0, 10)}.csv`);
      success(tt('pr.exported'));
    } catch (err) {
      report(err);
    } finally {
      setExporting(false);
    }
  };

  const columns: ColumnsType<ProcessingRecord> = [
    { title: tt('pr.time'), dataIndex: 'createdAt', width: 170, render: (v: string) => formatDateTime(v) },
    {
      title: tt('pr.kind'),
      dataIndex: 'kind',
      width: 100,
      render: (v: ProcessingKind) => (
        <Tag color={KIND_COLOR[v]} data-testid="processing-kind" data-kind={v}>
          {tt(`pr.kind.${v}`)}
        </Tag>
      ),
    },
    { title: tt('pr.recipient'), dataIndex: 'recipientName', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
    {
      title: tt('pr.fields'),
      dataIndex: 'fields',
      render: (v: string[]) => (
        <Space size={[4, 4]} wrap>
          {v.map((f) => (
            <Tag key={f} variant="outlined">
              {categoryLabel(f, lang, catMap)}
            </Tag>
          ))}
        </Space>
      ),
    },
    { title: tt('pr.customers'), dataIndex: 'customerCount', width: 90, align: 'right' },
    { title: tt('pr.legalBasis'), dataIndex: 'legalBasis', ellipsis: true },
    { title: tt('pr.actor'), dataIndex: 'actorName', width: 120 },
    {
      title: tt('pr.fileHash'),
      dataIndex: 'fileHash',
      width: 150,
      render: (v: string | null) => <HashText value={v} />,
    },
  ];

  return (
    <>
      <PageHeader
        title={tt('pr.title')}
        subtitle={tt('pr.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void records.reload()} data-testid="processing-refresh">
              {t('common.refresh')}
            </Button>
            <Button
              type="primary"
              icon={<DownloadOutlined />}
              loading={exporting}
              onClick={() => void exportCsv()}
              data-testid="processing-export"
            >
              {tt('pr.export')}
            </Button>
          </>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form<FilterForm> form={form} layout="inline" onFinish={search} data-testid="processing-filter">
          <Form.Item name="kind" label={tt('pr.kind')}>
            <Select
              allowClear
              style={{ width: 140 }}
              options={PROCESSING_KINDS.map((k) => ({ value: k, label: tt(`pr.kind.${k}`) }))}
              data-testid="processing-filter-kind"
            />
          </Form.Item>
          <Form.Item name="period" label={tt('pr.period')}>
            <DatePicker.RangePicker allowEmpty={[true, true]} />
          </Form.Item>
          <Form.Item name="recipient" label={tt('pr.recipient')}>
            <Input
              allowClear
              placeholder={tt('pr.recipientPlaceholder')}
              maxLength={200}
              style={{ width: 200 }}
              data-testid="processing-filter-recipient"
            />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="processing-search">
                {t('common.search')}
              </Button>
              <Button
                data-testid="processing-reset"
                onClick={() => {
                  form.resetFields();
                  search({});
                }}
              >
                {t('common.reset')}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        <Table<ProcessingRecord>
          data-testid="processing-table"
          rowKey="id"
          size="middle"
          loading={records.loading}
          columns={columns}
          dataSource={records.data.items}
          locale={{ emptyText: <Empty description={tt('pr.empty')} /> }}
          expandable={{
            expandedRowRender: (r) => (
              <Space orientation="vertical" size={2}>
                <span>
                  {tt('pr.subject')}: {r.subjectType} <Typography.Text className="custos-mono">{shortId(r.subjectId)}</Typography.Text>
                  {r.purposeCode ? ` · ${r.purposeCode}` : ''}
                </span>
                <span>
                  {tt('pr.customerIdsHash')}: <HashText value={r.customerIdsHash} />
                  {r.customerListRef ? <Typography.Text type="secondary"> ({r.customerListRef})</Typography.Text> : null}
                </span>
                <span>
                  {tt('pr.legalBasis')}: {r.legalBasis}
                </span>
                <span>
                  {tt('pr.keepUntil')}: {formatDateTime(r.keepUntil)} · {r.clauses.join(', ')}
                </span>
                <Typography.Text type="secondary" className="custos-mono" style={{ fontSize: 12 }}>
                  {JSON.stringify(r.details)}
                </Typography.Text>
              </Space>
            ),
          }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: records.data.total,
            showSizeChanger: false,
            showTotal: (n) => t('common.total', { count: n }),
            onChange: (p) => setPage(p),
          }}
        />
      </Card>
    </>
  );
}
