import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  PolicyViolationError,
  type Actor,
  type CreateRecipientInput,
  type RecipientDetail,
} from '../src/index.js';
import { createTestCore, DB_KINDS, makeUser, reportSkip, type TestCore } from './helpers.js';
import { DAY, failingAnswers, hex, passingAnswers, piaAnswers, uscc } from './recipient-fixtures.js';

const reasonsOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(PolicyViolationError);
  return (e as PolicyViolationError).problems.map((x) => x.reason);
};

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`recipients suite on ${kind}`, skip);
  describe.skipIf(skip)(`recipients, supervision and impact assessments on ${kind}`, () => {
    let t: TestCore;
    let co: Actor; // compliance officer: registers
    let co2: Actor; // another compliance officer
    let sec: Actor; // security officer: assesses
    let mgr: Actor; // management approver: approves
    let auditor: Actor;
    let staff: Actor;
    let head: Actor;
    const q = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => t.db.database.query<T>(sql, params);
    const inTx = <T>(fn: (tx: Parameters<Parameters<typeof t.core.database.transaction>[0]>[0]) => Promise<T>) =>
      t.core.database.transaction(fn);
    const eligibility = (id: string, now = new Date()) => inTx((tx) => t.core.recipients.internal.eligibility(tx, id, now));

    const recipient = (over: Partial<CreateRecipientInput> = {}): CreateRecipientInput => ({
      legalName: `上海某某数据服务有限公司 ${randomBytes(2).toString('hex')}`,
      uscc: uscc(),
      contact: { name: '王经理', email: 'privacy@vendor.example.cn', phone: '021-62345678' },
      country: 'CN',
      region: '上海市',
      dataCategories: ['name', 'mobile'],
      purpose: '会员积分兑换的物流配送',
      reassessmentIntervalDays: 365,
      ...over,
    });

    const commitment = (over: Record<string, unknown> = {}) => ({
      agreementSha256: hex(),
      agreementFilename: 'dpa-signed.pdf',
      committedToPolicy: true,
      policyVersion: '2025.1',
      effectiveFrom: new Date(Date.now() - DAY).toISOString(),
      expiresAt: new Date(Date.now() + 400 * DAY).toISOString(),
      ...over,
    });

    /** Registered, assessed (passing), committed and approved. */
    async function approvedRecipient(over: Partial<CreateRecipientInput> = {}, c: Record<string, unknown> = {}): Promise<RecipientDetail> {
      const r = await t.core.recipients.create(co, recipient(over));
      const id = r.recipient.id;
      await t.core.recipients.assess(sec, id, { answers: passingAnswers() });
      await t.core.recipients.recordCommitment(co, id, commitment(c));
      return t.core.recipients.approve(mgr, id, { comment: '同意' });
    }

    beforeAll(async () => {
      t = await createTestCore(kind);
      co = await makeUser(t.core, ['compliance_officer']);
      co2 = await makeUser(t.core, ['compliance_officer']);
      sec = await makeUser(t.core, ['security_officer']);
      mgr = await makeUser(t.core, ['management_approver']);
      auditor = await makeUser(t.core, ['auditor']);
      staff = await makeUser(t.core, ['staff']);
      head = await makeUser(t.core, ['department_head']);
    });
    afterAll(async () => t?.close());

    // ----- impact assessments -----

    it('drafts, completes and gates impact assessments; the author cannot approve their own', async () => {
      const draft = await t.core.impact.create(head, {
        subjectKind: 'share',
        title: '向物流商共享收件信息',
        answers: [{ questionId: 'legal_basis', value: 'documented' }],
      });
      expect(draft).toMatchObject({ status: 'draft', riskLevel: 'low', templateId: 'pia-default', createdBy: head.username });
      expect(draft.missing).toContain('purpose');

      // The gate refuses a missing, a draft and a wrongly-kinded assessment.
      expect(await reasonsOf(inTx((tx) => t.core.impact.internal.requireCompleted(tx, null, 'share')))).toEqual([
        'impact_assessment_missing',
      ]);
      expect(await reasonsOf(inTx((tx) => t.core.impact.internal.requireCompleted(tx, draft.id, 'share')))).toEqual([
        'impact_assessment_not_completed',
      ]);
      // Completing an incomplete draft is refused, naming the questions.
      const incomplete = await t.core.impact.complete(mgr, draft.id).catch((e: unknown) => e);
      expect(incomplete).toBeInstanceOf(PolicyViolationError);
      expect((incomplete as PolicyViolationError).problems).toContainEqual({ field: 'answers.purpose', reason: 'required' });

      // Answers raising the risk raise the level; a lower declared level is refused.
      const high = await t.core.impact.update(head, draft.id, { answers: piaAnswers({ sensitive_pi: 'large_scale' }) });
      expect(high).toMatchObject({ computedRiskLevel: 'high', riskLevel: 'high', missing: ['mitigations'] });
      expect(await reasonsOf(t.core.impact.update(head, draft.id, { riskLevel: 'low' }))).toEqual(['below_computed_risk']);
      const ready = await t.core.impact.update(head, draft.id, {
        answers: [...piaAnswers({ sensitive_pi: 'large_scale' }), { questionId: 'mitigations', value: '去标识化后提供' }],
      });
      expect(ready.missing).toEqual([]);
      await expect(t.core.impact.update(head, draft.id, { answers: [{ questionId: 'nope', value: 'x' }] })).rejects.toBeInstanceOf(
        InvalidError,
      );

      // The author may not approve (a compliance officer who wrote one cannot complete it either).
      const own = await t.core.impact.create(co, { subjectKind: 'transfer', title: '并购转让', answers: piaAnswers() });
      await expect(t.core.impact.complete(co, own.id)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.impact.complete(head, draft.id)).rejects.toBeInstanceOf(ForbiddenError); // no impact.approve

      const done = await t.core.impact.complete(mgr, draft.id, { comment: '同意' });
      expect(done).toMatchObject({ status: 'completed', completedBy: mgr.username, approverUserId: mgr.userId, riskLevel: 'high' });
      const gated = await inTx((tx) => t.core.impact.internal.requireCompleted(tx, draft.id, 'share'));
      expect(gated.id).toBe(draft.id);
      expect(await reasonsOf(inTx((tx) => t.core.impact.internal.requireCompleted(tx, draft.id, 'disclosure')))).toEqual([
        'impact_assessment_wrong_subject',
      ]);
      await expect(t.core.impact.update(head, draft.id, { title: '改标题' })).rejects.toBeInstanceOf(ConflictError);
      await expect(t.core.impact.complete(co, draft.id)).rejects.toBeInstanceOf(ConflictError);
      // A completed record cannot be changed even in the database.
      await expect(q(`UPDATE impact_assessments SET risk_level = 'low' WHERE id = $1`, [draft.id])).rejects.toThrow(/refused/);

      expect((await t.core.impact.list(auditor, { status: 'completed' })).map((a) => a.id)).toContain(draft.id);
      expect((await t.core.impact.get(auditor, draft.id)).answers.length).toBeGreaterThan(5);
      // Administrators run the system; impact assessments are not theirs to read.
      const admin = await makeUser(t.core, ['administrator']);
      await expect(t.core.impact.list(admin)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.impact.create(staff, { subjectKind: 'share', title: 'x0' })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.impact.create(auditor, { subjectKind: 'share', title: 'x1' })).rejects.toBeInstanceOf(ForbiddenError);

      const audits = await q<{ action: string; clauses: string[]; actor_name: string }>(
        `SELECT action, clauses, actor_name FROM audit_events WHERE resource_id = $1 ORDER BY id`,
        [draft.id],
      );
      expect(audits.map((a) => a.action)).toEqual([
        'impact_assessment.created',
        'impact_assessment.updated',
        'impact_assessment.updated',
        'impact_assessment.completed',
      ]);
      expect(audits[3]!.clauses).toEqual(['P6.1', 'P6.2']);
    });

    // ----- register -----

    it('registers recipients, validating the credit code, contact, region and categories', async () => {
      const r = await t.core.recipients.create(co, recipient());
      expect(r.recipient).toMatchObject({
        status: 'pending',
        country: 'CN',
        crossBorder: false,
        reassessmentDueAt: null,
        reassessmentState: 'none',
        eligibility: { eligible: false, reasons: ['not_approved', 'not_assessed', 'no_commitment'] },
      });
      // Normalised (spaces, lower case) and unique.
      const code = uscc();
      await t.core.recipients.create(co, recipient({ uscc: ` ${code.slice(0, 9).toLowerCase()} ${code.slice(9)}` }));
      await expect(t.core.recipients.create(co, recipient({ uscc: code }))).rejects.toBeInstanceOf(ConflictError);

      const bad = await t.core.recipients
        .create(
          co,
          recipient({
            uscc: code.slice(0, 17) + (code[17] === '0' ? '1' : '0'),
            contact: { name: '王', email: 'not-an-email', phone: '12' },
            country: 'SG',
            crossBorder: false,
            dataCategories: ['name', 'no_such_category'],
          }),
        )
        .catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(InvalidError);
      expect((bad as InvalidError).problems).toEqual(
        expect.arrayContaining([
          { field: 'uscc', reason: 'check_digit_mismatch' },
          { field: 'contact.email', reason: 'invalid_email' },
          { field: 'contact.phone', reason: 'invalid_phone' },
          { field: 'crossBorder', reason: 'outside_mainland_is_cross_border' },
          { field: 'dataCategories.no_such_category', reason: 'unknown_category' },
        ]),
      );
      const abroad = await t.core.recipients.create(
        co,
        recipient({ country: 'sg', region: 'Singapore', contact: { name: 'Lee', phone: '+65 6123 4567' } }),
      );
      expect(abroad.recipient).toMatchObject({ country: 'SG', crossBorder: true });

      const [ev] = await q<{ clauses: string[]; details: Record<string, unknown> }>(
        `SELECT clauses, details FROM audit_events WHERE action = 'recipient.created' AND resource_id = $1`,
        [r.recipient.id],
      );
      expect(ev!.clauses).toEqual(['P6.1']);
      expect(JSON.stringify(ev!.details)).not.toContain('privacy@vendor');
      expect(JSON.stringify(ev!.details)).not.toContain('62345678');

      await expect(t.core.recipients.create(staff, recipient())).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.recipients.create(sec, recipient())).rejects.toBeInstanceOf(ForbiddenError);
      expect((await t.core.recipients.list(auditor)).map((x) => x.id)).toContain(r.recipient.id);
      expect((await t.core.recipients.list(auditor, { crossBorder: true })).map((x) => x.id)).toEqual([abroad.recipient.id]);
      // Staff read the register (to choose a recipient for a share request), never change it.
      expect((await t.core.recipients.list(staff)).map((x) => x.id)).toContain(r.recipient.id);
    });

    // ----- assessment, approval, eligibility -----

    it('refuses self-review, refuses approval when unassessed or failing, and approves after a passing review and a commitment', async () => {
      const r = await t.core.recipients.create(co, recipient());
      const id = r.recipient.id;
      // Pending and unassessed: nothing may be shared; approval is refused with its reasons (and the refusal audited).
      expect(await eligibility(id)).toEqual(['not_approved', 'not_assessed', 'no_commitment']);
      expect(await reasonsOf(inTx((tx) => t.core.recipients.internal.requireEligible(tx, id)))).toEqual([
        'not_approved',
        'not_assessed',
        'no_commitment',
      ]);
      expect(await reasonsOf(t.core.recipients.approve(mgr, id))).toEqual(['not_assessed', 'no_commitment']);
      const [refused] = await q<{ outcome: string; details: { reasons: string[] } }>(
        `SELECT outcome, details FROM audit_events WHERE action = 'recipient.approval_refused' AND resource_id = $1`,
        [id],
      );
      expect(refused).toMatchObject({ outcome: 'denied', details: { reasons: ['not_assessed', 'no_commitment'] } });

      // The registrant may not assess their own recipient (nor approve it).
      await expect(t.core.recipients.assess(co, id, { answers: passingAnswers() })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.recipients.assess(staff, id, { answers: passingAnswers() })).rejects.toBeInstanceOf(ForbiddenError);
      // Incomplete questionnaires are refused.
      const partial = await t.core.recipients.assess(sec, id, { answers: passingAnswers().slice(1) }).catch((e: unknown) => e);
      expect((partial as InvalidError).problems).toContainEqual({ field: 'answers.security_measures', reason: 'required' });

      // A failing assessment cannot approve.
      const failed = await t.core.recipients.assess(sec, id, { answers: failingAnswers(), comment: '整改后复评' });
      expect(failed.assessments[0]).toMatchObject({ kind: 'initial', score: 0, passed: false, passThreshold: 70 });
      expect(failed.assessments[0]!.knockouts).toEqual(['security_measures', 'sub_processors', 'deletion_on_termination']);
      await t.core.recipients.recordCommitment(co, id, commitment());
      expect(await reasonsOf(t.core.recipients.approve(mgr, id))).toEqual(['assessment_failed']);

      // A passing one by someone else, with evidence by hash (or bytes, hashed here).
      const pdf = Buffer.from('%PDF-1.7 ISO 27001 certificate');
      const pdfHash = createHash('sha256').update(pdf).digest('hex');
      const certHash = hex();
      const good = await t.core.recipients.assess(co2, id, {
        answers: passingAnswers().map((a) => (a.questionId === 'iso27701' ? { ...a, value: 'no' } : a)),
        evidence: [
          { filename: 'iso27001.pdf', contentBase64: pdf.toString('base64') },
          { filename: 'mlps-level3.pdf', sha256: certHash, sizeBytes: 120_000 },
        ],
      });
      const a = good.assessments[0]!;
      // 15 of 16 weighted points: 93.75, rounded down.
      expect(a).toMatchObject({ passed: true, score: 93, reviewedBy: co2.username, knockouts: [] });
      expect(a.evidence).toEqual([
        { sha256: pdfHash, filename: 'iso27001.pdf', sizeBytes: pdf.length },
        { sha256: certHash, filename: 'mlps-level3.pdf', sizeBytes: 120_000 },
      ]);
      const due = Date.parse(good.recipient.reassessmentDueAt!);
      expect(due).toBeGreaterThan(Date.now() + 364 * DAY);
      const mismatch = await t.core.recipients
        .assess(sec, id, {
          answers: passingAnswers(),
          evidence: [{ filename: 'x.pdf', contentBase64: pdf.toString('base64'), sha256: hex() }],
        })
        .catch((e: unknown) => e);
      expect((mismatch as InvalidError).problems).toEqual([{ field: 'evidence.0.sha256', reason: 'hash_mismatch' }]);
      // The audit holds hashes, never the file.
      const [assessed] = await q<{ details: { evidence: unknown[] }; clauses: string[] }>(
        `SELECT details, clauses FROM audit_events WHERE action = 'recipient.assessed' AND resource_id = $1 AND details->>'passed' = 'true'`,
        [id],
      );
      expect(assessed!.clauses).toEqual(['P6.1', 'P6.3']);
      expect(JSON.stringify(assessed!.details)).not.toContain(pdf.toString('base64'));
      expect(assessed!.details.evidence).toHaveLength(2);

      // The registrant may not approve; another approver may.
      await expect(t.core.recipients.approve(co, id)).rejects.toBeInstanceOf(ForbiddenError);
      const approved = await t.core.recipients.approve(mgr, id, { comment: '准入' });
      expect(approved.recipient).toMatchObject({
        status: 'approved',
        approvedBy: mgr.username,
        eligibility: { eligible: true, reasons: [] },
      });
      expect(await eligibility(id)).toBeNull();
      const eligible = await inTx((tx) => t.core.recipients.internal.requireEligible(tx, id));
      expect(eligible).toMatchObject({ id, crossBorder: false, dataCategories: ['name', 'mobile'] });
      await expect(t.core.recipients.approve(mgr, id)).rejects.toBeInstanceOf(ConflictError);
      expect(await eligibility('00000000-0000-4000-8000-000000000000')).toEqual(['unknown_recipient']);
    });

    it('refuses a recipient whose commitment expired or whose re-assessment is overdue', async () => {
      const r = await approvedRecipient({}, { expiresAt: new Date(Date.now() + 10 * DAY).toISOString() });
      const id = r.recipient.id;
      expect(await eligibility(id)).toBeNull();
      expect(await eligibility(id, new Date(Date.now() + 11 * DAY))).toEqual(['commitment_expired']);
      // A new commitment in force makes it eligible again; a commitment without the policy commitment does not count.
      await t.core.recipients.recordCommitment(
        co,
        id,
        commitment({ committedToPolicy: false, expiresAt: new Date(Date.now() + 900 * DAY).toISOString() }),
      );
      expect(await eligibility(id, new Date(Date.now() + 11 * DAY))).toEqual(['commitment_expired']);
      const renewed = await t.core.recipients.recordCommitment(
        co,
        id,
        commitment({ expiresAt: new Date(Date.now() + 900 * DAY).toISOString() }),
      );
      expect(renewed.commitments.map((c) => c.state)).toEqual(['in_force', 'in_force', 'in_force']);
      expect(await eligibility(id, new Date(Date.now() + 11 * DAY))).toBeNull();
      // The re-assessment falls due after the interval.
      expect(await eligibility(id, new Date(Date.now() + 366 * DAY))).toEqual(['reassessment_overdue']);
      await expect(
        t.core.recipients.recordCommitment(
          co,
          id,
          commitment({ effectiveFrom: new Date().toISOString(), expiresAt: new Date(Date.now() - DAY).toISOString() }),
        ),
      ).rejects.toBeInstanceOf(InvalidError);
      // Commitments are append-only.
      await expect(q(`UPDATE recipient_commitments SET committed_to_policy = true WHERE recipient_id = $1`, [id])).rejects.toThrow(
        /append-only/,
      );
    });

    it('needs a completed impact assessment for a cross-border recipient', async () => {
      const r = await t.core.recipients.create(
        co,
        recipient({ country: 'HK', region: '香港', contact: { name: 'Chan', email: 'dpo@hk.example.com' } }),
      );
      const id = r.recipient.id;
      await t.core.recipients.assess(sec, id, { answers: passingAnswers() });
      await t.core.recipients.recordCommitment(co, id, commitment());
      expect(await reasonsOf(t.core.recipients.approve(mgr, id))).toEqual(['impact_assessment_missing']);
      // An assessment saying nothing leaves mainland China does not fit a cross-border recipient.
      const wrong = await t.core.impact.create(co, { subjectKind: 'recipient', subjectRef: id, title: '评估', answers: piaAnswers() });
      expect(await reasonsOf(t.core.impact.complete(mgr, wrong.id))).toEqual(['inconsistent_with_recipient']);
      const draft = await t.core.impact.create(co, {
        subjectKind: 'recipient',
        subjectRef: id,
        title: '香港接收方',
        answers: piaAnswers({ cross_border: 'standard_contract' }),
      });
      expect(await reasonsOf(t.core.recipients.approve(mgr, id))).toEqual(['impact_assessment_missing']);
      await t.core.impact.complete(mgr, draft.id);
      const approved = await t.core.recipients.approve(mgr, id);
      expect(approved.recipient.status).toBe('approved');
      expect(approved.impactAssessments.map((i) => [i.id, i.status])).toContainEqual([draft.id, 'completed']);
      expect(await eligibility(id)).toBeNull();
      await expect(
        t.core.impact.create(co, { subjectKind: 'recipient', subjectRef: '00000000-0000-4000-8000-000000000000', title: '无' }),
      ).rejects.toBeInstanceOf(InvalidError);
    });

    // ----- supervision -----

    it('suspends at once, tracks findings to closure, and reinstates only after a new passing assessment', async () => {
      const r = await approvedRecipient();
      const id = r.recipient.id;
      const owner = await makeUser(t.core, ['staff']);
      const withFinding = await t.core.recipients.recordFinding(sec, id, {
        title: '日志留存不足 180 天',
        description: '访问日志仅保留 30 天',
        severity: 'high',
        ownerUserId: owner.userId!,
        dueAt: new Date(Date.now() + 30 * DAY).toISOString(),
        assessmentId: r.assessments[0]!.id,
      });
      const finding = withFinding.findings[0]!;
      expect(finding).toMatchObject({ status: 'open', severity: 'high', owner: { id: owner.userId }, overdue: false });
      expect(withFinding.recipient.openFindings).toBe(1);
      await expect(
        t.core.recipients.recordFinding(sec, id, {
          title: 'x',
          description: 'y',
          severity: 'low',
          ownerUserId: owner.userId!,
          dueAt: new Date(Date.now() - DAY).toISOString(),
        }),
      ).rejects.toBeInstanceOf(InvalidError);

      const suspended = await t.core.recipients.suspend(co, id, { reason: '发现严重问题，暂停共享' });
      expect(suspended.recipient).toMatchObject({ status: 'suspended', suspensionReason: '发现严重问题，暂停共享' });
      expect(await eligibility(id)).toEqual(['suspended']);
      expect(await reasonsOf(inTx((tx) => t.core.recipients.internal.requireEligible(tx, id)))).toEqual(['suspended']);
      await expect(t.core.recipients.suspend(co, id, { reason: 'again' })).rejects.toBeInstanceOf(ConflictError);

      // Not reinstated while the finding is open or without a re-assessment since the suspension.
      expect(await reasonsOf(t.core.recipients.reinstate(mgr, id))).toEqual(['open_findings', 'reassessment_required']);

      const remediating = await t.core.recipients.updateFinding(sec, id, finding.id, { status: 'remediating', note: '已调整日志策略' });
      expect(remediating.findings[0]!.status).toBe('remediating');
      const closed = await t.core.recipients.updateFinding(co, id, finding.id, { status: 'closed', note: '复核确认日志保留 180 天' });
      expect(closed.findings[0]).toMatchObject({ status: 'closed' });
      expect(closed.findings[0]!.closedAt).not.toBeNull();
      expect(closed.findings[0]!.updates.map((u) => u.status)).toEqual(['open', 'remediating', 'closed']);
      expect(closed.recipient.openFindings).toBe(0);
      await expect(t.core.recipients.updateFinding(co, id, finding.id, { status: 'closed', note: 'again' })).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(
        t.core.recipients.updateFinding(co, id, '00000000-0000-4000-8000-000000000000', { status: 'closed', note: 'x' }),
      ).rejects.toThrow(/not found/);

      expect(await reasonsOf(t.core.recipients.reinstate(mgr, id))).toEqual(['reassessment_required']);
      const re = await t.core.recipients.assess(sec, id, { answers: passingAnswers() });
      expect(re.assessments[0]!.kind).toBe('reinstatement');
      expect(re.recipient.status).toBe('suspended');
      await expect(t.core.recipients.reinstate(co, id)).rejects.toBeInstanceOf(ForbiddenError); // the registrant
      const back = await t.core.recipients.reinstate(mgr, id, { comment: '整改完成' });
      expect(back.recipient.status).toBe('approved');
      expect(await eligibility(id)).toBeNull();

      const actions = (
        await q<{ action: string; clauses: string[] }>(`SELECT action, clauses FROM audit_events WHERE resource_id = $1 ORDER BY id`, [id])
      ).map((a) => `${a.action}:${a.clauses.join(',')}`);
      expect(actions).toEqual(
        expect.arrayContaining([
          'recipient.finding_recorded:P6.3',
          'recipient.suspended:P6.3',
          'recipient.finding_updated:P6.3',
          'recipient.reinstatement_refused:P6.1,P6.3',
          'recipient.reinstated:P6.3',
        ]),
      );
    });

    it('suspends an approved recipient automatically when a periodic re-assessment fails', async () => {
      const r = await approvedRecipient();
      const id = r.recipient.id;
      const failed = await t.core.recipients.assess(sec, id, { answers: failingAnswers() });
      expect(failed.assessments[0]!.kind).toBe('periodic');
      expect(failed.recipient).toMatchObject({ status: 'suspended', suspensionReason: 'assessment_failed' });
      expect(await eligibility(id)).toEqual(['suspended', 'assessment_failed']);
      const [ev] = await q<{ details: Record<string, unknown> }>(
        `SELECT details FROM audit_events WHERE action = 'recipient.suspended' AND resource_id = $1`,
        [id],
      );
      expect(ev!.details).toMatchObject({ automatic: true, reason: 'assessment_failed', score: 0 });
    });

    it('terminates with a record that the data was deleted or returned', async () => {
      const r = await approvedRecipient();
      const id = r.recipient.id;
      const evidence = hex();
      await expect(
        t.core.recipients.terminate(co, id, {
          reason: '合同到期',
          dataDisposition: 'deleted',
          evidenceSha256: evidence,
          confirmedAt: new Date(Date.now() + 2 * DAY).toISOString(),
        }),
      ).rejects.toBeInstanceOf(InvalidError);
      await expect(
        t.core.recipients.terminate(sec, id, { reason: 'x', dataDisposition: 'deleted', evidenceSha256: evidence }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      const done = await t.core.recipients.terminate(co, id, { reason: '合同到期', dataDisposition: 'deleted', evidenceSha256: evidence });
      expect(done.recipient.status).toBe('terminated');
      expect(done.termination).toMatchObject({ dataDisposition: 'deleted', evidenceSha256: evidence, recordedBy: co.username });
      expect(await eligibility(id)).toEqual(['terminated']);
      await expect(
        t.core.recipients.terminate(co, id, { reason: 'x', dataDisposition: 'returned', evidenceSha256: evidence }),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(t.core.recipients.assess(sec, id, { answers: passingAnswers() })).rejects.toBeInstanceOf(ConflictError);
      await expect(t.core.recipients.reinstate(mgr, id)).rejects.toBeInstanceOf(ConflictError);
      await expect(q(`DELETE FROM recipient_terminations WHERE recipient_id = $1`, [id])).rejects.toThrow(/append-only/);
      const [ev] = await q<{ clauses: string[]; details: Record<string, unknown> }>(
        `SELECT clauses, details FROM audit_events WHERE action = 'recipient.terminated' AND resource_id = $1`,
        [id],
      );
      expect(ev).toMatchObject({
        clauses: ['P6.1', 'P6.3'],
        details: { previousStatus: 'approved', dataDisposition: 'deleted', evidenceSha256: evidence },
      });
      expect((await t.core.recipients.get(auditor, id)).termination?.evidenceSha256).toBe(evidence);
    });

    it('reminds the registrant of a re-assessment falling due, once per due date', async () => {
      const r = await approvedRecipient({ reassessmentIntervalDays: 60 });
      const id = r.recipient.id;
      const due = Date.parse(r.recipient.reassessmentDueAt!);
      // More than 30 days ahead: no reminder yet.
      expect(
        (await t.core.recipients.sendDueReassessmentReminders(new Date(due - 40 * DAY))).reminded.map((x) => x.recipientId),
      ).not.toContain(id);
      const first = await t.core.recipients.sendDueReassessmentReminders(new Date(due - 20 * DAY));
      expect(first.reminded).toContainEqual({ recipientId: id, dueAt: r.recipient.reassessmentDueAt });
      const text = await t.lastNotification('recipient.reassessment_due');
      expect(text).toContain('P6.3');
      // Once per due date, even when it is overdue later.
      expect(
        (await t.core.recipients.sendDueReassessmentReminders(new Date(due - 10 * DAY))).reminded.map((x) => x.recipientId),
      ).not.toContain(id);
      expect((await t.core.recipients.sendDueReassessmentReminders(new Date(due + DAY))).reminded.map((x) => x.recipientId)).not.toContain(
        id,
      );
      const [{ n }] = (await q<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'recipient.reassessment_reminder_sent' AND resource_id = $1`,
        [id],
      )) as [{ n: number }];
      expect(n).toBe(1);
      expect((await t.core.recipients.get(co, id)).recipient.remindedFor).toBe(r.recipient.reassessmentDueAt);
      // A new assessment sets a new due date, which is reminded of again.
      const re = await t.core.recipients.assess(sec, id, { answers: passingAnswers() });
      const newDue = Date.parse(re.recipient.reassessmentDueAt!);
      expect(newDue).toBeGreaterThan(due - 1000);
      const again = await t.core.recipients.sendDueReassessmentReminders(new Date(newDue - DAY));
      expect(again.reminded.map((x) => x.recipientId)).toContain(id);
      await expect(t.core.recipients.sendDueReassessmentReminders(new Date(), auditor)).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('lets auditors read the register with its assessments and findings, and hides unknown recipients', async () => {
      const r = await approvedRecipient();
      const d = await t.core.recipients.get(auditor, r.recipient.id);
      expect(d.assessments).toHaveLength(1);
      expect(d.commitments).toHaveLength(1);
      expect(d.recipient.latestAssessment).toMatchObject({ passed: true, score: 100 });
      await expect(t.core.recipients.get(auditor, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(/not found/);
      await expect(t.core.recipients.get(auditor, 'not-a-uuid')).rejects.toThrow(/not found/);
      await expect(t.core.recipients.assess(auditor, r.recipient.id, { answers: passingAnswers() })).rejects.toBeInstanceOf(ForbiddenError);
      expect((await t.core.recipients.templates(auditor))[0]!.id).toBe('recipient-capability');
      expect((await t.core.impact.templates(auditor))[0]!.id).toBe('pia-default');
    });
  });
}
