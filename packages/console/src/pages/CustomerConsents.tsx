/**
 * The consent tab of a customer: the current state per purpose and category, the full ledger
 * (grants and withdrawals, each with its notice hash and evidence hashes), and the two staff
 * actions: record a consent given offline (paper, recorded call, e-signature) and withdraw on the
 * customer's behalf. The ledger is append-only; nothing here edits a record.
 */
import { FileSearchOutlined, PlusOutlined, ReloadOutlined, RollbackOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
  Upload,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import {
  CONSENT_METHODS,
  STAFF_CONSENT_METHODS,
  api,
  type Channel,
  type ConsentMethod,
  type ConsentRecord,
  type ConsentState,
  type CustomerConsents as CustomerConsentsData,
  type DataCategory,
  type Notice,
  type Purpose,
  type RecordConsentRequest,
  type WithdrawConsentRequest,
} from '../api';
import { ConsentStatusTag, HashText, useChannelNames, useUserNames } from '../components/ConsentParts';
import { categoryLabel, dataLabel, formatDateTime, localized, shortId } from '../format';
import { useI18n } from '../i18n';
import { nestedFieldMapper, useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import { useLoad } from '../useLoad';
import { SensitivityTag } from './CataloguePage';
import { sensitiveFieldsOf } from './NoticesPage';

type Categories = ReadonlyMap<string, DataCategory>;

const HEX64 = /^[0-9a-f]{64}$/;

const EMPTY: CustomerConsentsData = { records: [], current: [] };

function isSeparate(s: ConsentState['separate']): boolean {
  return typeof s === 'boolean' ? s : s !== null && s !== undefined;
}

export function CustomerConsents({ customerId, categories }: { customerId: string; categories: Categories }) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const data = useLoad<CustomerConsentsData>(() => api.listCustomerConsents(customerId), EMPTY);
  const purposes = useLoad<Purpose[]>(() => api.listPurposes(), [], can('purpose.read'));
  const userName = useUserNames();
  const channels = useChannelNames();
  const [recording, setRecording] = useState(false);
  const [withdrawing, setWithdrawing] = useState(false);
  const manage = can('consent.manage');

  const label = (code: string) => categoryLabel(code, lang, categories);
  const purposeName = (code: string) => {
    const p = purposes.data.find((x) => x.code === code && x.status === 'active') ?? purposes.data.find((x) => x.code === code);
    return p ? localized(p.name, lang) : '';
  };
  const methodLabel = (m: string) => dataLabel('consentMethod', m, t);

  const records = useMemo(() => [...data.data.records].sort((a, b) => b.recordedAt.localeCompare(a.recordedAt)), [data.data.records]);
  const granted = data.data.current.filter((s) => s.status === 'granted');

  const stateColumns: ColumnsType<ConsentState> = [
    {
      title: t('consent.purpose'),
      dataIndex: 'purposeCode',
      render: (v: string, s) => (
        <Space orientation="vertical" size={0}>
          <span>{purposeName(v) || v}</span>
          <Typography.Text type="secondary" className="custos-mono">
            {v} · v{s.purposeVersion}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('consent.category'),
      dataIndex: 'category',
      render: (v: string) => (
        <Space size={6}>
          <span>{label(v)}</span>
          {categories.get(v)?.sensitivity === 'sensitive' ? <SensitivityTag value="sensitive" /> : null}
        </Space>
      ),
    },
    { title: t('consent.status'), dataIndex: 'status', width: 100, render: (v: ConsentState['status']) => <ConsentStatusTag value={v} /> },
    {
      title: t('consent.separate'),
      dataIndex: 'separate',
      width: 90,
      render: (v: ConsentState['separate']) => (isSeparate(v) ? <Tag color="red">{t('common.yes')}</Tag> : <Tag>{t('common.no')}</Tag>),
    },
    { title: t('consent.givenAt'), dataIndex: 'givenAt', width: 170, render: (v: string) => formatDateTime(v) },
    { title: t('consent.withdrawnAt'), dataIndex: 'withdrawnAt', width: 170, render: (v: string | null) => formatDateTime(v) },
    { title: t('consent.expiresAt'), dataIndex: 'expiresAt', width: 170, render: (v: string | null) => formatDateTime(v) },
  ];

  const evidence = (r: ConsentRecord) => {
    const e = r.evidence ?? {};
    const items = (['formSnapshotHash', 'documentHash', 'ipHash', 'userAgentHash'] as const).filter((k) => e[k]);
    if (!items.length) return null;
    return (
      <div>
        {items.map((k) => (
          <div key={k}>
            <Typography.Text type="secondary">{t(`consent.evidence.${k}`)}：</Typography.Text>
            <HashText value={e[k]} testId={`consent-evidence-${k}-${r.id}`} />
          </div>
        ))}
      </div>
    );
  };

  const timeline = records.map((r) => ({
    key: r.id,
    color: r.kind === 'grant' ? 'green' : 'orange',
    children: (
      <div data-testid={`consent-record-${r.id}`} data-kind={r.kind}>
        <Space size={8} wrap>
          <Tag color={r.kind === 'grant' ? 'green' : 'orange'}>{t(`consent.kind.${r.kind}`)}</Tag>
          <Typography.Text strong>{purposeName(r.purposeCode) || r.purposeCode}</Typography.Text>
          <Typography.Text type="secondary" className="custos-mono">
            {r.purposeCode} · v{r.purposeVersion}
          </Typography.Text>
          <Typography.Text type="secondary">{formatDateTime(r.recordedAt)}</Typography.Text>
        </Space>
        <div style={{ marginTop: 4, fontSize: 13 }}>
          <div>
            <Typography.Text type="secondary">{t('consent.scope')}：</Typography.Text>
            {r.scope.length ? r.scope.map(label).join(lang === 'zh-CN' ? '、' : ', ') : t('consent.scopeAll')}
          </div>
          {r.separate ? (
            <div>
              <Typography.Text type="secondary">{t('consent.separate')}：</Typography.Text>
              {r.separate.category ? label(r.separate.category) : r.separate.type}
              {r.separate.recipient ? ` → ${r.separate.recipient}` : ''}
            </div>
          ) : null}
          <div>
            <Typography.Text type="secondary">{t('consent.method')}：</Typography.Text>
            {methodLabel(r.method)}
            <Typography.Text type="secondary" style={{ marginInlineStart: 16 }}>
              {t('consent.channel')}：
            </Typography.Text>
            {channels.name(r.channelId)}
          </div>
          {r.noticeId ? (
            <div>
              <Typography.Text type="secondary">{t('consent.notice')}：</Typography.Text>
              <Typography.Text className="custos-mono" title={r.noticeId}>
                {shortId(r.noticeId)}
              </Typography.Text>
              <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
                SHA-256
              </Typography.Text>{' '}
              <HashText value={r.noticeHash} testId={`consent-notice-hash-${r.id}`} />
            </div>
          ) : null}
          {evidence(r)}
          <div>
            <Typography.Text type="secondary">{t('consent.recordedBy')}：</Typography.Text>
            {r.recordedBy ? userName(r.recordedBy) : t('consent.recordedByCustomer')}
            {r.expiresAt ? (
              <>
                <Typography.Text type="secondary" style={{ marginInlineStart: 16 }}>
                  {t('consent.expiresAt')}：
                </Typography.Text>
                {formatDateTime(r.expiresAt)}
              </>
            ) : null}
          </div>
        </div>
      </div>
    ),
  }));

  return (
    <div data-testid="consent-panel">
      <Space style={{ marginBottom: 12 }} wrap>
        <Button icon={<ReloadOutlined />} onClick={() => void data.reload()} data-testid="consent-refresh">
          {t('common.refresh')}
        </Button>
        {manage ? (
          <>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setRecording(true)} data-testid="consent-record">
              {t('consent.record')}
            </Button>
            <Button
              danger
              icon={<RollbackOutlined />}
              disabled={granted.length === 0}
              onClick={() => setWithdrawing(true)}
              data-testid="consent-withdraw"
            >
              {t('consent.withdraw')}
            </Button>
          </>
        ) : null}
      </Space>
      <Card title={t('consent.current')} size="small" style={{ marginBottom: 16 }} styles={{ body: { padding: 0 } }}>
        <Table<ConsentState>
          data-testid="consent-current"
          rowKey={(s) => `${s.purposeCode}:${s.category}:${s.consentId}`}
          size="small"
          loading={data.loading}
          columns={stateColumns}
          dataSource={data.data.current}
          pagination={false}
          locale={{ emptyText: t('consent.noneYet') }}
          onRow={(s) => ({ 'data-testid': `consent-state-${s.purposeCode}-${s.category}`, 'data-status': s.status }) as object}
        />
      </Card>
      <Card title={t('consent.ledger')} size="small" extra={<Typography.Text type="secondary">{t('consent.ledgerHint')}</Typography.Text>}>
        {records.length ? <Timeline data-testid="consent-ledger" items={timeline} /> : <Empty description={t('consent.noneYet')} />}
      </Card>

      <RecordConsentModal
        open={recording}
        customerId={customerId}
        purposes={purposes.data}
        channels={channels.channels}
        categories={categories}
        onClose={() => setRecording(false)}
        onDone={() => {
          setRecording(false);
          void data.reload();
        }}
      />
      <WithdrawModal
        open={withdrawing}
        customerId={customerId}
        granted={granted}
        categories={categories}
        purposeName={purposeName}
        onClose={() => setWithdrawing(false)}
        onDone={() => {
          setWithdrawing(false);
          void data.reload();
        }}
      />
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Evidence: a document hash typed in or computed here from the scanned file (which stays local)

function DocumentHashInput({ value, onChange, testId }: { value?: string; onChange?: (v: string) => void; testId: string }) {
  const { t } = useI18n();
  const [hashing, setHashing] = useState(false);
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Input
        value={value}
        onChange={(e) => onChange?.(e.target.value.trim().toLowerCase())}
        className="custos-mono"
        placeholder={t('consent.documentHashPlaceholder')}
        maxLength={64}
        data-testid={testId}
      />
      <Upload
        showUploadList={false}
        beforeUpload={async (file) => {
          setHashing(true);
          try {
            const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
            onChange?.([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''));
          } finally {
            setHashing(false);
          }
          return Upload.LIST_IGNORE;
        }}
      >
        <Button icon={<FileSearchOutlined />} loading={hashing} data-testid={`${testId}-file`}>
          {t('consent.hashFile')}
        </Button>
      </Upload>
    </Space.Compact>
  );
}

// ---------------------------------------------------------------------------------------------
// Record a consent

interface RecordForm {
  purposeCode: string;
  noticeId: string;
  scope: string[];
  separate: string[];
  method: ConsentMethod;
  channelId?: string;
  documentHash?: string;
  expiresAt?: Dayjs;
}

function RecordConsentModal({
  open,
  customerId,
  purposes,
  channels,
  categories,
  onClose,
  onDone,
}: {
  open: boolean;
  customerId: string;
  purposes: Purpose[];
  channels: Channel[];
  categories: Categories;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const [form] = Form.useForm<RecordForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [loadingNotices, setLoadingNotices] = useState(false);
  const purposeCode = Form.useWatch('purposeCode', form);
  const noticeId = Form.useWatch('noticeId', form);
  const scope = Form.useWatch('scope', form) ?? [];
  const canListPurposes = can('purpose.read');

  const active = purposes.filter((p) => p.status === 'active');
  const notice = notices.find((n) => n.id === noticeId);
  // The purpose version the chosen notice belongs to, else the active version of the code.
  const version = purposes.find((p) => p.id === notice?.purposeId) ?? active.find((p) => p.code === purposeCode);
  const fields = version?.fields ?? [];
  const sensitive = version ? sensitiveFieldsOf(version, categories) : [];
  const sensitiveInScope = sensitive.filter((c) => scope.includes(c));

  useEffect(() => {
    if (!open || !purposeCode || !canListPurposes) {
      setNotices([]);
      return;
    }
    let cancelled = false;
    setLoadingNotices(true);
    api
      .listNotices(purposeCode)
      .then((items) => {
        if (cancelled) return;
        const published = items.filter((n) => n.status === 'published').sort((a, b) => b.version - a.version);
        setNotices(published);
        form.setFieldValue('noticeId', published[0]?.id);
      })
      .catch((err: unknown) => !cancelled && report(err))
      .finally(() => !cancelled && setLoadingNotices(false));
    return () => {
      cancelled = true;
    };
  }, [open, purposeCode, canListPurposes, form, report]);

  // A new purpose: start from all its fields; drop separate ticks for fields no longer in scope.
  useEffect(() => {
    if (open && version) form.setFieldValue('scope', [...version.fields]);
  }, [open, version, form]);
  useEffect(() => {
    if (!open) return;
    const sep: string[] = form.getFieldValue('separate') ?? [];
    const kept = sep.filter((c) => scope.includes(c));
    if (kept.length !== sep.length) form.setFieldValue('separate', kept);
  }, [open, scope, form]);

  const submit = async () => {
    let values: RecordForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const body: RecordConsentRequest = {
      purposeCode: values.purposeCode.trim(),
      noticeId: values.noticeId.trim(),
      scope: values.scope,
      separate: (values.separate ?? []).map((category) => ({ type: 'sensitive', category })),
      method: values.method,
    };
    if (values.channelId) body.channelId = values.channelId;
    if (values.documentHash) body.evidence = { documentHash: values.documentHash };
    if (values.expiresAt) body.expiresAt = values.expiresAt.endOf('day').toISOString();
    setSaving(true);
    try {
      const r = await api.recordConsent(customerId, body);
      success(t('consent.recorded', { count: r.consentIds.length }));
      form.resetFields();
      onDone();
    } catch (err) {
      report(err, {
        form,
        mapField: nestedFieldMapper(form, (seg) =>
          // `health` (a category refused for want of separate consent) -> the separate ticks.
          seg.length === 1 && typeof seg[0] === 'string' && fields.includes(seg[0])
            ? ['separate']
            : seg[0] === 'evidence'
              ? ['documentHash']
              : seg,
        ),
      });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={t('consent.record')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('consent.record.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'consent-record-submit' }}
      width={680}
    >
      <div data-testid="consent-record-modal">
        <Alert type="info" showIcon title={t('consent.record.hint')} style={{ margin: '12px 0 16px' }} />
        <Form<RecordForm>
          form={form}
          layout="vertical"
          preserve={false}
          autoComplete="off"
          initialValues={{ method: 'paper_signature', scope: [], separate: [] }}
          data-testid="consent-record-form"
        >
          <Row gutter={16}>
            <Col span={12}>
              <Form.Item
                name="purposeCode"
                label={t('consent.purpose')}
                rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('consent.purpose') }) }]}
              >
                {canListPurposes ? (
                  <Select<string>
                    data-testid="consent-record-purpose"
                    showSearch
                    optionFilterProp="label"
                    options={active.map((p) => ({ value: p.code, label: `${localized(p.name, lang)} (${p.code})` }))}
                  />
                ) : (
                  <Input className="custos-mono" data-testid="consent-record-purpose" />
                )}
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item
                name="noticeId"
                label={t('consent.notice')}
                extra={canListPurposes ? t('consent.noticeHint') : undefined}
                rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('consent.notice') }) }]}
              >
                {canListPurposes ? (
                  <Select<string>
                    data-testid="consent-record-notice"
                    loading={loadingNotices}
                    notFoundContent={purposeCode ? t('consent.noPublishedNotice') : undefined}
                    options={notices.map((n) => ({
                      value: n.id,
                      label: `v${n.version} · ${t('notice.forPurposeVersion', { version: n.purposeVersion })} · ${formatDateTime(n.publishedAt)}`,
                    }))}
                  />
                ) : (
                  <Input className="custos-mono" data-testid="consent-record-notice" />
                )}
              </Form.Item>
            </Col>
          </Row>
          <Form.Item
            name="scope"
            label={t('consent.scope')}
            rules={[{ required: true, type: 'array', min: 1, message: t('common.required', { field: t('consent.scope') }) }]}
          >
            {fields.length ? (
              <Checkbox.Group
                data-testid="consent-record-scope"
                options={fields.map((c) => ({
                  value: c,
                  label: <span data-testid={`consent-record-scope-${c}`}>{categoryLabel(c, lang, categories)}</span>,
                }))}
              />
            ) : (
              <Select<string[]> mode="tags" data-testid="consent-record-scope" open={false} suffixIcon={null} />
            )}
          </Form.Item>
          {sensitiveInScope.length ? (
            <Form.Item name="separate" label={t('consent.separateCategories')} extra={t('consent.separateHint')}>
              <Checkbox.Group
                data-testid="consent-record-separate"
                style={{ display: 'flex', flexDirection: 'column', gap: 6 }}
                options={sensitiveInScope.map((c) => ({
                  value: c,
                  label: (
                    <Space size={6} data-testid={`consent-record-separate-${c}`}>
                      <span>{categoryLabel(c, lang, categories)}</span>
                      <SensitivityTag value="sensitive" />
                    </Space>
                  ),
                }))}
              />
            </Form.Item>
          ) : null}
          <Row gutter={16}>
            <Col span={12}>
              <Form.Item name="method" label={t('consent.method')} rules={[{ required: true }]}>
                <Select<ConsentMethod>
                  data-testid="consent-record-method"
                  options={CONSENT_METHODS.map((m) => ({
                    value: m,
                    label: t(`consentMethod.${m}`),
                    disabled: !STAFF_CONSENT_METHODS.includes(m),
                  }))}
                />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="channelId" label={t('consent.channel')}>
                <Select<string>
                  data-testid="consent-record-channel"
                  allowClear
                  placeholder={t('consent.channelNone')}
                  options={channels
                    .filter((c) => c.status === 'active')
                    .map((c) => ({ value: c.id, label: `${localized(c.name, lang)} (${c.code})` }))}
                />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item
            name="documentHash"
            label={t('consent.documentHash')}
            extra={t('consent.documentHashHint')}
            rules={[{ pattern: HEX64, message: t('consent.documentHashInvalid') }]}
          >
            <DocumentHashInput testId="consent-record-document-hash" />
          </Form.Item>
          <Form.Item name="expiresAt" label={t('consent.expiresAt')} extra={t('consent.expiresAtHint')}>
            <DatePicker style={{ width: 220 }} data-testid="consent-record-expires" />
          </Form.Item>
        </Form>
      </div>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// Withdraw on the customer's behalf

interface WithdrawForm {
  purposeCode: string;
  categories?: string[];
  method: ConsentMethod;
  documentHash?: string;
}

function WithdrawModal({
  open,
  customerId,
  granted,
  categories,
  purposeName,
  onClose,
  onDone,
}: {
  open: boolean;
  customerId: string;
  granted: ConsentState[];
  categories: Categories;
  purposeName: (code: string) => string;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<WithdrawForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const purposeCode = Form.useWatch('purposeCode', form);
  const codes = [...new Set(granted.map((s) => s.purposeCode))];
  const cats = [...new Set(granted.filter((s) => s.purposeCode === purposeCode).map((s) => s.category))];

  useEffect(() => {
    if (open) form.setFieldValue('categories', []);
  }, [open, purposeCode, form]);

  const submit = async () => {
    let values: WithdrawForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const body: WithdrawConsentRequest = { purposeCode: values.purposeCode, method: values.method };
    if (values.categories?.length) body.categories = values.categories;
    if (values.documentHash) body.evidence = { documentHash: values.documentHash };
    setSaving(true);
    try {
      const r = await api.withdrawConsent(customerId, body);
      success(t('consent.withdrawn', { count: r.consentIds.length }));
      form.resetFields();
      onDone();
    } catch (err) {
      report(err, { form, mapField: nestedFieldMapper(form, (seg) => (seg[0] === 'evidence' ? ['documentHash'] : seg)) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={t('consent.withdraw')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('consent.withdraw.submit')}
      okButtonProps={{ danger: true, 'data-testid': 'consent-withdraw-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      width={600}
    >
      <div data-testid="consent-withdraw-modal">
        <Alert type="warning" showIcon title={t('consent.withdraw.hint')} style={{ margin: '12px 0 16px' }} />
        <Form<WithdrawForm>
          form={form}
          layout="vertical"
          preserve={false}
          autoComplete="off"
          initialValues={{ method: 'paper_signature', purposeCode: codes.length === 1 ? codes[0] : undefined }}
          data-testid="consent-withdraw-form"
        >
          <Form.Item
            name="purposeCode"
            label={t('consent.purpose')}
            rules={[{ required: true, message: t('common.required', { field: t('consent.purpose') }) }]}
          >
            <Select<string>
              data-testid="consent-withdraw-purpose"
              options={codes.map((c) => ({ value: c, label: purposeName(c) ? `${purposeName(c)} (${c})` : c }))}
            />
          </Form.Item>
          <Form.Item name="categories" label={t('consent.withdraw.categories')} extra={t('consent.withdraw.categoriesHint')}>
            <Checkbox.Group
              data-testid="consent-withdraw-categories"
              options={cats.map((c) => ({
                value: c,
                label: <span data-testid={`consent-withdraw-category-${c}`}>{categoryLabel(c, lang, categories)}</span>,
              }))}
            />
          </Form.Item>
          <Form.Item name="method" label={t('consent.method')} rules={[{ required: true }]}>
            <Select<ConsentMethod>
              data-testid="consent-withdraw-method"
              options={CONSENT_METHODS.map((m) => ({
                value: m,
                label: t(`consentMethod.${m}`),
                disabled: !STAFF_CONSENT_METHODS.includes(m),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="documentHash"
            label={t('consent.documentHash')}
            extra={t('consent.documentHashHint')}
            rules={[{ pattern: HEX64, message: t('consent.documentHashInvalid') }]}
          >
            <DocumentHashInput testId="consent-withdraw-document-hash" />
          </Form.Item>
        </Form>
      </div>
    </Modal>
  );
}
