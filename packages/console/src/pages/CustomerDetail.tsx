/**
 * One customer (`#/customers/<id>`): masked fields, and the audited actions on them. Reveal shows
 * plain values inside its dialog only; they live in that dialog's state and are dropped when it
 * closes. Correct keeps the old value in the history; Delete crypto-shreds the customer.
 */
import {
  ArrowLeftOutlined,
  AuditOutlined,
  DeleteOutlined,
  EditOutlined,
  EyeOutlined,
  FileProtectOutlined,
  HistoryOutlined,
  ReloadOutlined,
  SafetyCertificateOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Result,
  Select,
  Skeleton,
  Space,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  ApiProblem,
  api,
  type Customer,
  type DataCategory,
  type FieldHistoryEntry,
  type HeldPurpose,
  type MaskedField,
  type RevealResult,
  type UsePurpose,
} from '../api';
import { PageHeader } from '../components/PageHeader';
import { categoryLabel, formatDateTime, piTypeLabel, purposeLabel, shortId } from '../format';
import { useI18n } from '../i18n';
import { useProblemReporter, useSuccess, type FieldPath } from '../problems';
import { navigate } from '../router';
import { useSession } from '../session';
import { SensitivityTag } from './CataloguePage';
import { CustomerConsents } from './CustomerConsents';

type Categories = ReadonlyMap<string, DataCategory>;

type LoadState = { status: 'loading' } | { status: 'missing' } | { status: 'error' } | { status: 'ready'; customer: Customer };

export function CustomerDetail({
  id,
  categories,
  onChanged,
  onDeleted,
}: {
  id: string;
  categories: Categories;
  onChanged: (c: Customer) => void;
  onDeleted: (id: string) => void;
}) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const report = useProblemReporter();
  const reportRef = useRef(report);
  reportRef.current = report;

  const [state, setState] = useState<LoadState>({ status: 'loading' });
  const [revealing, setRevealing] = useState(false);
  const [correcting, setCorrecting] = useState<MaskedField | null>(null);
  const [historyOf, setHistoryOf] = useState<MaskedField | null>(null);
  const [deleting, setDeleting] = useState(false);

  const load = useCallback(async () => {
    try {
      setState({ status: 'ready', customer: await api.getCustomer(id) });
    } catch (err) {
      if (err instanceof ApiProblem && (err.status === 404 || err.status === 400)) setState({ status: 'missing' });
      else {
        reportRef.current(err);
        setState((s) => (s.status === 'ready' ? s : { status: 'error' }));
      }
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  const back = () => navigate('/customers');
  const label = (code: string) => categoryLabel(code, lang, categories);

  if (state.status === 'missing') {
    return (
      <Result
        status="404"
        title="404"
        subTitle={t('customer.notFound')}
        data-testid="customer-missing"
        extra={
          <Button type="primary" icon={<ArrowLeftOutlined />} onClick={back}>
            {t('customer.back')}
          </Button>
        }
      />
    );
  }
  const customer = state.status === 'ready' ? state.customer : null;

  const columns: ColumnsType<MaskedField> = [
    {
      title: t('customer.field'),
      dataIndex: 'field',
      render: (code: string) => (
        <Space size={8}>
          <span>{label(code)}</span>
          <Typography.Text type="secondary" className="custos-mono">
            {code}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('catalogue.piType'), dataIndex: 'piType', width: 150, render: (v: string) => piTypeLabel(v, t) },
    {
      title: t('catalogue.sensitivity'),
      dataIndex: 'sensitivity',
      width: 100,
      render: (v: MaskedField['sensitivity']) => <SensitivityTag value={v} />,
    },
    {
      title: t('customer.value'),
      dataIndex: 'masked',
      render: (v: string, f) => (
        <Typography.Text className="custos-mono" style={{ fontSize: 13 }} data-testid={`customer-masked-${f.field}`}>
          {v}
        </Typography.Text>
      ),
    },
    {
      title: t('customer.version'),
      dataIndex: 'version',
      width: 80,
      align: 'center',
      render: (v: number, f) => (
        <Tag color={v > 1 ? 'blue' : undefined} variant="outlined" data-testid={`customer-version-${f.field}`}>
          v{v}
        </Tag>
      ),
    },
    { title: t('common.updated'), dataIndex: 'updatedAt', width: 170, render: (v: string) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: can('customer.update') ? 170 : 90,
      render: (_: unknown, f) => (
        <Space size={0}>
          {can('customer.update') ? (
            <Button
              type="link"
              size="small"
              icon={<EditOutlined />}
              onClick={() => setCorrecting(f)}
              data-testid={`customer-correct-${f.field}`}
            >
              {t('customer.correct')}
            </Button>
          ) : null}
          <Button
            type="link"
            size="small"
            icon={<HistoryOutlined />}
            onClick={() => setHistoryOf(f)}
            data-testid={`customer-history-${f.field}`}
          >
            {t('customer.history')}
          </Button>
        </Space>
      ),
    },
  ];

  const fieldsCard = (
    <Card styles={{ body: { padding: 0 } }}>
      <Table<MaskedField>
        data-testid="customer-fields"
        rowKey="field"
        loading={state.status === 'loading'}
        columns={columns}
        dataSource={customer?.fields ?? []}
        pagination={false}
        onRow={(f) => ({ 'data-testid': `customer-field-${f.field}` }) as object}
      />
    </Card>
  );

  return (
    <div data-testid="customer-detail" data-id={id}>
      <PageHeader
        title={
          <Space size={10}>
            <span>{t('customer.title')}</span>
            {customer ? (
              <Tag color={customer.status === 'active' ? 'success' : 'default'} style={{ fontWeight: 'normal' }}>
                {t(`customers.status.${customer.status}`)}
              </Tag>
            ) : null}
          </Space>
        }
        subtitle={<span className="custos-mono">{id}</span>}
        extra={
          <>
            <Button icon={<ArrowLeftOutlined />} onClick={back} data-testid="customer-back">
              {t('customer.back')}
            </Button>
            <Button icon={<ReloadOutlined />} onClick={() => void load()}>
              {t('common.refresh')}
            </Button>
            {can('customer.reveal') ? (
              <Button
                type="primary"
                icon={<EyeOutlined />}
                disabled={!customer?.fields.length}
                onClick={() => setRevealing(true)}
                data-testid="customer-reveal"
              >
                {t('customer.reveal')}
              </Button>
            ) : null}
            {can('customer.delete') ? (
              <Button danger icon={<DeleteOutlined />} disabled={!customer} onClick={() => setDeleting(true)} data-testid="customer-delete">
                {t('customer.delete')}
              </Button>
            ) : null}
          </>
        }
      />
      <Alert type="info" showIcon icon={<SafetyCertificateOutlined />} title={t('customer.maskedNotice')} style={{ marginBottom: 16 }} />
      <Card style={{ marginBottom: 16 }} styles={{ body: { padding: '16px 24px' } }}>
        {customer ? (
          <Descriptions
            size="small"
            column={{ xs: 1, md: 2, xl: 4 }}
            items={[
              {
                key: 'id',
                label: t('customers.id'),
                children: (
                  <Typography.Text className="custos-mono" copyable={{ text: customer.id }}>
                    {shortId(customer.id)}
                  </Typography.Text>
                ),
              },
              { key: 'fields', label: t('customer.fieldCount'), children: customer.fields.length },
              { key: 'created', label: t('common.created'), children: formatDateTime(customer.createdAt) },
              { key: 'updated', label: t('common.updated'), children: formatDateTime(customer.updatedAt) },
            ]}
          />
        ) : (
          <Skeleton active paragraph={{ rows: 1 }} title={false} />
        )}
      </Card>
      {can('consent.read') ? (
        <Tabs
          data-testid="customer-tabs"
          items={[
            {
              key: 'fields',
              label: <span data-testid="customer-fields-tab">{t('customer.tab.fields')}</span>,
              children: fieldsCard,
            },
            {
              key: 'consents',
              label: (
                <span data-testid="consent-tab">
                  <FileProtectOutlined style={{ marginInlineEnd: 6 }} />
                  {t('customer.tab.consents')}
                </span>
              ),
              children: customer ? <CustomerConsents customerId={customer.id} categories={categories} /> : null,
            },
          ]}
        />
      ) : (
        fieldsCard
      )}

      {customer ? (
        <>
          <RevealModal open={revealing} customer={customer} categories={categories} onClose={() => setRevealing(false)} />
          <CorrectModal
            customer={customer}
            field={correcting}
            categories={categories}
            onClose={() => setCorrecting(null)}
            onDone={(c) => {
              setCorrecting(null);
              setState({ status: 'ready', customer: c });
              onChanged(c);
            }}
          />
          <HistoryDrawer customerId={customer.id} field={historyOf} categories={categories} onClose={() => setHistoryOf(null)} />
          <DeleteModal
            open={deleting}
            customer={customer}
            onClose={() => setDeleting(false)}
            onDone={() => {
              setDeleting(false);
              onDeleted(customer.id);
              navigate('/customers', { replace: true });
            }}
          />
        </>
      ) : null}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Reveal

interface RevealForm {
  fields: string[];
  purpose: UsePurpose;
  justification: string;
}

/**
 * The active registered purposes the user's department holds (P5.1): the only ones a reveal can
 * name. Null while loading or when they could not be read; the server decides on reveal in any case.
 */
function useMyPurposes(enabled: boolean): HeldPurpose[] | null {
  const { can } = useSession();
  const [purposes, setPurposes] = useState<HeldPurpose[] | null>(null);
  const allowed = enabled && (can('customer.reveal') || can('use.apply'));
  useEffect(() => {
    if (!allowed) return;
    let cancelled = false;
    api
      .listMyPurposes()
      .then((p) => !cancelled && setPurposes(p))
      .catch(() => !cancelled && setPurposes(null));
    return () => {
      cancelled = true;
    };
  }, [allowed]);
  return purposes;
}

function RevealModal({
  open,
  customer,
  categories,
  onClose,
}: {
  open: boolean;
  customer: Customer;
  categories: Categories;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<RevealForm>();
  const report = useProblemReporter();
  const [submitting, setSubmitting] = useState(false);
  // Plain values: only here, only while the dialog is open.
  const [result, setResult] = useState<RevealResult | null>(null);
  const held = useMyPurposes(open);
  const labelOf = (code: string) => {
    const p = held?.find((h) => h.code === code);
    return p ? p.name[lang] || p.code : purposeLabel(code, t);
  };

  const close = () => {
    setResult(null);
    onClose();
  };

  // Also drop them if the dialog is closed or the component goes away some other way.
  useEffect(() => {
    if (!open) setResult(null);
  }, [open]);

  const submit = async () => {
    let values: RevealForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSubmitting(true);
    try {
      setResult(
        await api.revealCustomer(customer.id, {
          fields: values.fields,
          purpose: values.purpose,
          justification: values.justification.trim(),
        }),
      );
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 403) {
        form.setFields([{ name: 'purpose', errors: [t('reveal.purposeDenied')] }]);
        return;
      }
      const codes = new Set(customer.fields.map((f) => f.field));
      report(err, {
        form,
        mapField: (p): FieldPath | undefined => {
          const root = p.field.replace(/^body\./, '').split('.')[0] ?? '';
          if (root === 'justification' || root === 'purpose' || root === 'fields') return [root];
          return codes.has(p.field) ? ['fields'] : undefined;
        },
      });
    } finally {
      setSubmitting(false);
    }
  };

  const fieldLabel = (code: string) => categoryLabel(code, lang, categories);
  const sensitivityOf = (code: string) => customer.fields.find((f) => f.field === code)?.sensitivity;

  return (
    <Modal
      title={
        <Space>
          <EyeOutlined />
          {t('reveal.title')}
        </Space>
      }
      open={open}
      onCancel={close}
      destroyOnHidden
      width={620}
      data-testid="reveal-modal"
      footer={
        result
          ? [
              <Button key="close" type="primary" onClick={close} data-testid="reveal-close">
                {t('reveal.close')}
              </Button>,
            ]
          : [
              <Button key="cancel" onClick={close}>
                {t('common.cancel')}
              </Button>,
              <Button
                key="ok"
                type="primary"
                icon={<EyeOutlined />}
                loading={submitting}
                onClick={() => void submit()}
                data-testid="reveal-submit"
              >
                {t('reveal.submit')}
              </Button>,
            ]
      }
    >
      {result ? (
        <div data-testid="reveal-result" style={{ marginTop: 16 }}>
          <Alert
            type="success"
            showIcon
            icon={<AuditOutlined />}
            title={t('reveal.recorded', { purpose: labelOf(result.purpose) })}
            data-testid="reveal-recorded"
            style={{ marginBottom: 16 }}
          />
          <Descriptions
            column={1}
            bordered
            size="small"
            styles={{ label: { width: 180 } }}
            items={Object.entries(result.values).map(([code, value]) => ({
              key: code,
              label: (
                <Space size={6}>
                  <span>{fieldLabel(code)}</span>
                  {sensitivityOf(code) === 'sensitive' ? <SensitivityTag value="sensitive" /> : null}
                </Space>
              ),
              children: (
                <Typography.Text strong className="custos-mono" style={{ fontSize: 14 }} data-testid={`reveal-value-${code}`}>
                  {value}
                </Typography.Text>
              ),
            }))}
          />
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
            <WarningOutlined style={{ marginInlineEnd: 6 }} />
            {t('reveal.warning')}
          </Typography.Paragraph>
        </div>
      ) : (
        <Form<RevealForm>
          form={form}
          layout="vertical"
          preserve={false}
          autoComplete="off"
          style={{ marginTop: 16 }}
          data-testid="reveal-form"
        >
          <Form.Item
            name="fields"
            label={t('reveal.fields')}
            rules={[{ required: true, type: 'array', min: 1, message: t('common.required', { field: t('reveal.fields') }) }]}
          >
            <Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
              {customer.fields.map((f) => (
                <Checkbox key={f.field} value={f.field} data-testid={`reveal-field-${f.field}`}>
                  <Space size={8}>
                    <span style={{ display: 'inline-block', minWidth: 150 }}>{fieldLabel(f.field)}</span>
                    <Typography.Text type="secondary" className="custos-mono">
                      {f.masked}
                    </Typography.Text>
                    {f.sensitivity === 'sensitive' ? <SensitivityTag value="sensitive" /> : null}
                  </Space>
                </Checkbox>
              ))}
            </Checkbox.Group>
          </Form.Item>
          <Form.Item
            name="purpose"
            label={t('reveal.purpose')}
            extra={held === null ? undefined : held.length ? t('reveal.purposesHint') : t('reveal.purposesNone')}
            rules={[{ required: true, message: t('common.required', { field: t('reveal.purpose') }) }]}
          >
            <Select<string>
              data-testid="reveal-purpose"
              placeholder={t('reveal.purposePlaceholder')}
              loading={held === null}
              disabled={held !== null && held.length === 0}
              options={(held ?? []).map((p) => ({ value: p.code, label: p.name[lang] || p.code }))}
              optionRender={(o) => <span data-testid={`reveal-purpose-${String(o.value)}`}>{o.label}</span>}
            />
          </Form.Item>
          <Form.Item
            name="justification"
            label={t('reveal.justification')}
            rules={[
              { required: true, whitespace: true, message: t('common.required', { field: t('reveal.justification') }) },
              { min: 4, max: 500, message: t('reveal.justificationLength') },
            ]}
          >
            <Input.TextArea
              data-testid="reveal-justification"
              rows={3}
              maxLength={500}
              showCount
              placeholder={t('reveal.justificationPlaceholder')}
            />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// Correct

interface CorrectForm {
  value: string;
  reason: string;
}

function CorrectModal({
  customer,
  field,
  categories,
  onClose,
  onDone,
}: {
  customer: Customer;
  field: MaskedField | null;
  categories: Categories;
  onClose: () => void;
  onDone: (c: Customer) => void;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<CorrectForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const name = field ? categoryLabel(field.field, lang, categories) : '';

  const submit = async () => {
    if (!field) return;
    let values: CorrectForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      const updated = await api.correctCustomerField(customer.id, field.field, values.value.trim(), values.reason.trim());
      const version = updated.fields.find((f) => f.field === field.field)?.version ?? field.version + 1;
      form.resetFields();
      success(t('correct.done', { field: name, version }));
      onDone(updated);
    } catch (err) {
      report(err, {
        form,
        mapField: (p): FieldPath | undefined => {
          const root = p.field.replace(/^body\./, '');
          if (root === 'reason') return ['reason'];
          if (root === 'value' || root === field.field) return ['value'];
          return undefined;
        },
      });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={
        <Space>
          <EditOutlined />
          {t('correct.title', { field: name })}
        </Space>
      }
      open={field !== null}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('correct.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'correct-submit' }}
      width={560}
      data-testid="correct-modal"
    >
      {field ? (
        <Form<CorrectForm>
          form={form}
          layout="vertical"
          preserve={false}
          autoComplete="off"
          style={{ marginTop: 16 }}
          data-testid="correct-form"
        >
          <Form.Item label={t('correct.current')} extra={t('correct.note')}>
            <Space size={8}>
              <Typography.Text className="custos-mono" style={{ fontSize: 13 }}>
                {field.masked}
              </Typography.Text>
              <Tag variant="outlined">v{field.version}</Tag>
              <SensitivityTag value={field.sensitivity} />
            </Space>
          </Form.Item>
          <Form.Item
            name="value"
            label={t('correct.value')}
            rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('correct.value') }) }]}
          >
            <Input
              data-testid="correct-value"
              autoComplete="off"
              spellCheck={false}
              maxLength={4000}
              placeholder={piTypeLabel(field.piType, t)}
              autoFocus
            />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t('correct.reason')}
            rules={[
              { required: true, whitespace: true, message: t('common.required', { field: t('correct.reason') }) },
              { min: 2, max: 500, message: t('correct.reasonLength') },
            ]}
          >
            <Input.TextArea data-testid="correct-reason" rows={2} maxLength={500} showCount placeholder={t('correct.reasonPlaceholder')} />
          </Form.Item>
        </Form>
      ) : null}
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// History

function HistoryDrawer({
  customerId,
  field,
  categories,
  onClose,
}: {
  customerId: string;
  field: MaskedField | null;
  categories: Categories;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const report = useProblemReporter();
  const reportRef = useRef(report);
  reportRef.current = report;
  const [items, setItems] = useState<FieldHistoryEntry[]>([]);
  const [loading, setLoading] = useState(false);
  const code = field?.field ?? null;

  useEffect(() => {
    if (!code) return;
    let cancelled = false;
    setItems([]);
    setLoading(true);
    api
      .customerFieldHistory(customerId, code)
      .then((h) => !cancelled && setItems([...h].sort((a, b) => b.version - a.version)))
      .catch((err: unknown) => !cancelled && reportRef.current(err))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [customerId, code]);

  return (
    <Drawer
      open={field !== null}
      onClose={onClose}
      size={560}
      title={
        <Space>
          <HistoryOutlined />
          {field ? t('history.title', { field: categoryLabel(field.field, lang, categories) }) : null}
        </Space>
      }
      data-testid="history-drawer"
    >
      <Typography.Paragraph type="secondary" style={{ marginBottom: 24 }}>
        {t('history.explain')}
      </Typography.Paragraph>
      {loading ? (
        <Skeleton active paragraph={{ rows: 4 }} />
      ) : (
        <Timeline
          data-testid="history-timeline"
          items={items.map((h) => ({
            key: h.version,
            color: h.current ? 'green' : 'gray',
            content: (
              <div data-testid="history-row" data-version={h.version} data-current={String(h.current)} style={{ paddingBottom: 8 }}>
                <Space size={8} wrap>
                  <Tag variant="outlined" style={{ marginInlineEnd: 0 }}>
                    v{h.version}
                  </Tag>
                  {h.current ? (
                    <Tag color="green" style={{ marginInlineEnd: 0 }}>
                      {t('history.current')}
                    </Tag>
                  ) : null}
                  <Typography.Text className="custos-mono" style={{ fontSize: 13 }} data-testid={`history-masked-${h.version}`}>
                    {h.masked}
                  </Typography.Text>
                </Space>
                <Typography.Text type="secondary" style={{ display: 'block', marginTop: 6, fontSize: 13 }}>
                  {/* A past entry's time, actor and reason are those of the correction that replaced it. */}
                  {h.current
                    ? t('history.effective', { time: formatDateTime(h.changedAt), by: h.changedBy })
                    : t('history.replaced', { time: formatDateTime(h.changedAt), by: h.changedBy, next: h.version + 1 })}
                </Typography.Text>
                {h.reason ? (
                  <Typography.Text style={{ display: 'block', marginTop: 4 }}>
                    {t('history.reasonLine', { reason: h.reason })}
                  </Typography.Text>
                ) : null}
              </div>
            ),
          }))}
        />
      )}
    </Drawer>
  );
}

// ---------------------------------------------------------------------------------------------
// Delete

interface DeleteForm {
  reason: string;
  confirm: string;
}

function DeleteModal({ open, customer, onClose, onDone }: { open: boolean; customer: Customer; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<DeleteForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const code = shortId(customer.id);
  const typed = Form.useWatch('confirm', form);

  const submit = async () => {
    let values: DeleteForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      await api.deleteCustomer(customer.id, values.reason.trim());
      success(t('deleteCustomer.done'));
      onDone();
    } catch (err) {
      report(err, { form, mapField: (p) => (p.field.replace(/^body\./, '') === 'reason' ? ['reason'] : undefined) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={
        <Space>
          <DeleteOutlined style={{ color: '#ff4d4f' }} />
          {t('deleteCustomer.title')}
        </Space>
      }
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('deleteCustomer.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ danger: true, disabled: typed?.trim() !== code, 'data-testid': 'delete-submit' }}
      width={560}
      data-testid="delete-modal"
    >
      <Alert type="error" showIcon title={t('deleteCustomer.warning')} style={{ margin: '16px 0' }} />
      <Form<DeleteForm> form={form} layout="vertical" preserve={false} autoComplete="off" data-testid="delete-form">
        <Form.Item
          name="reason"
          label={t('deleteCustomer.reason')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('deleteCustomer.reason') }) },
            { min: 2, max: 500, message: t('deleteCustomer.reasonLength') },
          ]}
        >
          <Input.TextArea
            data-testid="delete-reason"
            rows={2}
            maxLength={500}
            showCount
            placeholder={t('deleteCustomer.reasonPlaceholder')}
          />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('deleteCustomer.confirm', { code })}
          rules={[
            {
              validator: (_, v: string | undefined) =>
                v?.trim() === code ? Promise.resolve() : Promise.reject(new Error(t('deleteCustomer.confirmMismatch'))),
            },
          ]}
        >
          <Input data-testid="delete-confirm" className="custos-mono" autoComplete="off" spellCheck={false} placeholder={code} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
