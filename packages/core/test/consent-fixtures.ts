import { randomBytes } from 'node:crypto';
import type { Actor, Core, NoticeContent } from '../src/index.js';
import { makeUser } from './helpers.js';

export function noticeContentFor(sensitive: string[]): NoticeContent {
  const el = (lang: string) => ({
    purpose: `${lang}: membership service`,
    method: `${lang}: web form`,
    scope: `${lang}: name, mobile, resident ID`,
    retention: `${lang}: 3 years after the membership ends`,
    scenarios: `${lang}: points and offers`,
    controllerName: 'Example Retail Ltd',
    controllerContact: 'privacy@example.com',
    rights: `${lang}: access, correction, deletion, withdrawal in the portal`,
    sensitive: sensitive.map((field) => ({ field, necessity: `${lang}: needed for ${field}`, impact: `${lang}: impact of ${field}` })),
  });
  return { 'zh-CN': el('zh'), en: el('en') };
}

export interface PurposeFixture {
  purposeId: string;
  code: string;
  noticeId: string;
  noticeHash: string;
  channelId: string;
  channelKey: string;
  importChannelId: string;
  author: Actor;
  approver: Actor;
  staff: Actor;
}

/** An active, consent-based purpose with a published notice and a web channel and an import channel. */
export async function seedPurpose(
  core: Core,
  opts: { fields?: string[]; legalBasis?: 'consent' | 'contract'; code?: string; staffRoles?: Actor['roles'] } = {},
): Promise<PurposeFixture> {
  const fields = opts.fields ?? ['name', 'mobile', 'email', 'resident_id', 'health'];
  const author = await makeUser(core, ['department_head']);
  const approver = await makeUser(core, ['compliance_officer']);
  const staff = await makeUser(core, opts.staffRoles ?? ['staff'], { departmentId: author.departmentId! });
  const code = opts.code ?? `p_${randomBytes(4).toString('hex')}`;
  const cats = await core.catalogue.list(approver);
  const sensitive = fields.filter((f) => cats.find((c) => c.code === f)?.sensitivity === 'sensitive');
  const p = await core.purposes.create(author, {
    code,
    name: { 'zh-CN': '会员服务', en: 'Membership' },
    description: { 'zh-CN': '提供会员积分服务', en: 'Membership points service' },
    businessLine: 'retail',
    ownerDepartmentId: author.departmentId!,
    legalBasis: opts.legalBasis ?? 'consent',
    fields,
    necessity: Object.fromEntries(sensitive.map((f) => [f, { 'zh-CN': `需要${f}`, en: `needs ${f}` }])),
    scenarios: [{ 'zh-CN': '积分', en: 'points' }],
    retention: { days: 1095, trigger: 'relationship_end' },
  });
  await core.purposes.submit(author, p.id);
  await core.purposes.approve(approver, p.id, { comment: 'ok' });
  await core.purposes.activate(author, p.id);
  const n = await core.notices.create(author, { purposeId: p.id, content: noticeContentFor(sensitive) });
  const published = await core.notices.publish(author, n.id);
  const ch = await core.channels.create(approver, {
    code: `web_${randomBytes(3).toString('hex')}`,
    name: { 'zh-CN': '官网', en: 'Website' },
    type: 'web_form',
    ownerDepartmentId: author.departmentId!,
    allowedOrigins: ['http://127.0.0.1:5555'],
  });
  const imp = await core.channels.create(approver, {
    code: `imp_${randomBytes(3).toString('hex')}`,
    name: { 'zh-CN': '导入', en: 'Import' },
    type: 'bulk_import',
    ownerDepartmentId: author.departmentId!,
  });
  return {
    purposeId: p.id,
    code,
    noticeId: published.id,
    noticeHash: published.contentHash!,
    channelId: ch.id,
    channelKey: ch.publicKey!,
    importChannelId: imp.id,
    author,
    approver,
    staff,
  };
}

/**
 * P5.2: an approved use application (staff applies; the department head, then a management
 * approver approve), so the fixture's staff hold a live grant to view these fields of any customer.
 */
export async function grantUse(core: Core, f: PurposeFixture, fields: string[], days = 30): Promise<string> {
  const manager = await makeUser(core, ['management_approver']);
  const cats = await core.catalogue.list(f.approver);
  const sensitive = fields.some((x) => cats.find((c) => c.code === x)?.sensitivity === 'sensitive');
  const app = await core.use.create(f.staff, {
    purposeCode: f.code,
    scenario: 'customer service',
    fields,
    customerScope: { kind: 'all' },
    method: 'view',
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    validUntil: new Date(Date.now() + days * 86_400_000).toISOString(),
    justification: 'answering customers’ calls',
  });
  await core.use.submit(f.staff, app.id);
  await core.use.review(f.author, app.id, { decision: 'approve' });
  const done = await core.use.review(manager, app.id, { decision: 'approve' });
  if (sensitive) {
    const approved = await core.use.review(f.approver, app.id, { decision: 'approve' });
    return approved.grantId!;
  }
  return done.grantId!;
}

export interface RevealAccess extends PurposeFixture {
  /** The grant the fixture's staff hold for these fields; null when asked for none. */
  grantId: string | null;
}

/**
 * What a plain read (reveal) needs (P5.1, P5.2), in one step: an active registered purpose over
 * `fields` (legal basis contract by default, so customers stored directly through the vault are
 * covered without consent records; 'consent' when the test records consent), assigned to the
 * staff member's department (added to what it holds), and a live grant (an approved use
 * application) for those fields of any customer. Reveal as `staff`, naming `code`.
 */
export async function seedRevealAccess(
  core: Core,
  opts: { fields: string[]; legalBasis?: 'consent' | 'contract'; code?: string; grant?: boolean },
): Promise<RevealAccess> {
  const f = await seedPurpose(core, { fields: opts.fields, legalBasis: opts.legalBasis ?? 'contract', code: opts.code });
  const dept = f.staff.departmentId!;
  const held = await core.customers.listDepartmentPurposes(f.approver, dept);
  await core.customers.setDepartmentPurposes(f.approver, dept, { purposes: [...held, f.code] });
  const grantId = opts.grant === false ? null : await grantUse(core, f, opts.fields);
  return { ...f, grantId };
}
