/**
 * Use applications (P5.1, P5.2): the application form (purpose, scenario, fields within the
 * purpose, customers, method, period, justification) and the applicant's own applications with
 * their status and review history; a draft is submitted, a returned one resubmitted.
 */
import { CopyOutlined, EyeOutlined, ExportOutlined, PlusOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { Alert, Button, Col, DatePicker, Drawer, Form, Input, Modal, Radio, Row, Select, Space, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { USE_METHODS, api, type NewUseApplication, type Segment, type UseApplication, type UseMethod } from '../api';
import { PageHeader } from '../components/PageHeader';
import { CardTable } from '../components/CardTable';
import {
  AppStatusTag,
  ApplicationDescriptions,
  FieldTags,
  MethodTag,
  ReviewHistory,
  ScopeText,
  lastComment,
  periodText,
  useUseNames,
  type UseNames,
} from '../components/UseParts';
import { formatDateTime, localized, roleLabel } from '../format';
import { useI18n } from '../i18n';
import { nestedFieldMapper, useProblemReporter, useSuccess } from '../problems';
import { exportPath, navigate } from '../router';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Customer ids as typed: one per line, or separated by commas, semicolons or spaces. */
export function parseIds(text: string | undefined): string[] {
  return [
    ...new Set(
      (text ?? '')
        .split(/[\s,;，；]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

export function UseApplicationsPage() {
  const { t } = useI18n();
  const { user } = useSession();
  const names = useUseNames();
  const apps = useLoad<UseApplication[]>(api.listUseApplications, []);
  const mine = useMemo(() => apps.data.filter((a) => a.applicantId === user.id), [apps.data, user.id]);
  const [formOpen, setFormOpen] = useState(false);
  const [copyOf, setCopyOf] = useState<UseApplication | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const report = useProblemReporter();
  const success = useSuccess();
  const [submitting, setSubmitting] = useState<string | null>(null);

  const submit = async (a: UseApplication) => {
    setSubmitting(a.id);
    try {
      await api.submitUseApplication(a.id);
      success(t(a.status === 'returned' ? 'use.resubmitted' : 'use.submitted'));
      await apps.reload();
    } catch (err) {
      report(err);
    } finally {
      setSubmitting(null);
    }
  };

  const columns: ColumnsType<UseApplication> = [
    {
      title: t('use.purpose'),
      dataIndex: 'purposeCode',
      width: 170,
      render: (v: string) => (
        <Space orientation="vertical" size={0}>
          <span>{names.purpose(v)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {v}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('use.scenario'), dataIndex: 'scenario', ellipsis: true },
    { title: t('use.fields'), dataIndex: 'fields', width: 220, render: (v: string[]) => <FieldTags fields={v} names={names} /> },
    { title: t('use.method'), dataIndex: 'method', width: 100, render: (v: string) => <MethodTag value={v} /> },
    { title: t('use.scope'), dataIndex: 'customerScope', width: 110, render: (_: unknown, a) => <ScopeText scope={a.customerScope} /> },
    {
      title: t('use.period'),
      key: 'period',
      width: 200,
      render: (_: unknown, a) => <span style={{ fontSize: 12 }}>{periodText(a.validFrom, a.validUntil)}</span>,
    },
    {
      title: t('use.status'),
      key: 'status',
      width: 190,
      render: (_: unknown, a) => <StatusCell app={a} />,
    },
    { title: t('common.created'), dataIndex: 'createdAt', width: 170, render: (v: string) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 230,
      render: (_: unknown, a) => (
        <Space size={0} wrap>
          <Button type="link" size="small" icon={<EyeOutlined />} onClick={() => setOpenId(a.id)} data-testid={`use-app-open-${a.id}`}>
            {t('use.details')}
          </Button>
          {a.status === 'draft' || a.status === 'returned' ? (
            <Button
              type="link"
              size="small"
              icon={<SendOutlined />}
              loading={submitting === a.id}
              onClick={() => void submit(a)}
              data-testid={`use-app-submit-${a.id}`}
            >
              {t(a.status === 'returned' ? 'use.resubmit' : 'use.submit')}
            </Button>
          ) : null}
          {a.status === 'approved' && a.method === 'export' && a.grantId ? (
            <Button
              type="link"
              size="small"
              icon={<ExportOutlined />}
              onClick={() => navigate(exportPath(a.grantId!))}
              data-testid={`use-app-export-${a.id}`}
            >
              {t('grants.export')}
            </Button>
          ) : null}
          <Tooltip title={t('use.copyHint')}>
            <Button
              type="link"
              size="small"
              icon={<CopyOutlined />}
              onClick={() => {
                setCopyOf(a);
                setFormOpen(true);
              }}
              data-testid={`use-app-copy-${a.id}`}
            >
              {t('use.copy')}
            </Button>
          </Tooltip>
        </Space>
      ),
    },
  ];

  const open = apps.data.find((a) => a.id === openId) ?? null;

  return (
    <>
      <PageHeader
        title={t('use.title')}
        subtitle={t('use.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void apps.reload()} data-testid="use-apps-refresh">
              {t('common.refresh')}
            </Button>
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => {
                setCopyOf(null);
                setFormOpen(true);
              }}
              data-testid="use-app-create"
            >
              {t('use.new')}
            </Button>
          </>
        }
      />
      <CardTable<UseApplication>
        emptyText={t('use.empty')}
        data-testid="use-apps-table"
        rowKey="id"
        scroll={{ x: 1400 }}
        loading={apps.loading}
        columns={columns}
        dataSource={mine}
        onRow={(a) => ({ 'data-testid': `use-app-row-${a.id}`, 'data-status': a.status }) as object}
      />
      <ApplicationForm
        open={formOpen}
        copyOf={copyOf}
        names={names}
        onClose={() => setFormOpen(false)}
        onSaved={(a) => {
          setFormOpen(false);
          void apps.reload();
          setOpenId(a.id);
        }}
      />
      <Drawer
        open={open !== null}
        onClose={() => setOpenId(null)}
        size={760}
        title={t('use.detailTitle')}
        data-testid="use-app-drawer"
        extra={
          open && (open.status === 'draft' || open.status === 'returned') ? (
            <Button
              type="primary"
              icon={<SendOutlined />}
              loading={submitting === open.id}
              onClick={() => void submit(open)}
              data-testid="use-app-drawer-submit"
            >
              {t(open.status === 'returned' ? 'use.resubmit' : 'use.submit')}
            </Button>
          ) : null
        }
      >
        {open ? (
          <div data-testid="use-app-drawer-body" data-status={open.status}>
            {open.status === 'returned' && lastComment(open) ? (
              <Alert
                type="warning"
                showIcon
                title={t('use.returnedBecause', { comment: lastComment(open) })}
                style={{ marginBottom: 16 }}
              />
            ) : null}
            <ApplicationDescriptions app={open} names={names} />
            <Typography.Title level={5} style={{ marginTop: 24 }}>
              {t('use.history')}
            </Typography.Title>
            <ReviewHistory app={open} names={names} />
          </div>
        ) : null}
      </Drawer>
    </>
  );
}

function StatusCell({ app }: { app: UseApplication }) {
  const { t, lang } = useI18n();
  const comment = lastComment(app);
  return (
    <Space orientation="vertical" size={2}>
      <AppStatusTag value={app.status} />
      {app.status === 'in_review' ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('use.awaiting', { role: roleLabel(app.chain[app.step] ?? '', lang, t) })}
        </Typography.Text>
      ) : null}
      {(app.status === 'returned' || app.status === 'rejected') && comment ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: comment }} data-testid="use-app-last-comment">
          {comment}
        </Typography.Text>
      ) : null}
    </Space>
  );
}

// ---------------------------------------------------------------------------------------------
// The application form

interface AppForm {
  purposeCode: string;
  scenario: string;
  fields: string[];
  scopeKind: 'all' | 'list' | 'segment';
  ids?: string;
  /** With a list: also save it as a named segment of the department. */
  saveAs?: string;
  segmentId?: string;
  method: UseMethod;
  period: [Dayjs, Dayjs];
  justification: string;
}

function ApplicationForm({
  open,
  copyOf,
  names,
  onClose,
  onSaved,
}: {
  open: boolean;
  copyOf: UseApplication | null;
  names: UseNames;
  onClose: () => void;
  onSaved: (a: UseApplication) => void;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<AppForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState<'draft' | 'submit' | null>(null);
  const purposeCode = Form.useWatch('purposeCode', form);
  const scopeKind = Form.useWatch('scopeKind', form);
  const purpose = names.activePurposes.find((p) => p.code === purposeCode);
  const [segments, setSegments] = useState<Segment[]>([]);
  useEffect(() => {
    if (open) api.listSegments().then(setSegments, () => setSegments([]));
  }, [open]);

  const initialValues = useMemo<Partial<AppForm>>(() => {
    const now = dayjs().startOf('minute');
    if (copyOf) {
      return {
        purposeCode: copyOf.purposeCode,
        scenario: copyOf.scenario,
        fields: copyOf.fields,
        scopeKind: copyOf.customerScope.kind === 'list' && copyOf.customerScope.segment ? 'segment' : copyOf.customerScope.kind,
        ids: copyOf.customerScope.kind === 'list' ? copyOf.customerScope.ids.join('\n') : undefined,
        segmentId: copyOf.customerScope.kind === 'list' ? copyOf.customerScope.segment?.id : undefined,
        method: copyOf.method,
        period: [now, now.add(30, 'day')],
        justification: copyOf.justification,
      };
    }
    return { scopeKind: 'all', method: 'view', period: [now, now.add(30, 'day')] };
  }, [copyOf]);

  const save = async (andSubmit: boolean) => {
    let v: AppForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const body: NewUseApplication = {
      purposeCode: v.purposeCode,
      scenario: v.scenario.trim(),
      fields: v.fields,
      customerScope:
        v.scopeKind === 'all'
          ? { kind: 'all' }
          : v.scopeKind === 'segment'
            ? { kind: 'segment', segmentId: v.segmentId! }
            : { kind: 'list', ids: parseIds(v.ids) },
      method: v.method,
      validFrom: v.period[0].toISOString(),
      validUntil: v.period[1].toISOString(),
      justification: v.justification.trim(),
    };
    setSaving(andSubmit ? 'submit' : 'draft');
    try {
      if (v.scopeKind === 'list' && v.saveAs?.trim()) {
        const seg = await api.createSegment({ name: v.saveAs.trim(), customerIds: parseIds(v.ids) });
        body.customerScope = { kind: 'segment', segmentId: seg.id };
      }
      let a = await api.createUseApplication(body);
      if (andSubmit) a = await api.submitUseApplication(a.id);
      success(t(andSubmit ? 'use.submitted' : 'use.saved'));
      form.resetFields();
      onSaved(a);
    } catch (err) {
      report(err, {
        form,
        mapField: nestedFieldMapper(form, (seg) => {
          if (seg[0] === 'customerScope') return ['ids'];
          if (seg[0] === 'validFrom' || seg[0] === 'validUntil') return ['period'];
          // A field outside the purpose is reported by its code.
          if (purpose?.fields.includes(String(seg[0]))) return ['fields'];
          return seg;
        }),
      });
    } finally {
      setSaving(null);
    }
  };

  return (
    <Modal
      title={t('use.new')}
      open={open}
      onCancel={onClose}
      width={760}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button
          key="draft"
          loading={saving === 'draft'}
          disabled={saving !== null}
          onClick={() => void save(false)}
          data-testid="use-app-save-draft"
        >
          {t('use.saveDraft')}
        </Button>,
        <Button
          key="submit"
          type="primary"
          icon={<SendOutlined />}
          loading={saving === 'submit'}
          disabled={saving !== null}
          onClick={() => void save(true)}
          data-testid="use-app-form-submit"
        >
          {t('use.saveAndSubmit')}
        </Button>,
      ]}
    >
      <Form<AppForm>
        form={form}
        layout="vertical"
        preserve={false}
        autoComplete="off"
        initialValues={initialValues}
        data-testid="use-app-form"
        style={{ marginTop: 16 }}
      >
        <Alert type="info" showIcon title={t('use.form.hint')} style={{ marginBottom: 16 }} />
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item
              name="purposeCode"
              label={t('use.purpose')}
              rules={[{ required: true, message: t('common.required', { field: t('use.purpose') }) }]}
            >
              <Select<string>
                showSearch={{ optionFilterProp: 'search' }}
                data-testid="use-app-form-purpose"
                placeholder={t('use.form.purposePlaceholder')}
                onChange={() => form.setFieldValue('fields', [])}
                options={names.activePurposes.map((p) => ({
                  value: p.code,
                  search: `${localized(p.name, lang)} ${p.code}`,
                  label: (
                    <span data-testid={`use-app-purpose-${p.code}`}>
                      {localized(p.name, lang) || p.code} <Typography.Text type="secondary">({p.code})</Typography.Text>
                    </span>
                  ),
                }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="scenario"
              label={t('use.scenario')}
              rules={[
                { required: true, whitespace: true, message: t('common.required', { field: t('use.scenario') }) },
                { min: 2, max: 500, message: t('use.form.lengthHint', { min: 2, max: 500 }) },
              ]}
            >
              <Input maxLength={500} placeholder={t('use.form.scenarioPlaceholder')} data-testid="use-app-form-scenario" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="fields"
          label={t('use.fields')}
          extra={t('use.form.fieldsHint')}
          rules={[{ required: true, type: 'array', min: 1, message: t('use.form.fieldsRequired') }]}
        >
          <Select<string[]>
            mode="multiple"
            disabled={!purpose}
            data-testid="use-app-form-fields"
            placeholder={purpose ? undefined : t('use.form.pickPurposeFirst')}
            options={(purpose?.fields ?? []).map((f) => ({
              value: f,
              label: <span data-testid={`use-app-field-${f}`}>{names.category(f)}</span>,
            }))}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="scopeKind" label={t('use.scope')} rules={[{ required: true }]}>
              <Radio.Group data-testid="use-app-form-scope">
                <Radio value="all" data-testid="use-app-form-scope-all">
                  {t('use.scope.all')}
                </Radio>
                <Radio value="list" data-testid="use-app-form-scope-list">
                  {t('use.scope.list')}
                </Radio>
                <Radio value="segment" data-testid="use-app-form-scope-segment">
                  {t('use.scope.segment')}
                </Radio>
              </Radio.Group>
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="method" label={t('use.method')} extra={t('use.form.methodHint')} rules={[{ required: true }]}>
              <Radio.Group data-testid="use-app-form-method">
                {USE_METHODS.map((m) => (
                  <Radio key={m} value={m} data-testid={`use-app-form-method-${m}`}>
                    {t(`useMethod.${m}`)}
                  </Radio>
                ))}
              </Radio.Group>
            </Form.Item>
          </Col>
        </Row>
        {scopeKind === 'list' ? (
          <Form.Item
            name="ids"
            label={t('use.scope.ids')}
            extra={t('use.form.idsHint')}
            rules={[
              {
                validator: async (_r, value: string | undefined) => {
                  const ids = parseIds(value);
                  if (ids.length === 0) throw new Error(t('use.form.idsRequired'));
                  const bad = ids.find((id) => !UUID_RE.test(id));
                  if (bad) throw new Error(t('use.form.idInvalid', { id: bad }));
                  if (ids.length > 10_000) throw new Error(t('use.form.idsTooMany'));
                },
              },
            ]}
          >
            <Input.TextArea rows={4} className="custos-mono" data-testid="use-app-form-ids" />
          </Form.Item>
        ) : null}
        {scopeKind === 'list' ? (
          <Form.Item name="saveAs" label={t('use.scope.saveAs')} extra={t('use.scope.saveAsHint')}>
            <Input maxLength={100} data-testid="use-app-form-save-as" />
          </Form.Item>
        ) : null}
        {scopeKind === 'segment' ? (
          <Form.Item
            name="segmentId"
            label={t('use.scope.segmentPick')}
            rules={[{ required: true, message: t('common.required', { field: t('use.scope.segmentPick') }) }]}
          >
            <Select
              data-testid="use-app-form-segment"
              options={segments.map((g) => ({ value: g.id, label: `${g.name} (${g.size})` }))}
              notFoundContent={t('use.scope.noSegments')}
            />
          </Form.Item>
        ) : null}
        <Form.Item
          name="period"
          label={t('use.period')}
          rules={[
            { required: true, message: t('common.required', { field: t('use.period') }) },
            {
              validator: async (_r, value: [Dayjs, Dayjs] | undefined) => {
                if (value && !value[1].isAfter(value[0])) throw new Error(t('use.form.periodOrder'));
              },
            },
          ]}
        >
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            style={{ width: '100%' }}
            data-testid="use-app-form-period"
          />
        </Form.Item>
        <Form.Item
          name="justification"
          label={t('use.justification')}
          extra={t('use.form.justificationHint')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('use.justification') }) },
            { min: 4, max: 2000, message: t('use.form.lengthHint', { min: 4, max: 2000 }) },
          ]}
        >
          <Input.TextArea rows={3} maxLength={2000} data-testid="use-app-form-justification" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
