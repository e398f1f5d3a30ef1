/**
 * Approval inbox (P5.2): the use applications whose current step awaits the signed-in reviewer
 * (also under a delegation in force), each with the full request and its review history; approve,
 * reject or return for changes (a comment is required for the latter two). Reviewers delegate
 * their reviews to a colleague for a period with a reason.
 */
import { AuditOutlined, CheckOutlined, ReloadOutlined, UserSwitchOutlined } from '@ant-design/icons';
import { Alert, Badge, Button, DatePicker, Divider, Drawer, Form, Input, Modal, Radio, Select, Space, Tabs, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { api, type NewDelegation, type ReviewDecision, type UseApplication, type User } from '../api';
import { PageHeader } from '../components/PageHeader';
import { CardTable } from '../components/CardTable';
import {
  AppStatusTag,
  ApplicationDescriptions,
  FieldTags,
  MethodTag,
  ReviewHistory,
  ScopeText,
  useUseNames,
  type UseNames,
} from '../components/UseParts';
import { formatDateTime, roleLabel } from '../format';
import { useI18n } from '../i18n';
import { useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

type TabKey = 'awaiting' | 'others';

export function ApprovalInboxPage() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const names = useUseNames();
  const apps = useLoad<UseApplication[]>(api.listUseApplications, []);
  const [tab, setTab] = useState<TabKey>('awaiting');
  const [openId, setOpenId] = useState<string | null>(null);
  const [delegating, setDelegating] = useState(false);
  const awaiting = useMemo(() => apps.data.filter((a) => a.awaitingMyReview), [apps.data]);
  // Everything else the reviewer may see (reviewed by them, or all with use.read), not their own.
  const others = useMemo(
    () => apps.data.filter((a) => !a.awaitingMyReview && a.applicantId !== user.id && a.status !== 'draft'),
    [apps.data, user.id],
  );

  const columns = (withStep: boolean): ColumnsType<UseApplication> => [
    {
      title: t('use.applicant'),
      key: 'applicant',
      width: 150,
      render: (_: unknown, a) => (
        <Space orientation="vertical" size={0}>
          <span>{a.applicantName}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {names.department(a.departmentId)}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('use.purpose'), dataIndex: 'purposeCode', width: 150, render: (v: string) => names.purpose(v) },
    { title: t('use.scenario'), dataIndex: 'scenario', ellipsis: true },
    {
      title: t('use.fields'),
      dataIndex: 'fields',
      width: 220,
      render: (_: unknown, a) => (
        <Space size={[4, 4]} wrap>
          <FieldTags fields={a.fields} names={names} />
          {a.sensitive ? <Tag color="red">{t('use.sensitive')}</Tag> : null}
        </Space>
      ),
    },
    { title: t('use.method'), dataIndex: 'method', width: 90, render: (v: string) => <MethodTag value={v} /> },
    { title: t('use.scope'), key: 'scope', width: 100, render: (_: unknown, a) => <ScopeText scope={a.customerScope} /> },
    {
      title: withStep ? t('approvals.step') : t('use.status'),
      key: 'step',
      width: 150,
      render: (_: unknown, a) =>
        withStep ? <Tag color="processing">{roleLabel(a.chain[a.step] ?? '', lang, t)}</Tag> : <AppStatusTag value={a.status} />,
    },
    { title: t('use.submittedAt'), dataIndex: 'submittedAt', width: 170, render: (v: string | null) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 110,
      render: (_: unknown, a) => (
        <Button
          type={withStep ? 'primary' : 'link'}
          size="small"
          icon={withStep ? <AuditOutlined /> : undefined}
          onClick={() => setOpenId(a.id)}
          data-testid={`approval-open-${a.id}`}
        >
          {withStep ? t('approvals.review') : t('use.details')}
        </Button>
      ),
    },
  ];

  const open = apps.data.find((a) => a.id === openId) ?? null;

  return (
    <>
      <PageHeader
        title={t('approvals.title')}
        subtitle={t('approvals.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void apps.reload()} data-testid="approvals-refresh">
              {t('common.refresh')}
            </Button>
            <Button icon={<UserSwitchOutlined />} onClick={() => setDelegating(true)} data-testid="delegation-create">
              {t('approvals.delegate')}
            </Button>
          </>
        }
      />
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as TabKey)}
        items={[
          {
            key: 'awaiting',
            label: (
              <span data-testid="approvals-tab-awaiting">
                {t('approvals.tab.awaiting')} <Badge count={awaiting.length} showZero={false} />
              </span>
            ),
            children: (
              <CardTable<UseApplication>
                emptyText={t('approvals.empty')}
                data-testid="approvals-table"
                rowKey="id"
                scroll={{ x: 1300 }}
                loading={apps.loading}
                columns={columns(true)}
                dataSource={awaiting}
                onRow={(a) => ({ 'data-testid': `approval-row-${a.id}`, 'data-step': a.chain[a.step] }) as object}
              />
            ),
          },
          {
            key: 'others',
            label: <span data-testid="approvals-tab-others">{t('approvals.tab.others')}</span>,
            children: (
              <CardTable<UseApplication>
                emptyText={t('approvals.othersEmpty')}
                data-testid="approvals-others-table"
                rowKey="id"
                scroll={{ x: 1300 }}
                loading={apps.loading}
                columns={columns(false)}
                dataSource={others}
                onRow={(a) => ({ 'data-testid': `approval-other-row-${a.id}`, 'data-status': a.status }) as object}
              />
            ),
          },
        ]}
      />
      <ReviewDrawer
        app={open}
        names={names}
        onClose={() => setOpenId(null)}
        onDecided={async () => {
          await apps.reload();
          setOpenId(null);
        }}
      />
      <DelegationModal open={delegating} onClose={() => setDelegating(false)} />
    </>
  );
}

interface DecisionForm {
  decision: ReviewDecision;
  comment?: string;
}

function ReviewDrawer({
  app,
  names,
  onClose,
  onDecided,
}: {
  app: UseApplication | null;
  names: UseNames;
  onClose: () => void;
  onDecided: () => Promise<void>;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<DecisionForm>();
  const decision = Form.useWatch('decision', form);
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const canDecide = Boolean(app?.awaitingMyReview);

  const decide = async () => {
    if (!app) return;
    let v: DecisionForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      await api.reviewUseApplication(app.id, v.decision, v.comment?.trim() || undefined);
      success(t(`approvals.decided.${v.decision}`));
      form.resetFields();
      await onDecided();
    } catch (err) {
      report(err, { form });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Drawer
      open={app !== null}
      onClose={onClose}
      size={820}
      destroyOnHidden
      title={app ? t('approvals.drawerTitle', { name: app.applicantName }) : null}
      data-testid="approval-drawer"
    >
      {app ? (
        <div data-testid="approval-drawer-body" data-id={app.id} data-status={app.status}>
          {canDecide ? (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              title={t('approvals.yourStep', { role: roleLabel(app.chain[app.step] ?? '', lang, t) })}
            />
          ) : null}
          <ApplicationDescriptions app={app} names={names} />
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('use.history')}
          </Typography.Title>
          <ReviewHistory app={app} names={names} />
          {canDecide ? (
            <>
              <Divider />
              <Typography.Title level={5}>{t('approvals.decision')}</Typography.Title>
              <Form<DecisionForm> form={form} layout="vertical" initialValues={{ decision: 'approve' }} data-testid="approval-form">
                <Form.Item name="decision" rules={[{ required: true }]}>
                  <Radio.Group optionType="button" buttonStyle="solid" data-testid="approval-decision">
                    <Radio value="approve">
                      <span data-testid="approval-decision-approve">{t('useDecision.approve')}</span>
                    </Radio>
                    <Radio value="return">
                      <span data-testid="approval-decision-return">{t('useDecision.return')}</span>
                    </Radio>
                    <Radio value="reject">
                      <span data-testid="approval-decision-reject">{t('useDecision.reject')}</span>
                    </Radio>
                  </Radio.Group>
                </Form.Item>
                <Form.Item
                  name="comment"
                  label={t('approvals.comment')}
                  extra={decision && decision !== 'approve' ? t('approvals.commentRequired') : t('approvals.commentOptional')}
                  dependencies={['decision']}
                  rules={[
                    ({ getFieldValue }) => ({
                      validator: async (_r, value: string | undefined) => {
                        if (getFieldValue('decision') !== 'approve' && !value?.trim()) throw new Error(t('approvals.commentRequired'));
                      },
                    }),
                    { max: 2000 },
                  ]}
                >
                  <Input.TextArea rows={3} maxLength={2000} data-testid="approval-comment" />
                </Form.Item>
                <Button
                  type="primary"
                  icon={<CheckOutlined />}
                  danger={decision === 'reject'}
                  loading={saving}
                  onClick={() => void decide()}
                  data-testid="approval-submit"
                >
                  {t('approvals.submitDecision')}
                </Button>
              </Form>
            </>
          ) : null}
        </div>
      ) : null}
    </Drawer>
  );
}

interface DelegationForm {
  delegateId?: string;
  delegateUsername?: string;
  period: [Dayjs, Dayjs];
  reason: string;
}

function DelegationModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { can, user } = useSession();
  const [form] = Form.useForm<DelegationForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  // A reviewer who may read the staff register picks the colleague; anyone else types the username.
  const pick = can('user.read') || can('user.read.department');
  const users = useLoad<User[]>(api.listUsers, [], pick && open);
  const now = dayjs().startOf('minute');

  const submit = async () => {
    let v: DelegationForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const body: NewDelegation = {
      ...(pick ? { delegateId: v.delegateId } : { delegateUsername: v.delegateUsername?.trim() }),
      validFrom: v.period[0].toISOString(),
      validUntil: v.period[1].toISOString(),
      reason: v.reason.trim(),
    };
    setSaving(true);
    try {
      await api.createApprovalDelegation(body);
      success(t('approvals.delegated'));
      form.resetFields();
      onClose();
    } catch (err) {
      report(err, {
        form,
        mapField: (p) =>
          p.field.startsWith('validFrom') || p.field.startsWith('validUntil') ? ['period'] : [p.field.replace(/^body\./, '')],
      });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={t('approvals.delegate')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('approvals.delegateOk')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'delegation-submit' }}
      width={600}
    >
      <Form<DelegationForm>
        form={form}
        layout="vertical"
        preserve={false}
        autoComplete="off"
        initialValues={{ period: [now, now.add(7, 'day')] }}
        data-testid="delegation-form"
        style={{ marginTop: 16 }}
      >
        <Alert type="info" showIcon title={t('approvals.delegateHint')} style={{ marginBottom: 16 }} />
        {pick ? (
          <Form.Item
            name="delegateId"
            label={t('approvals.delegateTo')}
            rules={[{ required: true, message: t('common.required', { field: t('approvals.delegateTo') }) }]}
          >
            <Select<string>
              showSearch={{ optionFilterProp: 'search' }}
              data-testid="delegation-user"
              options={users.data
                .filter((u) => u.id !== user.id && u.status === 'active')
                .map((u) => ({
                  value: u.id,
                  search: `${u.displayName} ${u.username}`,
                  label: <span data-testid={`delegation-user-${u.username}`}>{`${u.displayName} (${u.username})`}</span>,
                }))}
            />
          </Form.Item>
        ) : (
          <Form.Item
            name="delegateUsername"
            label={t('approvals.delegateTo')}
            extra={t('approvals.delegateUsernameHint')}
            rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('approvals.delegateTo') }) }]}
          >
            <Input data-testid="delegation-username" />
          </Form.Item>
        )}
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
            data-testid="delegation-period"
          />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('approvals.delegateReason')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('approvals.delegateReason') }) },
            { min: 2, max: 500, message: t('use.form.lengthHint', { min: 2, max: 500 }) },
          ]}
        >
          <Input.TextArea rows={2} maxLength={500} data-testid="delegation-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
