/** The pure part of the self-service portal page: texts, contact detection, grouping. */
import type {
  ConsentStatus,
  L10n,
  Lang,
  MyTransferNotice,
  PortalConsent,
  RequestPortalCodeRequest,
  TransferAnswer,
  TransferReason,
} from '../types.js';

/**
 * What the customer typed as a contact: an email address (has an `@`) or a mainland mobile
 * number (11 digits starting with 1, optionally `+86`/`86` first; spaces and dashes ignored).
 * Null when it is neither. The server normalises and validates again.
 */
export function detectContact(input: string): RequestPortalCodeRequest | null {
  const v = input.trim();
  if (v.includes('@')) return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? { piType: 'email', value: v } : null;
  const digits = v.replace(/[\s-]/g, '');
  const m = /^(?:\+?86)?(1\d{10})$/.exec(digits);
  return m ? { piType: 'cn_mobile', value: m[1]! } : null;
}

/** A six-digit code, from what was typed (spaces ignored); null otherwise. */
export function normaliseCode(input: string): string | null {
  const v = input.replace(/\s/g, '');
  return /^\d{6}$/.test(v) ? v : null;
}

export interface PurposeGroup {
  purposeCode: string;
  purposeName: L10n;
  purposeVersion: number;
  consents: PortalConsent[];
  /** Whether anything of this purpose can still be withdrawn. */
  anyGranted: boolean;
}

/** Consents grouped by purpose, in the order the server listed them. */
export function groupConsents(consents: readonly PortalConsent[]): PurposeGroup[] {
  const groups = new Map<string, PurposeGroup>();
  for (const c of consents) {
    let g = groups.get(c.purposeCode);
    if (!g) {
      g = { purposeCode: c.purposeCode, purposeName: c.purposeName, purposeVersion: c.purposeVersion, consents: [], anyGranted: false };
      groups.set(c.purposeCode, g);
    }
    g.consents.push(c);
    if (c.status === 'granted') g.anyGranted = true;
    // Show the newest version the customer's consents refer to.
    if (c.purposeVersion > g.purposeVersion) {
      g.purposeVersion = c.purposeVersion;
      g.purposeName = c.purposeName;
    }
  }
  return [...groups.values()];
}

export interface PortalText {
  title: string;
  langToggle: string;
  intro: string;
  contactLabel: string;
  contactHint: string;
  contactInvalid: string;
  send: string;
  sending: string;
  codeSent: (contact: string) => string;
  codeLabel: string;
  codeInvalid: string;
  verify: string;
  verifying: string;
  back: string;
  wrongCode: string;
  tooManyTries: string;
  sessionEnded: string;
  loggedOut: string;
  logout: string;
  yourInfo: string;
  fieldName: string;
  fieldValue: string;
  noFields: string;
  yourConsents: string;
  noConsents: string;
  version: (v: number) => string;
  category: string;
  statusCol: string;
  givenAt: string;
  withdrawnAt: string;
  separate: string;
  status: Record<ConsentStatus, string>;
  withdrawPurpose: string;
  withdrawSeparate: (category: string) => string;
  confirmTitle: string;
  confirmPurpose: (purpose: string) => string;
  confirmCategory: (purpose: string, category: string) => string;
  confirmNote: string;
  confirm: string;
  cancel: string;
  withdrawn: (n: number) => string;
  failed: (detail: string) => string;
  networkError: string;
  loading: string;
  transfers: string;
  transfersIntro: string;
  transfersFailed: string;
  recipient: string;
  recipientContact: string;
  reason: string;
  reasons: Record<TransferReason, string>;
  transferPurpose: string;
  scope: string;
  notifiedAt: string;
  deadline: string;
  reference: string;
  yourAnswer: string;
  answers: Record<TransferAnswer | 'none', string>;
  noticeText: string;
  closed: string;
  consentTransfer: string;
  objectTransfer: string;
  confirmTransfer: Record<'consent' | 'object', { title: string; body: (recipient: string) => string; note: string; button: string }>;
  answered: (answer: 'consent' | 'object') => string;
}

export const PORTAL_TEXT: Record<Lang, PortalText> = {
  'zh-CN': {
    title: '个人信息自助服务',
    langToggle: 'English',
    intro: '输入您在我们这里登记的手机号码或电子邮箱，通过验证码确认身份后，可以查看我们保存的您的个人信息，并随时撤回同意。',
    contactLabel: '手机号码或电子邮箱',
    contactHint: '例如 13800138000 或 name@example.com',
    contactInvalid: '请输入有效的手机号码或电子邮箱',
    send: '获取验证码',
    sending: '正在发送…',
    codeSent: (c) => `如果 ${c} 已在我们这里登记，您将收到一个 6 位验证码。`,
    codeLabel: '6 位验证码',
    codeInvalid: '请输入 6 位数字验证码',
    verify: '验证',
    verifying: '正在验证…',
    back: '更换联系方式',
    wrongCode: '验证码不正确或已过期',
    tooManyTries: '尝试次数过多，请重新获取验证码',
    sessionEnded: '登录已失效，请重新验证身份',
    loggedOut: '您已安全退出',
    logout: '退出',
    yourInfo: '我们保存的您的个人信息',
    fieldName: '信息',
    fieldValue: '内容（已脱敏）',
    noFields: '我们没有保存您的个人信息。',
    yourConsents: '您的同意',
    noConsents: '暂无同意记录。',
    version: (v) => `第 ${v} 版`,
    category: '个人信息种类',
    statusCol: '状态',
    givenAt: '同意时间',
    withdrawnAt: '撤回时间',
    separate: '单独同意',
    status: { granted: '已同意', withdrawn: '已撤回', expired: '已过期' },
    withdrawPurpose: '撤回对此用途的全部同意',
    withdrawSeparate: (c) => `撤回对“${c}”的单独同意`,
    confirmTitle: '确认撤回同意',
    confirmPurpose: (p) => `确定撤回您对“${p}”的全部同意吗？`,
    confirmCategory: (p, c) => `确定撤回您对“${p}”中“${c}”的单独同意吗？`,
    confirmNote: '撤回后我们将停止基于同意的相应处理；撤回不影响撤回前基于您的同意已进行的处理。',
    confirm: '确认撤回',
    cancel: '取消',
    withdrawn: (n) => `已撤回 ${n} 项同意。`,
    failed: (d) => `操作失败：${d}`,
    networkError: '网络连接失败，请稍后重试。',
    loading: '正在加载…',
    transfers: '数据转移通知',
    transfersIntro:
      '因合并、分立、被收购等原因，我们拟将您的部分个人信息转移给下列接收方。您可以同意或反对；转移执行前以您最后一次答复为准。未表示同意的客户，其信息不会被转移。',
    transfersFailed: '暂时无法加载数据转移通知，请稍后重试。',
    recipient: '接收方',
    recipientContact: '接收方联系方式',
    reason: '转移原因',
    reasons: { merger: '公司合并', division: '公司分立', acquisition: '公司被收购', other: '业务转移' },
    transferPurpose: '接收方处理目的',
    scope: '转移的信息范围',
    notifiedAt: '通知时间',
    deadline: '答复截止',
    reference: '通知编号',
    yourAnswer: '您的答复',
    answers: { consent: '已同意转移', object: '已反对转移', legal_basis: '已依其他法定依据记录', none: '尚未答复' },
    noticeText: '通知全文',
    closed: '此转移已执行，不再接受答复。',
    consentTransfer: '同意转移',
    objectTransfer: '反对转移',
    confirmTransfer: {
      consent: {
        title: '确认同意转移',
        body: (r) => `确定同意将上述个人信息转移给“${r}”吗？`,
        note: '转移执行前，您可以随时改为反对。',
        button: '确认同意',
      },
      object: {
        title: '确认反对转移',
        body: (r) => `确定反对将您的个人信息转移给“${r}”吗？`,
        note: '反对后，您的个人信息不会转移给该接收方。转移执行前，您可以改变答复。',
        button: '确认反对',
      },
    },
    answered: (a) => (a === 'consent' ? '已记录您的答复：同意转移。' : '已记录您的答复：反对转移。您的个人信息不会被转移。'),
  },
  en: {
    title: 'Personal information self-service',
    langToggle: '中文',
    intro:
      'Enter the mobile number or email address you registered with us. Once a code has confirmed it is you, you can see the personal information we hold about you and withdraw your consent at any time.',
    contactLabel: 'Mobile number or email address',
    contactHint: 'For example 13800138000 or name@example.com',
    contactInvalid: 'Enter a valid mobile number or email address',
    send: 'Send code',
    sending: 'Sending…',
    codeSent: (c) => `If ${c} is registered with us, you will receive a 6-digit code.`,
    codeLabel: '6-digit code',
    codeInvalid: 'Enter the 6-digit code',
    verify: 'Verify',
    verifying: 'Verifying…',
    back: 'Use another contact',
    wrongCode: 'The code is wrong or has expired',
    tooManyTries: 'Too many attempts. Please request a new code',
    sessionEnded: 'Your session has ended. Please verify again',
    loggedOut: 'You have signed out',
    logout: 'Sign out',
    yourInfo: 'Personal information we hold about you',
    fieldName: 'Information',
    fieldValue: 'Value (masked)',
    noFields: 'We hold no personal information about you.',
    yourConsents: 'Your consents',
    noConsents: 'No consent has been recorded.',
    version: (v) => `version ${v}`,
    category: 'Information',
    statusCol: 'Status',
    givenAt: 'Given',
    withdrawnAt: 'Withdrawn',
    separate: 'separate consent',
    status: { granted: 'Granted', withdrawn: 'Withdrawn', expired: 'Expired' },
    withdrawPurpose: 'Withdraw all consent to this purpose',
    withdrawSeparate: (c) => `Withdraw separate consent to ${c}`,
    confirmTitle: 'Withdraw consent',
    confirmPurpose: (p) => `Withdraw all your consent to "${p}"?`,
    confirmCategory: (p, c) => `Withdraw your separate consent to "${c}" for "${p}"?`,
    confirmNote:
      'We will stop the processing that relies on this consent. Withdrawing does not affect processing carried out on the basis of your consent before you withdrew it.',
    confirm: 'Withdraw',
    cancel: 'Cancel',
    withdrawn: (n) => `${n} consent${n === 1 ? '' : 's'} withdrawn.`,
    failed: (d) => `That did not work: ${d}`,
    networkError: 'The network connection failed. Please try again later.',
    loading: 'Loading…',
    transfers: 'Transfer notices',
    transfersIntro:
      'Because of a merger, division, acquisition or similar, we intend to transfer some of your personal information to the party below. You can consent or object; your latest answer counts until the transfer is carried out. Nothing is transferred for customers who have not consented.',
    transfersFailed: 'Your transfer notices could not be loaded. Please try again later.',
    recipient: 'Receiving party',
    recipientContact: 'Contact of the receiving party',
    reason: 'Reason',
    reasons: { merger: 'Merger', division: 'Division of the company', acquisition: 'Acquisition', other: 'Transfer of the business' },
    transferPurpose: 'Purpose of the receiving party',
    scope: 'Information transferred',
    notifiedAt: 'Notified',
    deadline: 'Answer by',
    reference: 'Notice reference',
    yourAnswer: 'Your answer',
    answers: { consent: 'Consented', object: 'Objected', legal_basis: 'Recorded on another legal basis', none: 'Not answered yet' },
    noticeText: 'Full notice',
    closed: 'This transfer has been carried out and no longer takes answers.',
    consentTransfer: 'Consent to the transfer',
    objectTransfer: 'Object to the transfer',
    confirmTransfer: {
      consent: {
        title: 'Consent to the transfer',
        body: (r) => `Consent to the transfer of the information above to "${r}"?`,
        note: 'You can still object until the transfer is carried out.',
        button: 'Consent',
      },
      object: {
        title: 'Object to the transfer',
        body: (r) => `Object to the transfer of your personal information to "${r}"?`,
        note: 'If you object, your personal information is not transferred to this party. You can change your answer until the transfer is carried out.',
        button: 'Object',
      },
    },
    answered: (a) =>
      a === 'consent'
        ? 'Your answer is recorded: you consent to the transfer.'
        : 'Your answer is recorded: you object. Your personal information will not be transferred.',
  },
};

/** A timestamp for people: `YYYY-MM-DD HH:mm` in the browser's time zone. */
export function formatTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** What a notice's answer shows as: the latest answer, or none yet. */
export const answerKey = (n: Pick<MyTransferNotice, 'answer'>): TransferAnswer | 'none' => n.answer ?? 'none';
