/**
 * Third-party recipients (P6.1, P6.3): the register of third parties that may receive customer
 * PI, each one's eligibility, capability assessments with their scores and evidence hashes,
 * commitment records, supervision findings and the status actions (approve, suspend, reinstate,
 * terminate with a deletion or return record).
 */
import {
  AuditOutlined,
  CheckOutlined,
  FileProtectOutlined,
  FileSearchOutlined,
  FlagOutlined,
  PauseCircleOutlined,
  PlayCircleOutlined,
  PlusOutlined,
  ReloadOutlined,
  StopOutlined,
} from '@ant-design/icons';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Progress,
  Radio,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
  Upload,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState, type ReactNode } from 'react';
import { api, type DataCategory, type User } from '../api';
import { HashText } from '../components/ConsentParts';
import { PageHeader } from '../components/PageHeader';
import { CardTable } from '../components/CardTable';
import { categoryLabel, formatDateTime, localized, reasonLabel } from '../format';
import { useI18n } from '../i18n';
import { fieldRoot, nestedFieldMapper, useProblemReporter, useSuccess } from '../problems';
import {
  FINDING_SEVERITIES,
  FINDING_STATUSES,
  RECIPIENT_STATUSES,
  recipientsApi,
  type CapabilityTemplate,
  type DataDisposition,
  type EvidenceInput,
  type Finding,
  type FindingSeverity,
  type FindingStatus,
  type NewRecipient,
  type Recipient,
  type RecipientDetail,
  type RecipientStatus,
} from '../recipientsApi';
import { navigate } from '../router';
import { useSession } from '../session';
import { useLoad } from '../useLoad';
import { useRT } from './recipients-i18n';

const STATUS_COLOR: Record<RecipientStatus, string> = { pending: 'gold', approved: 'green', suspended: 'red', terminated: 'default' };
const STATE_BADGE = { overdue: 'error', due_soon: 'warning', ok: 'success', none: 'default' } as const;
const SEVERITY_COLOR: Record<FindingSeverity, string> = { low: 'default', medium: 'gold', high: 'orange', critical: 'red' };
const FINDING_COLOR: Record<FindingStatus, string> = { open: 'red', remediating: 'gold', closed: 'green' };
const SHA256_RE = /^[0-9a-f]{64}$/;

const hexDigest = async (file: File) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()))].map((b) => b.toString(16).padStart(2, '0')).join('');

export function RecipientsPage() {
  const rt = useRT();
  const { t } = useI18n();
  const { can } = useSession();
  const list = useLoad<Recipient[]>(() => recipientsApi.list(), []);
  const categories = useLoad<DataCategory[]>(api.listDataCategories, [], can('catalogue.read'));
  const users = useLoad<User[]>(api.listUsers, [], can('user.read'));
  const catMap = useMemo(() => new Map(categories.data.map((c) => [c.code, c])), [categories.data]);
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);

  return (
    <>
      <PageHeader
        title={rt('rcp.title')}
        subtitle={rt('rcp.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void list.reload()} data-testid="recipients-refresh">
              {t('common.refresh')}
            </Button>
            {can('recipient.manage') ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="recipient-create">
                {rt('rcp.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <RecipientsTable data={list.data} loading={list.loading} catMap={catMap} onOpen={setOpenId} />
      <NewRecipientModal
        open={creating}
        categories={categories.data}
        onClose={() => setCreating(false)}
        onCreated={(r) => {
          setCreating(false);
          void list.reload();
          setOpenId(r.id);
        }}
      />
      <RecipientDrawer
        key={openId ?? 'none'}
        id={openId}
        users={users.data}
        catMap={catMap}
        onClose={() => setOpenId(null)}
        onChanged={() => void list.reload()}
      />
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Register

function StatusTag({ value }: { value: RecipientStatus }) {
  const rt = useRT();
  return (
    <Tag color={STATUS_COLOR[value]} data-testid="recipient-status" data-status={value}>
      {rt(`rcp.status.${value}`)}
    </Tag>
  );
}

function EligibilityTag({ r }: { r: Recipient }) {
  const rt = useRT();
  const { t } = useI18n();
  if (r.eligibility.eligible)
    return (
      <Tag color="green" data-testid="recipient-eligibility" data-eligible="true">
        {rt('rcp.eligible')}
      </Tag>
    );
  return (
    <Space size={[4, 4]} wrap data-testid="recipient-eligibility" data-eligible="false">
      {r.eligibility.reasons.map((x) => (
        <Tag key={x} color="red" variant="outlined">
          {reasonLabel(x, t)}
        </Tag>
      ))}
    </Space>
  );
}

function DueText({ r }: { r: Recipient }) {
  const rt = useRT();
  const { t } = useI18n();
  if (!r.reassessmentDueAt || r.status === 'terminated') return <Typography.Text type="secondary">{t('common.none')}</Typography.Text>;
  return (
    <Badge
      status={STATE_BADGE[r.reassessmentState]}
      text={`${formatDateTime(r.reassessmentDueAt)} · ${rt(`rcp.state.${r.reassessmentState}`)}`}
    />
  );
}

function RegionText({ r }: { r: Recipient }) {
  const rt = useRT();
  return (
    <Space size={4}>
      <span>
        {r.region} ({r.country})
      </span>
      {r.crossBorder ? <Tag color="purple">{rt('rcp.crossBorder')}</Tag> : <Tag>{rt('rcp.domestic')}</Tag>}
    </Space>
  );
}

function RecipientsTable({
  data,
  loading,
  catMap,
  onOpen,
}: {
  data: Recipient[];
  loading: boolean;
  catMap: ReadonlyMap<string, DataCategory>;
  onOpen: (id: string) => void;
}) {
  const rt = useRT();
  const { t, lang } = useI18n();
  const columns: ColumnsType<Recipient> = [
    {
      title: rt('rcp.legalName'),
      dataIndex: 'legalName',
      render: (v: string, r) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{v}</Typography.Text>
          <Typography.Text type="secondary" className="custos-mono" style={{ fontSize: 12 }}>
            {r.uscc}
          </Typography.Text>
        </Space>
      ),
      sorter: (a, b) => a.legalName.localeCompare(b.legalName),
    },
    { title: rt('rcp.region'), key: 'region', render: (_: unknown, r) => <RegionText r={r} /> },
    {
      title: rt('rcp.dataCategories'),
      dataIndex: 'dataCategories',
      render: (v: string[]) => (
        <Space size={[4, 4]} wrap>
          {v.map((c) => (
            <Tag key={c} variant="outlined">
              {categoryLabel(c, lang, catMap)}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: rt('rcp.status'),
      dataIndex: 'status',
      width: 100,
      render: (v: RecipientStatus) => <StatusTag value={v} />,
      filters: RECIPIENT_STATUSES.map((s) => ({ text: rt(`rcp.status.${s}`), value: s })),
      onFilter: (value, r) => r.status === value,
    },
    {
      title: rt('rcp.score'),
      key: 'score',
      width: 120,
      render: (_: unknown, r) =>
        r.latestAssessment ? (
          <Tag color={r.latestAssessment.passed ? 'green' : 'red'}>
            {r.latestAssessment.score} · {r.latestAssessment.passed ? rt('asmt.passed') : rt('asmt.failed')}
          </Tag>
        ) : (
          <Typography.Text type="secondary">{rt('rcp.notAssessed')}</Typography.Text>
        ),
    },
    {
      title: rt('rcp.commitmentExpires'),
      dataIndex: 'commitmentExpiresAt',
      width: 170,
      render: (v: string | null) => (v ? formatDateTime(v) : <Typography.Text type="secondary">{rt('rcp.noCommitment')}</Typography.Text>),
    },
    { title: rt('rcp.reassessmentDue'), key: 'due', width: 220, render: (_: unknown, r) => <DueText r={r} /> },
    { title: rt('rcp.eligibility'), key: 'eligibility', width: 200, render: (_: unknown, r) => <EligibilityTag r={r} /> },
    {
      title: rt('rcp.openFindings'),
      dataIndex: 'openFindings',
      width: 90,
      render: (v: number) => (v ? <Badge count={v} /> : <Typography.Text type="secondary">0</Typography.Text>),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 80,
      render: (_: unknown, r) => (
        <Button type="link" size="small" onClick={() => onOpen(r.id)} data-testid={`recipient-open-${r.uscc}`}>
          {rt('rcp.details')}
        </Button>
      ),
    },
  ];
  return (
    <CardTable<Recipient>
      emptyText={rt('rcp.empty')}
      data-testid="recipients-table"
      rowKey="id"
      loading={loading}
      columns={columns}
      dataSource={data}
      onRow={(r) => ({ 'data-testid': `recipient-row-${r.uscc}`, 'data-status': r.status }) as object}
    />
  );
}

// ---------------------------------------------------------------------------------------------
// Register a recipient

interface NewRecipientForm {
  legalName: string;
  uscc: string;
  contact: { name: string; email?: string; phone?: string };
  country: string;
  region: string;
  crossBorder: boolean;
  dataCategories: string[];
  purpose: string;
  reassessmentIntervalDays: number;
}

function NewRecipientModal({
  open,
  categories,
  onClose,
  onCreated,
}: {
  open: boolean;
  categories: DataCategory[];
  onClose: () => void;
  onCreated: (r: Recipient) => void;
}) {
  const rt = useRT();
  const { t, lang } = useI18n();
  const [form] = Form.useForm<NewRecipientForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const country = Form.useWatch('country', form);
  const abroad = (country ?? 'CN').trim().toUpperCase() !== 'CN';

  const submit = async () => {
    let v: NewRecipientForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const body: NewRecipient = {
      legalName: v.legalName.trim(),
      uscc: v.uscc.trim(),
      contact: {
        name: v.contact.name.trim(),
        ...(v.contact.email?.trim() ? { email: v.contact.email.trim() } : {}),
        ...(v.contact.phone?.trim() ? { phone: v.contact.phone.trim() } : {}),
      },
      country: v.country.trim().toUpperCase(),
      region: v.region.trim(),
      crossBorder: abroad || v.crossBorder,
      dataCategories: v.dataCategories,
      purpose: v.purpose.trim(),
      reassessmentIntervalDays: v.reassessmentIntervalDays,
    };
    setSaving(true);
    try {
      const d = await recipientsApi.create(body);
      success(rt('rcp.created', { name: d.recipient.legalName }));
      form.resetFields();
      onCreated(d.recipient);
    } catch (err) {
      report(err, { form, mapField: nestedFieldMapper(form) });
    } finally {
      setSaving(false);
    }
  };
  const required = (field: string) => ({ required: true, whitespace: true, message: t('common.required', { field }) });

  return (
    <Modal
      title={rt('rcp.new')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'recipient-submit' }}
      width={720}
    >
      <Form<NewRecipientForm>
        form={form}
        layout="vertical"
        preserve={false}
        autoComplete="off"
        initialValues={{ country: 'CN', crossBorder: false, reassessmentIntervalDays: 365, dataCategories: [] }}
        data-testid="recipient-form"
        style={{ marginTop: 16 }}
      >
        <Row gutter={16}>
          <Col span={14}>
            <Form.Item name="legalName" label={rt('rcp.legalName')} rules={[required(rt('rcp.legalName'))]}>
              <Input maxLength={300} data-testid="recipient-form-name" autoFocus />
            </Form.Item>
          </Col>
          <Col span={10}>
            <Form.Item name="uscc" label={rt('rcp.uscc')} rules={[required(rt('rcp.uscc'))]}>
              <Input className="custos-mono" maxLength={40} data-testid="recipient-form-uscc" />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8 }}>
          {rt('rcp.contactHint')}
        </Typography.Text>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name={['contact', 'name']} label={rt('rcp.contactName')} rules={[required(rt('rcp.contactName'))]}>
              <Input maxLength={100} data-testid="recipient-form-contact-name" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name={['contact', 'email']} label={rt('rcp.contactEmail')}>
              <Input maxLength={254} data-testid="recipient-form-contact-email" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item
              name={['contact', 'phone']}
              label={rt('rcp.contactPhone')}
              dependencies={[['contact', 'email']]}
              rules={[
                {
                  validator: async (_, v: string | undefined) => {
                    if (!v?.trim() && !form.getFieldValue(['contact', 'email'])?.trim())
                      throw new Error(t('common.required', { field: `${rt('rcp.contactEmail')} / ${rt('rcp.contactPhone')}` }));
                  },
                },
              ]}
            >
              <Input maxLength={40} data-testid="recipient-form-contact-phone" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item
              name="country"
              label={rt('rcp.country')}
              extra={rt('rcp.countryHint')}
              rules={[required(rt('rcp.country')), { pattern: /^[A-Za-z]{2}$/, message: rt('rcp.countryHint') }]}
            >
              <Input maxLength={2} className="custos-mono" data-testid="recipient-form-country" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="region" label={rt('rcp.region')} rules={[required(rt('rcp.region'))]}>
              <Input maxLength={200} data-testid="recipient-form-region" />
            </Form.Item>
          </Col>
          <Col span={8}>
            {abroad ? (
              <Form.Item label={rt('rcp.crossBorder')} extra={rt('rcp.crossBorderHint')}>
                <Switch checked disabled data-testid="recipient-form-cross-border" />
              </Form.Item>
            ) : (
              <Form.Item name="crossBorder" label={rt('rcp.crossBorder')} valuePropName="checked" extra={rt('rcp.crossBorderHint')}>
                <Switch data-testid="recipient-form-cross-border" />
              </Form.Item>
            )}
          </Col>
        </Row>
        <Form.Item
          name="dataCategories"
          label={rt('rcp.dataCategories')}
          rules={[{ required: true, type: 'array', min: 1, message: t('common.required', { field: rt('rcp.dataCategories') }) }]}
        >
          <Select<string[]>
            mode="multiple"
            data-testid="recipient-form-categories"
            optionFilterProp="label"
            options={categories.map((c) => ({ value: c.code, label: categoryLabel(c.code, lang, new Map([[c.code, c]])) }))}
          />
        </Form.Item>
        <Form.Item name="purpose" label={rt('rcp.purpose')} rules={[required(rt('rcp.purpose'))]}>
          <Input.TextArea rows={2} maxLength={2000} data-testid="recipient-form-purpose" />
        </Form.Item>
        <Form.Item name="reassessmentIntervalDays" label={rt('rcp.interval')} rules={[{ required: true }]}>
          <InputNumber min={30} max={1095} style={{ width: 200 }} data-testid="recipient-form-interval" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// A recipient

type Dialog = 'assess' | 'commit' | 'approve' | 'suspend' | 'reinstate' | 'terminate' | 'finding' | null;

function RecipientDrawer({
  id,
  users,
  catMap,
  onClose,
  onChanged,
}: {
  id: string | null;
  users: User[];
  catMap: ReadonlyMap<string, DataCategory>;
  onClose: () => void;
  onChanged: () => void;
}) {
  const rt = useRT();
  const { t, lang } = useI18n();
  const { can, user } = useSession();
  const detail = useLoad<RecipientDetail | null>(() => (id ? recipientsApi.get(id) : Promise.resolve(null)), null, id !== null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [findingToUpdate, setFindingToUpdate] = useState<Finding | null>(null);
  const d = detail.data && detail.data.recipient.id === id ? detail.data : null;
  const r = d?.recipient ?? null;
  const own = r?.createdBy === user.username;
  const refresh = () => {
    void detail.reload();
    onChanged();
  };

  const actions: ReactNode[] = [];
  if (r && r.status !== 'terminated') {
    if (can('recipient.assess'))
      actions.push(
        <Button
          key="assess"
          icon={<FileSearchOutlined />}
          disabled={own}
          title={own ? rt('rcp.fourEyes') : undefined}
          onClick={() => setDialog('assess')}
          data-testid="recipient-assess"
        >
          {rt('rcp.action.assess')}
        </Button>,
      );
    if (can('recipient.manage'))
      actions.push(
        <Button key="commit" icon={<FileProtectOutlined />} onClick={() => setDialog('commit')} data-testid="recipient-commit">
          {rt('rcp.action.commit')}
        </Button>,
      );
    if (can('recipient.manage') || can('recipient.assess'))
      actions.push(
        <Button key="finding" icon={<FlagOutlined />} onClick={() => setDialog('finding')} data-testid="recipient-finding">
          {rt('rcp.action.finding')}
        </Button>,
      );
    if (r.status === 'pending' && can('recipient.approve'))
      actions.push(
        <Button
          key="approve"
          type="primary"
          icon={<CheckOutlined />}
          disabled={own}
          title={own ? rt('rcp.fourEyes') : undefined}
          onClick={() => setDialog('approve')}
          data-testid="recipient-approve"
        >
          {rt('rcp.action.approve')}
        </Button>,
      );
    if (r.status === 'approved' && (can('recipient.manage') || can('recipient.assess')))
      actions.push(
        <Button key="suspend" danger icon={<PauseCircleOutlined />} onClick={() => setDialog('suspend')} data-testid="recipient-suspend">
          {rt('rcp.action.suspend')}
        </Button>,
      );
    if (r.status === 'suspended' && can('recipient.approve'))
      actions.push(
        <Button
          key="reinstate"
          type="primary"
          icon={<PlayCircleOutlined />}
          disabled={own}
          title={own ? rt('rcp.fourEyes') : undefined}
          onClick={() => setDialog('reinstate')}
          data-testid="recipient-reinstate"
        >
          {rt('rcp.action.reinstate')}
        </Button>,
      );
    if (can('recipient.manage'))
      actions.push(
        <Button key="terminate" danger icon={<StopOutlined />} onClick={() => setDialog('terminate')} data-testid="recipient-terminate">
          {rt('rcp.action.terminate')}
        </Button>,
      );
  }

  return (
    <Drawer
      title={r ? rt('rcp.detailTitle', { name: r.legalName }) : null}
      open={id !== null}
      onClose={onClose}
      size={920}
      data-testid="recipient-detail"
      extra={
        r ? (
          <Space wrap style={{ justifyContent: 'flex-end' }}>
            {actions}
          </Space>
        ) : null
      }
    >
      {r && d ? (
        <div data-testid="recipient-detail-body" data-status={r.status}>
          <Alert
            type={r.eligibility.eligible ? 'success' : 'warning'}
            showIcon
            data-testid="recipient-eligibility-alert"
            data-eligible={String(r.eligibility.eligible)}
            title={r.eligibility.eligible ? rt('rcp.eligibleTitle') : rt('rcp.ineligibleTitle')}
            description={r.eligibility.eligible ? undefined : r.eligibility.reasons.map((x) => reasonLabel(x, t)).join('；')}
            style={{ marginBottom: 16 }}
          />
          <Descriptions
            bordered
            size="small"
            column={2}
            styles={{ label: { width: 140 } }}
            items={[
              { key: 'name', label: rt('rcp.legalName'), children: r.legalName },
              { key: 'uscc', label: rt('rcp.uscc'), children: <span className="custos-mono">{r.uscc}</span> },
              { key: 'status', label: rt('rcp.status'), children: <StatusTag value={r.status} /> },
              { key: 'region', label: rt('rcp.region'), children: <RegionText r={r} /> },
              {
                key: 'contact',
                label: rt('rcp.contact'),
                span: 2,
                children: [r.contact.name, r.contact.email, r.contact.phone].filter(Boolean).join(' · '),
              },
              {
                key: 'cats',
                label: rt('rcp.dataCategories'),
                span: 2,
                children: r.dataCategories.map((c) => categoryLabel(c, lang, catMap)).join('、'),
              },
              { key: 'purpose', label: rt('rcp.purpose'), span: 2, children: r.purpose },
              { key: 'interval', label: rt('rcp.interval'), children: r.reassessmentIntervalDays },
              { key: 'due', label: rt('rcp.reassessmentDue'), children: <DueText r={r} /> },
              { key: 'createdBy', label: rt('rcp.createdBy'), children: `${r.createdBy} · ${formatDateTime(r.createdAt)}` },
              {
                key: 'approvedBy',
                label: rt('rcp.approvedBy'),
                children: r.approvedBy ? `${r.approvedBy} · ${formatDateTime(r.approvedAt)}` : t('common.none'),
              },
              ...(r.suspensionReason && r.status === 'suspended'
                ? [
                    {
                      key: 'suspension',
                      label: rt('rcp.suspension'),
                      span: 2,
                      children: `${r.suspensionReason === 'assessment_failed' ? reasonLabel('assessment_failed', t) : r.suspensionReason} · ${formatDateTime(r.suspendedAt)}`,
                    },
                  ]
                : []),
            ]}
          />
          <Tabs
            style={{ marginTop: 16 }}
            data-testid="recipient-tabs"
            items={[
              {
                key: 'assessments',
                label: <span data-testid="recipient-tab-assessments">{`${rt('rcp.tab.assessments')} (${d.assessments.length})`}</span>,
                children: <AssessmentsTable d={d} />,
              },
              {
                key: 'commitments',
                label: <span data-testid="recipient-tab-commitments">{`${rt('rcp.tab.commitments')} (${d.commitments.length})`}</span>,
                children: <CommitmentsTable d={d} />,
              },
              {
                key: 'findings',
                label: (
                  <span data-testid="recipient-tab-findings">{`${rt('rcp.tab.findings')} (${r.openFindings}/${d.findings.length})`}</span>
                ),
                children: (
                  <FindingsTable
                    d={d}
                    canUpdate={r.status !== 'terminated' && (can('recipient.manage') || can('recipient.assess'))}
                    onUpdate={setFindingToUpdate}
                  />
                ),
              },
              {
                key: 'impact',
                label: <span data-testid="recipient-tab-impact">{`${rt('rcp.tab.impact')} (${d.impactAssessments.length})`}</span>,
                children: <ImpactList d={d} />,
              },
              ...(d.termination
                ? [
                    {
                      key: 'termination',
                      label: <span data-testid="recipient-tab-termination">{rt('rcp.tab.termination')}</span>,
                      children: (
                        <Descriptions
                          bordered
                          size="small"
                          column={1}
                          data-testid="recipient-termination"
                          items={[
                            { key: 'reason', label: rt('term.reason'), children: d.termination.reason },
                            {
                              key: 'disp',
                              label: rt('term.disposition'),
                              children: rt(`term.disposition.${d.termination.dataDisposition}`),
                            },
                            { key: 'ev', label: rt('term.evidence'), children: <HashText value={d.termination.evidenceSha256} /> },
                            { key: 'at', label: rt('term.confirmedAt'), children: formatDateTime(d.termination.confirmedAt) },
                            {
                              key: 'by',
                              label: rt('cmt.recordedBy'),
                              children: `${d.termination.recordedBy} · ${formatDateTime(d.termination.recordedAt)}`,
                            },
                          ]}
                        />
                      ),
                    },
                  ]
                : []),
            ]}
          />
          <AssessmentModal open={dialog === 'assess'} recipient={r} onClose={() => setDialog(null)} onDone={refresh} />
          <CommitmentModal open={dialog === 'commit'} recipient={r} onClose={() => setDialog(null)} onDone={refresh} />
          <DecisionModal
            kind={dialog === 'approve' || dialog === 'suspend' || dialog === 'reinstate' ? dialog : null}
            recipient={r}
            onClose={() => setDialog(null)}
            onDone={refresh}
          />
          <TerminateModal open={dialog === 'terminate'} recipient={r} onClose={() => setDialog(null)} onDone={refresh} />
          <FindingModal open={dialog === 'finding'} detail={d} users={users} onClose={() => setDialog(null)} onDone={refresh} />
          <FindingUpdateModal finding={findingToUpdate} recipient={r} onClose={() => setFindingToUpdate(null)} onDone={refresh} />
        </div>
      ) : null}
    </Drawer>
  );
}

function AssessmentsTable({ d }: { d: RecipientDetail }) {
  const rt = useRT();
  const { t } = useI18n();
  return (
    <Table
      data-testid="assessment-table"
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={d.assessments}
      locale={{ emptyText: rt('asmt.none') }}
      onRow={(a) => ({ 'data-testid': 'assessment-row', 'data-passed': String(a.passed) }) as object}
      columns={[
        { title: rt('asmt.assessedAt'), dataIndex: 'assessedAt', width: 160, render: (v: string) => formatDateTime(v) },
        {
          title: rt('asmt.kind'),
          dataIndex: 'kind',
          width: 110,
          render: (v: 'initial' | 'periodic' | 'reinstatement') => rt(`asmt.kind.${v}`),
        },
        {
          title: rt('asmt.score'),
          key: 'score',
          width: 190,
          render: (_: unknown, a: RecipientDetail['assessments'][number]) => (
            <Space orientation="vertical" size={0} style={{ width: '100%' }}>
              <Progress percent={a.score} size="small" status={a.passed ? 'success' : 'exception'} format={(p) => `${p}`} />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {a.passed ? rt('asmt.passed') : rt('asmt.failed')} · {rt('asmt.threshold', { n: a.passThreshold })}
              </Typography.Text>
            </Space>
          ),
        },
        {
          title: rt('asmt.knockouts'),
          dataIndex: 'knockouts',
          render: (v: string[]) =>
            v.length
              ? v.map((x) => (
                  <Tag key={x} color="red">
                    {x}
                  </Tag>
                ))
              : t('common.none'),
        },
        { title: rt('asmt.reviewer'), dataIndex: 'reviewedBy', width: 110 },
        {
          title: rt('asmt.evidence'),
          dataIndex: 'evidence',
          render: (v: RecipientDetail['assessments'][number]['evidence']) =>
            v.length ? (
              <Space orientation="vertical" size={0}>
                {v.map((e) => (
                  <Space key={e.sha256} size={4}>
                    <Typography.Text style={{ fontSize: 12 }}>{e.filename}</Typography.Text>
                    <HashText value={e.sha256} />
                  </Space>
                ))}
              </Space>
            ) : (
              t('common.none')
            ),
        },
        { title: rt('asmt.nextDue'), dataIndex: 'nextDueAt', width: 160, render: (v: string) => formatDateTime(v) },
      ]}
    />
  );
}

function CommitmentsTable({ d }: { d: RecipientDetail }) {
  const rt = useRT();
  const { t } = useI18n();
  return (
    <Table
      data-testid="commitment-table"
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={d.commitments}
      locale={{ emptyText: rt('cmt.none') }}
      onRow={(c) => ({ 'data-testid': 'commitment-row', 'data-state': c.state }) as object}
      columns={[
        {
          title: rt('cmt.agreement'),
          key: 'agreement',
          render: (_: unknown, c: RecipientDetail['commitments'][number]) => (
            <Space orientation="vertical" size={0}>
              <HashText value={c.agreementSha256} />
              {c.agreementFilename ? (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {c.agreementFilename}
                </Typography.Text>
              ) : null}
            </Space>
          ),
        },
        {
          title: rt('cmt.committed'),
          dataIndex: 'committedToPolicy',
          width: 140,
          render: (v: boolean, c: RecipientDetail['commitments'][number]) =>
            v ? <Tag color="green">{`${t('common.yes')} · ${c.policyVersion}`}</Tag> : <Tag color="red">{t('common.no')}</Tag>,
        },
        {
          title: rt('cmt.period'),
          key: 'period',
          width: 300,
          render: (_: unknown, c: RecipientDetail['commitments'][number]) =>
            `${formatDateTime(c.effectiveFrom)} ~ ${formatDateTime(c.expiresAt)}`,
        },
        {
          title: rt('cmt.state'),
          dataIndex: 'state',
          width: 100,
          render: (v: 'in_force' | 'expired' | 'future') => (
            <Tag color={v === 'in_force' ? 'green' : v === 'expired' ? 'red' : 'default'}>{rt(`cmt.state.${v}`)}</Tag>
          ),
        },
        { title: rt('cmt.recordedBy'), dataIndex: 'recordedBy', width: 110 },
      ]}
    />
  );
}

function FindingsTable({ d, canUpdate, onUpdate }: { d: RecipientDetail; canUpdate: boolean; onUpdate: (f: Finding) => void }) {
  const rt = useRT();
  const { t } = useI18n();
  return (
    <Table<Finding>
      data-testid="finding-table"
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={d.findings}
      locale={{ emptyText: rt('fnd.none') }}
      onRow={(f) => ({ 'data-testid': 'finding-row', 'data-status': f.status }) as object}
      expandable={{
        expandedRowRender: (f) => (
          <Space orientation="vertical" size={2}>
            <Typography.Text strong>{rt('fnd.history')}</Typography.Text>
            {f.updates.map((u, i) => (
              <Typography.Text key={i} style={{ fontSize: 12 }}>
                {formatDateTime(u.updatedAt)} · {u.updatedBy} · <Tag color={FINDING_COLOR[u.status]}>{rt(`fnd.status.${u.status}`)}</Tag>
                {u.note}
              </Typography.Text>
            ))}
          </Space>
        ),
      }}
      columns={[
        {
          title: rt('fnd.title'),
          dataIndex: 'title',
          render: (v: string, f) => (
            <Space orientation="vertical" size={0}>
              <Typography.Text>{v}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {f.description}
              </Typography.Text>
            </Space>
          ),
        },
        {
          title: rt('fnd.severity'),
          dataIndex: 'severity',
          width: 90,
          render: (v: FindingSeverity) => <Tag color={SEVERITY_COLOR[v]}>{rt(`fnd.severity.${v}`)}</Tag>,
        },
        { title: rt('fnd.owner'), key: 'owner', width: 120, render: (_: unknown, f) => f.owner.displayName },
        {
          title: rt('fnd.due'),
          dataIndex: 'dueAt',
          width: 170,
          render: (v: string, f) => (
            <Space size={4}>
              <span>{formatDateTime(v)}</span>
              {f.overdue ? <Tag color="red">{rt('fnd.overdue')}</Tag> : null}
            </Space>
          ),
        },
        {
          title: rt('fnd.status'),
          dataIndex: 'status',
          width: 100,
          render: (v: FindingStatus) => <Tag color={FINDING_COLOR[v]}>{rt(`fnd.status.${v}`)}</Tag>,
        },
        {
          title: t('common.actions'),
          key: 'actions',
          width: 80,
          render: (_: unknown, f) =>
            canUpdate ? (
              <Button type="link" size="small" onClick={() => onUpdate(f)} data-testid={`finding-update-${f.id}`}>
                {rt('fnd.update')}
              </Button>
            ) : null,
        },
      ]}
    />
  );
}

function ImpactList({ d }: { d: RecipientDetail }) {
  const rt = useRT();
  const { can } = useSession();
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {can('impact.manage') && d.recipient.status !== 'terminated' ? (
        <Button
          icon={<AuditOutlined />}
          onClick={() => navigate(`/impact-assessments/new/recipient/${encodeURIComponent(d.recipient.id)}`)}
          data-testid="recipient-new-impact"
        >
          {rt('rcp.action.newImpact')}
        </Button>
      ) : null}
      <Table
        data-testid="recipient-impact-table"
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={d.impactAssessments}
        locale={{ emptyText: rt('pia.empty') }}
        columns={[
          {
            title: rt('pia.titleField'),
            dataIndex: 'title',
            render: (v: string, i: RecipientDetail['impactAssessments'][number]) =>
              can('impact.read') ? (
                <Button
                  type="link"
                  size="small"
                  style={{ padding: 0 }}
                  onClick={() => navigate(`/impact-assessments/${encodeURIComponent(i.id)}`)}
                >
                  {v}
                </Button>
              ) : (
                v
              ),
          },
          { title: rt('pia.risk'), dataIndex: 'riskLevel', width: 90, render: (v: 'low' | 'medium' | 'high') => rt(`pia.risk.${v}`) },
          {
            title: rt('pia.status'),
            dataIndex: 'status',
            width: 100,
            render: (v: 'draft' | 'completed') => <Tag color={v === 'completed' ? 'green' : 'default'}>{rt(`pia.status.${v}`)}</Tag>,
          },
          { title: rt('pia.completedAt'), dataIndex: 'completedAt', width: 170, render: (v: string | null) => formatDateTime(v) },
        ]}
      />
    </Space>
  );
}

// ---------------------------------------------------------------------------------------------
// Dialogs

/** A SHA-256 input with a button that hashes a chosen file in the browser (the file is never sent). */
function HashInput({
  value,
  onChange,
  testId,
  onFile,
}: {
  value?: string;
  onChange?: (v: string) => void;
  testId: string;
  onFile?: (f: File) => void;
}) {
  const rt = useRT();
  const [hashing, setHashing] = useState(false);
  return (
    <Input
      className="custos-mono"
      maxLength={64}
      value={value}
      onChange={(e) => onChange?.(e.target.value.trim().toLowerCase())}
      data-testid={testId}
      addonAfter={
        <Upload
          showUploadList={false}
          beforeUpload={async (file) => {
            setHashing(true);
            try {
              onChange?.(await hexDigest(file));
              onFile?.(file);
            } finally {
              setHashing(false);
            }
            return Upload.LIST_IGNORE;
          }}
        >
          <Button type="text" size="small" icon={<FileSearchOutlined />} loading={hashing} data-testid={`${testId}-file`}>
            {rt('hash.file')}
          </Button>
        </Upload>
      }
    />
  );
}

function AssessmentModal({
  open,
  recipient,
  onClose,
  onDone,
}: {
  open: boolean;
  recipient: Recipient;
  onClose: () => void;
  onDone: () => void;
}) {
  const rt = useRT();
  const { t, lang } = useI18n();
  const report = useProblemReporter();
  const success = useSuccess();
  const templates = useLoad<CapabilityTemplate[]>(recipientsApi.templates, [], open);
  const template = templates.data[0];
  const [form] = Form.useForm<{ answers: Record<string, string>; comment?: string }>();
  const [evidence, setEvidence] = useState<EvidenceInput[]>([]);
  const [saving, setSaving] = useState(false);
  const answers = Form.useWatch('answers', form) as Record<string, string> | undefined;

  const preview = useMemo(() => {
    if (!template) return null;
    let earned = 0;
    let total = 0;
    let knockout = false;
    for (const q of template.questions) {
      total += q.weight;
      const o = q.options.find((x) => x.value === answers?.[q.id]);
      if (o) earned += q.weight * o.score;
      if (o?.fails) knockout = true;
    }
    const score = total ? Math.floor((100 * earned) / total + 1e-9) : 0;
    return { score, passed: score >= template.passThreshold && !knockout };
  }, [template, answers]);

  const submit = async () => {
    if (!template) return;
    let v: { answers: Record<string, string>; comment?: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      const d = await recipientsApi.assess(recipient.id, {
        answers: template.questions.map((q) => ({ questionId: q.id, value: v.answers[q.id]! })),
        evidence,
        ...(v.comment?.trim() ? { comment: v.comment.trim() } : {}),
      });
      const a = d.assessments[0]!;
      success(rt('asmt.recorded', { score: a.score, result: a.passed ? rt('asmt.passed') : rt('asmt.failed') }));
      setEvidence([]);
      onClose();
      onDone();
    } catch (err) {
      report(err, { form, mapField: (p) => (p.field.startsWith('answers.') ? ['answers', p.field.split('.')[1]!] : [fieldRoot(p.field)]) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={`${rt('asmt.title')} · ${recipient.legalName}`}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={rt('rcp.action.assess')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'assessment-submit', disabled: !template }}
      width={760}
    >
      {template ? (
        <Form form={form} layout="vertical" preserve={false} data-testid="assessment-form" style={{ marginTop: 12 }}>
          <Typography.Paragraph type="secondary">{localized(template.title, lang)}</Typography.Paragraph>
          {template.questions.map((q) => (
            <Form.Item
              key={q.id}
              name={['answers', q.id]}
              label={`${localized(q.text, lang)}（${rt('asmt.weight', { n: q.weight })}）`}
              rules={[{ required: true, message: rt('asmt.answersRequired') }]}
              extra={
                q.options.find((o) => o.value === answers?.[q.id])?.fails ? (
                  <Typography.Text type="danger">{rt('asmt.knockoutWarning')}</Typography.Text>
                ) : undefined
              }
            >
              <Radio.Group data-testid={`assessment-q-${q.id}`}>
                {q.options.map((o) => (
                  <Radio key={o.value} value={o.value} data-testid={`assessment-q-${q.id}-${o.value}`}>
                    {localized(o.label, lang)}
                  </Radio>
                ))}
              </Radio.Group>
            </Form.Item>
          ))}
          {preview ? (
            <Alert
              type={preview.passed ? 'success' : 'warning'}
              showIcon
              data-testid="assessment-preview"
              title={rt('asmt.preview', { score: preview.score, threshold: template.passThreshold })}
              style={{ marginBottom: 16 }}
            />
          ) : null}
          <Form.Item label={rt('asmt.evidence')} extra={rt('asmt.evidenceHint')}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Upload
                multiple
                showUploadList={false}
                beforeUpload={async (file) => {
                  const sha256 = await hexDigest(file);
                  setEvidence((prev) =>
                    prev.some((e) => e.sha256 === sha256) ? prev : [...prev, { filename: file.name, sha256, sizeBytes: file.size }],
                  );
                  return Upload.LIST_IGNORE;
                }}
              >
                <Button icon={<FileSearchOutlined />} data-testid="assessment-evidence">
                  {rt('asmt.addEvidence')}
                </Button>
              </Upload>
              {evidence.map((e) => (
                <Space key={e.sha256} size={6} data-testid="assessment-evidence-item">
                  <Typography.Text>{e.filename}</Typography.Text>
                  <HashText value={e.sha256} />
                  <Button type="link" size="small" danger onClick={() => setEvidence((prev) => prev.filter((x) => x.sha256 !== e.sha256))}>
                    ×
                  </Button>
                </Space>
              ))}
            </Space>
          </Form.Item>
          <Form.Item name="comment" label={rt('rcp.comment')}>
            <Input.TextArea rows={2} maxLength={4000} data-testid="assessment-comment" />
          </Form.Item>
        </Form>
      ) : (
        <Empty />
      )}
    </Modal>
  );
}

interface CommitmentForm {
  agreementSha256: string;
  agreementFilename?: string;
  committedToPolicy: boolean;
  policyVersion: string;
  period: [Dayjs, Dayjs];
}

function CommitmentModal({
  open,
  recipient,
  onClose,
  onDone,
}: {
  open: boolean;
  recipient: Recipient;
  onClose: () => void;
  onDone: () => void;
}) {
  const rt = useRT();
  const { t } = useI18n();
  const report = useProblemReporter();
  const success = useSuccess();
  const [form] = Form.useForm<CommitmentForm>();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    let v: CommitmentForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      await recipientsApi.recordCommitment(recipient.id, {
        agreementSha256: v.agreementSha256,
        ...(v.agreementFilename?.trim() ? { agreementFilename: v.agreementFilename.trim() } : {}),
        committedToPolicy: v.committedToPolicy,
        policyVersion: v.policyVersion.trim(),
        effectiveFrom: v.period[0].startOf('day').toISOString(),
        expiresAt: v.period[1].endOf('day').toISOString(),
      });
      success(rt('cmt.recorded'));
      onClose();
      onDone();
    } catch (err) {
      report(err, { form, mapField: (p) => [p.field === 'effectiveFrom' || p.field === 'expiresAt' ? 'period' : fieldRoot(p.field)] });
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      title={`${rt('rcp.action.commit')} · ${recipient.legalName}`}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={rt('rcp.action.commit')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'commitment-submit' }}
      width={640}
    >
      <Form<CommitmentForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ committedToPolicy: true, period: [dayjs(), dayjs().add(1, 'year')] }}
        data-testid="commitment-form"
        style={{ marginTop: 12 }}
      >
        <Form.Item
          name="agreementSha256"
          label={rt('cmt.agreement')}
          rules={[
            { required: true, message: t('common.required', { field: rt('cmt.agreement') }) },
            { pattern: SHA256_RE, message: rt('hash.invalid') },
          ]}
        >
          <HashInput testId="commitment-hash" onFile={(f) => form.setFieldValue('agreementFilename', f.name)} />
        </Form.Item>
        <Form.Item name="agreementFilename" label={rt('cmt.agreementFile')}>
          <Input maxLength={255} data-testid="commitment-filename" />
        </Form.Item>
        <Form.Item name="committedToPolicy" valuePropName="checked" extra={rt('cmt.committedHint')}>
          <Checkbox data-testid="commitment-policy">{rt('cmt.committed')}</Checkbox>
        </Form.Item>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item
              name="policyVersion"
              label={rt('cmt.policyVersion')}
              rules={[{ required: true, whitespace: true, message: t('common.required', { field: rt('cmt.policyVersion') }) }]}
            >
              <Input maxLength={64} data-testid="commitment-policy-version" />
            </Form.Item>
          </Col>
          <Col span={16}>
            <Form.Item name="period" label={rt('cmt.period')} rules={[{ required: true }]}>
              <DatePicker.RangePicker style={{ width: '100%' }} data-testid="commitment-period" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

function DecisionModal({
  kind,
  recipient,
  onClose,
  onDone,
}: {
  kind: 'approve' | 'suspend' | 'reinstate' | null;
  recipient: Recipient;
  onClose: () => void;
  onDone: () => void;
}) {
  const rt = useRT();
  const { t } = useI18n();
  const report = useProblemReporter();
  const success = useSuccess();
  const [form] = Form.useForm<{ text?: string }>();
  const [saving, setSaving] = useState(false);
  const required = kind === 'suspend';
  const label = kind === 'suspend' ? rt('rcp.reason') : rt('rcp.comment');
  const title = kind ? rt(`rcp.action.${kind}`) : '';
  const hint = kind === 'suspend' ? rt('rcp.suspendHint') : kind === 'reinstate' ? rt('rcp.reinstateHint') : rt('rcp.approveHint');
  const submit = async () => {
    let v: { text?: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const text = v.text?.trim() ?? '';
    setSaving(true);
    try {
      if (kind === 'approve') {
        await recipientsApi.approve(recipient.id, text || undefined);
        success(rt('rcp.approved'));
      } else if (kind === 'suspend') {
        await recipientsApi.suspend(recipient.id, text);
        success(rt('rcp.suspended'));
      } else if (kind === 'reinstate') {
        await recipientsApi.reinstate(recipient.id, text || undefined);
        success(rt('rcp.reinstated'));
      }
      onClose();
      onDone();
    } catch (err) {
      // Refusals name their reasons (no commitment, open findings …): shown in the message.
      report(err, { form, mapField: (p) => (p.field === 'reason' || p.field === 'comment' ? ['text'] : undefined) });
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      title={`${title} · ${recipient.legalName}`}
      open={kind !== null}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={title}
      okButtonProps={{ danger: kind === 'suspend', 'data-testid': 'decision-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Alert type={kind === 'suspend' ? 'warning' : 'info'} showIcon title={hint} style={{ margin: '12px 0' }} />
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item
          name="text"
          label={label}
          rules={required ? [{ required: true, whitespace: true, message: t('common.required', { field: label }) }] : []}
        >
          <Input.TextArea rows={3} maxLength={2000} data-testid="decision-text" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function TerminateModal({
  open,
  recipient,
  onClose,
  onDone,
}: {
  open: boolean;
  recipient: Recipient;
  onClose: () => void;
  onDone: () => void;
}) {
  const rt = useRT();
  const { t } = useI18n();
  const report = useProblemReporter();
  const success = useSuccess();
  const [form] = Form.useForm<{ reason: string; dataDisposition: DataDisposition; evidenceSha256: string }>();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    let v: { reason: string; dataDisposition: DataDisposition; evidenceSha256: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      await recipientsApi.terminate(recipient.id, {
        reason: v.reason.trim(),
        dataDisposition: v.dataDisposition,
        evidenceSha256: v.evidenceSha256,
      });
      success(rt('rcp.terminated'));
      onClose();
      onDone();
    } catch (err) {
      report(err, { form });
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      title={`${rt('rcp.action.terminate')} · ${recipient.legalName}`}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={rt('rcp.action.terminate')}
      okButtonProps={{ danger: true, 'data-testid': 'terminate-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      width={640}
    >
      <Alert type="warning" showIcon title={rt('term.hint')} style={{ margin: '12px 0' }} />
      <Form form={form} layout="vertical" preserve={false} initialValues={{ dataDisposition: 'deleted' }} data-testid="terminate-form">
        <Form.Item
          name="reason"
          label={rt('term.reason')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: rt('term.reason') }) }]}
        >
          <Input.TextArea rows={2} maxLength={2000} data-testid="terminate-reason" />
        </Form.Item>
        <Form.Item name="dataDisposition" label={rt('term.disposition')} rules={[{ required: true }]}>
          <Radio.Group data-testid="terminate-disposition">
            <Radio value="deleted">{rt('term.disposition.deleted')}</Radio>
            <Radio value="returned">{rt('term.disposition.returned')}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="evidenceSha256"
          label={rt('term.evidence')}
          rules={[
            { required: true, message: t('common.required', { field: rt('term.evidence') }) },
            { pattern: SHA256_RE, message: rt('hash.invalid') },
          ]}
        >
          <HashInput testId="terminate-evidence" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface FindingForm {
  title: string;
  description: string;
  severity: FindingSeverity;
  ownerUserId: string;
  dueAt: Dayjs;
  assessmentId?: string;
}

function FindingModal({
  open,
  detail,
  users,
  onClose,
  onDone,
}: {
  open: boolean;
  detail: RecipientDetail;
  users: User[];
  onClose: () => void;
  onDone: () => void;
}) {
  const rt = useRT();
  const { t } = useI18n();
  const { user } = useSession();
  const report = useProblemReporter();
  const success = useSuccess();
  const [form] = Form.useForm<FindingForm>();
  const [saving, setSaving] = useState(false);
  const owners = users.length
    ? users.filter((u) => u.status === 'active')
    : [{ id: user.id, displayName: user.displayName, username: user.username }];
  const submit = async () => {
    let v: FindingForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      await recipientsApi.recordFinding(detail.recipient.id, {
        title: v.title.trim(),
        description: v.description.trim(),
        severity: v.severity,
        ownerUserId: v.ownerUserId,
        dueAt: v.dueAt.endOf('day').toISOString(),
        ...(v.assessmentId ? { assessmentId: v.assessmentId } : {}),
      });
      success(rt('fnd.recorded'));
      onClose();
      onDone();
    } catch (err) {
      report(err, { form });
    } finally {
      setSaving(false);
    }
  };
  const req = (field: string) => ({ required: true, whitespace: true, message: t('common.required', { field }) });
  return (
    <Modal
      title={`${rt('rcp.action.finding')} · ${detail.recipient.legalName}`}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={rt('rcp.action.finding')}
      okButtonProps={{ 'data-testid': 'finding-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      width={640}
    >
      <Form<FindingForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ severity: 'medium', ownerUserId: user.id, dueAt: dayjs().add(30, 'day') }}
        data-testid="finding-form"
        style={{ marginTop: 12 }}
      >
        <Form.Item name="title" label={rt('fnd.title')} rules={[req(rt('fnd.title'))]}>
          <Input maxLength={300} data-testid="finding-title" />
        </Form.Item>
        <Form.Item name="description" label={rt('fnd.description')} rules={[req(rt('fnd.description'))]}>
          <Input.TextArea rows={3} maxLength={4000} data-testid="finding-description" />
        </Form.Item>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="severity" label={rt('fnd.severity')} rules={[{ required: true }]}>
              <Select<FindingSeverity>
                data-testid="finding-severity"
                options={FINDING_SEVERITIES.map((s) => ({ value: s, label: rt(`fnd.severity.${s}`) }))}
              />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="ownerUserId" label={rt('fnd.owner')} rules={[{ required: true }]}>
              <Select<string>
                data-testid="finding-owner"
                showSearch={{ optionFilterProp: 'search' }}
                options={owners.map((u) => ({
                  value: u.id,
                  label: `${u.displayName} (${u.username})`,
                  search: `${u.displayName} ${u.username}`,
                }))}
              />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="dueAt" label={rt('fnd.due')} rules={[{ required: true }]}>
              <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isBefore(dayjs(), 'day')} data-testid="finding-due" />
            </Form.Item>
          </Col>
        </Row>
        {detail.assessments.length ? (
          <Form.Item name="assessmentId" label={rt('asmt.title')}>
            <Select<string>
              allowClear
              data-testid="finding-assessment"
              options={detail.assessments.map((a) => ({
                value: a.id,
                label: `${formatDateTime(a.assessedAt)} · ${a.score} · ${a.reviewedBy}`,
              }))}
            />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}

function FindingUpdateModal({
  finding,
  recipient,
  onClose,
  onDone,
}: {
  finding: Finding | null;
  recipient: Recipient;
  onClose: () => void;
  onDone: () => void;
}) {
  const rt = useRT();
  const { t } = useI18n();
  const report = useProblemReporter();
  const success = useSuccess();
  const [form] = Form.useForm<{ status: FindingStatus; note: string }>();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    if (!finding) return;
    let v: { status: FindingStatus; note: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      await recipientsApi.updateFinding(recipient.id, finding.id, { status: v.status, note: v.note.trim() });
      success(rt('fnd.updated'));
      onClose();
      onDone();
    } catch (err) {
      report(err, { form });
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      title={finding ? `${rt('fnd.update')} · ${finding.title}` : ''}
      open={finding !== null}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={rt('fnd.update')}
      okButtonProps={{ 'data-testid': 'finding-update-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ status: finding?.status === 'open' ? 'remediating' : 'closed' }}
        style={{ marginTop: 12 }}
        data-testid="finding-update-form"
      >
        <Form.Item name="status" label={rt('fnd.status')} rules={[{ required: true }]}>
          <Radio.Group optionType="button" buttonStyle="solid" data-testid="finding-update-status">
            {FINDING_STATUSES.map((s) => (
              <Radio key={s} value={s} data-testid={`finding-update-status-${s}`}>
                {rt(`fnd.status.${s}`)}
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="note"
          label={rt('fnd.note')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: rt('fnd.note') }) }]}
        >
          <Input.TextArea rows={3} maxLength={4000} data-testid="finding-update-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
