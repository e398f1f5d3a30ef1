/**
 * Impact assessments (issue #6, a first step toward full PIAs): drafted against the shipped
 * template (purpose legitimacy and necessity, impact on individuals, security measures,
 * cross-border transfer, risk level) and completed by an approver other than the author. Sharing,
 * transfers, disclosures and cross-border recipients need a completed one before approval.
 */
import { CheckOutlined, PlusOutlined, ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Divider, Drawer, Empty, Form, Input, Modal, Radio, Select, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { PageHeader } from '../components/PageHeader';
import { CardTable } from '../components/CardTable';
import { formatDateTime, localized } from '../format';
import { useI18n } from '../i18n';
import { nestedFieldMapper, useProblemReporter, useSuccess } from '../problems';
import {
  IMPACT_SUBJECT_KINDS,
  RISK_LEVELS,
  impactApi,
  recipientsApi,
  type Answer,
  type ImpactAssessment,
  type ImpactStatus,
  type ImpactSubjectKind,
  type PiaTemplate,
  type Recipient,
  type RiskLevel,
} from '../recipientsApi';
import { ROUTES, navigate, subPath, useHashPath } from '../router';
import { useSession } from '../session';
import { useLoad } from '../useLoad';
import { useRT } from './recipients-i18n';

const RISK_COLOR: Record<RiskLevel, string> = { low: 'green', medium: 'gold', high: 'red' };
const RANK: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 };
const BASE = '/impact-assessments';

/** What the URL asks for: a new assessment (optionally about a recipient) or an existing one. */
type Opened = { kind: 'new'; subjectKind?: ImpactSubjectKind; subjectRef?: string } | { kind: 'existing'; id: string } | null;

function openedFrom(path: string): Opened {
  const route = ROUTES.find((r) => r.key === 'impactAssessments')!;
  if (!path.startsWith(route.path)) return null;
  const seg = subPath(route, path);
  if (seg[0] === 'new') {
    const kind = IMPACT_SUBJECT_KINDS.find((k) => k === seg[1]);
    return { kind: 'new', ...(kind ? { subjectKind: kind } : {}), ...(seg[2] ? { subjectRef: seg[2] } : {}) };
  }
  return seg[0] ? { kind: 'existing', id: seg[0] } : null;
}

export function ImpactAssessmentsPage() {
  const rt = useRT();
  const { t } = useI18n();
  const { can } = useSession();
  const path = useHashPath();
  const opened = openedFrom(path);
  const list = useLoad<ImpactAssessment[]>(() => impactApi.list(), []);
  const templates = useLoad<PiaTemplate[]>(impactApi.templates, []);
  const recipients = useLoad<Recipient[]>(() => recipientsApi.list(), [], can('recipient.read'));

  return (
    <>
      <PageHeader
        title={rt('pia.title')}
        subtitle={rt('pia.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void list.reload()} data-testid="impact-refresh">
              {t('common.refresh')}
            </Button>
            {can('impact.manage') ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate(`${BASE}/new`)} data-testid="impact-create">
                {rt('pia.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <ImpactTable data={list.data} loading={list.loading} recipients={recipients.data} />
      <ImpactDrawer
        key={opened ? (opened.kind === 'existing' ? opened.id : `new-${opened.subjectRef ?? ''}`) : 'none'}
        opened={opened}
        template={templates.data[0]}
        recipients={recipients.data}
        onClose={() => navigate(BASE)}
        onChanged={(id) => {
          void list.reload();
          if (id) navigate(`${BASE}/${encodeURIComponent(id)}`, { replace: true });
        }}
      />
    </>
  );
}

function RiskTag({ value }: { value: RiskLevel }) {
  const rt = useRT();
  return (
    <Tag color={RISK_COLOR[value]} data-testid="impact-risk" data-risk={value}>
      {rt(`pia.risk.${value}`)}
    </Tag>
  );
}

function ImpactStatusTag({ value }: { value: ImpactStatus }) {
  const rt = useRT();
  return (
    <Tag color={value === 'completed' ? 'green' : 'default'} data-testid="impact-status" data-status={value}>
      {rt(`pia.status.${value}`)}
    </Tag>
  );
}

function subjectText(a: Pick<ImpactAssessment, 'subjectKind' | 'subjectRef'>, recipients: Recipient[]): string {
  if (!a.subjectRef) return '—';
  if (a.subjectKind === 'recipient') return recipients.find((r) => r.id === a.subjectRef)?.legalName ?? a.subjectRef;
  return a.subjectRef;
}

function ImpactTable({ data, loading, recipients }: { data: ImpactAssessment[]; loading: boolean; recipients: Recipient[] }) {
  const rt = useRT();
  const { t } = useI18n();
  const columns: ColumnsType<ImpactAssessment> = [
    { title: rt('pia.titleField'), dataIndex: 'title' },
    {
      title: rt('pia.subjectKind'),
      dataIndex: 'subjectKind',
      width: 110,
      render: (v: ImpactSubjectKind) => <Tag>{rt(`pia.subject.${v}`)}</Tag>,
      filters: IMPACT_SUBJECT_KINDS.map((k) => ({ text: rt(`pia.subject.${k}`), value: k })),
      onFilter: (value, a) => a.subjectKind === value,
    },
    { title: rt('pia.subjectRef'), key: 'ref', render: (_: unknown, a) => subjectText(a, recipients) },
    { title: rt('pia.risk'), dataIndex: 'riskLevel', width: 90, render: (v: RiskLevel) => <RiskTag value={v} /> },
    {
      title: rt('pia.status'),
      dataIndex: 'status',
      width: 100,
      render: (v: ImpactStatus) => <ImpactStatusTag value={v} />,
      filters: (['draft', 'completed'] as const).map((s) => ({ text: rt(`pia.status.${s}`), value: s })),
      onFilter: (value, a) => a.status === value,
    },
    { title: rt('pia.author'), dataIndex: 'createdBy', width: 110 },
    { title: rt('pia.approver'), dataIndex: 'completedBy', width: 110, render: (v: string | null) => v ?? t('common.none') },
    { title: rt('pia.completedAt'), dataIndex: 'completedAt', width: 170, render: (v: string | null) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 80,
      render: (_: unknown, a) => (
        <Button
          type="link"
          size="small"
          onClick={() => navigate(`${BASE}/${encodeURIComponent(a.id)}`)}
          data-testid={`impact-open-${a.id}`}
        >
          {rt('pia.open')}
        </Button>
      ),
    },
  ];
  return (
    <CardTable<ImpactAssessment>
      emptyText={rt('pia.empty')}
      data-testid="impact-table"
      rowKey="id"
      loading={loading}
      columns={columns}
      dataSource={data}
      onRow={(a) => ({ 'data-testid': `impact-row-${a.id}`, 'data-status': a.status }) as object}
    />
  );
}

interface ImpactForm {
  subjectKind: ImpactSubjectKind;
  subjectRef?: string;
  title: string;
  answers: Record<string, string | undefined>;
  riskLevel?: RiskLevel;
}

function answersOf(v: Record<string, string | undefined> | undefined): Answer[] {
  return Object.entries(v ?? {})
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '')
    .map(([questionId, value]) => ({ questionId, value: value.trim() }));
}

function floorRisk(template: PiaTemplate | undefined, answers: Answer[]): RiskLevel {
  let risk: RiskLevel = 'low';
  for (const a of answers) {
    const o = template?.questions.find((q) => q.id === a.questionId)?.options?.find((x) => x.value === a.value);
    if (o && RANK[o.risk] > RANK[risk]) risk = o.risk;
  }
  return risk;
}

function ImpactDrawer({
  opened,
  template,
  recipients,
  onClose,
  onChanged,
}: {
  opened: Opened;
  template: PiaTemplate | undefined;
  recipients: Recipient[];
  onClose: () => void;
  onChanged: (id?: string) => void;
}) {
  const rt = useRT();
  const { t, lang } = useI18n();
  const { can, user } = useSession();
  const report = useProblemReporter();
  const success = useSuccess();
  const existingId = opened?.kind === 'existing' ? opened.id : null;
  const loaded = useLoad<ImpactAssessment | null>(
    () => (existingId ? impactApi.get(existingId) : Promise.resolve(null)),
    null,
    existingId !== null,
  );
  const a = loaded.data && loaded.data.id === existingId ? loaded.data : null;
  const [form] = Form.useForm<ImpactForm>();
  const [saving, setSaving] = useState(false);
  const [completing, setCompleting] = useState(false);
  const [comment, setComment] = useState('');
  const editable = can('impact.manage') && (opened?.kind === 'new' || a?.status === 'draft');
  const subjectKind =
    (Form.useWatch('subjectKind', form) as ImpactSubjectKind | undefined) ??
    a?.subjectKind ??
    (opened?.kind === 'new' ? opened.subjectKind : undefined);
  const watched = Form.useWatch('answers', form) as ImpactForm['answers'] | undefined;
  const computed = useMemo(() => floorRisk(template, answersOf(watched ?? {})), [template, watched]);
  const own = a !== null && (a.authorUserId === user.id || a.createdBy === user.username);

  const initialValues = useMemo<Partial<ImpactForm>>(() => {
    if (a)
      return {
        subjectKind: a.subjectKind,
        ...(a.subjectRef ? { subjectRef: a.subjectRef } : {}),
        title: a.title,
        answers: Object.fromEntries(a.answers.map((x) => [x.questionId, x.value])),
        riskLevel: a.riskLevel,
      };
    if (opened?.kind === 'new')
      return { subjectKind: opened.subjectKind ?? 'share', ...(opened.subjectRef ? { subjectRef: opened.subjectRef } : {}), answers: {} };
    return {};
  }, [a, opened]);

  const save = async () => {
    let v: ImpactForm;
    try {
      v = await form.validateFields(['subjectKind', 'subjectRef', 'title', 'riskLevel']);
      v = { ...form.getFieldsValue(true), ...v } as ImpactForm;
    } catch {
      return;
    }
    const answers = answersOf(v.answers);
    const riskLevel = v.riskLevel && RANK[v.riskLevel] >= RANK[floorRisk(template, answers)] ? v.riskLevel : undefined;
    setSaving(true);
    try {
      const saved = a
        ? await impactApi.update(a.id, {
            title: v.title.trim(),
            ...(v.subjectRef?.trim() ? { subjectRef: v.subjectRef.trim() } : {}),
            answers,
            ...(riskLevel ? { riskLevel } : {}),
          })
        : await impactApi.create({
            subjectKind: v.subjectKind,
            ...(v.subjectRef?.trim() ? { subjectRef: v.subjectRef.trim() } : {}),
            title: v.title.trim(),
            answers,
            ...(riskLevel ? { riskLevel } : {}),
          });
      success(rt('pia.saved'));
      if (a) void loaded.reload();
      onChanged(saved.id);
    } catch (err) {
      report(err, {
        form,
        mapField: nestedFieldMapper(form, (seg) => (seg[0] === 'answers' && typeof seg[1] === 'number' ? ['answers'] : seg)),
      });
    } finally {
      setSaving(false);
    }
  };

  const complete = async () => {
    if (!a) return;
    setSaving(true);
    try {
      await impactApi.complete(a.id, comment.trim() || undefined);
      success(rt('pia.completed'));
      setCompleting(false);
      void loaded.reload();
      onChanged();
    } catch (err) {
      report(err);
    } finally {
      setSaving(false);
    }
  };

  const sections = template ? [...new Set(template.questions.map((q) => q.section))] : [];
  const open = opened !== null;
  const title = opened?.kind === 'new' ? rt('pia.new') : a ? `${editable ? rt('pia.edit') : rt('pia.view')} · ${a.title}` : null;

  return (
    <Drawer
      title={title}
      open={open}
      onClose={onClose}
      size={860}
      data-testid="impact-detail"
      extra={
        <Space>
          {editable ? (
            <Button icon={<SaveOutlined />} loading={saving} onClick={() => void save()} data-testid="impact-save">
              {rt('pia.saveDraft')}
            </Button>
          ) : null}
          {a?.status === 'draft' && can('impact.approve') ? (
            <Button
              type="primary"
              icon={<CheckOutlined />}
              disabled={own}
              title={own ? rt('pia.ownAssessment') : undefined}
              onClick={() => setCompleting(true)}
              data-testid="impact-complete"
            >
              {rt('pia.complete')}
            </Button>
          ) : null}
        </Space>
      }
    >
      {open && template && (opened.kind === 'new' || a) ? (
        <div data-testid="impact-detail-body" data-status={a?.status ?? 'new'}>
          {a ? (
            <Descriptions
              bordered
              size="small"
              column={2}
              style={{ marginBottom: 16 }}
              items={[
                { key: 'status', label: rt('pia.status'), children: <ImpactStatusTag value={a.status} /> },
                { key: 'risk', label: rt('pia.risk'), children: <RiskTag value={a.riskLevel} /> },
                { key: 'author', label: rt('pia.author'), children: `${a.createdBy} · ${formatDateTime(a.createdAt)}` },
                {
                  key: 'approver',
                  label: rt('pia.approver'),
                  children: a.completedBy ? `${a.completedBy} · ${formatDateTime(a.completedAt)}` : t('common.none'),
                },
                ...(a.approvalComment ? [{ key: 'comment', label: rt('rcp.comment'), span: 2, children: a.approvalComment }] : []),
              ]}
            />
          ) : null}
          {a && a.status === 'draft' && a.missing.length ? (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              data-testid="impact-missing"
              title={rt('pia.missing', { n: a.missing.length })}
              description={a.missing.map((m) => localized(template.questions.find((q) => q.id === m)?.text, lang) || m).join('；')}
            />
          ) : null}
          <Form<ImpactForm> form={form} layout="vertical" initialValues={initialValues} disabled={!editable} data-testid="impact-form">
            <Space style={{ width: '100%' }} align="start" wrap>
              <Form.Item name="subjectKind" label={rt('pia.subjectKind')} rules={[{ required: true }]} style={{ width: 180 }}>
                <Select<ImpactSubjectKind>
                  disabled={a !== null}
                  data-testid="impact-subject-kind"
                  options={IMPACT_SUBJECT_KINDS.map((k) => ({ value: k, label: rt(`pia.subject.${k}`) }))}
                />
              </Form.Item>
              <Form.Item
                name="subjectRef"
                label={rt('pia.subjectRef')}
                extra={rt('pia.subjectRefHint')}
                style={{ width: 520 }}
                rules={
                  subjectKind === 'recipient' ? [{ required: true, message: t('common.required', { field: rt('pia.subjectRef') }) }] : []
                }
              >
                {subjectKind === 'recipient' && recipients.length ? (
                  <Select<string>
                    showSearch={{ optionFilterProp: 'label' }}
                    data-testid="impact-subject-ref"
                    options={recipients
                      .filter((r) => r.status !== 'terminated')
                      .map((r) => ({ value: r.id, label: `${r.legalName}${r.crossBorder ? ` · ${rt('rcp.crossBorder')}` : ''}` }))}
                  />
                ) : (
                  <Input maxLength={200} data-testid="impact-subject-ref" />
                )}
              </Form.Item>
            </Space>
            <Form.Item
              name="title"
              label={rt('pia.titleField')}
              rules={[{ required: true, whitespace: true, min: 2, message: t('common.required', { field: rt('pia.titleField') }) }]}
            >
              <Input maxLength={300} data-testid="impact-title" />
            </Form.Item>
            {sections.map((section) => (
              <div key={section}>
                <Divider titlePlacement="start" style={{ marginTop: 8 }}>
                  {rt(`pia.section.${section}`)}
                </Divider>
                {template.questions
                  .filter((q) => q.section === section)
                  .map((q) => (
                    <Form.Item
                      key={q.id}
                      name={['answers', q.id]}
                      label={
                        <span>
                          {localized(q.text, lang)}
                          {q.required ? null : (
                            <Typography.Text type="secondary" style={{ marginLeft: 6, fontSize: 12 }}>
                              ({rt('pia.requiredWhenHigh')})
                            </Typography.Text>
                          )}
                        </span>
                      }
                    >
                      {q.kind === 'choice' ? (
                        <Radio.Group data-testid={`impact-q-${q.id}`}>
                          {q.options!.map((o) => (
                            <Radio key={o.value} value={o.value} data-testid={`impact-q-${q.id}-${o.value}`}>
                              {localized(o.label, lang)}
                            </Radio>
                          ))}
                        </Radio.Group>
                      ) : (
                        <Input.TextArea rows={2} maxLength={4000} data-testid={`impact-q-${q.id}`} />
                      )}
                    </Form.Item>
                  ))}
              </div>
            ))}
            <Divider />
            <Form.Item
              name="riskLevel"
              label={rt('pia.risk')}
              extra={`${rt('pia.riskHint')} · ${rt('pia.computedRisk', { risk: rt(`pia.risk.${computed}`) })}`}
              style={{ width: 360 }}
            >
              <Select<RiskLevel>
                allowClear
                data-testid="impact-risk-level"
                options={RISK_LEVELS.map((r) => ({ value: r, label: rt(`pia.risk.${r}`), disabled: RANK[r] < RANK[computed] }))}
              />
            </Form.Item>
          </Form>
          <Modal
            title={rt('pia.complete')}
            open={completing}
            onCancel={() => setCompleting(false)}
            onOk={() => void complete()}
            okText={rt('pia.complete')}
            cancelText={t('common.cancel')}
            confirmLoading={saving}
            okButtonProps={{ 'data-testid': 'impact-complete-submit' }}
            destroyOnHidden
          >
            <Alert type="info" showIcon title={rt('pia.completeHint')} style={{ margin: '12px 0' }} />
            <Input.TextArea
              rows={3}
              maxLength={2000}
              placeholder={rt('rcp.comment')}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              data-testid="impact-complete-comment"
            />
          </Modal>
        </div>
      ) : open ? (
        <Empty />
      ) : null}
    </Drawer>
  );
}
