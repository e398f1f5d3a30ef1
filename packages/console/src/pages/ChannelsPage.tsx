/**
 * Collection channels: where customer data comes in (web form, registration, contract signing,
 * branch, phone, bulk import). Web channels get a publishable key and a list of allowed origins,
 * and embed the `<custos-consent>` widget with the snippet shown here.
 */
import { CodeOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import {
  Alert,
  Badge,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Table,
  Tag,
  TreeSelect,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { CHANNEL_TYPES, WEB_CHANNEL_TYPES, api, type Channel, type ChannelType, type NewChannel, type Purpose } from '../api';
import { useDepartments, useUserNames } from '../components/ConsentParts';
import { PageHeader } from '../components/PageHeader';
import { buildDepartmentTree, departmentTreeOptions } from '../departmentTree';
import { formatDateTime, localized } from '../format';
import { useI18n } from '../i18n';
import { nestedFieldMapper, useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

const TYPE_COLOR: Record<ChannelType, string> = {
  web_form: 'blue',
  online_registration: 'geekblue',
  contract_signing: 'purple',
  in_branch: 'cyan',
  phone: 'orange',
  bulk_import: 'magenta',
};

/** An origin as the browser sends it: scheme, host and optional port, nothing else. */
const ORIGIN_RE = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;

export function embedSnippet(origin: string, purposeCode: string, channelKey: string): string {
  return `<script type="module" src="${origin}/sdk/custos-consent.js"></script><custos-consent api-base="${origin}" purpose="${purposeCode}" channel-key="${channelKey}"></custos-consent>`;
}

export function ChannelsPage() {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const success = useSuccess();
  const channels = useLoad<Channel[]>(api.listChannels, []);
  const departments = useDepartments();
  const userName = useUserNames();
  const purposes = useLoad<Purpose[]>(() => api.listPurposes({ status: 'active' }), [], can('purpose.read'));
  const deptName = useMemo(() => new Map(departments.data.map((d) => [d.id, d.name])), [departments.data]);
  const [creating, setCreating] = useState(false);
  const [embedding, setEmbedding] = useState<Channel | null>(null);
  const manage = can('channel.manage');

  const columns: ColumnsType<Channel> = [
    {
      title: t('channel.code'),
      dataIndex: 'code',
      render: (v: string) => <Typography.Text className="custos-mono">{v}</Typography.Text>,
      sorter: (a, b) => a.code.localeCompare(b.code),
    },
    { title: t('channel.name'), key: 'name', render: (_: unknown, c) => localized(c.name, lang) || c.code },
    {
      title: t('channel.type'),
      dataIndex: 'type',
      width: 150,
      render: (v: ChannelType) => <Tag color={TYPE_COLOR[v]}>{t(`channelType.${v}`)}</Tag>,
      filters: CHANNEL_TYPES.map((c) => ({ text: t(`channelType.${c}`), value: c })),
      onFilter: (value, c) => c.type === value,
    },
    {
      title: t('channel.owner'),
      dataIndex: 'ownerDepartmentId',
      render: (v: string) => deptName.get(v) ?? <Typography.Text type="secondary">{v}</Typography.Text>,
    },
    {
      title: t('channel.origins'),
      dataIndex: 'allowedOrigins',
      render: (v: string[]) =>
        v?.length ? (
          <Space size={[4, 4]} wrap>
            {v.map((o) => (
              <Tag key={o} variant="outlined" className="custos-mono">
                {o}
              </Tag>
            ))}
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
        ),
    },
    {
      title: t('channel.publicKey'),
      dataIndex: 'publicKey',
      render: (v: string | null, c) =>
        v ? (
          <Typography.Text className="custos-mono" copyable={{ text: v }} data-testid={`channel-key-${c.code}`}>
            {v.length > 18 ? `${v.slice(0, 18)}…` : v}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
        ),
    },
    {
      title: t('channel.status'),
      dataIndex: 'status',
      width: 100,
      render: (v: Channel['status']) => <Badge status={v === 'active' ? 'success' : 'default'} text={t(`channel.status.${v}`)} />,
    },
    {
      title: t('common.created'),
      dataIndex: 'createdAt',
      width: 180,
      render: (v: string, c) => (
        <Space orientation="vertical" size={0}>
          <span>{formatDateTime(v)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {userName(c.createdBy)}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 120,
      render: (_: unknown, c) =>
        c.publicKey ? (
          <Button type="link" size="small" icon={<CodeOutlined />} onClick={() => setEmbedding(c)} data-testid={`channel-embed-${c.code}`}>
            {t('channel.embed')}
          </Button>
        ) : null,
    },
  ];

  return (
    <>
      <PageHeader
        title={t('channel.title')}
        subtitle={t('channel.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void channels.reload()}>
              {t('common.refresh')}
            </Button>
            {manage ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="channel-create">
                {t('channel.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Channel>
          data-testid="channel-table"
          rowKey="id"
          size="middle"
          loading={channels.loading}
          columns={columns}
          dataSource={channels.data}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
          onRow={(c) => ({ 'data-testid': `channel-row-${c.code}`, 'data-type': c.type }) as object}
        />
      </Card>
      <NewChannelModal
        open={creating}
        departments={departments.data}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false);
          success(t('channel.created', { name: localized(c.name, lang) || c.code }));
          void channels.reload();
          if (c.publicKey) setEmbedding(c);
        }}
      />
      <EmbedModal channel={embedding} purposes={purposes.data} onClose={() => setEmbedding(null)} />
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Embed snippet

function EmbedModal({ channel, purposes, onClose }: { channel: Channel | null; purposes: Purpose[]; onClose: () => void }) {
  const { t, lang } = useI18n();
  const [purpose, setPurpose] = useState<string | undefined>(undefined);
  const origin = window.location.origin;
  const codes = useMemo(() => [...new Set(purposes.map((p) => p.code))].sort(), [purposes]);
  const code = purpose ?? 'CODE';
  const snippet = channel?.publicKey ? embedSnippet(origin, code, channel.publicKey) : '';
  return (
    <Modal
      title={channel ? t('channel.embedTitle', { name: localized(channel.name, lang) || channel.code }) : null}
      open={channel !== null}
      onCancel={onClose}
      footer={[
        <Button key="close" onClick={onClose}>
          {t('common.close')}
        </Button>,
      ]}
      width={720}
      destroyOnHidden
    >
      <div data-testid="channel-embed-modal">
        {channel?.publicKey ? (
          <>
            <Descriptions
              size="small"
              column={1}
              bordered
              styles={{ label: { width: 160 } }}
              style={{ marginTop: 12, marginBottom: 16 }}
              items={[
                {
                  key: 'key',
                  label: t('channel.publicKey'),
                  children: (
                    <Typography.Text className="custos-hash" copyable={{ text: channel.publicKey }} data-testid="channel-public-key">
                      {channel.publicKey}
                    </Typography.Text>
                  ),
                },
                {
                  key: 'origins',
                  label: t('channel.origins'),
                  children: channel.allowedOrigins.length ? channel.allowedOrigins.join(', ') : t('common.none'),
                },
              ]}
            />
            <Alert type="info" showIcon title={t('channel.keyHint')} style={{ marginBottom: 16 }} />
            <Space size={8} style={{ marginBottom: 8 }}>
              <Typography.Text>{t('channel.embedPurpose')}</Typography.Text>
              <Select<string>
                style={{ width: 280 }}
                allowClear
                showSearch
                placeholder="CODE"
                value={purpose}
                onChange={setPurpose}
                data-testid="channel-embed-purpose"
                options={codes.map((c) => {
                  const p = purposes.find((x) => x.code === c);
                  return { value: c, label: p ? `${localized(p.name, lang)} (${c})` : c };
                })}
              />
            </Space>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {t('channel.embedHint')}
            </Typography.Paragraph>
            <Typography.Paragraph copyable={{ text: snippet }} style={{ marginBottom: 0 }}>
              <pre className="custos-json" data-testid="channel-snippet" style={{ whiteSpace: 'pre-wrap' }}>
                {snippet}
              </pre>
            </Typography.Paragraph>
          </>
        ) : null}
      </div>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// New channel

interface NewChannelForm {
  code: string;
  name: { 'zh-CN': string; en: string };
  type: ChannelType;
  ownerDepartmentId: string;
  allowedOrigins?: string[];
}

function NewChannelModal({
  open,
  departments,
  onClose,
  onCreated,
}: {
  open: boolean;
  departments: Parameters<typeof buildDepartmentTree>[0];
  onClose: () => void;
  onCreated: (c: Channel) => void;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<NewChannelForm>();
  const report = useProblemReporter();
  const [saving, setSaving] = useState(false);
  const treeData = useMemo(() => departmentTreeOptions(buildDepartmentTree(departments)), [departments]);
  const type = Form.useWatch('type', form);
  const web = type !== undefined && WEB_CHANNEL_TYPES.includes(type);

  const submit = async () => {
    let values: NewChannelForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const body: NewChannel = {
      code: values.code.trim(),
      name: { 'zh-CN': values.name['zh-CN'].trim(), en: values.name.en.trim() },
      type: values.type,
      ownerDepartmentId: values.ownerDepartmentId,
    };
    if (WEB_CHANNEL_TYPES.includes(values.type))
      body.allowedOrigins = (values.allowedOrigins ?? []).map((o) => o.trim().replace(/\/$/, ''));
    setSaving(true);
    try {
      const created = await api.createChannel(body);
      form.resetFields();
      onCreated(created);
    } catch (err) {
      report(err, { form, mapField: nestedFieldMapper(form) });
    } finally {
      setSaving(false);
    }
  };

  const required = (field: string) => ({ required: true, whitespace: true, message: t('common.required', { field }) });

  return (
    <Modal
      title={t('channel.new')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'channel-submit' }}
      width={640}
    >
      <Form<NewChannelForm>
        form={form}
        layout="vertical"
        preserve={false}
        autoComplete="off"
        initialValues={{ type: 'web_form', allowedOrigins: [] }}
        data-testid="channel-form"
        style={{ marginTop: 16 }}
      >
        <Form.Item
          name="code"
          label={t('channel.code')}
          extra={t('catalogue.codeHint')}
          rules={[required(t('channel.code')), { pattern: /^[a-z][a-z0-9_]{1,63}$/, message: t('catalogue.codeHint') }]}
        >
          <Input className="custos-mono" maxLength={64} data-testid="channel-form-code" autoFocus />
        </Form.Item>
        <Row gutter={16}>
          {(['zh-CN', 'en'] as const).map((l) => (
            <Col span={12} key={l}>
              <Form.Item
                name={['name', l]}
                label={`${t('channel.name')}（${t(`lang.${l}`)}）`}
                rules={[required(`${t('channel.name')}（${t(`lang.${l}`)}）`)]}
              >
                <Input maxLength={200} data-testid={`channel-form-name-${l}`} />
              </Form.Item>
            </Col>
          ))}
        </Row>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="type" label={t('channel.type')} rules={[{ required: true }]}>
              <Select<ChannelType>
                data-testid="channel-form-type"
                options={CHANNEL_TYPES.map((c) => ({ value: c, label: t(`channelType.${c}`) }))}
                optionRender={(o) => <span data-testid={`channel-type-${String(o.value)}`}>{o.label}</span>}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="ownerDepartmentId"
              label={t('channel.owner')}
              rules={[{ required: true, message: t('common.required', { field: t('channel.owner') }) }]}
            >
              <TreeSelect
                data-testid="channel-form-owner"
                showSearch
                treeDefaultExpandAll
                treeNodeFilterProp="title"
                treeData={treeData}
                placeholder={t('users.departmentPlaceholder')}
              />
            </Form.Item>
          </Col>
        </Row>
        {web ? (
          <Form.Item
            name="allowedOrigins"
            label={t('channel.origins')}
            extra={t('channel.originsHint')}
            rules={[
              { required: true, type: 'array', min: 1, message: t('common.required', { field: t('channel.origins') }) },
              {
                validator: async (_, v: string[] | undefined) => {
                  const bad = (v ?? []).map((o) => o.trim().replace(/\/$/, '')).filter((o) => !ORIGIN_RE.test(o));
                  if (bad.length) throw new Error(t('channel.originsInvalid', { list: bad.join(', ') }));
                },
              },
            ]}
          >
            <Select<string[]>
              mode="tags"
              data-testid="channel-form-origins"
              tokenSeparators={[',', ' ']}
              open={false}
              suffixIcon={null}
              placeholder="https://www.example.com.cn"
            />
          </Form.Item>
        ) : (
          <Typography.Paragraph type="secondary">{t('channel.noKeyHint')}</Typography.Paragraph>
        )}
      </Form>
    </Modal>
  );
}
