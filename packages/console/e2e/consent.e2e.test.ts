/**
 * Browser test of collection with consent, end to end against the real built server (#4 Done-when).
 *
 * Arranges through the API: a department head drafts a consent-based purpose (name, mobile,
 * health) that a compliance officer approves, a published notice, a web channel whose registered
 * origin is a shop page served by this test on another port, and the purpose assigned to the
 * department (P5.1) with an approved use application (grant, P5.2). Then in Chromium: the shop page embeds `<custos-consent>` from the Custos
 * server; it shows the published notice; the customer fills the form, ticks the general consent
 * and, separately, the sensitive category (health), and submits. Staff then find the customer,
 * see the ledger: two grants carrying the published notice's hash, the health one a separate
 * consent; a reveal for the purpose works. The customer signs in to the portal with the one-time
 * code (read from the development notifier's log line), withdraws the purpose, and the staff
 * reveal for that purpose is then denied. Finally, with the server stopped, the embedded database
 * is opened and must hold the values only as ciphertext.
 * Leaves test-results/consent-widget.png and test-results/consent-portal.png.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@custos/core';
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
if (SKIP) console.warn(`SKIPPED browser consent suite: ${SKIP}`);

const PASSWORD = 'Tea-Garden-Lantern-42';
const PLAIN = { name: '欧阳明远', mobile: '13800138123', health: '青霉素过敏' };

interface ConsentRecordLite {
  kind: string;
  noticeHash: string | null;
  scope: string[];
  separate: { type: string; category?: string } | null;
}

describe.skipIf(SKIP)('consent widget, portal withdrawal and purpose-bound reveal in Chromium', () => {
  let server: TestServer;
  let shop: Server;
  let shopOrigin = '';
  let b: TestBrowser;
  let staff: ApiClient;
  const code = `membership_${randomBytes(2).toString('hex')}`;
  let noticeHash = '';

  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    server = await startServer({ env: { CUSTOS_LOG_LEVEL: 'info' }, keepData: true });
    const admin = await apiLogin(server.baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    const dept = await admin.call<{ id: string }>('POST', '/api/v1/departments', { name: '会员中心' });
    const mk = async (username: string, roles: string[]) => {
      await admin.call('POST', '/api/v1/users', { username, displayName: username, password: PASSWORD, departmentId: dept.id, roles });
      return apiLogin(server.baseUrl, username, PASSWORD);
    };
    const head = await mk('head1', ['department_head']);
    const officer = await mk('officer1', ['compliance_officer']);
    staff = await mk('staff1', ['staff']);
    const p = await head.call<{ id: string }>('POST', '/api/v1/purposes', {
      code,
      name: { 'zh-CN': '会员服务', en: 'Membership' },
      description: { 'zh-CN': '提供会员积分与售后服务', en: 'Membership points and after-sales service' },
      businessLine: 'retail',
      ownerDepartmentId: dept.id,
      legalBasis: 'consent',
      fields: ['name', 'mobile', 'health'],
      necessity: { health: { 'zh-CN': '为过敏客户提供安全的商品推荐', en: 'Safe recommendations for customers with allergies' } },
      scenarios: [{ 'zh-CN': '积分与售后', en: 'Points and after-sales' }],
      retention: { days: 1095, trigger: 'relationship_end' },
    });
    await head.call('POST', `/api/v1/purposes/${p.id}/submit`);
    await officer.call('POST', `/api/v1/purposes/${p.id}/approve`, { comment: '同意' });
    await head.call('POST', `/api/v1/purposes/${p.id}/activate`);
    const el = (lang: 'zh' | 'en') => ({
      purpose: lang === 'zh' ? '会员积分与售后服务' : 'Membership points and after-sales service',
      method: lang === 'zh' ? '您在本页面填写' : 'You fill in this form',
      scope: lang === 'zh' ? '姓名、手机号码、过敏信息' : 'Name, mobile number, allergy information',
      retention: lang === 'zh' ? '会员关系结束后三年' : 'Three years after the membership ends',
      scenarios: lang === 'zh' ? '积分、售后' : 'Points, after-sales',
      controllerName: '示例零售有限公司',
      controllerContact: 'privacy@example.com',
      rights: lang === 'zh' ? '您可在个人中心查询、更正并撤回同意' : 'You can access, correct and withdraw consent in the portal',
      sensitive: [
        {
          field: 'health',
          necessity: lang === 'zh' ? '为过敏客户提供安全的商品推荐' : 'Safe recommendations for customers with allergies',
          impact: lang === 'zh' ? '泄露可能影响您的隐私与权益' : 'A leak could harm your privacy and interests',
        },
      ],
    });
    const n = await head.call<{ id: string }>('POST', '/api/v1/notices', { purposeId: p.id, content: { 'zh-CN': el('zh'), en: el('en') } });
    noticeHash = (await head.call<{ contentHash: string }>('POST', `/api/v1/notices/${n.id}/publish`)).contentHash;
    await officer.call('PUT', `/api/v1/departments/${dept.id}/purposes`, { purposes: [code] });
    // P5.2: the staff member's use application, approved by the head, management and compliance (a sensitive field).
    const manager = await mk('manager1', ['management_approver']);
    const useApp = await staff.call<{ id: string }>('POST', '/api/v1/use-applications', {
      purposeCode: code,
      scenario: '售后服务',
      fields: ['name', 'mobile', 'health'],
      customerScope: { kind: 'all' },
      method: 'view',
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      justification: '售后服务需要核对客户信息',
    });
    await staff.call('POST', `/api/v1/use-applications/${useApp.id}/submit`);
    for (const reviewer of [head, manager, officer])
      await reviewer.call('POST', `/api/v1/use-applications/${useApp.id}/reviews`, { decision: 'approve' });

    // The shop: another origin, embedding the widget from the Custos server.
    let page = '';
    shop = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    });
    await new Promise<void>((r) => shop.listen(0, '127.0.0.1', () => r()));
    const addr = shop.address();
    shopOrigin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const channel = await officer.call<{ publicKey: string }>('POST', '/api/v1/channels', {
      code: `shop_${randomBytes(2).toString('hex')}`,
      name: { 'zh-CN': '官网商城', en: 'Web shop' },
      type: 'web_form',
      ownerDepartmentId: dept.id,
      allowedOrigins: [shopOrigin],
    });
    page = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>示例商城</title></head><body>
      <h1>加入会员</h1>
      <script src="${server.baseUrl}/sdk/custos-consent.js" defer></script>
      <custos-consent api-base="${server.baseUrl}" purpose="${code}" channel-key="${channel.publicKey}" lang="zh-CN"></custos-consent>
      </body></html>`;
    b = await launchBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await new Promise((r) => shop?.close(r));
    await server?.stop();
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('collects with separate consent, withdraws in the portal, and the reveal for that purpose is then denied', async () => {
    const { page } = b;
    await page.goto(`${shopOrigin}/`);
    const widget = page.locator('custos-consent');
    await expect.poll(() => widget.getAttribute('data-state'), { timeout: 15_000 }).toBe('ready');
    await expect.poll(() => page.getByTestId('notice').innerText()).toContain('会员积分与售后服务');
    expect(await page.getByTestId('notice').innerText()).toContain('示例零售有限公司');
    // Nothing is pre-ticked.
    expect(await page.getByTestId('consent-general').isChecked()).toBe(false);
    expect(await page.getByTestId('consent-separate-health').isChecked()).toBe(false);
    await page.getByTestId('field-name').fill(PLAIN.name);
    await page.getByTestId('field-mobile').fill(PLAIN.mobile);
    await page.getByTestId('field-health').fill(PLAIN.health);
    await page.getByTestId('consent-general').check();
    await page.getByTestId('consent-separate-health').check();
    await page.getByTestId('submit').click();
    await expect.poll(() => widget.getAttribute('data-state'), { timeout: 15_000 }).toBe('submitted');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'consent-widget.png'), fullPage: true });
    expect(b.pageErrors).toEqual([]);

    // Staff find the customer through the blind index and read the ledger.
    const found = await staff.call<{ items: Array<{ id: string; fields: Array<{ field: string; masked: string }> }> }>(
      'POST',
      '/api/v1/customers/search',
      {
        piType: 'cn_mobile',
        value: PLAIN.mobile,
      },
    );
    expect(found.items).toHaveLength(1);
    const id = found.items[0]!.id;
    expect(JSON.stringify(found)).not.toContain(PLAIN.mobile);
    const ledger = await staff.call<{ records: ConsentRecordLite[] }>('GET', `/api/v1/customers/${id}/consents`);
    expect(ledger.records.map((r) => [r.kind, r.noticeHash, r.separate?.category ?? null])).toEqual([
      ['grant', noticeHash, null],
      ['grant', noticeHash, 'health'],
    ]);
    expect(ledger.records[0]!.scope.sort()).toEqual(['mobile', 'name']);
    const revealed = await staff.call<{ values: Record<string, string> }>('POST', `/api/v1/customers/${id}/reveal`, {
      fields: ['health'],
      purpose: code,
      justification: '售后核对',
    });
    expect(revealed.values.health).toBe(PLAIN.health);

    // The customer signs in to the portal and withdraws.
    await page.goto(`${server.baseUrl}/portal/`);
    await page.getByTestId('portal-contact').fill(PLAIN.mobile);
    await page.getByTestId('portal-send').click();
    await page.getByTestId('portal-code').waitFor();
    let otp = '';
    for (let i = 0; i < 40 && !otp; i++) {
      const m = /"msg":"notification \(log notifier\)"/.test(server.output()) ? /验证码是 (\d{6})/.exec(server.output()) : null;
      if (m) otp = m[1]!;
      else await sleep(250);
    }
    expect(otp).toMatch(/^\d{6}$/);
    expect(server.output()).not.toContain(PLAIN.mobile);
    await page.getByTestId('portal-code').fill(otp);
    await page.getByTestId('portal-verify').click();
    const healthRow = page.getByTestId(`portal-consent-${code}-health`);
    await expect.poll(() => healthRow.getAttribute('data-status'), { timeout: 15_000 }).toBe('granted');
    await page.getByTestId(`portal-withdraw-${code}`).click();
    await page.getByTestId('portal-confirm').click();
    await expect.poll(() => healthRow.getAttribute('data-status'), { timeout: 15_000 }).toBe('withdrawn');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'consent-portal.png'), fullPage: true });

    // The staff reveal for that purpose is now denied.
    await expect(
      staff.call('POST', `/api/v1/customers/${id}/reveal`, { fields: ['health'], purpose: code, justification: '售后核对' }),
    ).rejects.toThrow(/HTTP 403/);
    await expect(
      staff.call('POST', `/api/v1/customers/${id}/reveal`, { fields: ['mobile'], purpose: code, justification: '电话回访客户' }),
    ).rejects.toThrow(/HTTP 403/);
    const check = await staff.call<{ decisions: Array<{ field: string; allow: boolean; reason: string }> }>(
      'POST',
      '/api/v1/consent-checks',
      {
        customerId: id,
        purposeCode: code,
        fields: ['health'],
      },
    );
    expect(check.decisions).toEqual([{ field: 'health', allow: false, reason: 'withdrawn' }]);

    // At rest: only ciphertext (the server is stopped so its embedded database can be opened here).
    await server.stop();
    const dbDir = path.join(server.dataDir, 'pglite');
    expect(existsSync(dbDir)).toBe(true);
    const db = await openDatabase({ kind: 'pglite', dataDir: dbDir });
    try {
      const rows = await db.query<{ category_code: string; ciphertext: Buffer }>(
        `SELECT category_code, ciphertext FROM customer_fields WHERE customer_id = $1`,
        [id],
      );
      expect(rows.map((r) => r.category_code).sort()).toEqual(['health', 'mobile', 'name']);
      const everything =
        JSON.stringify(await db.query(`SELECT * FROM customer_fields`)) +
        Buffer.concat(rows.map((r) => Buffer.from(r.ciphertext))).toString('latin1');
      for (const v of Object.values(PLAIN)) {
        expect(everything).not.toContain(v);
        for (const r of rows) expect(Buffer.from(r.ciphertext).includes(Buffer.from(v, 'utf8'))).toBe(false);
      }
      const hashes = await db.query<{ notice_hash: string | null }>(
        `SELECT notice_hash FROM consent_records WHERE customer_id = $1 AND kind = 'grant'`,
        [id],
      );
      expect(hashes.map((h) => h.notice_hash)).toEqual([noticeHash, noticeHash]);
    } finally {
      await db.close();
    }
  });
});
