/**
 * Storage media (P4.3): the register of media holding customer PI, the inspection calendar, the
 * disposal workflow (request, approval by another person, destruction with a witness) and the
 * destruction certificate.
 */
import {
  CheckOutlined,
  CloseOutlined,
  DeleteOutlined,
  FileDoneOutlined,
  FileSearchOutlined,
  PlusOutlined,
  ReloadOutlined,
  SafetyCertificateOutlined,
} from '@ant-design/icons';
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Row,
  Select,
  Space,
  Steps,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
  Upload,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState, type ReactNode } from 'react';
import {
  DESTRUCTION_METHODS,
  INSPECTION_ITEMS,
  MEDIUM_TYPES,
  api,
  type DataCategory,
  type DestructionMethod,
  type DisposalCertificate,
  type InspectionItem,
  type InspectionResult,
  type Medium,
  type MediumDetail,
  type MediumStatus,
  type MediumType,
  type NewMedium,
  type StorageDataSet,
  type User,
} from '../api';
import { HashText } from '../components/ConsentParts';
import { PageHeader } from '../components/PageHeader';
import { CardTable } from '../components/CardTable';
import { categoryLabel, formatDateTime } from '../format';
import { useI18n } from '../i18n';
import { fieldRoot, nestedFieldMapper, useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

const STATUS_COLOR: Record<MediumStatus, string> = {
  active: 'green',
  disposal_requested: 'orange',
  disposal_approved: 'volcano',
  destroyed: 'default',
};
const STATE_BADGE = { overdue: 'error', due_soon: 'warning', ok: 'success', none: 'default' } as const;
const SHA256_RE = /^[0-9a-f]{64}$/;

const hexDigest = async (file: File) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()))].map((b) => b.toString(16).padStart(2, '0')).join('');

export function MediaPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const manage = can('medium.manage');
  const media = useLoad<Medium[]>(api.listStorageMedia, []);
  const dataSets = useLoad<StorageDataSet[]>(api.listStorageDataSets, []);
  const categories = useLoad<DataCategory[]>(api.listDataCategories, [], can('catalogue.read'));
  const users = useLoad<User[]>(api.listUsers, [], can('user.read'));
  const catMap = useMemo(() => new Map(categories.data.map((c) => [c.code, c])), [categories.data]);
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const reload = async () => {
    await Promise.all([media.reload(), dataSets.reload()]);
  };

  return (
    <>
      <PageHeader
        title={t('media.title')}
        subtitle={t('media.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void reload()} data-testid="media-refresh">
              {t('common.refresh')}
            </Button>
            {manage ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="media-create">
                {t('media.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <Tabs
        data-testid="media-tabs"
        items={[
          {
            key: 'register',
            label: <span data-testid="media-tab-register">{t('media.tab.register')}</span>,
            children: <RegisterTable media={media.data} loading={media.loading} catMap={catMap} onOpen={setOpenId} />,
          },
          {
            key: 'calendar',
            label: <span data-testid="media-tab-calendar">{t('media.tab.calendar')}</span>,
            children: <InspectionCalendar media={media.data} loading={media.loading} onOpen={setOpenId} />,
          },
          {
            key: 'dataSets',
            label: <span data-testid="media-tab-datasets">{t('media.tab.dataSets')}</span>,
            children: <DataSetsTable data={dataSets.data} loading={dataSets.loading} onChanged={() => void reload()} />,
          },
        ]}
      />
      <NewMediumModal
        open={creating}
        media={media.data}
        users={users.data}
        categories={categories.data}
        dataSets={dataSets.data}
        onClose={() => setCreating(false)}
        onCreated={(m) => {
          setCreating(false);
          void reload();
          setOpenId(m.id);
        }}
      />
      {/* keyed: a fresh load for each medium opened */}
      <MediumDrawer
        key={openId ?? 'none'}
        id={openId}
        users={users.data}
        catMap={catMap}
        onClose={() => setOpenId(null)}
        onChanged={() => void reload()}
      />
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Register, calendar, data sets

function StatusTag({ value }: { value: MediumStatus }) {
  const { t } = useI18n();
  return (
    <Tag color={STATUS_COLOR[value]} data-testid="medium-status" data-status={value}>
      {t(`media.status.${value}`)}
    </Tag>
  );
}

function DueText({ m }: { m: Medium }) {
  const { t } = useI18n();
  if (m.status === 'destroyed') return <Typography.Text type="secondary">{t('common.none')}</Typography.Text>;
  return (
    <Badge
      status={STATE_BADGE[m.inspectionState]}
      text={`${formatDateTime(m.nextInspectionDueAt)} · ${t(`media.state.${m.inspectionState}`)}`}
    />
  );
}

function RegisterTable({
  media,
  loading,
  catMap,
  onOpen,
}: {
  media: Medium[];
  loading: boolean;
  catMap: ReadonlyMap<string, DataCategory>;
  onOpen: (id: string) => void;
}) {
  const { t, lang } = useI18n();
  const columns: ColumnsType<Medium> = [
    {
      title: t('media.identifier'),
      dataIndex: 'identifier',
      render: (v: string, m) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text className="custos-mono">{v}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {m.label}
          </Typography.Text>
        </Space>
      ),
      sorter: (a, b) => a.identifier.localeCompare(b.identifier),
    },
    {
      title: t('media.type'),
      dataIndex: 'type',
      width: 130,
      render: (v: MediumType) => <Tag>{t(`mediumType.${v}`)}</Tag>,
      filters: MEDIUM_TYPES.map((x) => ({ text: t(`mediumType.${x}`), value: x })),
      onFilter: (value, m) => m.type === value,
    },
    { title: t('media.location'), dataIndex: 'location' },
    { title: t('media.custodian'), key: 'custodian', render: (_: unknown, m) => m.custodian.displayName },
    {
      title: t('media.encryption'),
      key: 'enc',
      width: 110,
      render: (_: unknown, m) =>
        m.encryption.encrypted ? <Tag color="blue">{t('media.encrypted')}</Tag> : <Tag color="orange">{t('media.unencrypted')}</Tag>,
    },
    {
      title: t('media.dataCategories'),
      dataIndex: 'dataCategories',
      render: (v: string[]) => (
        <Space size={[4, 4]} wrap>
          {v.map((c) => (
            <Tag key={c} variant="outlined">
              {categoryLabel(c, lang, catMap)}
            </Tag>
          ))}
        </Space>
      ),
    },
    { title: t('media.nextDue'), key: 'due', width: 240, render: (_: unknown, m) => <DueText m={m} /> },
    {
      title: t('media.status'),
      dataIndex: 'status',
      width: 120,
      render: (v: MediumStatus) => <StatusTag value={v} />,
      filters: (['active', 'disposal_requested', 'disposal_approved', 'destroyed'] as const).map((s) => ({
        text: t(`media.status.${s}`),
        value: s,
      })),
      onFilter: (value, m) => m.status === value,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      render: (_: unknown, m) => (
        <Button type="link" size="small" onClick={() => onOpen(m.id)} data-testid={`medium-open-${m.identifier}`}>
          {t('media.details')}
        </Button>
      ),
    },
  ];
  return (
    <CardTable<Medium>
      emptyText={t('media.empty')}
      data-testid="media-table"
      rowKey="id"
      loading={loading}
      columns={columns}
      dataSource={media}
      onRow={(m) => ({ 'data-testid': `medium-row-${m.identifier}`, 'data-status': m.status }) as object}
    />
  );
}

function InspectionCalendar({ media, loading, onOpen }: { media: Medium[]; loading: boolean; onOpen: (id: string) => void }) {
  const { t } = useI18n();
  const upcoming = useMemo(
    () => media.filter((m) => m.status !== 'destroyed').sort((a, b) => a.nextInspectionDueAt.localeCompare(b.nextInspectionDueAt)),
    [media],
  );
  const columns: ColumnsType<Medium> = [
    { title: t('media.nextDue'), key: 'due', width: 260, render: (_: unknown, m) => <DueText m={m} /> },
    {
      title: t('media.identifier'),
      key: 'id',
      render: (_: unknown, m) => (
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onOpen(m.id)}>
          <span className="custos-mono">{m.identifier}</span>
        </Button>
      ),
    },
    { title: t('media.label'), dataIndex: 'label' },
    { title: t('media.custodian'), key: 'custodian', render: (_: unknown, m) => m.custodian.displayName },
    { title: t('media.interval'), dataIndex: 'inspectionIntervalDays', width: 140 },
    { title: t('media.lastInspected'), dataIndex: 'lastInspectedAt', width: 180, render: (v: string | null) => formatDateTime(v) },
    {
      title: t('media.reminded'),
      dataIndex: 'remindedFor',
      width: 90,
      render: (v: string | null, m) => (v && v === m.nextInspectionDueAt ? <CheckOutlined /> : null),
    },
  ];
  return (
    <Card styles={{ body: { padding: 0 } }}>
      <Alert type="info" showIcon title={t('media.calendarHint')} style={{ margin: 12 }} />
      <Table<Medium>
        data-testid="media-calendar"
        rowKey="id"
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={upcoming}
        pagination={false}
        onRow={(m) => ({ 'data-testid': `calendar-row-${m.identifier}`, 'data-state': m.inspectionState }) as object}
      />
    </Card>
  );
}

function DataSetsTable({ data, loading, onChanged }: { data: StorageDataSet[]; loading: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const { can } = useSession();
  const report = useProblemReporter();
  const success = useSuccess();
  const [busy, setBusy] = useState<string | null>(null);
  const columns: ColumnsType<StorageDataSet> = [
    {
      title: t('dataSet.label'),
      dataIndex: 'label',
      render: (v: string) => <Typography.Text className="custos-mono">{v}</Typography.Text>,
    },
    {
      title: t('dataSet.copies'),
      dataIndex: 'liveCopies',
      width: 130,
      render: (v: number, d) => <Typography.Text type={d.stillRetained && v <= 1 ? 'warning' : undefined}>{v}</Typography.Text>,
    },
    {
      title: t('dataSet.retained'),
      dataIndex: 'retained',
      width: 140,
      render: (v: boolean, d) => (
        <Switch
          checked={v}
          disabled={!can('medium.manage')}
          loading={busy === d.label}
          data-testid={`dataset-retained-${d.label}`}
          onChange={async (next) => {
            setBusy(d.label);
            try {
              await api.updateStorageDataSet(d.label, { retained: next });
              success(t('dataSet.updated', { name: d.label }));
              onChanged();
            } catch (err) {
              report(err);
            } finally {
              setBusy(null);
            }
          }}
        />
      ),
    },
    { title: t('dataSet.retainUntil'), dataIndex: 'retainUntil', width: 180, render: (v: string | null) => formatDateTime(v) },
    { title: t('common.created'), dataIndex: 'createdAt', width: 180, render: (v: string) => formatDateTime(v) },
  ];
  return (
    <Card styles={{ body: { padding: 0 } }}>
      <Alert type="info" showIcon title={t('dataSet.hint')} style={{ margin: 12 }} />
      <Table<StorageDataSet>
        data-testid="dataset-table"
        rowKey="label"
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={data}
        pagination={false}
      />
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// Register a medium

interface NewMediumForm {
  identifier: string;
  label: string;
  type: MediumType;
  location: string;
  custodianUserId: string;
  encrypted: boolean;
  encryptionMethod?: string;
  dataCategories?: string[];
  dataSets?: string[];
  backupOfMediumId?: string;
  inspectionIntervalDays: number;
}

function userOptions(users: User[], me: { id: string; displayName: string; username: string }, prefix: string) {
  const list = users.length
    ? users.filter((u) => u.status === 'active')
    : [{ id: me.id, displayName: me.displayName, username: me.username }];
  return list.map((u) => ({
    value: u.id,
    label: (
      <span data-testid={`${prefix}-${u.username}`}>
        {u.displayName} ({u.username})
      </span>
    ),
    search: `${u.displayName} ${u.username}`,
  }));
}

function NewMediumModal({
  open,
  media,
  users,
  categories,
  dataSets,
  onClose,
  onCreated,
}: {
  open: boolean;
  media: Medium[];
  users: User[];
  categories: DataCategory[];
  dataSets: StorageDataSet[];
  onClose: () => void;
  onCreated: (m: Medium) => void;
}) {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const [form] = Form.useForm<NewMediumForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);
  const encrypted = Form.useWatch('encrypted', form);

  const submit = async () => {
    let v: NewMediumForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const body: NewMedium = {
      identifier: v.identifier.trim(),
      label: v.label.trim(),
      type: v.type,
      location: v.location.trim(),
      custodianUserId: v.custodianUserId,
      encryption: v.encrypted
        ? { encrypted: true, ...(v.encryptionMethod?.trim() ? { method: v.encryptionMethod.trim() } : {}) }
        : { encrypted: false },
      dataCategories: v.dataCategories ?? [],
      dataSets: (v.dataSets ?? []).map((d) => d.trim()),
      inspectionIntervalDays: v.inspectionIntervalDays,
      ...(v.backupOfMediumId ? { backupOfMediumId: v.backupOfMediumId } : {}),
    };
    setSaving(true);
    try {
      const m = await api.createStorageMedium(body);
      success(t('media.created', { name: m.identifier }));
      form.resetFields();
      onCreated(m);
    } catch (err) {
      report(err, {
        form,
        mapField: nestedFieldMapper(form, (seg) => (seg[0] === 'encryption' ? ['encrypted'] : seg.slice(0, 1))),
      });
    } finally {
      setSaving(false);
    }
  };
  const required = (field: string) => ({ required: true, whitespace: true, message: t('common.required', { field }) });

  return (
    <Modal
      title={t('media.new')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'medium-submit' }}
      width={720}
    >
      <Form<NewMediumForm>
        form={form}
        layout="vertical"
        preserve={false}
        autoComplete="off"
        initialValues={{
          type: 'server_disk',
          encrypted: false,
          inspectionIntervalDays: 90,
          custodianUserId: user.id,
          dataCategories: [],
          dataSets: [],
        }}
        data-testid="medium-form"
        style={{ marginTop: 16 }}
      >
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item
              name="identifier"
              label={t('media.identifier')}
              extra={t('media.identifierHint')}
              rules={[required(t('media.identifier'))]}
            >
              <Input className="custos-mono" maxLength={200} data-testid="medium-form-identifier" autoFocus />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="label" label={t('media.label')} rules={[required(t('media.label'))]}>
              <Input maxLength={200} data-testid="medium-form-label" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="type" label={t('media.type')} rules={[{ required: true }]}>
              <Select<MediumType>
                data-testid="medium-form-type"
                options={MEDIUM_TYPES.map((x) => ({
                  value: x,
                  label: <span data-testid={`medium-type-${x}`}>{t(`mediumType.${x}`)}</span>,
                }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="custodianUserId"
              label={t('media.custodian')}
              rules={[{ required: true, message: t('common.required', { field: t('media.custodian') }) }]}
            >
              <Select<string>
                data-testid="medium-form-custodian"
                showSearch={{ optionFilterProp: 'search' }}
                options={userOptions(users, user, 'custodian')}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="location" label={t('media.location')} rules={[required(t('media.location'))]}>
          <Input maxLength={500} data-testid="medium-form-location" />
        </Form.Item>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="encrypted" label={t('media.encryption')} valuePropName="checked">
              <Switch
                checkedChildren={t('media.encrypted')}
                unCheckedChildren={t('media.unencrypted')}
                data-testid="medium-form-encrypted"
              />
            </Form.Item>
          </Col>
          <Col span={16}>
            {encrypted ? (
              <Form.Item name="encryptionMethod" label={t('media.encryptionMethod')}>
                <Input maxLength={200} placeholder="LUKS2 AES-256-XTS / SSE-KMS" data-testid="medium-form-encryption-method" />
              </Form.Item>
            ) : null}
          </Col>
        </Row>
        <Form.Item name="dataCategories" label={t('media.dataCategories')}>
          <Select<string[]>
            mode="multiple"
            data-testid="medium-form-categories"
            optionFilterProp="label"
            options={categories.map((c) => ({ value: c.code, label: categoryLabel(c.code, lang, new Map([[c.code, c]])) }))}
          />
        </Form.Item>
        <Form.Item
          name="dataSets"
          label={t('media.dataSets')}
          extra={t('media.dataSetsHint')}
          rules={[
            {
              validator: async (_, v: string[] | undefined) => {
                const bad = (v ?? []).filter((d) => !/^[a-z0-9][a-z0-9._-]{1,63}$/.test(d.trim()));
                if (bad.length) throw new Error(bad.join(', '));
              },
            },
          ]}
        >
          <Select<string[]>
            mode="tags"
            data-testid="medium-form-datasets"
            tokenSeparators={[',', ' ']}
            options={dataSets.map((d) => ({ value: d.label, label: d.label }))}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="backupOfMediumId" label={t('media.backupOf')}>
              <Select<string>
                allowClear
                data-testid="medium-form-backup-of"
                options={media.filter((m) => m.status !== 'destroyed').map((m) => ({ value: m.id, label: `${m.identifier} · ${m.label}` }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="inspectionIntervalDays" label={t('media.interval')} rules={[{ required: true }]}>
              <InputNumber min={1} max={730} style={{ width: '100%' }} data-testid="medium-form-interval" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// A medium: details, inspections, disposal workflow, certificate

type Dialog = 'inspect' | 'request' | 'approve' | 'reject' | 'destroy' | 'certificate' | null;

function MediumDrawer({
  id,
  users,
  catMap,
  onClose,
  onChanged,
}: {
  id: string | null;
  users: User[];
  catMap: ReadonlyMap<string, DataCategory>;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { t, lang } = useI18n();
  const { can, user } = useSession();
  const detail = useLoad<MediumDetail | null>(() => (id ? api.getStorageMedium(id) : Promise.resolve(null)), null, id !== null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const d = detail.data && detail.data.medium.id === id ? detail.data : null;
  const m = d?.medium ?? null;
  const open = d?.disposals.find((x) => x.status !== 'rejected') ?? null;
  const refresh = () => {
    void detail.reload();
    onChanged();
  };

  const actions: ReactNode[] = [];
  if (m && m.status !== 'destroyed' && can('medium.manage'))
    actions.push(
      <Button key="inspect" icon={<FileSearchOutlined />} onClick={() => setDialog('inspect')} data-testid="medium-inspect">
        {t('inspection.record')}
      </Button>,
    );
  if (m?.status === 'active' && can('medium.manage'))
    actions.push(
      <Button key="request" danger icon={<DeleteOutlined />} onClick={() => setDialog('request')} data-testid="medium-request-disposal">
        {t('disposal.request')}
      </Button>,
    );
  if (m?.status === 'disposal_requested' && can('medium.approve')) {
    const own = open?.requestedBy === user.username;
    actions.push(
      <Button key="reject" icon={<CloseOutlined />} onClick={() => setDialog('reject')} data-testid="medium-reject-disposal">
        {t('disposal.reject')}
      </Button>,
      <Button
        key="approve"
        type="primary"
        icon={<CheckOutlined />}
        disabled={own}
        title={own ? t('disposal.fourEyes') : undefined}
        onClick={() => setDialog('approve')}
        data-testid="medium-approve-disposal"
      >
        {t('disposal.approve')}
      </Button>,
    );
  }
  if (m?.status === 'disposal_approved' && can('medium.manage'))
    actions.push(
      <Button
        key="destroy"
        type="primary"
        danger
        icon={<FileDoneOutlined />}
        onClick={() => setDialog('destroy')}
        data-testid="medium-record-destruction"
      >
        {t('disposal.destroy')}
      </Button>,
    );
  if (m?.status === 'destroyed')
    actions.push(
      <Button
        key="cert"
        type="primary"
        icon={<SafetyCertificateOutlined />}
        onClick={() => setDialog('certificate')}
        data-testid="medium-view-certificate"
      >
        {t('disposal.viewCertificate')}
      </Button>,
    );

  const step = !m ? 0 : m.status === 'active' ? -1 : m.status === 'disposal_requested' ? 1 : m.status === 'disposal_approved' ? 2 : 4;

  return (
    <Drawer
      title={m ? t('media.detailTitle', { name: m.identifier }) : null}
      open={id !== null}
      onClose={onClose}
      size={820}
      data-testid="medium-detail"
      extra={m ? <Space>{actions}</Space> : null}
    >
      {m && d ? (
        <div data-testid="medium-detail-body" data-status={m.status}>
          <Descriptions
            bordered
            size="small"
            column={2}
            styles={{ label: { width: 130 } }}
            items={[
              { key: 'identifier', label: t('media.identifier'), children: <span className="custos-mono">{m.identifier}</span> },
              { key: 'label', label: t('media.label'), children: m.label },
              { key: 'type', label: t('media.type'), children: t(`mediumType.${m.type}`) },
              { key: 'status', label: t('media.status'), children: <StatusTag value={m.status} /> },
              { key: 'location', label: t('media.location'), children: m.location, span: 2 },
              { key: 'custodian', label: t('media.custodian'), children: `${m.custodian.displayName} (${m.custodian.username})` },
              {
                key: 'enc',
                label: t('media.encryption'),
                children: m.encryption.encrypted
                  ? `${t('media.encrypted')}${m.encryption.method ? ` · ${m.encryption.method}` : ''}`
                  : t('media.unencrypted'),
              },
              {
                key: 'cats',
                label: t('media.dataCategories'),
                span: 2,
                children: m.dataCategories.length
                  ? m.dataCategories.map((c) => categoryLabel(c, lang, catMap)).join('、')
                  : t('common.none'),
              },
              {
                key: 'sets',
                label: t('media.dataSets'),
                span: 2,
                children: m.dataSets.length ? (
                  <Space size={[4, 4]} wrap>
                    {m.dataSets.map((s) => (
                      <Tag key={s} className="custos-mono">
                        {s}
                      </Tag>
                    ))}
                  </Space>
                ) : (
                  t('common.none')
                ),
              },
              { key: 'interval', label: t('media.interval'), children: m.inspectionIntervalDays },
              { key: 'due', label: t('media.nextDue'), children: <DueText m={m} /> },
            ]}
          />

          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('disposal.workflow')}
          </Typography.Title>
          <Steps
            size="small"
            current={step}
            status={open === null && d.disposals.some((x) => x.status === 'rejected') && m.status === 'active' ? 'error' : undefined}
            data-testid="disposal-steps"
            items={[
              {
                title: t('disposal.step.request'),
                description: open ? `${open.requestedBy} · ${formatDateTime(open.requestedAt)}` : undefined,
              },
              {
                title: t('disposal.step.approve'),
                description: open?.decidedBy ? `${open.decidedBy} · ${formatDateTime(open.decidedAt)}` : undefined,
              },
              {
                title: t('disposal.step.destroy'),
                description: open?.destroyedAt
                  ? `${open.method ? t(`disposal.method.${open.method}`).split(/[:：]/)[0] : ''} · ${formatDateTime(open.destroyedAt)}`
                  : undefined,
              },
              { title: t('disposal.step.certificate'), description: open?.certificateNo ?? undefined },
            ]}
          />
          {open?.reason ? (
            <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
              {t('disposal.reason')}：{open.reason}
            </Typography.Paragraph>
          ) : null}

          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('inspection.history')}
          </Typography.Title>
          <Table
            data-testid="inspection-table"
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={d.inspections}
            locale={{ emptyText: t('inspection.none') }}
            onRow={(i) => ({ 'data-testid': 'inspection-row', 'data-result': i.result }) as object}
            columns={[
              { title: t('inspection.inspectedAt'), dataIndex: 'inspectedAt', width: 170, render: (v: string) => formatDateTime(v) },
              { title: t('inspection.inspectedBy'), dataIndex: 'inspectedBy', width: 120 },
              {
                title: t('inspection.result'),
                dataIndex: 'result',
                width: 150,
                render: (v: InspectionResult) => (
                  <Tag color={v === 'passed' ? 'green' : v === 'failed' ? 'red' : 'gold'}>{t(`inspection.result.${v}`)}</Tag>
                ),
              },
              {
                title: t('inspection.checklist'),
                dataIndex: 'checklist',
                render: (v: MediumDetail['inspections'][number]['checklist']) => (
                  <Space orientation="vertical" size={0}>
                    {v.map((c) => (
                      <Typography.Text key={c.item} type={c.passed ? undefined : 'danger'} style={{ fontSize: 12 }}>
                        {c.passed ? '✓' : '✗'} {t(`inspection.item.${c.item}`)}
                        {c.note ? ` — ${c.note}` : ''}
                      </Typography.Text>
                    ))}
                  </Space>
                ),
              },
              { title: t('inspection.findings'), dataIndex: 'findings', render: (v: string | null) => v ?? t('common.none') },
            ]}
          />
          <InspectionModal open={dialog === 'inspect'} medium={m} onClose={() => setDialog(null)} onDone={refresh} />
          <ReasonModal
            kind={dialog === 'request' || dialog === 'approve' || dialog === 'reject' ? dialog : null}
            medium={m}
            onClose={() => setDialog(null)}
            onDone={refresh}
          />
          <DestructionModal
            open={dialog === 'destroy'}
            medium={m}
            users={users}
            onClose={() => setDialog(null)}
            onDone={() => {
              refresh();
              setDialog('certificate');
            }}
          />
          <CertificateModal open={dialog === 'certificate'} medium={m} catMap={catMap} onClose={() => setDialog(null)} />
        </div>
      ) : null}
    </Drawer>
  );
}

function InspectionModal({ open, medium, onClose, onDone }: { open: boolean; medium: Medium; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const report = useProblemReporter();
  const success = useSuccess();
  const [form] = Form.useForm<{ passed: InspectionItem[]; result: InspectionResult; findings?: string }>();
  const [saving, setSaving] = useState(false);
  const items = INSPECTION_ITEMS.filter((i) => i !== 'encryption_verified' || medium.encryption.encrypted);
  const submit = async () => {
    let v: { passed?: InspectionItem[]; result: InspectionResult; findings?: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const passed = new Set(v.passed ?? []);
    setSaving(true);
    try {
      await api.recordMediumInspection(medium.id, {
        checklist: items.map((item) => ({ item, passed: passed.has(item) })),
        result: v.result,
        ...(v.findings?.trim() ? { findings: v.findings.trim() } : {}),
      });
      success(t('inspection.recorded'));
      onClose();
      onDone();
    } catch (err) {
      report(err, { form, mapField: (p) => [p.field.startsWith('checklist') ? 'passed' : fieldRoot(p.field)] });
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      title={`${t('inspection.record')} · ${medium.identifier}`}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('inspection.record')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'inspection-submit' }}
      width={620}
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ passed: items, result: 'passed' }}
        data-testid="inspection-form"
      >
        <Form.Item name="passed" label={t('inspection.checklist')}>
          <Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
            {items.map((i) => (
              <Checkbox key={i} value={i} data-testid={`inspection-item-${i}`}>
                {t(`inspection.item.${i}`)}
              </Checkbox>
            ))}
          </Checkbox.Group>
        </Form.Item>
        <Form.Item name="result" label={t('inspection.result')} rules={[{ required: true }]}>
          <Select<InspectionResult>
            data-testid="inspection-result"
            options={(['passed', 'passed_with_findings', 'failed'] as const).map((r) => ({
              value: r,
              label: <span data-testid={`inspection-result-${r}`}>{t(`inspection.result.${r}`)}</span>,
            }))}
          />
        </Form.Item>
        <Form.Item name="findings" label={t('inspection.findings')} extra={t('inspection.findingsHint')}>
          <Input.TextArea rows={3} maxLength={4000} data-testid="inspection-findings" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ReasonModal({
  kind,
  medium,
  onClose,
  onDone,
}: {
  kind: 'request' | 'approve' | 'reject' | null;
  medium: Medium;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const report = useProblemReporter();
  const success = useSuccess();
  const [form] = Form.useForm<{ text?: string }>();
  const [saving, setSaving] = useState(false);
  const required = kind !== 'approve';
  const label = kind === 'request' ? t('disposal.reason') : t('disposal.comment');
  const title = kind === 'request' ? t('disposal.request') : kind === 'approve' ? t('disposal.approve') : t('disposal.reject');
  const submit = async () => {
    let v: { text?: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const text = v.text?.trim() ?? '';
    setSaving(true);
    try {
      if (kind === 'request') {
        await api.requestMediumDisposal(medium.id, text);
        success(t('disposal.requested'));
      } else if (kind === 'approve') {
        await api.approveMediumDisposal(medium.id, text || undefined);
        success(t('disposal.approved'));
      } else if (kind === 'reject') {
        await api.rejectMediumDisposal(medium.id, text);
        success(t('disposal.rejected'));
      }
      onClose();
      onDone();
    } catch (err) {
      report(err, { form, mapField: (p) => [p.field === 'reason' || p.field === 'comment' ? 'text' : fieldRoot(p.field)] });
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      title={`${title} · ${medium.identifier}`}
      open={kind !== null}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={title}
      okButtonProps={{ danger: kind === 'request', 'data-testid': 'disposal-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Alert
        type={kind === 'request' ? 'warning' : 'info'}
        showIcon
        title={kind === 'request' ? t('disposal.requestHint') : t('disposal.fourEyes')}
        style={{ margin: '12px 0' }}
      />
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item
          name="text"
          label={label}
          rules={required ? [{ required: true, whitespace: true, message: t('common.required', { field: label }) }] : []}
        >
          <Input.TextArea rows={3} maxLength={2000} data-testid="disposal-text" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface DestructionForm {
  method: DestructionMethod;
  performedByUserId: string;
  witnessUserId: string;
  evidenceSha256: string;
}

function DestructionModal({
  open,
  medium,
  users,
  onClose,
  onDone,
}: {
  open: boolean;
  medium: Medium;
  users: User[];
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const { user } = useSession();
  const report = useProblemReporter();
  const success = useSuccess();
  const [form] = Form.useForm<DestructionForm>();
  const [saving, setSaving] = useState(false);
  const [hashing, setHashing] = useState(false);
  const performer = Form.useWatch('performedByUserId', form);
  const methods = DESTRUCTION_METHODS.filter((m) => m !== 'crypto_erase' || medium.encryption.encrypted);
  const submit = async () => {
    let v: DestructionForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      const cert = await api.recordMediumDestruction(medium.id, {
        method: v.method,
        performedByUserId: v.performedByUserId,
        witnessUserId: v.witnessUserId,
        evidenceSha256: v.evidenceSha256.trim().toLowerCase(),
      });
      success(t('disposal.destroyed', { no: cert.certificateNo }));
      onDone();
    } catch (err) {
      report(err, { form });
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      title={`${t('disposal.destroy')} · ${medium.identifier}`}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('disposal.destroy')}
      okButtonProps={{ danger: true, 'data-testid': 'destruction-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      width={640}
    >
      <Form<DestructionForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ performedByUserId: user.id }}
        data-testid="destruction-form"
        style={{ marginTop: 16 }}
      >
        <Form.Item
          name="method"
          label={t('disposal.method')}
          extra={t('disposal.methodHint')}
          rules={[{ required: true, message: t('common.required', { field: t('disposal.method') }) }]}
        >
          <Select<DestructionMethod>
            data-testid="destruction-method"
            options={methods.map((m) => ({
              value: m,
              label: <span data-testid={`destruction-method-${m}`}>{t(`disposal.method.${m}`)}</span>,
            }))}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="performedByUserId" label={t('disposal.performedBy')} rules={[{ required: true }]}>
              <Select<string>
                data-testid="destruction-performer"
                showSearch={{ optionFilterProp: 'search' }}
                options={userOptions(users, user, 'performer')}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="witnessUserId"
              label={t('disposal.witness')}
              extra={t('disposal.witnessHint')}
              dependencies={['performedByUserId']}
              rules={[
                { required: true, message: t('common.required', { field: t('disposal.witness') }) },
                {
                  validator: async (_, v: string | undefined) => {
                    if (v && v === form.getFieldValue('performedByUserId')) throw new Error(t('reason.witness_must_differ'));
                  },
                },
              ]}
            >
              <Select<string>
                data-testid="destruction-witness"
                showSearch={{ optionFilterProp: 'search' }}
                options={userOptions(users, user, 'witness').filter((o) => o.value !== performer)}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="evidenceSha256"
          label={t('disposal.evidence')}
          extra={t('disposal.evidenceHint')}
          rules={[
            { required: true, message: t('common.required', { field: t('disposal.evidence') }) },
            { pattern: SHA256_RE, message: t('consent.documentHashInvalid') },
          ]}
        >
          <Input
            className="custos-mono"
            maxLength={64}
            placeholder={t('consent.documentHashPlaceholder')}
            data-testid="destruction-evidence"
            addonAfter={
              <Upload
                showUploadList={false}
                beforeUpload={async (file) => {
                  setHashing(true);
                  try {
                    form.setFieldValue('evidenceSha256', await hexDigest(file));
                    void form.validateFields(['evidenceSha256']);
                  } finally {
                    setHashing(false);
                  }
                  return Upload.LIST_IGNORE;
                }}
              >
                <Button type="text" size="small" icon={<FileSearchOutlined />} loading={hashing} data-testid="destruction-evidence-file">
                  {t('consent.hashFile')}
                </Button>
              </Upload>
            }
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function CertificateModal({
  open,
  medium,
  catMap,
  onClose,
}: {
  open: boolean;
  medium: Medium;
  catMap: ReadonlyMap<string, DataCategory>;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const cert = useLoad<DisposalCertificate | null>(
    () => api.getMediumDisposalCertificate(medium.id),
    null,
    open && medium.status === 'destroyed',
  );
  const c = cert.data;
  return (
    <Modal
      title={t('disposal.certificate')}
      open={open}
      onCancel={onClose}
      footer={[
        <Button key="close" onClick={onClose} data-testid="certificate-close">
          {t('common.close')}
        </Button>,
      ]}
      width={760}
      destroyOnHidden
    >
      {c ? (
        <div data-testid="certificate" data-certificate-no={c.certificateNo} style={{ paddingTop: 8 }}>
          <Typography.Title level={4} style={{ textAlign: 'center', marginBottom: 4 }}>
            <SafetyCertificateOutlined /> {t('disposal.certificate')}
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }} className="custos-mono" data-testid="certificate-no">
            {c.certificateNo}
          </Typography.Paragraph>
          <Descriptions
            bordered
            size="small"
            column={2}
            styles={{ label: { width: 150 } }}
            items={[
              {
                key: 'medium',
                label: t('certificate.medium'),
                span: 2,
                children: (
                  <span data-testid="certificate-medium">
                    <span className="custos-mono">{c.medium.identifier}</span> · {c.medium.label} · {t(`mediumType.${c.medium.type}`)}
                  </span>
                ),
              },
              { key: 'location', label: t('media.location'), span: 2, children: c.medium.location },
              {
                key: 'cats',
                label: t('media.dataCategories'),
                span: 2,
                children: c.medium.dataCategories.map((x) => categoryLabel(x, lang, catMap)).join('、') || t('common.none'),
              },
              {
                key: 'method',
                label: t('disposal.method'),
                children: <span data-testid="certificate-method">{t(`disposal.method.${c.method}`)}</span>,
              },
              {
                key: 'level',
                label: t('disposal.nistLevel'),
                children: (
                  <Tag color="purple" data-testid="certificate-nist-level">
                    {c.nistLevel.toUpperCase()}
                  </Tag>
                ),
              },
              { key: 'standard', label: t('certificate.standard'), span: 2, children: c.standard },
              { key: 'reason', label: t('disposal.reason'), span: 2, children: c.reason },
              { key: 'requested', label: t('disposal.requestedBy'), children: `${c.requestedBy} · ${formatDateTime(c.requestedAt)}` },
              { key: 'approved', label: t('certificate.approvedBy'), children: `${c.approvedBy} · ${formatDateTime(c.approvedAt)}` },
              {
                key: 'performer',
                label: t('disposal.performedBy'),
                children: `${c.performedBy.displayName} (${c.performedBy.username})`,
              },
              {
                key: 'witness',
                label: t('disposal.witness'),
                children: <span data-testid="certificate-witness">{`${c.witness.displayName} (${c.witness.username})`}</span>,
              },
              { key: 'destroyedAt', label: t('disposal.destroyedAt'), children: formatDateTime(c.destroyedAt) },
              { key: 'recorded', label: t('certificate.recordedBy'), children: `${c.recordedBy} · ${formatDateTime(c.recordedAt)}` },
              {
                key: 'evidence',
                label: t('disposal.evidence'),
                span: 2,
                children: (
                  <Typography.Text className="custos-hash" copyable data-testid="certificate-evidence">
                    {c.evidenceSha256}
                  </Typography.Text>
                ),
              },
              {
                key: 'hash',
                label: t('certificate.hash'),
                span: 2,
                children: <HashText value={c.certificateHash} testId="certificate-hash" />,
              },
            ]}
          />
          <Alert type="success" showIcon title={t('certificate.statement')} style={{ marginTop: 16 }} />
        </div>
      ) : (
        <Typography.Text type="secondary">{t('common.loading')}</Typography.Text>
      )}
    </Modal>
  );
}
