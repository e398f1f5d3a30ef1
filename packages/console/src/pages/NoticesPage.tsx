/**
 * Privacy notices (PIPL Art. 17, 30): one notice per purpose version, written in both languages,
 * saved as a draft and published (the server hashes the published content; consents point at
 * that hash). Here: the list per purpose, the editor, a customer-eye preview and a comparison of
 * two versions element by element.
 */
import { DiffOutlined, EditOutlined, EyeOutlined, FileAddOutlined, ReloadOutlined, SaveOutlined, SendOutlined } from '@ant-design/icons';
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Col,
  Divider,
  Drawer,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Row,
  Segmented,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
  type FormInstance,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  ApiProblem,
  NOTICE_TEXT_ELEMENTS,
  RETENTION_TRIGGERS,
  api,
  type DataCategory,
  type FieldProblem,
  type Notice,
  type NoticeContent,
  type NoticeElements,
  type NoticeTextElement,
  type Purpose,
  type RetentionTrigger,
} from '../api';
import { HashText, NoticeStatusTag, PurposeStatusTag } from '../components/ConsentParts';
import { PageHeader } from '../components/PageHeader';
import { formatDateTime, localized, reasonLabel } from '../format';
import { LANGUAGES, translator, useI18n, type Lang } from '../i18n';
import { fieldSegments, nestedFieldMapper, useProblemReporter, useSuccess, type FieldPath } from '../problems';
import { useSession } from '../session';
import { diffText } from '../textDiff';
import { useLoad } from '../useLoad';
import { SensitivityTag } from './CataloguePage';

type Categories = ReadonlyMap<string, DataCategory>;

/** The sensitive categories of a purpose version (by the catalogue, or named in its necessity statements). */
export function sensitiveFieldsOf(p: Purpose, byCode: Categories): string[] {
  return p.fields.filter((c) => byCode.get(c)?.sensitivity === 'sensitive' || Object.prototype.hasOwnProperty.call(p.necessity ?? {}, c));
}

function categoryName(code: string, lang: Lang, byCode: Categories): string {
  const c = byCode.get(code);
  if (!c) return code;
  return (lang === 'zh-CN' ? c.nameZh : c.nameEn) || code;
}

/** Elements a purpose version already says: the starting point of its first notice. */
function draftFromPurpose(p: Purpose, byCode: Categories): NoticeContent {
  const one = (lang: Lang): NoticeElements => {
    const tl = translator(lang);
    const sep = lang === 'zh-CN' ? '、' : ', ';
    const trigger = (RETENTION_TRIGGERS as readonly string[]).includes(p.retention.trigger)
      ? tl(`retentionTrigger.${p.retention.trigger as RetentionTrigger}`)
      : p.retention.trigger;
    return {
      purpose: p.description[lang] ?? '',
      method: '',
      scope: p.fields.map((c) => categoryName(c, lang, byCode)).join(sep),
      retention: tl('processing.retentionValue', { days: p.retention.days, trigger }),
      scenarios: p.scenarios.map((s, i) => `${i + 1}. ${s[lang] ?? ''}`).join('\n'),
      controllerName: '',
      controllerContact: '',
      rights: tl('noticeTemplate.rights'),
      sensitive: sensitiveFieldsOf(p, byCode).map((field) => ({ field, necessity: p.necessity?.[field]?.[lang] ?? '', impact: '' })),
    };
  };
  return { 'zh-CN': one('zh-CN'), en: one('en') };
}

/** Copy a notice's content onto a (maybe different) purpose version: one sensitive entry per sensitive field. */
function alignContent(content: NoticeContent, p: Purpose | undefined, byCode: Categories): NoticeContent {
  const fields = p ? sensitiveFieldsOf(p, byCode) : content['zh-CN'].sensitive.map((s) => s.field);
  const one = (lang: Lang): NoticeElements => {
    const src = content[lang];
    return {
      ...src,
      sensitive: fields.map(
        (field) => src.sensitive.find((s) => s.field === field) ?? { field, necessity: p?.necessity?.[field]?.[lang] ?? '', impact: '' },
      ),
    };
  };
  return { 'zh-CN': one('zh-CN'), en: one('en') };
}

interface EditorState {
  notice: Notice | null;
  purpose: Purpose | undefined;
  content: NoticeContent;
}

export function NoticesPage() {
  const { t, lang } = useI18n();
  const { can } = useSession();

  const [code, setCode] = useState<string | undefined>(undefined);
  const codeRef = useRef<string | undefined>(undefined);
  const notices = useLoad<Notice[]>(() => api.listNotices(codeRef.current), []);
  const purposes = useLoad<Purpose[]>(() => api.listPurposes(), []);
  const categories = useLoad<DataCategory[]>(api.listDataCategories, [], can('catalogue.read'));
  const byCode = useMemo(() => new Map(categories.data.map((c) => [c.code, c])), [categories.data]);
  const purposeById = useMemo(() => new Map(purposes.data.map((p) => [p.id, p])), [purposes.data]);
  const codes = useMemo(() => {
    const m = new Map<string, Purpose>();
    for (const p of purposes.data) if (!m.has(p.code) || m.get(p.code)!.version < p.version) m.set(p.code, p);
    return [...m.values()].sort((a, b) => a.code.localeCompare(b.code));
  }, [purposes.data]);

  const [editing, setEditing] = useState<EditorState | null>(null);
  const [choosing, setChoosing] = useState(false);
  const [preview, setPreview] = useState<{ content: NoticeContent; notice: Notice | null; purpose: Purpose | undefined } | null>(null);
  const [compare, setCompare] = useState<{ code: string; a?: string; b?: string } | null>(null);

  const manage = can('notice.manage');

  const sorted = useMemo(
    () =>
      [...notices.data].sort((a, b) =>
        a.purposeCode !== b.purposeCode ? a.purposeCode.localeCompare(b.purposeCode) : b.version - a.version,
      ),
    [notices.data],
  );

  const purposeName = (n: Notice) => {
    const p = purposeById.get(n.purposeId) ?? codes.find((x) => x.code === n.purposeCode);
    return p ? localized(p.name, lang) : '';
  };

  /** Open the editor on a new draft for a purpose version: copy of the latest notice of the code, else from the purpose. */
  const startNew = async (p: Purpose) => {
    setChoosing(false);
    let base: Notice | undefined;
    try {
      base = (await api.listNotices(p.code)).sort((a, b) => b.version - a.version)[0];
    } catch {
      base = undefined;
    }
    setEditing({ notice: null, purpose: p, content: base ? alignContent(base.content, p, byCode) : draftFromPurpose(p, byCode) });
  };

  const openCompare = (n: Notice) => {
    const same = notices.data.filter((x) => x.purposeCode === n.purposeCode).sort((a, b) => a.version - b.version);
    const idx = same.findIndex((x) => x.id === n.id);
    const prev = idx > 0 ? same[idx - 1] : undefined;
    setCompare({ code: n.purposeCode, a: prev?.id ?? n.id, b: n.id });
  };

  const columns: ColumnsType<Notice> = [
    {
      title: t('notice.purpose'),
      dataIndex: 'purposeCode',
      render: (v: string, n) => (
        <Space orientation="vertical" size={0}>
          <span>{purposeName(n) || v}</span>
          <Typography.Text type="secondary" className="custos-mono">
            {v} · v{n.purposeVersion}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('notice.version'), dataIndex: 'version', width: 90, render: (v: number) => <Tag variant="outlined">v{v}</Tag> },
    { title: t('notice.status'), dataIndex: 'status', width: 110, render: (v: Notice['status']) => <NoticeStatusTag value={v} /> },
    { title: t('notice.contentHash'), dataIndex: 'contentHash', width: 190, render: (v: string | null) => <HashText value={v} /> },
    { title: t('notice.publishedAt'), dataIndex: 'publishedAt', width: 180, render: (v: string | null) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 260,
      render: (_: unknown, n) => (
        <Space size={0} wrap>
          {n.status === 'draft' && manage ? (
            <Button
              type="link"
              size="small"
              icon={<EditOutlined />}
              onClick={() => {
                const p = purposeById.get(n.purposeId);
                setEditing({ notice: n, purpose: p, content: alignContent(n.content, p, byCode) });
              }}
              data-testid={`notice-edit-${n.purposeCode}-v${n.version}`}
            >
              {t('notice.edit')}
            </Button>
          ) : null}
          <Button
            type="link"
            size="small"
            icon={<EyeOutlined />}
            onClick={() => setPreview({ content: n.content, notice: n, purpose: purposeById.get(n.purposeId) })}
            data-testid={`notice-preview-${n.purposeCode}-v${n.version}`}
          >
            {t('notice.preview')}
          </Button>
          <Button
            type="link"
            size="small"
            icon={<DiffOutlined />}
            onClick={() => openCompare(n)}
            data-testid={`notice-compare-${n.purposeCode}-v${n.version}`}
          >
            {t('notice.compare')}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('notice.title')}
        subtitle={t('notice.subtitle')}
        extra={
          <>
            <Button
              icon={<ReloadOutlined />}
              onClick={() => {
                void notices.reload();
                void purposes.reload();
              }}
            >
              {t('common.refresh')}
            </Button>
            {manage ? (
              <Button type="primary" icon={<FileAddOutlined />} onClick={() => setChoosing(true)} data-testid="notice-create">
                {t('notice.new')}
              </Button>
            ) : null}
          </>
        }
      />
      <Card style={{ marginBottom: 16 }} styles={{ body: { padding: '12px 16px' } }}>
        <Space wrap size={12}>
          <Select<string>
            data-testid="notice-filter-purpose"
            allowClear
            showSearch
            optionFilterProp="label"
            style={{ width: 320 }}
            placeholder={t('notice.filter.allPurposes')}
            value={code}
            onChange={(v) => {
              setCode(v);
              codeRef.current = v;
              void notices.reload();
            }}
            options={codes.map((p) => ({ value: p.code, label: `${localized(p.name, lang)} (${p.code})` }))}
          />
          {code ? (
            <Button
              icon={<DiffOutlined />}
              disabled={notices.data.filter((n) => n.purposeCode === code).length < 2}
              onClick={() => setCompare({ code })}
              data-testid="notice-compare-open"
            >
              {t('notice.compare')}
            </Button>
          ) : null}
        </Space>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Notice>
          data-testid="notice-table"
          rowKey="id"
          size="middle"
          loading={notices.loading}
          columns={columns}
          dataSource={sorted}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
          onRow={(n) =>
            ({ 'data-testid': `notice-row-${n.purposeCode}-v${n.version}`, 'data-id': n.id, 'data-status': n.status }) as object
          }
        />
      </Card>

      <ChoosePurposeModal open={choosing} purposes={purposes.data} onClose={() => setChoosing(false)} onChoose={(p) => void startNew(p)} />
      {editing ? (
        <NoticeEditor
          key={editing.notice?.id ?? `new-${editing.purpose?.id ?? ''}`}
          state={editing}
          byCode={byCode}
          onClose={() => setEditing(null)}
          onChanged={() => void notices.reload()}
          onPreview={(content, notice) => setPreview({ content, notice, purpose: editing.purpose })}
        />
      ) : null}
      <PreviewModal state={preview} byCode={byCode} onClose={() => setPreview(null)} />
      <CompareModal state={compare} notices={notices.data} purposeById={purposeById} byCode={byCode} onClose={() => setCompare(null)} />
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// New notice: which purpose version

function ChoosePurposeModal({
  open,
  purposes,
  onClose,
  onChoose,
}: {
  open: boolean;
  purposes: Purpose[];
  onClose: () => void;
  onChoose: (p: Purpose) => void;
}) {
  const { t, lang } = useI18n();
  const [id, setId] = useState<string | undefined>(undefined);
  const candidates = purposes.filter((p) => p.status !== 'retired');
  useEffect(() => {
    if (!open) setId(undefined);
  }, [open]);
  const chosen = candidates.find((p) => p.id === id);
  return (
    <Modal
      title={t('notice.new')}
      open={open}
      onCancel={onClose}
      onOk={() => chosen && onChoose(chosen)}
      okText={t('notice.new.start')}
      okButtonProps={{ disabled: !chosen, 'data-testid': 'notice-create-start' }}
      cancelText={t('common.cancel')}
      destroyOnHidden
      width={560}
    >
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('notice.new.hint')}
      </Typography.Paragraph>
      <Select<string>
        data-testid="notice-create-purpose"
        style={{ width: '100%' }}
        showSearch
        optionFilterProp="search"
        placeholder={t('notice.new.pick')}
        value={id}
        onChange={setId}
        options={candidates.map((p) => ({
          value: p.id,
          search: `${p.code} ${p.name['zh-CN']} ${p.name.en}`,
          label: (
            <Space size={8} data-testid={`notice-create-purpose-${p.code}-v${p.version}`}>
              <span>{localized(p.name, lang)}</span>
              <Typography.Text type="secondary" className="custos-mono">
                {p.code} · v{p.version}
              </Typography.Text>
              <PurposeStatusTag value={p.status} />
            </Space>
          ),
        }))}
      />
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// Editor

interface EditorForm {
  content: NoticeContent;
}

type EditorTab = 'main' | 'controller' | 'sensitive';

const TAB_OF: Record<NoticeTextElement | 'sensitive', EditorTab> = {
  purpose: 'main',
  method: 'main',
  scope: 'main',
  retention: 'main',
  scenarios: 'main',
  controllerName: 'controller',
  controllerContact: 'controller',
  rights: 'controller',
  sensitive: 'sensitive',
};

const TALL: ReadonlySet<NoticeTextElement> = new Set(['purpose', 'method', 'scenarios', 'rights']);

function readContent(form: FormInstance<EditorForm>, fields: readonly string[]): NoticeContent {
  const values = form.getFieldsValue(true) as Partial<EditorForm>;
  const one = (lang: Lang): NoticeElements => {
    const src = (values.content?.[lang] ?? {}) as Partial<NoticeElements>;
    const text = (el: NoticeTextElement) => (typeof src[el] === 'string' ? src[el].trim() : '');
    return {
      purpose: text('purpose'),
      method: text('method'),
      scope: text('scope'),
      retention: text('retention'),
      scenarios: text('scenarios'),
      controllerName: text('controllerName'),
      controllerContact: text('controllerContact'),
      rights: text('rights'),
      sensitive: fields.map((field, i) => ({
        field,
        necessity: src.sensitive?.[i]?.necessity?.trim() ?? '',
        impact: src.sensitive?.[i]?.impact?.trim() ?? '',
      })),
    };
  };
  return { 'zh-CN': one('zh-CN'), en: one('en') };
}

function NoticeEditor({
  state,
  byCode,
  onClose,
  onChanged,
  onPreview,
}: {
  state: EditorState;
  byCode: Categories;
  onClose: () => void;
  onChanged: () => void;
  onPreview: (content: NoticeContent, notice: Notice | null) => void;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<EditorForm>();
  const report = useProblemReporter();
  const success = useSuccess();
  const [notice, setNotice] = useState<Notice | null>(state.notice);
  const [busy, setBusy] = useState<'save' | 'publish' | null>(null);
  const [tab, setTab] = useState<EditorTab>('main');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [errorCount, setErrorCount] = useState<Record<EditorTab, number>>({ main: 0, controller: 0, sensitive: 0 });
  const sensitiveFields = useMemo(() => state.content['zh-CN'].sensitive.map((s) => s.field), [state.content]);
  const purpose = state.purpose;

  const recount = () => {
    const counts: Record<EditorTab, number> = { main: 0, controller: 0, sensitive: 0 };
    for (const f of form.getFieldsError()) {
      if (!f.errors.length) continue;
      const el = f.name[2] as NoticeTextElement | 'sensitive' | undefined;
      if (el && TAB_OF[el]) counts[TAB_OF[el]]++;
    }
    setErrorCount(counts);
    return counts;
  };

  /** `content.en.sensitive.health.necessity` -> the list index of `health`. */
  const mapField = nestedFieldMapper(form, (seg: FieldPath) => {
    if (seg[0] === 'content' && seg[2] === 'sensitive' && typeof seg[3] === 'string') {
      const idx = sensitiveFields.indexOf(seg[3]);
      if (idx >= 0) return [...seg.slice(0, 3), idx, ...seg.slice(4)];
    }
    return seg;
  });

  const showProblems = (err: unknown) => {
    report(err, { form, mapField });
    const list = err instanceof ApiProblem ? err.errors : [];
    setProblems(list);
    const counts = recount();
    const first = (['main', 'controller', 'sensitive'] as const).find((k) => counts[k] > 0);
    if (first) setTab(first);
  };

  const save = async (): Promise<Notice | null> => {
    const content = readContent(form, sensitiveFields);
    try {
      const saved = notice ? await api.updateNotice(notice.id, content) : purpose ? await api.createNotice(purpose.id, content) : null;
      if (saved) {
        setNotice(saved);
        onChanged();
      }
      return saved;
    } catch (err) {
      showProblems(err);
      return null;
    }
  };

  const onSave = async () => {
    setBusy('save');
    setProblems([]);
    const saved = await save();
    setBusy(null);
    if (saved) success(t('notice.saved', { code: saved.purposeCode, version: saved.version }));
  };

  const onPublish = async () => {
    setBusy('publish');
    setProblems([]);
    try {
      const saved = await save();
      if (!saved) return;
      const published = await api.publishNotice(saved.id);
      success(t('notice.published', { code: published.purposeCode, version: published.version }));
      onChanged();
      onClose();
    } catch (err) {
      showProblems(err);
    } finally {
      setBusy(null);
    }
  };

  const problemLabel = (p: FieldProblem): string => {
    const seg = fieldSegments(p.field);
    if (seg[0] !== 'content') return `${p.field}: ${reasonLabel(p.reason, t)}`;
    const l = seg[1] === 'zh-CN' || seg[1] === 'en' ? t(`lang.${seg[1]}`) : String(seg[1] ?? '');
    let el = String(seg[2] ?? '');
    if ((NOTICE_TEXT_ELEMENTS as readonly string[]).includes(el)) el = t(`noticeEl.${el as NoticeTextElement}`);
    else if (el === 'sensitive') {
      const f = typeof seg[3] === 'number' ? sensitiveFields[seg[3]] : String(seg[3] ?? '');
      const prop = seg[4] === 'impact' ? t('noticeEl.impact') : seg[4] === 'necessity' ? t('noticeEl.necessity') : '';
      el = [f ? categoryName(f, lang, byCode) : t('noticeEl.sensitive'), prop].filter(Boolean).join(' · ');
    }
    return `${l} · ${el}: ${reasonLabel(p.reason, t)}`;
  };

  const elementRow = (el: NoticeTextElement) => (
    <div key={el}>
      <Typography.Text strong>{t(`noticeEl.${el}`)}</Typography.Text>
      <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
        {t(`noticeEl.${el}.hint`)}
      </Typography.Text>
      <Row gutter={16} style={{ marginTop: 6 }}>
        {LANGUAGES.map((l) => (
          <Col span={12} key={l}>
            <Form.Item name={['content', l, el]} label={t(`lang.${l}`)} style={{ marginBottom: 16 }}>
              {TALL.has(el) ? (
                <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} maxLength={5000} data-testid={`notice-${l}-${el}`} />
              ) : (
                <Input maxLength={1000} data-testid={`notice-${l}-${el}`} />
              )}
            </Form.Item>
          </Col>
        ))}
      </Row>
    </div>
  );

  const tabLabel = (key: EditorTab, text: string) => (
    <Badge count={errorCount[key]} size="small" offset={[8, -2]}>
      <span data-testid={`notice-tab-${key}`}>{text}</span>
    </Badge>
  );

  const editable = !notice || notice.status === 'draft';

  return (
    <Drawer
      open
      onClose={onClose}
      size={1000}
      destroyOnHidden
      data-testid="notice-editor"
      title={
        <Space size={8}>
          <span>{notice ? t('notice.editTitle', { version: notice.version }) : t('notice.new')}</span>
          {purpose ? (
            <Typography.Text type="secondary" className="custos-mono" style={{ fontWeight: 'normal' }}>
              {purpose.code} · v{purpose.version}
            </Typography.Text>
          ) : null}
          {notice ? <NoticeStatusTag value={notice.status} /> : <Tag>{t('notice.unsaved')}</Tag>}
        </Space>
      }
      extra={
        <Space>
          <Button
            icon={<EyeOutlined />}
            onClick={() => onPreview(readContent(form, sensitiveFields), notice)}
            data-testid="notice-editor-preview"
          >
            {t('notice.preview')}
          </Button>
          <Button
            icon={<SaveOutlined />}
            loading={busy === 'save'}
            disabled={!editable || busy !== null}
            onClick={() => void onSave()}
            data-testid="notice-save"
          >
            {t('notice.save')}
          </Button>
          <Popconfirm
            title={t('notice.publish.confirm')}
            description={<div style={{ maxWidth: 320 }}>{t('notice.publish.confirmDetail')}</div>}
            okText={t('notice.publish')}
            cancelText={t('common.cancel')}
            okButtonProps={{ 'data-testid': 'notice-publish-confirm' }}
            onConfirm={() => onPublish()}
            placement="bottomRight"
          >
            <Button
              type="primary"
              icon={<SendOutlined />}
              loading={busy === 'publish'}
              disabled={!editable || busy !== null}
              data-testid="notice-publish"
            >
              {t('notice.publish')}
            </Button>
          </Popconfirm>
        </Space>
      }
    >
      {purpose ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={`${localized(purpose.name, lang)} · ${purpose.code} v${purpose.version}`}
          description={t('notice.editor.hint')}
        />
      ) : null}
      {problems.length ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="notice-problems"
          title={t('notice.problems')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {problems.map((p, i) => (
                <li key={i} data-testid="notice-problem" data-field={p.field}>
                  {problemLabel(p)}
                </li>
              ))}
            </ul>
          }
        />
      ) : null}
      <Form<EditorForm>
        form={form}
        layout="vertical"
        initialValues={{ content: state.content }}
        disabled={!editable}
        autoComplete="off"
        data-testid="notice-form"
        onFieldsChange={(changed) => {
          // No client rules here: a server problem stays on its element until the text changes.
          const stale = changed.filter((f) => f.errors?.length);
          if (stale.length) form.setFields(stale.map((f) => ({ name: f.name, errors: [] })));
          if (Object.values(errorCount).some(Boolean)) recount();
        }}
      >
        <Tabs
          activeKey={tab}
          onChange={(k) => setTab(k as EditorTab)}
          items={[
            {
              key: 'main',
              forceRender: true,
              label: tabLabel('main', t('notice.tab.main')),
              children: (['purpose', 'method', 'scope', 'retention', 'scenarios'] as const).map(elementRow),
            },
            {
              key: 'controller',
              forceRender: true,
              label: tabLabel('controller', t('notice.tab.controller')),
              children: (['controllerName', 'controllerContact', 'rights'] as const).map(elementRow),
            },
            {
              key: 'sensitive',
              forceRender: true,
              label: tabLabel('sensitive', t('notice.tab.sensitive', { count: sensitiveFields.length })),
              children: sensitiveFields.length ? (
                sensitiveFields.map((f, i) => (
                  <Card
                    key={f}
                    size="small"
                    style={{ marginBottom: 16 }}
                    title={
                      <Space size={8}>
                        <span>{categoryName(f, lang, byCode)}</span>
                        <Typography.Text type="secondary" className="custos-mono">
                          {f}
                        </Typography.Text>
                        <SensitivityTag value="sensitive" />
                      </Space>
                    }
                  >
                    {(['necessity', 'impact'] as const).map((prop) => (
                      <div key={prop}>
                        <Typography.Text strong>{t(`noticeEl.${prop}`)}</Typography.Text>
                        <Row gutter={16} style={{ marginTop: 6 }}>
                          {LANGUAGES.map((l) => (
                            <Col span={12} key={l}>
                              <Form.Item name={['content', l, 'sensitive', i, prop]} label={t(`lang.${l}`)} style={{ marginBottom: 12 }}>
                                <Input.TextArea
                                  autoSize={{ minRows: 2, maxRows: 8 }}
                                  maxLength={2000}
                                  data-testid={`notice-${l}-sensitive-${f}-${prop}`}
                                />
                              </Form.Item>
                            </Col>
                          ))}
                        </Row>
                      </div>
                    ))}
                  </Card>
                ))
              ) : (
                <Empty description={t('notice.noSensitive')} />
              ),
            },
          ]}
        />
      </Form>
    </Drawer>
  );
}

// ---------------------------------------------------------------------------------------------
// Preview: the notice as the customer will see it

function PreviewModal({
  state,
  byCode,
  onClose,
}: {
  state: { content: NoticeContent; notice: Notice | null; purpose: Purpose | undefined } | null;
  byCode: Categories;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const [view, setView] = useState<Lang>(lang);
  useEffect(() => {
    if (state) setView(lang);
  }, [state, lang]);

  return (
    <Modal
      title={t('notice.preview.title')}
      open={state !== null}
      onCancel={onClose}
      footer={[
        <Button key="close" onClick={onClose}>
          {t('common.close')}
        </Button>,
      ]}
      width={760}
      destroyOnHidden
    >
      <div data-testid="notice-preview">
        <Space style={{ marginBottom: 12 }}>
          <Typography.Text type="secondary">{t('notice.preview.language')}</Typography.Text>
          <Segmented<Lang>
            data-testid="notice-preview-lang"
            size="small"
            value={view}
            onChange={setView}
            options={LANGUAGES.map((l) => ({
              value: l,
              label: <span data-testid={`notice-preview-lang-${l}`}>{l === 'zh-CN' ? '中文' : 'English'}</span>,
            }))}
          />
        </Space>
        {state ? (
          <NoticeView content={state.content[view]} notice={state.notice} purpose={state.purpose} byCode={byCode} lang={view} />
        ) : null}
      </div>
    </Modal>
  );
}

/** The rendered notice in one language; headings follow the notice's language, not the console's. */
export function NoticeView({
  content,
  notice,
  purpose,
  byCode,
  lang,
}: {
  content: NoticeElements;
  notice: Notice | null;
  purpose: Purpose | undefined;
  byCode: Categories;
  lang: Lang;
}) {
  const tl = translator(lang);
  const block = (el: NoticeTextElement) => (
    <section key={el} style={{ marginBottom: 14 }}>
      <Typography.Text strong style={{ display: 'block', marginBottom: 2 }}>
        {tl(`noticeView.${el}`)}
      </Typography.Text>
      {content[el] ? (
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }} data-testid={`notice-view-${el}`}>
          {content[el]}
        </Typography.Paragraph>
      ) : (
        <Typography.Text type="danger" italic>
          {tl('noticeView.missing')}
        </Typography.Text>
      )}
    </section>
  );
  const fields = purpose?.fields ?? [];
  const sensitive = new Set(content.sensitive.map((s) => s.field));
  return (
    <div
      lang={lang}
      data-testid="notice-view"
      data-lang={lang}
      style={{
        border: '1px solid #e5e6eb',
        borderRadius: 8,
        padding: '20px 24px',
        background: '#fff',
        maxHeight: '62vh',
        overflow: 'auto',
      }}
    >
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {purpose ? tl('noticeView.title', { name: purpose.name[lang] || purpose.code }) : tl('noticeView.titlePlain')}
      </Typography.Title>
      {content.controllerName ? (
        <Typography.Paragraph type="secondary">{tl('noticeView.intro', { controller: content.controllerName })}</Typography.Paragraph>
      ) : null}
      {(['purpose', 'method', 'scope', 'retention', 'scenarios'] as const).map(block)}
      {content.sensitive.length ? (
        <section style={{ marginBottom: 14, padding: '10px 14px', background: '#fff1f0', borderRadius: 6 }}>
          <Typography.Text strong style={{ display: 'block', marginBottom: 6 }}>
            {tl('noticeView.sensitive')}
          </Typography.Text>
          {content.sensitive.map((s) => (
            <div key={s.field} style={{ marginBottom: 8 }} data-testid={`notice-view-sensitive-${s.field}`}>
              <Typography.Text strong>{categoryName(s.field, lang, byCode)}</Typography.Text>
              <div>
                <Typography.Text type="secondary">{tl('noticeEl.necessity')}：</Typography.Text>
                {s.necessity || (
                  <Typography.Text type="danger" italic>
                    {tl('noticeView.missing')}
                  </Typography.Text>
                )}
              </div>
              <div>
                <Typography.Text type="secondary">{tl('noticeEl.impact')}：</Typography.Text>
                {s.impact || (
                  <Typography.Text type="danger" italic>
                    {tl('noticeView.missing')}
                  </Typography.Text>
                )}
              </div>
            </div>
          ))}
        </section>
      ) : null}
      {block('rights')}
      <section style={{ marginBottom: 14 }}>
        <Typography.Text strong style={{ display: 'block', marginBottom: 2 }}>
          {tl('noticeView.controller')}
        </Typography.Text>
        <div>
          {content.controllerName || (
            <Typography.Text type="danger" italic>
              {tl('noticeView.missing')}
            </Typography.Text>
          )}
        </div>
        <div style={{ whiteSpace: 'pre-wrap' }}>
          {content.controllerContact || (
            <Typography.Text type="danger" italic>
              {tl('noticeView.missing')}
            </Typography.Text>
          )}
        </div>
      </section>
      <Divider style={{ margin: '12px 0' }} />
      {/* What the widget asks: general consent for the purpose, and a separate tick per sensitive field. */}
      <Space orientation="vertical" size={6}>
        {fields.length ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {tl('noticeView.collects', {
              list: fields.map((c) => categoryName(c, lang, byCode)).join(lang === 'zh-CN' ? '、' : ', '),
            })}
          </Typography.Text>
        ) : null}
        <Checkbox disabled>{tl('noticeView.consent')}</Checkbox>
        {[...sensitive].map((f) => (
          <Checkbox key={f} disabled>
            {tl('noticeView.separate', { field: categoryName(f, lang, byCode) })}
          </Checkbox>
        ))}
      </Space>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 12, marginBottom: 0 }}>
        {notice
          ? tl('noticeView.footer', {
              version: notice.version,
              date: notice.publishedAt ? formatDateTime(notice.publishedAt) : tl('noticeView.unpublished'),
            })
          : tl('noticeView.unpublished')}
        {notice?.contentHash ? <span className="custos-hash"> · SHA-256 {notice.contentHash}</span> : null}
      </Typography.Paragraph>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Compare two versions of a purpose's notice

export function DiffView({ before, after, testId }: { before: string; after: string; testId?: string }) {
  const parts = useMemo(() => diffText(before, after), [before, after]);
  if (!parts.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <div style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', lineHeight: 1.7 }} data-testid={testId}>
      {parts.map((p, i) =>
        p.op === 'equal' ? (
          <span key={i}>{p.text}</span>
        ) : p.op === 'added' ? (
          <ins
            key={i}
            data-testid="diff-added"
            style={{ background: '#d9f7be', color: '#135200', textDecoration: 'none', borderRadius: 2 }}
          >
            {p.text}
          </ins>
        ) : (
          <del key={i} data-testid="diff-removed" style={{ background: '#ffccc7', color: '#a8071a', borderRadius: 2 }}>
            {p.text}
          </del>
        ),
      )}
    </div>
  );
}

interface CompareRow {
  key: string;
  label: ReactNode;
  before: Record<Lang, string>;
  after: Record<Lang, string>;
}

function compareRows(a: NoticeContent, b: NoticeContent, t: ReturnType<typeof useI18n>['t'], lang: Lang, byCode: Categories): CompareRow[] {
  const rows: CompareRow[] = NOTICE_TEXT_ELEMENTS.map((el) => ({
    key: el,
    label: t(`noticeEl.${el}`),
    before: { 'zh-CN': a['zh-CN'][el] ?? '', en: a.en[el] ?? '' },
    after: { 'zh-CN': b['zh-CN'][el] ?? '', en: b.en[el] ?? '' },
  }));
  const fields: string[] = [];
  for (const c of [a, b])
    for (const l of LANGUAGES) for (const s of c[l].sensitive ?? []) if (!fields.includes(s.field)) fields.push(s.field);
  const get = (c: NoticeContent, l: Lang, f: string, prop: 'necessity' | 'impact') =>
    c[l].sensitive?.find((s) => s.field === f)?.[prop] ?? '';
  for (const f of fields) {
    for (const prop of ['necessity', 'impact'] as const) {
      rows.push({
        key: `sensitive.${f}.${prop}`,
        label: `${categoryName(f, lang, byCode)} · ${t(`noticeEl.${prop}`)}`,
        before: { 'zh-CN': get(a, 'zh-CN', f, prop), en: get(a, 'en', f, prop) },
        after: { 'zh-CN': get(b, 'zh-CN', f, prop), en: get(b, 'en', f, prop) },
      });
    }
  }
  return rows;
}

function CompareModal({
  state,
  notices,
  purposeById,
  byCode,
  onClose,
}: {
  state: { code: string; a?: string; b?: string } | null;
  notices: Notice[];
  purposeById: ReadonlyMap<string, Purpose>;
  byCode: Categories;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const same = useMemo(
    () => (state ? notices.filter((n) => n.purposeCode === state.code).sort((x, y) => x.version - y.version) : []),
    [notices, state],
  );
  const [aId, setA] = useState<string | undefined>(undefined);
  const [bId, setB] = useState<string | undefined>(undefined);
  const [onlyChanges, setOnlyChanges] = useState(false);
  useEffect(() => {
    if (!state) return;
    const last = same[same.length - 1];
    const prev = same[same.length - 2];
    setA(state.a ?? prev?.id ?? last?.id);
    setB(state.b ?? last?.id);
  }, [state, same]);

  const a = same.find((n) => n.id === aId);
  const b = same.find((n) => n.id === bId);
  const rows = a && b ? compareRows(a.content, b.content, t, lang, byCode) : [];
  const changed = (r: CompareRow) => LANGUAGES.some((l) => r.before[l] !== r.after[l]);
  const shown = onlyChanges ? rows.filter(changed) : rows;
  const options = same.map((n) => ({
    value: n.id,
    label: `v${n.version} · ${t(`noticeStatus.${n.status}`)} · ${t('notice.forPurposeVersion', { version: n.purposeVersion })}`,
  }));
  const purpose = b ? purposeById.get(b.purposeId) : undefined;

  return (
    <Modal
      title={t('notice.compare.title', { name: purpose ? localized(purpose.name, lang) : (state?.code ?? '') })}
      open={state !== null}
      onCancel={onClose}
      footer={[
        <Button key="close" onClick={onClose}>
          {t('common.close')}
        </Button>,
      ]}
      width={1100}
      destroyOnHidden
    >
      <div data-testid="notice-compare">
        <Space wrap size={12} style={{ marginBottom: 12 }}>
          <Space size={6}>
            <Typography.Text type="secondary">{t('notice.compare.from')}</Typography.Text>
            <Select style={{ width: 260 }} value={aId} onChange={setA} options={options} data-testid="notice-compare-a" />
          </Space>
          <Space size={6}>
            <Typography.Text type="secondary">{t('notice.compare.to')}</Typography.Text>
            <Select style={{ width: 260 }} value={bId} onChange={setB} options={options} data-testid="notice-compare-b" />
          </Space>
          <Space size={6}>
            <Switch size="small" checked={onlyChanges} onChange={setOnlyChanges} data-testid="notice-compare-only-changes" />
            <Typography.Text>{t('notice.compare.onlyChanges')}</Typography.Text>
          </Space>
          <Space size={12}>
            <ins style={{ background: '#d9f7be', color: '#135200', textDecoration: 'none', padding: '0 4px' }}>
              {t('notice.compare.added')}
            </ins>
            <del style={{ background: '#ffccc7', color: '#a8071a', padding: '0 4px' }}>{t('notice.compare.removed')}</del>
          </Space>
        </Space>
        {a && b ? (
          <div style={{ maxHeight: '65vh', overflow: 'auto' }}>
            <Table<CompareRow>
              size="small"
              rowKey="key"
              pagination={false}
              dataSource={shown}
              data-testid="notice-compare-table"
              locale={{ emptyText: t('notice.compare.identical') }}
              onRow={(r) => ({ 'data-testid': `notice-compare-row-${r.key}`, 'data-changed': changed(r) ? '1' : '0' }) as object}
              columns={[
                {
                  title: t('notice.compare.element'),
                  dataIndex: 'label',
                  width: 170,
                  render: (v: ReactNode, r) => (
                    <Space orientation="vertical" size={2}>
                      <Typography.Text strong>{v}</Typography.Text>
                      {changed(r) ? <Tag color="orange">{t('notice.compare.changed')}</Tag> : <Tag>{t('notice.compare.same')}</Tag>}
                    </Space>
                  ),
                },
                ...LANGUAGES.map((l) => ({
                  title: t(`lang.${l}`),
                  key: l,
                  render: (_: unknown, r: CompareRow) => (
                    <DiffView before={r.before[l]} after={r.after[l]} testId={`notice-diff-${r.key}-${l}`} />
                  ),
                })),
              ]}
            />
          </div>
        ) : (
          <Empty description={t('notice.compare.pick')} />
        )}
      </div>
    </Modal>
  );
}
