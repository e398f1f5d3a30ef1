/**
 * Grants (P5.2): what approved applications allow (purpose, fields, customers, method, period),
 * active, expired or revoked; the access log of each grant; revocation with a reason by holders of
 * grant.revoke; from an export grant, the export wizard.
 */
import { ExportOutlined, HistoryOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons';
import {
  Alert,
  Badge,
  Button,
  Card,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  Modal,
  Segmented,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { api, type Grant, type GrantAccess, type GrantStatus, type UseApplication } from '../api';
import { PageHeader } from '../components/PageHeader';
import { FieldTags, GrantStatusTag, MethodTag, ScopeText, periodText, useUseNames, type UseNames } from '../components/UseParts';
import { customerPath, exportPath, navigate } from '../router';
import { formatDateTime, shortId } from '../format';
import { useI18n } from '../i18n';
import { useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

const STATUSES: GrantStatus[] = ['active', 'expired', 'revoked'];

export function GrantsPage() {
  const { t } = useI18n();
  const { can, user } = useSession();
  const names = useUseNames();
  const grants = useLoad<Grant[]>(api.listGrants, []);
  const apps = useLoad<UseApplication[]>(api.listUseApplications, []);
  const [status, setStatus] = useState<GrantStatus>('active');
  const [logOf, setLogOf] = useState<Grant | null>(null);
  const [revoking, setRevoking] = useState<Grant | null>(null);
  const counts = useMemo(() => {
    const c: Record<GrantStatus, number> = { active: 0, expired: 0, revoked: 0 };
    for (const g of grants.data) c[g.status]++;
    return c;
  }, [grants.data]);
  const shown = useMemo(() => grants.data.filter((g) => g.status === status), [grants.data, status]);
  const appById = useMemo(() => new Map(apps.data.map((a) => [a.id, a])), [apps.data]);
  const holder = (g: Grant) => appById.get(g.applicationId)?.applicantName ?? names.user(g.holderId);
  // The export wizard is for the grant's holder and department (the export API decides).
  const mayExport = (g: Grant) =>
    g.method === 'export' && g.status === 'active' && can('use.apply') && (g.holderId === user.id || g.departmentId === user.departmentId);

  const columns: ColumnsType<Grant> = [
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
    {
      title: t('grants.holder'),
      key: 'holder',
      width: 160,
      render: (_: unknown, g) => (
        <Space orientation="vertical" size={0}>
          <span>{holder(g)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {names.department(g.departmentId)}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('use.fields'), dataIndex: 'fields', width: 220, render: (v: string[]) => <FieldTags fields={v} names={names} /> },
    { title: t('use.method'), dataIndex: 'method', width: 90, render: (v: string) => <MethodTag value={v} /> },
    { title: t('use.scope'), key: 'scope', width: 100, render: (_: unknown, g) => <ScopeText scope={g.customerScope} /> },
    {
      title: t('use.period'),
      key: 'period',
      width: 200,
      render: (_: unknown, g) => <span style={{ fontSize: 12 }}>{periodText(g.validFrom, g.validUntil)}</span>,
    },
    {
      title: t('grants.accesses'),
      dataIndex: 'accesses',
      width: 90,
      render: (v: number) => <span data-testid="grant-accesses">{v}</span>,
    },
    {
      title: t('use.status'),
      key: 'status',
      width: 150,
      render: (_: unknown, g) => (
        <Space orientation="vertical" size={0}>
          <GrantStatusTag value={g.status} />
          {g.status === 'revoked' ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: g.revokeReason }}>
              {`${g.revokedBy ?? ''} · ${g.revokeReason ?? ''}`}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 240,
      render: (_: unknown, g) => (
        <Space size={0} wrap>
          <Button type="link" size="small" icon={<HistoryOutlined />} onClick={() => setLogOf(g)} data-testid={`grant-log-${g.id}`}>
            {t('grants.accessLog')}
          </Button>
          {mayExport(g) ? (
            <Button
              type="link"
              size="small"
              icon={<ExportOutlined />}
              onClick={() => navigate(exportPath(g.id))}
              data-testid={`grant-export-${g.id}`}
            >
              {t('grants.export')}
            </Button>
          ) : null}
          {can('grant.revoke') && g.status === 'active' ? (
            <Button
              type="link"
              size="small"
              danger
              icon={<StopOutlined />}
              onClick={() => setRevoking(g)}
              data-testid={`grant-revoke-${g.id}`}
            >
              {t('grants.revoke')}
            </Button>
          ) : null}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('grants.title')}
        subtitle={t('grants.subtitle')}
        extra={
          <Button
            icon={<ReloadOutlined />}
            onClick={() => {
              void grants.reload();
              void apps.reload();
            }}
            data-testid="grants-refresh"
          >
            {t('common.refresh')}
          </Button>
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <div style={{ padding: 12 }}>
          <Segmented<GrantStatus>
            value={status}
            onChange={setStatus}
            data-testid="grants-filter"
            options={STATUSES.map((s) => ({
              value: s,
              label: (
                <span data-testid={`grants-tab-${s}`}>
                  {t(`grantStatus.${s}`)} <Badge count={counts[s]} showZero color={s === 'active' ? 'green' : 'gray'} size="small" />
                </span>
              ),
            }))}
          />
        </div>
        <Table<Grant>
          data-testid="grants-table"
          rowKey="id"
          size="middle"
          scroll={{ x: 1400 }}
          loading={grants.loading}
          columns={columns}
          dataSource={shown}
          locale={{ emptyText: <Empty description={t('grants.empty')} /> }}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
          onRow={(g) => ({ 'data-testid': `grant-row-${g.id}`, 'data-status': g.status, 'data-method': g.method }) as object}
        />
      </Card>
      <AccessLogDrawer
        key={logOf?.id ?? 'none'}
        grant={logOf}
        names={names}
        holder={logOf ? holder(logOf) : ''}
        onClose={() => setLogOf(null)}
      />
      <RevokeModal
        grant={revoking}
        onClose={() => setRevoking(null)}
        onRevoked={() => {
          setRevoking(null);
          void grants.reload();
        }}
      />
    </>
  );
}

function AccessLogDrawer({ grant, names, holder, onClose }: { grant: Grant | null; names: UseNames; holder: string; onClose: () => void }) {
  const { t, has } = useI18n();
  const id = grant?.id ?? null;
  const log = useLoad<GrantAccess[]>(() => (id ? api.listGrantAccesses(id) : Promise.resolve([])), [], id !== null);

  const columns: ColumnsType<GrantAccess> = [
    { title: t('grants.log.at'), dataIndex: 'accessedAt', width: 170, render: (v: string) => formatDateTime(v) },
    { title: t('grants.log.who'), dataIndex: 'actorName', width: 130 },
    {
      title: t('grants.log.customer'),
      dataIndex: 'customerId',
      width: 110,
      render: (v: string | null) =>
        v ? (
          <Tooltip title={<span className="custos-mono">{v}</span>}>
            <a href={`#${customerPath(v)}`} className="custos-mono">
              {shortId(v)}
            </a>
          </Tooltip>
        ) : (
          <Typography.Text type="secondary">{t('grants.log.bulk')}</Typography.Text>
        ),
    },
    { title: t('use.fields'), dataIndex: 'fields', render: (v: string[]) => <FieldTags fields={v} names={names} /> },
    {
      title: t('grants.log.operation'),
      dataIndex: 'operation',
      width: 170,
      render: (v: string) => {
        const key = `grantOperation.${v}`;
        return (
          <Tooltip title={<span className="custos-mono">{v}</span>}>
            <Tag data-testid="grant-access-operation">{has(key) ? t(key) : v}</Tag>
          </Tooltip>
        );
      },
    },
  ];

  return (
    <Drawer
      open={grant !== null}
      onClose={onClose}
      size={900}
      destroyOnHidden
      title={grant ? t('grants.logTitle', { purpose: names.purpose(grant.purposeCode) }) : null}
      data-testid="grant-drawer"
    >
      {grant ? (
        <div data-testid="grant-drawer-body" data-id={grant.id}>
          <Descriptions
            bordered
            size="small"
            column={2}
            styles={{ label: { width: 110 } }}
            items={[
              { key: 'holder', label: t('grants.holder'), children: `${holder} · ${names.department(grant.departmentId)}` },
              { key: 'status', label: t('use.status'), children: <GrantStatusTag value={grant.status} /> },
              { key: 'fields', label: t('use.fields'), span: 2, children: <FieldTags fields={grant.fields} names={names} /> },
              { key: 'scope', label: t('use.scope'), children: <ScopeText scope={grant.customerScope} /> },
              { key: 'method', label: t('use.method'), children: <MethodTag value={grant.method} /> },
              { key: 'period', label: t('use.period'), span: 2, children: periodText(grant.validFrom, grant.validUntil) },
              ...(grant.status === 'revoked'
                ? [
                    {
                      key: 'revoked',
                      label: t('grants.revokedAt'),
                      span: 2,
                      children: `${formatDateTime(grant.revokedAt)} · ${grant.revokedBy ?? ''} · ${grant.revokeReason ?? ''}`,
                    },
                  ]
                : []),
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('grants.accessLog')}
          </Typography.Title>
          <Table<GrantAccess>
            data-testid="grant-access-table"
            rowKey="id"
            size="small"
            loading={log.loading}
            columns={columns}
            dataSource={log.data}
            locale={{ emptyText: <Empty description={t('grants.log.empty')} /> }}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
            onRow={(a) => ({ 'data-testid': `grant-access-row-${a.id}`, 'data-operation': a.operation }) as object}
          />
        </div>
      ) : null}
    </Drawer>
  );
}

function RevokeModal({ grant, onClose, onRevoked }: { grant: Grant | null; onClose: () => void; onRevoked: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ reason: string }>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);

  const submit = async () => {
    if (!grant) return;
    let v: { reason: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      await api.revokeGrant(grant.id, v.reason.trim());
      success(t('grants.revoked'));
      form.resetFields();
      onRevoked();
    } catch (err) {
      report(err, { form });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={t('grants.revoke')}
      open={grant !== null}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('grants.revoke')}
      okButtonProps={{ danger: true, 'data-testid': 'grant-revoke-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Alert type="warning" showIcon title={t('grants.revokeHint')} style={{ margin: '16px 0' }} />
      <Form form={form} layout="vertical" preserve={false} data-testid="grant-revoke-form">
        <Form.Item
          name="reason"
          label={t('grants.revokeReason')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('grants.revokeReason') }) },
            { min: 2, max: 500, message: t('use.form.lengthHint', { min: 2, max: 500 }) },
          ]}
        >
          <Input.TextArea rows={3} maxLength={500} data-testid="grant-revoke-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
