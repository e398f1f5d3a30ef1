/**
 * Pieces shared by the approved-internal-use pages (P5.2): status and method tags, the names of
 * purposes, categories, departments and users behind the ids the use API returns, the full
 * request of an application and its review history.
 */
import { CheckCircleOutlined, CloseCircleOutlined, RollbackOutlined, UserSwitchOutlined } from '@ant-design/icons';
import { Descriptions, Empty, Space, Steps, Tag, Timeline, Tooltip, Typography } from 'antd';
import { useCallback, useMemo } from 'react';
import {
  api,
  type CustomerScope,
  type DataCategory,
  type Department,
  type GrantStatus,
  type Purpose,
  type ReviewDecision,
  type UseApplication,
  type UseApplicationStatus,
  type User,
} from '../api';
import { categoryLabel, formatDateTime, localized, roleLabel, shortId } from '../format';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

const APP_STATUS_COLOR: Record<UseApplicationStatus, string> = {
  draft: 'default',
  in_review: 'processing',
  returned: 'orange',
  approved: 'green',
  rejected: 'red',
  withdrawn: 'default',
};

export function AppStatusTag({ value }: { value: UseApplicationStatus }) {
  const { t } = useI18n();
  return (
    <Tag color={APP_STATUS_COLOR[value]} data-testid="use-app-status" data-status={value}>
      {t(`useStatus.${value}`)}
    </Tag>
  );
}

const GRANT_STATUS_COLOR: Record<GrantStatus, string> = { active: 'green', expired: 'default', revoked: 'red' };

export function GrantStatusTag({ value }: { value: GrantStatus }) {
  const { t } = useI18n();
  return (
    <Tag color={GRANT_STATUS_COLOR[value]} data-testid="grant-status" data-status={value}>
      {t(`grantStatus.${value}`)}
    </Tag>
  );
}

const METHOD_COLOR: Record<string, string> = { view: 'blue', api: 'geekblue', export: 'purple' };

export function MethodTag({ value }: { value: string }) {
  const { t, has } = useI18n();
  const key = `useMethod.${value}`;
  return <Tag color={METHOD_COLOR[value] ?? 'default'}>{has(key) ? t(key) : value}</Tag>;
}

const DECISION_COLOR: Record<ReviewDecision, string> = { approve: 'green', reject: 'red', return: 'orange' };
const DECISION_ICON = { approve: <CheckCircleOutlined />, reject: <CloseCircleOutlined />, return: <RollbackOutlined /> };

export function DecisionTag({ value }: { value: ReviewDecision }) {
  const { t } = useI18n();
  return (
    <Tag color={DECISION_COLOR[value]} icon={DECISION_ICON[value]} data-testid="review-decision" data-decision={value}>
      {t(`useDecision.${value}`)}
    </Tag>
  );
}

/** `all customers`, or `3 customers` with the ids in a tooltip. */
export function ScopeText({ scope }: { scope: CustomerScope }) {
  const { t } = useI18n();
  if (scope.kind === 'all')
    return (
      <span data-testid="use-scope" data-kind="all">
        {t('use.scope.allValue')}
      </span>
    );
  return (
    <Tooltip
      title={
        <div className="custos-mono" style={{ maxHeight: 240, overflow: 'auto' }}>
          {scope.ids.map((id) => (
            <div key={id}>{id}</div>
          ))}
        </div>
      }
    >
      <span data-testid="use-scope" data-kind="list" style={{ borderBottom: '1px dotted' }}>
        {scope.segment
          ? t('use.scope.segmentValue', { name: scope.segment.name, count: scope.ids.length })
          : t('use.scope.listValue', { count: scope.ids.length })}
      </span>
    </Tooltip>
  );
}

export interface UseNames {
  purpose: (code: string) => string;
  category: (code: string) => string;
  department: (id: string | null | undefined) => string;
  user: (id: string | null | undefined) => string;
  /** The active purposes (for the application form). */
  activePurposes: Purpose[];
  categories: DataCategory[];
}

/** Names for the ids of the use API, from whatever lists the user may read (else the id). */
export function useUseNames(): UseNames {
  const { can, user } = useSession();
  const { lang } = useI18n();
  const purposes = useLoad<Purpose[]>(() => api.listPurposes({}), [], can('purpose.read'));
  const categories = useLoad<DataCategory[]>(api.listDataCategories, [], can('catalogue.read'));
  const departments = useLoad<Department[]>(api.listDepartments, [], can('department.read'));
  const users = useLoad<User[]>(api.listUsers, [], can('user.read') || can('user.read.department'));
  const catMap = useMemo(() => new Map(categories.data.map((c) => [c.code, c])), [categories.data]);
  const purposeByCode = useMemo(() => {
    // The newest version's name; an active version wins.
    const m = new Map<string, Purpose>();
    for (const p of purposes.data) {
      const had = m.get(p.code);
      if (!had || (p.status === 'active' && had.status !== 'active') || (had.status !== 'active' && p.version > had.version))
        m.set(p.code, p);
    }
    return m;
  }, [purposes.data]);
  const deptById = useMemo(() => new Map(departments.data.map((d) => [d.id, d.name])), [departments.data]);
  const userById = useMemo(() => new Map(users.data.map((u) => [u.id, `${u.displayName} (${u.username})`])), [users.data]);
  const purpose = useCallback(
    (code: string) => {
      const p = purposeByCode.get(code);
      return p ? localized(p.name, lang) || code : code;
    },
    [purposeByCode, lang],
  );
  const category = useCallback((code: string) => categoryLabel(code, lang, catMap), [lang, catMap]);
  const department = useCallback((id: string | null | undefined) => (id ? (deptById.get(id) ?? shortId(id)) : '—'), [deptById]);
  const userName = useCallback(
    (id: string | null | undefined) => {
      if (!id) return '—';
      if (id === user.id) return user.displayName;
      return userById.get(id) ?? shortId(id);
    },
    [userById, user],
  );
  const activePurposes = useMemo(() => purposes.data.filter((p) => p.status === 'active'), [purposes.data]);
  return { purpose, category, department, user: userName, activePurposes, categories: categories.data };
}

export function FieldTags({ fields, names }: { fields: string[]; names: UseNames }) {
  return (
    <Space size={[4, 4]} wrap>
      {fields.map((f) => (
        <Tag key={f} variant="outlined" data-testid={`use-field-${f}`}>
          {names.category(f)}
        </Tag>
      ))}
    </Space>
  );
}

/** `2025-01-01 00:00:00 ~ 2025-02-01 00:00:00` */
export function periodText(from: string, until: string): string {
  return `${formatDateTime(from)} ~ ${formatDateTime(until)}`;
}

/** Every field of the application: the full request a reviewer decides on. */
export function ApplicationDescriptions({ app, names }: { app: UseApplication; names: UseNames }) {
  const { t } = useI18n();
  return (
    <Descriptions
      bordered
      size="small"
      column={2}
      styles={{ label: { width: 120 } }}
      data-testid="use-app-details"
      items={[
        { key: 'applicant', label: t('use.applicant'), children: <span data-testid="use-app-applicant">{app.applicantName}</span> },
        { key: 'dept', label: t('use.department'), children: names.department(app.departmentId) },
        {
          key: 'purpose',
          label: t('use.purpose'),
          children: (
            <span data-testid="use-app-purpose">
              {names.purpose(app.purposeCode)} <Typography.Text type="secondary">({app.purposeCode})</Typography.Text>
            </span>
          ),
        },
        { key: 'status', label: t('use.status'), children: <AppStatusTag value={app.status} /> },
        { key: 'scenario', label: t('use.scenario'), span: 2, children: <span data-testid="use-app-scenario">{app.scenario}</span> },
        {
          key: 'fields',
          label: t('use.fields'),
          span: 2,
          children: (
            <Space size={[4, 4]} wrap>
              <FieldTags fields={app.fields} names={names} />
              {app.sensitive ? <Tag color="red">{t('use.sensitive')}</Tag> : null}
            </Space>
          ),
        },
        { key: 'scope', label: t('use.scope'), children: <ScopeText scope={app.customerScope} /> },
        { key: 'method', label: t('use.method'), children: <MethodTag value={app.method} /> },
        { key: 'period', label: t('use.period'), span: 2, children: periodText(app.validFrom, app.validUntil) },
        {
          key: 'justification',
          label: t('use.justification'),
          span: 2,
          children: (
            <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }} data-testid="use-app-justification">
              {app.justification}
            </Typography.Paragraph>
          ),
        },
        { key: 'created', label: t('common.created'), children: formatDateTime(app.createdAt) },
        { key: 'submitted', label: t('use.submittedAt'), children: formatDateTime(app.submittedAt) },
        ...(app.customerScope.kind === 'list'
          ? [
              {
                key: 'ids',
                label: t('use.scope.ids'),
                span: 2,
                children: (
                  <div className="custos-mono" style={{ maxHeight: 120, overflow: 'auto' }} data-testid="use-app-ids">
                    {app.customerScope.ids.join('\n')}
                  </div>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

/** The chain with the current step, and every review so far (who, when, decision, comment, on whose behalf). */
export function ReviewHistory({ app, names }: { app: UseApplication; names: UseNames }) {
  const { t, lang } = useI18n();
  const current = app.status === 'approved' ? app.chain.length : app.status === 'draft' ? -1 : app.step;
  return (
    <div data-testid="use-app-history">
      <Steps
        size="small"
        current={current}
        status={app.status === 'rejected' ? 'error' : undefined}
        style={{ marginBottom: 24 }}
        items={app.chain.map((role, i) => ({
          title: roleLabel(role, lang, t),
          description: app.reviews.filter((r) => r.step === i && r.decision === 'approve').at(-1)?.reviewerName,
        }))}
      />
      {app.reviews.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('use.history.none')} />
      ) : (
        <Timeline
          items={app.reviews.map((r, i) => ({
            key: i,
            color: r.decision === 'approve' ? 'green' : r.decision === 'reject' ? 'red' : 'orange',
            content: (
              <div data-testid="use-review-row" data-decision={r.decision} data-role={r.stepRole}>
                <Space size={8} wrap>
                  <DecisionTag value={r.decision} />
                  <Typography.Text strong>{roleLabel(r.stepRole, lang, t)}</Typography.Text>
                  <span>{r.reviewerName}</span>
                  {r.onBehalfOf ? (
                    <Tag icon={<UserSwitchOutlined />} color="cyan">
                      {t('use.history.onBehalfOf', { name: names.user(r.onBehalfOf) })}
                    </Tag>
                  ) : null}
                  <Typography.Text type="secondary">{formatDateTime(r.decidedAt)}</Typography.Text>
                </Space>
                {r.comment ? (
                  <Typography.Paragraph style={{ margin: '4px 0 0', whiteSpace: 'pre-wrap' }} data-testid="use-review-comment">
                    {r.comment}
                  </Typography.Paragraph>
                ) : null}
              </div>
            ),
          }))}
        />
      )}
    </div>
  );
}

/** The comment of the latest return or rejection, if any. */
export function lastComment(app: UseApplication): string | null {
  const r = [...app.reviews].reverse().find((x) => x.decision !== 'approve');
  return r?.comment ?? null;
}
