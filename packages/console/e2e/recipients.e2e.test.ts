/**
 * Browser test of third-party recipients and impact assessments (#6 items 1, 2 and 6; P6.1,
 * P6.3), against the real built server.
 *
 * A compliance officer registers a recipient in the console (pending, not eligible). A security
 * officer assesses it with the questionnaire. The compliance officer records the commitment and
 * cannot approve (four eyes); a management approver approves it and it becomes eligible. The
 * compliance officer suspends it (not eligible again) and drafts an impact assessment for it,
 * which the management approver completes. Leaves test-results/recipient-detail.png.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
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
if (SKIP) console.warn(`SKIPPED browser recipients suite: ${SKIP}`);

const PASSWORD = 'Plum-Harbour-Kite-37';
/** The machine is shared: give each round trip and re-render time. */
const POLL = { timeout: 10_000 };
/** A valid unified social credit code (GB 32100). */
const USCC = '91350100M000100Y43';

describe.skipIf(SKIP)('third-party recipients and impact assessments in Chromium', () => {
  let server: TestServer;
  let b: TestBrowser;
  let admin: ApiClient;

  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    server = await startServer();
    admin = await apiLogin(server.baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    const dept = await admin.call<{ id: string }>('POST', '/api/v1/departments', { name: '合规部' });
    await createUsers(admin, dept.id, PASSWORD, [
      ['co1', '合规甲', ['compliance_officer']],
      ['sec1', '安全乙', ['security_officer']],
      ['mgr1', '审批丙', ['management_approver']],
    ]);
    b = await launchBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  const as = (username: string) => switchUser(b.page, server.baseUrl, username, PASSWORD);
  async function openRecipient(): Promise<void> {
    await b.page.getByTestId('nav-recipients').click();
    await b.page.getByTestId(`recipient-open-${USCC}`).click();
    await b.page.getByTestId('recipient-detail-body').waitFor();
  }
  const status = () => b.page.getByTestId('recipient-detail-body').getAttribute('data-status');
  const eligible = () => b.page.getByTestId('recipient-eligibility-alert').getAttribute('data-eligible');

  it('registers, assesses, commits, approves with four eyes, suspends, and completes an impact assessment', async () => {
    const { page } = b;
    await as('co1');
    await page.getByTestId('nav-recipients').click();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('第三方接收方');

    // Register: pending and not eligible.
    await page.getByTestId('recipient-create').click();
    await page.getByTestId('recipient-form-name').fill('福州某某物流有限公司');
    await page.getByTestId('recipient-form-uscc').fill(USCC);
    await page.getByTestId('recipient-form-contact-name').fill('林经理');
    await page.getByTestId('recipient-form-contact-email').fill('privacy@logistics.example.cn');
    await page.getByTestId('recipient-form-region').fill('福建省福州市');
    await page.getByTestId('recipient-form-categories').click();
    await page.keyboard.type('姓名');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.getByTestId('recipient-form-purpose').fill('会员积分礼品配送');
    await page.getByTestId('recipient-submit').click();
    await page.getByTestId('recipient-detail-body').waitFor();
    expect(await status()).toBe('pending');
    expect(await eligible()).toBe('false');
    // The registrant may not assess it.
    expect(await page.getByTestId('recipient-assess').isDisabled()).toBe(true);

    // A security officer assesses it: every question with its best answer.
    await as('sec1');
    await openRecipient();
    await page.getByTestId('recipient-assess').click();
    await page.getByTestId('assessment-form').waitFor();
    for (const [q, v] of [
      ['security_measures', 'comprehensive'],
      ['iso27001', 'certified'],
      ['iso27701', 'no'],
      ['mlps_level', 'level3_or_above'],
      ['incident_history', 'none'],
      ['sub_processors', 'none'],
      ['deletion_on_termination', 'contractual_with_certificate'],
      ['breach_notification', 'within_24h'],
    ])
      await page.getByTestId(`assessment-q-${q}-${v}`).click();
    // The preview follows the last click after a render: poll for it.
    await expect.poll(() => page.getByTestId('assessment-preview').innerText(), POLL).toContain('93');
    await page.getByTestId('assessment-submit').click();
    await expect.poll(() => page.getByTestId('assessment-row').count(), POLL).toBe(1);
    expect(await page.getByTestId('assessment-row').first().getAttribute('data-passed')).toBe('true');

    // The compliance officer records the commitment; approval is not theirs to give.
    await as('co1');
    await openRecipient();
    await page.getByTestId('recipient-commit').click();
    await page.getByTestId('commitment-hash').fill(createHash('sha256').update('dpa-signed.pdf').digest('hex'));
    await page.getByTestId('commitment-policy-version').fill('2025.1');
    await page.getByTestId('commitment-submit').click();
    await page.getByTestId('recipient-tab-commitments').click();
    await expect.poll(() => page.getByTestId('commitment-row').count(), POLL).toBe(1);
    expect(await page.getByTestId('commitment-row').first().getAttribute('data-state')).toBe('in_force');
    expect(await page.getByTestId('recipient-approve').isDisabled()).toBe(true);

    // A management approver approves: eligible.
    await as('mgr1');
    await openRecipient();
    await page.getByTestId('recipient-approve').click();
    await page.getByTestId('decision-submit').click();
    await expect.poll(status, POLL).toBe('approved');
    expect(await eligible()).toBe('true');

    // The compliance officer suspends it: not eligible, with the reason shown.
    await as('co1');
    await openRecipient();
    await page.getByTestId('recipient-suspend').click();
    await page.getByTestId('decision-text').fill('发现日志留存不足，暂停共享');
    await page.getByTestId('decision-submit').click();
    await expect.poll(status, POLL).toBe('suspended');
    expect(await eligible()).toBe('false');
    expect(await page.getByTestId('recipient-eligibility-alert').innerText()).toContain('接收方已暂停');
    await page.getByTestId('decision-text').waitFor({ state: 'detached' });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'recipient-detail.png') });

    // An impact assessment about it, drafted from its drawer.
    await page.getByTestId('recipient-tab-impact').click();
    await page.getByTestId('recipient-new-impact').click();
    await page.getByTestId('impact-form').waitFor();
    await page.getByTestId('impact-title').fill('物流商准入影响评估');
    for (const q of ['purpose', 'necessity_explanation', 'impact_description']) await page.getByTestId(`impact-q-${q}`).fill('说明');
    for (const [q, v] of [
      ['legal_basis', 'documented'],
      ['necessity', 'minimal'],
      ['sensitive_pi', 'none'],
      ['individuals_affected', 'under_100k'],
      ['impact_on_individuals', 'minimal'],
      ['security_measures', 'adequate'],
      ['cross_border', 'no'],
    ])
      await page.getByTestId(`impact-q-${q}-${v}`).click();
    await page.getByTestId('impact-save').click();
    await expect.poll(() => page.getByTestId('impact-detail-body').getAttribute('data-status'), POLL).toBe('draft');
    expect(await page.getByTestId('impact-risk').first().getAttribute('data-risk')).toBe('medium');
    expect(await page.getByTestId('impact-complete').isDisabled()).toBe(true); // the author

    await as('mgr1');
    await page.getByTestId('nav-impactAssessments').click();
    await page.locator('[data-testid^="impact-open-"]').first().click();
    await page.getByTestId('impact-complete').click();
    await page.getByTestId('impact-complete-submit').click();
    await expect.poll(() => page.getByTestId('impact-detail-body').getAttribute('data-status'), POLL).toBe('completed');
    expect(b.pageErrors).toEqual([]);

    // The workflow in the audit log, with its clauses.
    const events = await admin.call<{ items: Array<{ action: string; clauses: string[] }> }>(
      'GET',
      '/api/v1/audit-events?resourceType=recipient&limit=200',
    );
    const actions = events.items.map((e) => e.action);
    for (const a of [
      'recipient.created',
      'recipient.assessed',
      'recipient.commitment_recorded',
      'recipient.approved',
      'recipient.suspended',
    ])
      expect(actions).toContain(a);
    expect(events.items.find((e) => e.action === 'recipient.suspended')!.clauses).toEqual(['P6.3']);
  });
});
