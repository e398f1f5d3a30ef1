/**
 * Browser test of sharing with a third party (#6 item 3 and its Done-when; P6.1, P6.3), against
 * the real built server.
 *
 * In Chromium: a compliance officer registers a recipient, a security officer assesses it, the
 * compliance officer records its commitment and a management approver approves it. A department
 * head (the requester) creates a share request on the Share requests page: the recipient, the
 * purpose, three fields (name display-masked, mobile and preferences as collected), all
 * customers, the customers' separate consent as the basis and a completed impact assessment.
 * Another department head, the management approver and the compliance officer approve the three
 * steps. The requester executes it: of three customers, the two with a separate consent naming
 * the recipient are included and the third is excluded and counted; the one-time file holds
 * exactly the two. The compliance officer suspends the recipient; executing a second approved
 * request is then refused naming the suspension, and so is the last approval of a third.
 *
 * Arranged through the API: users, the consent-based purpose with its notice and channel, the
 * customers with their separate consents, a completed impact assessment about a share, and the
 * second and third requests with their earlier approvals. Leaves test-results/share-request.png
 * and share-refused.png.
 */
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  RESULTS_DIR,
  apiLogin,
  launchBrowser,
  closeDrawers as closeDrawersOf,
  switchUser,
  skipReason,
  startServer,
  type ApiClient,
  type TestBrowser,
  type TestServer,
} from './support';

const SKIP = skipReason();
if (SKIP) console.warn(`SKIPPED browser sharing suite: ${SKIP}`);

const PASSWORD = 'Jade-Ferry-Compass-64';
/** The machine is shared: give each round trip and re-render time. */
const POLL = { timeout: 10_000 };
/** A valid unified social credit code (GB 32100). */
const USCC = '91350100M000100Y43';
const RECIPIENT = '福州某某物流有限公司';
const FIELDS = ['name', 'mobile', 'preferences'];

interface ShareRequestView {
  id: string;
  status: string;
  step: number;
}

describe.skipIf(SKIP)('sharing customer PI with a third-party recipient in Chromium', () => {
  let server: TestServer;
  let b: TestBrowser;
  let admin: ApiClient;
  let co: ApiClient;
  let mgr: ApiClient;
  let head1: ApiClient;
  let head2: ApiClient;
  const code = `gift_${randomBytes(3).toString('hex')}`;
  let piaId = '';

  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    server = await startServer();
    admin = await apiLogin(server.baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    const compliance = await admin.call<{ id: string }>('POST', '/api/v1/departments', { name: '合规部' });
    const members = await admin.call<{ id: string }>('POST', '/api/v1/departments', { name: '会员部' });
    for (const [username, displayName, roles, dept] of [
      ['co1', '合规甲', ['compliance_officer'], compliance.id],
      ['sec1', '安全乙', ['security_officer'], compliance.id],
      ['mgr1', '审批丙', ['management_approver'], compliance.id],
      // The members department: no head is named, so any of its department heads other than the
      // requester reviews the first step.
      ['head1', '会员部负责人', ['department_head'], members.id],
      ['head2', '会员部经理', ['department_head'], members.id],
    ] as const)
      await admin.call('POST', '/api/v1/users', { username, displayName, password: PASSWORD, departmentId: dept, roles });
    co = await apiLogin(server.baseUrl, 'co1', PASSWORD);
    mgr = await apiLogin(server.baseUrl, 'mgr1', PASSWORD);
    head1 = await apiLogin(server.baseUrl, 'head1', PASSWORD);
    head2 = await apiLogin(server.baseUrl, 'head2', PASSWORD);

    // A consent-based purpose with a published notice and a channel.
    const p = await head1.call<{ id: string }>('POST', '/api/v1/purposes', {
      code,
      name: { 'zh-CN': '积分礼品配送', en: 'Gift delivery' },
      description: { 'zh-CN': '积分兑换礼品的配送', en: 'Delivering gifts bought with points' },
      businessLine: 'retail',
      ownerDepartmentId: members.id,
      legalBasis: 'consent',
      fields: FIELDS,
      necessity: {},
      scenarios: [{ 'zh-CN': '礼品配送', en: 'Delivery' }],
      retention: { days: 365, trigger: 'collection' },
    });
    await head1.call('POST', `/api/v1/purposes/${p.id}/submit`);
    await co.call('POST', `/api/v1/purposes/${p.id}/approve`, { comment: '同意' });
    await head1.call('POST', `/api/v1/purposes/${p.id}/activate`);
    const el = (lang: string) => ({
      purpose: `${lang} 积分礼品配送`,
      method: `${lang} 门店登记`,
      scope: `${lang} 姓名、手机号码、偏好`,
      retention: `${lang} 一年`,
      scenarios: `${lang} 礼品配送，经单独同意后提供给物流商`,
      controllerName: '示例零售有限公司',
      controllerContact: 'privacy@example.com',
      rights: `${lang} 查询、更正、撤回`,
      sensitive: [],
    });
    const n = await head1.call<{ id: string }>('POST', '/api/v1/notices', {
      purposeId: p.id,
      content: { 'zh-CN': el('zh'), en: el('en') },
    });
    await head1.call('POST', `/api/v1/notices/${n.id}/publish`);
    const ch = await co.call<{ id: string }>('POST', '/api/v1/channels', {
      code: `branch_${randomBytes(2).toString('hex')}`,
      name: { 'zh-CN': '门店', en: 'Branch' },
      type: 'in_branch',
      ownerDepartmentId: members.id,
    });
    // Three customers: two gave a separate consent to share with the recipient (by its credit
    // code, PIPL Art. 23), the third only the purpose's consent.
    for (const [name, mobile, separate] of [
      ['王甲', '13700000001', [{ type: 'sharing', recipient: USCC }]],
      ['王乙', '13700000002', [{ type: 'sharing', recipient: USCC }]],
      ['王丙', '13700000003', []],
    ] as const) {
      const res = await fetch(`${server.baseUrl}/api/v1/collections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${head1.token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({
          purposeCode: code,
          noticeId: n.id,
          channelId: ch.id,
          fields: { name, mobile, preferences: `偏好-${mobile.slice(-4)}` },
          consent: { method: 'paper_signature', scope: FIELDS, separate },
        }),
      });
      if (res.status !== 201) throw new Error(`collect ${name}: HTTP ${res.status} ${await res.text()}`);
    }
    // A completed impact assessment about a share: drafted by the officer, completed by management.
    const { items } = await co.call<{
      items: Array<{ questions: Array<{ id: string; kind: string; required: boolean; options?: Array<{ value: string }> }> }>;
    }>('GET', '/api/v1/impact-assessments/templates');
    const answers = items[0]!.questions
      .filter((q) => q.required)
      .map((q) => ({ questionId: q.id, value: q.kind === 'choice' ? q.options![0]!.value : '说明' }));
    const pia = await co.call<{ id: string }>('POST', '/api/v1/impact-assessments', {
      subjectKind: 'share',
      title: '物流商共享影响评估',
      answers,
    });
    await mgr.call('POST', `/api/v1/impact-assessments/${pia.id}/complete`, { comment: '同意' });
    piaId = pia.id;
    b = await launchBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  const closeDrawers = () => closeDrawersOf(b.page);
  const as = (username: string) => switchUser(b.page, server.baseUrl, username, PASSWORD);
  const pick = async (testId: string, text: string) => {
    await b.page.getByTestId(testId).click();
    await b.page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: text }).first().click();
    await expect.poll(() => b.page.locator('.ant-select-dropdown:visible').count(), POLL).toBe(0);
  };
  async function openRecipient(): Promise<void> {
    await b.page.getByTestId('nav-recipients').click();
    await b.page.getByTestId(`recipient-open-${USCC}`).click();
    await b.page.getByTestId('recipient-detail-body').waitFor();
  }
  async function openShare(id: string): Promise<void> {
    await closeDrawers();
    await b.page.getByTestId('nav-shares').click();
    await b.page.getByTestId(`share-open-${id}`).click();
    await b.page.getByTestId('share-detail-body').waitFor();
  }
  const shareStatus = () => b.page.getByTestId('share-detail-body').getAttribute('data-status');
  const recipientStatus = () => b.page.getByTestId('recipient-detail-body').getAttribute('data-status');
  const count = (id: string) => b.page.getByTestId(`share-count-${id}`).getAttribute('data-value');
  const confirm = async () => {
    await b.page.locator('.ant-modal-confirm .ant-btn-primary').click();
    await b.page.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
  };

  it('registers, assesses, commits and approves a recipient, shares to it, suspends it and sees the next share refused', async () => {
    const { page } = b;

    // --- The recipient, through the console (as in recipients.e2e) -----------------------------
    await as('co1');
    await page.getByTestId('nav-recipients').click();
    await page.getByTestId('recipient-create').click();
    await page.getByTestId('recipient-form-name').fill(RECIPIENT);
    await page.getByTestId('recipient-form-uscc').fill(USCC);
    await page.getByTestId('recipient-form-contact-name').fill('林经理');
    await page.getByTestId('recipient-form-contact-email').fill('privacy@logistics.example.cn');
    await page.getByTestId('recipient-form-region').fill('福建省福州市');
    await page.getByTestId('recipient-form-categories').click();
    for (const c of ['姓名', '手机号码', '偏好']) {
      await page.keyboard.type(c);
      await page.keyboard.press('Enter');
    }
    await page.keyboard.press('Escape');
    await page.getByTestId('recipient-form-purpose').fill('会员积分礼品配送');
    await page.getByTestId('recipient-submit').click();
    await page.getByTestId('recipient-detail-body').waitFor();
    expect(await recipientStatus()).toBe('pending');

    await as('sec1');
    await openRecipient();
    await page.getByTestId('recipient-assess').click();
    await page.getByTestId('assessment-form').waitFor();
    for (const [q, v] of [
      ['security_measures', 'comprehensive'],
      ['iso27001', 'certified'],
      ['iso27701', 'no'],
      ['mlps_level', 'level3_or_above'],
      ['incident_history', 'none'],
      ['sub_processors', 'none'],
      ['deletion_on_termination', 'contractual_with_certificate'],
      ['breach_notification', 'within_24h'],
    ])
      await page.getByTestId(`assessment-q-${q}-${v}`).click();
    await page.getByTestId('assessment-submit').click();
    await expect.poll(() => page.getByTestId('assessment-row').count(), POLL).toBe(1);
    expect(await page.getByTestId('assessment-row').first().getAttribute('data-passed')).toBe('true');

    await as('co1');
    await openRecipient();
    await page.getByTestId('recipient-commit').click();
    await page.getByTestId('commitment-hash').fill(createHash('sha256').update('dpa-signed.pdf').digest('hex'));
    await page.getByTestId('commitment-policy-version').fill('2025.1');
    await page.getByTestId('commitment-submit').click();
    await page.getByTestId('recipient-tab-commitments').click();
    await expect.poll(() => page.getByTestId('commitment-row').count(), POLL).toBe(1);

    await as('mgr1');
    await openRecipient();
    await page.getByTestId('recipient-approve').click();
    await page.getByTestId('decision-submit').click();
    await expect.poll(recipientStatus, POLL).toBe('approved');
    expect(await page.getByTestId('recipient-eligibility-alert').getAttribute('data-eligible')).toBe('true');

    // --- The share request, created in the console by head2 ----------------------------------
    await as('head2');
    await page.getByTestId('nav-shares').click();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('共享申请');
    await page.getByTestId('share-create').click();
    await page.getByTestId('share-form').waitFor();
    await pick('share-form-recipient', RECIPIENT);
    await pick('share-form-purpose', code);
    await page.getByTestId('share-form-fields').click();
    for (const c of ['姓名', '手机号码', '偏好']) {
      await page.keyboard.type(c);
      await page.keyboard.press('Enter');
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.ant-select-dropdown:visible').count(), POLL).toBe(0);
    // Defaults: the name display-masked, the free-text preferences as collected; the courier needs the mobile number.
    expect(await page.getByTestId('share-form-op-name-display_mask').isChecked()).toBe(true);
    expect(await page.getByTestId('share-form-op-preferences-keep').isChecked()).toBe(true);
    // The radio button's input is hidden: click its label.
    await page.locator('label', { has: page.getByTestId('share-form-op-mobile-keep') }).click();
    expect(await page.getByTestId('share-form-op-mobile-keep').isChecked()).toBe(true);
    await pick('share-form-pia', '物流商共享影响评估');
    await page.getByTestId('share-form-justification').fill('物流商配送积分兑换的礼品');
    await page.getByTestId('share-submit').click();
    await page.getByTestId('share-detail-body').waitFor();
    expect(await shareStatus()).toBe('in_review');
    expect(await page.getByTestId('share-basis').first().getAttribute('data-basis')).toBe('separate_consent');
    const drawer = page.getByTestId('share-drawer');
    expect(await drawer.getByTestId('share-field-name').getAttribute('data-operator')).toBe('display_mask');
    expect(await drawer.getByTestId('share-field-mobile').getAttribute('data-operator')).toBe('keep');
    // The requester does not review their own request.
    expect(await page.getByTestId('share-approve').count()).toBe(0);
    const rowId = await page.getByTestId('shares-table').locator('tbody tr.ant-table-row').first().getAttribute('data-testid');
    const shareId = rowId!.replace('share-row-', '');

    // Two more requests, through the API, approved while the recipient is still eligible: the
    // second all the way, the third up to the compliance officer's step.
    const recipientId = (await co.call<{ items: Array<{ id: string; uscc: string }> }>('GET', '/api/v1/recipients')).items.find(
      (r) => r.uscc === USCC,
    )!.id;
    const body = {
      recipientId,
      purposeCode: code,
      customerScope: { kind: 'all' },
      method: 'file',
      format: 'csv',
      spec: {
        columns: [
          { field: 'name', role: 'identifier', piType: 'person_name', operator: { kind: 'display_mask' } },
          { field: 'mobile', role: 'insensitive', piType: 'cn_mobile', operator: { kind: 'keep' } },
        ],
        privacyModel: { k: 1, maxSuppression: 0 },
      },
      legalBasis: 'separate_consent',
      impactAssessmentId: piaId,
      justification: '下一批礼品配送',
    };
    const second = await head2.call<ShareRequestView>('POST', '/api/v1/share-requests', body);
    const third = await head2.call<ShareRequestView>('POST', '/api/v1/share-requests', { ...body, justification: '再下一批礼品配送' });
    for (const [reviewer, ids] of [
      [head1, [second.id, third.id]],
      [mgr, [second.id, third.id]],
      [co, [second.id]],
    ] as const)
      for (const id of ids) await reviewer.call('POST', `/api/v1/share-requests/${id}/reviews`, { decision: 'approve' });
    expect((await head2.call<ShareRequestView>('GET', `/api/v1/share-requests/${second.id}`)).status).toBe('approved');

    // --- The three steps, in the console, by three other people -------------------------------
    for (const [user, after] of [
      ['head1', 'in_review'],
      ['mgr1', 'in_review'],
      ['co1', 'approved'],
    ] as const) {
      await as(user);
      await openShare(shareId);
      await page.getByTestId('share-review-comment').fill('同意');
      await page.getByTestId('share-approve').click();
      await expect.poll(shareStatus, POLL).toBe(after);
    }
    await expect.poll(() => page.getByTestId('share-review-row').count(), POLL).toBe(3);
    // The compliance officer may not execute it: that is for the requesting department.
    expect(await page.getByTestId('share-execute').count()).toBe(0);

    // --- Execution: two included, one excluded; the file once --------------------------------
    await as('head2');
    await openShare(shareId);
    await page.getByTestId('share-execute').click();
    await confirm();
    await expect.poll(shareStatus, POLL).toBe('executed');
    expect(await count('in-scope')).toBe('3');
    expect(await count('included')).toBe('2');
    expect(await count('excluded')).toBe('1');
    expect(await count('rows')).toBe('2');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'share-request.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('share-download').click()]);
    const file = readFileSync((await download.path())!, 'utf8');
    expect(file).toContain('13700000001');
    expect(file).toContain('13700000002');
    expect(file).not.toContain('13700000003'); // no separate consent: excluded
    expect(file).toContain('王*');
    expect(file).not.toContain('王甲');
    expect(file).toContain('偏好-0001'); // kept as collected
    expect(file).not.toContain('偏好-0003');
    await expect.poll(() => page.getByTestId('share-download').getAttribute('data-used'), POLL).toBe('true');
    // The list shows the execution's counts.
    await expect.poll(() => page.getByTestId(`share-row-${shareId}`).getByTestId('share-counts').innerText(), POLL).toBe('包含 2 / 排除 1');

    // --- Suspension, in the console ----------------------------------------------------------
    await as('co1');
    await openRecipient();
    await page.getByTestId('recipient-suspend').click();
    await page.getByTestId('decision-text').fill('发现物流商日志留存不足，暂停共享');
    await page.getByTestId('decision-submit').click();
    await expect.poll(recipientStatus, POLL).toBe('suspended');
    await page.getByTestId('decision-text').waitFor({ state: 'detached' });

    // The last approval of the third request is refused, naming the suspension.
    await openShare(third.id);
    await page.getByTestId('share-approve').click();
    const refusal = page.getByTestId('share-refusal');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-action')).toBe('review');
    expect((await refusal.getAttribute('data-reasons'))!.split(' ')).toContain('suspended');
    expect(await refusal.innerText()).toContain('接收方已暂停');
    expect(await shareStatus()).toBe('in_review');

    // The requester's next share (approved before the suspension) is refused at execution.
    await as('head2');
    await openShare(second.id);
    await page.getByTestId('share-execute').click();
    await confirm();
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-action')).toBe('execute');
    expect((await refusal.getAttribute('data-reasons'))!.split(' ')).toContain('suspended');
    expect(await refusal.innerText()).toContain('接收方已暂停');
    expect(await shareStatus()).toBe('approved');
    expect(await page.getByTestId('share-execution').count()).toBe(0);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'share-refused.png'), fullPage: true });
    expect(b.pageErrors).toEqual([]);

    // One processing record (the executed share) and the audit trail of the request.
    const records = await co.call<{ items: Array<{ kind: string; subjectId: string; customerCount: number; recipientName: string }> }>(
      'GET',
      '/api/v1/processing-records?kind=share',
    );
    expect(records.items.map((r) => r.subjectId)).toEqual([shareId]);
    expect(records.items[0]).toMatchObject({ customerCount: 2, recipientName: RECIPIENT });
    const events = await admin.call<{ items: Array<{ action: string; resourceId: string }> }>(
      'GET',
      '/api/v1/audit-events?resourceType=share_request&limit=200',
    );
    const mine = events.items.filter((e) => e.resourceId === shareId).map((e) => e.action);
    for (const a of [
      'share_request.created',
      'share_request.step_approved',
      'share_request.approved',
      'share.executed',
      'share.downloaded',
    ])
      expect(mine).toContain(a);
    expect(events.items.filter((e) => e.resourceId === second.id).map((e) => e.action)).not.toContain('share.executed');
  });
});
