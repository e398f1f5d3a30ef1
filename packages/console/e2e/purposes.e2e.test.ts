/**
 * Browser test of the console's purpose, notice and consent pages against the real built server.
 *
 * Arranges through the API: a department head drafts and submits a purpose and a notice, a
 * staff member collects a customer under a second, already active purpose. Then in Chromium: the
 * compliance officer approves the submitted purpose on the Purposes page (four eyes: the author
 * is someone else), the department head activates it and publishes its notice after the page
 * shows the missing elements; the notice preview shows the customer's view; the customer's
 * consent tab shows the ledger with the notice hash; the statistics page counts the consents.
 * Leaves test-results/console-purposes.png and test-results/console-consents.png.
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
  signIn,
  skipReason,
  startServer,
  type ApiClient,
  type TestBrowser,
  type TestServer,
} from './support';

const SKIP = skipReason();
if (SKIP) console.warn(`SKIPPED browser purposes suite: ${SKIP}`);
const PASSWORD = 'Tea-Garden-Lantern-42';

const elements = (lang: string, withRetention = true) => ({
  purpose: `${lang} 会员服务`,
  method: `${lang} 网页表单`,
  scope: `${lang} 姓名、手机号码`,
  retention: withRetention ? `${lang} 三年` : '',
  scenarios: `${lang} 积分`,
  controllerName: '示例零售有限公司',
  controllerContact: 'privacy@example.com',
  rights: `${lang} 查询、更正、撤回`,
  sensitive: [],
});

describe.skipIf(SKIP)('purposes, notices and consents in the console', () => {
  let server: TestServer;
  let b: TestBrowser;
  let head: ApiClient;
  let officer: ApiClient;
  let deptId = '';
  const code = `loyalty_${randomBytes(2).toString('hex')}`;
  const active = `service_${randomBytes(2).toString('hex')}`;
  let customerId = '';
  let draftNoticeId = '';

  const purposeBody = (c: string) => ({
    code: c,
    name: { 'zh-CN': c === code ? '积分计划' : '售后服务', en: c === code ? 'Loyalty' : 'After-sales' },
    description: { 'zh-CN': '说明', en: 'Description' },
    businessLine: 'retail',
    ownerDepartmentId: deptId,
    legalBasis: 'consent',
    fields: ['name', 'mobile'],
    necessity: {},
    scenarios: [{ 'zh-CN': '积分', en: 'Points' }],
    retention: { days: 365, trigger: 'collection' },
  });

  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    server = await startServer();
    const admin = await apiLogin(server.baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    deptId = (await admin.call<{ id: string }>('POST', '/api/v1/departments', { name: '会员部' })).id;
    const mk = async (username: string, roles: string[]) => {
      await admin.call('POST', '/api/v1/users', { username, displayName: username, password: PASSWORD, departmentId: deptId, roles });
      return apiLogin(server.baseUrl, username, PASSWORD);
    };
    head = await mk('head2', ['department_head']);
    officer = await mk('officer2', ['compliance_officer']);
    const staff = await mk('staff2', ['staff']);
    // A purpose waiting for approval, with a draft notice missing its English retention.
    const p = await head.call<{ id: string }>('POST', '/api/v1/purposes', purposeBody(code));
    await head.call('POST', `/api/v1/purposes/${p.id}/submit`);
    draftNoticeId = (
      await head.call<{ id: string }>('POST', '/api/v1/notices', {
        purposeId: p.id,
        content: { 'zh-CN': elements('zh'), en: elements('en', false) },
      })
    ).id;
    // An active purpose with a published notice and a collected customer.
    const a = await head.call<{ id: string }>('POST', '/api/v1/purposes', purposeBody(active));
    await head.call('POST', `/api/v1/purposes/${a.id}/submit`);
    await officer.call('POST', `/api/v1/purposes/${a.id}/approve`, {});
    await head.call('POST', `/api/v1/purposes/${a.id}/activate`);
    const n = await head.call<{ id: string }>('POST', '/api/v1/notices', {
      purposeId: a.id,
      content: { 'zh-CN': elements('zh'), en: elements('en') },
    });
    await head.call('POST', `/api/v1/notices/${n.id}/publish`);
    const ch = await officer.call<{ id: string }>('POST', '/api/v1/channels', {
      code: `branch_${randomBytes(2).toString('hex')}`,
      name: { 'zh-CN': '门店', en: 'Branch' },
      type: 'in_branch',
      ownerDepartmentId: deptId,
    });
    const res = await fetch(`${server.baseUrl}/api/v1/collections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        purposeCode: active,
        noticeId: n.id,
        channelId: ch.id,
        fields: { name: '林一', mobile: '13600136000' },
        consent: { method: 'paper_signature', scope: ['name', 'mobile'], separate: [] },
      }),
    });
    expect(res.status).toBe(201);
    customerId = ((await res.json()) as { customerId: string }).customerId;
    b = await launchBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  it('lets the compliance officer approve a submitted purpose from the Purposes page', async () => {
    const { page } = b;
    await signIn(page, server.baseUrl, 'officer2', PASSWORD);
    await page.goto(`${server.baseUrl}/#/purposes`);
    const row = page.getByTestId(`purpose-row-${code}-v1`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('submitted');
    await page.getByTestId(`purpose-approve-${code}`).click();
    await page.getByTestId('purpose-review-comment').fill('符合最小必要原则');
    await page.getByTestId('purpose-review-submit').click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('approved');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'console-purposes.png'), fullPage: true });
    expect(b.pageErrors).toEqual([]);
  });

  it('lets the department head activate it and publish its notice once complete', async () => {
    const { context } = b;
    await context.clearCookies();
    const page = await context.newPage();
    await signIn(page, server.baseUrl, 'head2', PASSWORD);
    await page.goto(`${server.baseUrl}/#/purposes`);
    await page.getByTestId(`purpose-activate-${code}`).click();
    await page.getByTestId(`purpose-activate-confirm-${code}`).click();
    await expect.poll(() => page.getByTestId(`purpose-row-${code}-v1`).getAttribute('data-status')).toBe('active');
    await page.goto(`${server.baseUrl}/#/notices`);
    await page.getByTestId(`notice-edit-${code}-v1`).click();
    await page.getByTestId('notice-publish').click();
    await page.getByTestId('notice-publish-confirm').click();
    await expect.poll(() => page.getByTestId('notice-problems').innerText()).toContain('保存期限');
    await page
      .getByTestId('notice-tab-main')
      .click()
      .catch(() => undefined);
    await page.getByTestId('notice-en-retention').fill('three years after the last order');
    await page.getByTestId('notice-save').click();
    await page.getByTestId('notice-publish').click();
    await page.getByTestId('notice-publish-confirm').click();
    const row = page.getByTestId(`notice-row-${code}-v1`);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('published');
    const published = await head.call<{ items: Array<{ id: string; status: string; contentHash: string | null }> }>(
      'GET',
      `/api/v1/notices?purposeCode=${code}`,
    );
    expect(published.items.find((x) => x.id === draftNoticeId)).toMatchObject({
      status: 'published',
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await page.getByTestId(`notice-preview-${code}-v1`).click();
    await expect.poll(() => page.getByTestId('notice-view').innerText()).toContain('示例零售有限公司');
    await page.close();
  });

  it('shows a customer’s consent ledger and the statistics', async () => {
    const { context } = b;
    await context.clearCookies();
    const page = await context.newPage();
    await signIn(page, server.baseUrl, 'officer2', PASSWORD);
    await page.goto(`${server.baseUrl}/#/customers/${customerId}`);
    await page.getByTestId('consent-tab').click();
    const state = page.getByTestId(`consent-state-${active}-mobile`);
    await expect.poll(() => state.getAttribute('data-status')).toBe('granted');
    await expect.poll(() => page.getByTestId('consent-ledger').innerText()).toContain('纸质签字');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'console-consents.png'), fullPage: true });
    await page.goto(`${server.baseUrl}/#/consent-statistics`);
    // One customer consented to name and mobile: two granted, none withdrawn.
    await expect.poll(() => page.getByTestId(`consent-stats-bar-${active}-granted`).innerText()).toBe('2');
    expect((await page.getByTestId(`consent-stats-bar-${active}-withdrawn`).innerText()).trim()).toBe('0');
    await page.close();
  });
});
