import {
  CheckCircleOutlined,
  ReloadOutlined,
  RobotOutlined,
  SafetyCertificateOutlined,
  SearchOutlined,
  UndoOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Descriptions, Drawer, Form, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { api, type AuditEvent, type AuditOutcome, type AuditQuery, type VerifyResult } from '../api';
import { PageHeader } from '../components/PageHeader';
import { formatDateTime } from '../format';
import { useI18n, type Translate } from '../i18n';
import { useProblemReporter } from '../problems';
import { useSession } from '../session';

const PAGE_SIZE = 50;

interface FilterForm {
  action?: string;
  outcome?: AuditOutcome;
  resourceType?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

const OUTCOME_COLOR: Record<AuditOutcome, string> = { success: 'success', denied: 'warning', failure: 'error' };

function OutcomeTag({ outcome, t }: { outcome: AuditOutcome; t: Translate }) {
  return (
    <Tag color={OUTCOME_COLOR[outcome] ?? 'default'} data-testid={`outcome-${outcome}`}>
      {t(`audit.outcome.${outcome}`)}
    </Tag>
  );
}

function toQuery(f: FilterForm): AuditQuery {
  const q: AuditQuery = {};
  const action = f.action?.trim();
  const resourceType = f.resourceType?.trim();
  if (action) q.action = action;
  if (f.outcome) q.outcome = f.outcome;
  if (resourceType) q.resourceType = resourceType;
  const [from, to] = f.range ?? [null, null];
  if (from) q.from = from.startOf('day').toISOString();
  if (to) q.to = to.endOf('day').toISOString();
  return q;
}

export function AuditPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const report = useProblemReporter();
  const [form] = Form.useForm<FilterForm>();

  const [query, setQuery] = useState<AuditQuery>({});
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [verify, setVerify] = useState<VerifyResult | null>(null);
  const seq = useRef(0);
  // A ref, so a language switch (which renews `report`) does not reload the first page.
  const reportRef = useRef(report);
  reportRef.current = report;

  const loadFirst = useCallback(async (q: AuditQuery) => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const page = await api.listAuditEvents({ ...q, limit: PAGE_SIZE });
      if (mine !== seq.current) return;
      setEvents(page.items);
      setNextCursor(page.nextCursor);
    } catch (err) {
      if (mine === seq.current) reportRef.current(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void loadFirst(query);
  }, [query, loadFirst]);

  const loadMore = async () => {
    if (!nextCursor) return;
    const mine = seq.current;
    setLoadingMore(true);
    try {
      const page = await api.listAuditEvents({ ...query, limit: PAGE_SIZE, cursor: nextCursor });
      if (mine !== seq.current) return;
      setEvents((prev) => {
        const seen = new Set(prev.map((e) => e.id));
        return [...prev, ...page.items.filter((e) => !seen.has(e.id))];
      });
      setNextCursor(page.nextCursor);
    } catch (err) {
      report(err);
    } finally {
      setLoadingMore(false);
    }
  };

  const runVerify = async () => {
    setVerifying(true);
    try {
      setVerify(await api.verifyAudit());
    } catch (err) {
      report(err);
    } finally {
      setVerifying(false);
    }
  };

  const columns: ColumnsType<AuditEvent> = [
    {
      title: t('audit.seq'),
      dataIndex: 'seq',
      width: 90,
      render: (v: number | null) =>
        v === null ? <Tag variant="outlined">{t('audit.pending')}</Tag> : <Typography.Text className="custos-mono">#{v}</Typography.Text>,
    },
    { title: t('audit.time'), dataIndex: 'occurredAt', width: 170, render: (v: string) => formatDateTime(v) },
    {
      title: t('audit.actor'),
      dataIndex: 'actor',
      render: (a: AuditEvent['actor']) => (
        <Space size={6}>
          {a.type === 'system' ? (
            <RobotOutlined style={{ color: 'rgba(0,0,0,0.45)' }} />
          ) : (
            <UserOutlined style={{ color: 'rgba(0,0,0,0.45)' }} />
          )}
          <span>{a.type === 'system' && !a.name ? t('audit.actor.system') : a.name}</span>
        </Space>
      ),
    },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      render: (v: string) => <Typography.Text className="custos-mono">{v}</Typography.Text>,
    },
    {
      title: t('audit.resource'),
      key: 'resource',
      render: (_: unknown, e) =>
        e.resourceType ? (
          <Space size={4}>
            <Tag style={{ marginInlineEnd: 0 }}>{e.resourceType}</Tag>
            {e.resourceId ? (
              <Tooltip title={e.resourceId}>
                <Typography.Text type="secondary" className="custos-mono">
                  {shortId(e.resourceId)}
                </Typography.Text>
              </Tooltip>
            ) : null}
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
        ),
    },
    { title: t('audit.outcome'), dataIndex: 'outcome', width: 90, render: (v: AuditOutcome) => <OutcomeTag outcome={v} t={t} /> },
    {
      title: t('audit.clauses'),
      dataIndex: 'clauses',
      render: (v: string[]) =>
        v.length ? (
          <Space size={[4, 4]} wrap>
            {v.map((c) => (
              <Tag key={c} color="purple" variant="outlined" style={{ marginInlineEnd: 0 }}>
                {c}
              </Tag>
            ))}
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('audit.title')}
        subtitle={t('audit.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void loadFirst(query)} data-testid="audit-refresh">
              {t('common.refresh')}
            </Button>
            {can('audit.verify') ? (
              <Button
                type="primary"
                icon={<SafetyCertificateOutlined />}
                loading={verifying}
                onClick={() => void runVerify()}
                data-testid="audit-verify"
              >
                {t('audit.verify')}
              </Button>
            ) : null}
          </>
        }
      />
      {verify ? <VerifyAlert result={verify} onClose={() => setVerify(null)} /> : null}
      <Card style={{ marginBottom: 16 }} styles={{ body: { paddingBottom: 0 } }}>
        <Form<FilterForm>
          form={form}
          layout="inline"
          onFinish={(values) => setQuery(toQuery(values))}
          style={{ rowGap: 16 }}
          data-testid="audit-filters"
        >
          <Form.Item name="action" label={t('audit.filter.action')}>
            <Input allowClear placeholder={t('audit.filter.actionPlaceholder')} style={{ width: 220 }} data-testid="audit-filter-action" />
          </Form.Item>
          <Form.Item name="outcome" label={t('audit.filter.outcome')}>
            <Select<AuditOutcome>
              allowClear
              placeholder={t('audit.filter.outcomeAll')}
              style={{ width: 140 }}
              data-testid="audit-filter-outcome"
              options={(['success', 'denied', 'failure'] as const).map((o) => ({ value: o, label: t(`audit.outcome.${o}`) }))}
            />
          </Form.Item>
          <Form.Item name="resourceType" label={t('audit.filter.resourceType')}>
            <Input
              allowClear
              placeholder={t('audit.filter.resourceTypePlaceholder')}
              style={{ width: 180 }}
              data-testid="audit-filter-resourceType"
            />
          </Form.Item>
          <Form.Item name="range" label={t('audit.filter.time')}>
            <DatePicker.RangePicker allowEmpty={[true, true]} data-testid="audit-filter-range" />
          </Form.Item>
          <Form.Item style={{ marginInlineEnd: 0, paddingBottom: 16 }}>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="audit-search">
                {t('common.search')}
              </Button>
              <Button
                icon={<UndoOutlined />}
                onClick={() => {
                  form.resetFields();
                  setQuery({});
                }}
              >
                {t('common.reset')}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        <Table<AuditEvent>
          data-testid="audit-table"
          className="custos-clickable-rows"
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={events}
          pagination={false}
          onRow={(e) =>
            ({
              onClick: () => setSelected(e),
              'data-testid': 'audit-row',
              'data-action': e.action,
              'data-resource-id': e.resourceId ?? '',
              'data-seq': e.seq ?? '',
            }) as object
          }
        />
        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'center', gap: 12, padding: 16 }}>
          <Typography.Text type="secondary" data-testid="audit-count">
            {t('audit.loaded', { count: events.length })}
          </Typography.Text>
          {nextCursor ? (
            <Button onClick={() => void loadMore()} loading={loadingMore} data-testid="audit-load-more">
              {t('audit.loadMore')}
            </Button>
          ) : (
            <Typography.Text type="secondary">· {t('audit.noMore')}</Typography.Text>
          )}
        </div>
      </Card>
      <EventDrawer event={selected} onClose={() => setSelected(null)} />
    </>
  );
}

function shortId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

function VerifyAlert({ result, onClose }: { result: VerifyResult; onClose: () => void }) {
  const { t } = useI18n();
  const cp = result.checkpoints;
  return (
    <Alert
      data-testid="audit-verify-result"
      data-intact={String(result.intact)}
      type={result.intact ? 'success' : 'error'}
      showIcon
      icon={result.intact ? <CheckCircleOutlined /> : undefined}
      style={{ marginBottom: 16 }}
      closable={{ onClose }}
      title={result.intact ? t('audit.verify.intact') : t('audit.verify.broken', { seq: result.firstBrokenSeq ?? '?' })}
      description={
        <>
          <div data-testid="audit-verify-detail">
            {t('audit.verify.detail', {
              checked: result.checkedEvents,
              pending: result.pendingEvents,
              cpChecked: cp.checked,
              cpFailed: cp.failed,
              cpLatest: cp.latestSeq ?? t('common.none'),
            })}
          </div>
          {result.reason ? <div>{t('audit.verify.reason', { reason: result.reason })}</div> : null}
        </>
      }
    />
  );
}

function EventDrawer({ event, onClose }: { event: AuditEvent | null; onClose: () => void }) {
  const { t } = useI18n();
  const mono = (v: string | null | undefined, copy = false): ReactNode =>
    v ? (
      <Typography.Text className="custos-hash" copyable={copy}>
        {v}
      </Typography.Text>
    ) : (
      <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
    );
  return (
    <Drawer
      open={event !== null}
      onClose={onClose}
      size="large"
      title={
        event ? (
          <Space>
            <span>{t('audit.drawer.title')}</span>
            {event.seq !== null ? <Tag>#{event.seq}</Tag> : <Tag>{t('audit.pending')}</Tag>}
          </Space>
        ) : null
      }
      data-testid="audit-drawer"
    >
      {event ? (
        <Descriptions
          column={1}
          bordered
          size="small"
          styles={{ label: { width: 150, whiteSpace: 'nowrap' } }}
          items={[
            { key: 'seq', label: t('audit.seq'), children: event.seq ?? t('audit.pending') },
            { key: 'id', label: t('audit.field.id'), children: mono(event.id, true) },
            { key: 'time', label: t('audit.time'), children: `${formatDateTime(event.occurredAt)}  (${event.occurredAt})` },
            { key: 'actor', label: t('audit.actor'), children: event.actor.name || t('audit.actor.system') },
            { key: 'actorType', label: t('audit.field.actorType'), children: event.actor.type },
            { key: 'actorId', label: t('audit.field.actorId'), children: mono(event.actor.id) },
            { key: 'action', label: t('audit.action'), children: <span className="custos-mono">{event.action}</span> },
            { key: 'resourceType', label: t('audit.field.resourceType'), children: event.resourceType ?? t('common.none') },
            { key: 'resourceId', label: t('audit.field.resourceId'), children: mono(event.resourceId, true) },
            { key: 'outcome', label: t('audit.outcome'), children: <OutcomeTag outcome={event.outcome} t={t} /> },
            {
              key: 'clauses',
              label: t('audit.clauses'),
              children: event.clauses.length
                ? event.clauses.map((c) => (
                    <Tag key={c} color="purple" variant="outlined">
                      {c}
                    </Tag>
                  ))
                : t('common.none'),
            },
            { key: 'purpose', label: t('audit.field.purposeId'), children: mono(event.purposeId) },
            { key: 'requestId', label: t('audit.field.requestId'), children: mono(event.requestId, true) },
            {
              key: 'details',
              label: t('audit.field.details'),
              children: (
                <pre className="custos-json" data-testid="audit-drawer-details">
                  {JSON.stringify(event.details ?? {}, null, 2)}
                </pre>
              ),
            },
            {
              key: 'prevHash',
              label: t('audit.field.prevHash'),
              children: <span data-testid="audit-drawer-prevhash">{mono(event.prevHash)}</span>,
            },
            { key: 'hash', label: t('audit.field.hash'), children: <span data-testid="audit-drawer-hash">{mono(event.hash, true)}</span> },
          ]}
        />
      ) : null}
    </Drawer>
  );
}
