/**
 * Browser test of the customer-vault pages against the real server.
 *
 * Arranges through the API (admin bearer token): a department, a staff member in it, a
 * compliance officer and a security officer; two registered purposes (legal basis contract,
 * coded with the suggested codes customer_service and risk_assessment), of which the department
 * is assigned customer_service and the staff member holds a live grant for it (P5.1, P5.2;
 * `seedRevealAccessViaApi`). Then in Chromium, as the staff member: create a customer (a wrong check digit first,
 * shown translated on the right input), find them by mobile, check the page holds only masked
 * values, reveal the mobile for 客户服务 (plain value in the dialog only, gone after closing),
 * correct the mobile (version 2, history with the old masked value). The audit log must hold
 * `customer.revealed` without the value. The security officer then rotates the KEK and watches
 * the re-wrap job complete; the compliance officer adds a department purpose and deletes the
 * customer (typed confirmation), after which they can no longer be found or opened. Leaves `test-results/console-customer.png` (and
 * `console-customer-reveal.png`, `console-customer-history.png`, `console-keys.png`).
 *
 * Needs `npm run build` first (server and console). Skips, saying why, when the browser or a
 * build is missing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  RESULTS_DIR,
  apiLogin,
  launchBrowser,
  seedRevealAccessViaApi,
  signIn,
  skipReason,
  sleep,
  startServer,
  type ApiClient,
  type TestBrowser,
  type TestServer,
} from './support';

const SCREENSHOT = path.join(RESULTS_DIR, 'console-customer.png');
const SCREENSHOT_REVEAL = path.join(RESULTS_DIR, 'console-customer-reveal.png');
const SCREENSHOT_HISTORY = path.join(RESULTS_DIR, 'console-customer-history.png');
const SCREENSHOT_KEYS = path.join(RESULTS_DIR, 'console-keys.png');

const SKIP = skipReason();
if (SKIP) console.warn(`SKIPPED browser vault suite: ${SKIP}`);

const PASSWORD = 'Tea-Garden-Lantern-42';

/** The customer's plain values; none may appear on a page outside the reveal dialog. */
const PLAIN = {
  name: '欧阳明远',
  mobile: '13800138000',
  resident_id: '11010519491231002X',
  email: 'ouyang.mingyuan@example.com',
};
const NEW_MOBILE = '13912345678';

interface AuditEventLite {
  action: string;
  resourceId: string | null;
  purposeId: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

describe.skipIf(SKIP !== null)('customer vault pages in a browser against the real server', () => {
  let server: TestServer | undefined;
  let browser: TestBrowser | undefined;
  let baseUrl = '';
  let page: Page;
  let admin: ApiClient;

  const suffix = randomBytes(3).toString('hex');
  const deptName = `客服部-${suffix}`;
  const staff = { username: `staff.${suffix}`, displayName: '李客服' };
  const compliance = { username: `compliance.${suffix}`, displayName: '王合规' };
  const security = { username: `security.${suffix}`, displayName: '赵安全' };
  let deptId = '';
  let customerId = '';

  /** Fail fast with the server's own words when a step misbehaves. */
  const withServerOutput = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      if (err instanceof Error) err.message += `\n--- server output ---\n${server?.output() ?? ''}`;
      throw err;
    }
  };

  const plainOnPage = async () => {
    const html = await page.content();
    return Object.values(PLAIN).filter((v) => html.includes(v));
  };

  beforeAll(async () => {
    server = await startServer();
    baseUrl = server.baseUrl;

    admin = await apiLogin(baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    const dept = await admin.call<{ id: string }>('POST', '/api/v1/departments', { name: deptName });
    deptId = dept.id;
    for (const [u, roles] of [
      [staff, ['staff']],
      [compliance, ['compliance_officer']],
      [security, ['security_officer']],
    ] as const) {
      await admin.call('POST', '/api/v1/users', { ...u, password: PASSWORD, departmentId: deptId, roles });
    }
    const officer = await apiLogin(baseUrl, compliance.username, PASSWORD);
    const applicant = await apiLogin(baseUrl, staff.username, PASSWORD);
    // A reveal names an active registered purpose the department holds, covered by a live grant.
    const service = await seedRevealAccessViaApi(admin, baseUrl, {
      departmentId: deptId,
      officer,
      applicant,
      code: 'customer_service',
      name: { 'zh-CN': '客户服务', en: 'Customer service' },
      fields: ['name', 'mobile', 'resident_id', 'email'],
    });
    expect(service.grantId).toMatch(/^[0-9a-f-]{36}$/);
    // Active, but neither held by the department nor granted.
    await seedRevealAccessViaApi(admin, baseUrl, {
      departmentId: deptId,
      officer,
      code: 'risk_assessment',
      name: { 'zh-CN': '风险评估', en: 'Risk assessment' },
      fields: ['mobile'],
      assign: false,
      grant: false,
    });
    const held = await officer.call<{ purposes: string[] }>('GET', `/api/v1/departments/${deptId}/purposes`);
    expect(held.purposes).toEqual(['customer_service']);

    browser = await launchBrowser();
    page = browser.page;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, 30_000);

  it('lands the staff member on the customer vault, with the menu their roles allow', async () => {
    await signIn(page, baseUrl, staff.username, PASSWORD);
    await page.getByTestId('customer-search-form').waitFor();
    expect(new URL(page.url()).hash).toBe('#/customers');
    expect(await page.getByTestId('nav-customers').innerText()).toBe('客户信息');
    expect(await page.getByTestId('nav-keys').count()).toBe(0);
    expect(await page.getByTestId('nav-audit').count()).toBe(0);
  });

  it('creates a customer, showing a wrong check digit on the resident ID input', async () => {
    await withServerOutput(async () => {
      await page.getByTestId('customer-new').click();
      await page.getByTestId('customer-form').waitFor();
      // The default selection: name, mobile, resident ID, e-mail; the resident ID is 敏感.
      await page.getByTestId('customer-form-field-name').fill(PLAIN.name);
      await page.getByTestId('customer-form-field-mobile').fill(PLAIN.mobile);
      await page.getByTestId('customer-form-field-resident_id').fill('110105194912310021');
      await page.getByTestId('customer-form-field-email').fill(PLAIN.email);
      expect(await page.getByTestId('customer-form').innerText()).toContain('敏感');

      await page.getByTestId('customer-submit').click();
      const residentItem = page.locator('.ant-form-item', { has: page.getByTestId('customer-form-field-resident_id') });
      await residentItem.locator('.ant-form-item-explain-error', { hasText: '校验码不正确' }).waitFor();
      // Only that input is marked.
      expect(await page.locator('[data-testid="customer-form"] .ant-form-item-has-error').count()).toBe(1);

      await page.getByTestId('customer-form-field-resident_id').fill(PLAIN.resident_id);
      await page.getByTestId('customer-submit').click();
      const detail = page.getByTestId('customer-detail');
      await detail.waitFor();
      customerId = (await detail.getAttribute('data-id')) ?? '';
      expect(customerId).toMatch(/^[0-9a-f-]{36}$/);
      await page.getByTestId('customer-masked-mobile').waitFor();
      expect(await plainOnPage()).toEqual([]);
    });
  });

  it('finds the customer by mobile and shows only masked values', async () => {
    await page.getByTestId('customer-back').click();
    await page.getByTestId('customer-search-form').waitFor();
    // 手机号 is the default search type.
    expect(await page.getByTestId('customer-search-type').innerText()).toContain('手机号');
    await page.getByTestId('customer-search-value').fill(PLAIN.mobile);
    await page.getByTestId('customer-search-submit').click();
    const row = page.locator(`[data-testid="customer-row"][data-id="${customerId}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('138****8000');
    // The value went in the POST body: not in the address bar, not in storage.
    expect(page.url()).not.toContain(PLAIN.mobile);
    const stored = await page.evaluate(() => JSON.stringify({ ...window.localStorage }) + JSON.stringify({ ...window.sessionStorage }));
    expect(stored).not.toContain(PLAIN.mobile);

    await row.click();
    await page.getByTestId('customer-detail').waitFor();
    expect(new URL(page.url()).hash).toBe(`#/customers/${customerId}`);
    await expect.poll(() => page.getByTestId('customer-masked-mobile').innerText()).toBe('138****8000');
    expect(await page.getByTestId('customer-masked-resident_id').innerText()).toMatch(/^1\*+X$/);
    expect(await page.getByTestId('customer-masked-email').innerText()).toContain('*');
    expect(await page.getByTestId('customer-field-resident_id').innerText()).toContain('敏感');
    expect((await page.getByTestId('customer-version-mobile').innerText()).trim()).toBe('v1');

    const html = await page.content();
    for (const plain of Object.values(PLAIN)) expect(html).not.toContain(plain);
  });

  it('reveals the mobile for 客户服务 in the dialog only', async () => {
    await page.getByTestId('customer-reveal').click();
    await page.getByTestId('reveal-form').waitFor();
    await page.getByTestId('reveal-field-mobile').click();
    await page.getByTestId('reveal-purpose').click();
    // Only the active registered purposes the department holds are offered.
    await page.getByTestId('reveal-purpose-customer_service').waitFor();
    expect(await page.getByTestId('reveal-purpose-risk_assessment').count()).toBe(0);
    await page.getByTestId('reveal-purpose-customer_service').click();
    await page.getByTestId('reveal-justification').fill('客户来电，核对预留手机号');
    await page.getByTestId('reveal-submit').click();

    const value = page.getByTestId('reveal-value-mobile');
    await value.waitFor();
    expect((await value.innerText()).trim()).toBe(PLAIN.mobile);
    expect(await page.getByTestId('reveal-recorded').innerText()).toContain('客户服务');
    // Only the chosen field was revealed.
    expect(await page.getByTestId('reveal-value-resident_id').count()).toBe(0);
    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.waitForTimeout(300);
    await page.screenshot({ path: SCREENSHOT_REVEAL });

    await page.getByTestId('reveal-close').click();
    await page
      .getByTestId('reveal-modal')
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    await expect.poll(plainOnPage).toEqual([]);
    // Opening the dialog again starts from the form, not the old values.
    await page.getByTestId('customer-reveal').click();
    await page.getByTestId('reveal-form').waitFor();
    expect(await page.getByTestId('reveal-result').count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.getByTestId('reveal-form').waitFor({ state: 'detached' });
  });

  it('corrects the mobile: version 2 and the old masked value in the history', async () => {
    await page.getByTestId('customer-correct-mobile').click();
    await page.getByTestId('correct-form').waitFor();
    await page.getByTestId('correct-value').fill(NEW_MOBILE);
    await page.getByTestId('correct-reason').fill('客户来电更换手机号');
    await page.getByTestId('correct-submit').click();
    await expect.poll(() => page.getByTestId('customer-version-mobile').innerText()).toBe('v2');
    expect(await page.getByTestId('customer-masked-mobile').innerText()).toBe('139****5678');

    await page.getByTestId('customer-history-mobile').click();
    const drawer = page.getByTestId('history-drawer');
    await drawer.waitFor();
    const old = page.locator('[data-testid="history-row"][data-version="1"]');
    await old.waitFor();
    expect(await old.innerText()).toContain('138****8000');
    expect(await old.innerText()).toContain('客户来电更换手机号');
    expect(await old.getAttribute('data-current')).toBe('false');
    const current = page.locator('[data-testid="history-row"][data-version="2"]');
    expect(await current.getAttribute('data-current')).toBe('true');
    expect(await current.innerText()).toContain('139****5678');

    expect(await page.content()).not.toContain(NEW_MOBILE);
    mkdirSync(RESULTS_DIR, { recursive: true });
    await page
      .locator('.ant-message-notice')
      .first()
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    await page.waitForTimeout(300); // let the drawer's entry animation finish
    await page.screenshot({ path: SCREENSHOT_HISTORY });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // The artifact: the customer page after the correction, masked values only.
    await page.waitForTimeout(300);
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it('records customer.revealed in the audit log, with the purpose and without the value', async () => {
    const q = `action=customer.revealed&resourceId=${customerId}`;
    let events: AuditEventLite[] = [];
    const deadline = Date.now() + 20_000;
    while (events.length === 0) {
      events = (await admin.call<{ items: AuditEventLite[] }>('GET', `/api/v1/audit-events?${q}`)).items;
      if (events.length) break;
      if (Date.now() > deadline) throw new Error(`no customer.revealed event for ${customerId}`);
      await sleep(500);
    }
    expect(events).toHaveLength(1);
    const [ev] = events;
    expect(ev?.outcome).toBe('success');
    expect(ev?.purposeId).toBe('customer_service');
    expect(ev?.details.fields).toEqual(['mobile']);
    expect(JSON.stringify(events)).not.toContain(PLAIN.mobile);
  });

  it('lets the security officer rotate the KEK and follows the re-wrap to the end', async () => {
    await page.getByTestId('logout').click();
    await page.getByTestId('login-page').waitFor();
    await signIn(page, baseUrl, security.username, PASSWORD);
    await page.getByTestId('nav-keys').click();
    await page.locator('[data-testid="kek-row"][data-state="current"]').waitFor();
    const before = Number(await page.locator('[data-testid="kek-row"][data-state="current"]').getAttribute('data-version'));

    await page.getByTestId('keys-rotate').click();
    await page.getByTestId('keys-rotate-confirm').click();
    // The page polls until the job is done; the one customer's data key moves to the new KEK.
    await page.locator('[data-testid="job-row"][data-status="completed"]').waitFor({ timeout: 30_000 });
    const current = page.locator('[data-testid="kek-row"][data-state="current"]');
    await expect.poll(async () => Number(await current.getAttribute('data-version'))).toBe(before + 1);
    expect(await page.locator('[data-testid="job-row"][data-status="completed"]').first().innerText()).toContain('1/1');
    await page.waitForTimeout(300);
    await page.screenshot({ path: SCREENSHOT_KEYS });
  });

  it('lets the compliance officer edit department purposes and delete the customer', async () => {
    await page.getByTestId('logout').click();
    await page.getByTestId('login-page').waitFor();
    await signIn(page, baseUrl, compliance.username, PASSWORD);

    // Purposes (the active registered ones): customer_service is assigned; add risk_assessment.
    await page.getByTestId('nav-departments').click();
    await page.getByTestId(`dept-purposes-${deptId}`).click();
    await page.getByTestId('purposes-group').waitFor();
    const box = (p: string) => page.locator('.ant-checkbox-wrapper', { has: page.getByTestId(`purpose-option-${p}`) });
    expect(await box('customer_service').locator('input').isChecked()).toBe(true);
    expect(await box('risk_assessment').locator('input').isChecked()).toBe(false);
    await box('risk_assessment').click();
    await page.getByTestId('purposes-save').click();
    await page.getByTestId('purposes-modal').waitFor({ state: 'hidden' });
    const held = await admin.call<{ purposes: string[] }>('GET', `/api/v1/departments/${deptId}/purposes`);
    expect(held.purposes).toEqual(['customer_service', 'risk_assessment']);

    // The officer reads masked values but cannot reveal; deleting needs the typed confirmation.
    await page.getByTestId('nav-customers').click();
    await page.getByTestId('customer-search-type').click();
    await page.getByTestId('customer-search-type-cn_resident_id').click();
    await page.getByTestId('customer-search-value').fill(PLAIN.resident_id);
    await page.getByTestId('customer-search-submit').click();
    await page.locator(`[data-testid="customer-row"][data-id="${customerId}"]`).click();
    await page.getByTestId('customer-delete').waitFor();
    expect(await page.getByTestId('customer-reveal').count()).toBe(0);
    expect(await page.getByTestId('customer-correct-mobile').count()).toBe(0);

    await page.getByTestId('customer-delete').click();
    await page.getByTestId('delete-reason').fill('客户依法申请删除个人信息');
    const submit = page.getByTestId('delete-submit');
    expect(await submit.isDisabled()).toBe(true);
    await page.getByTestId('delete-confirm').fill(customerId.slice(0, 8));
    await submit.click();
    await page.getByTestId('customer-search-form').waitFor();
    // The masked results were kept in memory; the deleted customer is gone from them.
    expect(await page.locator(`[data-testid="customer-row"][data-id="${customerId}"]`).count()).toBe(0);

    // Crypto-shredded: no longer found, no longer readable.
    await page.getByTestId('customer-search-type').click();
    await page.getByTestId('customer-search-type-cn_mobile').click();
    await page.getByTestId('customer-search-value').fill(NEW_MOBILE);
    await page.getByTestId('customer-search-submit').click();
    await page.getByTestId('customer-no-match').waitFor();
    await page.goto(`${baseUrl}/#/customers/${customerId}`);
    await page.getByTestId('customer-missing').waitFor();
    expect(browser?.pageErrors).toEqual([]);
  });
});
