import { PlusOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { api, type Department, type NewUser, type Role, type User } from '../api';
import { PageHeader } from '../components/PageHeader';
import { buildDepartmentTree, departmentTreeOptions } from '../departmentTree';
import { formatDateTime, roleLabel } from '../format';
import { useI18n } from '../i18n';
import { useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

const MIN_PASSWORD = 12;

interface NewUserForm {
  username: string;
  displayName: string;
  email?: string;
  password: string;
  departmentId: string;
  roles: string[];
}

export function UsersPage() {
  const { t, lang } = useI18n();
  const { can, user: me } = useSession();
  const success = useSuccess();
  const report = useProblemReporter();

  const users = useLoad<User[]>(api.listUsers, []);
  const departments = useLoad<Department[]>(api.listDepartments, [], can('department.read'));
  const roles = useLoad<Role[]>(api.listRoles, [], can('role.read'));

  const [creating, setCreating] = useState(false);
  const [disabling, setDisabling] = useState<string | null>(null);

  const deptName = useMemo(() => new Map(departments.data.map((d) => [d.id, d.name])), [departments.data]);
  const manage = can('user.manage');

  const disable = async (u: User) => {
    setDisabling(u.id);
    try {
      await api.disableUser(u.id);
      success(t('users.disabled', { name: u.displayName }));
      await users.reload();
    } catch (err) {
      report(err);
    } finally {
      setDisabling(null);
    }
  };

  const columns: ColumnsType<User> = [
    {
      title: t('users.username'),
      dataIndex: 'username',
      render: (v: string) => <Typography.Text className="custos-mono">{v}</Typography.Text>,
      sorter: (a, b) => a.username.localeCompare(b.username),
    },
    {
      title: t('users.displayName'),
      dataIndex: 'displayName',
      render: (v: string, u) => (
        <Space size={6}>
          <span>{v}</span>
          {u.id === me.id ? <Tag variant="outlined">{t('users.self')}</Tag> : null}
        </Space>
      ),
    },
    {
      title: t('users.department'),
      dataIndex: 'departmentId',
      render: (v: string | null) =>
        v ? (
          (deptName.get(v) ?? <Typography.Text type="secondary">{v}</Typography.Text>)
        ) : (
          <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
        ),
    },
    {
      title: t('users.roles'),
      dataIndex: 'roles',
      render: (v: string[]) => (
        <Space size={[4, 4]} wrap>
          {v.map((r) => (
            <Tag key={r} color="blue" variant="outlined">
              {roleLabel(r, lang, t, roles.data)}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t('users.status'),
      dataIndex: 'status',
      width: 110,
      render: (v: User['status']) =>
        v === 'active' ? (
          <Badge status="success" text={t('users.status.active')} />
        ) : (
          <Badge status="default" text={t('users.status.disabled')} />
        ),
    },
    {
      title: t('common.created'),
      dataIndex: 'createdAt',
      width: 180,
      render: (v: string) => formatDateTime(v),
      sorter: (a, b) => a.createdAt.localeCompare(b.createdAt),
    },
  ];
  if (manage) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 110,
      render: (_: unknown, u) =>
        u.status === 'active' && u.id !== me.id ? (
          <Popconfirm
            title={t('users.disable')}
            description={<div style={{ maxWidth: 280 }}>{t('users.disableConfirm', { name: u.displayName })}</div>}
            okButtonProps={{ danger: true, 'data-testid': `user-disable-confirm-${u.username}` }}
            onConfirm={() => disable(u)}
          >
            <Button
              size="small"
              type="link"
              danger
              icon={<StopOutlined />}
              loading={disabling === u.id}
              data-testid={`user-disable-${u.username}`}
            >
              {t('users.disable')}
            </Button>
          </Popconfirm>
        ) : null,
    });
  }

  return (
    <>
      <PageHeader
        title={t('users.title')}
        subtitle={t('users.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void users.reload()}>
              {t('common.refresh')}
            </Button>
            {manage ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="user-new">
                {t('users.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<User>
          data-testid="users-table"
          rowKey="id"
          loading={users.loading}
          columns={columns}
          dataSource={users.data}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
          onRow={(u) => ({ 'data-testid': `user-row-${u.username}` }) as object}
        />
      </Card>
      <NewUserModal
        open={creating}
        roles={roles.data}
        departments={departments.data}
        onClose={() => setCreating(false)}
        onCreated={(u) => {
          setCreating(false);
          success(t('users.created', { name: u.displayName }));
          void users.reload();
        }}
      />
    </>
  );
}

function NewUserModal({
  open,
  roles,
  departments,
  onClose,
  onCreated,
}: {
  open: boolean;
  roles: Role[];
  departments: Department[];
  onClose: () => void;
  onCreated: (u: User) => void;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<NewUserForm>();
  const [saving, setSaving] = useState(false);
  const report = useProblemReporter();
  const treeData = useMemo(() => departmentTreeOptions(buildDepartmentTree(departments)), [departments]);

  const submit = async () => {
    let values: NewUserForm;
    try {
      values = await form.validateFields();
    } catch {
      return; // the form shows what is wrong
    }
    setSaving(true);
    try {
      const body: NewUser = {
        username: values.username.trim(),
        displayName: values.displayName.trim(),
        password: values.password,
        departmentId: values.departmentId,
        roles: values.roles ?? [],
      };
      const email = values.email?.trim();
      if (email) body.email = email;
      const created = await api.createUser(body);
      form.resetFields();
      onCreated(created);
    } catch (err) {
      report(err, { form });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={t('users.new')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'user-submit' }}
      width={560}
    >
      <Form<NewUserForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ roles: ['staff'] }}
        data-testid="user-form"
        style={{ marginTop: 16 }}
      >
        <Form.Item
          name="username"
          label={t('users.username')}
          extra={t('users.usernameHint')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('users.username') }) },
            { pattern: /^[A-Za-z0-9._-]{3,64}$/, message: t('users.usernameHint') },
          ]}
        >
          <Input data-testid="user-form-username" autoComplete="off" maxLength={64} />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t('users.displayName')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('users.displayName') }) }]}
        >
          <Input data-testid="user-form-displayName" maxLength={100} />
        </Form.Item>
        <Form.Item name="email" label={t('users.email')} rules={[{ type: 'email', message: t('users.emailInvalid') }]}>
          <Input data-testid="user-form-email" type="email" autoComplete="off" maxLength={254} />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('users.password')}
          extra={t('users.passwordHint')}
          rules={[
            { required: true, message: t('common.required', { field: t('users.password') }) },
            { min: MIN_PASSWORD, message: t('users.passwordTooShort') },
          ]}
        >
          <Input.Password data-testid="user-form-password" autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="departmentId"
          label={t('users.department')}
          rules={[{ required: true, message: t('common.required', { field: t('users.department') }) }]}
        >
          <TreeSelect
            data-testid="user-form-department"
            treeDefaultExpandAll
            showSearch
            treeNodeFilterProp="title"
            placeholder={t('users.departmentPlaceholder')}
            treeData={treeData}
          />
        </Form.Item>
        <Form.Item
          name="roles"
          label={t('users.roles')}
          rules={[{ required: true, type: 'array', min: 1, message: t('common.required', { field: t('users.roles') }) }]}
        >
          <Select
            data-testid="user-form-roles"
            mode="multiple"
            optionFilterProp="label"
            options={roles.map((r) => ({ value: r.id, label: r.name[lang] || r.id, title: r.description[lang] }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
