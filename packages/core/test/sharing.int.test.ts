import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  ExportLinkGoneError,
  ForbiddenError,
  PolicyViolationError,
  type Actor,
  type CreateShareRequestInput,
  type RecipientDetail,
} from '../src/index.js';
import { createTestCore, DB_KINDS, makeUser, reportSkip, type TestCore } from './helpers.js';
import { seedPurpose, type PurposeFixture } from './consent-fixtures.js';
import { approvedRecipient, completedImpactAssessment, uscc } from './recipient-fixtures.js';

const FIELDS = ['name', 'mobile', 'preferences'];

const reasonsOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(PolicyViolationError);
  return (e as PolicyViolationError).problems.map((x) => x.reason);
};

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`sharing suite on ${kind}`, skip);
  describe.skipIf(skip)(`sharing with third-party recipients on ${kind}`, () => {
    let t: TestCore;
    let f: PurposeFixture;
    let manager: Actor;
    let security: Actor;
    let rec: RecipientDetail;
    let impactId: string;
    const customers: Record<string, string> = {};
    const q = (sql: string, params?: unknown[]) => t.db.database.query(sql, params) as Promise<Array<Record<string, unknown>>>;
    const by = () => ({ registrar: f.approver, assessor: security, approver: manager });

    const request = (over: Partial<CreateShareRequestInput> = {}): CreateShareRequestInput => ({
      recipientId: rec.recipient.id,
      purposeCode: f.code,
      customerScope: { kind: 'all' },
      spec: {
        // The courier needs the mobile number as it is; the name is masked.
        columns: [
          { field: 'name', role: 'identifier', piType: 'person_name', operator: { kind: 'display_mask' } },
          { field: 'mobile', role: 'insensitive', piType: 'cn_mobile', operator: { kind: 'keep' } },
          { field: 'preferences', role: 'insensitive', operator: { kind: 'keep' } },
        ],
        privacyModel: { k: 1, maxSuppression: 0 },
      },
      impactAssessmentId: impactId,
      justification: '物流商配送积分兑换礼品',
      ...over,
    });

    /** Created by the staff member and approved at all three steps. */
    async function approved(over: Partial<CreateShareRequestInput> = {}) {
      const r = await t.core.sharing.create(f.staff, request(over));
      await t.core.sharing.review(f.author, r.id, { decision: 'approve' });
      await t.core.sharing.review(manager, r.id, { decision: 'approve' });
      return t.core.sharing.review(f.approver, r.id, { decision: 'approve' });
    }

    beforeAll(async () => {
      t = await createTestCore(kind);
      f = await seedPurpose(t.core, { fields: FIELDS });
      manager = await makeUser(t.core, ['management_approver']);
      security = await makeUser(t.core, ['security_officer']);
      rec = await approvedRecipient(t.core, by(), { dataCategories: FIELDS });
      impactId = await completedImpactAssessment(t.core, f.author, manager, 'share');
      // A: separate consent naming the recipient's id; B: naming its credit code; C: the purpose's consent only.
      const collect = async (label: string, mobile: string, separate: Array<{ type: 'sharing'; recipient: string }>) => {
        const r = await t.core.collection.collect(
          f.staff,
          {
            purposeCode: f.code,
            noticeId: f.noticeId,
            channelId: f.channelId,
            fields: { name: `王${label}`, mobile, preferences: `喜好${label}` },
            consent: { method: 'checkbox', scope: FIELDS, separate },
          },
          { idempotencyKey: randomBytes(12).toString('hex') },
        );
        customers[label] = r.customerId!;
      };
      await collect('甲', '13700000001', [{ type: 'sharing', recipient: rec.recipient.id }]);
      await collect('乙', '13700000002', [{ type: 'sharing', recipient: rec.recipient.uscc }]);
      await collect('丙', '13700000003', []);
      await collect('丁', '13700000004', [{ type: 'sharing', recipient: 'another-company' }]);
    });
    afterAll(async () => t?.close());

    it('goes through the chain; executes only for customers with a separate consent; leaves a processing record and audit events', async () => {
      const r = await t.core.sharing.create(f.staff, request());
      expect(r).toMatchObject({
        status: 'in_review',
        chain: ['department_head', 'management_approver', 'compliance_officer'],
        fields: FIELDS,
      });
      await expect(t.core.sharing.review(f.staff, r.id, { decision: 'approve' })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.sharing.review(manager, r.id, { decision: 'approve' })).rejects.toBeInstanceOf(ForbiddenError);
      await t.core.sharing.review(f.author, r.id, { decision: 'approve' });
      await t.core.sharing.review(manager, r.id, { decision: 'approve' });
      await expect(t.core.sharing.execute(f.staff, r.id)).rejects.toBeInstanceOf(ConflictError);
      const done = await t.core.sharing.review(f.approver, r.id, { decision: 'approve' });
      expect(done.status).toBe('approved');

      const e = await t.core.sharing.execute(f.staff, r.id);
      expect(e).toMatchObject({ inScopeCount: 4, includedCount: 2, excludedCount: 2, rowCount: 2 });
      await expect(t.core.sharing.execute(f.staff, r.id)).rejects.toBeInstanceOf(ConflictError);
      const d = await t.core.sharing.download(f.staff, e.downloadPath!.split('/').pop()!);
      const chunks: Buffer[] = [];
      for await (const c of d.stream) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      expect(text).toContain('13700000001');
      expect(text).toContain('13700000002');
      expect(text).not.toContain('13700000003');
      expect(text).not.toContain('13700000004');
      expect(text).toContain('王*');
      await expect(t.core.sharing.download(f.staff, e.downloadPath!.split('/').pop()!)).rejects.toBeInstanceOf(ExportLinkGoneError);

      const [pr] = await q(
        `SELECT kind, recipient_id, customer_count, file_hash, legal_basis, details FROM processing_records WHERE subject_id = $1`,
        [r.id],
      );
      expect(pr).toMatchObject({ kind: 'share', recipient_id: rec.recipient.id, customer_count: 2, file_hash: e.fileSha256 });
      expect(String(pr!.legal_basis)).toContain('PIPL Art. 23');
      expect(pr!.details).toMatchObject({ inScope: 4, excludedNoConsent: 2 });
      const events = await q(`SELECT action, details FROM audit_events WHERE resource_id = $1 ORDER BY seq`, [r.id]);
      expect(events.map((x) => x.action)).toEqual([
        'share_request.created',
        'share_request.step_approved',
        'share_request.step_approved',
        'share_request.approved',
        'share.executed',
        'share.downloaded',
      ]);
      expect(events[4]!.details).toMatchObject({ included: 2, excluded: 2, rows: 2 });
      expect(JSON.stringify(events.map((x) => x.details))).not.toMatch(/137000000|王甲|喜好/);
    });

    it('another recorded legal basis includes customers without a separate consent (still within the purpose’s consent)', async () => {
      const r = await approved({ legalBasis: 'contract', legalBasisNote: '《个人信息保护法》第十三条第一款第二项：履行合同所必需' });
      const e = await t.core.sharing.execute(f.staff, r.id);
      expect(e).toMatchObject({ inScopeCount: 4, includedCount: 4, excludedCount: 0 });
      // A link left unused past its expiry: the hourly sweep removes the file.
      const file = path.join(t.core.config.exports.dir, `${e.id}.cxf`);
      expect(existsSync(file)).toBe(true);
      await q(`UPDATE share_executions SET expires_at = now() - interval '1 second' WHERE id = $1`, [e.id]);
      expect(await t.core.exports.sweepExpired()).toBeGreaterThanOrEqual(1);
      expect(existsSync(file)).toBe(false);
      await expect(t.core.sharing.create(f.staff, request({ legalBasis: 'contract' }))).rejects.toMatchObject({
        problems: [{ field: 'legalBasisNote', reason: expect.any(String) }],
      });
    });

    it('refuses the last approval without a completed impact assessment, and to an unassessed recipient', async () => {
      const noImpact = await t.core.sharing.create(f.staff, request({ impactAssessmentId: undefined }));
      await t.core.sharing.review(f.author, noImpact.id, { decision: 'approve' });
      await t.core.sharing.review(manager, noImpact.id, { decision: 'approve' });
      expect(await reasonsOf(t.core.sharing.review(f.approver, noImpact.id, { decision: 'approve' }))).toEqual([
        'impact_assessment_missing',
      ]);

      const pending = await t.core.recipients.create(f.approver, {
        legalName: '未评估的接收方有限公司',
        uscc: uscc(),
        contact: { name: '李经理', email: 'dpo@pending.example.cn', phone: '021-60000000' },
        country: 'CN',
        region: '上海市',
        dataCategories: FIELDS,
        purpose: '测试',
        reassessmentIntervalDays: 365,
      });
      const r = await t.core.sharing.create(f.staff, request({ recipientId: pending.recipient.id }));
      await t.core.sharing.review(f.author, r.id, { decision: 'approve' });
      await t.core.sharing.review(manager, r.id, { decision: 'approve' });
      const reasons = await reasonsOf(t.core.sharing.review(f.approver, r.id, { decision: 'approve' }));
      expect(reasons).toContain('not_approved');
      expect((await t.core.sharing.get(f.staff, r.id)).status).toBe('in_review');
    });

    it('a suspended recipient, or one whose commitment expired, receives nothing: execution is refused', async () => {
      const suspended = await approvedRecipient(t.core, by(), { dataCategories: FIELDS });
      const r = await approved({ recipientId: suspended.recipient.id });
      await t.core.recipients.suspend(f.approver, suspended.recipient.id, { reason: '发现数据泄露事件' });
      expect(await reasonsOf(t.core.sharing.execute(f.staff, r.id))).toContain('suspended');
      expect((await t.core.sharing.get(f.staff, r.id)).execution).toBeNull();
      expect(await q(`SELECT 1 FROM processing_records WHERE subject_id = $1`, [r.id])).toHaveLength(0);

      const expiring = await approvedRecipient(t.core, by(), { dataCategories: FIELDS });
      const r2 = await approved({ recipientId: expiring.recipient.id });
      // Time passes: the commitment's end is moved into the past (the table is append-only, so the
      // guard trigger is bypassed for this one test update).
      await q(
        `DO $$ BEGIN
           SET LOCAL session_replication_role = replica;
           UPDATE recipient_commitments SET effective_from = now() - interval '400 days', expires_at = now() - interval '1 day' WHERE recipient_id = '${expiring.recipient.id}';
         END $$`,
      );
      expect(await reasonsOf(t.core.sharing.execute(f.staff, r2.id))).toContain('commitment_expired');
    });

    it('hides requests from other departments (404) and refuses execution by them', async () => {
      const r = await t.core.sharing.create(f.staff, request());
      const outsider = await makeUser(t.core, ['staff']);
      await expect(t.core.sharing.get(outsider, r.id)).rejects.toMatchObject({ status: 404 });
      await expect(t.core.sharing.execute(outsider, r.id)).rejects.toMatchObject({ status: 404 });
      const auditor = await makeUser(t.core, ['auditor']);
      expect((await t.core.sharing.list(auditor)).map((x) => x.id)).toContain(r.id);
    });
  });
}
