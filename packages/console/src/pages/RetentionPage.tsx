/**
 * Retention (P4.2): retention rules per purpose and/or data category, the customers whose data
 * expires soon, the sweep (a dry run first, then the real run with its destruction records) and
 * legal holds that stop the clock.
 */
import {
  CaretRightOutlined,
  EyeOutlined,
  FileSearchOutlined,
  LockOutlined,
  PlusOutlined,
  ReloadOutlined,
  UnlockOutlined,
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
  Radio,
  Row,
  Select,
  Space,
  Statistic,
  Switch,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import {
  ApiProblem,
  RETENTION_ACTIONS,
  RETENTION_TRIGGERS,
  api,
  type DataCategory,
  type LegalHold,
  type NewLegalHold,
  type NewRetentionRule,
  type Purpose,
  type RetentionAction,
  type RetentionDestruction,
  type RetentionExpiries,
  type RetentionPlanAction,
  type RetentionPlanItem,
  type RetentionPreview,
  type RetentionRule,
  type RetentionRun,
  type RetentionRunReport,
  type RetentionRunStatus,
  type RetentionTrigger,
  type SweepCounts,
} from '../api';
import { PageHeader } from '../components/PageHeader';
import { categoryLabel, formatDateTime, localized, shortId } from '../format';
import { useI18n, type Translate } from '../i18n';
import { customerPath } from '../router';
import { useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

type TabKey = 'rules' | 'expiries' | 'runs' | 'holds';

const ACTION_COLOR: Record<RetentionPlanAction, string> = { delete: 'red', anonymise: 'purple', remove_fields: 'orange' };
const RUN_STATUS_COLOR: Record<RetentionRunStatus, string> = { running: 'processing', completed: 'green', failed: 'red' };
const EXPIRY_WINDOWS = [7, 30, 90, 365] as const;

/** Names for the ids the retention API returns: rules by key, purposes by code, categories by code. */
interface Names {
  rules: ReadonlyMap<string, RetentionRule>;
  purpose: (code: string) => string;
  category: (code: string) => string;
}

function useNames(rules: RetentionRule[], purposes: Purpose[], categories: DataCategory[]): Names {
  const { lang } = useI18n();
  return useMemo(() => {
    const catMap = new Map(categories.map((c) => [c.code, c]));
    const purposeMap = new Map(purposes.map((p) => [p.code, p]));
    return {
      rules: new Map(rules.map((r) => [r.key, r])),
      purpose: (code: string) => {
        const p = purposeMap.get(code);
        return p ? localized(p.name, lang) || code : code;
      },
      category: (code: string) => categoryLabel(code, lang, catMap),
    };
  }, [rules, purposes, categories, lang]);
}

/** A rule's target as text: `会员服务 · 手机号码`, or the purpose's own retention. */
function targetText(r: Pick<RetentionRule, 'source' | 'purposeCode' | 'categoryCode'>, names: Names, t: Translate): string {
  const parts: string[] = [];
  if (r.purposeCode) parts.push(names.purpose(r.purposeCode));
  if (r.categoryCode) parts.push(names.category(r.categoryCode));
  const text = parts.join(' · ') || t('common.none');
  return r.source === 'purpose' ? t('retention.rule.purposeOwn', { name: text }) : text;
}

function triggerText(trigger: string, t: Translate): string {
  return (RETENTION_TRIGGERS as readonly string[]).includes(trigger) ? t(`retentionTrigger.${trigger as RetentionTrigger}`) : trigger;
}

/** A rule key (`rule:<id>`, `purpose:<code>`) as text. */
function ruleKeyText(key: string, names: Names, t: Translate): string {
  const r = names.rules.get(key);
  if (r) return `${targetText(r, names, t)} · ${t('retention.rule.daysValue', { days: r.days })}`;
  if (key.startsWith('purpose:')) return t('retention.rule.purposeOwn', { name: names.purpose(key.slice('purpose:'.length)) });
  return key;
}

function ActionTag({ value }: { value: RetentionPlanAction }) {
  const { t } = useI18n();
  return (
    <Tag color={ACTION_COLOR[value]} data-testid="retention-action" data-action={value}>
      {t(`retention.action.${value}`)}
    </Tag>
  );
}

function CustomerLink({ id }: { id: string }) {
  return (
    <Tooltip title={<span className="custos-mono">{id}</span>}>
      <a href={`#${customerPath(id)}`} className="custos-mono" data-testid={`retention-customer-${id}`}>
        {shortId(id)}
      </a>
    </Tooltip>
  );
}

export function RetentionPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const [tab, setTab] = useState<TabKey>('rules');
  const rules = useLoad<RetentionRule[]>(() => api.listRetentionRules(true), []);
  const holds = useLoad<LegalHold[]>(() => api.listLegalHolds(true), []);
  const purposes = useLoad<Purpose[]>(() => api.listPurposes({ status: 'active' }), [], can('purpose.read'));
  const categories = useLoad<DataCategory[]>(api.listDataCategories, [], can('catalogue.read'));
  const names = useNames(rules.data, purposes.data, categories.data);
  const [holdFor, setHoldFor] = useState<{ customerId?: string } | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);

  const refresh = () => {
    setRefreshKey((k) => k + 1);
    void rules.reload();
    void holds.reload();
  };

  return (
    <>
      <PageHeader
        title={t('retention.title')}
        subtitle={t('retention.subtitle')}
        extra={
          <Button icon={<ReloadOutlined />} onClick={refresh} data-testid="retention-refresh">
            {t('common.refresh')}
          </Button>
        }
      />
      <Tabs
        data-testid="retention-tabs"
        activeKey={tab}
        onChange={(k) => setTab(k as TabKey)}
        items={[
          {
            key: 'rules',
            label: <span data-testid="retention-tab-rules">{t('retention.tab.rules')}</span>,
            children: (
              <RulesTab
                rules={rules.data}
                loading={rules.loading}
                names={names}
                purposes={purposes.data}
                categories={categories.data}
                onChanged={() => void rules.reload()}
              />
            ),
          },
          {
            key: 'expiries',
            label: <span data-testid="retention-tab-expiries">{t('retention.tab.expiries')}</span>,
            children: (
              <ExpiriesTab
                key={`expiries-${refreshKey}`}
                names={names}
                holds={holds.data}
                onHold={(customerId) => setHoldFor({ customerId })}
              />
            ),
          },
          {
            key: 'runs',
            label: <span data-testid="retention-tab-runs">{t('retention.tab.runs')}</span>,
            children: <RunsTab key={`runs-${refreshKey}`} names={names} />,
          },
          {
            key: 'holds',
            label: <span data-testid="retention-tab-holds">{t('retention.tab.holds')}</span>,
            children: (
              <HoldsTab
                holds={holds.data}
                loading={holds.loading}
                names={names}
                onCreate={() => setHoldFor({})}
                onChanged={() => {
                  void holds.reload();
                  void rules.reload();
                }}
              />
            ),
          },
        ]}
      />
      <HoldModal
        open={holdFor !== null}
        initialCustomerId={holdFor?.customerId}
        rules={rules.data}
        purposes={purposes.data}
        names={names}
        onClose={() => setHoldFor(null)}
        onPlaced={() => {
          setHoldFor(null);
          setTab('holds');
          void holds.reload();
          void rules.reload();
          setRefreshKey((k) => k + 1);
        }}
      />
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Rules

function RulesTab({
  rules,
  loading,
  names,
  purposes,
  categories,
  onChanged,
}: {
  rules: RetentionRule[];
  loading: boolean;
  names: Names;
  purposes: Purpose[];
  categories: DataCategory[];
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const { can } = useSession();
  const [showRetired, setShowRetired] = useState(false);
  const [creating, setCreating] = useState(false);
  const shown = useMemo(() => rules.filter((r) => showRetired || r.status === 'active'), [rules, showRetired]);

  const columns: ColumnsType<RetentionRule> = [
    {
      title: t('retention.rule.target'),
      key: 'target',
      render: (_: unknown, r) => (
        <Space size={[4, 4]} wrap>
          {r.source === 'purpose' ? <Tag color="geekblue">{t('retention.rule.source.purpose')}</Tag> : null}
          {r.purposeCode ? <Tag color="blue">{names.purpose(r.purposeCode)}</Tag> : null}
          {r.categoryCode ? <Tag variant="outlined">{names.category(r.categoryCode)}</Tag> : null}
        </Space>
      ),
    },
    {
      title: t('retention.rule.days'),
      dataIndex: 'days',
      width: 110,
      render: (v: number) => t('retention.rule.daysValue', { days: v }),
      sorter: (a, b) => a.days - b.days,
    },
    { title: t('retention.rule.trigger'), dataIndex: 'trigger', width: 190, render: (v: string) => triggerText(v, t) },
    { title: t('retention.rule.action'), dataIndex: 'action', width: 110, render: (v: RetentionAction) => <ActionTag value={v} /> },
    {
      title: t('retention.rule.description'),
      dataIndex: 'description',
      render: (v: string) => <Typography.Text style={{ fontSize: 13 }}>{v}</Typography.Text>,
    },
    {
      title: t('retention.rule.status'),
      key: 'status',
      width: 170,
      render: (_: unknown, r) => (
        <Space size={[4, 4]} wrap>
          <Tag color={r.status === 'active' ? 'green' : 'default'}>{t(`retention.rule.status.${r.status}`)}</Tag>
          {r.overridden ? (
            <Tooltip title={t('retention.rule.overriddenHint')}>
              <Tag color="gold">{t('retention.rule.overridden')}</Tag>
            </Tooltip>
          ) : null}
          {r.held ? (
            <Tag color="volcano" icon={<LockOutlined />}>
              {t('retention.held')}
            </Tag>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('common.created'),
      key: 'created',
      width: 190,
      render: (_: unknown, r) =>
        r.createdAt ? (
          <Space orientation="vertical" size={0}>
            <span>{formatDateTime(r.createdAt)}</span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {r.createdBy ?? ''}
            </Typography.Text>
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('retention.rule.withPurpose')}</Typography.Text>
        ),
    },
  ];

  return (
    <Card styles={{ body: { padding: 0 } }}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 12, padding: 12, flexWrap: 'wrap' }}>
        <Alert type="info" showIcon title={t('retention.rule.hint')} style={{ flex: 1, minWidth: 320 }} />
        <Space>
          <Switch checked={showRetired} onChange={setShowRetired} data-testid="retention-rules-retired" />
          <span>{t('retention.rule.showRetired')}</span>
        </Space>
        {can('retention.manage') ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="retention-rule-create">
            {t('retention.rule.new')}
          </Button>
        ) : null}
      </div>
      <Table<RetentionRule>
        data-testid="retention-rules-table"
        rowKey="key"
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={shown}
        locale={{ emptyText: <Empty description={t('retention.rule.empty')} /> }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
        onRow={(r) => ({ 'data-testid': `retention-rule-row-${r.id}`, 'data-status': r.status, 'data-key': r.key }) as object}
      />
      <RuleModal
        open={creating}
        purposes={purposes}
        categories={categories}
        onClose={() => setCreating(false)}
        onCreated={() => {
          setCreating(false);
          onChanged();
        }}
      />
    </Card>
  );
}

interface RuleForm {
  purposeCode?: string;
  categoryCode?: string;
  days: number;
  trigger: RetentionTrigger;
  action: RetentionAction;
  description: string;
}

function RuleModal({
  open,
  purposes,
  categories,
  onClose,
  onCreated,
}: {
  open: boolean;
  purposes: Purpose[];
  categories: DataCategory[];
  onClose: () => void;
  onCreated: (r: RetentionRule) => void;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<RuleForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const catMap = useMemo(() => new Map(categories.map((c) => [c.code, c])), [categories]);

  const submit = async () => {
    let v: RuleForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const body: NewRetentionRule = {
      ...(v.purposeCode ? { purposeCode: v.purposeCode } : {}),
      ...(v.categoryCode ? { categoryCode: v.categoryCode } : {}),
      days: v.days,
      trigger: v.trigger,
      action: v.action,
      description: v.description.trim(),
    };
    setSaving(true);
    try {
      const r = await api.createRetentionRule(body);
      success(t('retention.rule.created'));
      form.resetFields();
      onCreated(r);
    } catch (err) {
      report(err, { form });
    } finally {
      setSaving(false);
    }
  };

  const targetRule = {
    validator: async () => {
      if (!form.getFieldValue('purposeCode') && !form.getFieldValue('categoryCode')) throw new Error(t('retention.rule.targetRequired'));
    },
  };

  return (
    <Modal
      title={t('retention.rule.new')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'retention-rule-submit' }}
      width={640}
    >
      <Form<RuleForm>
        form={form}
        layout="vertical"
        preserve={false}
        autoComplete="off"
        initialValues={{ days: 365, trigger: 'relationship_end', action: 'delete' }}
        data-testid="retention-rule-form"
        style={{ marginTop: 16 }}
      >
        <Alert type="info" showIcon title={t('retention.rule.targetHint')} style={{ marginBottom: 16 }} />
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="purposeCode" label={t('retention.rule.purpose')} dependencies={['categoryCode']} rules={[targetRule]}>
              <Select<string>
                allowClear
                showSearch={{ optionFilterProp: 'search' }}
                placeholder={t('retention.rule.anyPurpose')}
                data-testid="retention-rule-form-purpose"
                options={purposes.map((p) => ({
                  value: p.code,
                  search: `${localized(p.name, lang)} ${p.code}`,
                  label: (
                    <span data-testid={`retention-rule-purpose-${p.code}`}>
                      {localized(p.name, lang) || p.code} <Typography.Text type="secondary">({p.code})</Typography.Text>
                    </span>
                  ),
                }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="categoryCode" label={t('retention.rule.category')} dependencies={['purposeCode']} rules={[targetRule]}>
              <Select<string>
                allowClear
                showSearch={{ optionFilterProp: 'search' }}
                placeholder={t('retention.rule.anyCategory')}
                data-testid="retention-rule-form-category"
                options={categories.map((c) => ({
                  value: c.code,
                  search: `${c.nameZh} ${c.nameEn} ${c.code}`,
                  label: <span data-testid={`retention-rule-category-${c.code}`}>{categoryLabel(c.code, lang, catMap)}</span>,
                }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item
              name="days"
              label={t('retention.rule.days')}
              rules={[{ required: true, type: 'integer', min: 1, max: 36500, message: t('retention.rule.daysHint') }]}
            >
              <InputNumber min={1} max={36500} precision={0} style={{ width: '100%' }} data-testid="retention-rule-form-days" />
            </Form.Item>
          </Col>
          <Col span={16}>
            <Form.Item name="trigger" label={t('retention.rule.trigger')} rules={[{ required: true }]}>
              <Select<RetentionTrigger>
                data-testid="retention-rule-form-trigger"
                options={RETENTION_TRIGGERS.map((x) => ({
                  value: x,
                  label: <span data-testid={`retention-rule-trigger-${x}`}>{t(`retentionTrigger.${x}`)}</span>,
                }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="action" label={t('retention.rule.action')} extra={t('retention.rule.actionHint')} rules={[{ required: true }]}>
          <Select<RetentionAction>
            data-testid="retention-rule-form-action"
            options={RETENTION_ACTIONS.map((x) => ({
              value: x,
              label: <span data-testid={`retention-rule-action-${x}`}>{t(`retention.action.${x}`)}</span>,
            }))}
          />
        </Form.Item>
        <Form.Item
          name="description"
          label={t('retention.rule.description')}
          extra={t('retention.rule.descriptionHint')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('retention.rule.description') }) },
            { min: 2, max: 500, message: t('retention.reasonLength') },
          ]}
        >
          <Input.TextArea rows={3} maxLength={500} data-testid="retention-rule-form-description" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// Upcoming expiries

type ExpiryItem = RetentionExpiries['items'][number];

function ExpiriesTab({ names, holds, onHold }: { names: Names; holds: LegalHold[]; onHold: (customerId: string) => void }) {
  const { t } = useI18n();
  const { can } = useSession();
  const [days, setDays] = useState<number>(30);
  // A ref: useLoad keeps its loader in a ref too, so reload() right after a change sees it.
  const daysRef = useRef(days);
  const expiries = useLoad<RetentionExpiries | null>(() => api.listRetentionExpiries(daysRef.current), null);
  const heldCustomers = useMemo(() => new Set(holds.filter((h) => !h.releasedAt && h.customerId).map((h) => h.customerId)), [holds]);
  const e = expiries.data;

  const changeDays = (d: number) => {
    setDays(d);
    daysRef.current = d;
    void expiries.reload();
  };

  const columns: ColumnsType<ExpiryItem> = [
    { title: t('retention.customer'), dataIndex: 'customerId', width: 130, render: (v: string) => <CustomerLink id={v} /> },
    {
      title: t('retention.expiry.what'),
      key: 'what',
      render: (_: unknown, x) =>
        x.scope === 'customer' ? (
          <Tag color="red">{t('retention.expiry.wholeCustomer')}</Tag>
        ) : (
          <Space size={[4, 4]} wrap>
            {x.fields.map((f) => (
              <Tag key={f} variant="outlined">
                {names.category(f)}
              </Tag>
            ))}
          </Space>
        ),
    },
    { title: t('retention.expiry.at'), dataIndex: 'at', width: 180, render: (v: string) => formatDateTime(v) },
    { title: t('retention.expiry.rule'), dataIndex: 'rule', render: (v: string) => ruleKeyText(v, names, t) },
    {
      title: t('retention.rule.action'),
      key: 'action',
      width: 110,
      render: (_: unknown, x) => {
        if (x.scope === 'fields') return <ActionTag value="remove_fields" />;
        const r = names.rules.get(x.rule);
        return <ActionTag value={r?.action ?? 'delete'} />;
      },
    },
    {
      title: t('retention.held'),
      key: 'held',
      width: 90,
      render: (_: unknown, x) =>
        heldCustomers.has(x.customerId) || names.rules.get(x.rule)?.held ? (
          <Tag color="volcano" icon={<LockOutlined />}>
            {t('common.yes')}
          </Tag>
        ) : (
          <Typography.Text type="secondary">{t('common.no')}</Typography.Text>
        ),
    },
    ...(can('retention.hold')
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 120,
            render: (_: unknown, x: ExpiryItem) => (
              <Button
                type="link"
                size="small"
                icon={<LockOutlined />}
                disabled={heldCustomers.has(x.customerId)}
                onClick={() => onHold(x.customerId)}
                data-testid={`retention-expiry-hold-${x.customerId}`}
              >
                {t('retention.hold.place')}
              </Button>
            ),
          },
        ]
      : []),
  ];

  return (
    <Card styles={{ body: { padding: 0 } }}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 24, padding: 16, flexWrap: 'wrap' }}>
        <Space>
          <span>{t('retention.expiry.window')}</span>
          <Select<number>
            value={days}
            style={{ width: 140 }}
            onChange={changeDays}
            data-testid="retention-expiries-window"
            options={EXPIRY_WINDOWS.map((d) => ({ value: d, label: t('retention.expiry.windowDays', { days: d }) }))}
          />
        </Space>
        <Statistic title={t('retention.expiry.total')} value={e?.total ?? 0} data-testid="retention-expiries-total" />
        <Tooltip title={t('retention.expiry.dueHint')}>
          <Statistic
            title={t('retention.expiry.due')}
            value={e?.due ?? 0}
            data-testid="retention-expiries-due"
            styles={{ content: { color: e && e.due > 0 ? '#cf1322' : undefined } }}
          />
        </Tooltip>
        <Statistic title={t('retention.expiry.held')} value={e?.held ?? 0} data-testid="retention-expiries-held" />
        {e && e.byRule.length ? (
          <Space size={[4, 4]} wrap style={{ flex: 1 }}>
            <Typography.Text type="secondary">{t('retention.expiry.byRule')}</Typography.Text>
            {e.byRule.map((b) => (
              <Tag key={b.rule}>{`${ruleKeyText(b.rule, names, t)}: ${b.customers}`}</Tag>
            ))}
          </Space>
        ) : null}
      </div>
      <Table<ExpiryItem>
        data-testid="retention-expiries-table"
        rowKey={(x) => `${x.customerId}:${x.rule}:${x.at}`}
        size="middle"
        loading={expiries.loading}
        columns={columns}
        dataSource={e?.items ?? []}
        locale={{ emptyText: <Empty description={t('retention.expiry.empty')} /> }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
        onRow={(x) => ({ 'data-testid': `retention-expiry-row-${x.customerId}`, 'data-scope': x.scope }) as object}
      />
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// Sweep runs

function RunsTab({ names }: { names: Names }) {
  const { t } = useI18n();
  const { can } = useSession();
  const report = useProblemReporter();
  const success = useSuccess();
  const runs = useLoad<RetentionRun[]>(api.listRetentionRuns, []);
  const [preview, setPreview] = useState<RetentionPreview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [running, setRunning] = useState(false);
  const [busy, setBusy] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);

  const doPreview = async () => {
    setPreviewing(true);
    try {
      setPreview(await api.previewRetentionSweep());
    } catch (err) {
      report(err);
    } finally {
      setPreviewing(false);
    }
  };

  const doRun = async () => {
    setRunning(true);
    setBusy(false);
    try {
      const run = await api.runRetentionSweep();
      success(t('retention.run.done', { count: run.counts.deleted + run.counts.anonymised + run.counts.customersWithFieldsRemoved }));
      setPreview(null);
      await runs.reload();
      setOpenId(run.id);
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 409) {
        setBusy(true);
        void runs.reload();
      } else report(err);
    } finally {
      setRunning(false);
    }
  };

  const columns: ColumnsType<RetentionRun> = [
    { title: t('retention.run.startedAt'), dataIndex: 'startedAt', width: 180, render: (v: string) => formatDateTime(v) },
    { title: t('retention.run.finishedAt'), dataIndex: 'finishedAt', width: 180, render: (v: string | null) => formatDateTime(v) },
    {
      title: t('retention.run.status'),
      dataIndex: 'status',
      width: 110,
      render: (v: RetentionRunStatus, r) => (
        <Tooltip title={r.error ?? undefined}>
          <Tag color={RUN_STATUS_COLOR[v]} data-testid="retention-run-status" data-status={v}>
            {t(`retention.run.status.${v}`)}
          </Tag>
        </Tooltip>
      ),
    },
    {
      title: t('retention.run.kind'),
      key: 'kind',
      width: 150,
      render: (_: unknown, r) => (
        <Space size={4}>
          <Tag color="red">{t('retention.run.real')}</Tag>
          <Tag>{t(`retention.run.trigger.${r.trigger}`)}</Tag>
        </Space>
      ),
    },
    { title: t('retention.run.startedBy'), dataIndex: 'startedBy', width: 120 },
    { title: t('retention.count.scanned'), key: 'scanned', width: 90, render: (_: unknown, r) => r.counts.scanned },
    { title: t('retention.count.deleted'), key: 'deleted', width: 90, render: (_: unknown, r) => r.counts.deleted },
    { title: t('retention.count.anonymised'), key: 'anonymised', width: 90, render: (_: unknown, r) => r.counts.anonymised },
    {
      title: t('retention.count.fieldsRemoved'),
      key: 'fields',
      width: 110,
      render: (_: unknown, r) => `${r.counts.customersWithFieldsRemoved} / ${r.counts.fieldsRemoved}`,
    },
    { title: t('retention.count.held'), key: 'held', width: 80, render: (_: unknown, r) => r.counts.held },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 100,
      render: (_: unknown, r) => (
        <Button type="link" size="small" icon={<EyeOutlined />} onClick={() => setOpenId(r.id)} data-testid={`retention-run-open-${r.id}`}>
          {t('retention.run.report')}
        </Button>
      ),
    },
  ];

  return (
    <Card styles={{ body: { padding: 0 } }}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 12, padding: 12, flexWrap: 'wrap' }}>
        <Alert type="info" showIcon title={t('retention.run.hint')} style={{ flex: 1, minWidth: 320 }} />
        <Button icon={<FileSearchOutlined />} loading={previewing} onClick={() => void doPreview()} data-testid="retention-preview">
          {t('retention.preview')}
        </Button>
        {can('retention.manage') ? (
          <Popconfirm
            title={t('retention.run.confirmTitle')}
            description={<div style={{ maxWidth: 360 }}>{t('retention.run.confirm')}</div>}
            okText={t('retention.run.now')}
            okButtonProps={{ danger: true, 'data-testid': 'retention-run-confirm' }}
            cancelText={t('common.cancel')}
            onConfirm={() => doRun()}
          >
            <Button type="primary" danger icon={<CaretRightOutlined />} loading={running} data-testid="retention-run">
              {t('retention.run.now')}
            </Button>
          </Popconfirm>
        ) : null}
      </div>
      {busy ? (
        <Alert
          type="warning"
          showIcon
          closable={{ onClose: () => setBusy(false) }}
          title={t('retention.run.busy')}
          description={t('retention.run.busyHint')}
          style={{ margin: '0 12px 12px' }}
          data-testid="retention-run-busy"
        />
      ) : null}
      <Table<RetentionRun>
        data-testid="retention-runs-table"
        rowKey="id"
        size="middle"
        loading={runs.loading}
        columns={columns}
        dataSource={runs.data}
        locale={{ emptyText: <Empty description={t('retention.run.empty')} /> }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
        onRow={(r) => ({ 'data-testid': `retention-run-row-${r.id}`, 'data-status': r.status }) as object}
      />
      <Drawer
        title={t('retention.preview.title')}
        open={preview !== null}
        onClose={() => setPreview(null)}
        size={900}
        destroyOnHidden
        extra={
          can('retention.manage') && preview && preview.items.length > 0 ? (
            <Popconfirm
              title={t('retention.run.confirmTitle')}
              description={<div style={{ maxWidth: 360 }}>{t('retention.run.confirm')}</div>}
              okText={t('retention.run.now')}
              okButtonProps={{ danger: true, 'data-testid': 'retention-preview-run-confirm' }}
              cancelText={t('common.cancel')}
              onConfirm={() => doRun()}
            >
              <Button type="primary" danger icon={<CaretRightOutlined />} loading={running} data-testid="retention-preview-run">
                {t('retention.run.now')}
              </Button>
            </Popconfirm>
          ) : null
        }
      >
        {preview ? (
          <div data-testid="retention-report" data-kind="preview" data-items={preview.items.length}>
            <Alert
              type="info"
              showIcon
              title={t('retention.preview.hint', { asOf: formatDateTime(preview.asOf) })}
              style={{ marginBottom: 16 }}
            />
            <CountsView counts={preview.counts} />
            <Typography.Title level={5} style={{ marginTop: 24 }}>
              {t('retention.preview.items')}
            </Typography.Title>
            {preview.truncated ? (
              <Alert type="warning" showIcon title={t('retention.preview.truncated')} style={{ marginBottom: 12 }} />
            ) : null}
            <PlanTable items={preview.items} names={names} />
          </div>
        ) : null}
      </Drawer>
      <RunDrawer key={openId ?? 'none'} id={openId} names={names} onClose={() => setOpenId(null)} />
    </Card>
  );
}

function CountsView({ counts }: { counts: SweepCounts }) {
  const { t } = useI18n();
  const entries: [keyof SweepCounts, string][] = [
    ['scanned', t('retention.count.scanned')],
    ['deleted', t('retention.count.deleted')],
    ['anonymised', t('retention.count.anonymised')],
    ['customersWithFieldsRemoved', t('retention.count.customersWithFieldsRemoved')],
    ['fieldsRemoved', t('retention.count.fieldsRemovedTotal')],
    ['held', t('retention.count.held')],
  ];
  return (
    <Row gutter={[16, 16]} data-testid="retention-counts">
      {entries.map(([k, label]) => (
        <Col key={k} span={4}>
          <Statistic title={label} value={counts[k]} data-testid={`retention-count-${k}`} data-value={counts[k]} />
        </Col>
      ))}
    </Row>
  );
}

function FieldTags({ fields, names }: { fields: string[]; names: Names }) {
  return (
    <Space size={[4, 4]} wrap>
      {fields.map((f) => (
        <Tag key={f} variant="outlined">
          {names.category(f)}
        </Tag>
      ))}
    </Space>
  );
}

function RuleList({ rules, names }: { rules: string[]; names: Names }) {
  const { t } = useI18n();
  return (
    <Space orientation="vertical" size={0}>
      {rules.map((r) => (
        <Typography.Text key={r} style={{ fontSize: 12 }}>
          {ruleKeyText(r, names, t)}
        </Typography.Text>
      ))}
    </Space>
  );
}

function PlanTable({ items, names }: { items: RetentionPlanItem[]; names: Names }) {
  const { t } = useI18n();
  return (
    <Table<RetentionPlanItem>
      data-testid="retention-plan-table"
      rowKey="customerId"
      size="small"
      scroll={{ x: 800 }}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      dataSource={items}
      locale={{ emptyText: <Empty description={t('retention.preview.empty')} /> }}
      onRow={(x) => ({ 'data-testid': `retention-plan-row-${x.customerId}`, 'data-action': x.action }) as object}
      columns={[
        { title: t('retention.customer'), dataIndex: 'customerId', width: 110, render: (v: string) => <CustomerLink id={v} /> },
        { title: t('retention.rule.action'), dataIndex: 'action', width: 110, render: (v: RetentionPlanAction) => <ActionTag value={v} /> },
        { title: t('retention.fields'), dataIndex: 'fields', render: (v: string[]) => <FieldTags fields={v} names={names} /> },
        { title: t('retention.rules'), dataIndex: 'rules', width: 220, render: (v: string[]) => <RuleList rules={v} names={names} /> },
        { title: t('retention.expiredAt'), dataIndex: 'expiredAt', width: 170, render: (v: string) => formatDateTime(v) },
      ]}
    />
  );
}

function RunDrawer({ id, names, onClose }: { id: string | null; names: Names; onClose: () => void }) {
  const { t } = useI18n();
  const report = useLoad<RetentionRunReport | null>(() => (id ? api.getRetentionRun(id) : Promise.resolve(null)), null, id !== null);
  const d = report.data && report.data.run.id === id ? report.data : null;
  const r = d?.run;
  return (
    <Drawer
      title={r ? t('retention.run.reportTitle', { at: formatDateTime(r.startedAt) }) : t('retention.run.report')}
      open={id !== null}
      onClose={onClose}
      size={960}
      destroyOnHidden
    >
      {d && r ? (
        <div data-testid="retention-report" data-kind="run" data-destructions={d.totalDestructions}>
          <Descriptions
            bordered
            size="small"
            column={2}
            styles={{ label: { width: 130 } }}
            items={[
              { key: 'id', label: t('retention.run.id'), span: 2, children: <span className="custos-mono">{r.id}</span> },
              {
                key: 'status',
                label: t('retention.run.status'),
                children: <Tag color={RUN_STATUS_COLOR[r.status]}>{t(`retention.run.status.${r.status}`)}</Tag>,
              },
              { key: 'trigger', label: t('retention.run.kind'), children: t(`retention.run.trigger.${r.trigger}`) },
              { key: 'started', label: t('retention.run.startedAt'), children: `${formatDateTime(r.startedAt)} · ${r.startedBy}` },
              { key: 'finished', label: t('retention.run.finishedAt'), children: formatDateTime(r.finishedAt) },
              { key: 'asOf', label: t('retention.run.asOf'), children: formatDateTime(r.asOf) },
              {
                key: 'duration',
                label: t('retention.run.duration'),
                children: r.durationMs === null ? t('common.none') : t('retention.run.durationValue', { ms: r.durationMs }),
              },
              { key: 'batches', label: t('retention.run.batches'), children: `${r.batches} × ${r.batchSize}` },
              { key: 'resumes', label: t('retention.run.resumes'), children: r.resumes },
              ...(r.error ? [{ key: 'error', label: t('retention.run.error'), span: 2, children: r.error }] : []),
            ]}
          />
          <div style={{ marginTop: 16 }}>
            <CountsView counts={r.counts} />
          </div>
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('retention.run.destructions', { count: d.totalDestructions })}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('retention.run.destructionsHint')}</Typography.Paragraph>
          {d.totalDestructions > d.destructions.length ? (
            <Alert
              type="warning"
              showIcon
              title={t('retention.run.destructionsTruncated', { shown: d.destructions.length, total: d.totalDestructions })}
              style={{ marginBottom: 12 }}
            />
          ) : null}
          <Table<RetentionDestruction>
            data-testid="retention-destructions-table"
            rowKey="customerId"
            size="small"
            scroll={{ x: 1250 }}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            dataSource={d.destructions}
            locale={{ emptyText: <Empty description={t('retention.run.noDestructions')} /> }}
            onRow={(x) => ({ 'data-testid': `retention-destruction-row-${x.customerId}`, 'data-action': x.action }) as object}
            columns={[
              { title: t('retention.customer'), dataIndex: 'customerId', width: 110, render: (v: string) => <CustomerLink id={v} /> },
              {
                title: t('retention.rule.action'),
                dataIndex: 'action',
                width: 110,
                render: (v: RetentionPlanAction) => <ActionTag value={v} />,
              },
              {
                title: t('retention.destruction.method'),
                dataIndex: 'method',
                width: 150,
                render: (v: RetentionDestruction['method']) => t(`retention.method.${v}`),
              },
              { title: t('retention.fields'), dataIndex: 'fields', render: (v: string[]) => <FieldTags fields={v} names={names} /> },
              {
                title: t('retention.rules'),
                dataIndex: 'rules',
                width: 220,
                render: (v: string[]) => <RuleList rules={v} names={names} />,
              },
              { title: t('retention.destruction.history'), dataIndex: 'historyEntries', width: 90 },
              { title: t('retention.expiredAt'), dataIndex: 'expiredAt', width: 165, render: (v: string) => formatDateTime(v) },
              { title: t('retention.destruction.at'), dataIndex: 'destroyedAt', width: 165, render: (v: string) => formatDateTime(v) },
              { title: t('retention.destruction.keepUntil'), dataIndex: 'keepUntil', width: 110, render: (v: string) => v.slice(0, 10) },
            ]}
          />
        </div>
      ) : (
        <Typography.Text type="secondary">{t('common.loading')}</Typography.Text>
      )}
    </Drawer>
  );
}

// ---------------------------------------------------------------------------------------------
// Legal holds

function HoldScope({ h, names }: { h: LegalHold; names: Names }) {
  const { t } = useI18n();
  if (h.customerId)
    return (
      <Space size={4}>
        <Tag>{t('retention.hold.scope.customer')}</Tag>
        <CustomerLink id={h.customerId} />
      </Space>
    );
  if (h.ruleId)
    return (
      <Space size={4}>
        <Tag color="blue">{t('retention.hold.scope.rule')}</Tag>
        <span>{ruleKeyText(`rule:${h.ruleId}`, names, t)}</span>
      </Space>
    );
  return (
    <Space size={4}>
      <Tag color="geekblue">{t('retention.hold.scope.purpose')}</Tag>
      <span>{h.purposeCode ? names.purpose(h.purposeCode) : t('common.none')}</span>
    </Space>
  );
}

function HoldsTab({
  holds,
  loading,
  names,
  onCreate,
  onChanged,
}: {
  holds: LegalHold[];
  loading: boolean;
  names: Names;
  onCreate: () => void;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const { can } = useSession();
  const [showReleased, setShowReleased] = useState(true);
  const [releasing, setReleasing] = useState<LegalHold | null>(null);
  const shown = useMemo(
    () =>
      holds
        .filter((h) => showReleased || !h.releasedAt)
        .sort((a, b) => Number(Boolean(a.releasedAt)) - Number(Boolean(b.releasedAt)) || b.placedAt.localeCompare(a.placedAt)),
    [holds, showReleased],
  );

  const columns: ColumnsType<LegalHold> = [
    { title: t('retention.hold.scope'), key: 'scope', render: (_: unknown, h) => <HoldScope h={h} names={names} /> },
    { title: t('retention.hold.reason'), dataIndex: 'reason' },
    { title: t('retention.hold.legalBasis'), dataIndex: 'legalBasis' },
    { title: t('retention.hold.placedBy'), dataIndex: 'placedBy', width: 110 },
    { title: t('retention.hold.placedAt'), dataIndex: 'placedAt', width: 170, render: (v: string) => formatDateTime(v) },
    {
      title: t('retention.hold.released'),
      key: 'released',
      width: 230,
      render: (_: unknown, h) =>
        h.releasedAt ? (
          <Space orientation="vertical" size={0}>
            <span>
              {formatDateTime(h.releasedAt)} · {h.releasedBy}
            </span>
            {h.releaseReason ? (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {h.releaseReason}
              </Typography.Text>
            ) : null}
          </Space>
        ) : (
          <Tag color="volcano" icon={<LockOutlined />}>
            {t('retention.hold.inForce')}
          </Tag>
        ),
    },
    ...(can('retention.hold')
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 100,
            render: (_: unknown, h: LegalHold) =>
              h.releasedAt ? null : (
                <Button
                  type="link"
                  size="small"
                  icon={<UnlockOutlined />}
                  onClick={() => setReleasing(h)}
                  data-testid={`retention-hold-release-${h.id}`}
                >
                  {t('retention.hold.release')}
                </Button>
              ),
          },
        ]
      : []),
  ];

  return (
    <Card styles={{ body: { padding: 0 } }}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 12, padding: 12, flexWrap: 'wrap' }}>
        <Alert type="info" showIcon title={t('retention.hold.hint')} style={{ flex: 1, minWidth: 320 }} />
        <Space>
          <Switch checked={showReleased} onChange={setShowReleased} data-testid="retention-holds-released" />
          <span>{t('retention.hold.showReleased')}</span>
        </Space>
        {can('retention.hold') ? (
          <Button type="primary" icon={<LockOutlined />} onClick={onCreate} data-testid="retention-hold-create">
            {t('retention.hold.place')}
          </Button>
        ) : null}
      </div>
      <Table<LegalHold>
        data-testid="retention-holds-table"
        rowKey="id"
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={shown}
        locale={{ emptyText: <Empty description={t('retention.hold.empty')} /> }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
        onRow={(h) => ({ 'data-testid': `retention-hold-row-${h.id}`, 'data-status': h.releasedAt ? 'released' : 'active' }) as object}
      />
      <ReleaseModal
        hold={releasing}
        names={names}
        onClose={() => setReleasing(null)}
        onReleased={() => {
          setReleasing(null);
          onChanged();
        }}
      />
    </Card>
  );
}

type HoldScopeKind = 'customer' | 'rule' | 'purpose';

interface HoldForm {
  scope: HoldScopeKind;
  customerId?: string;
  ruleId?: string;
  purposeCode?: string;
  reason: string;
  legalBasis: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function HoldModal({
  open,
  initialCustomerId,
  rules,
  purposes,
  names,
  onClose,
  onPlaced,
}: {
  open: boolean;
  initialCustomerId?: string;
  rules: RetentionRule[];
  purposes: Purpose[];
  names: Names;
  onClose: () => void;
  onPlaced: (h: LegalHold) => void;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<HoldForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const scope = Form.useWatch('scope', form) ?? 'customer';
  const explicitRules = rules.filter((r) => r.source === 'rule' && r.status === 'active');
  // Purposes with their own retention in force (not every active purpose is governed by it).
  const purposeCodes = new Set([
    ...rules.filter((r) => r.source === 'purpose').map((r) => r.purposeCode ?? ''),
    ...purposes.map((p) => p.code),
  ]);

  const submit = async () => {
    let v: HoldForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const body: NewLegalHold = {
      ...(v.scope === 'customer' ? { customerId: v.customerId?.trim().toLowerCase() } : {}),
      ...(v.scope === 'rule' ? { ruleId: v.ruleId } : {}),
      ...(v.scope === 'purpose' ? { purposeCode: v.purposeCode } : {}),
      reason: v.reason.trim(),
      legalBasis: v.legalBasis.trim(),
    };
    setSaving(true);
    try {
      const h = await api.placeLegalHold(body);
      success(t('retention.hold.placed'));
      form.resetFields();
      onPlaced(h);
    } catch (err) {
      report(err, { form });
    } finally {
      setSaving(false);
    }
  };
  const required = (field: string) => ({ required: true, whitespace: true, message: t('common.required', { field }) });

  return (
    <Modal
      title={t('retention.hold.place')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('retention.hold.place')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'retention-hold-submit' }}
      width={640}
    >
      <Form<HoldForm>
        form={form}
        layout="vertical"
        preserve={false}
        autoComplete="off"
        initialValues={{ scope: 'customer', customerId: initialCustomerId }}
        data-testid="retention-hold-form"
        style={{ marginTop: 16 }}
      >
        <Alert type="warning" showIcon title={t('retention.hold.formHint')} style={{ marginBottom: 16 }} />
        <Form.Item name="scope" label={t('retention.hold.scope')}>
          <Radio.Group data-testid="retention-hold-form-scope">
            {(['customer', 'rule', 'purpose'] as const).map((s) => (
              <Radio.Button key={s} value={s} data-testid={`retention-hold-form-scope-${s}`}>
                {t(`retention.hold.scope.${s}`)}
              </Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
        {scope === 'customer' ? (
          <Form.Item
            name="customerId"
            label={t('retention.hold.customerId')}
            extra={t('retention.hold.customerIdHint')}
            rules={[required(t('retention.hold.customerId')), { pattern: UUID_RE, message: t('retention.hold.customerIdInvalid') }]}
          >
            <Input className="custos-mono" maxLength={36} data-testid="retention-hold-form-customer" />
          </Form.Item>
        ) : null}
        {scope === 'rule' ? (
          <Form.Item
            name="ruleId"
            label={t('retention.hold.rule')}
            rules={[{ required: true, message: t('common.required', { field: t('retention.hold.rule') }) }]}
          >
            <Select<string>
              data-testid="retention-hold-form-rule"
              options={explicitRules.map((r) => ({
                value: r.id,
                label: <span data-testid={`retention-hold-rule-${r.id}`}>{ruleKeyText(r.key, names, t)}</span>,
              }))}
            />
          </Form.Item>
        ) : null}
        {scope === 'purpose' ? (
          <Form.Item
            name="purposeCode"
            label={t('retention.hold.purpose')}
            extra={t('retention.hold.purposeHint')}
            rules={[{ required: true, message: t('common.required', { field: t('retention.hold.purpose') }) }]}
          >
            <Select<string>
              data-testid="retention-hold-form-purpose"
              options={[...purposeCodes]
                .filter(Boolean)
                .map((c) => ({ value: c, label: <span data-testid={`retention-hold-purpose-${c}`}>{`${names.purpose(c)} (${c})`}</span> }))}
            />
          </Form.Item>
        ) : null}
        <Form.Item
          name="reason"
          label={t('retention.hold.reason')}
          rules={[required(t('retention.hold.reason')), { min: 2, max: 500, message: t('retention.reasonLength') }]}
        >
          <Input.TextArea rows={2} maxLength={500} data-testid="retention-hold-form-reason" />
        </Form.Item>
        <Form.Item
          name="legalBasis"
          label={t('retention.hold.legalBasis')}
          extra={t('retention.hold.legalBasisHint')}
          rules={[required(t('retention.hold.legalBasis')), { min: 2, max: 500, message: t('retention.reasonLength') }]}
        >
          <Input.TextArea rows={2} maxLength={500} data-testid="retention-hold-form-basis" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ReleaseModal({
  hold,
  names,
  onClose,
  onReleased,
}: {
  hold: LegalHold | null;
  names: Names;
  onClose: () => void;
  onReleased: (h: LegalHold) => void;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ reason: string }>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    if (!hold) return;
    let v: { reason: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      const h = await api.releaseLegalHold(hold.id, v.reason.trim());
      success(t('retention.hold.releasedMsg'));
      onReleased(h);
    } catch (err) {
      report(err, { form });
    } finally {
      setSaving(false);
    }
  };
  let scope: ReactNode = null;
  if (hold) scope = <HoldScope h={hold} names={names} />;
  return (
    <Modal
      title={t('retention.hold.release')}
      open={hold !== null}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('retention.hold.release')}
      okButtonProps={{ danger: true, 'data-testid': 'retention-hold-release-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Alert type="warning" showIcon title={t('retention.hold.releaseConfirm')} style={{ margin: '12px 0' }} />
      <div style={{ marginBottom: 12 }}>{scope}</div>
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item
          name="reason"
          label={t('retention.hold.releaseReason')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('retention.hold.releaseReason') }) },
            { min: 2, max: 500, message: t('retention.reasonLength') },
          ]}
        >
          <Input.TextArea rows={3} maxLength={500} data-testid="retention-hold-release-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
