/**
 * Browser test of transfer campaigns and the processing-records register (#6 items 4 and 7;
 * P6.1, P1.1), against the real built server.
 *
 * A compliance officer creates a transfer campaign in the console (with a completed impact
 * assessment); a management approver approves it; the compliance officer sends the notices,
 * records one customer's consent and executes: one customer is transferred, the other (no answer)
 * is not. An auditor finds the transfer in the processing-records register, filters it and
 * exports it as CSV. Leaves test-results/transfer-campaign.png and processing-records.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  RESULTS_DIR,
  apiLogin,
  createUsers,
  launchBrowser,
  switchUser,
  skipReason,
  startServer,
  type ApiClient,
  type TestBrowser,
  type TestServer,
} from './support';

const SKIP = skipReason();
if (SKIP) console.warn(`SKIPPED browser transfer-campaign suite: ${SKIP}`);

const PASSWORD = 'Amber-Canal-Heron-58';

describe.skipIf(SKIP)('transfer campaigns and the processing-records register in Chromium', () => {
  let server: TestServer;
  let b: TestBrowser;
  let admin: ApiClient;
  const customers: string[] = [];

  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    server = await startServer();
    admin = await apiLogin(server.baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    const dept = await admin.call<{ id: string }>('POST', '/api/v1/departments', { name: '合规部' });
    await createUsers(admin, dept.id, PASSWORD, [
      ['co1', '合规甲', ['compliance_officer']],
      ['mgr1', '审批乙', ['management_approver']],
      ['aud1', '审计丙', ['auditor']],
      ['staff1', '员工丁', ['staff']],
    ]);
    const staff = await apiLogin(server.baseUrl, 'staff1', PASSWORD);
    for (const fields of [
      { name: '周一', email: 'zhou.yi@example.com' },
      { name: '吴二', mobile: '13312348888' },
    ])
      customers.push((await staff.call<{ id: string }>('POST', '/api/v1/customers', { fields })).id);
    // A completed impact assessment about a transfer: drafted by the officer, completed by management.
    const co = await apiLogin(server.baseUrl, 'co1', PASSWORD);
    const mgr = await apiLogin(server.baseUrl, 'mgr1', PASSWORD);
    const { items } = await co.call<{
      items: Array<{ id: string; questions: Array<{ id: string; kind: string; required: boolean; options?: Array<{ value: string }> }> }>;
    }>('GET', '/api/v1/impact-assessments/templates');
    const answers = items[0]!.questions
      .filter((q) => q.required)
      .map((q) => ({ questionId: q.id, value: q.kind === 'choice' ? q.options![0]!.value : '说明' }));
    const pia = await co.call<{ id: string }>('POST', '/api/v1/impact-assessments', {
      subjectKind: 'transfer',
      title: '收购转让影响评估',
      answers,
    });
    await mgr.call('POST', `/api/v1/impact-assessments/${pia.id}/complete`, { comment: '同意' });
    b = await launchBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  const as = (username: string) => switchUser(b.page, server.baseUrl, username, PASSWORD);
  const confirm = async () => {
    await b.page.locator('.ant-modal-confirm .ant-btn-primary').click();
    await b.page.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
  };
  const status = () => b.page.getByTestId('transfer-drawer').getByTestId('transfer-status').getAttribute('data-status');
  const count = async (label: string) => {
    const stat = b.page.getByTestId('transfer-counts').locator('.ant-statistic').filter({ hasText: label });
    return Number(await stat.locator('.ant-statistic-content-value').innerText());
  };
  async function openCampaign(): Promise<void> {
    await b.page.getByTestId('nav-transfers').click();
    await b.page.getByTestId('transfers-table').locator('button[data-testid^="transfer-open-"]').first().click();
    await b.page.getByTestId('transfer-counts').waitFor();
  }

  it('creates, approves, notifies, records an answer and executes a campaign; the auditor finds and exports the record', async () => {
    const { page } = b;
    await as('co1');
    await page.getByTestId('nav-transfers').click();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('转让告知活动');
    await page.getByTestId('transfer-create').click();
    await page.getByTestId('transfer-form-title').fill('甲公司被乙公司收购');
    await page.getByTestId('transfer-form-party').fill('乙方科技有限公司');
    await page.getByTestId('transfer-form-contact').fill('dpo@yifang.example.cn');
    await page.getByTestId('transfer-form-purpose').fill('继续提供会员服务');
    await page.getByTestId('transfer-form-fields').click();
    await page.keyboard.type('姓名');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
    await page.getByTestId('transfer-form-pia').click();
    // Pick the assessment by its title: a closing dropdown of the fields select may still be in the page.
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '收购转让影响评估' }).first().click();
    await page.getByTestId('transfer-submit').click();
    await page.getByTestId('transfer-counts').waitFor();
    expect(await status()).toBe('draft');
    // The creator may not approve (and holds no transfer.approve).
    expect(await page.getByTestId('transfer-approve').count()).toBe(0);

    await as('mgr1');
    await openCampaign();
    await page.getByTestId('transfer-approve').click();
    await confirm();
    await expect.poll(status).toBe('approved');

    await as('co1');
    await openCampaign();
    await page.getByTestId('transfer-send').click();
    await confirm();
    await expect.poll(status).toBe('notifying');
    expect(await count('范围内')).toBe(2);
    // Record the first customer's consent.
    const rows = page.getByTestId('transfer-notices').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByTestId('transfer-notices').locator('button[data-testid^="transfer-answer-"]').first().click();
    await page.getByTestId('transfer-answer-hash').fill('a'.repeat(64));
    await page.getByTestId('transfer-answer-submit').click();
    await expect.poll(() => count('同意')).toBe(1);
    await page.getByTestId('transfer-execute').click();
    await confirm();
    await expect.poll(status).toBe('executed');
    expect(await count('已转移')).toBe(1);
    expect(await count('未答复')).toBe(1);
    expect(await page.getByTestId('transfer-package-hash').innerText()).toMatch(/[0-9a-f]{8}/);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'transfer-campaign.png'), fullPage: true });

    // The auditor: the register shows the transfer; a filter for disclosures shows nothing; CSV export.
    await as('aud1');
    await page.getByTestId('nav-processingRecords').click();
    const records = page.getByTestId('processing-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => records.count()).toBe(1);
    expect(await records.first().getByTestId('processing-kind').getAttribute('data-kind')).toBe('transfer');
    expect(await records.first().innerText()).toContain('乙方科技有限公司');
    await page.getByTestId('processing-filter-kind').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '公开披露' }).click();
    await page.getByTestId('processing-search').click();
    await expect.poll(() => records.count()).toBe(0);
    await page.getByTestId('processing-reset').click();
    await expect.poll(() => records.count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('processing-export').click()]);
    const file = await download.path();
    const csv = readFileSync(file, 'utf8');
    expect(csv.startsWith('\ufeffseq,id,createdAt,kind')).toBe(true);
    expect(csv).toContain('乙方科技有限公司');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'processing-records.png'), fullPage: true });
    // The auditor cannot create campaigns, and sees no plain PI in the register.
    expect(csv).not.toContain('zhou.yi@example.com');
    await page.getByTestId('nav-transfers').click();
    expect(await page.getByTestId('transfer-create').count()).toBe(0);
    expect(b.pageErrors).toEqual([]);
  });
});
