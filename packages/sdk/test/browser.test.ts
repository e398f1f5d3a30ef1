/**
 * The built widget and portal page in Chromium (playwright-core), against a stand-in API
 * (node:http) that answers as the contract says. The host page is on another origin than the
 * API, as when the widget is embedded on a customer's site, so CORS preflights happen too.
 * Browser tests against the real server live with the server/console suites.
 *
 * Skips, saying why, when /usr/bin/chromium is missing. Leaves screenshots in test-results/
 * (sdk-widget-error.png, sdk-widget-submitted.png, sdk-portal.png).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildPortal, buildWidget } from '../scripts/build-browser.mjs';
import { canonicalJson } from '../src/canonical.js';
import { formSnapshot } from '../src/consent-form.js';
import type { CollectCustomerDataRequest, PortalConsent } from '../src/types.js';
import { NOTICE } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test-results');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(RESULTS_DIR, name), fullPage: true });
const SKIP = existsSync(CHROMIUM) ? null : `${CHROMIUM} does not exist (apt-get install chromium)`;
if (SKIP) console.warn(`SKIPPED sdk browser suite: ${SKIP}`);

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const problem = status >= 400;
  res.writeHead(status, { 'content-type': problem ? 'application/problem+json' : 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe.skipIf(SKIP !== null)('widget and portal in Chromium', () => {
  let outDir = '';
  let browser: Browser;
  let page: Page;
  let host: { server: Server; origin: string };
  let api: { server: Server; origin: string };
  let collections: Seen[] = [];
  let portalCalls: Seen[] = [];
  /** The next answers to POST /api/v1/collections; when empty, 201. */
  let collectQueue: Handler[] = [];
  let consents: PortalConsent[] = [];
  let pageErrors: string[] = [];

  const cors = (req: IncomingMessage, hostOrigin: string): Record<string, string> =>
    req.headers.origin === hostOrigin
      ? {
          'access-control-allow-origin': hostOrigin,
          'access-control-allow-headers': 'content-type, idempotency-key, x-custos-channel-key',
          'access-control-allow-methods': 'GET, POST',
          vary: 'Origin',
        }
      : {};

  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    outDir = mkdtempSync(path.join(tmpdir(), 'custos-sdk-browser-'));
    const widget = await buildWidget(outDir);
    const portalDir = await buildPortal(outDir);

    // The host page loads the bundle from its own origin (as a customer's site would host it).
    host = await listen((req, res) => {
      if (req.url === '/widget.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(readFileSync(widget));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><meta charset="utf-8"><title>shop</title></head><body>
        <h1>Shop sign-up</h1>
        <custos-consent purpose="membership" api-base="${api.origin}" channel-key="pk_test_123"></custos-consent>
        <script src="/widget.js"></script></body></html>`);
    });

    api = await listen((req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const seen: Seen = { method: req.method ?? '', path: url.pathname, headers: req.headers, body };
      const h = cors(req, host.origin);
      if (req.method === 'OPTIONS') return send(res, 204, undefined, h);
      if (url.pathname === '/api/v1/public/purposes/membership/notice') return send(res, 200, NOTICE, h);
      if (url.pathname === '/api/v1/public/purposes/none/notice') {
        return send(res, 404, { type: 'about:blank', title: 'Not Found', status: 404, code: 'not_found' }, h);
      }
      if (url.pathname === '/api/v1/collections' && req.method === 'POST') {
        collections.push(seen);
        const next = collectQueue.shift();
        if (next) return next(req, res, body);
        return send(
          res,
          201,
          { collectionId: 'col-0001', customerId: null, created: true, consentIds: ['k1'], fields: [{ field: 'name', masked: '张*' }] },
          h,
        );
      }
      // Portal (same origin as the page).
      if (url.pathname.startsWith('/portal/')) {
        const file = url.pathname === '/portal/' ? 'index.html' : path.basename(url.pathname);
        const p = path.join(portalDir, file);
        if (!existsSync(p)) return send(res, 404, { type: 'about:blank', title: 'Not Found', status: 404, code: 'not_found' });
        const type = file.endsWith('.html') ? 'text/html; charset=utf-8' : file.endsWith('.css') ? 'text/css' : 'text/javascript';
        res.writeHead(200, { 'content-type': type });
        res.end(readFileSync(p));
        return;
      }
      if (url.pathname.startsWith('/api/v1/portal/')) {
        portalCalls.push(seen);
        const authed = /(?:^|;\s*)custos_portal=sess1(?:;|$)/.test(req.headers.cookie ?? '');
        const unauth = { type: 'about:blank', title: 'Unauthorized', status: 401, code: 'unauthenticated' };
        switch (`${req.method} ${url.pathname}`) {
          case 'POST /api/v1/portal/challenges':
            return send(res, 202, { challengeId: 'chal-1' });
          case 'POST /api/v1/portal/sessions': {
            const { code } = JSON.parse(body) as { code: string };
            if (code !== '246810') return send(res, 400, { type: 'about:blank', title: 'Bad Request', status: 400, code: 'invalid' });
            return send(
              res,
              200,
              { token: 'tok', expiresAt: '2099-01-01T00:00:00Z' },
              { 'set-cookie': 'custos_portal=sess1; Path=/; HttpOnly; SameSite=Strict' },
            );
          }
          case 'GET /api/v1/portal/me':
            if (!authed) return send(res, 401, unauth);
            return send(res, 200, {
              fields: [{ field: 'cn_mobile', name: { 'zh-CN': '手机号码', en: 'Mobile number' }, masked: '138****8000' }],
              consents,
            });
          case 'POST /api/v1/portal/withdrawals': {
            if (!authed) return send(res, 401, unauth);
            const w = JSON.parse(body) as { purposeCode: string; categories?: string[] };
            const ids: string[] = [];
            for (const c of consents) {
              if (c.purposeCode === w.purposeCode && c.status === 'granted' && (!w.categories || w.categories.includes(c.category))) {
                c.status = 'withdrawn';
                c.withdrawnAt = '2025-03-01T08:00:00Z';
                ids.push(`id-${c.category}`);
              }
            }
            return send(res, 200, { consentIds: ids });
          }
          case 'GET /api/v1/portal/transfer-notices':
            if (!authed) return send(res, 401, unauth);
            return send(res, 200, { items: [] });
          case 'POST /api/v1/portal/logout':
            return send(res, 204, undefined, { 'set-cookie': 'custos_portal=; Path=/; Max-Age=0' });
        }
      }
      send(res, 404, { type: 'about:blank', title: 'Not Found', status: 404, code: 'not_found' });
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (host ? host.server.close(() => r()) : r()));
    await new Promise<void>((r) => (api ? api.server.close(() => r()) : r()));
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    collections = [];
    portalCalls = [];
    collectQueue = [];
    pageErrors = [];
    consents = [
      {
        purposeCode: 'membership',
        purposeName: { 'zh-CN': '会员服务', en: 'Membership' },
        purposeVersion: 2,
        category: 'cn_mobile',
        categoryName: { 'zh-CN': '手机号码', en: 'Mobile number' },
        separate: false,
        status: 'granted',
        givenAt: '2025-01-05T10:00:00Z',
        withdrawnAt: null,
        noticeId: NOTICE.notice.id,
        noticeHash: NOTICE.notice.contentHash,
      },
      {
        purposeCode: 'membership',
        purposeName: { 'zh-CN': '会员服务', en: 'Membership' },
        purposeVersion: 2,
        category: 'health',
        categoryName: { 'zh-CN': '健康状况', en: 'Health' },
        separate: true,
        status: 'granted',
        givenAt: '2025-01-05T10:00:00Z',
        withdrawnAt: null,
        noticeId: NOTICE.notice.id,
        noticeHash: NOTICE.notice.contentHash,
      },
    ];
    const context = await browser.newContext({ locale: 'zh-CN' });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  async function openWidget(): Promise<void> {
    await page.goto(`${host.origin}/`);
    await page.getByTestId('notice').waitFor();
    // Events, collected on the page for the assertions.
    await page.evaluate(() => {
      const w = window as unknown as { events: { type: string; detail: unknown }[] };
      w.events = [];
      for (const type of ['custos-submitted', 'custos-error']) {
        document.addEventListener(type, (e) => w.events.push({ type, detail: (e as CustomEvent).detail }));
      }
      const el = document.querySelector('custos-consent') as HTMLElement & { retryDelays: number[] };
      el.retryDelays = [50, 50];
    });
  }
  const events = () => page.evaluate(() => (window as unknown as { events: { type: string; detail: unknown }[] }).events);

  it('renders the notice in zh-CN with one labelled input per field and no box ticked', async () => {
    await openWidget();
    const notice = page.getByTestId('notice');
    await expect(notice.textContent()).resolves.toContain('为您开通并提供会员服务');
    await expect(notice.textContent()).resolves.toContain('一旦泄露无法更改');
    const types: Record<string, string> = {
      name: 'text',
      cn_mobile: 'tel',
      email: 'email',
      birth_date: 'date',
      health: 'text',
      biometric: 'text',
    };
    for (const [code, type] of Object.entries(types)) {
      const input = page.getByTestId(`field-${code}`);
      await expect(input.getAttribute('type')).resolves.toBe(type);
      const label = NOTICE.purpose.fields.find((f) => f.code === code)!.name['zh-CN'];
      await expect(page.getByLabel(label, { exact: false }).first().getAttribute('data-testid')).resolves.toBe(`field-${code}`);
    }
    for (const id of ['consent-general', 'consent-separate-health', 'consent-separate-biometric']) {
      await expect(page.getByTestId(id).isChecked()).resolves.toBe(false);
    }
    await expect(page.getByTestId('field-health').count()).resolves.toBe(1);
    await expect(page.getByTestId('result').getAttribute('aria-live')).resolves.toBe('polite');
    const necessity = await page.getByTestId('consent-separate-health').getAttribute('aria-describedby');
    expect(necessity).toBe('n-health');
    expect(pageErrors).toEqual([]);
  });

  it('refuses to submit without the general box, and a sensitive value without its own box', async () => {
    await openWidget();
    await page.getByTestId('field-name').fill('张三');
    await page.getByTestId('field-health').fill('良好');
    await page.getByTestId('submit').click();
    await expect(page.getByTestId('consent-general').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByTestId('consent-separate-health').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByTestId('error-health').textContent()).resolves.toBe('提供此项敏感个人信息需要您单独勾选同意');
    await expect(page.getByTestId('error-consent').isVisible()).resolves.toBe(true);
    await shot(page, 'sdk-widget-error.png');
    // Focus goes to the first problem.
    await expect(
      page.evaluate(() => document.querySelector('custos-consent')!.shadowRoot!.activeElement?.getAttribute('data-testid')),
    ).resolves.toBe('consent-separate-health');

    await page.getByTestId('consent-general').check();
    await page.getByTestId('submit').click();
    await expect(page.getByTestId('error-health').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('error-consent').isVisible()).resolves.toBe(false);
    expect(collections).toHaveLength(0);
  });

  it('switches language, keeping what was typed', async () => {
    await openWidget();
    await page.getByTestId('field-name').fill('Zhang San');
    await page.getByTestId('lang-toggle').click();
    await expect(page.getByTestId('notice').textContent()).resolves.toContain('To open and run your membership');
    await expect(page.getByTestId('field-name').inputValue()).resolves.toBe('Zhang San');
    await expect(page.locator('custos-consent').getAttribute('lang')).resolves.toBe('en');
    await expect(page.getByTestId('lang-toggle').textContent()).resolves.toBe('中文');
    // The toggle keeps the focus, for keyboard users.
    await expect(
      page.evaluate(() => document.querySelector('custos-consent')!.shadowRoot!.activeElement?.getAttribute('data-testid')),
    ).resolves.toBe('lang-toggle');
    // Moved within the page (as frameworks do), it keeps what was typed.
    await page.evaluate(() => document.body.append(document.querySelector('custos-consent')!));
    await expect(page.getByTestId('field-name').inputValue()).resolves.toBe('Zhang San');
  });

  it('submits with the keyboard: fields, scope, separate consent, snapshot hash and headers as the contract says', async () => {
    await openWidget();
    await page.getByTestId('lang-toggle').click();
    await page.getByTestId('field-name').fill('Zhang San');
    await page.getByTestId('field-email').fill('zhang@example.com');
    await page.getByTestId('field-health').fill('good');
    await page.getByTestId('field-biometric').fill('face-template');
    await page.getByTestId('consent-separate-health').focus();
    await page.keyboard.press('Space');
    await page.getByTestId('consent-general').focus();
    await page.keyboard.press('Space');
    await page.getByTestId('field-name').focus();
    await page.getByTestId('field-name').press('Enter'); // implicit submission
    // The biometric value was typed but its box is not ticked: refused, nothing sent.
    await expect(page.getByTestId('error-biometric').textContent()).resolves.toBe(
      'Tick the separate consent box to provide this sensitive information',
    );
    expect(collections).toHaveLength(0);
    await page.getByTestId('field-biometric').fill('');
    await page.getByTestId('submit').press('Enter');
    await page.locator('custos-consent[data-state="submitted"]').waitFor();
    await expect(page.getByTestId('result').textContent()).resolves.toBe('Submitted, thank you. Receipt number: col-0001');
    await shot(page, 'sdk-widget-submitted.png');

    expect(collections).toHaveLength(1);
    const req = collections[0]!;
    expect(req.headers['x-custos-channel-key']).toBe('pk_test_123');
    expect(req.headers['idempotency-key']).toMatch(/^[A-Za-z0-9_-]{8,128}$/);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers.cookie).toBeUndefined();
    const body = JSON.parse(req.body) as CollectCustomerDataRequest;
    const snapshot = formSnapshot(NOTICE, 'en', { values: {}, general: true, separate: { health: true } });
    expect(body).toEqual({
      purposeCode: 'membership',
      noticeId: NOTICE.notice.id,
      fields: { name: 'Zhang San', email: 'zhang@example.com', health: 'good' },
      consent: {
        method: 'checkbox',
        scope: ['name', 'email'],
        separate: [{ type: 'sensitive', category: 'health' }],
        evidence: { formSnapshotHash: createHash('sha256').update(canonicalJson(snapshot), 'utf8').digest('hex') },
      },
    });
    const ev = await events();
    expect(ev).toEqual([
      {
        type: 'custos-submitted',
        detail: {
          collectionId: 'col-0001',
          customerId: null,
          created: true,
          consentIds: ['k1'],
          fields: [{ field: 'name', masked: '张*' }],
        },
      },
    ]);
    await expect(page.getByTestId('field-name').isDisabled()).resolves.toBe(true);
  });

  it('shows the server problems next to the fields, unknown codes as they are, and sends a fresh key on the next attempt', async () => {
    collectQueue.push((req, res) =>
      send(
        res,
        422,
        {
          type: 'about:blank',
          title: 'Policy violation',
          status: 422,
          code: 'policy_violation',
          clauses: ['P3.2'],
          problems: [
            { field: 'cn_mobile', reason: 'bad_check_digit' },
            { field: 'email', reason: 'mystery_reason' },
          ],
        },
        cors(req, host.origin),
      ),
    );
    await openWidget();
    await page.getByTestId('field-cn_mobile').fill('13800138001');
    await page.getByTestId('field-email').fill('a@example.com');
    await page.getByTestId('consent-general').check();
    await page.getByTestId('submit').click();
    await page.getByTestId('error-cn_mobile').waitFor();
    await expect(page.getByTestId('error-cn_mobile').textContent()).resolves.toBe('校验位不正确，请检查号码');
    await expect(page.getByTestId('error-email').textContent()).resolves.toBe('mystery_reason');
    await expect(page.getByTestId('field-cn_mobile').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByTestId('field-cn_mobile').getAttribute('aria-describedby')).resolves.toBe('e-cn_mobile');
    await expect(page.getByTestId('result').getAttribute('data-kind')).resolves.toBe('error');
    const ev = await events();
    expect(ev).toHaveLength(1);
    expect(ev[0]?.type).toBe('custos-error');
    expect(ev[0]?.detail).toMatchObject({ status: 422, code: 'policy_violation', clauses: ['P3.2'] });

    await page.getByTestId('field-cn_mobile').fill('13800138000');
    await page.getByTestId('submit').click();
    await page.locator('custos-consent[data-state="submitted"]').waitFor();
    expect(collections).toHaveLength(2);
    expect(collections[0]!.headers['idempotency-key']).not.toBe(collections[1]!.headers['idempotency-key']);
    await expect(page.getByTestId('error-cn_mobile').isVisible()).resolves.toBe(false);
  });

  it('retries a submission that got no response with the same idempotency key, then gives up with a message', async () => {
    // Not HTTP at all: fetch rejects (the browser does not retry this itself).
    const garbage: Handler = (req) => req.socket.end('NOT HTTP\r\n\r\n');
    collectQueue.push(garbage, garbage);
    await openWidget();
    await page.getByTestId('field-name').fill('张三');
    await page.getByTestId('consent-general').check();
    await page.getByTestId('submit').click();
    await page.locator('custos-consent[data-state="submitted"]').waitFor();
    expect(collections).toHaveLength(3);
    expect(new Set(collections.map((c) => c.headers['idempotency-key'])).size).toBe(1);
    expect(new Set(collections.map((c) => c.body)).size).toBe(1);

    // Three failures in a row: the customer is told, and may submit again (with a new key).
    collections = [];
    await page.evaluate(() => (document.querySelector('custos-consent') as HTMLElement & { reset(): void }).reset());
    collectQueue.push(garbage, garbage, garbage);
    await page.getByTestId('field-name').fill('李四');
    await page.getByTestId('consent-general').check();
    await page.getByTestId('submit').click();
    await page.getByText('网络连接失败，请检查网络后重新提交。').waitFor();
    expect(collections).toHaveLength(3);
    const firstKey = collections[0]!.headers['idempotency-key'];
    await page.getByTestId('submit').click();
    await page.locator('custos-consent[data-state="submitted"]').waitFor();
    expect(collections).toHaveLength(4);
    expect(collections[3]!.headers['idempotency-key']).not.toBe(firstKey);
    const ev = await events();
    expect(ev.map((e) => e.type)).toEqual(['custos-submitted', 'custos-error', 'custos-submitted']);
    expect(ev[1]?.detail).toMatchObject({ code: 'network_error', status: 0 });
  });

  it('says so when the purpose has no published notice', async () => {
    await page.goto(`${host.origin}/`);
    await page.evaluate(() => document.querySelector('custos-consent')!.setAttribute('purpose', 'none'));
    await page.locator('custos-consent[data-state="failed"]').waitFor();
    await expect(page.getByTestId('result').textContent()).resolves.toBe('该用途暂无已发布的个人信息处理告知。');
    await expect(page.getByTestId('notice').count()).resolves.toBe(0);
  });

  it('portal: code sign-in, overview, withdraw a separate consent and a purpose, sign out; nothing in web storage', async () => {
    await page.goto(`${api.origin}/portal/`);
    await page.getByTestId('portal-contact').waitFor();
    await expect(page.locator('h1').textContent()).resolves.toBe('个人信息自助服务');
    await page.getByTestId('portal-contact').fill('not a contact');
    await page.getByTestId('portal-send').click();
    await expect(page.getByTestId('portal-contact').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByTestId('portal-contact').fill('138 0013 8000');
    await page.getByTestId('portal-send').click();
    await page.getByTestId('portal-code').waitFor();
    expect(JSON.parse(portalCalls.find((c) => c.path === '/api/v1/portal/challenges')!.body)).toEqual({
      piType: 'cn_mobile',
      value: '13800138000',
    });

    await page.getByTestId('portal-code').fill('111111');
    await page.getByTestId('portal-verify').click();
    await page.getByText('验证码不正确或已过期').waitFor();
    await page.getByTestId('portal-code').fill('246810');
    await page.getByTestId('portal-verify').click();

    const health = page.getByTestId('portal-consent-membership-health');
    await health.waitFor();
    await expect(health.textContent()).resolves.toContain('已同意');
    await expect(page.getByTestId('portal-field-cn_mobile').textContent()).resolves.toContain('138****8000');

    await page.getByTestId('portal-withdraw-membership-health').click();
    await page.getByTestId('portal-confirm').click();
    await page.locator('[data-testid="portal-consent-membership-health"][data-status="withdrawn"]').waitFor();
    await expect(health.textContent()).resolves.toContain('已撤回');
    await expect(page.getByTestId('portal-consent-membership-cn_mobile').textContent()).resolves.toContain('已同意');
    expect(JSON.parse(portalCalls.find((c) => c.path === '/api/v1/portal/withdrawals')!.body)).toEqual({
      purposeCode: 'membership',
      categories: ['health'],
    });

    // Cancelling asks nothing of the server.
    const before = portalCalls.length;
    await page.getByTestId('portal-withdraw-membership').click();
    await shot(page, 'sdk-portal.png');
    await page.getByTestId('portal-cancel').click();
    expect(portalCalls.length).toBe(before);

    await page.getByTestId('portal-lang').click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Personal information self-service');
    await page.getByTestId('portal-withdraw-membership').click();
    await page.getByTestId('portal-confirm').click();
    await page.locator('[data-testid="portal-consent-membership-cn_mobile"][data-status="withdrawn"]').waitFor();
    await expect(page.getByTestId('portal-consent-membership-cn_mobile').textContent()).resolves.toContain('Withdrawn');
    await expect(page.getByTestId('portal-withdraw-membership').count()).resolves.toBe(0);

    const storage = await page.evaluate(() => [localStorage.length, sessionStorage.length]);
    expect(storage).toEqual([0, 0]);

    await page.getByTestId('portal-logout').click();
    await page.getByTestId('portal-contact').waitFor();
    await expect(page.getByTestId('portal-status').textContent()).resolves.toBe('You have signed out');
    expect(portalCalls.at(-1)?.path).toBe('/api/v1/portal/logout');
    expect(pageErrors).toEqual([]);
  });
});
