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
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SERVER_MAIN = path.join(ROOT, 'packages/server/dist/main.js');
const CONSOLE_INDEX = path.join(ROOT, 'packages/console/dist/index.html');
const RESULTS_DIR = path.join(ROOT, 'test-results');
const SCREENSHOT = path.join(RESULTS_DIR, 'console-audit.png');

const ADMIN_USER = 'admin';
const ADMIN_PASSWORD = 'Correct-Horse-Battery-9';
const READY_TIMEOUT_MS = 60_000;

function skipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} does not exist (apt-get install chromium)`;
  if (!existsSync(SERVER_MAIN)) return `${path.relative(ROOT, SERVER_MAIN)} does not exist (run npm run build)`;
  if (!existsSync(CONSOLE_INDEX)) return `${path.relative(ROOT, CONSOLE_INDEX)} does not exist (run npm run build)`;
  return null;
}

const SKIP = skipReason();
if (SKIP) console.warn(`SKIPPED browser suite: ${SKIP}`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (!addr || typeof addr === 'string') return reject(new Error('no port'));
      srv.close(() => resolve(addr.port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(SKIP !== null)('console in a browser against the real server', () => {
  let server: ChildProcess | undefined;
  let serverExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let serverOutput = '';
  let dataDir = '';
  let baseUrl = '';
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  const deptName = `合规部-${randomBytes(3).toString('hex')}`;
  let deptId = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'custos-e2e-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CUSTOS_DATA_DIR: dataDir,
      CUSTOS_BOOTSTRAP_ADMIN: `${ADMIN_USER}:${ADMIN_PASSWORD}`,
      CUSTOS_LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL; // use the embedded database
    server = spawn(process.execPath, [SERVER_MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      serverOutput = (serverOutput + chunk.toString()).slice(-20_000);
    };
    server.stdout?.on('data', keep);
    server.stderr?.on('data', keep);
    server.on('exit', (code, signal) => {
      serverExit = { code, signal };
    });

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (serverExit) {
        throw new Error(`server exited early (${JSON.stringify(serverExit)}):\n${serverOutput}`);
      }
      try {
        const res = await fetch(`${baseUrl}/readyz`);
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`server not ready after ${READY_TIMEOUT_MS} ms:\n${serverOutput}`);
      await sleep(250);
    }

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (server && !serverExit) {
      const exited = new Promise<void>((resolve) => server?.once('exit', () => resolve()));
      server.kill('SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
      if (timedOut) server.kill('SIGKILL');
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
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
    // The administrator sees every module.
    for (const key of ['users', 'departments', 'catalogue', 'audit']) {
      await page.getByTestId(`nav-${key}`).waitFor();
    }
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
      await page.locator('[data-testid="audit-table"] .ant-spin-spinning').waitFor({ state: 'detached' }).catch(() => undefined);
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
