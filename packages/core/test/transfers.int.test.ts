import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  customerActor,
  customerIdsHash,
  decryptPackage,
  DEFAULT_PIA_TEMPLATE,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  PolicyViolationError,
  type Actor,
  type CreateTransferCampaignInput,
} from '../src/index.js';
import { createTestCore, DB_KINDS, makeUser, reportSkip, type TestCore } from './helpers.js';
import { seedPurpose, type PurposeFixture } from './consent-fixtures.js';

const hex = () => createHash('sha256').update(randomBytes(16)).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Plain values the customers give; none of them may appear in the audit log. */
const PEOPLE = {
  email: { name: '赵一', email: 'zhao.yi@example.com' },
  sms: { name: '钱二', mobile: '13312340001' },
  letter: { name: '孙三', address: '广东省深圳市南山区科技园路1号' },
  none: { name: '李四' },
  portal: { name: '周五', mobile: '13312340005' },
} as const;

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`transfer-campaign suite on ${kind}`, skip);
  describe.skipIf(skip)(`transfer campaigns on merger, division or acquisition on ${kind}`, () => {
    let t: TestCore;
    let f: PurposeFixture;
    let co: Actor; // compliance officer: runs the campaign
    let mgr: Actor; // management approver: approves the PIA and the campaign
    let auditor: Actor;
    const ids = {} as Record<keyof typeof PEOPLE, string>;
    const q = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => t.db.database.query<T>(sql, params);

    async function pia(completed = true): Promise<string> {
      const answers = DEFAULT_PIA_TEMPLATE.questions
        .filter((x) => x.required)
        .map((x) => ({ questionId: x.id, value: x.kind === 'choice' ? x.options![0]!.value : '说明 / explanation' }));
      const a = await t.core.impact.create(co, { subjectKind: 'transfer', title: '并购转让影响评估', answers });
      if (completed) await t.core.impact.complete(mgr, a.id, { comment: '风险可接受' });
      return a.id;
    }

    const campaign = (impactAssessmentId: string, over: Partial<CreateTransferCampaignInput> = {}): CreateTransferCampaignInput => ({
      title: '甲公司被乙公司收购',
      reason: 'acquisition',
      receivingParty: { name: '乙方科技有限公司', contact: 'dpo@yifang.example.cn, 400-800-1234' },
      purpose: '继续为会员提供积分与售后服务',
      fields: ['name', 'mobile', 'email'],
      customerScope: { kind: 'list', ids: Object.values(ids) },
      channels: ['email', 'sms', 'letter'],
      responseDeadline: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      impactAssessmentId,
      ...over,
    });

    beforeAll(async () => {
      t = await createTestCore(kind);
      f = await seedPurpose(t.core, { fields: ['name', 'mobile', 'email', 'address'] });
      co = await makeUser(t.core, ['compliance_officer']);
      mgr = await makeUser(t.core, ['management_approver']);
      auditor = await makeUser(t.core, ['auditor']);
      for (const [k, fields] of Object.entries(PEOPLE)) {
        const r = await t.core.collection.collect(
          f.staff,
          {
            purposeCode: f.code,
            noticeId: f.noticeId,
            channelId: f.channelId,
            fields,
            consent: { method: 'checkbox', scope: Object.keys(fields), separate: [] },
          },
          { idempotencyKey: randomBytes(12).toString('hex') },
        );
        ids[k as keyof typeof PEOPLE] = r.customerId!;
      }
    });
    afterAll(async () => t?.close());

    it('validates the campaign: notice elements, fields, customers', async () => {
      const a = await pia();
      const bad = await t.core.transfers
        .create(
          co,
          campaign(a, {
            noticeTemplate: {
              'zh-CN': '我们将把您的信息转给{recipientName}，联系{recipientContact}。',
              en: 'We transfer your data to {recipientName}. {foo}',
            },
          }),
        )
        .catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(InvalidError);
      expect((bad as InvalidError).problems.map((p) => p.reason)).toEqual(
        expect.arrayContaining(['missing_{purpose}', 'missing_{scope}', 'missing_{objection}', 'unknown_{foo}']),
      );
      const unknown = await t.core.transfers
        .create(
          co,
          campaign(a, {
            fields: ['name', 'no_such_field'],
            customerScope: { kind: 'list', ids: ['00000000-0000-4000-8000-000000000000'] },
          }),
        )
        .catch((e: unknown) => e);
      expect((unknown as InvalidError).problems).toEqual(
        expect.arrayContaining([
          { field: 'no_such_field', reason: 'unknown_category' },
          { field: 'customerScope.ids', reason: 'unknown_customers:1' },
        ]),
      );
      // Staff may not run transfers at all.
      await expect(t.core.transfers.create(f.staff, campaign(a))).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('needs a completed impact assessment and an approver other than the creator', async () => {
      const draftPia = await pia(false);
      const c = await t.core.transfers.create(co, campaign(draftPia));
      expect(c).toMatchObject({ status: 'draft', counts: { inScope: 0 } });
      const gate = await t.core.transfers.approve(mgr, c.id).catch((e: unknown) => e);
      expect(gate).toBeInstanceOf(PolicyViolationError);
      expect((gate as PolicyViolationError).problems).toEqual([{ field: 'impactAssessmentId', reason: 'impact_assessment_not_completed' }]);
      // Not approved: notices cannot go out.
      await expect(t.core.transfers.sendNotices(co, c.id)).rejects.toBeInstanceOf(ConflictError);
      // A management approver who created the campaign may not approve it.
      const both: Actor = await makeUser(t.core, ['compliance_officer', 'management_approver']);
      const own = await t.core.transfers.create(both, campaign(await pia()));
      await expect(t.core.transfers.approve(both, own.id)).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('sends notices, records answers and transfers only those allowed, with every count, a processing record and audit events', async () => {
      const c = await t.core.transfers.create(co, campaign(await pia()));
      const approved = await t.core.transfers.approve(mgr, c.id, { comment: '同意并购转让' });
      expect(approved.status).toBe('approved');

      const sent = await t.core.transfers.sendNotices(co, c.id);
      expect(sent.status).toBe('notifying');
      expect(sent.counts).toMatchObject({ inScope: 5, notified: 4, letters: 1, noAddress: 1 });
      await expect(t.core.transfers.sendNotices(co, c.id)).rejects.toBeInstanceOf(ConflictError);

      // The notices went through the notifier (the development log transport here).
      const text = await t.lastNotification('transfer.notice');
      for (const s of [
        '乙方科技有限公司',
        'dpo@yifang.example.cn',
        '继续为会员提供积分与售后服务',
        '姓名',
        '手机号码',
        '客户自助门户',
        'self-service portal',
      ])
        expect(text).toContain(s);
      const outbox = await q<{ transport: string; status: string; recipient: Record<string, string> }>(
        `SELECT transport, status, recipient FROM outbox WHERE topic = 'transfer.notice' ORDER BY id`,
      );
      expect(outbox.map((o) => [o.transport, o.status]).sort()).toEqual([
        ['email', 'delivered'],
        ['sms', 'delivered'],
        ['sms', 'delivered'],
      ]);
      // The outbox holds a reference to the customer's field, never the address.
      expect(JSON.stringify(outbox)).not.toContain(PEOPLE.email.email);

      const notices = await t.core.transfers.listNotices(co, c.id);
      const byCustomer = new Map(notices.items.map((n) => [n.customerId, n]));
      expect(byCustomer.get(ids.email)).toMatchObject({ channel: 'email', delivery: 'delivered' });
      expect(byCustomer.get(ids.sms)).toMatchObject({ channel: 'sms', delivery: 'delivered' });
      expect(byCustomer.get(ids.letter)).toMatchObject({ channel: 'letter', delivery: 'letter' });
      expect(byCustomer.get(ids.none)).toMatchObject({ channel: 'none', delivery: 'no_address' });
      expect((await t.core.transfers.listNotices(co, c.id, { delivery: 'no_address' })).total).toBe(1);

      // The printable letter batch: rendered from the vault, matching the hash kept at sending.
      const view = await t.core.transfers.get(co, c.id);
      expect(view.letterBatches).toHaveLength(1);
      const letters = await t.core.transfers.downloadLetters(co, c.id, view.letterBatches[0]!.id);
      expect(letters).toMatchObject({ letters: 1, matchesRecordedHash: true, documentHash: view.letterBatches[0]!.documentHash });
      expect(letters.document).toContain(PEOPLE.letter.address);
      expect(letters.document).toContain(byCustomer.get(ids.letter)!.reference);

      // Answers: by staff with evidence, and by a customer in the portal; the latest counts.
      const answer = (customerId: string, a: 'consent' | 'object' | 'legal_basis', legalBasis?: string) =>
        t.core.transfers.recordResponse(co, c.id, {
          customerId,
          answer: a,
          ...(legalBasis ? { legalBasis } : {}),
          channel: 'reply_letter',
          evidence: { documentHash: hex() },
        });
      await answer(ids.email, 'consent');
      await answer(ids.sms, 'object');
      await answer(ids.letter, 'legal_basis', '履行与客户签订的会员合同所必需（PIPL 第十三条第二项）');
      await answer(ids.portal, 'object');
      const mine = await t.core.transfers.listMine(customerActor(ids.portal));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ campaignId: c.id, open: true, answer: 'object' });
      expect(mine[0]!.text['zh-CN']).toContain('乙方科技有限公司');
      await t.core.transfers.answerMine(customerActor(ids.portal), { campaignId: c.id, answer: 'consent' });
      // Someone not in the campaign, or a missing legal basis, is refused.
      await expect(
        t.core.transfers.recordResponse(co, c.id, {
          customerId: f.purposeId,
          answer: 'consent',
          channel: 'phone',
          evidence: { documentHash: hex() },
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        t.core.transfers.recordResponse(co, c.id, {
          customerId: ids.none,
          answer: 'legal_basis',
          channel: 'phone',
          evidence: { documentHash: hex() },
        }),
      ).rejects.toBeInstanceOf(InvalidError);
      await expect(
        t.core.transfers.answerMine(customerActor(ids.none), { campaignId: mgr.userId!, answer: 'consent' }),
      ).rejects.toBeInstanceOf(NotFoundError);

      const done = await t.core.transfers.execute(co, c.id);
      expect(done.status).toBe('executed');
      expect(done.counts).toEqual({
        inScope: 5,
        notified: 4,
        delivered: 4,
        queued: 0,
        failed: 1,
        letters: 1,
        noAddress: 1,
        consented: 2,
        objected: 1,
        legalBasis: 1,
        noAnswer: 1,
        transferred: 3,
        unavailable: 0,
      });
      const outcomes = new Map((await t.core.transfers.listNotices(co, c.id)).items.map((n) => [n.customerId, n.outcome]));
      expect(Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, outcomes.get(id)]))).toEqual({
        email: 'transferred',
        sms: 'excluded_objected',
        letter: 'transferred',
        none: 'excluded_no_answer',
        portal: 'transferred',
      });
      await expect(t.core.transfers.execute(co, c.id)).rejects.toBeInstanceOf(ConflictError);
      await expect(answer(ids.sms, 'consent')).rejects.toBeInstanceOf(ConflictError);

      // The processing record: who, what, which customers (by hash), to whom, on which basis, the package's hash.
      const records = await t.core.processingRecords.list(auditor, { kind: 'transfer', recipient: '乙方' });
      const rec = records.items.find((r) => r.subjectId === c.id)!;
      expect(rec).toMatchObject({
        kind: 'transfer',
        subjectType: 'transfer_campaign',
        actorName: co.username,
        fields: ['name', 'mobile', 'email'],
        customerCount: 3,
        customerIdsHash: customerIdsHash([ids.email, ids.letter, ids.portal]),
        recipientName: '乙方科技有限公司',
        fileHash: done.packageHash,
        id: done.processingRecordId,
      });
      expect(rec.legalBasis).toContain('consent 2, other legal basis 1');
      expect(Date.parse(rec.keepUntil) - Date.parse(rec.createdAt)).toBeGreaterThanOrEqual(3 * 365 * 86_400_000);

      // The handover package: encrypted under a passphrase, its plain hash the recorded one.
      await expect(t.core.transfers.downloadPackage(co, c.id, { passphrase: 'short' })).rejects.toBeInstanceOf(InvalidError);
      const pkg = await t.core.transfers.downloadPackage(co, c.id, { passphrase: 'handover passphrase 2025' });
      expect(pkg).toMatchObject({ customers: 3, matchesRecordedHash: true, plainSha256: done.packageHash });
      expect(pkg.ciphertext).not.toContain(PEOPLE.email.email);
      const plain = decryptPackage(pkg, 'handover passphrase 2025');
      expect(sha256(plain)).toBe(done.packageHash);
      const lines = plain.split('\n').map((l) => JSON.parse(l) as { customerId: string; fields: Record<string, string> });
      expect(lines.map((l) => l.customerId).sort()).toEqual([ids.email, ids.letter, ids.portal].sort());
      expect(lines.find((l) => l.customerId === ids.email)!.fields).toEqual({ name: PEOPLE.email.name, email: PEOPLE.email.email });

      // Audit: every step, and no plain PI anywhere in the audit details.
      await t.core.audit.flush();
      const actions = (await q<{ action: string }>(`SELECT action FROM audit_events WHERE resource_id = $1 ORDER BY id`, [c.id])).map(
        (r) => r.action,
      );
      expect(actions).toEqual([
        'transfer_campaign.created',
        'transfer_campaign.approved',
        'transfer.letter_addresses_read',
        'transfer_campaign.notices_sent',
        'transfer.letters_downloaded',
        'transfer.response_recorded',
        'transfer.response_recorded',
        'transfer.response_recorded',
        'transfer.response_recorded',
        'transfer.response_recorded',
        'transfer.executed',
        'transfer.package_downloaded',
      ]);
      const [created] = await q(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'processing_record.created' AND resource_id = $1`,
        [rec.id],
      );
      expect(created!.n).toBe(1);
      const details = (await q<{ d: string }>(`SELECT details::text AS d FROM audit_events`)).map((r) => r.d).join('\n');
      for (const p of Object.values(PEOPLE)) for (const v of Object.values(p)) expect(details).not.toContain(v);
    });

    it('auditors read and export the register; the register is append-only; staff cannot read it', async () => {
      const page = await t.core.processingRecords.list(auditor, { kind: 'transfer', limit: 1 });
      expect(page.total).toBeGreaterThanOrEqual(1);
      expect(page.items).toHaveLength(1);
      expect((await t.core.processingRecords.list(auditor, { kind: 'disclosure' })).total).toBe(0);
      expect((await t.core.processingRecords.list(auditor, { recipient: 'no such party' })).total).toBe(0);
      expect((await t.core.processingRecords.list(auditor, { from: new Date(Date.now() + 86_400_000).toISOString() })).total).toBe(0);
      const { csv, rows } = await t.core.processingRecords.exportCsv(auditor, { kind: 'transfer' });
      expect(rows).toBe(page.total);
      expect(csv.startsWith('\ufeffseq,id,createdAt,kind')).toBe(true);
      expect(csv).toContain('乙方科技有限公司');
      await expect(t.core.processingRecords.list(f.staff, {})).rejects.toBeInstanceOf(ForbiddenError);
      await expect(q(`UPDATE processing_records SET customer_count = 0`)).rejects.toThrow();
      await expect(q(`DELETE FROM processing_records`)).rejects.toThrow();
      await t.core.audit.flush();
      const [exp] = await q(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'processing_records.exported'`);
      expect(exp!.n).toBe(1);
    });
  });
}
