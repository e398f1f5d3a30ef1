import { AimOutlined, ApartmentOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Form, Input, Modal, Select, Skeleton, Space, Table, TreeSelect, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, type Department, type NewDepartment, type User } from '../api';
import { PageHeader } from '../components/PageHeader';
import { buildDepartmentTree, departmentTreeOptions, type DepartmentNode } from '../departmentTree';
import { formatDateTime } from '../format';
import { useI18n } from '../i18n';
import { useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import { useLoad } from '../useLoad';
import { usePurposeOptions } from '../purposeOptions';

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
  const [purposesOf, setPurposesOf] = useState<Department | null>(null);
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
    {
      title: t('common.actions'),
      key: 'actions',
      width: 120,
      render: (_: unknown, d) => (
        <Button type="link" size="small" icon={<AimOutlined />} onClick={() => setPurposesOf(d)} data-testid={`dept-purposes-${d.id}`}>
          {t('purposes.action')}
        </Button>
      ),
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
      <PurposesModal department={purposesOf} onClose={() => setPurposesOf(null)} />
    </>
  );
}

/**
 * P5.1: the registered purposes a department may read customer PI for. Editable with
 * department.purposes; the active purposes are offered, and a held one that is no longer active is
 * shown so it can be unassigned.
 */
function PurposesModal({ department, onClose }: { department: Department | null; onClose: () => void }) {
  const { t } = useI18n();
  const { can } = useSession();
  const report = useProblemReporter();
  const success = useSuccess();
  const reportRef = useRef(report);
  reportRef.current = report;
  const [value, setValue] = useState<string[] | null>(null);
  const purposeOptions = usePurposeOptions();
  const [saving, setSaving] = useState(false);
  const edit = can('department.purposes');
  const id = department?.id ?? null;
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    if (!id) return;
    let cancelled = false;
    setValue(null);
    api
      .getDepartmentPurposes(id)
      .then((p) => !cancelled && setValue(p))
      .catch((err: unknown) => {
        if (cancelled) return;
        reportRef.current(err);
        onCloseRef.current();
      });
    return () => {
      cancelled = true;
    };
  }, [id]);

  const save = async () => {
    if (!department || !value) return;
    setSaving(true);
    try {
      await api.setDepartmentPurposes(department.id, value);
      success(t('purposes.saved', { name: department.name }));
      onClose();
    } catch (err) {
      report(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={
        <Space>
          <AimOutlined />
          {department ? t('purposes.title', { name: department.name }) : null}
        </Space>
      }
      open={department !== null}
      onCancel={onClose}
      destroyOnHidden
      width={520}
      data-testid="purposes-modal"
      footer={
        edit
          ? [
              <Button key="cancel" onClick={onClose}>
                {t('common.cancel')}
              </Button>,
              <Button
                key="save"
                type="primary"
                loading={saving}
                disabled={value === null}
                onClick={() => void save()}
                data-testid="purposes-save"
              >
                {t('purposes.save')}
              </Button>,
            ]
          : [
              <Button key="close" onClick={onClose}>
                {t('common.close')}
              </Button>,
            ]
      }
    >
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('purposes.hint')}
      </Typography.Paragraph>
      {edit ? null : <Alert type="info" showIcon title={t('purposes.readOnly')} style={{ marginBottom: 16 }} />}
      {value === null ? (
        <Skeleton active title={false} paragraph={{ rows: 3 }} />
      ) : (
        <Checkbox.Group<string>
          data-testid="purposes-group"
          value={value}
          disabled={!edit}
          onChange={(v) => setValue(v)}
          style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', rowGap: 12, columnGap: 16 }}
          options={[
            ...purposeOptions.options,
            ...value
              .filter((code) => !purposeOptions.options.some((o) => o.value === code))
              .map((code) => ({ value: code, label: purposeOptions.label(code) })),
          ].map((p) => ({
            value: p.value,
            label: (
              <span data-testid={`purpose-option-${p.value}`}>
                {p.label}
                <Typography.Text type="secondary" className="custos-mono" style={{ marginInlineStart: 8 }}>
                  {p.value}
                </Typography.Text>
              </span>
            ),
          }))}
        />
      )}
    </Modal>
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
            options={users.filter((u) => u.status === 'active').map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
