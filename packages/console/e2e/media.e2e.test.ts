/**
 * Browser test of the storage-media workflow (#7 Done-when, P4.3), against the real built server.
 *
 * A security officer registers a medium in the console, records an inspection and requests its
 * disposal; the approve button is disabled for them (four eyes). A management approver approves
 * it. The security officer records the destruction (NIST method, a witness who is another
 * person, the evidence file's SHA-256) and sees the destruction certificate, which is also read
 * back through the API and found in the audit log. Leaves test-results/media-certificate.png.
 */
import { createHash, randomBytes } from 'node:crypto';
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
  signIn,
  skipReason,
  startServer,
  type ApiClient,
  type TestBrowser,
  type TestServer,
} from './support';

const SKIP = skipReason();
if (SKIP) console.warn(`SKIPPED browser storage-media suite: ${SKIP}`);

const PASSWORD = 'Tea-Garden-Lantern-42';

describe.skipIf(SKIP)('storage media: register, inspect, dispose with four eyes and a witness, certificate in Chromium', () => {
  let server: TestServer;
  let b: TestBrowser;
  let admin: ApiClient;
  const identifier = `SRV-DISK-${randomBytes(3).toString('hex').toUpperCase()}`;
  const evidence = createHash('sha256').update('destruction-photo.jpg').digest('hex');

  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    server = await startServer();
    admin = await apiLogin(server.baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    const dept = await admin.call<{ id: string }>('POST', '/api/v1/departments', { name: '信息安全部' });
    await createUsers(admin, dept.id, PASSWORD, [
      ['sec1', '安全员甲', ['security_officer']],
      ['sec2', '安全员乙', ['security_officer']],
      ['mgr1', '审批人丙', ['management_approver']],
    ]);
    b = await launchBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  async function openMedium(): Promise<void> {
    const { page } = b;
    await page.getByTestId('nav-media').click();
    await page.getByTestId(`medium-open-${identifier}`).click();
    await page.getByTestId('medium-detail-body').waitFor();
  }
  async function closeDrawer(): Promise<void> {
    await b.page.locator('.ant-drawer-close').first().click();
    await b.page.getByTestId('medium-detail-body').waitFor({ state: 'detached' });
  }
  const detailStatus = () => b.page.getByTestId('medium-detail-body').getAttribute('data-status');

  it('creates a medium, records an inspection, requests, approves and records its destruction, and shows the certificate', async () => {
    const { page } = b;
    await signIn(page, server.baseUrl, 'sec1', PASSWORD);
    await page.getByTestId('nav-media').click();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('存储介质');

    // Register.
    await page.getByTestId('media-create').click();
    await page.getByTestId('medium-form-identifier').fill(identifier);
    await page.getByTestId('medium-form-label').fill('客户库服务器硬盘');
    await page.getByTestId('medium-form-location').fill('上海数据中心 A-03 机柜');
    await page.getByTestId('medium-submit').click();
    await page.getByTestId('medium-detail-body').waitFor();
    expect(await detailStatus()).toBe('active');

    // Inspect: the standard checklist, passed.
    await page.getByTestId('medium-inspect').click();
    await page.getByTestId('inspection-submit').click();
    await expect.poll(() => page.getByTestId('inspection-row').count()).toBe(1);
    expect(await page.getByTestId('inspection-row').first().getAttribute('data-result')).toBe('passed');

    // Request disposal; the requester cannot approve it.
    await page.getByTestId('medium-request-disposal').click();
    await page.getByTestId('disposal-text').fill('硬盘到达使用年限，更换后报废');
    await page.getByTestId('disposal-submit').click();
    await expect.poll(detailStatus).toBe('disposal_requested');
    expect(await page.getByTestId('medium-approve-disposal').isDisabled()).toBe(true);

    // The inspection calendar lists the medium with its next due date.
    await closeDrawer();
    await page.getByTestId('media-tab-calendar').click();
    await page.getByTestId(`calendar-row-${identifier}`).waitFor();
    await page.getByTestId('logout').click();
    await page.getByTestId('login-page').waitFor();

    // A management approver approves.
    await signIn(page, server.baseUrl, 'mgr1', PASSWORD);
    await openMedium();
    await page.getByTestId('medium-approve-disposal').click();
    await page.getByTestId('disposal-text').fill('同意按规定销毁');
    await page.getByTestId('disposal-submit').click();
    await expect.poll(detailStatus).toBe('disposal_approved');
    await closeDrawer();
    await page.getByTestId('logout').click();
    await page.getByTestId('login-page').waitFor();

    // The security officer records the destruction, witnessed by a colleague.
    await signIn(page, server.baseUrl, 'sec1', PASSWORD);
    await openMedium();
    await page.getByTestId('medium-record-destruction').click();
    await page.getByTestId('destruction-method').click();
    await page.getByTestId('destruction-method-destroy').click();
    await page.getByTestId('destruction-witness').click();
    await page.getByTestId('witness-sec2').click();
    await page.getByTestId('destruction-evidence').fill(evidence);
    await page.getByTestId('destruction-submit').click();

    const cert = page.getByTestId('certificate');
    await cert.waitFor();
    const certificateNo = await cert.getAttribute('data-certificate-no');
    expect(certificateNo).toMatch(/^MD-\d{8}-[0-9A-F]{8}$/);
    expect(await page.getByTestId('certificate-medium').innerText()).toContain(identifier);
    expect(await page.getByTestId('certificate-nist-level').innerText()).toBe('DESTROY');
    expect(await page.getByTestId('certificate-witness').innerText()).toContain('sec2');
    expect(await page.getByTestId('certificate-evidence').innerText()).toContain(evidence);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'media-certificate.png') });
    expect(await detailStatus()).toBe('destroyed');
    expect(b.pageErrors).toEqual([]);

    // The same certificate through the API, and the workflow in the audit log with clause P4.3.
    const media = await admin.call<{ items: Array<{ id: string; identifier: string; status: string }> }>('GET', '/api/v1/storage-media');
    const m = media.items.find((x) => x.identifier === identifier)!;
    expect(m.status).toBe('destroyed');
    const apiCert = await admin.call<{ certificateNo: string; witness: { username: string }; approvedBy: string; requestedBy: string }>(
      'GET',
      `/api/v1/storage-media/${m.id}/certificate`,
    );
    expect(apiCert).toMatchObject({ certificateNo, witness: { username: 'sec2' }, approvedBy: 'mgr1', requestedBy: 'sec1' });
    const events = await admin.call<{ items: Array<{ action: string; clauses: string[] }> }>(
      'GET',
      `/api/v1/audit-events?resourceId=${m.id}&limit=50`,
    );
    expect(events.items.map((e) => e.action).sort()).toEqual(
      ['medium.created', 'medium.destroyed', 'medium.disposal_approved', 'medium.disposal_requested', 'medium.inspected'].sort(),
    );
    expect(events.items.every((e) => e.clauses.includes('P4.3'))).toBe(true);
  });
});
