/**
 * Browser test of transfer notices in the customer self-service portal (#6 item 4; P6.1,
 * PIPL Art. 22), against the real built server.
 *
 * Arranges through the API: a consent-based purpose with a published notice; customer A collected
 * for it by staff with consent (name and email), customer B stored by staff; a completed impact
 * assessment about a transfer; a transfer campaign (acquisition) over both, approved by
 * management; notices sent by e-mail; B's consent recorded by staff. Then in Chromium: A signs in
 * to the portal with the one-time code (read from the development notifier's log line), sees the
 * notice (receiving party, contact, reason, purpose, scope, reference, no answer yet), objects,
 * confirms, and sees the result. Through the API: the campaign records A's objection from the
 * portal; executing it transfers B only and excludes A as an objector. A's portal then shows the
 * transfer as closed with no buttons. Leaves test-results/portal-transfer.png.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  RESULTS_DIR,
  apiLogin,
  launchBrowser,
  skipReason,
  sleep,
  startServer,
  type ApiClient,
  type TestBrowser,
  type TestServer,
} from './support';

const SKIP = skipReason();
if (SKIP) console.warn(`SKIPPED browser portal-transfer suite: ${SKIP}`);

const PASSWORD = 'Plum-River-Compass-31';
const A = { name: '林小雨', email: 'lin.xiaoyu@example.com' };
const B = { name: '陈大山', email: 'chen.dashan@example.com' };
const PARTY = { name: '乙方科技有限公司', contact: 'dpo@yifang.example.cn' };
const TRANSFER_PURPOSE = '继续提供会员积分服务';

interface Campaign {
  id: string;
  status: string;
  counts: { inScope: number; consented: number; objected: number; noAnswer: number; transferred: number };
}
interface Notice {
  customerId: string;
  reference: string;
  answer: string | null;
  answeredVia: string | null;
  outcome: string | null;
}

describe.skipIf(SKIP)('transfer notices in the self-service portal in Chromium', () => {
  let server: TestServer;
  let b: TestBrowser;
  let co: ApiClient;
  let mgr: ApiClient;
  let campaignId = '';
  let customerA = '';
  let customerB = '';

  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    // Log level info: the development notifier logs the portal's one-time code.
    server = await startServer({ env: { CUSTOS_LOG_LEVEL: 'info' } });
    const admin = await apiLogin(server.baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    const dept = await admin.call<{ id: string }>('POST', '/api/v1/departments', { name: '会员中心' });
    const mk = async (username: string, roles: string[]) => {
      await admin.call('POST', '/api/v1/users', { username, displayName: username, password: PASSWORD, departmentId: dept.id, roles });
      return apiLogin(server.baseUrl, username, PASSWORD);
    };
    const head = await mk('head1', ['department_head']);
    co = await mk('co1', ['compliance_officer']);
    mgr = await mk('mgr1', ['management_approver']);
    const staff = await mk('staff1', ['staff']);

    // A consent-based purpose over name and email, with a published notice, assigned to the department.
    const code = `points_${randomBytes(2).toString('hex')}`;
    const p = await head.call<{ id: string }>('POST', '/api/v1/purposes', {
      code,
      name: { 'zh-CN': '会员积分', en: 'Membership points' },
      description: { 'zh-CN': '会员积分与通知', en: 'Membership points and notices' },
      businessLine: 'retail',
      ownerDepartmentId: dept.id,
      legalBasis: 'consent',
      fields: ['name', 'email'],
      scenarios: [{ 'zh-CN': '积分', en: 'Points' }],
      retention: { days: 1095, trigger: 'relationship_end' },
    });
    await head.call('POST', `/api/v1/purposes/${p.id}/submit`);
    await co.call('POST', `/api/v1/purposes/${p.id}/approve`, { comment: '同意' });
    await head.call('POST', `/api/v1/purposes/${p.id}/activate`);
    const el = (zh: boolean) => ({
      purpose: zh ? '会员积分与通知' : 'Membership points and notices',
      method: zh ? '门店登记' : 'Registered in store',
      scope: zh ? '姓名、电子邮箱' : 'Name, email address',
      retention: zh ? '会员关系结束后三年' : 'Three years after the membership ends',
      scenarios: zh ? '积分' : 'Points',
      controllerName: '示例零售有限公司',
      controllerContact: 'privacy@example.com',
      rights: zh ? '您可在个人中心查询并撤回同意' : 'You can access your data and withdraw consent in the portal',
      sensitive: [],
    });
    const n = await head.call<{ id: string }>('POST', '/api/v1/notices', {
      purposeId: p.id,
      content: { 'zh-CN': el(true), en: el(false) },
    });
    await head.call('POST', `/api/v1/notices/${n.id}/publish`);
    await co.call('PUT', `/api/v1/departments/${dept.id}/purposes`, { purposes: [code] });
    const branch = await co.call<{ id: string }>('POST', '/api/v1/channels', {
      code: `branch_${randomBytes(2).toString('hex')}`,
      name: { 'zh-CN': '门店', en: 'Branch' },
      type: 'in_branch',
      ownerDepartmentId: dept.id,
    });

    // Customer A: collected by staff at the branch for the purpose, with the customer's signed consent.
    const res = await fetch(`${server.baseUrl}/api/v1/collections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        purposeCode: code,
        noticeId: n.id,
        channelId: branch.id,
        fields: A,
        consent: { method: 'paper_signature', scope: ['name', 'email'], evidence: { documentHash: 'c'.repeat(64) } },
      }),
    });
    const collected = (await res.json()) as { customerId: string; consentIds: string[] };
    expect(res.status, JSON.stringify(collected)).toBe(201);
    expect(collected.consentIds.length).toBeGreaterThan(0);
    customerA = collected.customerId;
    customerB = (await staff.call<{ id: string }>('POST', '/api/v1/customers', { fields: B })).id;

    // A completed impact assessment about a transfer: drafted by the officer, completed by management.
    const { items } = await co.call<{
      items: Array<{ questions: Array<{ id: string; kind: string; required: boolean; options?: Array<{ value: string }> }> }>;
    }>('GET', '/api/v1/impact-assessments/templates');
    const answers = items[0]!.questions
      .filter((q) => q.required)
      .map((q) => ({ questionId: q.id, value: q.kind === 'choice' ? q.options![0]!.value : '说明' }));
    const pia = await co.call<{ id: string }>('POST', '/api/v1/impact-assessments', {
      subjectKind: 'transfer',
      title: '收购转让影响评估',
      answers,
    });
    await mgr.call('POST', `/api/v1/impact-assessments/${pia.id}/complete`, { comment: '同意' });

    // The campaign: created by the officer, approved by management, notices sent by e-mail.
    const c = await co.call<Campaign>('POST', '/api/v1/transfer-campaigns', {
      title: '甲公司被乙公司收购',
      reason: 'acquisition',
      receivingParty: PARTY,
      purpose: TRANSFER_PURPOSE,
      fields: ['name', 'email'],
      customerScope: { kind: 'list', ids: [customerA, customerB] },
      channels: ['email'],
      impactAssessmentId: pia.id,
    });
    campaignId = c.id;
    await mgr.call('POST', `/api/v1/transfer-campaigns/${campaignId}/approve`, { comment: '同意' });
    const sent = await co.call<Campaign>('POST', `/api/v1/transfer-campaigns/${campaignId}/notices`);
    expect(sent.status).toBe('notifying');
    expect(sent.counts.inScope).toBe(2);
    // B agrees by a signed reply letter, recorded by staff.
    await co.call('POST', `/api/v1/transfer-campaigns/${campaignId}/responses`, {
      customerId: customerB,
      answer: 'consent',
      channel: 'reply_letter',
      evidence: { documentHash: 'a'.repeat(64) },
    });
    b = await launchBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  const notices = async () =>
    (await co.call<{ items: Notice[] }>('GET', `/api/v1/transfer-campaigns/${campaignId}/notices?limit=50`)).items;

  it('shows the notice to the signed-in customer, records the objection, and execution excludes the customer', async () => {
    const { page } = b;
    // Sign in with the e-mail address and the one-time code from the development notifier's log.
    const before = server.output().length;
    await page.goto(`${server.baseUrl}/portal/`);
    await page.getByTestId('portal-contact').fill(A.email);
    await page.getByTestId('portal-send').click();
    await page.getByTestId('portal-code').waitFor();
    let otp = '';
    for (let i = 0; i < 60 && !otp; i++) {
      const codes = [
        ...server
          .output()
          .slice(Math.max(0, before - 20_000))
          .matchAll(/验证码是 (\d{6})/g),
      ];
      if (codes.length) otp = codes[codes.length - 1]![1]!;
      else await sleep(250);
    }
    expect(otp).toMatch(/^\d{6}$/);
    await page.getByTestId('portal-code').fill(otp);
    await page.getByTestId('portal-verify').click();
    await page.getByTestId('portal-overview').waitFor();

    // The notice: who receives what, why, and how to answer; zh-CN by default.
    const item = page.getByTestId(`portal-transfer-${campaignId}`);
    await item.waitFor();
    expect(await page.locator('#transfers-title').innerText()).toBe('数据转移通知');
    expect(await item.getAttribute('data-answer')).toBe('none');
    expect(await item.locator('h3').innerText()).toBe('甲公司被乙公司收购');
    const cell = (id: string) => item.getByTestId(`portal-transfer-${campaignId}-${id}`).innerText();
    expect(await cell('recipient')).toBe(PARTY.name);
    expect(await cell('contact')).toBe(PARTY.contact);
    expect(await cell('reason')).toBe('公司被收购');
    expect(await cell('purpose')).toBe(TRANSFER_PURPOSE);
    expect(await cell('scope')).toMatch(/姓名.*(邮箱|电子邮件)/);
    expect(await cell('answer')).toBe('尚未答复');
    const reference = (await notices()).find((x) => x.customerId === customerA)!.reference;
    expect(await item.innerText()).toContain(reference);
    // English is one click away.
    await page.getByTestId('portal-lang').click();
    await expect.poll(() => page.locator('#transfers-title').innerText()).toBe('Transfer notices');
    expect(await cell('reason')).toBe('Acquisition');
    await page.getByTestId('portal-lang').click();

    // Cancelling the confirmation records nothing.
    await page.getByTestId(`portal-transfer-object-${campaignId}`).click();
    await expect.poll(() => page.getByTestId('portal-dialog').innerText()).toContain(`确定反对将您的个人信息转移给“${PARTY.name}”吗？`);
    await page.getByTestId('portal-cancel').click();
    expect((await notices()).find((x) => x.customerId === customerA)!.answer).toBeNull();

    // Object, confirm, see the result.
    await page.getByTestId(`portal-transfer-object-${campaignId}`).click();
    await page.getByTestId('portal-confirm').click();
    await expect.poll(() => item.getAttribute('data-answer')).toBe('object');
    expect(await cell('answer')).toContain('已反对转移');
    expect(await page.getByTestId('portal-status').innerText()).toContain('已记录您的答复：反对转移');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'portal-transfer.png'), fullPage: true });

    // The campaign records the objection, from the portal.
    const mine = (await notices()).find((x) => x.customerId === customerA)!;
    expect(mine).toMatchObject({ answer: 'object', answeredVia: 'portal', outcome: null });
    const c = await co.call<Campaign>('GET', `/api/v1/transfer-campaigns/${campaignId}`);
    expect(c.counts).toMatchObject({ inScope: 2, consented: 1, objected: 1, noAnswer: 0 });

    // Execution transfers B only; A is excluded as an objector.
    const done = await co.call<Campaign>('POST', `/api/v1/transfer-campaigns/${campaignId}/execute`);
    expect(done.status).toBe('executed');
    expect(done.counts).toMatchObject({ transferred: 1, objected: 1, consented: 1 });
    const outcomes = Object.fromEntries((await notices()).map((x) => [x.customerId, x.outcome]));
    expect(outcomes).toEqual({ [customerA]: 'excluded_objected', [customerB]: 'transferred' });

    // The portal now shows the transfer as closed, still with the customer's answer.
    await page.reload();
    await item.waitFor();
    expect(await item.innerText()).toContain('此转移已执行，不再接受答复。');
    expect(await page.getByTestId(`portal-transfer-object-${campaignId}`).count()).toBe(0);
    expect(await page.getByTestId(`portal-transfer-consent-${campaignId}`).count()).toBe(0);
    expect(await item.getAttribute('data-answer')).toBe('object');
    // No plain PI of the customers in the server's log.
    expect(server.output()).not.toContain(A.email);
    expect(server.output()).not.toContain(B.email);
    expect(b.pageErrors).toEqual([]);
  });
});
