/**
 * The pure part of the `<custos-consent>` widget: its texts, what each input is, which
 * submissions are refused before they are sent, the request body and the form snapshot whose
 * hash is the consent evidence. No DOM here, so it is unit-tested in Node.
 */
import type { JsonValue } from './canonical.js';
import type { CollectCustomerDataRequest, Lang, ProblemItem, PublishedNotice, PublishedPurposeField } from './types.js';

export interface WidgetText {
  langToggle: string;
  loading: string;
  loadFailed: string;
  notFound: string;
  published: (date: string, version: number) => string;
  elements: {
    purpose: string;
    method: string;
    scope: string;
    retention: string;
    scenarios: string;
    controllerName: string;
    controllerContact: string;
    rights: string;
  };
  sensitiveHeading: string;
  necessity: string;
  impact: string;
  fieldsLegend: string;
  sensitiveLabel: (name: string) => string;
  separateLabel: (name: string) => string;
  generalLabel: string;
  submit: string;
  submitting: string;
  success: (receipt: string) => string;
  fixErrors: string;
  networkError: string;
  failed: (title: string) => string;
}

export const WIDGET_TEXT: Record<Lang, WidgetText> = {
  'zh-CN': {
    langToggle: 'English',
    loading: '正在加载个人信息处理告知…',
    loadFailed: '无法加载个人信息处理告知，请稍后重试。',
    notFound: '该用途暂无已发布的个人信息处理告知。',
    published: (date, version) => `告知第 ${version} 版，发布于 ${date}`,
    elements: {
      purpose: '处理目的',
      method: '处理方式',
      scope: '处理的个人信息种类',
      retention: '保存期限',
      scenarios: '使用场景',
      controllerName: '个人信息处理者',
      controllerContact: '联系方式',
      rights: '您的权利及行使方式',
    },
    sensitiveHeading: '敏感个人信息',
    necessity: '处理的必要性',
    impact: '对您个人权益的影响',
    fieldsLegend: '您的信息',
    sensitiveLabel: (name) => `${name}（敏感个人信息）`,
    separateLabel: (name) => `我单独同意处理我的${name}`,
    generalLabel: '我已阅读并理解上述告知，同意按告知处理我提供的个人信息',
    submit: '同意并提交',
    submitting: '正在提交…',
    success: (receipt) => `提交成功，感谢您。回执编号：${receipt}`,
    fixErrors: '请修正标出的问题后重新提交。',
    networkError: '网络连接失败，请检查网络后重新提交。',
    failed: (title) => `提交失败：${title}`,
  },
  en: {
    langToggle: '中文',
    loading: 'Loading the personal information notice…',
    loadFailed: 'The personal information notice could not be loaded. Please try again later.',
    notFound: 'There is no published personal information notice for this purpose.',
    published: (date, version) => `Notice version ${version}, published ${date}`,
    elements: {
      purpose: 'Purpose',
      method: 'How it is processed',
      scope: 'Personal information processed',
      retention: 'Retention period',
      scenarios: 'Where it is used',
      controllerName: 'Controller',
      controllerContact: 'Contact',
      rights: 'Your rights and how to exercise them',
    },
    sensitiveHeading: 'Sensitive personal information',
    necessity: 'Why it is necessary',
    impact: 'Impact on your rights and interests',
    fieldsLegend: 'Your information',
    sensitiveLabel: (name) => `${name} (sensitive personal information)`,
    separateLabel: (name) => `I separately consent to the processing of my ${name}`,
    generalLabel: 'I have read and understood the notice above and consent to the processing of the information I provide as described',
    submit: 'Consent and submit',
    submitting: 'Submitting…',
    success: (receipt) => `Submitted, thank you. Receipt number: ${receipt}`,
    fixErrors: 'Please correct the marked problems and submit again.',
    networkError: 'The network connection failed. Please check it and submit again.',
    failed: (title) => `Not submitted: ${title}`,
  },
};

/** The `<input type>` for a PI type. */
export function inputTypeFor(piType: string | null): 'email' | 'tel' | 'date' | 'text' {
  switch (piType) {
    case 'email':
      return 'email';
    case 'cn_mobile':
      return 'tel';
    case 'date':
      return 'date';
    default:
      return 'text';
  }
}

/** The `autocomplete` hint for a PI type, if there is an obvious one. */
export function autocompleteFor(piType: string | null): string | undefined {
  return piType === 'email' ? 'email' : piType === 'cn_mobile' ? 'tel' : undefined;
}

/** What the customer has entered and ticked. */
export interface FormState {
  /** Input values by category code, as typed. */
  values: Record<string, string>;
  /** The general consent box. */
  general: boolean;
  /** The separate consent boxes by sensitive category code. */
  separate: Record<string, boolean>;
}

export const emptyFormState = (): FormState => ({ values: {}, general: false, separate: {} });

/** The labels the widget shows, in one language. */
export interface FormLabels {
  fields: Record<string, string>;
  general: string;
  separate: Record<string, string>;
}

export const isSensitive = (f: PublishedPurposeField) => f.sensitivity === 'sensitive';

export function formLabels(data: PublishedNotice, lang: Lang): FormLabels {
  const t = WIDGET_TEXT[lang];
  const labels: FormLabels = { fields: {}, general: t.generalLabel, separate: {} };
  for (const f of data.purpose.fields) {
    const name = f.name[lang];
    labels.fields[f.code] = isSensitive(f) ? t.sensitiveLabel(name) : name;
    if (isSensitive(f)) labels.separate[f.code] = t.separateLabel(name);
  }
  return labels;
}

/** The problem key of the general consent box (as the API names it). */
export const CONSENT_FIELD = 'consent';

export type Prepared = { ok: true; body: CollectCustomerDataRequest } | { ok: false; problems: ProblemItem[] };

/**
 * The collectCustomerData body for what the customer entered, or the problems that stop it being
 * sent. Values are trimmed and empty ones left out. A sensitive value is sent only when its
 * separate box is ticked; a filled sensitive field without its box is a problem
 * (`separate_consent_required`), and so is an unticked general box (`consent_required`).
 * scope = the general categories sent; separate = one entry per ticked sensitive box.
 * Evidence is added by the caller (it needs an asynchronous hash).
 */
export function prepareSubmission(data: PublishedNotice, state: FormState): Prepared {
  const problems: ProblemItem[] = [];
  const fields: Record<string, string> = {};
  const scope: string[] = [];
  const separate: { type: 'sensitive'; category: string }[] = [];
  for (const f of data.purpose.fields) {
    const value = (state.values[f.code] ?? '').trim();
    if (isSensitive(f)) {
      const ticked = state.separate[f.code] === true;
      if (ticked) separate.push({ type: 'sensitive', category: f.code });
      if (value === '') continue;
      if (!ticked) problems.push({ field: f.code, reason: 'separate_consent_required' });
      else fields[f.code] = value;
    } else if (value !== '') {
      fields[f.code] = value;
      scope.push(f.code);
    }
  }
  if (!state.general) problems.push({ field: CONSENT_FIELD, reason: 'consent_required' });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    body: { purposeCode: data.purpose.code, noticeId: data.notice.id, fields, consent: { method: 'checkbox', scope, separate } },
  };
}

/**
 * What the customer saw and ticked, hashed (canonical JSON, SHA-256) into
 * `consent.evidence.formSnapshotHash`: the notice (id and content hash), the language, every label
 * shown, and the state of every consent box.
 */
export function formSnapshot(data: PublishedNotice, lang: Lang, state: FormState): JsonValue {
  const labels = formLabels(data, lang);
  const separate: Record<string, boolean> = {};
  for (const code of Object.keys(labels.separate)) separate[code] = state.separate[code] === true;
  return {
    noticeId: data.notice.id,
    contentHash: data.notice.contentHash,
    lang,
    labels: { fields: labels.fields, general: labels.general, separate: labels.separate },
    ticked: { general: state.general, separate },
  };
}

/**
 * The field a server problem belongs to: a purpose field's code (also from `fields.<code>`), the
 * general consent box (`consent`, `consent.*` other than a sensitive category's separate consent),
 * or null for problems the form cannot place next to a control (shown in the status region).
 */
export function problemTarget(field: string, fieldCodes: readonly string[]): string | null {
  const f = field.startsWith('fields.') ? field.slice('fields.'.length) : field;
  if (fieldCodes.includes(f)) return f;
  if (f === CONSENT_FIELD || f.startsWith(`${CONSENT_FIELD}.`)) return CONSENT_FIELD;
  return null;
}
