/**
 * Browser test of the console's retention page (数据保留) against the real built server.
 *
 * Arranges through the API: a staff member stores three customers holding only an employer
 * (the vault's createCustomer: no consent-ledger entry, so a category rule alone governs them);
 * the compliance officer records the end of their relationships, two of them ten days ago and one
 * twelve hours ago. (A purpose's clock restarts at its latest grant, which is always "now" for
 * a customer collected through the API, so the past relationship end is the reliable way to
 * have expired data.) Then in Chromium as the compliance officer: creates a 1-day
 * relationship-end rule for the employer category, sees the upcoming expiry and the two due
 * customers, places a legal hold on one due customer, previews the sweep (the held customer is
 * not in the plan, the other is), runs it, sees the run's report with one destruction record,
 * and releases the hold. Leaves test-results/retention-runs.png and retention-report.png.
 */
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
if (SKIP) console.warn(`SKIPPED browser retention suite: ${SKIP}`);
const PASSWORD = 'Quiet-River-Stone-58';
const DAY = 24 * 3600 * 1000;

interface Hold {
  id: string;
  customerId: string | null;
  releasedAt: string | null;
}
interface Rule {
  id: string;
  key: string;
  categoryCode: string | null;
  status: string;
}

describe.skipIf(SKIP)('retention in the console', () => {
  let server: TestServer;
  let b: TestBrowser;
  let officer: ApiClient;
  /** Expired ten days ago and not held: destroyed by the sweep. */
  let expired = '';
  /** Expired ten days ago, then held in the UI: kept. */
  let held = '';
  /** Expires in about twelve hours: an upcoming expiry. */
  let upcoming = '';
  let holdId = '';

  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    server = await startServer();
    const admin = await apiLogin(server.baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    const dept = await admin.call<{ id: string }>('POST', '/api/v1/departments', { name: '客户服务部' });
    const mk = async (username: string, roles: string[]) => {
      await admin.call('POST', '/api/v1/users', { username, displayName: username, password: PASSWORD, departmentId: dept.id, roles });
      return apiLogin(server.baseUrl, username, PASSWORD);
    };
    officer = await mk('officer7', ['compliance_officer']);
    const staff = await mk('clerk7', ['staff']);
    const create = async (employer: string) => (await staff.call<{ id: string }>('POST', '/api/v1/customers', { fields: { employer } })).id;
    expired = await create('示例贸易有限公司');
    held = await create('示例物流有限公司');
    upcoming = await create('示例科技有限公司');
    const end = async (id: string, ago: number) =>
      officer.call('POST', `/api/v1/customers/${id}/relationship-end`, {
        endedAt: new Date(Date.now() - ago).toISOString(),
        reason: '客户注销账户',
      });
    await end(expired, 10 * DAY);
    await end(held, 10 * DAY);
    await end(upcoming, DAY / 2);
    b = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  }, 30_000);

  it('creates a retention rule in the UI', async () => {
    const { page } = b;
    await signIn(page, server.baseUrl, 'officer7', PASSWORD);
    await page.getByTestId('nav-retention').click();
    await page.getByTestId('retention-tab-rules').waitFor();
    expect(new URL(page.url()).hash).toBe('#/retention');
    expect(await page.getByTestId('page-title').innerText()).toBe('数据保留');

    await page.getByTestId('retention-rule-create').click();
    await page.getByTestId('retention-rule-form').waitFor();
    await page.getByTestId('retention-rule-form-category').click();
    await page.keyboard.type('employer');
    await page.getByTestId('retention-rule-category-employer').click();
    await page.getByTestId('retention-rule-form-days').fill('1');
    // Defaults: from the end of the relationship, delete.
    expect(await page.getByTestId('retention-rule-form').innerText()).toContain('自业务关系终止之日起');
    await page.getByTestId('retention-rule-form-description').fill('客户关系终止后工作单位信息不再需要');
    await page.getByTestId('retention-rule-submit').click();
    await page.getByTestId('retention-rule-form').waitFor({ state: 'detached' });

    const rules = (await officer.call<{ items: Rule[] }>('GET', '/api/v1/retention/rules')).items;
    const rule = rules.find((r) => r.categoryCode === 'employer' && r.status === 'active');
    expect(rule).toBeDefined();
    const row = page.getByTestId(`retention-rule-row-${rule!.id}`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('active');
    const text = await row.innerText();
    expect(text).toContain('工作单位');
    expect(text).toContain('1 天');
    expect(text).toContain('删除');
    expect(b.pageErrors).toEqual([]);
  });

  it('shows the upcoming expiry and the customers already due', async () => {
    const { page } = b;
    await page.getByTestId('retention-tab-expiries').click();
    const row = page.getByTestId(`retention-expiry-row-${upcoming}`);
    await row.waitFor();
    expect(await row.getAttribute('data-scope')).toBe('customer');
    expect(await row.innerText()).toContain(upcoming.slice(0, 8));
    expect(await row.innerText()).toContain('整个客户');
    expect(await row.getByTestId(`retention-customer-${upcoming}`).getAttribute('href')).toBe(`#/customers/${upcoming}`);
    await expect.poll(() => page.getByTestId('retention-expiries-due').innerText()).toContain('2');
    expect(await page.getByTestId('retention-expiries-total').innerText()).toContain('1');
  });

  it('places a legal hold on one due customer', async () => {
    const { page } = b;
    await page.getByTestId('retention-tab-holds').click();
    await page.getByTestId('retention-hold-create').click();
    await page.getByTestId('retention-hold-form').waitFor();
    await page.getByTestId('retention-hold-form-customer').fill(held);
    await page.getByTestId('retention-hold-form-reason').fill('客户涉及合同纠纷诉讼');
    await page.getByTestId('retention-hold-form-basis').fill('（2026）沪0101民初1234号 证据保全裁定');
    await page.getByTestId('retention-hold-submit').click();
    await page.getByTestId('retention-hold-form').waitFor({ state: 'detached' });

    const holds = (await officer.call<{ items: Hold[] }>('GET', '/api/v1/retention/holds')).items;
    holdId = holds.find((h) => h.customerId === held)?.id ?? '';
    expect(holdId).not.toBe('');
    const row = page.getByTestId(`retention-hold-row-${holdId}`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('active');
    expect(await row.innerText()).toContain('保全中');
    expect(await row.innerText()).toContain('officer7');
  });

  it('previews the sweep: the held customer is not in the plan, the other is', async () => {
    const { page } = b;
    await page.getByTestId('retention-tab-runs').click();
    await page.getByTestId('retention-preview').click();
    const report = page.getByTestId('retention-report');
    await report.waitFor();
    expect(await report.getAttribute('data-kind')).toBe('preview');
    await page.getByTestId(`retention-plan-row-${expired}`).waitFor();
    expect(await page.getByTestId(`retention-plan-row-${expired}`).getAttribute('data-action')).toBe('delete');
    expect(await page.getByTestId(`retention-plan-row-${held}`).count()).toBe(0);
    expect(await page.getByTestId(`retention-plan-row-${upcoming}`).count()).toBe(0);
    expect(await page.getByTestId('retention-count-deleted').getAttribute('data-value')).toBe('1');
    expect(await page.getByTestId('retention-count-held').getAttribute('data-value')).toBe('1');
    await page.keyboard.press('Escape');
    await report.waitFor({ state: 'detached' });
  });

  it('runs the sweep after confirming and shows the report with one destruction record', async () => {
    const { page } = b;
    await page.getByTestId('retention-run').click();
    await page.getByTestId('retention-run-confirm').click();
    const report = page.getByTestId('retention-report');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('data-kind')).toBe('run');
    expect(await report.getAttribute('data-destructions')).toBe('1');
    const record = page.getByTestId(`retention-destruction-row-${expired}`);
    await record.waitFor();
    expect(await record.getAttribute('data-action')).toBe('delete');
    expect(await record.innerText()).toContain('密钥销毁');
    expect(await page.getByTestId(`retention-destruction-row-${held}`).count()).toBe(0);
    // Let the confirmation fade and the drawer finish sliding in before the picture.
    await page.getByTestId('retention-run-confirm').waitFor({ state: 'hidden' });
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'retention-report.png'), fullPage: true });
    await page.keyboard.press('Escape');
    await report.waitFor({ state: 'detached' });

    const runs = (await officer.call<{ items: { id: string; status: string }[] }>('GET', '/api/v1/retention/runs')).items;
    expect(runs).toHaveLength(1);
    const row = page.getByTestId(`retention-run-row-${runs[0]!.id}`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('completed');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'retention-runs.png'), fullPage: true });

    // The destroyed customer is gone; the held one is still there.
    const gone = await fetch(`${server.baseUrl}/api/v1/customers/${expired}`, { headers: { authorization: `Bearer ${officer.token}` } });
    if (gone.ok) expect(((await gone.json()) as { status: string }).status).toBe('deleted');
    else expect([404, 410]).toContain(gone.status);
    const kept = await officer.call<{ status: string }>('GET', `/api/v1/customers/${held}`);
    expect(kept.status).toBe('active');
  });

  it('releases the hold after confirming', async () => {
    const { page } = b;
    await page.getByTestId('retention-tab-holds').click();
    await page.getByTestId(`retention-hold-release-${holdId}`).click();
    await page.getByTestId('retention-hold-release-reason').fill('诉讼已结案');
    await page.getByTestId('retention-hold-release-submit').click();
    const row = page.getByTestId(`retention-hold-row-${holdId}`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('released');
    expect(await row.innerText()).toContain('诉讼已结案');
    expect(await page.getByTestId(`retention-hold-release-${holdId}`).count()).toBe(0);
    expect(b.pageErrors).toEqual([]);
  });
});
