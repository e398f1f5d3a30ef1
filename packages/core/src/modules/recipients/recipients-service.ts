import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { AuditService } from '../../audit/audit-service.js';
import { systemActor, type Actor } from '../../context.js';
import type { Tx } from '../../db/client.js';
import {
  dataCategories,
  recipientAssessmentEvidence,
  recipientAssessments,
  recipientCommitments,
  recipientFindingUpdates,
  recipientFindings,
  recipients,
  recipientTerminations,
} from '../../db/schema.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, PolicyViolationError, type FieldProblem } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import { emailType, landlineType, mobileType, usccType } from '../../pi-types/index.js';
import type { OperationContext, Runner } from '../../runner.js';
import { isUniqueViolation, parseInput } from '../../validation.js';
import type { Notifier } from '../notifier/notifier-service.js';
import {
  CAPABILITY_TEMPLATES,
  capabilityTemplate,
  commitmentState,
  DAY_MS,
  DEFAULT_CAPABILITY_TEMPLATE,
  ineligibility,
  reassessmentState,
  REMINDER_LEAD_DAYS,
  scoreAssessment,
  type EligibilityFacts,
} from './recipients-fns.js';
import {
  assessmentsOf,
  commitmentsOf,
  evidenceOf,
  findingsOf,
  impactAssessmentsOf,
  isUuid,
  openFindingCounts,
  recipientsOwedReminder,
  selectRecipient,
  terminationOf,
  userRefs,
  withCompletedImpact,
  type AssessmentRow,
  type CommitmentRow,
  type EvidenceRow,
  type FindingRow,
  type FindingUpdateRow,
  type RecipientRow,
} from './recipients-repo.js';
import {
  assessRecipientInput,
  createRecipientInput,
  recipientDecisionInput,
  listRecipientsInput,
  recordCommitmentInput,
  recordFindingInput,
  suspendRecipientInput,
  terminateRecipientInput,
  updateFindingInput,
  type AssessRecipientInput,
  type RecipientAssessment,
  type RecipientAssessmentKind,
  type CapabilityTemplate,
  type RecipientCommitment,
  type CreateRecipientInput,
  type RecipientDecisionInput,
  type RecipientFinding,
  type IneligibilityReason,
  type ListRecipientsInput,
  type ReassessmentReminderResult,
  type Recipient,
  type RecipientDetail,
  type RecordCommitmentInput,
  type RecordFindingInput,
  type SuspendRecipientInput,
  type TerminateRecipientInput,
  type UpdateFindingInput,
} from './recipients-types.js';

const ASSESS_CLAUSES = ['P6.1', 'P6.3'];
const SUPERVISION_CLAUSES = ['P6.3'];
/** Clock skew allowed for "when it happened" inputs. */
const SKEW_MS = 5 * 60_000;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** What a share (or any other disclosure to the recipient) needs to know about an eligible recipient. */
export interface EligibleRecipient {
  id: string;
  legalName: string;
  uscc: string;
  country: string;
  crossBorder: boolean;
  dataCategories: string[];
  purpose: string;
}

interface Context {
  latest: AssessmentRow | null;
  commitments: CommitmentRow[];
  openFindings: number;
  facts: EligibilityFacts;
}

const REASON_FIELD: Record<IneligibilityReason, string> = {
  unknown_recipient: 'recipientId',
  not_approved: 'status',
  suspended: 'status',
  terminated: 'status',
  not_assessed: 'assessments',
  assessment_failed: 'assessments',
  no_commitment: 'commitments',
  commitment_expired: 'commitments',
  reassessment_overdue: 'reassessmentDueAt',
  impact_assessment_missing: 'impactAssessment',
};

function policyCommitments(rows: CommitmentRow[]): CommitmentRow[] {
  return rows.filter((c) => c.committedToPolicy);
}

function toAssessment(r: AssessmentRow, evidence: EvidenceRow[]): RecipientAssessment {
  return {
    id: r.id,
    recipientId: r.recipientId,
    kind: r.kind,
    templateId: r.templateId,
    templateVersion: r.templateVersion,
    answers: r.answers.map((a) => ({ questionId: a.questionId, value: a.value, ...(a.note ? { note: a.note } : {}) })),
    score: r.score,
    passThreshold: r.passThreshold,
    passed: r.passed,
    knockouts: r.knockouts,
    reviewedBy: r.reviewedBy,
    reviewerUserId: r.reviewerUserId,
    comment: r.comment,
    assessedAt: r.assessedAt.toISOString(),
    nextDueAt: r.nextDueAt.toISOString(),
    evidence: evidence.map((e) => ({ sha256: e.sha256, filename: e.filename, sizeBytes: Number(e.sizeBytes) })),
  };
}

function toCommitment(c: CommitmentRow, now: Date): RecipientCommitment {
  return {
    id: c.id,
    recipientId: c.recipientId,
    agreementSha256: c.agreementSha256,
    agreementFilename: c.agreementFilename,
    committedToPolicy: c.committedToPolicy,
    policyVersion: c.policyVersion,
    effectiveFrom: c.effectiveFrom.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    state: commitmentState(c, now),
    recordedBy: c.recordedBy,
    recordedAt: c.recordedAt.toISOString(),
  };
}

function toRecipient(r: RecipientRow, ctx: Context, now: Date): Recipient {
  const reasons = ineligibility(ctx.facts, now);
  const inForce = policyCommitments(ctx.commitments)
    .filter((c) => commitmentState(c, now) === 'in_force')
    .sort((a, b) => b.expiresAt.getTime() - a.expiresAt.getTime())[0];
  return {
    id: r.id,
    legalName: r.legalName,
    uscc: r.uscc,
    contact: { name: r.contactName, email: r.contactEmail, phone: r.contactPhone },
    country: r.country,
    region: r.region,
    crossBorder: r.crossBorder,
    dataCategories: r.dataCategories,
    purpose: r.purpose,
    status: r.status,
    reassessmentIntervalDays: r.reassessmentIntervalDays,
    reassessmentDueAt: iso(r.reassessmentDueAt),
    reassessmentState: reassessmentState(r.status, r.reassessmentDueAt, now),
    remindedFor: iso(r.remindedFor),
    latestAssessment: ctx.latest
      ? {
          id: ctx.latest.id,
          score: ctx.latest.score,
          passed: ctx.latest.passed,
          assessedAt: ctx.latest.assessedAt.toISOString(),
          reviewedBy: ctx.latest.reviewedBy,
        }
      : null,
    commitmentExpiresAt: inForce ? inForce.expiresAt.toISOString() : null,
    openFindings: ctx.openFindings,
    eligibility: { eligible: reasons.length === 0, reasons },
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    approvedBy: r.approvedBy,
    approvedAt: iso(r.approvedAt),
    suspendedAt: iso(r.suspendedAt),
    suspensionReason: r.suspensionReason,
    terminatedAt: iso(r.terminatedAt),
  };
}

/** Phone numbers of a company contact: a mainland mobile or landline, or an international number. */
function validPhone(p: string): boolean {
  if (mobileType.validate(p).valid || landlineType.validate(p).valid) return true;
  return /^\+[1-9]\d{6,14}$/.test(p.replace(/[\s()-]/g, ''));
}

function refusal(message: string, reasons: IneligibilityReason[], clauses: string[]): PolicyViolationError {
  return new PolicyViolationError(
    message,
    reasons.map((reason) => ({ field: REASON_FIELD[reason], reason })),
    clauses,
  );
}

/**
 * The third-party recipients register (P6.1) and its supervision (P6.3): registration,
 * capability assessment by someone other than the registrant, commitment records, approval,
 * periodic re-assessment with reminders, findings and remediation, suspension (which stops all
 * sharing at once), reinstatement and termination with a record of the data's deletion or return.
 * Sharing asks `internal.requireEligible` inside its own transaction.
 */
export function createRecipientsService(deps: { runner: Runner; audit: AuditService; notifier: Notifier }) {
  const { runner, notifier } = deps;

  async function load(tx: Tx, id: string, lock: 'update' | 'share' | false = 'update'): Promise<RecipientRow> {
    const row = await selectRecipient(tx, id, lock);
    if (!row) throw new NotFoundError('recipient not found');
    return row;
  }

  async function contexts(tx: Tx, rows: RecipientRow[]): Promise<Map<string, Context>> {
    const ids = rows.map((r) => r.id);
    // One transaction, one connection: the queries run one after another.
    const assessments = await assessmentsOf(tx, ids);
    const commitments = await commitmentsOf(tx, ids);
    const open = await openFindingCounts(tx, ids);
    const impact = await withCompletedImpact(
      tx,
      rows.filter((r) => r.crossBorder).map((r) => r.id),
    );
    const out = new Map<string, Context>();
    for (const r of rows) {
      const latest = assessments.get(r.id)?.[0] ?? null;
      const cs = commitments.get(r.id) ?? [];
      out.set(r.id, {
        latest,
        commitments: cs,
        openFindings: open.get(r.id) ?? 0,
        facts: {
          status: r.status,
          crossBorder: r.crossBorder,
          reassessmentDueAt: r.reassessmentDueAt,
          latestAssessment: latest ? { passed: latest.passed } : null,
          commitments: policyCommitments(cs),
          hasCompletedImpactAssessment: impact.has(r.id),
        },
      });
    }
    return out;
  }

  async function contextOf(tx: Tx, row: RecipientRow): Promise<Context> {
    return (await contexts(tx, [row]))!.get(row.id)!;
  }

  async function detail(tx: Tx, row: RecipientRow, now: Date): Promise<RecipientDetail> {
    const ctx = await contextOf(tx, row);
    const assessments = (await assessmentsOf(tx, [row.id])).get(row.id) ?? [];
    const evidence = await evidenceOf(
      tx,
      assessments.map((a) => a.id),
    );
    const { findings, updates } = await findingsOf(tx, row.id);
    const owners = await userRefs(
      tx,
      findings.map((f) => f.ownerUserId),
    );
    const termination = await terminationOf(tx, row.id);
    const impact = await impactAssessmentsOf(tx, row.id);
    return {
      recipient: toRecipient(row, ctx, now),
      assessments: assessments.map((a) => toAssessment(a, evidence.get(a.id) ?? [])),
      commitments: ctx.commitments.map((c) => toCommitment(c, now)),
      findings: findings.map((f) => toFinding(f, updates.get(f.id) ?? [], owners, now)),
      termination: termination
        ? {
            reason: termination.reason,
            dataDisposition: termination.dataDisposition,
            evidenceSha256: termination.evidenceSha256,
            confirmedAt: termination.confirmedAt.toISOString(),
            recordedBy: termination.recordedBy,
            recordedAt: termination.recordedAt.toISOString(),
          }
        : null,
      impactAssessments: impact.map((i) => ({
        id: i.id,
        title: i.title,
        status: i.status,
        riskLevel: i.riskLevel,
        completedAt: iso(i.completedAt),
      })),
    };
  }

  /** Four eyes: whoever registered a recipient does not assess, approve or reinstate it. */
  function assertNotRegistrant(actor: Actor, row: RecipientRow, what: string, permission: string): void {
    if (actor.type === 'system') return;
    if (row.creatorUserId === actor.userId || row.createdBy === actor.username)
      throw new ForbiddenError(`you cannot ${what} a recipient you registered`, permission, ASSESS_CLAUSES);
  }

  /** A refused approval or reinstatement is a control working: record it outside the rolled-back transaction. */
  async function auditRefusal<T>(actor: Actor, id: string, step: string, p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (e instanceof PolicyViolationError && isUuid(id)) {
        await deps.audit.appendStandalone(actor, {
          action: `recipient.${step}_refused`,
          resourceType: 'recipient',
          resourceId: id,
          clauses: ASSESS_CLAUSES,
          outcome: 'denied',
          details: { reasons: e.problems.map((x) => x.reason) },
        });
      }
      throw e;
    }
  }

  async function suspendRow(
    tx: Tx,
    audit: OperationContext['audit'],
    row: RecipientRow,
    reason: string,
    now: Date,
    details: Record<string, unknown>,
  ): Promise<RecipientRow> {
    const [updated] = await tx
      .update(recipients)
      .set({ status: 'suspended', suspendedAt: now, suspensionReason: reason, updatedAt: now })
      .where(eq(recipients.id, row.id))
      .returning();
    await audit({
      action: 'recipient.suspended',
      resourceType: 'recipient',
      resourceId: row.id,
      clauses: SUPERVISION_CLAUSES,
      details: { reason, previousStatus: row.status, ...details },
    });
    return updated!;
  }

  const internal = {
    /**
     * Why the recipient may not receive customer PI at `now` (null: it may). Reasons: not_approved,
     * suspended, terminated, not_assessed, assessment_failed, no_commitment, commitment_expired,
     * reassessment_overdue, impact_assessment_missing (cross-border without a completed impact
     * assessment), unknown_recipient.
     */
    async eligibility(
      tx: Tx,
      recipientId: string,
      now: Date = new Date(),
      lock: 'share' | false = false,
    ): Promise<IneligibilityReason[] | null> {
      const row = await selectRecipient(tx, recipientId, lock);
      if (!row) return ['unknown_recipient'];
      const reasons = ineligibility((await contextOf(tx, row)).facts, now);
      return reasons.length ? reasons : null;
    },

    /**
     * The gate for sharing (P6.1, P6.3): throws PolicyViolationError listing every reason the
     * recipient may not receive PI. The recipient's row is share-locked until the caller's
     * transaction ends, so a suspension waits for a share in flight and every later share sees it.
     */
    async requireEligible(tx: Tx, recipientId: string, now: Date = new Date()): Promise<EligibleRecipient> {
      const row = await selectRecipient(tx, recipientId, 'share');
      const reasons = row ? ineligibility((await contextOf(tx, row)).facts, now) : (['unknown_recipient'] as IneligibilityReason[]);
      if (!row || reasons.length) throw refusal('the recipient may not receive customer personal information', reasons, ASSESS_CLAUSES);
      return {
        id: row.id,
        legalName: row.legalName,
        uscc: row.uscc,
        country: row.country,
        crossBorder: row.crossBorder,
        dataCategories: row.dataCategories,
        purpose: row.purpose,
      };
    },
  };

  return {
    internal,

    templates(actor: Actor): Promise<CapabilityTemplate[]> {
      return runner.run(actor, OPERATIONS.listRecipientAssessmentTemplates, async () => [...CAPABILITY_TEMPLATES]);
    },

    create(actor: Actor, input: CreateRecipientInput): Promise<RecipientDetail> {
      return runner.run(actor, OPERATIONS.createRecipient, async ({ tx, audit }) => {
        const data = parseInput(createRecipientInput, input);
        const problems: FieldProblem[] = [];
        const uscc = usccType.validate(data.uscc);
        if (!uscc.valid) problems.push({ field: 'uscc', reason: uscc.reason });
        if (data.contact.email && !emailType.validate(data.contact.email).valid)
          problems.push({ field: 'contact.email', reason: 'invalid_email' });
        if (data.contact.phone && !validPhone(data.contact.phone)) problems.push({ field: 'contact.phone', reason: 'invalid_phone' });
        const country = data.country.toUpperCase();
        if (country !== 'CN' && data.crossBorder === false)
          problems.push({ field: 'crossBorder', reason: 'outside_mainland_is_cross_border' });
        const cats = [...new Set(data.dataCategories)];
        const known = new Set(
          (await tx.select({ code: dataCategories.code }).from(dataCategories).where(inArray(dataCategories.code, cats))).map(
            (c) => c.code,
          ),
        );
        for (const c of cats) if (!known.has(c)) problems.push({ field: `dataCategories.${c}`, reason: 'unknown_category' });
        if (problems.length) throw new InvalidError('the recipient record is not valid', problems, ['P6.1']);
        const now = new Date();
        const row = (
          await tx
            .insert(recipients)
            .values({
              legalName: data.legalName,
              uscc: usccType.normalize(data.uscc),
              contactName: data.contact.name,
              contactEmail: data.contact.email || null,
              contactPhone: data.contact.phone || null,
              country,
              region: data.region,
              crossBorder: data.crossBorder ?? country !== 'CN',
              dataCategories: cats,
              purpose: data.purpose,
              status: 'pending',
              reassessmentIntervalDays: data.reassessmentIntervalDays,
              creatorUserId: actor.userId,
              createdBy: actor.username,
              createdAt: now,
              updatedAt: now,
            })
            .returning()
            .catch((e: unknown) => {
              throw isUniqueViolation(e)
                ? new ConflictError('a recipient with this unified social credit code is registered', ['P6.1'])
                : e;
            })
        )[0]!;
        await audit({
          action: 'recipient.created',
          resourceType: 'recipient',
          resourceId: row.id,
          details: {
            legalName: row.legalName,
            uscc: row.uscc,
            country: row.country,
            region: row.region,
            crossBorder: row.crossBorder,
            dataCategories: cats,
            reassessmentIntervalDays: row.reassessmentIntervalDays,
            // The contact person's details stay in the register, out of the log.
            contact: { email: !!row.contactEmail, phone: !!row.contactPhone },
          },
        });
        return detail(tx, row, now);
      });
    },

    list(actor: Actor, input: ListRecipientsInput = {}): Promise<Recipient[]> {
      return runner.run(actor, OPERATIONS.listRecipients, async ({ tx }) => {
        const q = parseInput(listRecipientsInput, input);
        const where: SQL[] = [];
        if (q.status) where.push(eq(recipients.status, q.status));
        if (q.crossBorder !== undefined) where.push(eq(recipients.crossBorder, q.crossBorder));
        const rows = await tx
          .select()
          .from(recipients)
          .where(where.length ? and(...where) : undefined)
          .orderBy(asc(recipients.legalName), asc(recipients.id));
        const ctx = await contexts(tx, rows);
        const now = new Date();
        return rows.map((r) => toRecipient(r, ctx.get(r.id)!, now));
      });
    },

    get(actor: Actor, id: string): Promise<RecipientDetail> {
      return runner.run(actor, OPERATIONS.getRecipient, async ({ tx }) => detail(tx, await load(tx, id, false), new Date()));
    },

    /**
     * Record a capability assessment (P6.1, P6.3) against a questionnaire template: every question
     * answered, evidence files by SHA-256. The reviewer may not be the registrant. A failing
     * periodic assessment suspends an approved recipient at once.
     */
    assess(actor: Actor, id: string, input: AssessRecipientInput): Promise<RecipientDetail> {
      return runner.run(actor, OPERATIONS.assessRecipient, async ({ tx, audit }) => {
        const data = parseInput(assessRecipientInput, input);
        let row = await load(tx, id);
        if (row.status === 'terminated') throw new ConflictError('a terminated recipient is not assessed', ASSESS_CLAUSES);
        assertNotRegistrant(actor, row, 'assess', 'recipient.assess');
        const template = capabilityTemplate(data.templateId ?? DEFAULT_CAPABILITY_TEMPLATE.id);
        if (!template) throw new InvalidError('unknown template', [{ field: 'templateId', reason: 'unknown_template' }], ASSESS_CLAUSES);
        const result = scoreAssessment(template, data.answers);
        const problems = [...result.problems];
        const evidence: Array<{ sha256: string; filename: string; sizeBytes: number }> = [];
        data.evidence.forEach((e, i) => {
          let sha256 = e.sha256;
          let size = e.sizeBytes;
          if (e.contentBase64 !== undefined) {
            const bytes = Buffer.from(e.contentBase64, 'base64');
            const computed = createHash('sha256').update(bytes).digest('hex');
            if (sha256 && sha256 !== computed) problems.push({ field: `evidence.${i}.sha256`, reason: 'hash_mismatch' });
            if (size !== undefined && size !== bytes.length) problems.push({ field: `evidence.${i}.sizeBytes`, reason: 'size_mismatch' });
            sha256 = computed;
            size = bytes.length;
          }
          if (evidence.some((x) => x.sha256 === sha256)) problems.push({ field: `evidence.${i}.sha256`, reason: 'duplicate_evidence' });
          else evidence.push({ sha256: sha256!, filename: e.filename, sizeBytes: size! });
        });
        if (problems.length) throw new InvalidError('the assessment is not complete or not consistent', problems, ASSESS_CLAUSES);
        const kind: RecipientAssessmentKind =
          row.status === 'pending' ? 'initial' : row.status === 'suspended' ? 'reinstatement' : 'periodic';
        const now = new Date();
        const nextDue = new Date(now.getTime() + row.reassessmentIntervalDays * DAY_MS);
        const [a] = await tx
          .insert(recipientAssessments)
          .values({
            recipientId: id,
            kind,
            templateId: template.id,
            templateVersion: template.version,
            answers: data.answers.map((x) => ({ questionId: x.questionId, value: x.value, ...(x.note ? { note: x.note } : {}) })),
            score: result.score,
            passThreshold: template.passThreshold,
            passed: result.passed,
            knockouts: result.knockouts,
            reviewerUserId: actor.userId,
            reviewedBy: actor.username,
            comment: data.comment ?? null,
            assessedAt: now,
            nextDueAt: nextDue,
          })
          .returning();
        if (evidence.length) await tx.insert(recipientAssessmentEvidence).values(evidence.map((e) => ({ assessmentId: a!.id, ...e })));
        if (result.passed) {
          const [u] = await tx
            .update(recipients)
            .set({ reassessmentDueAt: nextDue, updatedAt: now })
            .where(eq(recipients.id, id))
            .returning();
          row = u!;
        }
        await audit({
          action: 'recipient.assessed',
          resourceType: 'recipient',
          resourceId: id,
          details: {
            assessmentId: a!.id,
            kind,
            templateId: template.id,
            templateVersion: template.version,
            score: result.score,
            passThreshold: template.passThreshold,
            passed: result.passed,
            knockouts: result.knockouts,
            // Hashes, names and sizes only: never the files.
            evidence,
            reassessmentDueAt: iso(row.reassessmentDueAt),
          },
        });
        if (!result.passed && row.status === 'approved')
          row = await suspendRow(tx, audit, row, 'assessment_failed', now, { automatic: true, assessmentId: a!.id, score: result.score });
        return detail(tx, row, now);
      });
    },

    /** Record the signed agreement and the recipient's commitment to this policy (P6.1). */
    recordCommitment(actor: Actor, id: string, input: RecordCommitmentInput): Promise<RecipientDetail> {
      return runner.run(actor, OPERATIONS.recordCommitment, async ({ tx, audit }) => {
        const data = parseInput(recordCommitmentInput, input);
        const row = await load(tx, id);
        if (row.status === 'terminated') throw new ConflictError('the recipient is terminated', ['P6.1']);
        const now = new Date();
        const [c] = await tx
          .insert(recipientCommitments)
          .values({
            recipientId: id,
            agreementSha256: data.agreementSha256,
            agreementFilename: data.agreementFilename ?? null,
            committedToPolicy: data.committedToPolicy,
            policyVersion: data.policyVersion,
            effectiveFrom: new Date(data.effectiveFrom),
            expiresAt: new Date(data.expiresAt),
            recordedBy: actor.username,
            recordedAt: now,
          })
          .returning();
        await audit({
          action: 'recipient.commitment_recorded',
          resourceType: 'recipient',
          resourceId: id,
          details: {
            commitmentId: c!.id,
            agreementSha256: c!.agreementSha256,
            agreementFilename: c!.agreementFilename,
            committedToPolicy: c!.committedToPolicy,
            policyVersion: c!.policyVersion,
            effectiveFrom: c!.effectiveFrom.toISOString(),
            expiresAt: c!.expiresAt.toISOString(),
          },
        });
        return detail(tx, row, now);
      });
    },

    /**
     * Approve a pending recipient: a passing assessment (by someone other than the registrant), a
     * commitment to this policy in force, a re-assessment not overdue, and for a cross-border
     * recipient a completed impact assessment. The approver is not the registrant either.
     */
    approve(actor: Actor, id: string, input: RecipientDecisionInput = {}): Promise<RecipientDetail> {
      return auditRefusal(
        actor,
        id,
        'approval',
        runner.run(actor, OPERATIONS.approveRecipient, async ({ tx, audit }) => {
          const data = parseInput(recipientDecisionInput, input);
          const row = await load(tx, id);
          if (row.status !== 'pending')
            throw new ConflictError(`only a pending recipient can be approved (this one is ${row.status})`, ASSESS_CLAUSES);
          assertNotRegistrant(actor, row, 'approve', 'recipient.approve');
          const now = new Date();
          const ctx = await contextOf(tx, row);
          const reasons = ineligibility(ctx.facts, now, true);
          if (reasons.length) throw refusal('the recipient cannot be approved yet', reasons, ASSESS_CLAUSES);
          const [updated] = await tx
            .update(recipients)
            .set({ status: 'approved', approvedBy: actor.username, approvedAt: now, updatedAt: now })
            .where(eq(recipients.id, id))
            .returning();
          await audit({
            action: 'recipient.approved',
            resourceType: 'recipient',
            resourceId: id,
            details: {
              assessmentId: ctx.latest!.id,
              score: ctx.latest!.score,
              reviewedBy: ctx.latest!.reviewedBy,
              reassessmentDueAt: iso(row.reassessmentDueAt),
              crossBorder: row.crossBorder,
              comment: data.comment ?? null,
            },
          });
          return detail(tx, updated!, now);
        }),
      );
    },

    /** Stop all sharing to the recipient at once (P6.3); shares in flight finish first (row lock), later ones are refused. */
    suspend(actor: Actor, id: string, input: SuspendRecipientInput): Promise<RecipientDetail> {
      return runner.run(actor, OPERATIONS.suspendRecipient, async ({ tx, audit }) => {
        const data = parseInput(suspendRecipientInput, input);
        const row = await load(tx, id);
        if (row.status !== 'approved')
          throw new ConflictError(`only an approved recipient can be suspended (this one is ${row.status})`, SUPERVISION_CLAUSES);
        const now = new Date();
        const updated = await suspendRow(tx, audit, row, data.reason, now, { automatic: false });
        return detail(tx, updated, now);
      });
    },

    /**
     * Reinstate a suspended recipient once every finding is closed and a passing re-assessment has
     * been made since the suspension, with the approval conditions met again.
     */
    reinstate(actor: Actor, id: string, input: RecipientDecisionInput = {}): Promise<RecipientDetail> {
      return auditRefusal(
        actor,
        id,
        'reinstatement',
        runner.run(actor, OPERATIONS.reinstateRecipient, async ({ tx, audit }) => {
          const data = parseInput(recipientDecisionInput, input);
          const row = await load(tx, id);
          if (row.status !== 'suspended')
            throw new ConflictError(`only a suspended recipient can be reinstated (this one is ${row.status})`, SUPERVISION_CLAUSES);
          assertNotRegistrant(actor, row, 'reinstate', 'recipient.approve');
          const now = new Date();
          const ctx = await contextOf(tx, row);
          const problems: FieldProblem[] = [];
          if (ctx.openFindings > 0) problems.push({ field: 'findings', reason: 'open_findings' });
          if (!ctx.latest || !row.suspendedAt || ctx.latest.assessedAt.getTime() < row.suspendedAt.getTime())
            problems.push({ field: 'assessments', reason: 'reassessment_required' });
          for (const reason of ineligibility(ctx.facts, now, true)) problems.push({ field: REASON_FIELD[reason], reason });
          if (problems.length) throw new PolicyViolationError('the recipient cannot be reinstated yet', problems, SUPERVISION_CLAUSES);
          const [updated] = await tx
            .update(recipients)
            .set({ status: 'approved', approvedBy: actor.username, approvedAt: now, updatedAt: now })
            .where(eq(recipients.id, id))
            .returning();
          await audit({
            action: 'recipient.reinstated',
            resourceType: 'recipient',
            resourceId: id,
            clauses: SUPERVISION_CLAUSES,
            details: {
              assessmentId: ctx.latest!.id,
              score: ctx.latest!.score,
              suspendedAt: iso(row.suspendedAt),
              suspensionReason: row.suspensionReason,
              comment: data.comment ?? null,
            },
          });
          return detail(tx, updated!, now);
        }),
      );
    },

    /** End the relationship (P6.1, P6.3), recording that the recipient deleted or returned the data. */
    terminate(actor: Actor, id: string, input: TerminateRecipientInput): Promise<RecipientDetail> {
      return runner.run(actor, OPERATIONS.terminateRecipient, async ({ tx, audit }) => {
        const data = parseInput(terminateRecipientInput, input);
        const row = await load(tx, id);
        if (row.status === 'terminated') throw new ConflictError('the recipient is already terminated', ASSESS_CLAUSES);
        const now = new Date();
        const confirmedAt = data.confirmedAt ? new Date(data.confirmedAt) : now;
        if (confirmedAt.getTime() > now.getTime() + SKEW_MS)
          throw new InvalidError(
            'the confirmation date is in the future',
            [{ field: 'confirmedAt', reason: 'in_the_future' }],
            ASSESS_CLAUSES,
          );
        await tx.insert(recipientTerminations).values({
          recipientId: id,
          reason: data.reason,
          dataDisposition: data.dataDisposition,
          evidenceSha256: data.evidenceSha256,
          confirmedAt,
          recordedBy: actor.username,
          recordedAt: now,
        });
        const [updated] = await tx
          .update(recipients)
          .set({ status: 'terminated', terminatedAt: now, updatedAt: now })
          .where(eq(recipients.id, id))
          .returning();
        await audit({
          action: 'recipient.terminated',
          resourceType: 'recipient',
          resourceId: id,
          details: {
            previousStatus: row.status,
            reason: data.reason,
            dataDisposition: data.dataDisposition,
            evidenceSha256: data.evidenceSha256,
            confirmedAt: confirmedAt.toISOString(),
          },
        });
        return detail(tx, updated!, now);
      });
    },

    /** Record a supervision finding (P6.3) with severity, owner and due date. */
    recordFinding(actor: Actor, id: string, input: RecordFindingInput): Promise<RecipientDetail> {
      return runner.run(actor, OPERATIONS.recordFinding, async ({ tx, audit }) => {
        const data = parseInput(recordFindingInput, input);
        const row = await load(tx, id);
        if (row.status === 'terminated') throw new ConflictError('the recipient is terminated', SUPERVISION_CLAUSES);
        const problems: FieldProblem[] = [];
        const owner = (await userRefs(tx, [data.ownerUserId])).get(data.ownerUserId);
        if (!owner || owner.status !== 'active') problems.push({ field: 'ownerUserId', reason: 'not_active_user' });
        const now = new Date();
        const dueAt = new Date(data.dueAt);
        if (dueAt.getTime() <= now.getTime()) problems.push({ field: 'dueAt', reason: 'in_the_past' });
        if (data.assessmentId) {
          const a = (
            await tx
              .select({ recipientId: recipientAssessments.recipientId })
              .from(recipientAssessments)
              .where(eq(recipientAssessments.id, data.assessmentId))
          )[0];
          if (a?.recipientId !== id) problems.push({ field: 'assessmentId', reason: 'not_this_recipients_assessment' });
        }
        if (problems.length) throw new InvalidError('the finding is not valid', problems, SUPERVISION_CLAUSES);
        const [f] = await tx
          .insert(recipientFindings)
          .values({
            recipientId: id,
            assessmentId: data.assessmentId ?? null,
            title: data.title,
            description: data.description,
            severity: data.severity,
            ownerUserId: data.ownerUserId,
            dueAt,
            status: 'open',
            createdBy: actor.username,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        await tx
          .insert(recipientFindingUpdates)
          .values({ findingId: f!.id, status: 'open', note: data.description, updatedBy: actor.username, updatedAt: now });
        await audit({
          action: 'recipient.finding_recorded',
          resourceType: 'recipient',
          resourceId: id,
          details: {
            findingId: f!.id,
            title: f!.title,
            severity: f!.severity,
            ownerUserId: f!.ownerUserId,
            dueAt: dueAt.toISOString(),
            assessmentId: f!.assessmentId,
          },
        });
        return detail(tx, row, now);
      });
    },

    /** Move a finding through remediation (open, remediating, closed; a closed one may be reopened), with a note each time. */
    updateFinding(actor: Actor, id: string, findingId: string, input: UpdateFindingInput): Promise<RecipientDetail> {
      return runner.run(actor, OPERATIONS.updateFinding, async ({ tx, audit }) => {
        const data = parseInput(updateFindingInput, input);
        const row = await load(tx, id, false);
        const f = isUuid(findingId)
          ? (
              await tx
                .select()
                .from(recipientFindings)
                .where(and(eq(recipientFindings.id, findingId), eq(recipientFindings.recipientId, id)))
                .for('update')
            )[0]
          : undefined;
        if (!f) throw new NotFoundError('finding not found');
        if (f.status === 'closed' && data.status === 'closed')
          throw new ConflictError('the finding is already closed', SUPERVISION_CLAUSES);
        const now = new Date();
        await tx
          .update(recipientFindings)
          .set({ status: data.status, closedAt: data.status === 'closed' ? now : null, updatedAt: now })
          .where(eq(recipientFindings.id, findingId));
        await tx
          .insert(recipientFindingUpdates)
          .values({ findingId, status: data.status, note: data.note, updatedBy: actor.username, updatedAt: now });
        await audit({
          action: 'recipient.finding_updated',
          resourceType: 'recipient',
          resourceId: id,
          details: { findingId, from: f.status, to: data.status, severity: f.severity },
        });
        return detail(tx, row, now);
      });
    },

    /**
     * Remind the registrant of every re-assessment falling due within the next 30 days (or overdue)
     * and not yet reminded of: one message per recipient per due date, through the outbox in the
     * same transaction. Run hourly by the background duties; `now` is a parameter for tests.
     */
    async sendDueReassessmentReminders(now: Date = new Date(), actor: Actor = systemActor()): Promise<ReassessmentReminderResult> {
      const reminded: ReassessmentReminderResult['reminded'] = [];
      const horizon = new Date(now.getTime() + REMINDER_LEAD_DAYS * DAY_MS);
      for (;;) {
        const batch = await runner.run(actor, OPERATIONS.sendRecipientReassessmentReminders, async ({ tx, audit }) => {
          const due = await recipientsOwedReminder(tx, horizon, 100);
          for (const r of due) {
            const dueAt = r.reassessmentDueAt!.toISOString();
            const day = dueAt.slice(0, 10);
            await notifier.enqueue(tx, {
              topic: 'recipient.reassessment_due',
              transport: 'log',
              recipient: { kind: 'log', label: `recipient-owner:${r.createdBy}` },
              subject: `第三方复评到期 / Third-party re-assessment due: ${r.legalName}`,
              text:
                `第三方“${r.legalName}”（${r.uscc}）的数据保护能力复评应于 ${day} 前完成；逾期后将无法向其提供个人信息（P6.3）。\n` +
                `The capability re-assessment of "${r.legalName}" (${r.uscc}) is due on ${day}; once overdue it can receive no personal information (P6.3).`,
            });
            await tx.update(recipients).set({ remindedFor: r.reassessmentDueAt }).where(eq(recipients.id, r.id));
            await audit({
              action: 'recipient.reassessment_reminder_sent',
              resourceType: 'recipient',
              resourceId: r.id,
              details: { dueAt, to: r.createdBy },
            });
          }
          return due.map((r) => ({ recipientId: r.id, dueAt: r.reassessmentDueAt!.toISOString() }));
        });
        reminded.push(...batch);
        if (batch.length) notifier.kick();
        if (batch.length < 100) break;
      }
      return { reminded };
    },
  };
}

function toFinding(
  f: FindingRow,
  updates: FindingUpdateRow[],
  owners: Map<string, { id: string; username: string; displayName: string }>,
  now: Date,
): RecipientFinding {
  const o = owners.get(f.ownerUserId);
  return {
    id: f.id,
    recipientId: f.recipientId,
    assessmentId: f.assessmentId,
    title: f.title,
    description: f.description,
    severity: f.severity,
    owner: o ? { id: o.id, username: o.username, displayName: o.displayName } : { id: f.ownerUserId, username: '?', displayName: '?' },
    dueAt: f.dueAt.toISOString(),
    overdue: f.status !== 'closed' && f.dueAt.getTime() < now.getTime(),
    status: f.status,
    createdBy: f.createdBy,
    createdAt: f.createdAt.toISOString(),
    closedAt: iso(f.closedAt),
    updates: updates.map((u) => ({ status: u.status, note: u.note, updatedBy: u.updatedBy, updatedAt: u.updatedAt.toISOString() })),
  };
}

export type RecipientsService = ReturnType<typeof createRecipientsService>;
