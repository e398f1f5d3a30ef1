/**
 * Browser test of approved internal use (#5 Done-when): an application walks through both
 * approvals in the console and its export grant produces a de-identified CSV that downloads once.
 *
 * Arranges through the API: a sales department with a head and a member of staff, a management
 * approver and a compliance officer in departments of their own; an active consent-based purpose
 * (name, mobile, date of birth, address) with a published notice, assigned to the sales department
 * (P5.1); twelve customers imported with consent through a bulk-import channel. Then in Chromium:
 * the staff member fills the application form (method export) and submits it; the department head
 * returns it with a comment, the staff member sees the comment and resubmits; the head approves,
 * then the management approver approves (each signed in through the login page, deciding in the
 * approval inbox with the full request and history on screen). The staff member finds the active
 * export grant, runs the export wizard (template, name pseudonymised, preview: k = 5 is not met as
 * configured, the proposed generalisation is accepted and meets it), creates a CSV for a recipient
 * and downloads it: the header names the fields, mobiles are masked, no plain name, mobile or
 * address is in the file; the same link then answers 410. The grant's access log shows the
 * preview and the export. Leaves test-results/use-application-form.png, use-approval.png,
 * use-export-preview.png, use-export-report.png and use-grant-log.png.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
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
if (SKIP) console.warn(`SKIPPED browser use suite: ${SKIP}`);
const PASSWORD = 'Quiet-Harbour-Lamp-73';
const FIELDS = ['name', 'mobile', 'date_of_birth', 'address'] as const;

interface AppLite {
  id: string;
  status: string;
  grantId: string | null;
  reviews: { stepRole: string; decision: string; reviewerName: string; comment: string | null }[];
}

/** Twelve customers: six born in 1985 in Shenzhen, six in 1990 in Hangzhou, every one unique as collected. */
function customers() {
  const rows: { name: string; mobile: string; date_of_birth: string; address: string }[] = [];
  const surnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
  for (let i = 0; i < 12; i++) {
    const sz = i < 6;
    rows.push({
      name: `${surnames[i]}${sz ? '晓明' : '丽华'}`,
      mobile: `139${String(10000000 + i * 7919).slice(0, 8)}`,
      date_of_birth: `${sz ? 1985 : 1990}-${String((i % 6) + 1).padStart(2, '0')}-${String(10 + i).padStart(2, '0')}`,
      address: sz ? `广东省深圳市南山区科技园路${i + 1}号` : `浙江省杭州市西湖区文三路${i + 1}号`,
    });
  }
  return rows;
}

describe.skipIf(SKIP)('use application, two approvals and a de-identified export in the console', () => {
  let server: TestServer;
  let b: TestBrowser;
  let staff: ApiClient;
  let manager: ApiClient;
  const code = `analysis_${randomBytes(2).toString('hex')}`;
  const people = customers();
  let appId = '';
  let grantId = '';
  let downloadPath = '';

  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    server = await startServer();
    const admin = await apiLogin(server.baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    const dept = async (name: string) => (await admin.call<{ id: string }>('POST', '/api/v1/departments', { name })).id;
    const sales = await dept('销售部');
    const board = await dept('经营管理层');
    const compliance = await dept('合规部');
    const mk = async (username: string, displayName: string, roles: string[], departmentId: string) => {
      await admin.call('POST', '/api/v1/users', { username, displayName, password: PASSWORD, departmentId, roles });
      return apiLogin(server.baseUrl, username, PASSWORD);
    };
    const head = await mk('head5', '销售部负责人', ['department_head'], sales);
    staff = await mk('staff5', '销售专员', ['staff'], sales);
    manager = await mk('manager5', '经营副总', ['management_approver'], board);
    const officer = await mk('officer5', '合规专员', ['compliance_officer'], compliance);

    const p = await head.call<{ id: string }>('POST', '/api/v1/purposes', {
      code,
      name: { 'zh-CN': '客户经营分析', en: 'Customer analysis' },
      description: { 'zh-CN': '按地区和年龄段分析客户结构', en: 'Customer structure by region and age' },
      businessLine: 'retail',
      ownerDepartmentId: sales,
      legalBasis: 'consent',
      fields: [...FIELDS],
      necessity: {},
      scenarios: [{ 'zh-CN': '经营分析', en: 'Business analysis' }],
      retention: { days: 1095, trigger: 'relationship_end' },
    });
    await head.call('POST', `/api/v1/purposes/${p.id}/submit`);
    await officer.call('POST', `/api/v1/purposes/${p.id}/approve`, { comment: '同意' });
    await head.call('POST', `/api/v1/purposes/${p.id}/activate`);
    const el = (zh: boolean) => ({
      purpose: zh ? '客户经营分析' : 'Customer analysis',
      method: zh ? '门店登记后批量录入' : 'Registered in store, entered in bulk',
      scope: zh ? '姓名、手机号码、出生日期、地址' : 'Name, mobile, date of birth, address',
      retention: zh ? '业务关系结束后三年' : 'Three years after the relationship ends',
      scenarios: zh ? '经营分析' : 'Business analysis',
      controllerName: '示例零售有限公司',
      controllerContact: 'privacy@example.com',
      rights: zh ? '您可在个人中心查询、更正并撤回同意' : 'Access, correct and withdraw consent in the portal',
      sensitive: [],
    });
    const n = await head.call<{ id: string }>('POST', '/api/v1/notices', {
      purposeId: p.id,
      content: { 'zh-CN': el(true), en: el(false) },
    });
    await head.call('POST', `/api/v1/notices/${n.id}/publish`);
    await officer.call('PUT', `/api/v1/departments/${sales}/purposes`, { purposes: [code] });
    const channel = await officer.call<{ id: string }>('POST', '/api/v1/channels', {
      code: `store_${randomBytes(2).toString('hex')}`,
      name: { 'zh-CN': '门店登记', en: 'Store registration' },
      type: 'bulk_import',
      ownerDepartmentId: sales,
    });
    const imported = await head.call<{ accepted: number; rejectedRows: unknown[] }>('POST', '/api/v1/imports', {
      channelId: channel.id,
      purposeCode: code,
      lawfulSource: { description: '门店会员登记表，客户书面同意', basis: 'consent' },
      rows: people.map((fields) => ({
        fields,
        consent: { method: 'paper_signature', givenAt: new Date(Date.now() - 86_400_000).toISOString() },
      })),
    });
    expect(imported.rejectedRows).toEqual([]);
    expect(imported.accepted).toBe(12);
    b = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  }, 30_000);

  const switchUser = async (username: string) => {
    const { page } = b;
    // A fresh load: no drawer or dialog left open (once more if the first load does not settle).
    const settle = () => page.getByTestId('app-layout').or(page.getByTestId('login-page')).waitFor();
    await page.goto(`${server.baseUrl}/`);
    await settle().catch(async () => {
      await page.reload();
      await settle();
    });
    if (await page.getByTestId('logout').count()) {
      await page.getByTestId('logout').click();
      await page.getByTestId('login-page').waitFor();
    }
    await signIn(page, server.baseUrl, username, PASSWORD);
  };

  it('the staff member applies for an export through the form and submits it', async () => {
    const { page } = b;
    await switchUser('staff5');
    await page.getByTestId('nav-useApplications').click();
    expect(new URL(page.url()).hash).toBe('#/use-applications');
    expect(await page.getByTestId('page-title').innerText()).toBe('使用申请');
    await page.getByTestId('use-app-create').click();
    await page.getByTestId('use-app-form').waitFor();
    await page.getByTestId('use-app-form-purpose').click();
    await page.getByTestId(`use-app-purpose-${code}`).click();
    await page.getByTestId('use-app-form-scenario').fill('季度客户结构分析');
    await page.getByTestId('use-app-form-fields').click();
    for (const f of FIELDS) await page.getByTestId(`use-app-field-${f}`).click();
    // Close the multiple-choice list (it stays open while choosing).
    await page.getByTestId('use-app-form-scenario').click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').waitFor({ state: 'hidden' });
    await page.getByTestId('use-app-form-method-export').click();
    await page.getByTestId('use-app-form-justification').fill('按地区与年龄段统计客户分布，用于制定下季度门店计划');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'use-application-form.png') });
    await page.getByTestId('use-app-form-submit').click();
    await page.getByTestId('use-app-form').waitFor({ state: 'detached' });

    const apps = (await staff.call<{ items: AppLite[] }>('GET', '/api/v1/use-applications')).items;
    expect(apps).toHaveLength(1);
    appId = apps[0]!.id;
    expect(apps[0]!.status).toBe('in_review');
    // Saving opens the application: the full request as submitted.
    const drawer = page.getByTestId('use-app-drawer-body');
    await drawer.waitFor();
    expect(await drawer.getAttribute('data-status')).toBe('in_review');
    expect(await page.getByTestId('use-app-scenario').innerText()).toBe('季度客户结构分析');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    const row = page.getByTestId(`use-app-row-${appId}`);
    expect(await row.getAttribute('data-status')).toBe('in_review');
    expect(await row.innerText()).toContain('待部门负责人审批');
    expect(b.pageErrors).toEqual([]);
  });

  it('the department head returns it with a comment, and the staff member resubmits', async () => {
    const { page } = b;
    await switchUser('head5');
    await page.getByTestId('nav-approvals').click();
    await page.getByTestId(`approval-row-${appId}`).waitFor();
    await page.getByTestId(`approval-open-${appId}`).click();
    const body = page.getByTestId('approval-drawer-body');
    await body.waitFor();
    expect(await page.getByTestId('use-app-justification').innerText()).toContain('下季度门店计划');
    expect(await page.getByTestId('use-app-applicant').innerText()).toBe('staff5');
    // Returning without a comment is refused in the form.
    await page.getByTestId('approval-decision-return').click();
    await page.getByTestId('approval-submit').click();
    await expect.poll(() => page.locator('.ant-form-item-explain-error').first().innerText()).toContain('必须说明理由');
    await page.getByTestId('approval-comment').fill('请说明导出文件的接收方');
    await page.getByTestId('approval-submit').click();
    await body.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId(`approval-row-${appId}`).count()).toBe(0);

    await switchUser('staff5');
    await page.getByTestId('nav-useApplications').click();
    const row = page.getByTestId(`use-app-row-${appId}`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('returned');
    expect(await page.getByTestId('use-app-last-comment').innerText()).toContain('接收方');
    await page.getByTestId(`use-app-submit-${appId}`).click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('in_review');
  });

  it('the department head, then the management approver approve in their inboxes', async () => {
    const { page } = b;
    await switchUser('head5');
    await page.getByTestId('nav-approvals').click();
    await page.getByTestId(`approval-open-${appId}`).click();
    await page.getByTestId('approval-drawer-body').waitFor();
    // The history shows the earlier return.
    expect(await page.getByTestId('use-app-history').innerText()).toContain('请说明导出文件的接收方');
    await page.getByTestId('approval-comment').fill('同意，接收方为门店规划组');
    await page.getByTestId('approval-submit').click();
    await page.getByTestId('approval-drawer-body').waitFor({ state: 'detached' });

    // The management approver has no staff register: the inbox still names the applicant.
    await switchUser('manager5');
    await page.getByTestId('nav-approvals').click();
    const row = page.getByTestId(`approval-row-${appId}`);
    await row.waitFor();
    expect(await row.getAttribute('data-step')).toBe('management_approver');
    await page.getByTestId(`approval-open-${appId}`).click();
    await page.getByTestId('approval-drawer-body').waitFor();
    const history = page.getByTestId('use-review-row');
    expect(await history.count()).toBe(2);
    expect(await history.nth(1).getAttribute('data-decision')).toBe('approve');
    expect(await history.nth(1).getAttribute('data-role')).toBe('department_head');
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'use-approval.png'), fullPage: true });
    await page.getByTestId('approval-submit').click();
    await page.getByTestId('approval-drawer-body').waitFor({ state: 'detached' });
    await expect.poll(() => row.count()).toBe(0);

    const app = (await manager.call<{ items: AppLite[] }>('GET', '/api/v1/use-applications')).items.find((a) => a.id === appId)!;
    expect(app.status).toBe('approved');
    expect(app.reviews.map((r) => [r.stepRole, r.decision, r.reviewerName])).toEqual([
      ['department_head', 'return', 'head5'],
      ['department_head', 'approve', 'head5'],
      ['management_approver', 'approve', 'manager5'],
    ]);
    grantId = app.grantId!;
    expect(grantId).toBeTruthy();
    expect(b.pageErrors).toEqual([]);
  });

  it('the staff member sees the active export grant and runs the export wizard to a risk-checked CSV', async () => {
    const { page } = b;
    await switchUser('staff5');
    await page.getByTestId('nav-grants').click();
    const row = page.getByTestId(`grant-row-${grantId}`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('active');
    expect(await row.getAttribute('data-method')).toBe('export');
    await page.getByTestId(`grant-export-${grantId}`).click();
    expect(new URL(page.url()).hash).toBe(`#/exports/new/${grantId}`);

    // Step 1: the grant is chosen already; its template loads.
    await page.getByTestId('export-grant-next').click();
    await page.getByTestId('export-step-spec').waitFor();
    for (const f of FIELDS) await page.getByTestId(`export-col-${f}`).waitFor();
    expect(await page.getByTestId('export-col-mobile').getAttribute('data-role')).toBe('identifier');
    expect(await page.getByTestId('export-col-date_of_birth').getAttribute('data-role')).toBe('quasi_identifier');
    expect(await page.getByTestId('export-col-address').getAttribute('data-role')).toBe('quasi_identifier');
    // Names become pseudonyms instead of the display mask.
    await page.getByTestId('export-col-op-name').click();
    await page.getByTestId('export-col-op-name-pseudonymise').click();
    await expect.poll(() => page.getByTestId('export-col-name').getAttribute('data-operator')).toBe('pseudonymise');
    await page.getByTestId('export-k').fill('5');
    await page.getByTestId('export-preview').click();

    // Step 2: as configured every record is unique, so k = 5 is not met; the proposal meets it.
    const risk = page.getByTestId('export-risk');
    await risk.waitFor();
    expect(await risk.getAttribute('data-satisfied')).toBe('false');
    expect(await page.getByTestId('export-to-create').isDisabled()).toBe(true);
    expect(await page.getByTestId('export-included').innerText()).toContain('12');
    const proposal = page.getByTestId('export-proposal');
    expect(await proposal.getAttribute('data-satisfied')).toBe('true');
    expect(Number(await proposal.getAttribute('data-k'))).toBeGreaterThanOrEqual(5);
    await page.getByTestId('export-accept-proposal').click();
    await page.getByTestId('export-proposal-accepted').waitFor();
    await expect.poll(() => risk.getAttribute('data-satisfied')).toBe('true');
    const sample = await page.getByTestId('export-sample-table').innerText();
    for (const p of people) {
      expect(sample).not.toContain(p.mobile);
      expect(sample).not.toContain(p.name);
      expect(sample).not.toContain(p.address);
    }
    await page.screenshot({ path: path.join(RESULTS_DIR, 'use-export-preview.png'), fullPage: true });
    await page.getByTestId('export-to-create').click();

    // Step 3: the file for a recipient.
    await page.getByTestId('export-recipient').fill('门店规划组');
    await page.getByTestId('export-create').click();
    await page.getByTestId('export-step-download').waitFor({ timeout: 30_000 });
    const dl = page.getByTestId('export-download');
    downloadPath = new URL((await dl.getAttribute('href'))!, server.baseUrl).pathname;
    expect(downloadPath).toMatch(/^\/api\/v1\/exports\/download\/cxl_/);
    expect(await page.getByTestId('export-report-recipient').innerText()).toBe('门店规划组');
    expect(await page.getByTestId('export-report-rows').innerText()).toBe('12');

    // Step 4: the one-time download.
    const [download] = await Promise.all([page.waitForEvent('download'), dl.click()]);
    const file = await download.path();
    const csv = readFileSync(file!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]!.split(',')).toEqual([...FIELDS]);
    expect(lines).toHaveLength(13);
    const mobiles = lines.slice(1).map((l) => l.split(',')[1]!);
    for (const m of mobiles) expect(m).toMatch(/^139\*{4}\d{4}$/);
    for (const p of people) {
      expect(csv).not.toContain(p.mobile);
      expect(csv).not.toContain(p.name);
      expect(csv).not.toContain(p.address);
      expect(csv).not.toContain(p.date_of_birth);
    }
    // The names are pseudonyms: one distinct token per customer.
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0])).size).toBe(12);
    await page.getByTestId('export-link-used').waitFor();
    await page.waitForTimeout(1800);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'use-export-report.png'), fullPage: true });

    // The same link a second time: gone.
    const again = await page.request.get(`${server.baseUrl}${downloadPath}`);
    expect(again.status()).toBe(410);
    expect(((await again.json()) as { code: string }).code).toBe('export_link_used');
    expect(b.pageErrors).toEqual([]);
  });

  it('lists the export as downloaded, and the grant’s access log shows the preview and the export', async () => {
    const { page } = b;
    await page.getByTestId('export-done').click();
    const exports = (await staff.call<{ items: { id: string; status: string; rowCount: number }[] }>('GET', '/api/v1/exports')).items;
    expect(exports).toHaveLength(1);
    const row = page.getByTestId(`export-row-${exports[0]!.id}`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('downloaded');
    await page.getByTestId(`export-open-${exports[0]!.id}`).click();
    await page.getByTestId('export-report').waitFor();
    expect(await page.getByTestId('export-report-k').innerText()).toMatch(/^\d+ \(目标 5\)$/);
    await page.keyboard.press('Escape');

    await page.getByTestId('nav-grants').click();
    await page.getByTestId(`grant-log-${grantId}`).click();
    const drawer = page.getByTestId('grant-drawer-body');
    await drawer.waitFor();
    await expect.poll(() => page.locator('[data-testid^="grant-access-row-"]').count()).toBeGreaterThanOrEqual(2);
    const ops = await page
      .locator('[data-testid^="grant-access-row-"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-operation')));
    expect(ops).toContain('previewDeidentification');
    expect(ops).toContain('createExport');
    expect(await drawer.innerText()).toContain('staff5');
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'use-grant-log.png'), fullPage: true });
    expect(b.pageErrors).toEqual([]);
  });
});
