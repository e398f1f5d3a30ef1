import { ApartmentOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Modal, Select, Space, Table, TreeSelect, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { api, type Department, type NewDepartment, type User } from '../api';
import { PageHeader } from '../components/PageHeader';
import { buildDepartmentTree, departmentTreeOptions, type DepartmentNode } from '../departmentTree';
import { formatDateTime } from '../format';
import { useI18n } from '../i18n';
import { useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

interface NewDepartmentForm {
  name: string;
  parentId?: string;
  headUserId?: string;
}

export function DepartmentsPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const success = useSuccess();

  const departments = useLoad<Department[]>(api.listDepartments, []);
  const users = useLoad<User[]>(api.listUsers, [], can('user.read'));
  const [creating, setCreating] = useState(false);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());

  const parentIds = useMemo(
    () => [...new Set(departments.data.map((d) => d.parentId).filter((id): id is string => id !== null))],
    [departments.data],
  );
  const tree = useMemo(() => buildDepartmentTree(departments.data), [departments.data]);
  const userById = useMemo(() => new Map(users.data.map((u) => [u.id, u])), [users.data]);
  const manage = can('department.manage');

  const columns: ColumnsType<DepartmentNode> = [
    {
      title: t('departments.name'),
      dataIndex: 'name',
      render: (v: string) => (
        <Space size={8}>
          <ApartmentOutlined style={{ color: 'rgba(0,0,0,0.45)' }} />
          <span>{v}</span>
        </Space>
      ),
    },
    {
      title: t('departments.head'),
      dataIndex: 'headUserId',
      render: (v: string | null) => {
        if (!v) return <Typography.Text type="secondary">{t('departments.headNone')}</Typography.Text>;
        const u = userById.get(v);
        return u ? (
          <Space size={6}>
            <span>{u.displayName}</span>
            <Typography.Text type="secondary" className="custos-mono">
              {u.username}
            </Typography.Text>
          </Space>
        ) : (
          <Typography.Text type="secondary">{v}</Typography.Text>
        );
      },
    },
    {
      title: t('common.created'),
      dataIndex: 'createdAt',
      width: 200,
      render: (v: string) => formatDateTime(v),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('departments.title')}
        subtitle={t('departments.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void departments.reload()}>
              {t('common.refresh')}
            </Button>
            {manage ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="dept-new">
                {t('departments.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<DepartmentNode>
          data-testid="dept-table"
          rowKey="id"
          loading={departments.loading}
          columns={columns}
          dataSource={tree}
          pagination={false}
          expandable={{
            // Everything starts expanded (new departments too); remember what the user folded.
            expandedRowKeys: parentIds.filter((id) => !collapsed.has(id)),
            onExpand: (expanded, d) =>
              setCollapsed((prev) => {
                const next = new Set(prev);
                if (expanded) next.delete(d.id);
                else next.add(d.id);
                return next;
              }),
          }}
          onRow={(d) => ({ 'data-testid': 'dept-row', 'data-id': d.id, 'data-name': d.name }) as object}
        />
      </Card>
      <NewDepartmentModal
        open={creating}
        departments={departments.data}
        users={users.data}
        onClose={() => setCreating(false)}
        onCreated={(d) => {
          setCreating(false);
          success(t('departments.created', { name: d.name }));
          void departments.reload();
        }}
      />
    </>
  );
}

function NewDepartmentModal({
  open,
  departments,
  users,
  onClose,
  onCreated,
}: {
  open: boolean;
  departments: Department[];
  users: User[];
  onClose: () => void;
  onCreated: (d: Department) => void;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<NewDepartmentForm>();
  const [saving, setSaving] = useState(false);
  const report = useProblemReporter();
  const treeData = useMemo(() => departmentTreeOptions(buildDepartmentTree(departments)), [departments]);

  const submit = async () => {
    let values: NewDepartmentForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      const body: NewDepartment = {
        name: values.name.trim(),
        parentId: values.parentId ?? null,
        headUserId: values.headUserId ?? null,
      };
      const created = await api.createDepartment(body);
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
      title={t('departments.new')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'dept-submit' }}
      width={520}
    >
      <Form<NewDepartmentForm> form={form} layout="vertical" preserve={false} data-testid="dept-form" style={{ marginTop: 16 }}>
        <Form.Item
          name="name"
          label={t('departments.name')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('departments.name') }) }]}
        >
          <Input data-testid="dept-form-name" maxLength={100} autoFocus />
        </Form.Item>
        <Form.Item name="parentId" label={t('departments.parent')}>
          <TreeSelect
            data-testid="dept-form-parent"
            allowClear
            showSearch
            treeDefaultExpandAll
            treeNodeFilterProp="title"
            placeholder={t('departments.parentNone')}
            treeData={treeData}
          />
        </Form.Item>
        <Form.Item name="headUserId" label={t('departments.head')}>
          <Select
            data-testid="dept-form-head"
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder={t('departments.headNone')}
            options={users
              .filter((u) => u.status === 'active')
              .map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
