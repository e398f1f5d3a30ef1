/**
 * Transfer campaigns (P6.1, PIPL Art. 22) as pure functions: the notice text, the choice of
 * channel, delivery status, the campaign's counts, the printable letter batch and the
 * encrypted handover package.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import type { FieldProblem } from '../../errors.js';
import { canonicalJson } from '../notices/notices-fns.js';
import type { DeliveryStatus, NoticeChannel, TransferAnswer, TransferCounts } from './transfers-types.js';

export interface L10nText {
  'zh-CN': string;
  en: string;
}

/** Every notice must tell the customer who receives the data, how to reach them, why, what, and how to object. */
export const REQUIRED_PLACEHOLDERS = ['recipientName', 'recipientContact', 'purpose', 'scope', 'objection'] as const;
export const OPTIONAL_PLACEHOLDERS = ['reference', 'deadline', 'reason'] as const;
const KNOWN = new Set<string>([...REQUIRED_PLACEHOLDERS, ...OPTIONAL_PLACEHOLDERS]);

export const DEFAULT_NOTICE_TEMPLATE: L10nText = {
  'zh-CN':
    '尊敬的客户：因{reason}，我们拟将您的以下个人信息转移给{recipientName}（联系方式：{recipientContact}）。' +
    '接收方处理目的：{purpose}。转移的信息范围：{scope}。{objection}（通知编号：{reference}）',
  en:
    'Dear customer, because of {reason}, we intend to transfer the following personal information of yours to ' +
    '{recipientName} (contact: {recipientContact}). The recipient will process it for: {purpose}. ' +
    'Information transferred: {scope}. {objection} (Notice reference: {reference})',
};

export const REASON_TEXT: Record<string, L10nText> = {
  merger: { 'zh-CN': '公司合并', en: 'a merger' },
  division: { 'zh-CN': '公司分立', en: 'a division of the company' },
  acquisition: { 'zh-CN': '公司被收购', en: 'an acquisition' },
  other: { 'zh-CN': '业务转移', en: 'a transfer of the business' },
};

/** The placeholders a template uses, in order of appearance. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]!);
}

/** What is wrong with a notice template: a required placeholder missing, or one Custos does not fill. */
export function templateProblems(template: L10nText): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const lang of ['zh-CN', 'en'] as const) {
    const used = new Set(placeholdersOf(template[lang]));
    for (const p of REQUIRED_PLACEHOLDERS) if (!used.has(p)) problems.push({ field: `noticeTemplate.${lang}`, reason: `missing_{${p}}` });
    for (const p of used) if (!KNOWN.has(p)) problems.push({ field: `noticeTemplate.${lang}`, reason: `unknown_{${p}}` });
  }
  return problems;
}

export interface NoticeFacts {
  reason: L10nText;
  recipientName: string;
  recipientContact: string;
  purpose: string;
  scope: L10nText;
  reference: string;
  deadline: Date | null;
}

/** How to object: through the self-service portal or by replying with the reference, before the deadline if there is one. */
export function objectionText(reference: string, deadline: Date | null): L10nText {
  const d = deadline ? deadline.toISOString().slice(0, 10) : null;
  return {
    'zh-CN':
      `如您不同意转移，请${d ? `于 ${d} 前` : ''}登录客户自助门户选择“反对”，或回复本通知并注明编号 ${reference}。` +
      '未表示同意的客户，其信息不会被转移。',
    en:
      `If you do not agree, object${d ? ` by ${d}` : ''} in the customer self-service portal, or reply to this notice quoting ` +
      `reference ${reference}. Nothing is transferred for customers who have not agreed.`,
  };
}

/** The fields transferred, by their catalogue names in each language. */
export function scopeText(fields: readonly string[], names: ReadonlyMap<string, L10nText>): L10nText {
  const list = (lang: 'zh-CN' | 'en') => fields.map((f) => names.get(f)?.[lang] ?? f).join(lang === 'zh-CN' ? '、' : ', ');
  return { 'zh-CN': list('zh-CN'), en: list('en') };
}

/** Fill a template: every placeholder of each language from the facts in that language. */
export function renderNotice(template: L10nText, facts: NoticeFacts): L10nText {
  const fill = (lang: 'zh-CN' | 'en') => {
    const values: Record<string, string> = {
      reason: facts.reason[lang],
      recipientName: facts.recipientName,
      recipientContact: facts.recipientContact,
      purpose: facts.purpose,
      scope: facts.scope[lang],
      objection: objectionText(facts.reference, facts.deadline)[lang],
      reference: facts.reference,
      deadline: facts.deadline ? facts.deadline.toISOString().slice(0, 10) : lang === 'zh-CN' ? '（无）' : '(none)',
    };
    return template[lang].replace(/\{([A-Za-z]+)\}/g, (m, k: string) => values[k] ?? m);
  };
  return { 'zh-CN': fill('zh-CN'), en: fill('en') };
}

export function textHash(text: L10nText): string {
  return createHash('sha256').update(canonicalJson(text)).digest('hex');
}

const REF_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A reference the customer can read out on the phone: T-XXXX-XXXX (Crockford base 32, 40 random bits). */
export function newReference(): string {
  const b = randomBytes(8);
  let s = '';
  for (let i = 0; i < 8; i++) s += REF_ALPHABET[b[i]! & 31];
  return `T-${s.slice(0, 4)}-${s.slice(4)}`;
}

/** The first channel in the campaign's order the customer has an address for; `none` when there is none. */
export function pickChannel(order: readonly NoticeChannel[], available: ReadonlySet<NoticeChannel>): NoticeChannel | 'none' {
  return order.find((c) => available.has(c)) ?? 'none';
}

/** Where a notice stands, from its channel and its outbox message. */
export function deliveryStatus(channel: NoticeChannel | 'none', outboxStatus: string | null): DeliveryStatus {
  if (channel === 'none') return 'no_address';
  if (channel === 'letter') return 'letter';
  if (outboxStatus === 'delivered') return 'delivered';
  if (outboxStatus === 'failed') return 'failed';
  return 'queued';
}

/** Only a recorded consent or another recorded legal basis lets a customer's data go; objection and silence do not. */
export function mayTransfer(answer: TransferAnswer | null): boolean {
  return answer === 'consent' || answer === 'legal_basis';
}

export interface CampaignMember {
  delivery: DeliveryStatus;
  answer: TransferAnswer | null;
  outcome: 'transferred' | 'excluded_objected' | 'excluded_no_answer' | null;
  /** False when the customer was deleted after the notices went out. */
  active: boolean;
}

/**
 * The report's counts. `notified`: notices sent out by some channel; `delivered` counts
 * messages the transport accepted and letters put in a printable batch; `failed` counts
 * messages the outbox gave up on and customers without any address.
 */
export function campaignCounts(members: readonly CampaignMember[]): TransferCounts {
  const c: TransferCounts = {
    inScope: members.length,
    notified: 0,
    delivered: 0,
    queued: 0,
    failed: 0,
    letters: 0,
    noAddress: 0,
    consented: 0,
    objected: 0,
    legalBasis: 0,
    noAnswer: 0,
    transferred: 0,
    unavailable: 0,
  };
  for (const m of members) {
    if (m.delivery !== 'no_address') c.notified++;
    if (m.delivery === 'delivered' || m.delivery === 'letter') c.delivered++;
    if (m.delivery === 'queued') c.queued++;
    if (m.delivery === 'failed' || m.delivery === 'no_address') c.failed++;
    if (m.delivery === 'letter') c.letters++;
    if (m.delivery === 'no_address') c.noAddress++;
    if (m.answer === 'consent') c.consented++;
    else if (m.answer === 'object') c.objected++;
    else if (m.answer === 'legal_basis') c.legalBasis++;
    else c.noAnswer++;
    if (m.outcome === 'transferred') c.transferred++;
    if (!m.active) c.unavailable++;
  }
  return c;
}

export interface Letter {
  reference: string;
  name: string | null;
  address: string;
  text: L10nText;
}

/** The printable letter batch: one letter per page (form feed between them), sorted by reference. */
export function letterDocument(campaignTitle: string, letters: readonly Letter[]): string {
  const sorted = [...letters].sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
  const pages = sorted.map((l) =>
    [
      l.name ?? '',
      l.address,
      '',
      `个人信息转移告知书 / Notice of transfer of personal information — ${campaignTitle}`,
      `编号 / Reference: ${l.reference}`,
      '',
      l.text['zh-CN'],
      '',
      l.text.en,
      '',
    ].join('\n'),
  );
  return pages.join('\f\n');
}

export function sha256Hex(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The handover package: one canonical JSON line per customer, sorted by customer id. */
export function packageLines(entries: ReadonlyArray<{ customerId: string; fields: Record<string, string> }>): string {
  return [...entries]
    .sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0))
    .map((e) => canonicalJson({ customerId: e.customerId, fields: e.fields }))
    .join('\n');
}

export const PACKAGE_KDF = { N: 2 ** 15, r: 8, p: 1 } as const;

/** Encrypt the package under a passphrase: scrypt -> AES-256-GCM. */
export function encryptPackage(plain: string, passphrase: string, kdf: { N: number; r: number; p: number } = PACKAGE_KDF) {
  const salt = randomBytes(16);
  const key = scryptSync(passphrase, salt, 32, { ...kdf, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 });
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return {
    kdf: { name: 'scrypt' as const, ...kdf, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm' as const,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/** What the receiving party runs (see docs/capabilities/transfers-and-disclosure.md). */
export function decryptPackage(
  env: { kdf: { N: number; r: number; p: number; salt: string }; iv: string; tag: string; ciphertext: string },
  passphrase: string,
): string {
  const { N, r, p } = env.kdf;
  const key = scryptSync(passphrase, Buffer.from(env.kdf.salt, 'base64'), 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(env.iv, 'base64'));
  d.setAuthTag(Buffer.from(env.tag, 'base64'));
  return Buffer.concat([d.update(Buffer.from(env.ciphertext, 'base64')), d.final()]).toString('utf8');
}
