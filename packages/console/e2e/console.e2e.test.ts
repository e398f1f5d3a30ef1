/**
 * Browser test of the console against the real server.
 *
 * Starts `node packages/server/dist/main.js` on a free port with a fresh data directory and the
 * embedded database, drives Debian's Chromium through playwright-core, and checks the main
 * path: sign in, create a department, find its `department.created` event in the audit log,
 * verify the hash chain. Leaves `test-results/console-audit.png` as the artifact.
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
  launchBrowser,
  skipReason,
  sleep,
  startServer,
  type TestBrowser,
  type TestServer,
} from './support';

const SCREENSHOT = path.join(RESULTS_DIR, 'console-audit.png');

const SKIP = skipReason();
if (SKIP) console.warn(`SKIPPED browser suite: ${SKIP}`);

describe.skipIf(SKIP !== null)('console in a browser against the real server', () => {
  let server: TestServer | undefined;
  let browser: TestBrowser | undefined;
  let baseUrl = '';
  let page: Page;
  let pageErrors: string[] = [];

  const deptName = `合规部-${randomBytes(3).toString('hex')}`;
  let deptId = '';

  beforeAll(async () => {
    server = await startServer();
    baseUrl = server.baseUrl;
    browser = await launchBrowser();
    page = browser.page;
    pageErrors = browser.pageErrors;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, 30_000);

  it('shows the server problem detail on a failed sign-in, then signs in', async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('login-page').waitFor();
    // Default language is zh-CN.
    expect(await page.getByTestId('login-submit').innerText()).toMatch(/登\s*录/);

    await page.getByTestId('login-username').fill(ADMIN_USER);
    await page.getByTestId('login-password').fill('not-the-password-123');
    await page.getByTestId('login-submit').click();
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.getAttribute('data-status')).toBe('401');
    expect((await error.innerText()).trim()).not.toBe('');

    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('app-layout').waitFor();
    expect((await page.getByTestId('current-user-name').innerText()).trim()).not.toBe('');
    // The administrator sees every module but the customer vault (no PI by role).
    for (const key of ['users', 'departments', 'catalogue', 'keys', 'audit']) {
      await page.getByTestId(`nav-${key}`).waitFor();
    }
    expect(await page.getByTestId('nav-customers').count()).toBe(0);
    // The session is an HTTP-only cookie: page script cannot read it.
    expect(await page.evaluate(() => document.cookie)).not.toContain('custos_session');
  });

  it('creates a department', async () => {
    await page.getByTestId('nav-departments').click();
    await page.getByTestId('dept-new').click();
    await page.getByTestId('dept-form-name').fill(deptName);
    await page.getByTestId('dept-submit').click();
    const row = page.locator(`[data-testid="dept-row"][data-name="${deptName}"]`);
    await row.waitFor();
    deptId = (await row.getAttribute('data-id')) ?? '';
    expect(deptId).not.toBe('');
  });

  it('finds the department.created event in the audit log and verifies the chain', async () => {
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-table').waitFor();
    await page.getByTestId('audit-filter-action').fill('department.created');
    await page.getByTestId('audit-search').click();

    // The event is chained (seq and hash set) within milliseconds; refresh until it shows so.
    const row = page.locator(
      `[data-testid="audit-row"][data-action="department.created"][data-resource-id="${deptId}"]:not([data-seq=""])`,
    );
    const deadline = Date.now() + 20_000;
    while (!(await row.isVisible())) {
      if (Date.now() > deadline) throw new Error(`no chained department.created event for ${deptId}`);
      await sleep(500);
      await page.getByTestId('audit-refresh').click();
      await page
        .locator('[data-testid="audit-table"] .ant-spin-spinning')
        .waitFor({ state: 'detached' })
        .catch(() => undefined);
    }

    // The drawer shows every field, hashes included.
    await row.click();
    const drawer = page.getByTestId('audit-drawer');
    await drawer.waitFor();
    expect(await drawer.innerText()).toContain('department.created');
    expect(await drawer.innerText()).toContain(deptId);
    expect((await page.getByTestId('audit-drawer-hash').innerText()).trim()).toMatch(/^[0-9a-zA-Z+/=_-]{16,}$/);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    await page.getByTestId('audit-verify').click();
    const result = page.getByTestId('audit-verify-result');
    await result.waitFor();
    expect(await result.getAttribute('data-intact')).toBe('true');

    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.waitForTimeout(300); // let the alert's entry animation finish
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it('switches language and keeps the choice across a reload', async () => {
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.getByTestId('nav-audit').innerText()).toBe('Audit log');
    await page.reload();
    await page.getByTestId('app-layout').waitFor();
    expect(await page.getByTestId('nav-audit').innerText()).toBe('Audit log');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByTestId('lang-zh-CN').click();
    await expect.poll(() => page.getByTestId('nav-audit').innerText()).toBe('审计日志');
  });

  it('signs out', async () => {
    await page.getByTestId('logout').click();
    await page.getByTestId('login-page').waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/me', { credentials: 'same-origin' })).status);
    expect(status).toBe(401);
    expect(pageErrors).toEqual([]);
  });
});
