/**
 * Public disclosure (P6.2, PIPL Art. 25): blocked by default. A request cites the law or relies
 * on each customer's separate consent, names the minimal fields of a purpose with a mask for
 * each, and is approved by management and then the compliance officer; the disclosed (masked)
 * content is recorded with its hash.
 */
import { CheckOutlined, CloseOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Row,
  Select,
  Space,
  Statistic,
  Steps,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { api, HIERARCHIES, type DataCategory, type Purpose } from '../api';
import { HashText } from '../components/ConsentParts';
import { PageHeader } from '../components/PageHeader';
import { CardTable } from '../components/CardTable';
import { categoryLabel, formatDateTime, localized, shortId } from '../format';
import { useI18n } from '../i18n';
import { nestedFieldMapper, useProblemReporter, useSuccess } from '../problems';
import { impactApi, type ImpactAssessment } from '../recipientsApi';
import { useSession } from '../session';
import {
  disclosuresApi,
  type DisclosureCounts,
  type DisclosureOperator,
  type DisclosureRequest,
  type DisclosureStatus,
  type NewDisclosureRequest,
} from '../transfersApi';
import { useLoad } from '../useLoad';
import { useTT } from './transfers-i18n';

const STATUS_COLOR: Record<DisclosureStatus, string> = { in_review: 'gold', rejected: 'red', disclosed: 'green' };
const OPERATOR_KINDS = ['display_mask', 'mask', 'redact', 'generalise'] as const;
type OperatorKind = (typeof OPERATOR_KINDS)[number];
const COUNT_KEYS: (keyof DisclosureCounts)[] = ['inScope', 'included', 'excludedNoConsent', 'excludedNotInPurpose'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function DisclosuresPage() {
  const tt = useTT();
  const { t } = useI18n();
  const { can } = useSession();
  const list = useLoad<DisclosureRequest[]>(() => disclosuresApi.list(), []);
  const categories = useLoad<DataCategory[]>(api.listDataCategories, [], can('catalogue.read'));
  const catMap = useMemo(() => new Map(categories.data.map((c) => [c.code, c])), [categories.data]);
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);

  return (
    <>
      <PageHeader
        title={tt('dc.title')}
        subtitle={tt('dc.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void list.reload()} data-testid="disclosures-refresh">
              {t('common.refresh')}
            </Button>
            {can('disclosure.request') ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="disclosure-create">
                {tt('dc.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <RequestsTable data={list.data} loading={list.loading} onOpen={setOpenId} />
      <NewRequestModal
        open={creating}
        catMap={catMap}
        onClose={() => setCreating(false)}
        onCreated={(r) => {
          setCreating(false);
          void list.reload();
          setOpenId(r.id);
        }}
      />
      <RequestDrawer
        key={openId ?? 'none'}
        id={openId}
        catMap={catMap}
        onClose={() => setOpenId(null)}
        onChanged={() => void list.reload()}
      />
    </>
  );
}

function StatusTag({ value }: { value: DisclosureStatus }) {
  const tt = useTT();
  return (
    <Tag color={STATUS_COLOR[value]} data-testid="disclosure-status" data-status={value}>
      {tt(`dc.status.${value}`)}
    </Tag>
  );
}

function RequestsTable({ data, loading, onOpen }: { data: DisclosureRequest[]; loading: boolean; onOpen: (id: string) => void }) {
  const tt = useTT();
  const { t } = useI18n();
  const columns: ColumnsType<DisclosureRequest> = [
    {
      title: tt('dc.name'),
      dataIndex: 'title',
      render: (v: string, r) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{v}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.requesterName} · {formatDateTime(r.createdAt)}
          </Typography.Text>
        </Space>
      ),
    },
    { title: tt('dc.purpose'), dataIndex: 'purposeCode', width: 160 },
    {
      title: tt('dc.basis'),
      key: 'basis',
      width: 160,
      render: (_: unknown, r) => <Tag color={r.basis.kind === 'law' ? 'blue' : 'purple'}>{tt(`dc.basis.${r.basis.kind}`)}</Tag>,
    },
    {
      title: tt('dc.status'),
      key: 'status',
      width: 200,
      render: (_: unknown, r) => (
        <Space size={4}>
          <StatusTag value={r.status} />
          {r.status === 'in_review' ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {tt(`dc.role.${r.chain[r.step] as 'management_approver' | 'compliance_officer'}`)}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    {
      title: tt('dc.count.included'),
      key: 'included',
      width: 120,
      render: (_: unknown, r) => `${(r.report ?? r.preview).included} / ${(r.report ?? r.preview).inScope}`,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 80,
      render: (_: unknown, r) => (
        <Button type="link" size="small" onClick={() => onOpen(r.id)} data-testid={`disclosure-open-${r.id}`}>
          {tt('tr.details')}
        </Button>
      ),
    },
  ];
  return (
    <CardTable<DisclosureRequest>
      emptyText={tt('dc.empty')}
      data-testid="disclosures-table"
      rowKey="id"
      loading={loading}
      columns={columns}
      dataSource={data}
    />
  );
}

// ---------------------------------------------------------------------------------------------
// New request

interface OperatorForm {
  kind: OperatorKind;
  keepFirst?: number;
  keepLast?: number;
  hierarchy?: string;
  level?: number;
}

interface RequestForm {
  title: string;
  purposeCode: string;
  reason: string;
  audience: string;
  basisKind: 'law' | 'consent';
  citation?: string;
  target?: string;
  fields: string[];
  operators: Record<string, OperatorForm>;
  scopeKind: 'all' | 'list';
  scopeIds?: string;
  impactAssessmentId: string;
}

function toOperator(o: OperatorForm | undefined): DisclosureOperator {
  switch (o?.kind) {
    case 'mask':
      return { kind: 'mask', keepFirst: o.keepFirst ?? 0, keepLast: o.keepLast ?? 0 };
    case 'redact':
      return { kind: 'redact' };
    case 'generalise':
      return { kind: 'generalise', hierarchy: o.hierarchy ?? 'date', level: o.level ?? 1 };
    default:
      return { kind: 'display_mask' };
  }
}

function NewRequestModal({
  open,
  catMap,
  onClose,
  onCreated,
}: {
  open: boolean;
  catMap: ReadonlyMap<string, DataCategory>;
  onClose: () => void;
  onCreated: (r: DisclosureRequest) => void;
}) {
  const tt = useTT();
  const { t, lang } = useI18n();
  const { can } = useSession();
  const [form] = Form.useForm<RequestForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const purposes = useLoad<Purpose[]>(() => api.listPurposes({ status: 'active' }), [], open && can('purpose.read'));
  const pias = useLoad<ImpactAssessment[]>(
    () => impactApi.list({ subjectKind: 'disclosure', status: 'completed' }),
    [],
    open && can('impact.read'),
  );
  const purposeCode = Form.useWatch('purposeCode', form);
  const basisKind = Form.useWatch('basisKind', form);
  const scopeKind = Form.useWatch('scopeKind', form);
  const fields = Form.useWatch('fields', form) ?? [];
  const operators = Form.useWatch('operators', form) ?? {};
  const purposeFields = purposes.data.find((p) => p.code === purposeCode)?.fields ?? [];

  const submit = async () => {
    let v: RequestForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const ids = (v.scopeIds ?? '').split(/[\s,;]+/).filter(Boolean);
    const body: NewDisclosureRequest = {
      title: v.title.trim(),
      purposeCode: v.purposeCode,
      reason: v.reason.trim(),
      audience: v.audience.trim(),
      basis:
        v.basisKind === 'law'
          ? { kind: 'law', citation: (v.citation ?? '').trim() }
          : { kind: 'consent', target: v.target?.trim() || 'public' },
      fields: v.fields,
      operators: Object.fromEntries(v.fields.map((f) => [f, toOperator(v.operators?.[f])])),
      customerScope: v.scopeKind === 'all' ? { kind: 'all' } : { kind: 'list', ids },
      impactAssessmentId: v.impactAssessmentId,
    };
    setSaving(true);
    try {
      const r = await disclosuresApi.create(body);
      success(tt('dc.created', { title: r.title }));
      form.resetFields();
      onCreated(r);
    } catch (err) {
      report(err, {
        form,
        mapField: nestedFieldMapper(form, (s) =>
          s[0] === 'basis' ? (s[1] === 'citation' ? ['citation'] : ['basisKind']) : s[0] === 'customerScope' ? ['scopeIds'] : s,
        ),
      });
    } finally {
      setSaving(false);
    }
  };
  const required = (field: string) => ({ required: true, message: t('common.required', { field }) });

  return (
    <Modal
      title={tt('dc.new')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'disclosure-submit' }}
      width={800}
    >
      <Form<RequestForm>
        form={form}
        layout="vertical"
        preserve={false}
        autoComplete="off"
        initialValues={{ basisKind: 'consent', target: 'public', scopeKind: 'all', fields: [], operators: {} }}
        data-testid="disclosure-form"
        style={{ marginTop: 16 }}
      >
        <Row gutter={16}>
          <Col span={14}>
            <Form.Item name="title" label={tt('dc.name')} rules={[required(tt('dc.name'))]}>
              <Input maxLength={200} autoFocus data-testid="disclosure-form-title" />
            </Form.Item>
          </Col>
          <Col span={10}>
            <Form.Item name="purposeCode" label={tt('dc.purpose')} rules={[required(tt('dc.purpose'))]}>
              <Select
                data-testid="disclosure-form-purpose"
                loading={purposes.loading}
                options={purposes.data.map((p) => ({ value: p.code, label: `${localized(p.name, lang)} (${p.code})` }))}
                onChange={() => form.setFieldsValue({ fields: [], operators: {} })}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="reason" label={tt('dc.reason')} rules={[required(tt('dc.reason'))]}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item name="audience" label={tt('dc.audience')} extra={tt('dc.audienceHint')} rules={[required(tt('dc.audience'))]}>
          <Input maxLength={500} />
        </Form.Item>
        <Row gutter={16}>
          <Col span={10}>
            <Form.Item name="basisKind" label={tt('dc.basis')}>
              <Radio.Group
                options={[
                  { value: 'consent', label: tt('dc.basis.consent') },
                  { value: 'law', label: tt('dc.basis.law') },
                ]}
              />
            </Form.Item>
          </Col>
          <Col span={14}>
            {basisKind === 'law' ? (
              <Form.Item name="citation" label={tt('dc.citation')} rules={[required(tt('dc.citation'))]}>
                <Input maxLength={500} data-testid="disclosure-form-citation" />
              </Form.Item>
            ) : (
              <Form.Item name="target" label={tt('dc.consentTarget')} extra={tt('dc.consentHint')}>
                <Input maxLength={100} />
              </Form.Item>
            )}
          </Col>
        </Row>
        <Form.Item
          name="fields"
          label={tt('dc.fields')}
          extra={tt('dc.maskingHint')}
          rules={[{ required: true, type: 'array', min: 1, message: t('common.required', { field: tt('dc.fields') }) }]}
        >
          <Select
            mode="multiple"
            data-testid="disclosure-form-fields"
            options={purposeFields.map((f) => ({ value: f, label: categoryLabel(f, lang, catMap) }))}
          />
        </Form.Item>
        {fields.map((f) => (
          <Row key={f} gutter={8} align="middle">
            <Col span={6}>
              <Typography.Text>{categoryLabel(f, lang, catMap)}</Typography.Text>
            </Col>
            <Col span={6}>
              <Form.Item name={['operators', f, 'kind']} initialValue="display_mask" style={{ marginBottom: 8 }}>
                <Select options={OPERATOR_KINDS.map((k) => ({ value: k, label: tt(`dc.operator.${k}`) }))} />
              </Form.Item>
            </Col>
            {operators[f]?.kind === 'mask' ? (
              <>
                <Col span={6}>
                  <Form.Item name={['operators', f, 'keepFirst']} initialValue={1} style={{ marginBottom: 8 }}>
                    <InputNumber min={0} max={20} addonBefore={tt('dc.keepFirst')} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col span={6}>
                  <Form.Item name={['operators', f, 'keepLast']} initialValue={1} style={{ marginBottom: 8 }}>
                    <InputNumber min={0} max={20} addonBefore={tt('dc.keepLast')} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
              </>
            ) : null}
            {operators[f]?.kind === 'generalise' ? (
              <>
                <Col span={6}>
                  <Form.Item name={['operators', f, 'hierarchy']} initialValue="date" style={{ marginBottom: 8 }}>
                    <Select options={HIERARCHIES.map((h) => ({ value: h, label: h }))} />
                  </Form.Item>
                </Col>
                <Col span={6}>
                  <Form.Item name={['operators', f, 'level']} initialValue={1} style={{ marginBottom: 8 }}>
                    <InputNumber min={0} max={10} addonBefore={tt('dc.level')} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
              </>
            ) : null}
          </Row>
        ))}
        <Row gutter={16}>
          <Col span={10}>
            <Form.Item name="scopeKind" label={tt('dc.scope')}>
              <Radio.Group
                options={[
                  { value: 'all', label: tt('tr.scope.all') },
                  { value: 'list', label: tt('tr.scope.list') },
                ]}
              />
            </Form.Item>
          </Col>
          <Col span={14}>
            <Form.Item name="impactAssessmentId" label={tt('dc.pia')} tooltip={tt('tr.piaHint')} rules={[required(tt('dc.pia'))]}>
              <Select
                data-testid="disclosure-form-pia"
                loading={pias.loading}
                notFoundContent={tt('tr.noPia')}
                options={pias.data.map((a) => ({ value: a.id, label: `${a.title} · ${a.riskLevel} · ${formatDateTime(a.completedAt)}` }))}
              />
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
            <Input.TextArea rows={3} className="custos-mono" />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// One request

function Counts({ title, counts, testId }: { title: string; counts: DisclosureCounts; testId: string }) {
  const tt = useTT();
  return (
    <Card size="small" title={title} data-testid={testId}>
      <Row gutter={16}>
        {COUNT_KEYS.map((k) => (
          <Col key={k} span={6}>
            <Statistic title={tt(`dc.count.${k}`)} value={counts[k]} valueStyle={{ fontSize: 20 }} />
          </Col>
        ))}
      </Row>
    </Card>
  );
}

function RequestDrawer({
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
  const report = useProblemReporter();
  const success = useSuccess();
  const req = useLoad<DisclosureRequest | null>(() => (id ? disclosuresApi.get(id) : Promise.resolve(null)), null, !!id);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const r = req.data;

  const review = async (decision: 'approve' | 'reject') => {
    if (!r) return;
    if (decision === 'reject' && !comment.trim()) {
      report(new Error(tt('dc.rejectNeedsComment')));
      return;
    }
    setBusy(true);
    try {
      await disclosuresApi.review(r.id, { decision, ...(comment.trim() ? { comment: comment.trim() } : {}) });
      success(tt('dc.reviewed'));
      setComment('');
      await req.reload();
      onChanged();
    } catch (err) {
      report(err);
    } finally {
      setBusy(false);
    }
  };

  const stepRole = r?.chain[r.step];
  const mayReviewNow = !!r && r.status === 'in_review' && can('disclosure.review') && !!stepRole && user.roles.includes(stepRole);
  const own = !!r && r.requesterId === user.id;
  const content = r?.content;

  return (
    <Drawer
      open={!!id}
      onClose={onClose}
      size={960}
      title={r ? tt('dc.detailTitle', { title: r.title }) : ''}
      data-testid="disclosure-drawer"
    >
      {r ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Steps
            size="small"
            current={r.status === 'disclosed' ? r.chain.length : r.step}
            status={r.status === 'rejected' ? 'error' : r.status === 'disclosed' ? 'finish' : 'process'}
            items={r.chain.map((role) => ({ title: tt(`dc.role.${role as 'management_approver' | 'compliance_officer'}`) }))}
          />
          <Descriptions size="small" bordered column={2}>
            <Descriptions.Item label={tt('dc.status')}>
              <StatusTag value={r.status} />
            </Descriptions.Item>
            <Descriptions.Item label={tt('dc.requester')}>
              {r.requesterName} · {formatDateTime(r.createdAt)}
            </Descriptions.Item>
            <Descriptions.Item label={tt('dc.purpose')}>{r.purposeCode}</Descriptions.Item>
            <Descriptions.Item label={tt('dc.basis')}>
              {tt(`dc.basis.${r.basis.kind}`)}
              {r.basis.kind === 'law' ? `：${r.basis.citation ?? ''}` : ` (disclosure:${r.basis.target})`}
            </Descriptions.Item>
            <Descriptions.Item label={tt('dc.reason')} span={2}>
              {r.reason}
            </Descriptions.Item>
            <Descriptions.Item label={tt('dc.audience')} span={2}>
              {r.audience}
            </Descriptions.Item>
            <Descriptions.Item label={tt('dc.fields')} span={2}>
              <Space size={[4, 4]} wrap>
                {r.fields.map((f) => (
                  <Tag key={f}>
                    {categoryLabel(f, lang, catMap)} · {tt(`dc.operator.${(r.operators[f]?.kind ?? 'display_mask') as OperatorKind}`)}
                  </Tag>
                ))}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={tt('dc.scope')}>
              {r.customerScope.kind === 'all' ? tt('tr.scope.all') : `${tt('tr.scope.list')} (${r.customerScope.ids.length})`}
            </Descriptions.Item>
            <Descriptions.Item label={tt('dc.pia')}>
              <Typography.Text className="custos-mono">{shortId(r.impactAssessmentId)}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={tt('dc.contentHash')} span={2}>
              <HashText value={r.contentHash} testId="disclosure-content-hash" />
            </Descriptions.Item>
          </Descriptions>
          {r.report ? (
            <Counts title={tt('dc.report')} counts={r.report} testId="disclosure-report" />
          ) : (
            <Counts title={tt('dc.preview')} counts={r.preview} testId="disclosure-preview" />
          )}
          {r.reviews.length ? (
            <Card size="small" title={tt('dc.reviews')}>
              {r.reviews.map((v) => (
                <div key={`${v.step}-${v.decidedAt}`}>
                  <Tag color={v.decision === 'approve' ? 'green' : 'red'}>
                    {v.decision === 'approve' ? tt('dc.approve') : tt('dc.reject')}
                  </Tag>
                  {tt(`dc.role.${v.stepRole as 'management_approver' | 'compliance_officer'}`)} · {v.reviewerName} ·{' '}
                  {formatDateTime(v.decidedAt)}
                  {v.comment ? <Typography.Text type="secondary"> — {v.comment}</Typography.Text> : null}
                </div>
              ))}
            </Card>
          ) : null}
          {r.status === 'in_review' && can('disclosure.review') ? (
            own ? (
              <Alert type="info" showIcon title={tt('dc.ownRequest')} />
            ) : mayReviewNow ? (
              <Card size="small" title={tt(`dc.role.${stepRole as 'management_approver' | 'compliance_officer'}`)}>
                <Space orientation="vertical" style={{ width: '100%' }}>
                  <Input.TextArea
                    rows={2}
                    placeholder={tt('dc.comment')}
                    value={comment}
                    onChange={(e) => setComment(e.target.value)}
                    maxLength={2000}
                  />
                  <Space>
                    <Button
                      type="primary"
                      icon={<CheckOutlined />}
                      loading={busy}
                      onClick={() => void review('approve')}
                      data-testid="disclosure-approve"
                    >
                      {tt('dc.approve')}
                    </Button>
                    <Button
                      danger
                      icon={<CloseOutlined />}
                      loading={busy}
                      onClick={() => void review('reject')}
                      data-testid="disclosure-reject"
                    >
                      {tt('dc.reject')}
                    </Button>
                  </Space>
                </Space>
              </Card>
            ) : null
          ) : null}
          {content ? (
            <Card size="small" title={tt('dc.content')} styles={{ body: { padding: 0 } }}>
              <Table<Record<string, string | null>>
                data-testid="disclosure-content"
                size="small"
                rowKey={(_, i) => String(i)}
                dataSource={content.rows}
                columns={content.fields.map((f) => ({
                  title: categoryLabel(f, lang, catMap),
                  dataIndex: f,
                  render: (v: string | null) => v ?? t('common.none'),
                }))}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
              />
            </Card>
          ) : null}
        </Space>
      ) : null}
    </Drawer>
  );
}
