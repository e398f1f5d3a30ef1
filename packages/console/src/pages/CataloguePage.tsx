import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Form, Input, Modal, Radio, Row, Select, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { PI_TYPES, api, type DataCategory, type NewDataCategory, type Sensitivity } from '../api';
import { PageHeader } from '../components/PageHeader';
import { formatDateTime, piTypeLabel } from '../format';
import { useI18n } from '../i18n';
import { useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

interface NewCategoryForm {
  code: string;
  nameZh: string;
  nameEn: string;
  piType: string;
  sensitivity: Sensitivity;
  description?: string;
}

export function SensitivityTag({ value }: { value: Sensitivity }) {
  const { t } = useI18n();
  return value === 'sensitive' ? (
    <Tag color="red" data-testid="sensitivity-sensitive">
      {t('catalogue.sensitivity.sensitive')}
    </Tag>
  ) : (
    <Tag data-testid="sensitivity-general">{t('catalogue.sensitivity.general')}</Tag>
  );
}

export function CataloguePage() {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const success = useSuccess();
  const categories = useLoad<DataCategory[]>(api.listDataCategories, []);
  const [creating, setCreating] = useState(false);
  const manage = can('catalogue.manage');
  // Custom categories first (newest first), then the built-in ones by code.
  const sorted = useMemo(
    () =>
      [...categories.data].sort((a, b) =>
        a.builtIn !== b.builtIn ? (a.builtIn ? 1 : -1) : a.builtIn ? a.code.localeCompare(b.code) : b.updatedAt.localeCompare(a.updatedAt),
      ),
    [categories.data],
  );

  const columns: ColumnsType<DataCategory> = [
    {
      title: t('catalogue.code'),
      dataIndex: 'code',
      render: (v: string) => (
        <Typography.Text className="custos-mono" style={{ whiteSpace: 'nowrap' }}>
          {v}
        </Typography.Text>
      ),
      sorter: (a, b) => a.code.localeCompare(b.code),
    },
    {
      title: t('catalogue.nameZh'),
      dataIndex: 'nameZh',
      width: 190,
      render: (v: string, c) =>
        c.description ? (
          <Tooltip title={c.description}>
            <span style={{ borderBottom: '1px dashed rgba(0,0,0,0.25)' }}>{v}</span>
          </Tooltip>
        ) : (
          v
        ),
    },
    { title: t('catalogue.nameEn'), dataIndex: 'nameEn' },
    {
      title: t('catalogue.piType'),
      dataIndex: 'piType',
      width: 180,
      render: (v: string) => piTypeLabel(v, t),
      filters: PI_TYPES.map((p) => ({ text: piTypeLabel(p, t), value: p })),
      onFilter: (value, c) => c.piType === value,
    },
    {
      title: t('catalogue.sensitivity'),
      dataIndex: 'sensitivity',
      width: 110,
      render: (v: Sensitivity) => <SensitivityTag value={v} />,
      filters: [
        { text: t('catalogue.sensitivity.sensitive'), value: 'sensitive' },
        { text: t('catalogue.sensitivity.general'), value: 'general' },
      ],
      onFilter: (value, c) => c.sensitivity === value,
    },
    {
      title: t('catalogue.origin'),
      dataIndex: 'builtIn',
      width: 100,
      render: (v: boolean) => (v ? <Tag color="geekblue">{t('catalogue.builtIn')}</Tag> : <Tag color="green">{t('catalogue.custom')}</Tag>),
    },
    { title: t('catalogue.version'), dataIndex: 'version', width: 80, align: 'right', render: (v: number) => `v${v}` },
    { title: t('common.updated'), dataIndex: 'updatedAt', width: 180, render: (v: string) => formatDateTime(v) },
  ];

  return (
    <>
      <PageHeader
        title={t('catalogue.title')}
        subtitle={t('catalogue.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void categories.reload()}>
              {t('common.refresh')}
            </Button>
            {manage ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="category-new">
                {t('catalogue.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<DataCategory>
          data-testid="catalogue-table"
          rowKey="id"
          size="middle"
          loading={categories.loading}
          columns={columns}
          dataSource={sorted}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
          onRow={(c) => ({ 'data-testid': `category-row-${c.code}` }) as object}
        />
      </Card>
      <NewCategoryModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false);
          success(t('catalogue.created', { name: lang === 'zh-CN' ? c.nameZh : c.nameEn }));
          void categories.reload();
        }}
      />
    </>
  );
}

function NewCategoryModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (c: DataCategory) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<NewCategoryForm>();
  const [saving, setSaving] = useState(false);
  const report = useProblemReporter();

  const submit = async () => {
    let values: NewCategoryForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      const body: NewDataCategory = {
        code: values.code.trim(),
        nameZh: values.nameZh.trim(),
        nameEn: values.nameEn.trim(),
        piType: values.piType,
        sensitivity: values.sensitivity,
      };
      const description = values.description?.trim();
      if (description) body.description = description;
      const created = await api.createDataCategory(body);
      form.resetFields();
      onCreated(created);
    } catch (err) {
      report(err, { form });
    } finally {
      setSaving(false);
    }
  };

  const required = (field: string) => ({ required: true, whitespace: true, message: t('common.required', { field }) });

  return (
    <Modal
      title={t('catalogue.new')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'category-submit' }}
      width={600}
    >
      <Form<NewCategoryForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ sensitivity: 'general', piType: 'text' }}
        data-testid="category-form"
        style={{ marginTop: 16 }}
      >
        <Form.Item
          name="code"
          label={t('catalogue.code')}
          extra={t('catalogue.codeHint')}
          rules={[required(t('catalogue.code')), { pattern: /^[a-z][a-z0-9_]{1,63}$/, message: t('catalogue.codeHint') }]}
        >
          <Input data-testid="category-form-code" className="custos-mono" maxLength={64} autoComplete="off" />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="nameZh" label={t('catalogue.nameZh')} rules={[required(t('catalogue.nameZh'))]}>
              <Input data-testid="category-form-nameZh" maxLength={100} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="nameEn" label={t('catalogue.nameEn')} rules={[required(t('catalogue.nameEn'))]}>
              <Input data-testid="category-form-nameEn" maxLength={100} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="piType" label={t('catalogue.piType')} rules={[{ required: true }]}>
              <Select
                data-testid="category-form-piType"
                showSearch
                optionFilterProp="label"
                options={PI_TYPES.map((p) => ({ value: p, label: piTypeLabel(p, t) }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="sensitivity" label={t('catalogue.sensitivity')} rules={[{ required: true }]}>
              <Radio.Group
                data-testid="category-form-sensitivity"
                optionType="button"
                buttonStyle="solid"
                options={[
                  { value: 'general', label: t('catalogue.sensitivity.general') },
                  { value: 'sensitive', label: t('catalogue.sensitivity.sensitive') },
                ]}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="description" label={t('catalogue.description')}>
          <Input.TextArea data-testid="category-form-description" rows={3} maxLength={2000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
