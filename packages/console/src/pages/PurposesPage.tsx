/**
 * Processing purposes (P2): each purpose code has versions that go draft -> submitted ->
 * approved -> active -> retired. A new version of an active purpose starts as a prefilled draft.
 * Approval is by someone other than the author (the server enforces it; the UI only hints).
 */
import {
  CheckOutlined,
  CloseOutlined,
  EyeOutlined,
  MinusCircleOutlined,
  PlayCircleOutlined,
  PlusOutlined,
  ReloadOutlined,
  SendOutlined,
  StopOutlined,
  BranchesOutlined,
} from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Timeline,
  Tooltip,
  TreeSelect,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import {
  LEGAL_BASES,
  PURPOSE_STATUSES,
  RETENTION_TRIGGERS,
  api,
  type DataCategory,
  type L10n,
  type LegalBasis,
  type NewPurpose,
  type Purpose,
  type PurposeStatus,
  type RetentionTrigger,
} from '../api';
import { PurposeStatusTag, useDepartments, useUserNames } from '../components/ConsentParts';
import { PageHeader } from '../components/PageHeader';
import { buildDepartmentTree, departmentTreeOptions } from '../departmentTree';
import { categoryLabel, formatDateTime, localized } from '../format';
import { useI18n, type Translate } from '../i18n';
import { nestedFieldMapper, useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import { useLoad } from '../useLoad';
import { SensitivityTag } from './CataloguePage';

export function legalBasisLabel(basis: string, t: Translate): string {
  return (LEGAL_BASES as readonly string[]).includes(basis) ? t(`legalBasis.${basis as LegalBasis}`) : basis;
}

export function retentionLabel(days: number, trigger: string, t: Translate): string {
  const tr = (RETENTION_TRIGGERS as readonly string[]).includes(trigger) ? t(`retentionTrigger.${trigger as RetentionTrigger}`) : trigger;
  return t('processing.retentionValue', { days, trigger: tr });
}

type PurposeAction = 'submit' | 'approve' | 'reject' | 'activate' | 'retire';

export function PurposesPage() {
  const { t, lang } = useI18n();
  const { can, user } = useSession();
  const report = useProblemReporter();
  const success = useSuccess();

  const [status, setStatus] = useState<PurposeStatus | undefined>(undefined);
  const [code, setCode] = useState('');
  // A ref: useLoad keeps its loader in a ref too, so reload() right after a change sees it.
  const query = useRef<{ status?: PurposeStatus; code?: string }>({});
  const purposes = useLoad<Purpose[]>(() => api.listPurposes(query.current), []);
  const categories = useLoad<DataCategory[]>(api.listDataCategories, [], can('catalogue.read'));
  const departments = useDepartments();
  const userName = useUserNames();

  const byCode = useMemo(() => new Map(categories.data.map((c) => [c.code, c])), [categories.data]);
  const deptName = useMemo(() => new Map(departments.data.map((d) => [d.id, d.name])), [departments.data]);

  const [form, setForm] = useState<{ open: boolean; base: Purpose | null }>({ open: false, base: null });
  const [viewing, setViewing] = useState<Purpose | null>(null);
  const [review, setReview] = useState<{ purpose: Purpose; kind: 'approve' | 'reject' } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const manage = can('purpose.manage');
  const approve = can('purpose.approve');

  const applyFilter = (next: { status?: PurposeStatus; code?: string }) => {
    query.current = next;
    void purposes.reload();
  };

  const act = async (p: Purpose, action: PurposeAction, comment?: string) => {
    setBusy(`${action}:${p.id}`);
    try {
      let updated: Purpose;
      switch (action) {
        case 'submit':
          updated = await api.submitPurpose(p.id);
          break;
        case 'approve':
          updated = await api.approvePurpose(p.id, comment);
          break;
        case 'reject':
          updated = await api.rejectPurpose(p.id, comment ?? '');
          break;
        case 'activate':
          updated = await api.activatePurpose(p.id);
          break;
        case 'retire':
          updated = await api.retirePurpose(p.id);
          break;
      }
      success(t(`processing.done.${action}`, { code: updated.code, version: updated.version }));
      if (viewing?.id === updated.id) setViewing(updated);
      await purposes.reload();
      return true;
    } catch (err) {
      report(err);
      return false;
    } finally {
      setBusy(null);
    }
  };

  /** The author (creator or submitter) may not approve their own version. */
  const isAuthor = (p: Purpose) => [p.createdBy, p.submittedBy].some((x) => x === user.id || x === user.username);

  const rowActions = (p: Purpose) => {
    const out: ReactNode[] = [];
    if (p.status === 'draft' && manage) {
      out.push(
        <Popconfirm
          key="submit"
          title={t('processing.submit.confirm')}
          okText={t('processing.submit')}
          cancelText={t('common.cancel')}
          okButtonProps={{ 'data-testid': `purpose-submit-confirm-${p.code}` }}
          onConfirm={() => act(p, 'submit')}
        >
          <Button
            type="link"
            size="small"
            icon={<SendOutlined />}
            loading={busy === `submit:${p.id}`}
            data-testid={`purpose-submit-${p.code}`}
          >
            {t('processing.submit')}
          </Button>
        </Popconfirm>,
      );
    }
    if (p.status === 'submitted' && approve) {
      const own = isAuthor(p);
      out.push(
        <Tooltip key="approve" title={own ? t('processing.approve.ownHint') : undefined}>
          <Button
            type="link"
            size="small"
            icon={<CheckOutlined />}
            disabled={own}
            onClick={() => setReview({ purpose: p, kind: 'approve' })}
            data-testid={`purpose-approve-${p.code}`}
          >
            {t('processing.approve')}
          </Button>
        </Tooltip>,
        <Button
          key="reject"
          type="link"
          size="small"
          danger
          icon={<CloseOutlined />}
          onClick={() => setReview({ purpose: p, kind: 'reject' })}
          data-testid={`purpose-reject-${p.code}`}
        >
          {t('processing.reject')}
        </Button>,
      );
    }
    if (p.status === 'approved' && manage) {
      out.push(
        <Popconfirm
          key="activate"
          title={t('processing.activate.confirm')}
          okText={t('processing.activate')}
          cancelText={t('common.cancel')}
          okButtonProps={{ 'data-testid': `purpose-activate-confirm-${p.code}` }}
          onConfirm={() => act(p, 'activate')}
        >
          <Button
            type="link"
            size="small"
            icon={<PlayCircleOutlined />}
            loading={busy === `activate:${p.id}`}
            data-testid={`purpose-activate-${p.code}`}
          >
            {t('processing.activate')}
          </Button>
        </Popconfirm>,
      );
    }
    if (p.status === 'active' && manage) {
      out.push(
        <Button
          key="version"
          type="link"
          size="small"
          icon={<BranchesOutlined />}
          onClick={() => setForm({ open: true, base: p })}
          data-testid={`purpose-new-version-${p.code}`}
        >
          {t('processing.newVersion')}
        </Button>,
        <Popconfirm
          key="retire"
          title={t('processing.retire.confirm')}
          okText={t('processing.retire')}
          cancelText={t('common.cancel')}
          okButtonProps={{ danger: true, 'data-testid': `purpose-retire-confirm-${p.code}` }}
          onConfirm={() => act(p, 'retire')}
        >
          <Button
            type="link"
            size="small"
            danger
            icon={<StopOutlined />}
            loading={busy === `retire:${p.id}`}
            data-testid={`purpose-retire-${p.code}`}
          >
            {t('processing.retire')}
          </Button>
        </Popconfirm>,
      );
    }
    return out;
  };

  const columns: ColumnsType<Purpose> = [
    {
      title: t('processing.code'),
      dataIndex: 'code',
      render: (v: string) => (
        <Typography.Text className="custos-mono" style={{ whiteSpace: 'nowrap' }}>
          {v}
        </Typography.Text>
      ),
    },
    {
      title: t('processing.name'),
      key: 'name',
      render: (_: unknown, p) => (
        <a onClick={() => setViewing(p)} data-testid={`purpose-view-${p.code}-v${p.version}`}>
          {localized(p.name, lang) || p.code}
        </a>
      ),
    },
    { title: t('processing.version'), dataIndex: 'version', width: 80, render: (v: number) => <Tag variant="outlined">v{v}</Tag> },
    { title: t('processing.status'), dataIndex: 'status', width: 100, render: (v: PurposeStatus) => <PurposeStatusTag value={v} /> },
    { title: t('processing.legalBasis'), dataIndex: 'legalBasis', width: 200, render: (v: string) => legalBasisLabel(v, t) },
    {
      title: t('processing.ownerDepartment'),
      dataIndex: 'ownerDepartmentId',
      render: (v: string) => deptName.get(v) ?? <Typography.Text type="secondary">{v}</Typography.Text>,
    },
    {
      title: t('processing.fields'),
      dataIndex: 'fields',
      render: (v: string[]) => (
        <Space size={[4, 4]} wrap>
          {v.map((c) => (
            <Tag key={c} color={byCode.get(c)?.sensitivity === 'sensitive' ? 'red' : undefined} variant="outlined">
              {categoryLabel(c, lang, byCode)}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 220,
      render: (_: unknown, p) => (
        <Space size={0} wrap>
          <Button
            type="link"
            size="small"
            icon={<EyeOutlined />}
            onClick={() => setViewing(p)}
            data-testid={`purpose-detail-${p.code}-v${p.version}`}
          >
            {t('processing.detail')}
          </Button>
          {rowActions(p)}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('processing.title')}
        subtitle={t('processing.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void purposes.reload()}>
              {t('common.refresh')}
            </Button>
            {manage ? (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => setForm({ open: true, base: null })}
                data-testid="purpose-create"
              >
                {t('processing.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <Card style={{ marginBottom: 16 }} styles={{ body: { padding: '12px 16px' } }}>
        <Space wrap size={12}>
          <Select<PurposeStatus>
            data-testid="purpose-filter-status"
            allowClear
            style={{ width: 180 }}
            placeholder={t('processing.filter.allStatuses')}
            value={status}
            onChange={(v) => {
              setStatus(v);
              applyFilter({ status: v, code: code.trim() || undefined });
            }}
            options={PURPOSE_STATUSES.map((s) => ({ value: s, label: t(`purposeStatus.${s}`) }))}
          />
          <Input.Search
            data-testid="purpose-filter-code"
            allowClear
            style={{ width: 260 }}
            placeholder={t('processing.filter.code')}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            onSearch={(v) => applyFilter({ status, code: v.trim() || undefined })}
          />
        </Space>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Purpose>
          data-testid="purpose-table"
          rowKey="id"
          size="middle"
          loading={purposes.loading}
          columns={columns}
          dataSource={purposes.data}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
          onRow={(p) => ({ 'data-testid': `purpose-row-${p.code}-v${p.version}`, 'data-code': p.code, 'data-status': p.status }) as object}
        />
      </Card>

      {/* Mounted per opening: a fresh form, prefilled from the version it starts from. */}
      {form.open ? (
        <PurposeFormDrawer
          key={form.base?.id ?? 'new'}
          open={form.open}
          base={form.base}
          categories={categories.data}
          byCode={byCode}
          departments={departments.data}
          onClose={() => setForm({ open: false, base: null })}
          onCreated={(p) => {
            setForm({ open: false, base: null });
            success(t('processing.created', { code: p.code, version: p.version }));
            void purposes.reload();
          }}
        />
      ) : null}
      <PurposeDetailDrawer
        purpose={viewing}
        byCode={byCode}
        deptName={deptName}
        userName={userName}
        actions={viewing ? rowActions(viewing) : []}
        onClose={() => setViewing(null)}
      />
      <ReviewModal
        review={review}
        onClose={() => setReview(null)}
        onSubmit={async (comment) => {
          if (!review) return;
          if (await act(review.purpose, review.kind, comment)) setReview(null);
        }}
      />
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Approve / reject

function ReviewModal({
  review,
  onClose,
  onSubmit,
}: {
  review: { purpose: Purpose; kind: 'approve' | 'reject' } | null;
  onClose: () => void;
  onSubmit: (comment: string | undefined) => Promise<void>;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<{ comment?: string }>();
  const [saving, setSaving] = useState(false);
  const reject = review?.kind === 'reject';

  const submit = async () => {
    let values: { comment?: string };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      await onSubmit(values.comment?.trim() || undefined);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={
        review
          ? t(reject ? 'processing.reject.title' : 'processing.approve.title', {
              name: localized(review.purpose.name, lang) || review.purpose.code,
              version: review.purpose.version,
            })
          : null
      }
      open={review !== null}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={reject ? t('processing.reject') : t('processing.approve')}
      okButtonProps={{ danger: reject, 'data-testid': 'purpose-review-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      width={520}
    >
      <div data-testid="purpose-review-modal">
        <Form form={form} layout="vertical" preserve={false} style={{ marginTop: 16 }}>
          <Typography.Paragraph type="secondary">{t(reject ? 'processing.reject.hint' : 'processing.approve.hint')}</Typography.Paragraph>
          <Form.Item
            name="comment"
            label={t('processing.reviewComment')}
            rules={
              reject ? [{ required: true, whitespace: true, message: t('common.required', { field: t('processing.reviewComment') }) }] : []
            }
          >
            <Input.TextArea data-testid="purpose-review-comment" rows={3} maxLength={2000} showCount autoFocus />
          </Form.Item>
        </Form>
      </div>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// Create / new version

interface PurposeForm {
  code: string;
  name: L10n;
  description: L10n;
  businessLine: string;
  ownerDepartmentId: string;
  legalBasis: LegalBasis;
  fields: string[];
  necessity?: Record<string, L10n>;
  scenarios: L10n[];
  retention: { days: number; trigger: RetentionTrigger };
}

function formFromPurpose(p: Purpose): PurposeForm {
  return {
    code: p.code,
    name: { ...p.name },
    description: { ...p.description },
    businessLine: p.businessLine,
    ownerDepartmentId: p.ownerDepartmentId,
    legalBasis: p.legalBasis,
    fields: [...p.fields],
    necessity: Object.fromEntries(Object.entries(p.necessity ?? {}).map(([k, v]) => [k, { ...v }])),
    scenarios: p.scenarios.map((s) => ({ ...s })),
    retention: { ...p.retention },
  };
}

const EMPTY_L10N: L10n = { 'zh-CN': '', en: '' };

function PurposeFormDrawer({
  open,
  base,
  categories,
  byCode,
  departments,
  onClose,
  onCreated,
}: {
  open: boolean;
  /** The active version a new version starts from; null for a new code. */
  base: Purpose | null;
  categories: DataCategory[];
  byCode: ReadonlyMap<string, DataCategory>;
  departments: Parameters<typeof buildDepartmentTree>[0];
  onClose: () => void;
  onCreated: (p: Purpose) => void;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<PurposeForm>();
  const report = useProblemReporter();
  const [saving, setSaving] = useState(false);
  const treeData = useMemo(() => departmentTreeOptions(buildDepartmentTree(departments)), [departments]);
  const selected = Form.useWatch('fields', form) ?? [];
  const sensitiveSelected = selected.filter((c) => byCode.get(c)?.sensitivity === 'sensitive');

  const initialValues: Partial<PurposeForm> = base
    ? formFromPurpose(base)
    : { legalBasis: 'consent', fields: [], scenarios: [{ ...EMPTY_L10N }], retention: { days: 365, trigger: 'relationship_end' } };

  const submit = async () => {
    let values: PurposeForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const trimL = (v: L10n | undefined): L10n => ({ 'zh-CN': v?.['zh-CN']?.trim() ?? '', en: v?.en?.trim() ?? '' });
    const necessity: Record<string, L10n> = {};
    for (const c of values.fields) {
      if (byCode.get(c)?.sensitivity === 'sensitive') necessity[c] = trimL(values.necessity?.[c]);
    }
    const body: NewPurpose = {
      code: values.code.trim(),
      name: trimL(values.name),
      description: trimL(values.description),
      businessLine: values.businessLine.trim(),
      ownerDepartmentId: values.ownerDepartmentId,
      legalBasis: values.legalBasis,
      fields: values.fields,
      necessity,
      scenarios: (values.scenarios ?? []).map(trimL).filter((s) => s['zh-CN'] || s.en),
      retention: { days: values.retention.days, trigger: values.retention.trigger },
    };
    setSaving(true);
    try {
      const created = await api.createPurpose(body);
      onCreated(created);
    } catch (err) {
      report(err, { form, mapField: nestedFieldMapper(form) });
    } finally {
      setSaving(false);
    }
  };

  const required = (field: string) => ({ required: true, whitespace: true, message: t('common.required', { field }) });
  const pair = (name: 'name' | 'description', label: string, area: boolean) => (
    <Row gutter={16}>
      {(['zh-CN', 'en'] as const).map((l) => (
        <Col span={12} key={l}>
          <Form.Item name={[name, l]} label={`${label}（${t(`lang.${l}`)}）`} rules={[required(`${label}（${t(`lang.${l}`)}）`)]}>
            {area ? (
              <Input.TextArea rows={3} maxLength={2000} data-testid={`purpose-form-${name}-${l}`} />
            ) : (
              <Input maxLength={200} data-testid={`purpose-form-${name}-${l}`} />
            )}
          </Form.Item>
        </Col>
      ))}
    </Row>
  );

  return (
    <Drawer
      title={base ? t('processing.newVersionTitle', { code: base.code, version: base.version + 1 }) : t('processing.new')}
      open={open}
      onClose={onClose}
      destroyOnHidden
      size={860}
      data-testid="purpose-form-drawer"
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} onClick={() => void submit()} data-testid="purpose-form-submit">
            {t('processing.saveDraft')}
          </Button>
        </Space>
      }
    >
      {base ? <Alert type="info" showIcon title={t('processing.newVersionHint')} style={{ marginBottom: 16 }} /> : null}
      <Form<PurposeForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={initialValues}
        autoComplete="off"
        data-testid="purpose-form"
      >
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item
              name="code"
              label={t('processing.code')}
              extra={t('catalogue.codeHint')}
              rules={[required(t('processing.code')), { pattern: /^[a-z][a-z0-9_]{1,63}$/, message: t('catalogue.codeHint') }]}
            >
              <Input className="custos-mono" maxLength={64} disabled={base !== null} data-testid="purpose-form-code" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="businessLine" label={t('processing.businessLine')} rules={[required(t('processing.businessLine'))]}>
              <Input maxLength={200} data-testid="purpose-form-businessLine" />
            </Form.Item>
          </Col>
        </Row>
        {pair('name', t('processing.name'), false)}
        {pair('description', t('processing.description'), true)}
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item
              name="ownerDepartmentId"
              label={t('processing.ownerDepartment')}
              rules={[{ required: true, message: t('common.required', { field: t('processing.ownerDepartment') }) }]}
            >
              <TreeSelect
                data-testid="purpose-form-owner"
                showSearch
                treeDefaultExpandAll
                treeNodeFilterProp="title"
                treeData={treeData}
                placeholder={t('users.departmentPlaceholder')}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="legalBasis"
              label={t('processing.legalBasis')}
              rules={[{ required: true, message: t('common.required', { field: t('processing.legalBasis') }) }]}
            >
              <Select<LegalBasis>
                data-testid="purpose-form-legalBasis"
                options={LEGAL_BASES.map((b) => ({ value: b, label: t(`legalBasis.${b}`) }))}
                optionRender={(o) => <span data-testid={`legal-basis-${String(o.value)}`}>{o.label}</span>}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="fields"
          label={t('processing.fields')}
          extra={t('processing.fieldsHint')}
          rules={[{ required: true, type: 'array', min: 1, message: t('common.required', { field: t('processing.fields') }) }]}
        >
          <Select<string[]>
            mode="multiple"
            data-testid="purpose-form-fields"
            showSearch
            optionFilterProp="search"
            placeholder={t('customers.form.pickPlaceholder')}
            options={categories.map((c) => ({
              value: c.code,
              label: lang === 'zh-CN' ? c.nameZh : c.nameEn,
              search: `${c.code} ${c.nameZh} ${c.nameEn}`,
              sensitivity: c.sensitivity,
            }))}
            optionRender={(o) => (
              <Space size={8} data-testid={`purpose-field-option-${String(o.value)}`}>
                <span>{o.label}</span>
                <Typography.Text type="secondary" className="custos-mono">
                  {String(o.value)}
                </Typography.Text>
                {o.data.sensitivity === 'sensitive' ? <SensitivityTag value="sensitive" /> : null}
              </Space>
            )}
            tagRender={({ label, value, closable, onClose: close }) => (
              <Tag
                closable={closable}
                onClose={close}
                color={byCode.get(String(value))?.sensitivity === 'sensitive' ? 'red' : undefined}
                style={{ marginInlineEnd: 4 }}
              >
                {label}
              </Tag>
            )}
          />
        </Form.Item>
        {sensitiveSelected.length > 0 ? (
          <Card
            size="small"
            title={t('processing.necessity')}
            style={{ marginBottom: 24, borderColor: '#ffccc7' }}
            data-testid="purpose-form-necessity"
          >
            <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
              {t('processing.necessityHint')}
            </Typography.Paragraph>
            {sensitiveSelected.map((c) => (
              <div key={c}>
                <Space size={8} style={{ marginBottom: 8 }}>
                  <Typography.Text strong>{categoryLabel(c, lang, byCode)}</Typography.Text>
                  <SensitivityTag value="sensitive" />
                </Space>
                <Row gutter={16}>
                  {(['zh-CN', 'en'] as const).map((l) => (
                    <Col span={12} key={l}>
                      <Form.Item name={['necessity', c, l]} label={t(`lang.${l}`)} rules={[required(t('processing.necessity'))]}>
                        <Input.TextArea rows={2} maxLength={2000} data-testid={`purpose-form-necessity-${c}-${l}`} />
                      </Form.Item>
                    </Col>
                  ))}
                </Row>
              </div>
            ))}
          </Card>
        ) : null}
        <Form.Item label={t('processing.scenarios')} extra={t('processing.scenariosHint')} required>
          <Form.List
            name="scenarios"
            rules={[
              {
                validator: async (_, v: L10n[] | undefined) => {
                  if (!v || v.length < 1) throw new Error(t('common.required', { field: t('processing.scenarios') }));
                },
              },
            ]}
          >
            {(items, { add, remove }, { errors }) => (
              <div data-testid="purpose-form-scenarios">
                {items.map((item, i) => (
                  <Row gutter={8} key={item.key} align="top">
                    {(['zh-CN', 'en'] as const).map((l) => (
                      <Col flex="1" key={l}>
                        <Form.Item
                          name={[item.name, l]}
                          rules={[required(`${t('processing.scenario')} ${i + 1}（${t(`lang.${l}`)}）`)]}
                          style={{ marginBottom: 8 }}
                        >
                          <Input
                            placeholder={`${t('processing.scenario')} ${i + 1}（${t(`lang.${l}`)}）`}
                            maxLength={500}
                            data-testid={`purpose-form-scenario-${i}-${l}`}
                          />
                        </Form.Item>
                      </Col>
                    ))}
                    <Col flex="none">
                      <Button
                        type="text"
                        icon={<MinusCircleOutlined />}
                        aria-label={t('processing.scenarioRemove')}
                        disabled={items.length <= 1}
                        onClick={() => remove(item.name)}
                        data-testid={`purpose-form-scenario-remove-${i}`}
                      />
                    </Col>
                  </Row>
                ))}
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  onClick={() => add({ ...EMPTY_L10N })}
                  data-testid="purpose-form-scenario-add"
                >
                  {t('processing.scenarioAdd')}
                </Button>
                <Form.ErrorList errors={errors} />
              </div>
            )}
          </Form.List>
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item
              name={['retention', 'days']}
              label={t('processing.retentionDays')}
              rules={[{ required: true, type: 'integer', min: 1, message: t('processing.retentionDaysHint') }]}
            >
              <InputNumber
                min={1}
                precision={0}
                style={{ width: '100%' }}
                suffix={t('processing.days')}
                data-testid="purpose-form-retention-days"
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name={['retention', 'trigger']} label={t('processing.retentionTrigger')} rules={[{ required: true }]}>
              <Select<RetentionTrigger>
                data-testid="purpose-form-retention-trigger"
                options={RETENTION_TRIGGERS.map((r) => ({ value: r, label: t(`retentionTrigger.${r}`) }))}
              />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Drawer>
  );
}

// ---------------------------------------------------------------------------------------------
// Detail

function PurposeDetailDrawer({
  purpose: p,
  byCode,
  deptName,
  userName,
  actions,
  onClose,
}: {
  purpose: Purpose | null;
  byCode: ReadonlyMap<string, DataCategory>;
  deptName: ReadonlyMap<string, string>;
  userName: (id: string | null | undefined) => string;
  actions: ReactNode[];
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const both = (v: L10n | undefined) => (
    <div>
      <div>{v?.['zh-CN'] || '—'}</div>
      <Typography.Text type="secondary">{v?.en || '—'}</Typography.Text>
    </div>
  );

  const trail: { key: string; color: string; children: ReactNode }[] = [];
  if (p) {
    trail.push({
      key: 'created',
      color: 'gray',
      children: <TrailLine label={t('processing.trail.created')} who={userName(p.createdBy)} at={p.createdAt} />,
    });
    if (p.submittedAt)
      trail.push({
        key: 'submitted',
        color: 'gold',
        children: <TrailLine label={t('processing.trail.submitted')} who={userName(p.submittedBy)} at={p.submittedAt} />,
      });
    if (p.approvedAt)
      trail.push({
        key: 'approved',
        color: 'blue',
        children: <TrailLine label={t('processing.trail.approved')} who={userName(p.approvedBy)} at={p.approvedAt} />,
      });
    if (p.reviewComment)
      trail.push({
        key: 'comment',
        color: p.approvedAt ? 'blue' : 'red',
        children: (
          <div data-testid="purpose-review-comment-text">
            <Typography.Text strong>{t(p.approvedAt ? 'processing.trail.comment' : 'processing.trail.rejected')}</Typography.Text>
            <Typography.Paragraph style={{ margin: '4px 0 0', whiteSpace: 'pre-wrap' }}>{p.reviewComment}</Typography.Paragraph>
          </div>
        ),
      });
    if (p.activatedAt)
      trail.push({ key: 'activated', color: 'green', children: <TrailLine label={t('processing.trail.activated')} at={p.activatedAt} /> });
    if (p.retiredAt)
      trail.push({ key: 'retired', color: 'gray', children: <TrailLine label={t('processing.trail.retired')} at={p.retiredAt} /> });
  }

  return (
    <Drawer
      title={p ? `${localized(p.name, lang) || p.code} · v${p.version}` : null}
      open={p !== null}
      onClose={onClose}
      size={760}
      data-testid="purpose-detail"
      extra={p ? <Space>{actions}</Space> : null}
    >
      {p ? (
        <>
          <Descriptions
            bordered
            size="small"
            column={1}
            styles={{ label: { width: 170 } }}
            items={[
              { key: 'code', label: t('processing.code'), children: <span className="custos-mono">{p.code}</span> },
              {
                key: 'version',
                label: t('processing.version'),
                children: (
                  <Space>
                    <Tag variant="outlined">v{p.version}</Tag>
                    <PurposeStatusTag value={p.status} />
                  </Space>
                ),
              },
              { key: 'name', label: t('processing.name'), children: both(p.name) },
              { key: 'description', label: t('processing.description'), children: both(p.description) },
              { key: 'businessLine', label: t('processing.businessLine'), children: p.businessLine },
              { key: 'owner', label: t('processing.ownerDepartment'), children: deptName.get(p.ownerDepartmentId) ?? p.ownerDepartmentId },
              { key: 'legalBasis', label: t('processing.legalBasis'), children: legalBasisLabel(p.legalBasis, t) },
              {
                key: 'fields',
                label: t('processing.fields'),
                children: (
                  <Space size={[4, 4]} wrap>
                    {p.fields.map((c) => (
                      <Space key={c} size={2}>
                        <Tag variant="outlined">{categoryLabel(c, lang, byCode)}</Tag>
                        {byCode.get(c)?.sensitivity === 'sensitive' ? <SensitivityTag value="sensitive" /> : null}
                      </Space>
                    ))}
                  </Space>
                ),
              },
              {
                key: 'necessity',
                label: t('processing.necessity'),
                children:
                  Object.keys(p.necessity ?? {}).length === 0 ? (
                    '—'
                  ) : (
                    <Space orientation="vertical" size={8} style={{ width: '100%' }}>
                      {Object.entries(p.necessity).map(([c, v]) => (
                        <div key={c}>
                          <Typography.Text strong>{categoryLabel(c, lang, byCode)}</Typography.Text>
                          {both(v)}
                        </div>
                      ))}
                    </Space>
                  ),
              },
              {
                key: 'scenarios',
                label: t('processing.scenarios'),
                children: p.scenarios.length ? (
                  <ol style={{ margin: 0, paddingInlineStart: 20 }}>
                    {p.scenarios.map((s, i) => (
                      <li key={i}>{both(s)}</li>
                    ))}
                  </ol>
                ) : (
                  '—'
                ),
              },
              { key: 'retention', label: t('processing.retention'), children: retentionLabel(p.retention.days, p.retention.trigger, t) },
              {
                key: 'baseline',
                label: t('processing.consentBaseline'),
                children: p.consentBaseline ? `v${p.consentBaseline}` : '—',
              },
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('processing.trail')}
          </Typography.Title>
          {trail.length ? <Timeline data-testid="purpose-trail" items={trail} /> : <Empty />}
        </>
      ) : null}
    </Drawer>
  );
}

function TrailLine({ label, who, at }: { label: string; who?: string; at: string | null }) {
  return (
    <div>
      <Typography.Text strong>{label}</Typography.Text>
      <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
        {formatDateTime(at)}
        {who ? ` · ${who}` : ''}
      </Typography.Text>
    </div>
  );
}
