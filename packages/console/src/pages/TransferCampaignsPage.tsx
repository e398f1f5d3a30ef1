/**
 * Transfer campaigns (P6.1, PIPL Art. 22): on a merger, division or acquisition, each customer in
 * scope is told who receives their data, why and what, and how to object; their answers are
 * recorded; the transfer executes only for those who consented (or have another recorded legal
 * basis). The page shows each campaign's progress and every count of its report.
 */
import { CheckOutlined, DownloadOutlined, PlusOutlined, ReloadOutlined, SendOutlined, ThunderboltOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Progress,
  Radio,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, type DataCategory } from '../api';
import { HashText } from '../components/ConsentParts';
import { PageHeader } from '../components/PageHeader';
import { CardTable } from '../components/CardTable';
import { categoryLabel, formatDateTime, shortId } from '../format';
import { useI18n } from '../i18n';
import { nestedFieldMapper, useProblemReporter, useSuccess } from '../problems';
import { impactApi, type ImpactAssessment } from '../recipientsApi';
import { useSession } from '../session';
import {
  DELIVERY_STATUSES,
  NOTICE_CHANNELS,
  RESPONSE_CHANNELS,
  saveFile,
  TRANSFER_ANSWERS,
  TRANSFER_REASONS,
  transfersApi,
  type CampaignStatus,
  type DeliveryStatus,
  type NewTransferCampaign,
  type NoticeChannel,
  type ResponseChannel,
  type TransferAnswer,
  type TransferCampaign,
  type TransferCounts,
  type TransferNotice,
  type TransferReason,
} from '../transfersApi';
import { useLoad } from '../useLoad';
import { useTT } from './transfers-i18n';

const STATUS_COLOR: Record<CampaignStatus, string> = {
  draft: 'default',
  approved: 'blue',
  notifying: 'gold',
  executed: 'green',
  cancelled: 'default',
};
const DELIVERY_COLOR: Record<DeliveryStatus, string> = {
  queued: 'gold',
  delivered: 'green',
  failed: 'red',
  letter: 'blue',
  no_address: 'red',
};
const ANSWER_COLOR: Record<TransferAnswer, string> = { consent: 'green', object: 'red', legal_basis: 'blue' };
const COUNT_KEYS: (keyof TransferCounts)[] = [
  'inScope',
  'notified',
  'delivered',
  'queued',
  'failed',
  'letters',
  'noAddress',
  'consented',
  'objected',
  'legalBasis',
  'noAnswer',
  'transferred',
  'unavailable',
];
const SHA256_RE = /^[0-9a-f]{64}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function TransferCampaignsPage() {
  const tt = useTT();
  const { t } = useI18n();
  const { can } = useSession();
  const list = useLoad<TransferCampaign[]>(() => transfersApi.list(), []);
  const categories = useLoad<DataCategory[]>(api.listDataCategories, [], can('catalogue.read'));
  const catMap = useMemo(() => new Map(categories.data.map((c) => [c.code, c])), [categories.data]);
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);

  return (
    <>
      <PageHeader
        title={tt('tr.title')}
        subtitle={tt('tr.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void list.reload()} data-testid="transfers-refresh">
              {t('common.refresh')}
            </Button>
            {can('transfer.manage') ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="transfer-create">
                {tt('tr.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <CampaignsTable data={list.data} loading={list.loading} onOpen={setOpenId} />
      <NewCampaignModal
        open={creating}
        categories={categories.data}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false);
          void list.reload();
          setOpenId(c.id);
        }}
      />
      <CampaignDrawer
        key={openId ?? 'none'}
        id={openId}
        catMap={catMap}
        onClose={() => setOpenId(null)}
        onChanged={() => void list.reload()}
      />
    </>
  );
}

function StatusTag({ value }: { value: CampaignStatus }) {
  const tt = useTT();
  return (
    <Tag color={STATUS_COLOR[value]} data-testid="transfer-status" data-status={value}>
      {tt(`tr.status.${value}`)}
    </Tag>
  );
}

function CampaignProgress({ c }: { c: TransferCampaign }) {
  const tt = useTT();
  const n = c.counts.inScope;
  if (!n) return <Typography.Text type="secondary">—</Typography.Text>;
  const answered = c.counts.consented + c.counts.objected + c.counts.legalBasis;
  return (
    <Space orientation="vertical" size={0} style={{ width: 200 }}>
      <Progress
        percent={Math.round((c.counts.delivered / n) * 100)}
        size="small"
        format={() => `${tt('tr.delivered')} ${c.counts.delivered}/${n}`}
      />
      <Progress
        percent={Math.round((answered / n) * 100)}
        size="small"
        status="normal"
        strokeColor="#52c41a"
        format={() => `${tt('tr.answered')} ${answered}/${n}`}
      />
    </Space>
  );
}

function CampaignsTable({ data, loading, onOpen }: { data: TransferCampaign[]; loading: boolean; onOpen: (id: string) => void }) {
  const tt = useTT();
  const { t } = useI18n();
  const columns: ColumnsType<TransferCampaign> = [
    {
      title: tt('tr.name'),
      dataIndex: 'title',
      render: (v: string, c) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{v}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {tt(`tr.reason.${c.reason}`)} · {formatDateTime(c.createdAt)}
          </Typography.Text>
        </Space>
      ),
    },
    { title: tt('tr.receivingParty'), key: 'party', render: (_: unknown, c) => c.receivingParty.name },
    { title: tt('tr.status'), dataIndex: 'status', width: 100, render: (v: CampaignStatus) => <StatusTag value={v} /> },
    { title: tt('tr.progress'), key: 'progress', width: 240, render: (_: unknown, c) => <CampaignProgress c={c} /> },
    {
      title: tt('tr.count.transferred'),
      key: 'transferred',
      width: 100,
      render: (_: unknown, c) => (c.status === 'executed' ? c.counts.transferred : <Typography.Text type="secondary">—</Typography.Text>),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 80,
      render: (_: unknown, c) => (
        <Button type="link" size="small" onClick={() => onOpen(c.id)} data-testid={`transfer-open-${c.id}`}>
          {tt('tr.details')}
        </Button>
      ),
    },
  ];
  return (
    <CardTable<TransferCampaign>
      emptyText={tt('tr.empty')}
      data-testid="transfers-table"
      rowKey="id"
      loading={loading}
      columns={columns}
      dataSource={data}
    />
  );
}

// ---------------------------------------------------------------------------------------------
// New campaign

interface CampaignForm {
  title: string;
  reason: TransferReason;
  reasonDetail?: string;
  receivingParty: { name: string; contact: string };
  purpose: string;
  fields: string[];
  scopeKind: 'all' | 'list';
  scopeIds?: string;
  channels: NoticeChannel[];
  responseDeadline?: Dayjs;
  impactAssessmentId: string;
  templateZh?: string;
  templateEn?: string;
}

function NewCampaignModal({
  open,
  categories,
  onClose,
  onCreated,
}: {
  open: boolean;
  categories: DataCategory[];
  onClose: () => void;
  onCreated: (c: TransferCampaign) => void;
}) {
  const tt = useTT();
  const { t, lang } = useI18n();
  const { can } = useSession();
  const [form] = Form.useForm<CampaignForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const scopeKind = Form.useWatch('scopeKind', form);
  const pias = useLoad<ImpactAssessment[]>(
    () => impactApi.list({ subjectKind: 'transfer', status: 'completed' }),
    [],
    open && can('impact.read'),
  );
  const catMap = useMemo(() => new Map(categories.map((c) => [c.code, c])), [categories]);

  const submit = async () => {
    let v: CampaignForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const ids = (v.scopeIds ?? '')
      .split(/[\s,;]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    const body: NewTransferCampaign = {
      title: v.title.trim(),
      reason: v.reason,
      ...(v.reasonDetail?.trim() ? { reasonDetail: v.reasonDetail.trim() } : {}),
      receivingParty: { name: v.receivingParty.name.trim(), contact: v.receivingParty.contact.trim() },
      purpose: v.purpose.trim(),
      fields: v.fields,
      customerScope: v.scopeKind === 'all' ? { kind: 'all' } : { kind: 'list', ids },
      channels: v.channels,
      ...(v.responseDeadline ? { responseDeadline: v.responseDeadline.endOf('day').toISOString() } : {}),
      impactAssessmentId: v.impactAssessmentId,
      ...(v.templateZh?.trim() && v.templateEn?.trim()
        ? { noticeTemplate: { 'zh-CN': v.templateZh.trim(), en: v.templateEn.trim() } }
        : {}),
    };
    setSaving(true);
    try {
      const c = await transfersApi.create(body);
      success(tt('tr.created', { title: c.title }));
      form.resetFields();
      onCreated(c);
    } catch (err) {
      report(err, {
        form,
        mapField: nestedFieldMapper(form, (s) =>
          s[0] === 'customerScope' ? ['scopeIds'] : s[0] === 'noticeTemplate' ? [s[1] === 'en' ? 'templateEn' : 'templateZh'] : s,
        ),
      });
    } finally {
      setSaving(false);
    }
  };
  const required = (field: string) => ({ required: true, message: t('common.required', { field }) });

  return (
    <Modal
      title={tt('tr.new')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'transfer-submit' }}
      width={760}
    >
      <Form<CampaignForm>
        form={form}
        layout="vertical"
        preserve={false}
        autoComplete="off"
        initialValues={{ reason: 'acquisition', scopeKind: 'all', channels: ['email', 'sms', 'letter'], fields: [] }}
        data-testid="transfer-form"
        style={{ marginTop: 16 }}
      >
        <Row gutter={16}>
          <Col span={16}>
            <Form.Item name="title" label={tt('tr.name')} rules={[required(tt('tr.name'))]}>
              <Input maxLength={200} data-testid="transfer-form-title" autoFocus />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="reason" label={tt('tr.reason')}>
              <Select
                options={TRANSFER_REASONS.map((r) => ({ value: r, label: tt(`tr.reason.${r}`) }))}
                data-testid="transfer-form-reason"
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="reasonDetail" label={tt('tr.reasonDetail')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name={['receivingParty', 'name']} label={tt('tr.receivingName')} rules={[required(tt('tr.receivingName'))]}>
              <Input maxLength={300} data-testid="transfer-form-party" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name={['receivingParty', 'contact']}
              label={tt('tr.receivingContact')}
              tooltip={tt('tr.receivingContactHint')}
              rules={[required(tt('tr.receivingContact'))]}
            >
              <Input maxLength={300} data-testid="transfer-form-contact" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="purpose" label={tt('tr.purpose')} rules={[required(tt('tr.purpose'))]}>
          <Input.TextArea rows={2} maxLength={2000} data-testid="transfer-form-purpose" />
        </Form.Item>
        <Form.Item
          name="fields"
          label={tt('tr.fields')}
          rules={[{ required: true, type: 'array', min: 1, message: t('common.required', { field: tt('tr.fields') }) }]}
        >
          <Select
            mode="multiple"
            data-testid="transfer-form-fields"
            options={categories.map((c) => ({ value: c.code, label: categoryLabel(c.code, lang, catMap) }))}
            optionFilterProp="label"
          />
        </Form.Item>
        <Row gutter={16}>
          <Col span={10}>
            <Form.Item name="scopeKind" label={tt('tr.scope')}>
              <Radio.Group
                options={[
                  { value: 'all', label: tt('tr.scope.all') },
                  { value: 'list', label: tt('tr.scope.list') },
                ]}
              />
            </Form.Item>
          </Col>
          <Col span={14}>
            <Form.Item name="channels" label={tt('tr.channels')} rules={[{ required: true, type: 'array', min: 1 }]}>
              <Checkbox.Group options={NOTICE_CHANNELS.map((c) => ({ value: c, label: tt(`tr.channel.${c}`) }))} />
            </Form.Item>
          </Col>
        </Row>
        {scopeKind === 'list' ? (
          <Form.Item
            name="scopeIds"
            label={tt('tr.scopeIds')}
            rules={[
              {
                validator: async (_, v: string | undefined) => {
                  const ids = (v ?? '').split(/[\s,;]+/).filter(Boolean);
                  if (!ids.length || ids.some((id) => !UUID_RE.test(id))) throw new Error(tt('tr.scopeIds'));
                },
              },
            ]}
          >
            <Input.TextArea rows={3} className="custos-mono" data-testid="transfer-form-ids" />
          </Form.Item>
        ) : null}
        <Row gutter={16}>
          <Col span={10}>
            <Form.Item name="responseDeadline" label={tt('tr.deadline')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={14}>
            <Form.Item name="impactAssessmentId" label={tt('tr.pia')} tooltip={tt('tr.piaHint')} rules={[required(tt('tr.pia'))]}>
              <Select
                data-testid="transfer-form-pia"
                loading={pias.loading}
                notFoundContent={tt('tr.noPia')}
                options={pias.data.map((a) => ({ value: a.id, label: `${a.title} · ${a.riskLevel} · ${formatDateTime(a.completedAt)}` }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Text strong>{tt('tr.template')}</Typography.Text>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {tt('tr.templateHint')}
        </Typography.Paragraph>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="templateZh" label={tt('tr.templateZh')}>
              <Input.TextArea rows={4} maxLength={4000} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="templateEn" label={tt('tr.templateEn')}>
              <Input.TextArea rows={4} maxLength={4000} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// One campaign

function CampaignDrawer({
  id,
  catMap,
  onClose,
  onChanged,
}: {
  id: string | null;
  catMap: ReadonlyMap<string, DataCategory>;
  onClose: () => void;
  onChanged: () => void;
}) {
  const tt = useTT();
  const { t, lang } = useI18n();
  const { can, user } = useSession();
  const { modal } = App.useApp();
  const report = useProblemReporter();
  const success = useSuccess();
  const campaign = useLoad<TransferCampaign | null>(() => (id ? transfersApi.get(id) : Promise.resolve(null)), null, !!id);
  const [filter, setFilter] = useState<{ delivery?: DeliveryStatus; answer?: TransferAnswer | 'none' }>({});
  const [page, setPage] = useState(1);
  const notices = useLoad(
    () => (id ? transfersApi.notices(id, { ...filter, limit: 20, offset: (page - 1) * 20 }) : Promise.resolve(null)),
    null,
    !!id,
  );
  // A new filter or page loads the notices again (the first load is useLoad's own).
  const first = useRef(true);
  const reloadNotices = notices.reload;
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    void reloadNotices();
  }, [filter, page, reloadNotices]);
  const [answering, setAnswering] = useState<TransferNotice | null>(null);
  const [packaging, setPackaging] = useState(false);
  const c = campaign.data;

  const refresh = async () => {
    await Promise.all([campaign.reload(), notices.reload()]);
    onChanged();
  };
  const act = (title: string, content: string, run: () => Promise<TransferCampaign>, done: (c: TransferCampaign) => string) =>
    modal.confirm({
      title,
      content,
      okText: title,
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          const r = await run();
          success(done(r));
          await refresh();
        } catch (err) {
          report(err);
        }
      },
    });

  const downloadLetters = async (batchId: string) => {
    if (!c) return;
    try {
      const doc = await transfersApi.letters(c.id, batchId);
      if (!doc.matchesRecordedHash) report(new Error(tt('tr.lettersMismatch')));
      saveFile(doc.document, `transfer-letters-${shortId(c.id)}-${shortId(batchId)}.txt`);
    } catch (err) {
      report(err);
    }
  };

  return (
    <Drawer
      open={!!id}
      onClose={onClose}
      size={1000}
      title={c ? tt('tr.detailTitle', { title: c.title }) : ''}
      data-testid="transfer-drawer"
      extra={
        c ? (
          <Space>
            {c.status === 'draft' && can('transfer.approve') ? (
              <Button
                icon={<CheckOutlined />}
                disabled={c.createdBy === user.username}
                data-testid="transfer-approve"
                onClick={() =>
                  act(
                    tt('tr.approve'),
                    tt('tr.approveConfirm'),
                    () => transfersApi.approve(c.id),
                    () => tt('tr.approved'),
                  )
                }
              >
                {tt('tr.approve')}
              </Button>
            ) : null}
            {c.status === 'approved' && can('transfer.manage') ? (
              <Button
                type="primary"
                icon={<SendOutlined />}
                data-testid="transfer-send"
                onClick={() =>
                  act(
                    tt('tr.send'),
                    tt('tr.sendConfirm'),
                    () => transfersApi.sendNotices(c.id),
                    () => tt('tr.sent'),
                  )
                }
              >
                {tt('tr.send')}
              </Button>
            ) : null}
            {c.status === 'notifying' && can('transfer.manage') ? (
              <Button
                type="primary"
                danger
                icon={<ThunderboltOutlined />}
                data-testid="transfer-execute"
                onClick={() =>
                  act(
                    tt('tr.execute'),
                    tt('tr.executeConfirm'),
                    () => transfersApi.execute(c.id),
                    (r) => tt('tr.executed', { count: r.counts.transferred }),
                  )
                }
              >
                {tt('tr.execute')}
              </Button>
            ) : null}
            {c.status === 'executed' && can('transfer.manage') ? (
              <Button icon={<DownloadOutlined />} onClick={() => setPackaging(true)} data-testid="transfer-package">
                {tt('tr.packageDownload')}
              </Button>
            ) : null}
          </Space>
        ) : null
      }
    >
      {c ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Descriptions size="small" bordered column={2}>
            <Descriptions.Item label={tt('tr.status')}>
              <StatusTag value={c.status} />
            </Descriptions.Item>
            <Descriptions.Item label={tt('tr.reason')}>
              {tt(`tr.reason.${c.reason}`)}
              {c.reasonDetail ? ` · ${c.reasonDetail}` : ''}
            </Descriptions.Item>
            <Descriptions.Item label={tt('tr.receivingParty')}>
              {c.receivingParty.name} · {c.receivingParty.contact}
            </Descriptions.Item>
            <Descriptions.Item label={tt('tr.deadline')}>{formatDateTime(c.responseDeadline)}</Descriptions.Item>
            <Descriptions.Item label={tt('tr.purpose')} span={2}>
              {c.purpose}
            </Descriptions.Item>
            <Descriptions.Item label={tt('tr.fields')} span={2}>
              <Space size={[4, 4]} wrap>
                {c.fields.map((f) => (
                  <Tag key={f}>{categoryLabel(f, lang, catMap)}</Tag>
                ))}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={tt('tr.scope')}>
              {c.customerScope.kind === 'all' ? tt('tr.scope.all') : `${tt('tr.scope.list')} (${c.customerScope.ids.length})`}
            </Descriptions.Item>
            <Descriptions.Item label={tt('tr.channels')}>{c.channels.map((x) => tt(`tr.channel.${x}`)).join(' → ')}</Descriptions.Item>
            <Descriptions.Item label={tt('tr.createdBy')}>
              {c.createdBy} · {formatDateTime(c.createdAt)}
            </Descriptions.Item>
            <Descriptions.Item label={tt('tr.approvedBy')}>
              {c.approvedBy ? `${c.approvedBy} · ${formatDateTime(c.approvedAt)}` : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={tt('tr.noticesSentAt')}>{formatDateTime(c.noticesSentAt)}</Descriptions.Item>
            <Descriptions.Item label={tt('tr.executedAt')}>
              {c.executedAt ? `${c.executedBy} · ${formatDateTime(c.executedAt)}` : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={tt('tr.pia')}>
              <Typography.Text className="custos-mono">{shortId(c.impactAssessmentId)}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={tt('tr.packageHash')}>
              <HashText value={c.packageHash} testId="transfer-package-hash" />
            </Descriptions.Item>
          </Descriptions>

          <Card size="small" title={tt('tr.counts')} data-testid="transfer-counts">
            <Row gutter={[16, 16]}>
              {COUNT_KEYS.map((k) => (
                <Col key={k} span={6}>
                  <Statistic title={tt(`tr.count.${k}`)} value={c.counts[k]} valueStyle={{ fontSize: 20 }} />
                </Col>
              ))}
            </Row>
          </Card>

          {c.letterBatches.length ? (
            <Card size="small" title={tt('tr.letters')}>
              {c.letterBatches.map((b) => (
                <Space key={b.id} style={{ display: 'flex', justifyContent: 'space-between' }}>
                  <span>
                    {formatDateTime(b.createdAt)} · {b.letters} · <HashText value={b.documentHash} />
                  </span>
                  {can('transfer.manage') ? (
                    <Button size="small" icon={<DownloadOutlined />} onClick={() => void downloadLetters(b.id)}>
                      {tt('tr.lettersDownload')}
                    </Button>
                  ) : null}
                </Space>
              ))}
            </Card>
          ) : null}

          <Card
            size="small"
            title={tt('tr.notices')}
            extra={
              <Space>
                <Select
                  allowClear
                  placeholder={tt('tr.delivery')}
                  style={{ width: 140 }}
                  value={filter.delivery}
                  onChange={(v?: DeliveryStatus) => {
                    setPage(1);
                    setFilter((f) => ({ ...f, delivery: v }));
                  }}
                  options={DELIVERY_STATUSES.map((d) => ({ value: d, label: tt(`tr.delivery.${d}`) }))}
                />
                <Select
                  allowClear
                  placeholder={tt('tr.answer')}
                  style={{ width: 140 }}
                  value={filter.answer}
                  onChange={(v?: TransferAnswer | 'none') => {
                    setPage(1);
                    setFilter((f) => ({ ...f, answer: v }));
                  }}
                  options={[...TRANSFER_ANSWERS, 'none' as const].map((a) => ({ value: a, label: tt(`tr.answer.${a}`) }))}
                />
                <Button icon={<ReloadOutlined />} onClick={() => void notices.reload()} />
              </Space>
            }
          >
            <NoticesTable
              data={notices.data?.items ?? []}
              loading={notices.loading}
              total={notices.data?.total ?? 0}
              page={page}
              onPage={setPage}
              canAnswer={c.status === 'notifying' && can('transfer.manage')}
              onAnswer={setAnswering}
            />
          </Card>
        </Space>
      ) : null}
      {c ? (
        <ResponseModal
          campaignId={c.id}
          notice={answering}
          onClose={() => setAnswering(null)}
          onDone={async () => {
            setAnswering(null);
            await refresh();
          }}
        />
      ) : null}
      {c ? <PackageModal campaign={c} open={packaging} onClose={() => setPackaging(false)} /> : null}
    </Drawer>
  );
}

function NoticesTable({
  data,
  loading,
  total,
  page,
  onPage,
  canAnswer,
  onAnswer,
}: {
  data: TransferNotice[];
  loading: boolean;
  total: number;
  page: number;
  onPage: (p: number) => void;
  canAnswer: boolean;
  onAnswer: (n: TransferNotice) => void;
}) {
  const tt = useTT();
  const { t } = useI18n();
  const columns: ColumnsType<TransferNotice> = [
    {
      title: tt('tr.reference'),
      dataIndex: 'reference',
      width: 130,
      render: (v: string) => <Typography.Text className="custos-mono">{v}</Typography.Text>,
    },
    {
      title: tt('tr.customer'),
      dataIndex: 'customerId',
      width: 110,
      render: (v: string) => (
        <Typography.Text className="custos-mono" copyable={{ text: v }}>
          {shortId(v)}
        </Typography.Text>
      ),
    },
    { title: tt('tr.channel'), dataIndex: 'channel', width: 100, render: (v: NoticeChannel | 'none') => tt(`tr.channel.${v}`) },
    {
      title: tt('tr.delivery'),
      dataIndex: 'delivery',
      width: 110,
      render: (v: DeliveryStatus, n) => (
        <Tag color={DELIVERY_COLOR[v]} title={n.lastError ?? undefined}>
          {tt(`tr.delivery.${v}`)}
        </Tag>
      ),
    },
    {
      title: tt('tr.answer'),
      dataIndex: 'answer',
      render: (v: TransferAnswer | null, n) =>
        v ? (
          <Space size={4}>
            <Tag color={ANSWER_COLOR[v]}>{tt(`tr.answer.${v}`)}</Tag>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {n.answeredVia ? tt(`tr.answeredVia.${n.answeredVia}`) : ''} {formatDateTime(n.answeredAt)}
            </Typography.Text>
          </Space>
        ) : (
          <Typography.Text type="secondary">{tt('tr.answer.none')}</Typography.Text>
        ),
    },
    {
      title: tt('tr.outcome'),
      dataIndex: 'outcome',
      width: 130,
      render: (v: TransferNotice['outcome']) => (v ? tt(`tr.outcome.${v}`) : '—'),
    },
  ];
  if (canAnswer)
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 100,
      render: (_: unknown, n) => (
        <Button type="link" size="small" onClick={() => onAnswer(n)} data-testid={`transfer-answer-${n.reference}`}>
          {tt('tr.record')}
        </Button>
      ),
    });
  return (
    <Table<TransferNotice>
      data-testid="transfer-notices"
      rowKey="customerId"
      size="small"
      loading={loading}
      columns={columns}
      dataSource={data}
      pagination={{
        current: page,
        pageSize: 20,
        total,
        onChange: onPage,
        hideOnSinglePage: true,
        showTotal: (n) => t('common.total', { count: n }),
      }}
    />
  );
}

interface ResponseForm {
  answer: TransferAnswer;
  legalBasis?: string;
  channel: ResponseChannel;
  documentHash: string;
  note?: string;
}

function ResponseModal({
  campaignId,
  notice,
  onClose,
  onDone,
}: {
  campaignId: string;
  notice: TransferNotice | null;
  onClose: () => void;
  onDone: () => Promise<void>;
}) {
  const tt = useTT();
  const { t } = useI18n();
  const [form] = Form.useForm<ResponseForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const answer = Form.useWatch('answer', form);

  const submit = async () => {
    if (!notice) return;
    let v: ResponseForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      await transfersApi.recordResponse(campaignId, {
        customerId: notice.customerId,
        answer: v.answer,
        ...(v.answer === 'legal_basis' && v.legalBasis ? { legalBasis: v.legalBasis.trim() } : {}),
        channel: v.channel,
        evidence: { documentHash: v.documentHash.trim().toLowerCase() },
        ...(v.note?.trim() ? { note: v.note.trim() } : {}),
      });
      success(tt('tr.recorded'));
      form.resetFields();
      await onDone();
    } catch (err) {
      report(err, { form, mapField: nestedFieldMapper(form, (s) => (s[0] === 'evidence' ? ['documentHash'] : s)) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={!!notice}
      title={notice ? tt('tr.recordTitle', { reference: notice.reference }) : ''}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={tt('tr.record')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'transfer-answer-submit' }}
    >
      <Form<ResponseForm> form={form} layout="vertical" preserve={false} initialValues={{ answer: 'consent', channel: 'reply_letter' }}>
        <Form.Item name="answer" label={tt('tr.answer')}>
          <Radio.Group options={TRANSFER_ANSWERS.map((a) => ({ value: a, label: tt(`tr.answer.${a}`) }))} />
        </Form.Item>
        {answer === 'legal_basis' ? (
          <Form.Item name="legalBasis" label={tt('tr.legalBasisText')} extra={tt('tr.legalBasisHint')} rules={[{ required: true, min: 4 }]}>
            <Input maxLength={500} />
          </Form.Item>
        ) : null}
        <Form.Item name="channel" label={tt('tr.responseChannel')}>
          <Select options={RESPONSE_CHANNELS.map((c) => ({ value: c, label: tt(`tr.responseChannel.${c}`) }))} />
        </Form.Item>
        <Form.Item
          name="documentHash"
          label={tt('tr.evidenceHash')}
          extra={tt('tr.evidenceHint')}
          rules={[
            { required: true, pattern: SHA256_RE, transform: (v: string) => v?.trim().toLowerCase(), message: tt('tr.evidenceHash') },
          ]}
        >
          <Input className="custos-mono" maxLength={64} data-testid="transfer-answer-hash" />
        </Form.Item>
        <Form.Item name="note" label={tt('tr.note')}>
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function PackageModal({ campaign, open, onClose }: { campaign: TransferCampaign; open: boolean; onClose: () => void }) {
  const tt = useTT();
  const { t } = useI18n();
  const [form] = Form.useForm<{ passphrase: string }>();
  const report = useProblemReporter();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    let v: { passphrase: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    try {
      const pkg = await transfersApi.package(campaign.id, v.passphrase);
      saveFile(JSON.stringify(pkg, null, 2), `transfer-package-${shortId(campaign.id)}.json`, 'application/json');
      form.resetFields();
      onClose();
    } catch (err) {
      report(err, { form });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={tt('tr.package')}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={tt('tr.packageDownload')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Alert type="info" showIcon title={tt('tr.passphraseHint')} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="passphrase" label={tt('tr.passphrase')} rules={[{ required: true, min: 16 }]}>
          <Input.Password maxLength={200} autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
