/**
 * The customer vault: exact search (resident ID, mobile, e-mail through the blind index), the
 * masked results, a new-customer form built from the PI catalogue, and (at `#/customers/<id>`)
 * the customer detail.
 *
 * The search value is sent only in the POST body: it never goes into the URL, the history or
 * local storage, and it is dropped (with the form) when the user leaves the search view. Only the
 * masked results are kept while the user looks at a customer, so "back" shows them again.
 */
import { ContactsOutlined, LockOutlined, PlusOutlined, RightOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Empty, Form, Input, Modal, Row, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { LOOKUP_PI_TYPES, api, type Customer, type DataCategory, type LookupPiType, type MaskedField } from '../api';
import { PageHeader } from '../components/PageHeader';
import { categoryLabel, formatDateTime, piTypeLabel, shortId } from '../format';
import { useI18n } from '../i18n';
import { useProblemReporter, useSuccess, type FieldPath } from '../problems';
import { customerPath, matchRoute, navigate, subPath, useHashPath } from '../router';
import { useSession } from '../session';
import { useLoad } from '../useLoad';
import { SensitivityTag } from './CataloguePage';
import { CustomerDetail } from './CustomerDetail';

interface SearchResults {
  piType: LookupPiType;
  items: Customer[];
}

/** Categories the new-customer form starts with (when the catalogue has them). */
const DEFAULT_NEW_FIELDS = ['name', 'mobile', 'resident_id', 'email'];

/** Columns of the results table: the first field of each of these PI types. */
const SUMMARY_PI_TYPES = ['person_name', 'cn_mobile', 'cn_resident_id', 'email'] as const;

export function CustomersPage() {
  const { can } = useSession();
  const path = useHashPath();
  const route = matchRoute(path);
  const id = route ? subPath(route, path)[0] : undefined;

  const categories = useLoad<DataCategory[]>(api.listDataCategories, [], can('catalogue.read'));
  const byCode = useMemo(() => new Map(categories.data.map((c) => [c.code, c])), [categories.data]);
  // Masked results only; kept while a customer is open so "back" shows them again.
  const [results, setResults] = useState<SearchResults | null>(null);

  if (id) {
    return (
      <CustomerDetail
        key={id}
        id={id}
        categories={byCode}
        onChanged={(c) => setResults((r) => r && { ...r, items: r.items.map((x) => (x.id === c.id ? c : x)) })}
        onDeleted={(gone) => setResults((r) => r && { ...r, items: r.items.filter((x) => x.id !== gone) })}
      />
    );
  }
  return <CustomerSearch categories={categories.data} byCode={byCode} results={results} setResults={setResults} />;
}

interface SearchForm {
  piType: LookupPiType;
  value: string;
}

function CustomerSearch({
  categories,
  byCode,
  results,
  setResults,
}: {
  categories: DataCategory[];
  byCode: ReadonlyMap<string, DataCategory>;
  results: SearchResults | null;
  setResults: (r: SearchResults | null) => void;
}) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const report = useProblemReporter();
  const success = useSuccess();
  const [form] = Form.useForm<SearchForm>();
  const [searching, setSearching] = useState(false);
  const [creating, setCreating] = useState(false);

  const typeLabel = (p: LookupPiType) => t(`customers.search.type.${p}`);

  const search = async (values: SearchForm) => {
    setSearching(true);
    try {
      const items = await api.searchCustomers(values.piType, values.value.trim());
      setResults({ piType: values.piType, items });
    } catch (err) {
      report(err, { form, mapField: (p) => (p.field === 'value' || p.field === 'piType' ? [p.field] : undefined) });
    } finally {
      setSearching(false);
    }
  };

  const summary = (c: Customer, piType: string): MaskedField | undefined => c.fields.find((f) => f.piType === piType);

  const columns: ColumnsType<Customer> = [
    {
      title: t('customers.id'),
      dataIndex: 'id',
      width: 130,
      render: (v: string) => (
        <a href={`#${customerPath(v)}`} className="custos-mono" data-testid="customer-link" onClick={(e) => e.stopPropagation()}>
          {shortId(v)}
        </a>
      ),
    },
    ...SUMMARY_PI_TYPES.map((p) => ({
      key: p,
      title: piTypeLabel(p, t),
      render: (_: unknown, c: Customer) => {
        const f = summary(c, p);
        return f ? (
          <Typography.Text className="custos-mono" data-testid={`customer-summary-${p}`}>
            {f.masked}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
        );
      },
    })),
    {
      title: t('customers.fields'),
      key: 'fields',
      width: 120,
      render: (_: unknown, c) => <Tag variant="outlined">{t('customers.fieldsCount', { count: c.fields.length })}</Tag>,
    },
    { title: t('common.updated'), dataIndex: 'updatedAt', width: 180, render: (v: string) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'open',
      width: 90,
      render: (_: unknown, c) => (
        <Button type="link" size="small" onClick={() => navigate(customerPath(c.id))} data-testid={`customer-open-${c.id}`}>
          {t('customers.open')}
          <RightOutlined />
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('customers.title')}
        subtitle={t('customers.subtitle')}
        extra={
          can('customer.create') ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="customer-new">
              {t('customers.new')}
            </Button>
          ) : null
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Form<SearchForm>
          form={form}
          layout="vertical"
          initialValues={{ piType: 'cn_mobile' }}
          onFinish={(v) => void search(v)}
          autoComplete="off"
          data-testid="customer-search-form"
          requiredMark={false}
        >
          <Row gutter={16} align="bottom">
            <Col flex="180px">
              <Form.Item name="piType" label={t('customers.search.type')} style={{ marginBottom: 0 }}>
                <Select
                  data-testid="customer-search-type"
                  options={LOOKUP_PI_TYPES.map((p) => ({ value: p, label: typeLabel(p) }))}
                  optionRender={(o) => <span data-testid={`customer-search-type-${String(o.value)}`}>{o.label}</span>}
                />
              </Form.Item>
            </Col>
            <Col flex="auto">
              <Form.Item
                name="value"
                label={t('customers.search.value')}
                style={{ marginBottom: 0 }}
                rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('customers.search.value') }) }]}
              >
                <Input
                  data-testid="customer-search-value"
                  placeholder={t('customers.search.valuePlaceholder')}
                  autoComplete="off"
                  spellCheck={false}
                  allowClear
                  maxLength={320}
                  prefix={<SearchOutlined style={{ color: 'rgba(0,0,0,0.35)' }} />}
                />
              </Form.Item>
            </Col>
            <Col flex="none">
              <Space>
                <Button type="primary" htmlType="submit" loading={searching} icon={<SearchOutlined />} data-testid="customer-search-submit">
                  {t('common.search')}
                </Button>
                <Button
                  onClick={() => {
                    form.resetFields();
                    setResults(null);
                  }}
                >
                  {t('common.reset')}
                </Button>
              </Space>
            </Col>
          </Row>
        </Form>
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 12, fontSize: 12 }}>
          <LockOutlined style={{ marginInlineEnd: 6 }} />
          {t('customers.search.hint')}
        </Typography.Text>
      </Card>
      <Card
        styles={{ body: { padding: results && results.items.length ? 0 : undefined } }}
        title={
          results ? (
            <span data-testid="customer-results-title">
              {t('customers.search.found', { count: results.items.length, type: typeLabel(results.piType) })}
            </span>
          ) : undefined
        }
        extra={
          results ? (
            <Button size="small" type="text" onClick={() => setResults(null)}>
              {t('customers.search.clear')}
            </Button>
          ) : undefined
        }
      >
        {results && results.items.length > 0 ? (
          <Table<Customer>
            className="custos-clickable-rows"
            data-testid="customer-results"
            rowKey="id"
            columns={columns}
            dataSource={results.items}
            pagination={false}
            onRow={(c) =>
              ({
                'data-testid': 'customer-row',
                'data-id': c.id,
                onClick: () => navigate(customerPath(c.id)),
              }) as object
            }
          />
        ) : (
          <Empty
            data-testid={results ? 'customer-no-match' : 'customer-search-empty'}
            image={results ? Empty.PRESENTED_IMAGE_SIMPLE : <ContactsOutlined style={{ fontSize: 48, color: 'rgba(0,0,0,0.18)' }} />}
            styles={{ image: { height: 56 } }}
            description={results ? t('customers.search.noMatch') : t('customers.search.empty')}
          />
        )}
      </Card>
      <NewCustomerModal
        open={creating}
        categories={categories}
        byCode={byCode}
        lang={lang}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false);
          success(t('customers.created'));
          navigate(customerPath(c.id));
        }}
      />
    </>
  );
}

interface NewCustomerForm {
  picked: string[];
  fields: Record<string, string | undefined>;
}

/** `resident_id`, `fields.resident_id`, `body.fields.resident_id` -> `resident_id`. */
function fieldCode(problemField: string): string {
  return problemField.replace(/^(body\.)?fields\./, '');
}

function NewCustomerModal({
  open,
  categories,
  byCode,
  lang,
  onClose,
  onCreated,
}: {
  open: boolean;
  categories: DataCategory[];
  byCode: ReadonlyMap<string, DataCategory>;
  lang: 'zh-CN' | 'en';
  onClose: () => void;
  onCreated: (c: Customer) => void;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<NewCustomerForm>();
  const [saving, setSaving] = useState(false);
  const report = useProblemReporter();
  const picked = Form.useWatch('picked', form) ?? [];

  const initialPicked = useMemo(() => {
    const present = DEFAULT_NEW_FIELDS.filter((c) => byCode.has(c));
    return present.length ? present : categories.slice(0, 4).map((c) => c.code);
  }, [categories, byCode]);

  const submit = async () => {
    let values: NewCustomerForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const fields: Record<string, string> = {};
    for (const code of values.picked ?? []) {
      const v = values.fields?.[code]?.trim();
      if (v) fields[code] = v;
    }
    setSaving(true);
    try {
      const created = await api.createCustomer(fields);
      form.resetFields();
      onCreated(created);
    } catch (err) {
      report(err, {
        form,
        mapField: (p): FieldPath | undefined => {
          const code = fieldCode(p.field);
          return picked.includes(code) ? ['fields', code] : undefined;
        },
      });
    } finally {
      setSaving(false);
    }
  };

  const placeholder = (c: DataCategory) => (c.piType === 'date' ? t('customers.form.datePlaceholder') : piTypeLabel(c.piType, t));

  return (
    <Modal
      title={t('customers.new')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'customer-submit' }}
      width={760}
    >
      <Form<NewCustomerForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ picked: initialPicked, fields: {} }}
        autoComplete="off"
        data-testid="customer-form"
        style={{ marginTop: 16 }}
      >
        <Form.Item
          name="picked"
          label={t('customers.form.pick')}
          extra={t('customers.form.pickHint')}
          rules={[{ required: true, type: 'array', min: 1, message: t('customers.form.noFields') }]}
        >
          <Select
            data-testid="customer-form-pick"
            mode="multiple"
            allowClear
            optionFilterProp="search"
            placeholder={t('customers.form.pickPlaceholder')}
            options={categories.map((c) => ({
              value: c.code,
              label: categoryLabel(c.code, lang, byCode),
              search: `${c.nameZh} ${c.nameEn} ${c.code}`,
            }))}
            optionRender={(o) => {
              const c = byCode.get(String(o.value));
              return (
                <Space style={{ width: '100%', justifyContent: 'space-between' }}>
                  <span>
                    {o.label}
                    <Typography.Text type="secondary" className="custos-mono" style={{ marginInlineStart: 8 }}>
                      {String(o.value)}
                    </Typography.Text>
                  </span>
                  {c?.sensitivity === 'sensitive' ? <SensitivityTag value="sensitive" /> : null}
                </Space>
              );
            }}
          />
        </Form.Item>
        <Alert type="info" showIcon icon={<LockOutlined />} title={t('customers.form.encrypted')} style={{ marginBottom: 16 }} />
        <Row gutter={16}>
          {picked.map((code) => {
            const c = byCode.get(code);
            const label = categoryLabel(code, lang, byCode);
            return (
              <Col span={12} key={code}>
                <Form.Item
                  name={['fields', code]}
                  label={
                    <Space size={6}>
                      <span>{label}</span>
                      {c?.sensitivity === 'sensitive' ? <SensitivityTag value="sensitive" /> : null}
                    </Space>
                  }
                  rules={[{ required: true, whitespace: true, message: t('common.required', { field: label }) }]}
                >
                  <Input
                    data-testid={`customer-form-field-${code}`}
                    placeholder={c ? placeholder(c) : undefined}
                    autoComplete="off"
                    spellCheck={false}
                    maxLength={4000}
                  />
                </Form.Item>
              </Col>
            );
          })}
        </Row>
      </Form>
    </Modal>
  );
}
