/**
 * Share requests (P6.1, PIPL Art. 23): providing customer PI to an approved third-party
 * recipient. A request names the recipient, the purpose, each shared field with how it is
 * de-identified, the customers, the method, the legal basis (the customers' separate consent, or
 * another basis cited) and a completed impact assessment. It goes to the department head, a
 * management approver and the compliance officer; the requesting department then executes it:
 * only customers with the separate consent (or the recorded basis) are included, the rest are
 * counted, and the file is downloadable once. Core's refusals (a suspended recipient, an expired
 * commitment, a missing impact assessment …) are shown with their reasons.
 */
import {
  CheckOutlined,
  CloseOutlined,
  DownloadOutlined,
  PlayCircleOutlined,
  PlusOutlined,
  ReloadOutlined,
  RollbackOutlined,
} from '@ant-design/icons';
import {
  Alert,
  App,
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
  Tag,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { api, ApiProblem, type ColumnSpec, type DataCategory, type DeidentifyOperator, type Purpose } from '../api';
import { HashText } from '../components/ConsentParts';
import { PageHeader } from '../components/PageHeader';
import { CardTable } from '../components/CardTable';
import { categoryLabel, formatDateTime, localized, reasonLabel, roleLabel, shortId } from '../format';
import { useI18n } from '../i18n';
import { nestedFieldMapper, useProblemReporter, useSuccess } from '../problems';
import { usePurposeOptions } from '../purposeOptions';
import { impactApi, recipientsApi, type ImpactAssessment, type Recipient } from '../recipientsApi';
import { useSession } from '../session';
import {
  SHARE_LEGAL_BASES,
  SHARE_STATUSES,
  sharesApi,
  type NewShareRequest,
  type ShareDecision,
  type ShareExecution,
  type ShareLegalBasis,
  type ShareRequest,
  type ShareStatus,
} from '../sharesApi';
import { useLoad } from '../useLoad';
import { useST } from './shares-i18n';

const STATUS_COLOR: Record<ShareStatus, string> = {
  in_review: 'gold',
  returned: 'orange',
  approved: 'blue',
  rejected: 'red',
  executed: 'green',
};
/** The operators a requester chooses from (the export pipeline knows more; these are the share's). */
const OPERATOR_KINDS = ['display_mask', 'mask', 'pseudonymise', 'keep', 'redact'] as const;
type OperatorKind = (typeof OPERATOR_KINDS)[number];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A refusal from core (problem+json with `errors[].reason`), kept on screen beside the action that was refused. */
interface Refusal {
  action: 'review' | 'execute';
  title: string;
  reasons: string[];
}

export function SharesPage() {
  const st = useST();
  const { t } = useI18n();
  const { can } = useSession();
  const list = useLoad<ShareRequest[]>(() => sharesApi.list(), []);
  const categories = useLoad<DataCategory[]>(api.listDataCategories, [], can('catalogue.read'));
  const catMap = useMemo(() => new Map(categories.data.map((c) => [c.code, c])), [categories.data]);
  const purposes = usePurposeOptions();
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);

  return (
    <>
      <PageHeader
        title={st('sh.title')}
        subtitle={st('sh.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void list.reload()} data-testid="shares-refresh">
              {t('common.refresh')}
            </Button>
            {can('share.request') ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="share-create">
                {st('sh.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <SharesTable data={list.data} loading={list.loading} catMap={catMap} purposeLabel={purposes.label} onOpen={setOpenId} />
      <NewShareModal
        open={creating}
        catMap={catMap}
        onClose={() => setCreating(false)}
        onCreated={(r) => {
          setCreating(false);
          void list.reload();
          setOpenId(r.id);
        }}
      />
      <ShareDrawer
        key={openId ?? 'none'}
        id={openId}
        catMap={catMap}
        purposeLabel={purposes.label}
        onClose={() => setOpenId(null)}
        onChanged={() => void list.reload()}
      />
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// The list

function StatusTag({ value }: { value: ShareStatus }) {
  const st = useST();
  return (
    <Tag color={STATUS_COLOR[value]} data-testid="share-status" data-status={value}>
      {st(`sh.status.${value}`)}
    </Tag>
  );
}

function operatorOf(r: ShareRequest, field: string): string {
  return r.spec.columns.find((c) => c.field === field)?.operator.kind ?? 'keep';
}

function FieldTags({ r, catMap }: { r: ShareRequest; catMap: ReadonlyMap<string, DataCategory> }) {
  const st = useST();
  const { lang } = useI18n();
  return (
    <Space size={[4, 4]} wrap>
      {r.fields.map((f) => {
        const op = operatorOf(r, f);
        return (
          <Tag key={f} color={op === 'keep' ? 'orange' : undefined} data-testid={`share-field-${f}`} data-operator={op}>
            {categoryLabel(f, lang, catMap)} · {st(`sh.op.${op as OperatorKind}`)}
          </Tag>
        );
      })}
    </Space>
  );
}

function BasisTag({ r }: { r: Pick<ShareRequest, 'legalBasis' | 'legalBasisNote'> }) {
  const st = useST();
  const tag = (
    <Tag color={r.legalBasis === 'separate_consent' ? 'purple' : 'blue'} data-testid="share-basis" data-basis={r.legalBasis}>
      {st(`sh.basis.${r.legalBasis}`)}
    </Tag>
  );
  return tag;
}

function SharesTable({
  data,
  loading,
  catMap,
  purposeLabel,
  onOpen,
}: {
  data: ShareRequest[];
  loading: boolean;
  catMap: ReadonlyMap<string, DataCategory>;
  purposeLabel: (code: string) => string;
  onOpen: (id: string) => void;
}) {
  const st = useST();
  const { t, lang } = useI18n();
  const columns: ColumnsType<ShareRequest> = [
    {
      title: st('sh.recipient'),
      dataIndex: 'recipientName',
      render: (v: string, r) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{v}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.requesterName} · {formatDateTime(r.createdAt)}
          </Typography.Text>
        </Space>
      ),
    },
    { title: st('sh.purpose'), dataIndex: 'purposeCode', width: 150, render: (v: string) => purposeLabel(v) },
    { title: st('sh.fields'), key: 'fields', render: (_: unknown, r) => <FieldTags r={r} catMap={catMap} /> },
    { title: st('sh.legalBasis'), key: 'basis', width: 130, render: (_: unknown, r) => <BasisTag r={r} /> },
    {
      title: st('sh.status'),
      key: 'status',
      width: 190,
      render: (_: unknown, r) => (
        <Space orientation="vertical" size={0}>
          <StatusTag value={r.status} />
          {r.status === 'in_review' && r.chain[r.step] ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {st('sh.awaiting', { role: roleLabel(r.chain[r.step]!, lang, t) })}
            </Typography.Text>
          ) : null}
        </Space>
      ),
      filters: SHARE_STATUSES.map((s) => ({ text: st(`sh.status.${s}`), value: s })),
      onFilter: (value, r) => r.status === value,
    },
    {
      title: st('sh.counts'),
      key: 'counts',
      width: 170,
      render: (_: unknown, r) =>
        r.execution ? (
          <span data-testid="share-counts">
            {st('sh.countsShort', { included: r.execution.includedCount, excluded: r.execution.excludedCount })}
          </span>
        ) : (
          <Typography.Text type="secondary">{st('sh.notExecuted')}</Typography.Text>
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 80,
      render: (_: unknown, r) => (
        <Button type="link" size="small" onClick={() => onOpen(r.id)} data-testid={`share-open-${r.id}`}>
          {st('sh.details')}
        </Button>
      ),
    },
  ];
  return (
    <CardTable<ShareRequest>
      emptyText={st('sh.empty')}
      data-testid="shares-table"
      rowKey="id"
      loading={loading}
      columns={columns}
      dataSource={data}
      onRow={(r) => ({ 'data-testid': `share-row-${r.id}`, 'data-status': r.status }) as object}
    />
  );
}

// ---------------------------------------------------------------------------------------------
// A new request

interface OperatorForm {
  kind: OperatorKind;
  keepFirst?: number;
  keepLast?: number;
}

interface ShareForm {
  recipientId: string;
  purposeCode: string;
  fields: string[];
  operators: Record<string, OperatorForm>;
  scopeKind: 'all' | 'list';
  scopeIds?: string;
  method: 'file' | 'api';
  format: 'csv' | 'xlsx';
  legalBasis: ShareLegalBasis;
  legalBasisNote?: string;
  impactAssessmentId: string;
  justification: string;
}

function toOperator(o: OperatorForm | undefined): DeidentifyOperator {
  switch (o?.kind) {
    case 'mask':
      return { kind: 'mask', keepFirst: o.keepFirst ?? 0, keepLast: o.keepLast ?? 0 };
    case 'pseudonymise':
      return { kind: 'pseudonymise' };
    case 'keep':
      return { kind: 'keep' };
    case 'redact':
      return { kind: 'redact' };
    default:
      return { kind: 'display_mask' };
  }
}

/** A starting operator like the export template's: free text as it is, anything identifying masked. */
function defaultOperator(c: DataCategory | undefined): OperatorKind {
  return c && c.piType === 'text' ? 'keep' : 'display_mask';
}

/**
 * One column of the dataset spec. A field kept as collected is no identifier (core refuses
 * `keep` for an identifier): it is released as a sensitive or ordinary attribute; every other
 * operator removes the identifying value.
 */
function columnFor(field: string, op: DeidentifyOperator, c: DataCategory | undefined): ColumnSpec {
  const role: ColumnSpec['role'] = op.kind === 'keep' ? (c?.sensitivity === 'sensitive' ? 'sensitive' : 'insensitive') : 'identifier';
  return { field, role, ...(c?.piType ? { piType: c.piType } : {}), operator: op };
}

function NewShareModal({
  open,
  catMap,
  onClose,
  onCreated,
}: {
  open: boolean;
  catMap: ReadonlyMap<string, DataCategory>;
  onClose: () => void;
  onCreated: (r: ShareRequest) => void;
}) {
  const st = useST();
  const { t, lang } = useI18n();
  const { can } = useSession();
  const [form] = Form.useForm<ShareForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const mayChoose = can('recipient.read') && can('impact.read');
  const recipients = useLoad<Recipient[]>(() => recipientsApi.list({ status: 'approved' }), [], open && can('recipient.read'));
  const purposes = useLoad<Purpose[]>(() => api.listPurposes({ status: 'active' }), [], open && can('purpose.read'));
  const pias = useLoad<ImpactAssessment[]>(
    () => impactApi.list({ subjectKind: 'share', status: 'completed' }),
    [],
    open && can('impact.read'),
  );
  const purposeCode = Form.useWatch('purposeCode', form);
  const legalBasis = Form.useWatch('legalBasis', form);
  const scopeKind = Form.useWatch('scopeKind', form);
  const fields = Form.useWatch('fields', form) ?? [];
  const operators = Form.useWatch('operators', form) ?? {};
  const purposeFields = purposes.data.find((p) => p.code === purposeCode)?.fields ?? [];
  const anyKept = fields.some((f) => (operators[f]?.kind ?? defaultOperator(catMap.get(f))) === 'keep');

  const submit = async () => {
    let v: ShareForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const ids = (v.scopeIds ?? '').split(/[\s,;]+/).filter(Boolean);
    const body: NewShareRequest = {
      recipientId: v.recipientId,
      purposeCode: v.purposeCode,
      customerScope: v.scopeKind === 'all' ? { kind: 'all' } : { kind: 'list', ids },
      method: v.method,
      spec: {
        columns: v.fields.map((f) => columnFor(f, toOperator(v.operators?.[f] ?? { kind: defaultOperator(catMap.get(f)) }), catMap.get(f))),
        // No quasi-identifiers are chosen here, so k-anonymity is not what protects this release.
        privacyModel: { k: 1, maxSuppression: 0 },
      },
      format: v.format,
      legalBasis: v.legalBasis,
      ...(v.legalBasis !== 'separate_consent' && v.legalBasisNote?.trim() ? { legalBasisNote: v.legalBasisNote.trim() } : {}),
      impactAssessmentId: v.impactAssessmentId,
      justification: v.justification.trim(),
    };
    setSaving(true);
    try {
      const r = await sharesApi.create(body);
      success(st('sh.created'));
      form.resetFields();
      onCreated(r);
    } catch (err) {
      report(err, {
        form,
        mapField: nestedFieldMapper(form, (s) =>
          s[0] === 'customerScope'
            ? ['scopeIds']
            : s[0] === 'spec'
              ? // spec.columns.<i>.operator -> the field's operator
                typeof s[2] === 'number' && v.fields[s[2]]
                ? ['operators', v.fields[s[2]]!, 'kind']
                : ['fields']
              : typeof s[0] === 'string' && purposeFields.includes(s[0])
                ? ['fields'] // not_in_purpose names the field itself
                : s,
        ),
      });
    } finally {
      setSaving(false);
    }
  };
  const required = (field: string) => ({ required: true, message: t('common.required', { field }) });

  return (
    <Modal
      title={st('sh.new')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'share-submit', disabled: !mayChoose }}
      width={860}
    >
      {!mayChoose ? (
        <Alert type="warning" showIcon title={st('sh.noRecipientAccess')} style={{ margin: '12px 0' }} data-testid="share-no-access" />
      ) : null}
      <Form<ShareForm>
        form={form}
        layout="vertical"
        preserve={false}
        autoComplete="off"
        initialValues={{
          scopeKind: 'all',
          method: 'file',
          format: 'csv',
          legalBasis: 'separate_consent',
          fields: [],
          operators: {},
        }}
        data-testid="share-form"
        style={{ marginTop: 16 }}
      >
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="recipientId" label={st('sh.recipient')} extra={st('sh.recipientHint')} rules={[required(st('sh.recipient'))]}>
              <Select<string>
                data-testid="share-form-recipient"
                loading={recipients.loading}
                showSearch={{ optionFilterProp: 'search' }}
                options={recipients.data.map((r) => ({
                  value: r.id,
                  disabled: !r.eligibility.eligible,
                  search: `${r.legalName} ${r.uscc}`,
                  label: r.eligibility.eligible
                    ? `${r.legalName} (${r.uscc})`
                    : `${r.legalName} — ${st('sh.recipientIneligible', { reasons: r.eligibility.reasons.map((x) => reasonLabel(x, t)).join('、') })}`,
                }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="purposeCode" label={st('sh.purpose')} rules={[required(st('sh.purpose'))]}>
              <Select<string>
                data-testid="share-form-purpose"
                loading={purposes.loading}
                options={purposes.data.map((p) => ({ value: p.code, label: `${localized(p.name, lang)} (${p.code})` }))}
                onChange={() => form.setFieldsValue({ fields: [], operators: {} })}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="fields"
          label={st('sh.fields')}
          extra={st('sh.fieldsHint')}
          rules={[{ required: true, type: 'array', min: 1, message: t('common.required', { field: st('sh.fields') }) }]}
        >
          <Select<string[]>
            mode="multiple"
            data-testid="share-form-fields"
            optionFilterProp="label"
            options={purposeFields.map((f) => ({ value: f, label: categoryLabel(f, lang, catMap) }))}
          />
        </Form.Item>
        {fields.map((f) => {
          const kind = operators[f]?.kind ?? defaultOperator(catMap.get(f));
          return (
            <Row key={f} gutter={8} align="middle" data-testid={`share-form-field-${f}`}>
              <Col span={5}>
                <Typography.Text>{categoryLabel(f, lang, catMap)}</Typography.Text>
                {catMap.get(f)?.sensitivity === 'sensitive' ? (
                  <Tag color="red" style={{ marginInlineStart: 6 }}>
                    {st('sh.sensitive')}
                  </Tag>
                ) : null}
              </Col>
              <Col span={kind === 'mask' ? 11 : 19}>
                <Form.Item name={['operators', f, 'kind']} initialValue={defaultOperator(catMap.get(f))} style={{ marginBottom: 8 }}>
                  <Radio.Group size="small" buttonStyle="solid" data-testid={`share-form-op-${f}`}>
                    {OPERATOR_KINDS.map((k) => (
                      <Radio.Button key={k} value={k} data-testid={`share-form-op-${f}-${k}`}>
                        {st(`sh.op.${k}`)}
                      </Radio.Button>
                    ))}
                  </Radio.Group>
                </Form.Item>
              </Col>
              {kind === 'mask' ? (
                <>
                  <Col span={4}>
                    <Form.Item name={['operators', f, 'keepFirst']} initialValue={1} style={{ marginBottom: 8 }}>
                      <InputNumber size="small" min={0} max={20} addonBefore={st('sh.keepFirst')} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col span={4}>
                    <Form.Item name={['operators', f, 'keepLast']} initialValue={1} style={{ marginBottom: 8 }}>
                      <InputNumber size="small" min={0} max={20} addonBefore={st('sh.keepLast')} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                </>
              ) : null}
            </Row>
          );
        })}
        {anyKept ? <Alert type="warning" showIcon title={st('sh.keepWarning')} style={{ marginBottom: 16 }} /> : null}
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="scopeKind" label={st('sh.scope')}>
              <Radio.Group
                data-testid="share-form-scope"
                options={[
                  { value: 'all', label: st('sh.scope.all') },
                  { value: 'list', label: st('sh.scope.list') },
                ]}
              />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="method" label={st('sh.method')}>
              <Radio.Group
                options={[
                  { value: 'file', label: st('sh.method.file') },
                  { value: 'api', label: st('sh.method.api') },
                ]}
              />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="format" label={st('sh.format')}>
              <Radio.Group
                options={[
                  { value: 'csv', label: 'CSV' },
                  { value: 'xlsx', label: 'XLSX' },
                ]}
              />
            </Form.Item>
          </Col>
        </Row>
        {scopeKind === 'list' ? (
          <Form.Item
            name="scopeIds"
            label={st('sh.scopeIds')}
            rules={[
              {
                validator: async (_, v: string | undefined) => {
                  const ids = (v ?? '').split(/[\s,;]+/).filter(Boolean);
                  if (!ids.length || ids.some((id) => !UUID_RE.test(id))) throw new Error(st('sh.scopeIdsInvalid'));
                },
              },
            ]}
          >
            <Input.TextArea rows={3} className="custos-mono" data-testid="share-form-scope-ids" />
          </Form.Item>
        ) : null}
        <Row gutter={16}>
          <Col span={10}>
            <Form.Item
              name="legalBasis"
              label={st('sh.legalBasis')}
              extra={legalBasis === 'separate_consent' ? st('sh.basisHint') : undefined}
            >
              <Select<ShareLegalBasis>
                data-testid="share-form-basis"
                options={SHARE_LEGAL_BASES.map((b) => ({ value: b, label: st(`sh.basis.${b}`) }))}
              />
            </Form.Item>
          </Col>
          <Col span={14}>
            {legalBasis && legalBasis !== 'separate_consent' ? (
              <Form.Item
                name="legalBasisNote"
                label={st('sh.citation')}
                extra={st('sh.citationHint')}
                rules={[{ required: true, whitespace: true, min: 4, message: t('common.required', { field: st('sh.citation') }) }]}
              >
                <Input.TextArea rows={2} maxLength={1000} data-testid="share-form-citation" />
              </Form.Item>
            ) : null}
          </Col>
        </Row>
        <Form.Item name="impactAssessmentId" label={st('sh.pia')} extra={st('sh.piaHint')} rules={[required(st('sh.pia'))]}>
          <Select<string>
            data-testid="share-form-pia"
            loading={pias.loading}
            notFoundContent={st('sh.noPia')}
            options={pias.data.map((a) => ({
              value: a.id,
              label: `${a.title} · ${a.riskLevel} · ${formatDateTime(a.completedAt)}`,
            }))}
          />
        </Form.Item>
        <Form.Item
          name="justification"
          label={st('sh.justification')}
          rules={[{ required: true, whitespace: true, min: 4, message: t('common.required', { field: st('sh.justification') }) }]}
        >
          <Input.TextArea rows={2} maxLength={2000} data-testid="share-form-justification" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// One request

function ExecutionCard({ e, fresh, onDownloaded }: { e: ShareExecution; fresh: ShareExecution | null; onDownloaded: () => void }) {
  const st = useST();
  const [used, setUsed] = useState(false);
  const link = fresh && fresh.id === e.id ? fresh.downloadPath : undefined;
  const stats: Array<[string, number, string]> = [
    [st('sh.count.inScope'), e.inScopeCount, 'in-scope'],
    [st('sh.count.included'), e.includedCount, 'included'],
    [st('sh.count.excluded'), e.excludedCount, 'excluded'],
    [st('sh.count.suppressed'), e.suppressedCount, 'suppressed'],
    [st('sh.count.rows'), e.rowCount, 'rows'],
  ];
  return (
    <Card size="small" title={st('sh.counts')} data-testid="share-execution">
      <Row gutter={16} data-testid="share-execution-counts">
        {stats.map(([title, value, id]) => (
          <Col key={id} flex="1" data-testid={`share-count-${id}`} data-value={value}>
            <Statistic title={title} value={value} styles={{ content: { fontSize: 20 } }} />
          </Col>
        ))}
      </Row>
      <Descriptions
        size="small"
        column={2}
        style={{ marginTop: 12 }}
        items={[
          { key: 'by', label: st('sh.executedBy'), children: `${e.executedBy} · ${formatDateTime(e.createdAt)}` },
          { key: 'exp', label: st('sh.expiresAt'), children: formatDateTime(e.expiresAt) },
          { key: 'hash', label: st('sh.fileHash'), children: <HashText value={e.fileSha256} testId="share-file-hash" /> },
          { key: 'ids', label: st('sh.customerIdsHash'), children: <HashText value={e.customerIdsHash} /> },
          { key: 'dl', label: st('sh.downloadedAt'), children: formatDateTime(e.downloadedAt) },
        ]}
      />
      {link ? (
        <Space orientation="vertical" style={{ width: '100%', marginTop: 12 }}>
          <Alert type="info" showIcon title={st('sh.onceHint', { time: formatDateTime(e.expiresAt) })} />
          <Button
            type="primary"
            icon={<DownloadOutlined />}
            href={link}
            download
            // After the click has started the download: the link works once.
            onClick={() => {
              window.setTimeout(() => setUsed(true), 0);
              // Then show the download time.
              window.setTimeout(onDownloaded, 1500);
            }}
            disabled={used}
            data-testid="share-download"
            data-used={String(used)}
          >
            {used ? st('sh.downloaded') : st('sh.download')}
          </Button>
        </Space>
      ) : !e.downloadedAt ? (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
          {st('sh.linkGone')}
        </Typography.Text>
      ) : null}
    </Card>
  );
}

function ShareDrawer({
  id,
  catMap,
  purposeLabel,
  onClose,
  onChanged,
}: {
  id: string | null;
  catMap: ReadonlyMap<string, DataCategory>;
  purposeLabel: (code: string) => string;
  onClose: () => void;
  onChanged: () => void;
}) {
  const st = useST();
  const { t, lang } = useI18n();
  const { can, user } = useSession();
  const { modal } = App.useApp();
  const report = useProblemReporter();
  const success = useSuccess();
  const req = useLoad<ShareRequest | null>(() => (id ? sharesApi.get(id) : Promise.resolve(null)), null, !!id);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [fresh, setFresh] = useState<ShareExecution | null>(null);
  const r = req.data && req.data.id === id ? req.data : null;

  /** A policy refusal (422 with reasons) stays on screen; anything else is a passing message. */
  const refused = (err: unknown, action: Refusal['action']) => {
    if (err instanceof ApiProblem && err.status === 422 && err.errors.length > 0) {
      setRefusal({
        action,
        title: action === 'execute' ? st('sh.refusedExecute') : st('sh.refusedReview'),
        reasons: [...new Set(err.errors.map((p) => p.reason))],
      });
      return;
    }
    report(err);
  };

  const review = async (decision: ShareDecision) => {
    if (!r) return;
    if (decision !== 'approve' && !comment.trim()) {
      report(new Error(st('sh.commentRequired')));
      return;
    }
    setBusy(true);
    setRefusal(null);
    try {
      const next = await sharesApi.review(r.id, decision, comment.trim() || undefined);
      success(next.status === 'approved' ? st('sh.approvedAll') : st('sh.reviewed'));
      setComment('');
      await req.reload();
      onChanged();
    } catch (err) {
      refused(err, 'review');
    } finally {
      setBusy(false);
    }
  };

  const execute = () => {
    if (!r) return;
    modal.confirm({
      title: st('sh.execute'),
      content: st('sh.executeConfirm'),
      okText: st('sh.execute'),
      cancelText: t('common.cancel'),
      okButtonProps: { 'data-testid': 'share-execute-confirm' } as Record<string, string>,
      onOk: async () => {
        setRefusal(null);
        try {
          const e = await sharesApi.execute(r.id);
          setFresh(e);
          success(st('sh.executed', { included: e.includedCount, excluded: e.excludedCount }));
          await req.reload();
          onChanged();
        } catch (err) {
          refused(err, 'execute');
        }
      },
    });
  };

  const stepRole = r?.status === 'in_review' ? r.chain[r.step] : undefined;
  const own = !!r && r.requesterName === user.username;
  const holdsStep =
    !!stepRole && user.roles.includes(stepRole) && (stepRole !== 'department_head' || user.departmentId === r?.departmentId);
  const mayReviewNow = !!r && can('share.review') && holdsStep && !own;
  const mayExecute = !!r && r.status === 'approved' && can('share.request') && user.departmentId === r.departmentId;
  const stepsCurrent = !r ? 0 : r.status === 'approved' || r.status === 'executed' ? r.chain.length : r.step;

  return (
    <Drawer
      open={!!id}
      onClose={onClose}
      size={980}
      title={r ? st('sh.detailTitle', { recipient: r.recipientName }) : ''}
      data-testid="share-drawer"
      extra={
        mayExecute ? (
          <Button type="primary" icon={<PlayCircleOutlined />} onClick={execute} data-testid="share-execute">
            {st('sh.execute')}
          </Button>
        ) : null
      }
    >
      {r ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="share-detail-body" data-status={r.status}>
          {refusal ? (
            <Alert
              type="error"
              showIcon
              closable={{ onClose: () => setRefusal(null) }}
              data-testid="share-refusal"
              data-action={refusal.action}
              data-reasons={refusal.reasons.join(' ')}
              title={refusal.title}
              description={
                <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                  {refusal.reasons.map((x) => (
                    <li key={x} data-testid="share-refusal-reason" data-reason={x}>
                      {reasonLabel(x, t)}
                    </li>
                  ))}
                </ul>
              }
            />
          ) : null}
          <Steps
            size="small"
            current={stepsCurrent}
            status={r.status === 'rejected' || r.status === 'returned' ? 'error' : r.status === 'in_review' ? 'process' : 'finish'}
            items={r.chain.map((role) => ({ title: roleLabel(role, lang, t) }))}
          />
          {mayExecute && !refusal ? <Alert type="info" showIcon title={st('sh.executeHint')} /> : null}
          <Descriptions
            size="small"
            bordered
            column={2}
            styles={{ label: { width: 130 } }}
            items={[
              { key: 'status', label: st('sh.status'), children: <StatusTag value={r.status} /> },
              { key: 'requester', label: st('sh.requester'), children: `${r.requesterName} · ${formatDateTime(r.createdAt)}` },
              { key: 'recipient', label: st('sh.recipient'), children: r.recipientName },
              { key: 'purpose', label: st('sh.purpose'), children: `${purposeLabel(r.purposeCode)} (${r.purposeCode})` },
              {
                key: 'fields',
                label: st('sh.fields'),
                span: 2,
                children: (
                  <Space size={[4, 4]} wrap>
                    <FieldTags r={r} catMap={catMap} />
                    {r.sensitive ? <Tag color="red">{st('sh.sensitive')}</Tag> : null}
                  </Space>
                ),
              },
              {
                key: 'scope',
                label: st('sh.scope'),
                children: r.customerScope.kind === 'all' ? st('sh.scope.all') : `${st('sh.scope.list')} (${r.customerScope.ids.length})`,
              },
              {
                key: 'method',
                label: st('sh.method'),
                children: `${st(`sh.method.${r.method}`)} · ${r.format.toUpperCase()}`,
              },
              {
                key: 'basis',
                label: st('sh.legalBasis'),
                span: 2,
                children: (
                  <Space size={4} wrap>
                    <BasisTag r={r} />
                    {r.legalBasisNote ? <Typography.Text data-testid="share-citation">{r.legalBasisNote}</Typography.Text> : null}
                  </Space>
                ),
              },
              {
                key: 'pia',
                label: st('sh.pia'),
                children: r.impactAssessmentId ? (
                  <Typography.Text className="custos-mono">{shortId(r.impactAssessmentId)}</Typography.Text>
                ) : (
                  <Typography.Text type="danger">{reasonLabel('impact_assessment_missing', t)}</Typography.Text>
                ),
              },
              { key: 'decided', label: st('sh.decidedAt'), children: formatDateTime(r.decidedAt) },
              { key: 'why', label: st('sh.justification'), span: 2, children: r.justification },
            ]}
          />
          {r.execution ? <ExecutionCard e={r.execution} fresh={fresh} onDownloaded={() => void req.reload()} /> : null}
          <Card size="small" title={st('sh.reviews')} data-testid="share-reviews">
            {r.reviews.length ? (
              r.reviews.map((v) => (
                <div key={`${v.step}-${v.decidedAt}`} data-testid="share-review-row" data-decision={v.decision} style={{ marginBottom: 4 }}>
                  <Tag color={v.decision === 'approve' ? 'green' : v.decision === 'reject' ? 'red' : 'orange'}>
                    {st(`sh.decision.${v.decision}`)}
                  </Tag>
                  {roleLabel(v.stepRole, lang, t)} · {v.reviewerName} · {formatDateTime(v.decidedAt)}
                  {v.comment ? <Typography.Text type="secondary"> — {v.comment}</Typography.Text> : null}
                </div>
              ))
            ) : (
              <Typography.Text type="secondary">{st('sh.noReviews')}</Typography.Text>
            )}
          </Card>
          {r.status === 'in_review' && can('share.review') && own ? <Alert type="info" showIcon title={st('sh.ownRequest')} /> : null}
          {mayReviewNow ? (
            <Card size="small" title={st('sh.reviewTitle', { role: roleLabel(stepRole!, lang, t) })} data-testid="share-review-form">
              <Space orientation="vertical" style={{ width: '100%' }}>
                <Input.TextArea
                  rows={2}
                  placeholder={st('sh.comment')}
                  value={comment}
                  onChange={(e) => setComment(e.target.value)}
                  maxLength={2000}
                  data-testid="share-review-comment"
                />
                <Space>
                  <Button
                    type="primary"
                    icon={<CheckOutlined />}
                    loading={busy}
                    onClick={() => void review('approve')}
                    data-testid="share-approve"
                  >
                    {st('sh.decision.approve')}
                  </Button>
                  <Button icon={<RollbackOutlined />} loading={busy} onClick={() => void review('return')} data-testid="share-return">
                    {st('sh.decision.return')}
                  </Button>
                  <Button danger icon={<CloseOutlined />} loading={busy} onClick={() => void review('reject')} data-testid="share-reject">
                    {st('sh.decision.reject')}
                  </Button>
                </Space>
              </Space>
            </Card>
          ) : null}
        </Space>
      ) : null}
    </Drawer>
  );
}
