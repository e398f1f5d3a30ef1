import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  customerIdsHash,
  DEFAULT_PIA_TEMPLATE,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  PolicyViolationError,
  type Actor,
  type CreateDisclosureRequestInput,
} from '../src/index.js';
import { createTestCore, DB_KINDS, makeUser, reportSkip, type TestCore } from './helpers.js';
import { seedPurpose, type PurposeFixture } from './consent-fixtures.js';

/** The customers' plain values: none may appear in the disclosed content or the audit log. */
const PEOPLE = {
  a: { name: '欧阳娜娜', mobile: '13312347001', date_of_birth: '1990-05-17' },
  b: { name: '钱多多', mobile: '13312347002', date_of_birth: '1985-11-02' },
  c: { name: '孙小美', mobile: '13312347003', date_of_birth: '1979-01-30' },
} as const;

const problemsOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(PolicyViolationError);
  return (e as PolicyViolationError).problems;
};

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`disclosure suite on ${kind}`, skip);
  describe.skipIf(skip)(`public disclosure on ${kind}`, () => {
    let t: TestCore;
    let f: PurposeFixture;
    let co: Actor; // compliance officer: requests
    let co2: Actor; // another compliance officer: the compliance step
    let mgr: Actor; // management approver: the management step
    let auditor: Actor;
    let outsider: string; // a customer of another purpose
    const ids = {} as Record<keyof typeof PEOPLE, string>;
    const q = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => t.db.database.query<T>(sql, params);

    async function pia(completed = true): Promise<string> {
      const answers = DEFAULT_PIA_TEMPLATE.questions
        .filter((x) => x.required)
        .map((x) => ({ questionId: x.id, value: x.kind === 'choice' ? x.options![0]!.value : '说明 / explanation' }));
      const a = await t.core.impact.create(co, { subjectKind: 'disclosure', title: '中奖名单公示影响评估', answers });
      if (completed) await t.core.impact.complete(mgr, a.id, { comment: '同意' });
      return a.id;
    }

    const request = (impactAssessmentId: string, over: Partial<CreateDisclosureRequestInput> = {}): CreateDisclosureRequestInput => ({
      title: '年度抽奖中奖名单公示',
      purposeCode: f.code,
      reason: '按活动规则公示中奖客户，接受公众监督',
      audience: '官网活动页面，公示 30 天',
      basis: { kind: 'consent', target: 'public' },
      fields: ['name', 'mobile'],
      operators: { mobile: { kind: 'mask', keepFirst: 3, keepLast: 4 } },
      customerScope: { kind: 'all' },
      impactAssessmentId,
      ...over,
    });

    beforeAll(async () => {
      t = await createTestCore(kind);
      f = await seedPurpose(t.core, { fields: ['name', 'mobile', 'date_of_birth'] });
      co = await makeUser(t.core, ['compliance_officer']);
      co2 = await makeUser(t.core, ['compliance_officer']);
      mgr = await makeUser(t.core, ['management_approver']);
      auditor = await makeUser(t.core, ['auditor']);
      for (const [k, fields] of Object.entries(PEOPLE)) {
        // a and b consent separately to public disclosure; c does not.
        const separate = k === 'c' ? [] : [{ type: 'disclosure' as const, recipient: 'public' }];
        const r = await t.core.collection.collect(
          f.staff,
          {
            purposeCode: f.code,
            noticeId: f.noticeId,
            channelId: f.channelId,
            fields,
            consent: { method: 'checkbox', scope: Object.keys(fields), separate },
          },
          { idempotencyKey: randomBytes(12).toString('hex') },
        );
        ids[k as keyof typeof PEOPLE] = r.customerId!;
      }
      const other = await seedPurpose(t.core, { fields: ['name', 'mobile'] });
      const r = await t.core.collection.collect(
        other.staff,
        {
          purposeCode: other.code,
          noticeId: other.noticeId,
          channelId: other.channelId,
          fields: { name: '外人', mobile: '13312347009' },
          consent: { method: 'checkbox', scope: ['name', 'mobile'], separate: [{ type: 'disclosure', recipient: 'public' }] },
        },
        { idempotencyKey: randomBytes(12).toString('hex') },
      );
      outsider = r.customerId!;
    });
    afterAll(async () => t?.close());

    it('is blocked by default: no basis, unmasked or non-minimal fields are refused', async () => {
      const a = await pia();
      const { basis: _omit, ...noBasis } = request(a);
      expect(await problemsOf(t.core.disclosures.create(co, noBasis))).toEqual([{ field: 'basis', reason: 'basis_required' }]);
      expect(await problemsOf(t.core.disclosures.create(co, request(a, { operators: { name: { kind: 'keep' } } })))).toEqual([
        { field: 'operators.name', reason: 'masking_required' },
      ]);
      expect(await problemsOf(t.core.disclosures.create(co, request(a, { fields: ['name', 'email'], operators: {} })))).toEqual([
        { field: 'email', reason: 'not_in_purpose' },
      ]);
      await expect(t.core.disclosures.create(co, request(a, { basis: { kind: 'law', citation: 'x' } }))).rejects.toBeInstanceOf(
        InvalidError,
      );
      // Staff and auditors may not request disclosures.
      await expect(t.core.disclosures.create(f.staff, request(a))).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.disclosures.create(auditor, request(a))).rejects.toBeInstanceOf(ForbiddenError);
      await t.core.audit.flush();
      const [n] = await q(`SELECT count(*)::int AS n FROM disclosure_requests`);
      expect(n!.n).toBe(0);
    });

    it('consent basis: management then compliance approve; customers without separate consent are excluded and counted; the masked content is recorded', async () => {
      const r = await t.core.disclosures.create(co, request(await pia()));
      expect(r).toMatchObject({
        status: 'in_review',
        chain: ['management_approver', 'compliance_officer'],
        step: 0,
        operators: { name: { kind: 'display_mask' }, mobile: { kind: 'mask', keepFirst: 3, keepLast: 4 } },
        preview: { inScope: 3, included: 2, excludedNoConsent: 1, excludedNotInPurpose: 0 },
      });
      // In order, by the right role, never one's own.
      await expect(t.core.disclosures.review(co2, r.id, { decision: 'approve' })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.disclosures.review(co, r.id, { decision: 'approve' })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.disclosures.review(f.staff, r.id, { decision: 'approve' })).rejects.toBeInstanceOf(ForbiddenError);
      const step1 = await t.core.disclosures.review(mgr, r.id, { decision: 'approve', comment: '同意公示' });
      expect(step1).toMatchObject({ status: 'in_review', step: 1, content: null });
      await expect(t.core.disclosures.review(mgr, r.id, { decision: 'approve' })).rejects.toBeInstanceOf(ForbiddenError);
      const done = await t.core.disclosures.review(co2, r.id, { decision: 'approve' });
      expect(done.status).toBe('disclosed');
      expect(done.report).toEqual({ inScope: 3, included: 2, excludedNoConsent: 1, excludedNotInPurpose: 0 });
      expect(done.reviews.map((v) => [v.stepRole, v.decision])).toEqual([
        ['management_approver', 'approve'],
        ['compliance_officer', 'approve'],
      ]);
      // The content: masked values of the two consenting customers only.
      expect(done.content!.fields).toEqual(['name', 'mobile']);
      expect(done.content!.rows).toHaveLength(2);
      const content = JSON.stringify(done.content);
      for (const p of Object.values(PEOPLE)) for (const v of Object.values(p)) expect(content).not.toContain(v);
      expect(done.content!.rows.map((x) => x.mobile).sort()).toEqual(['133****7001', '133****7002']);
      expect(done.content!.rows.every((x) => x.name!.includes('*'))).toBe(true);
      expect(done.contentHash).toMatch(/^[0-9a-f]{64}$/);
      await expect(t.core.disclosures.review(co2, r.id, { decision: 'approve' })).rejects.toBeInstanceOf(ConflictError);

      // The processing record names the two customers by hash, the basis and the content's hash.
      const rec = (await t.core.processingRecords.list(auditor, { kind: 'disclosure' })).items.find((x) => x.subjectId === r.id)!;
      expect(rec).toMatchObject({
        id: done.processingRecordId,
        purposeCode: f.code,
        fields: ['name', 'mobile'],
        customerCount: 2,
        customerIdsHash: customerIdsHash([ids.a, ids.b]),
        fileHash: done.contentHash,
        actorName: co2.username,
      });
      expect(rec.legalBasis).toContain('separate consent');
      expect(rec.details).toMatchObject({ excludedNoConsent: 1 });

      await t.core.audit.flush();
      const actions = (await q<{ action: string }>(`SELECT action FROM audit_events WHERE resource_id = $1 ORDER BY id`, [r.id])).map(
        (x) => x.action,
      );
      expect(actions).toEqual([
        'disclosure_request.created',
        'disclosure_request.step_approved',
        'disclosure_request.approved',
        'disclosure.recorded',
      ]);
      const [pr] = await q(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'processing_record.created' AND resource_id = $1`, [
        rec.id,
      ]);
      expect(pr!.n).toBe(1);
      const details = (await q<{ d: string }>(`SELECT details::text AS d FROM audit_events`)).map((x) => x.d).join('\n');
      for (const p of Object.values(PEOPLE)) for (const v of Object.values(p)) expect(details).not.toContain(v);
      // Auditors read it; the requester reads their own; others get 404.
      expect((await t.core.disclosures.get(auditor, r.id)).status).toBe('disclosed');
      await expect(t.core.disclosures.get(await makeUser(t.core, ['department_head']), r.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('a withdrawn separate consent excludes the customer at approval', async () => {
      const r = await t.core.disclosures.create(co, request(await pia(), { fields: ['name'], operators: {} }));
      expect(r.preview).toMatchObject({ included: 2, excludedNoConsent: 1 });
      await t.core.consent.withdraw(f.staff, ids.b, { purposeCode: f.code, categories: ['disclosure:public'], method: 'checkbox' });
      await t.core.disclosures.review(mgr, r.id, { decision: 'approve' });
      const done = await t.core.disclosures.review(co2, r.id, { decision: 'approve' });
      expect(done.report).toEqual({ inScope: 3, included: 1, excludedNoConsent: 2, excludedNotInPurpose: 0 });
      expect(done.content!.rows).toHaveLength(1);
    });

    it('law basis: everyone of the purpose in scope, others counted; the impact gate and rejection', async () => {
      const draft = await pia(false);
      const r = await t.core.disclosures.create(
        co,
        request(draft, {
          basis: { kind: 'law', citation: '《中华人民共和国民事诉讼法》第九十五条 公告送达' },
          fields: ['name', 'date_of_birth'],
          operators: { date_of_birth: { kind: 'generalise', hierarchy: 'date', level: 2 } },
          customerScope: { kind: 'list', ids: [ids.a, ids.c, outsider] },
        }),
      );
      expect(r.preview).toEqual({ inScope: 3, included: 2, excludedNoConsent: 0, excludedNotInPurpose: 1 });
      expect(await problemsOf(t.core.disclosures.review(mgr, r.id, { decision: 'approve' }))).toEqual([
        { field: 'impactAssessmentId', reason: 'impact_assessment_not_completed' },
      ]);
      await expect(t.core.disclosures.review(mgr, r.id, { decision: 'reject' })).rejects.toBeInstanceOf(InvalidError);
      const rejected = await t.core.disclosures.review(mgr, r.id, { decision: 'reject', comment: '影响评估未完成' });
      expect(rejected).toMatchObject({ status: 'rejected', content: null, processingRecordId: null });

      const ok = await t.core.disclosures.create(
        co,
        request(await pia(), {
          basis: { kind: 'law', citation: '《中华人民共和国民事诉讼法》第九十五条 公告送达' },
          fields: ['name', 'date_of_birth'],
          operators: { date_of_birth: { kind: 'generalise', hierarchy: 'date', level: 2 } },
          customerScope: { kind: 'list', ids: [ids.a, ids.c, outsider] },
        }),
      );
      await t.core.disclosures.review(mgr, ok.id, { decision: 'approve' });
      const done = await t.core.disclosures.review(co2, ok.id, { decision: 'approve' });
      expect(done.report).toEqual({ inScope: 3, included: 2, excludedNoConsent: 0, excludedNotInPurpose: 1 });
      expect(done.content!.rows.map((x) => x.date_of_birth).sort()).toEqual(['1979', '1990']);
      const rec = (await t.core.processingRecords.list(co, { kind: 'disclosure' })).items.find((x) => x.subjectId === ok.id)!;
      expect(rec).toMatchObject({ customerCount: 2, customerIdsHash: customerIdsHash([ids.a, ids.c]) });
      expect(rec.legalBasis).toContain('民事诉讼法');
      // The register lists both disclosures executed so far in this suite, and none of the rejected one.
      expect((await t.core.processingRecords.list(auditor, { kind: 'disclosure' })).items.map((x) => x.subjectId)).not.toContain(r.id);
    });
  });
}
