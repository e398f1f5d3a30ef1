/**
 * Shared setup of the browser suites: why a suite must skip, the real built server on a free
 * port with a fresh data directory and the embedded database, Debian's Chromium through
 * playwright-core, and a small bearer-token API client for arranging data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
export const SERVER_MAIN = path.join(ROOT, 'packages/server/dist/main.js');
export const CONSOLE_INDEX = path.join(ROOT, 'packages/console/dist/index.html');
export const RESULTS_DIR = path.join(ROOT, 'test-results');

export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'Correct-Horse-Battery-9';
const READY_TIMEOUT_MS = 60_000;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Why the browser suites cannot run here, or null. */
export function skipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} does not exist (apt-get install chromium)`;
  if (!existsSync(SERVER_MAIN)) return `${path.relative(ROOT, SERVER_MAIN)} does not exist (run npm run build)`;
  if (!existsSync(CONSOLE_INDEX)) return `${path.relative(ROOT, CONSOLE_INDEX)} does not exist (run npm run build)`;
  return null;
}

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

export interface TestServer {
  baseUrl: string;
  /** The server's data directory (embedded database, keys). */
  dataDir: string;
  /** The last 20 kB of the server's stdout and stderr. */
  output(): string;
  stop(): Promise<void>;
}

/** `node packages/server/dist/main.js` with `CUSTOS_BOOTSTRAP_ADMIN`, ready on /readyz. */
export async function startServer(opts: { env?: Record<string, string>; keepData?: boolean } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'custos-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    CUSTOS_DATA_DIR: dataDir,
    CUSTOS_BOOTSTRAP_ADMIN: `${ADMIN_USER}:${ADMIN_PASSWORD}`,
    CUSTOS_LOG_LEVEL: 'warn',
    ...opts.env,
  };
  delete env.DATABASE_URL; // use the embedded database
  let output = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const child: ChildProcess = spawn(process.execPath, [SERVER_MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    exit = { code, signal };
  });

  const stop = async () => {
    if (!exit) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
      if (timedOut) child.kill('SIGKILL');
    }
    if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exit) {
      await stop();
      throw new Error(`server exited early (${JSON.stringify(exit)}):\n${output}`);
    }
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not ready after ${READY_TIMEOUT_MS} ms:\n${output}`);
    }
    await sleep(250);
  }
  return { baseUrl, dataDir, output: () => output, stop };
}

export interface TestBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page's scripts. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const close = async () => {
    await context.close().catch(() => undefined);
    await browser.close().catch(() => undefined);
  };
  return { browser, context, page, pageErrors, close };
}

/** Sign in through the login page and wait for the shell. */
export async function signIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('login-page').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('app-layout').waitFor();
}

/** Create users of a department, each `[username, displayName, roles]`, with one password. */
export async function createUsers(
  admin: ApiClient,
  departmentId: string,
  password: string,
  users: ReadonlyArray<readonly [string, string, readonly string[]]>,
): Promise<void> {
  for (const [username, displayName, roles] of users)
    await admin.call('POST', '/api/v1/users', { username, displayName, password, departmentId, roles });
}

/** Close open drawers: they cover the header and the menu. */
export async function closeDrawers(page: Page): Promise<void> {
  for (const drawer of await page.locator('.ant-drawer-open .ant-drawer-close').all()) await drawer.click();
  await page
    .locator('.ant-drawer-open')
    .first()
    .waitFor({ state: 'detached' })
    .catch(() => undefined);
}

/** Sign out whoever is signed in (closing drawers first), then sign in as `username`. */
export async function switchUser(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  if (await page.getByTestId('logout').count()) {
    await closeDrawers(page);
    await page.getByTestId('logout').click();
    await page.getByTestId('login-page').waitFor();
  }
  await signIn(page, baseUrl, username, password);
}

/** A JSON API client with a bearer token (from `POST /api/v1/auth/login`), for arranging data. */
export interface ApiClient {
  token: string;
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

export async function apiLogin(baseUrl: string, username: string, password: string): Promise<ApiClient> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  return {
    token,
    async call<T>(method: string, p: string, body?: unknown): Promise<T> {
      const r = await fetch(`${baseUrl}${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${p}: HTTP ${r.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

/**
 * The API twin of core's `seedRevealAccess` (packages/core/test/consent-fixtures.ts), for suites
 * that drive the built server. What a plain read (reveal) needs (P5.1, P5.2): an active registered
 * purpose over `fields` (legal basis contract, so customers stored through the vault are covered
 * without consent records), written by a new department head of `departmentId` and approved by
 * `officer` (a compliance officer); unless `assign` is false, assigned to the department (added to
 * what it holds); unless `grant` is false, a live grant to `applicant` (an approved use
 * application: the head, then a new management approver, then the officer for sensitive fields).
 */
export async function seedRevealAccessViaApi(
  admin: ApiClient,
  baseUrl: string,
  opts: {
    departmentId: string;
    officer: ApiClient;
    applicant?: ApiClient;
    code: string;
    name: { 'zh-CN': string; en: string };
    fields: string[];
    assign?: boolean;
    grant?: boolean;
  },
): Promise<{ code: string; grantId: string | null }> {
  const password = `E2e-${Math.random().toString(36).slice(2, 10)}-Lantern-7`;
  const mk = async (roles: string[]) => {
    const username = `${roles[0]!.replace(/_/g, '.')}.${Math.random().toString(36).slice(2, 8)}`;
    await admin.call('POST', '/api/v1/users', { username, displayName: username, password, departmentId: opts.departmentId, roles });
    return apiLogin(baseUrl, username, password);
  };
  const head = await mk(['department_head']);
  const necessity = Object.fromEntries(opts.fields.map((f) => [f, { 'zh-CN': `办理业务需要${f}`, en: `needed for ${f}` }]));
  const p = await head.call<{ id: string }>('POST', '/api/v1/purposes', {
    code: opts.code,
    name: opts.name,
    description: opts.name,
    businessLine: 'retail',
    ownerDepartmentId: opts.departmentId,
    legalBasis: 'contract',
    fields: opts.fields,
    necessity,
    scenarios: [opts.name],
    retention: { days: 1095, trigger: 'relationship_end' },
  });
  await head.call('POST', `/api/v1/purposes/${p.id}/submit`);
  await opts.officer.call('POST', `/api/v1/purposes/${p.id}/approve`, { comment: '同意' });
  await head.call('POST', `/api/v1/purposes/${p.id}/activate`);
  if (opts.assign !== false) {
    const url = `/api/v1/departments/${opts.departmentId}/purposes`;
    const { purposes } = await opts.officer.call<{ purposes: string[] }>('GET', url);
    await opts.officer.call('PUT', url, { purposes: [...purposes, opts.code] });
  }
  if (opts.grant === false || !opts.applicant) return { code: opts.code, grantId: null };
  const manager = await mk(['management_approver']);
  const app = await opts.applicant.call<{ id: string }>('POST', '/api/v1/use-applications', {
    purposeCode: opts.code,
    scenario: '客户服务',
    fields: opts.fields,
    customerScope: { kind: 'all' },
    method: 'view',
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    justification: '接听客户来电时核对信息',
  });
  await opts.applicant.call('POST', `/api/v1/use-applications/${app.id}/submit`);
  let done: { status: string; grantId: string | null } | undefined;
  for (const reviewer of [head, manager, opts.officer]) {
    done = await reviewer.call('POST', `/api/v1/use-applications/${app.id}/reviews`, { decision: 'approve' });
    if (done!.status === 'approved') break;
  }
  if (done?.status !== 'approved') throw new Error(`use application ${app.id} not approved: ${done?.status}`);
  return { code: opts.code, grantId: done.grantId };
}
