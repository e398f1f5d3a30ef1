/**
 * De-identified exports (P5.3) under an export grant: the wizard (choose the grant, set the
 * dataset spec: role and operator per field, k / l and the suppression limit; preview the
 * de-identified rows and the risk report, accept the proposed generalisation; create the file for
 * a recipient; a one-time download link and the export report) and the list of past exports with
 * their reports.
 */
import {
  CheckCircleOutlined,
  DownloadOutlined,
  ExportOutlined,
  EyeOutlined,
  FileSearchOutlined,
  PlusOutlined,
  ReloadOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Radio,
  Result,
  Row,
  Select,
  Space,
  Statistic,
  Steps,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useState } from 'react';
import {
  COLUMN_ROLES,
  HIERARCHIES,
  OPERATOR_KINDS,
  api,
  type ColumnRole,
  type ColumnSpec,
  type DatasetSpec,
  type DeidentifyOperator,
  type ExportFormat,
  type ExportPreview,
  type ExportRecord,
  type Grant,
  type NodeAssessment,
  type OperatorKind,
} from '../api';
import { HashText } from '../components/ConsentParts';
import { PageHeader } from '../components/PageHeader';
import { CardTable } from '../components/CardTable';
import { FieldTags, ScopeText, periodText, useUseNames, type UseNames } from '../components/UseParts';
import { formatDateTime, shortId } from '../format';
import { useI18n, type MessageKey, type Translate } from '../i18n';
import { nestedFieldMapper, useProblemReporter, useSuccess } from '../problems';
import { exportPath, matchRoute, navigate, subPath, useHashPath } from '../router';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

const EXPORT_STATUS_COLOR: Record<ExportRecord['status'], string> = { ready: 'blue', downloaded: 'green', expired: 'default' };

/** The level names of the hierarchies core ships (the preview's plan names them authoritatively). */
const LEVEL_NAMES: Record<string, readonly string[]> = {
  date: ['date', 'month', 'year', 'decade', '*'],
  age: ['age', '5_years', '10_years', '20_years', '*'],
  cn_address: ['address', 'city', 'province', 'region', '*'],
  cn_city: ['city', 'province', 'region', '*'],
  cn_resident_id: ['resident_id', 'region_birth_year', 'province_birth_decade', '*'],
};

/** A generalisation level as text: the level's name in the UI language (`year` -> 年), else `级别 n`. */
function levelLabel(name: string | undefined, level: number, t: Translate, has: (key: string) => key is MessageKey): string {
  if (name === undefined) return t('exports.levelN', { level });
  const key = `exportLevel.${name === '*' ? 'any' : name}`;
  return has(key) ? t(key) : name;
}

/** The hierarchy a generalised column of this PI type most likely uses. */
function defaultHierarchy(piType: string | undefined): string {
  if (piType === 'date') return 'date';
  if (piType === 'address') return 'cn_address';
  if (piType === 'cn_resident_id') return 'cn_resident_id';
  return 'age';
}

function defaultOperator(kind: OperatorKind, col: ColumnSpec): DeidentifyOperator {
  switch (kind) {
    case 'mask':
      return { kind, keepFirst: 1, keepLast: 1 };
    case 'generalise':
      return col.role === 'quasi_identifier'
        ? { kind, hierarchy: defaultHierarchy(col.piType) }
        : { kind, hierarchy: defaultHierarchy(col.piType), level: 1 };
    default:
      return { kind } as DeidentifyOperator;
  }
}

/** An operator as text: `掩码（保留前 3 位、后 4 位）`, `泛化 date · 级别 1`. */
export function operatorText(op: DeidentifyOperator, t: Translate): string {
  const name = t(`exportOperator.${op.kind}`);
  if (op.kind === 'mask') return `${name} (${t('exports.keepFirstLast', { first: op.keepFirst ?? 0, last: op.keepLast ?? 0 })})`;
  if (op.kind === 'generalise')
    return `${name} · ${op.hierarchy}${op.level !== undefined ? ` · ${t('exports.levelN', { level: op.level })}` : ''}`;
  return name;
}

export function ExportsPage() {
  const path = useHashPath();
  const route = matchRoute(path);
  const parts = route ? subPath(route, path) : [];
  if (parts[0] === 'new') return <ExportWizard key={parts[1] ?? ''} initialGrantId={parts[1]} />;
  return <ExportList />;
}

// ---------------------------------------------------------------------------------------------
// Past exports

function ExportList() {
  const { t } = useI18n();
  const { can } = useSession();
  const names = useUseNames();
  const exports = useLoad<ExportRecord[]>(api.listExports, []);
  const [openId, setOpenId] = useState<string | null>(null);
  const open = exports.data.find((e) => e.id === openId) ?? null;

  const columns: ColumnsType<ExportRecord> = [
    { title: t('common.created'), dataIndex: 'createdAt', width: 170, render: (v: string) => formatDateTime(v) },
    { title: t('use.purpose'), dataIndex: 'purposeCode', render: (v: string) => names.purpose(v) },
    { title: t('exports.recipient'), dataIndex: 'recipient', ellipsis: true },
    { title: t('exports.format'), dataIndex: 'format', width: 80, render: (v: string) => <Tag>{v.toUpperCase()}</Tag> },
    { title: t('exports.rows'), dataIndex: 'rowCount', width: 90 },
    { title: 'k', dataIndex: 'k', width: 60, render: (v: number | null) => v ?? '—' },
    { title: 'l', dataIndex: 'l', width: 60, render: (v: number | null) => v ?? '—' },
    { title: t('exports.createdBy'), dataIndex: 'createdBy', width: 120 },
    {
      title: t('use.status'),
      dataIndex: 'status',
      width: 100,
      render: (v: ExportRecord['status']) => (
        <Tag color={EXPORT_STATUS_COLOR[v]} data-testid="export-status" data-status={v}>
          {t(`exportStatus.${v}`)}
        </Tag>
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 110,
      render: (_: unknown, e) => (
        <Button type="link" size="small" icon={<EyeOutlined />} onClick={() => setOpenId(e.id)} data-testid={`export-open-${e.id}`}>
          {t('exports.report')}
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('exports.title')}
        subtitle={t('exports.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void exports.reload()} data-testid="exports-refresh">
              {t('common.refresh')}
            </Button>
            {can('use.apply') ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/exports/new')} data-testid="exports-new">
                {t('exports.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <CardTable<ExportRecord>
        emptyText={t('exports.empty')}
        data-testid="exports-table"
        rowKey="id"
        loading={exports.loading}
        columns={columns}
        dataSource={exports.data}
        onRow={(e) => ({ 'data-testid': `export-row-${e.id}`, 'data-status': e.status }) as object}
      />
      <Drawer
        open={open !== null}
        onClose={() => setOpenId(null)}
        size={820}
        title={t('exports.reportTitle')}
        data-testid="export-report-drawer"
      >
        {open ? <ExportReport record={open} names={names} /> : null}
      </Drawer>
    </>
  );
}

/** The export's record: spec, generalisation chosen, measured k and l, recipient, counts, the file's hash. */
function ExportReport({ record: e, names, levelNames }: { record: ExportRecord; names: UseNames; levelNames?: Record<string, string[]> }) {
  const { t, has } = useI18n();
  const model = e.spec.privacyModel;
  const levelText = (field: string, level: number) => {
    const op = e.spec.columns.find((c) => c.field === field)?.operator;
    const fromSpec = op?.kind === 'generalise' ? LEVEL_NAMES[op.hierarchy] : undefined;
    return levelLabel(levelNames?.[field]?.[level] ?? fromSpec?.[level], level, t, has);
  };
  return (
    <div data-testid="export-report" data-id={e.id} data-rows={e.rowCount} data-k={e.k ?? ''}>
      <Descriptions
        bordered
        size="small"
        column={2}
        styles={{ label: { width: 130 } }}
        items={[
          { key: 'id', label: t('exports.id'), children: <span className="custos-mono">{e.id}</span>, span: 2 },
          { key: 'purpose', label: t('use.purpose'), children: names.purpose(e.purposeCode) },
          { key: 'grant', label: t('exports.grant'), children: <span className="custos-mono">{shortId(e.grantId)}</span> },
          { key: 'recipient', label: t('exports.recipient'), children: <span data-testid="export-report-recipient">{e.recipient}</span> },
          { key: 'format', label: t('exports.format'), children: e.format.toUpperCase() },
          {
            key: 'k',
            label: t('exports.measuredK'),
            children: <span data-testid="export-report-k">{`${e.k ?? '—'} (${t('exports.target')} ${e.targetK ?? model.k})`}</span>,
          },
          {
            key: 'l',
            label: t('exports.measuredL'),
            children: `${e.l ?? '—'}${model.l ? ` (${t('exports.target')} ${model.l})` : ''}`,
          },
          { key: 'rows', label: t('exports.rows'), children: <span data-testid="export-report-rows">{e.rowCount}</span> },
          { key: 'suppressed', label: t('exports.suppressed'), children: e.suppressedCount },
          { key: 'inScope', label: t('exports.inScope'), children: e.inScopeCount },
          { key: 'excluded', label: t('exports.excludedNoConsent'), children: e.excludedCount },
          { key: 'maxSup', label: t('exports.maxSuppression'), children: `${Math.round(model.maxSuppression * 1000) / 10}%` },
          {
            key: 'levels',
            label: t('exports.generalisation'),
            span: 2,
            children: Object.keys(e.levelsByField).length ? (
              <Space size={[4, 4]} wrap>
                {Object.entries(e.levelsByField).map(([f, lv]) => (
                  <Tag key={f}>{`${names.category(f)}: ${levelText(f, lv)}`}</Tag>
                ))}
              </Space>
            ) : (
              t('common.none')
            ),
          },
          { key: 'sha', label: t('exports.sha256'), span: 2, children: <HashText value={e.fileSha256} testId="export-report-sha" /> },
          { key: 'bytes', label: t('exports.bytes'), children: e.fileBytes },
          {
            key: 'status',
            label: t('use.status'),
            children: <Tag color={EXPORT_STATUS_COLOR[e.status]}>{t(`exportStatus.${e.status}`)}</Tag>,
          },
          { key: 'created', label: t('common.created'), children: `${formatDateTime(e.createdAt)} · ${e.createdBy}` },
          { key: 'expires', label: t('exports.expiresAt'), children: formatDateTime(e.expiresAt) },
          { key: 'downloaded', label: t('exports.downloadedAt'), children: formatDateTime(e.downloadedAt) },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('exports.spec')}
      </Typography.Title>
      <Table<ColumnSpec>
        rowKey="field"
        size="small"
        pagination={false}
        dataSource={e.spec.columns}
        columns={[
          { title: t('exports.field'), dataIndex: 'field', render: (v: string) => names.category(v) },
          { title: t('exports.role'), dataIndex: 'role', render: (v: ColumnRole) => t(`exportRole.${v}`) },
          { title: t('exports.operator'), dataIndex: 'operator', render: (v: DeidentifyOperator) => <OperatorLabel op={v} /> },
        ]}
      />
    </div>
  );
}

function OperatorLabel({ op }: { op: DeidentifyOperator }) {
  const { t } = useI18n();
  return <span>{operatorText(op, t)}</span>;
}

// ---------------------------------------------------------------------------------------------
// The wizard

function ExportWizard({ initialGrantId }: { initialGrantId?: string }) {
  const { t } = useI18n();
  const { user } = useSession();
  const names = useUseNames();
  const report = useProblemReporter();
  const grants = useLoad<Grant[]>(api.listGrants, []);
  const exportable = useMemo(
    () =>
      grants.data.filter(
        (g) => g.method === 'export' && g.status === 'active' && (g.holderId === user.id || g.departmentId === user.departmentId),
      ),
    [grants.data, user],
  );
  const [step, setStep] = useState(0);
  const [grantId, setGrantId] = useState<string | undefined>(initialGrantId);
  const [spec, setSpec] = useState<DatasetSpec | null>(null);
  const [levels, setLevels] = useState<Record<string, number> | undefined>(undefined);
  const [preview, setPreview] = useState<ExportPreview | null>(null);
  const [created, setCreated] = useState<ExportRecord | null>(null);
  const [busy, setBusy] = useState(false);
  const grant = grants.data.find((g) => g.id === grantId);

  const loadTemplate = async (id: string) => {
    setBusy(true);
    try {
      setSpec(await api.getExportSpecTemplate(id));
      setLevels(undefined);
      setPreview(null);
      setStep(1);
    } catch (err) {
      report(err);
    } finally {
      setBusy(false);
    }
  };

  const runPreview = async (withLevels: Record<string, number> | undefined) => {
    if (!grantId || !spec) return;
    setBusy(true);
    try {
      setPreview(await api.previewExport({ grantId, spec, ...(withLevels ? { levels: withLevels } : {}), sampleSize: 20 }));
      setLevels(withLevels);
      setStep(2);
    } catch (err) {
      report(err);
    } finally {
      setBusy(false);
    }
  };

  const changeSpec = (next: DatasetSpec) => {
    setSpec(next);
    // A changed spec needs a new preview and a new proposal.
    setLevels(undefined);
    setPreview(null);
  };

  return (
    <>
      <PageHeader
        title={t('exports.wizardTitle')}
        subtitle={t('exports.wizardSubtitle')}
        extra={
          <Button onClick={() => navigate(exportPath())} data-testid="export-wizard-close">
            {t('exports.backToList')}
          </Button>
        }
      />
      <Card data-testid="export-wizard" data-step={step}>
        <Steps
          size="small"
          current={step}
          data-testid="export-steps"
          style={{ marginBottom: 24 }}
          items={[
            { title: t('exports.step.grant') },
            { title: t('exports.step.spec') },
            { title: t('exports.step.preview') },
            { title: t('exports.step.create') },
            { title: t('exports.step.download') },
          ]}
        />
        {step === 0 ? (
          <div data-testid="export-step-grant">
            <Typography.Paragraph type="secondary">{t('exports.grantHint')}</Typography.Paragraph>
            <Select<string>
              value={grantId}
              onChange={setGrantId}
              style={{ width: '100%', maxWidth: 720 }}
              loading={grants.loading}
              placeholder={t('exports.pickGrant')}
              data-testid="export-grant"
              notFoundContent={<Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('exports.noGrants')} />}
              options={exportable.map((g) => ({
                value: g.id,
                label: (
                  <span data-testid={`export-grant-option-${g.id}`}>
                    {`${names.purpose(g.purposeCode)} · ${g.fields.map((f) => names.category(f)).join('、')} · ${t('exports.until', { time: formatDateTime(g.validUntil) })}`}
                  </span>
                ),
              }))}
            />
            {grant ? (
              <Descriptions
                bordered
                size="small"
                column={2}
                style={{ marginTop: 16, maxWidth: 720 }}
                items={[
                  { key: 'fields', label: t('use.fields'), span: 2, children: <FieldTags fields={grant.fields} names={names} /> },
                  { key: 'scope', label: t('use.scope'), children: <ScopeText scope={grant.customerScope} /> },
                  { key: 'period', label: t('use.period'), children: periodText(grant.validFrom, grant.validUntil) },
                ]}
              />
            ) : null}
            <div style={{ marginTop: 24 }}>
              <Button
                type="primary"
                disabled={!grant}
                loading={busy}
                onClick={() => grantId && void loadTemplate(grantId)}
                data-testid="export-grant-next"
              >
                {t('exports.next')}
              </Button>
            </div>
          </div>
        ) : null}
        {step === 1 && spec ? (
          <SpecStep
            spec={spec}
            names={names}
            busy={busy}
            onChange={changeSpec}
            onReload={() => grantId && void loadTemplate(grantId)}
            onBack={() => setStep(0)}
            onPreview={() => void runPreview(undefined)}
          />
        ) : null}
        {step === 2 && preview && spec ? (
          <PreviewStep
            preview={preview}
            names={names}
            levels={levels}
            busy={busy}
            onAccept={(l) => void runPreview(l)}
            onBack={() => setStep(1)}
            onNext={() => setStep(3)}
          />
        ) : null}
        {step === 3 && grantId && spec ? (
          <CreateStep
            grantId={grantId}
            spec={spec}
            levels={levels}
            onBack={() => setStep(2)}
            onCreated={(r) => {
              setCreated(r);
              setStep(4);
            }}
          />
        ) : null}
        {step === 4 && created ? (
          <DownloadStep record={created} names={names} levelNames={levelNamesOf(preview)} onAnother={() => navigate(exportPath())} />
        ) : null}
      </Card>
    </>
  );
}

function levelNamesOf(preview: ExportPreview | null): Record<string, string[]> | undefined {
  if (!preview) return undefined;
  return Object.fromEntries(preview.plan.quasiIdentifiers.map((q) => [q.field, q.levelNames]));
}

function SpecStep({
  spec,
  names,
  busy,
  onChange,
  onReload,
  onBack,
  onPreview,
}: {
  spec: DatasetSpec;
  names: UseNames;
  busy: boolean;
  onChange: (s: DatasetSpec) => void;
  onReload: () => void;
  onBack: () => void;
  onPreview: () => void;
}) {
  const { t } = useI18n();
  const setColumn = (field: string, patch: (c: ColumnSpec) => ColumnSpec) =>
    onChange({ ...spec, columns: spec.columns.map((c) => (c.field === field ? patch(c) : c)) });
  const setModel = (patch: Partial<DatasetSpec['privacyModel']>) => onChange({ ...spec, privacyModel: { ...spec.privacyModel, ...patch } });

  const columns: ColumnsType<ColumnSpec> = [
    {
      title: t('exports.field'),
      dataIndex: 'field',
      width: 150,
      render: (v: string, c) => (
        <Space orientation="vertical" size={0}>
          <span>{names.category(v)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {c.piType ?? v}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('exports.role'),
      dataIndex: 'role',
      width: 170,
      render: (v: ColumnRole, c) => (
        <Select<ColumnRole>
          value={v}
          style={{ width: '100%' }}
          data-testid={`export-col-role-${c.field}`}
          onChange={(role) => setColumn(c.field, (x) => ({ ...x, role }))}
          options={COLUMN_ROLES.map((r) => ({
            value: r,
            label: <span data-testid={`export-col-role-${c.field}-${r}`}>{t(`exportRole.${r}`)}</span>,
          }))}
        />
      ),
    },
    {
      title: t('exports.operator'),
      key: 'operator',
      width: 170,
      render: (_: unknown, c) => (
        <Select<OperatorKind>
          value={c.operator.kind}
          style={{ width: '100%' }}
          data-testid={`export-col-op-${c.field}`}
          onChange={(kind) => setColumn(c.field, (x) => ({ ...x, operator: defaultOperator(kind, x) }))}
          options={OPERATOR_KINDS.map((k) => ({
            value: k,
            label: <span data-testid={`export-col-op-${c.field}-${k}`}>{t(`exportOperator.${k}`)}</span>,
          }))}
        />
      ),
    },
    {
      title: t('exports.parameters'),
      key: 'params',
      render: (_: unknown, c) => <OperatorParams col={c} onChange={(op) => setColumn(c.field, (x) => ({ ...x, operator: op }))} />,
    },
  ];

  return (
    <div data-testid="export-step-spec">
      <Alert type="info" showIcon title={t('exports.specHint')} style={{ marginBottom: 16 }} />
      <Table<ColumnSpec>
        data-testid="export-spec-table"
        rowKey="field"
        size="small"
        pagination={false}
        columns={columns}
        dataSource={spec.columns}
        onRow={(c) => ({ 'data-testid': `export-col-${c.field}`, 'data-role': c.role, 'data-operator': c.operator.kind }) as object}
      />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('exports.privacyModel')}
      </Typography.Title>
      <Row gutter={24}>
        <Col>
          <Form.Item label={t('exports.k')} extra={t('exports.kHint')}>
            <InputNumber
              min={1}
              max={100000}
              precision={0}
              value={spec.privacyModel.k}
              onChange={(v) => setModel({ k: v ?? 1 })}
              data-testid="export-k"
            />
          </Form.Item>
        </Col>
        <Col>
          <Form.Item label={t('exports.l')} extra={t('exports.lHint')}>
            <InputNumber
              min={1}
              max={1000}
              precision={0}
              value={spec.privacyModel.l ?? null}
              onChange={(v) => setModel({ l: v ?? undefined })}
              data-testid="export-l"
            />
          </Form.Item>
        </Col>
        <Col>
          <Form.Item label={t('exports.maxSuppression')} extra={t('exports.maxSuppressionHint')}>
            <InputNumber
              min={0}
              max={100}
              precision={1}
              suffix="%"
              value={Math.round(spec.privacyModel.maxSuppression * 1000) / 10}
              onChange={(v) => setModel({ maxSuppression: (v ?? 0) / 100 })}
              data-testid="export-max-suppression"
            />
          </Form.Item>
        </Col>
      </Row>
      <Space>
        <Button onClick={onBack} data-testid="export-back">
          {t('exports.back')}
        </Button>
        <Button onClick={onReload} loading={busy} data-testid="export-template-reload">
          {t('exports.reloadTemplate')}
        </Button>
        <Button type="primary" icon={<FileSearchOutlined />} loading={busy} onClick={onPreview} data-testid="export-preview">
          {t('exports.preview')}
        </Button>
      </Space>
    </div>
  );
}

function OperatorParams({ col, onChange }: { col: ColumnSpec; onChange: (op: DeidentifyOperator) => void }) {
  const { t } = useI18n();
  const op = col.operator;
  if (op.kind === 'mask') {
    return (
      <Space>
        <span>{t('exports.keepFirst')}</span>
        <InputNumber
          size="small"
          min={0}
          max={64}
          precision={0}
          value={op.keepFirst ?? 0}
          onChange={(v) => onChange({ ...op, keepFirst: v ?? 0 })}
          data-testid={`export-col-keepfirst-${col.field}`}
        />
        <span>{t('exports.keepLast')}</span>
        <InputNumber
          size="small"
          min={0}
          max={64}
          precision={0}
          value={op.keepLast ?? 0}
          onChange={(v) => onChange({ ...op, keepLast: v ?? 0 })}
          data-testid={`export-col-keeplast-${col.field}`}
        />
      </Space>
    );
  }
  if (op.kind === 'generalise') {
    return (
      <Space wrap>
        <Select<string>
          size="small"
          value={op.hierarchy}
          style={{ width: 150 }}
          onChange={(hierarchy) => onChange({ ...op, hierarchy })}
          data-testid={`export-col-hierarchy-${col.field}`}
          options={[...new Set([...HIERARCHIES, op.hierarchy])].map((h) => ({ value: h, label: h }))}
        />
        <span>{col.role === 'quasi_identifier' ? t('exports.startLevel') : t('exports.level')}</span>
        <InputNumber
          size="small"
          min={0}
          max={32}
          precision={0}
          value={op.level ?? (col.role === 'quasi_identifier' ? null : 0)}
          placeholder="0"
          onChange={(v) => onChange({ ...op, level: v ?? undefined })}
          data-testid={`export-col-level-${col.field}`}
        />
      </Space>
    );
  }
  return <Typography.Text type="secondary">{t(`exportOperatorHint.${op.kind}`)}</Typography.Text>;
}

function AssessmentStats({ a, testId }: { a: NodeAssessment; testId: string }) {
  const { t } = useI18n();
  return (
    <Space size={32} wrap data-testid={testId} data-k={a.k ?? ''} data-l={a.l ?? ''} data-satisfied={String(a.satisfied)}>
      <Statistic title={t('exports.measuredK')} value={a.k ?? '—'} />
      <Statistic title={t('exports.measuredL')} value={a.l ?? '—'} />
      <Statistic title={t('exports.classes')} value={a.classes} />
      <Statistic title={t('exports.suppressed')} value={`${a.suppressedRecords} / ${a.maxSuppressedRecords}`} />
      <Statistic title={t('exports.released')} value={a.releasedRecords} />
      <Statistic title={t('exports.riskHighest')} value={`${Math.round(a.risk.highest * 1000) / 10}%`} />
      <Statistic title={t('exports.riskAverage')} value={`${Math.round(a.risk.average * 1000) / 10}%`} />
    </Space>
  );
}

function PreviewStep({
  preview,
  names,
  levels,
  busy,
  onAccept,
  onBack,
  onNext,
}: {
  preview: ExportPreview;
  names: UseNames;
  levels: Record<string, number> | undefined;
  busy: boolean;
  onAccept: (levels: Record<string, number>) => void;
  onBack: () => void;
  onNext: () => void;
}) {
  const { t, has } = useI18n();
  const plan = preview.plan;
  const { configured, proposal } = plan;
  const accepted = levels !== undefined;
  // What a release at the chosen levels would be (the server refuses it below target).
  const ok = preview.chosen.satisfied;
  const levelName = (field: string, level: number | undefined) => {
    if (level === undefined) return '—';
    const q = plan.quasiIdentifiers.find((x) => x.field === field);
    return levelLabel(q?.levelNames[level], level, t, has);
  };
  const model = plan.privacyModel;

  const sampleColumns: ColumnsType<Record<string, string | null>> = preview.fields.map((f) => ({
    title: names.category(f),
    dataIndex: f,
    key: f,
    render: (v: string | null) =>
      v === null ? <Typography.Text type="secondary">∅</Typography.Text> : <span className="custos-mono">{v}</span>,
  }));

  return (
    <div data-testid="export-step-preview">
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col span={24}>
          <Space size={32} wrap data-testid="export-population">
            <Statistic title={t('exports.inScope')} value={preview.population.inScope} />
            <Statistic title={t('exports.included')} value={preview.population.included} data-testid="export-included" />
            <Statistic title={t('exports.excludedNoConsent')} value={preview.population.excludedNoConsent} />
          </Space>
        </Col>
      </Row>
      <Card
        size="small"
        title={t('exports.riskReport')}
        data-testid="export-risk"
        data-satisfied={String(ok)}
        extra={
          <Typography.Text type="secondary">
            {t('exports.target')}: k ≥ {model.k}
            {model.l ? `, l ≥ ${model.l}` : ''} · {t('exports.maxSuppression')} {Math.round(model.maxSuppression * 1000) / 10}%
          </Typography.Text>
        }
        style={{ marginBottom: 16 }}
      >
        <Typography.Text strong>{accepted ? t('exports.acceptedGeneralisation') : t('exports.configured')}</Typography.Text>
        <div style={{ margin: '8px 0 16px' }}>
          <AssessmentStats a={preview.chosen} testId="export-chosen" />
          <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
            {t('exports.beforeSuppression', { k: preview.measured.k ?? '—', l: preview.measured.l ?? '—' })}
          </Typography.Text>
        </div>
        {ok ? (
          <Alert type="success" showIcon icon={<CheckCircleOutlined />} title={t('exports.targetMet')} data-testid="export-target-met" />
        ) : (
          <Alert type="warning" showIcon icon={<WarningOutlined />} title={t('exports.targetNotMet')} data-testid="export-target-not-met" />
        )}
        {plan.quasiIdentifiers.length ? (
          <>
            <Typography.Title level={5} style={{ marginTop: 16 }}>
              {t('exports.proposal')}
            </Typography.Title>
            {proposal ? (
              <div data-testid="export-proposal" data-k={proposal.k ?? ''} data-satisfied={String(proposal.satisfied)}>
                <Table
                  rowKey="field"
                  size="small"
                  pagination={false}
                  dataSource={plan.quasiIdentifiers}
                  columns={[
                    { title: t('exports.quasiIdentifier'), dataIndex: 'field', render: (v: string) => names.category(v) },
                    { title: t('exports.hierarchy'), dataIndex: 'hierarchy' },
                    {
                      title: t('exports.configuredLevel'),
                      key: 'configured',
                      render: (_: unknown, q) => levelName(q.field, configured.levelsByField[q.field]),
                    },
                    {
                      title: t('exports.proposedLevel'),
                      key: 'proposed',
                      render: (_: unknown, q) => (
                        <Tag color="blue" data-testid={`export-proposed-${q.field}`}>
                          {levelName(q.field, proposal.levelsByField[q.field])}
                        </Tag>
                      ),
                    },
                  ]}
                />
                <Space style={{ marginTop: 12 }} wrap>
                  <Typography.Text type="secondary">
                    {t('exports.proposalSummary', {
                      k: proposal.k ?? '—',
                      l: proposal.l ?? '—',
                      suppressed: proposal.suppressedRecords,
                      loss: Math.round(proposal.loss * 1000) / 1000,
                    })}
                  </Typography.Text>
                  <Typography.Text type="secondary">
                    {t('exports.searchStats', {
                      checked: plan.search.checked,
                      size: plan.search.latticeSize,
                      ms: Math.round(plan.search.ms),
                    })}
                  </Typography.Text>
                  {accepted ? (
                    <Tag color="green" icon={<CheckCircleOutlined />} data-testid="export-proposal-accepted">
                      {t('exports.accepted')}
                    </Tag>
                  ) : (
                    <Button
                      type="primary"
                      ghost
                      loading={busy}
                      onClick={() => onAccept(proposal.levelsByField)}
                      data-testid="export-accept-proposal"
                    >
                      {t('exports.acceptProposal')}
                    </Button>
                  )}
                </Space>
              </div>
            ) : (
              <Alert type="error" showIcon title={t('exports.noProposal')} data-testid="export-no-proposal" />
            )}
          </>
        ) : null}
      </Card>
      <Typography.Title level={5}>{t('exports.sample', { count: preview.sample.length })}</Typography.Title>
      <Table<Record<string, string | null>>
        data-testid="export-sample-table"
        rowKey={(_r, i) => String(i)}
        size="small"
        pagination={false}
        scroll={{ x: true }}
        columns={sampleColumns}
        dataSource={preview.sample}
        onRow={() => ({ 'data-testid': 'export-sample-row' }) as object}
      />
      <Space style={{ marginTop: 24 }}>
        <Button onClick={onBack} data-testid="export-back">
          {t('exports.back')}
        </Button>
        <Button type="primary" disabled={!ok} onClick={onNext} data-testid="export-to-create">
          {t('exports.next')}
        </Button>
      </Space>
    </div>
  );
}

interface CreateForm {
  format: ExportFormat;
  recipient: string;
}

function CreateStep({
  grantId,
  spec,
  levels,
  onBack,
  onCreated,
}: {
  grantId: string;
  spec: DatasetSpec;
  levels: Record<string, number> | undefined;
  onBack: () => void;
  onCreated: (r: ExportRecord) => void;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<CreateForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [saving, setSaving] = useState(false);

  const create = async () => {
    let v: CreateForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      const r = await api.createExport({ grantId, spec, ...(levels ? { levels } : {}), format: v.format, recipient: v.recipient.trim() });
      success(t('exports.created'));
      onCreated(r);
    } catch (err) {
      report(err, { form, mapField: nestedFieldMapper(form) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <div data-testid="export-step-create" style={{ maxWidth: 640 }}>
      <Form<CreateForm> form={form} layout="vertical" initialValues={{ format: 'csv' }} autoComplete="off" data-testid="export-create-form">
        <Form.Item name="format" label={t('exports.format')} rules={[{ required: true }]}>
          <Radio.Group data-testid="export-format">
            <Radio value="csv" data-testid="export-format-csv">
              CSV
            </Radio>
            <Radio value="xlsx" data-testid="export-format-xlsx">
              XLSX
            </Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="recipient"
          label={t('exports.recipient')}
          extra={t('exports.recipientHint')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('exports.recipient') }) }, { max: 200 }]}
        >
          <Input maxLength={200} data-testid="export-recipient" />
        </Form.Item>
      </Form>
      <Alert type="info" showIcon title={t('exports.createHint')} style={{ marginBottom: 16 }} />
      <Space>
        <Button onClick={onBack} data-testid="export-back">
          {t('exports.back')}
        </Button>
        <Button type="primary" icon={<ExportOutlined />} loading={saving} onClick={() => void create()} data-testid="export-create">
          {t('exports.create')}
        </Button>
      </Space>
    </div>
  );
}

function DownloadStep({
  record,
  names,
  levelNames,
  onAnother,
}: {
  record: ExportRecord;
  names: UseNames;
  levelNames?: Record<string, string[]>;
  onAnother: () => void;
}) {
  const { t } = useI18n();
  const [used, setUsed] = useState(false);
  const [current, setCurrent] = useState(record);
  // Once downloaded, show the record as it now stands (status, download time).
  useEffect(() => {
    if (!used) return;
    const timer = window.setTimeout(() => {
      api
        .getExport(record.id)
        .then(setCurrent)
        .catch(() => undefined);
    }, 1500);
    return () => window.clearTimeout(timer);
  }, [used, record.id]);

  return (
    <div data-testid="export-step-download">
      <Result
        status="success"
        title={t('exports.ready')}
        subTitle={t('exports.onceHint', { time: formatDateTime(record.expiresAt) })}
        extra={[
          record.downloadPath ? (
            <Button
              key="dl"
              type="primary"
              icon={<DownloadOutlined />}
              href={record.downloadPath}
              download
              // After the click has started the download: the link works once.
              onClick={() => window.setTimeout(() => setUsed(true), 0)}
              disabled={used}
              data-testid="export-download"
              data-used={String(used)}
            >
              {used ? t('exports.downloaded') : t('exports.download')}
            </Button>
          ) : null,
          <Button key="list" onClick={onAnother} data-testid="export-done">
            {t('exports.backToList')}
          </Button>,
        ]}
      />
      {used ? (
        <Alert type="info" showIcon title={t('exports.linkUsed')} style={{ marginBottom: 16 }} data-testid="export-link-used" />
      ) : null}
      <ExportReport record={current} names={names} levelNames={levelNames} />
    </div>
  );
}
