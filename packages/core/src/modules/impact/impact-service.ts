import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { impactAssessments, recipients } from '../../db/schema.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, PolicyViolationError, type FieldProblem } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { parseInput } from '../../validation.js';
import {
  answerProblems,
  computedRisk,
  CROSS_BORDER_YES,
  DEFAULT_PIA_TEMPLATE,
  maxRisk,
  missingAnswers,
  PIA_TEMPLATES,
  piaTemplate,
  riskBelow,
} from './impact-fns.js';
import {
  completeImpactAssessmentInput,
  createImpactAssessmentInput,
  listImpactAssessmentsInput,
  updateImpactAssessmentInput,
  type ImpactAnswer,
  type CompleteImpactAssessmentInput,
  type CreateImpactAssessmentInput,
  type ImpactAssessment,
  type ImpactSubjectKind,
  type ListImpactAssessmentsInput,
  type PiaTemplate,
  type ImpactRiskLevel,
  type UpdateImpactAssessmentInput,
} from './impact-types.js';

type Row = typeof impactAssessments.$inferSelect;

const CLAUSES = ['P6.1', 'P6.2'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function templateOf(row: Pick<Row, 'templateId'>): PiaTemplate {
  return piaTemplate(row.templateId) ?? DEFAULT_PIA_TEMPLATE;
}

function toAssessment(r: Row): ImpactAssessment {
  const answers = r.answers;
  return {
    id: r.id,
    subjectKind: r.subjectKind,
    subjectRef: r.subjectRef,
    title: r.title,
    templateId: r.templateId,
    templateVersion: r.templateVersion,
    answers: answers.map((a) => ({ questionId: a.questionId, value: a.value, ...(a.note ? { note: a.note } : {}) })),
    computedRiskLevel: r.computedRiskLevel,
    riskLevel: r.riskLevel,
    status: r.status,
    missing: r.status === 'completed' ? [] : missingAnswers(templateOf(r), answers, r.riskLevel),
    createdBy: r.createdBy,
    authorUserId: r.authorUserId,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    completedBy: r.completedBy,
    approverUserId: r.approverUserId,
    completedAt: r.completedAt ? r.completedAt.toISOString() : null,
    approvalComment: r.approvalComment,
    keepUntil: r.keepUntil.toISOString(),
  };
}

const cleanAnswers = (answers: readonly ImpactAnswer[]): ImpactAnswer[] =>
  answers.map((a) => ({ questionId: a.questionId, value: a.value, ...(a.note ? { note: a.note } : {}) }));

/** A refusal the sharing, transfer and disclosure gates raise; names the field and the reason. */
function gateError(message: string, reason: string, field = 'impactAssessmentId'): PolicyViolationError {
  return new PolicyViolationError(message, [{ field, reason }], CLAUSES);
}

/**
 * Impact assessments (issue 6 item 6, a first step toward full PIAs under PIPL Art. 55-56):
 * sharing, transfers, disclosures and cross-border recipients need a completed assessment —
 * template, answers, risk level, and an approver who is not the author — before approval.
 */
export function createImpactService(deps: { runner: Runner }) {
  const { runner } = deps;

  async function load(tx: Tx, id: string, lock: boolean): Promise<Row> {
    if (!UUID.test(id)) throw new NotFoundError('impact assessment not found');
    const qy = tx.select().from(impactAssessments).where(eq(impactAssessments.id, id));
    const row = (await (lock ? qy.for('update') : qy))[0];
    if (!row) throw new NotFoundError('impact assessment not found');
    return row;
  }

  /** For `recipient` subjects, the reference must be a registered recipient; returns whether it is cross-border. */
  async function checkSubject(tx: Tx, kind: ImpactSubjectKind, ref: string | null): Promise<{ crossBorder: boolean } | null> {
    if (kind !== 'recipient') return null;
    if (!ref) throw new InvalidError('name the recipient assessed', [{ field: 'subjectRef', reason: 'required' }], CLAUSES);
    const r = UUID.test(ref)
      ? (await tx.select({ crossBorder: recipients.crossBorder }).from(recipients).where(eq(recipients.id, ref)))[0]
      : undefined;
    if (!r) throw new InvalidError('the recipient is not registered', [{ field: 'subjectRef', reason: 'unknown_recipient' }], CLAUSES);
    return r;
  }

  function settleRisk(template: PiaTemplate, answers: readonly ImpactAnswer[], declared: ImpactRiskLevel | null | undefined) {
    const problems: FieldProblem[] = answerProblems(template, answers);
    if (problems.length) throw new InvalidError('the answers do not fit the template', problems, CLAUSES);
    const computed = computedRisk(template, answers);
    if (declared && riskBelow(declared, computed))
      throw new PolicyViolationError(
        `the answers call for at least ${computed} risk`,
        [{ field: 'riskLevel', reason: 'below_computed_risk' }],
        CLAUSES,
      );
    return { computed, risk: declared ?? computed };
  }

  const internal = {
    /**
     * The gate for sharing, transfers and disclosures: the assessment exists, is completed, and is
     * about this kind of subject (and this subject, when `subjectRef` is given and the assessment
     * names one). Throws PolicyViolationError otherwise. Call inside the caller's transaction.
     */
    async requireCompleted(
      tx: Tx,
      assessmentId: string | null | undefined,
      subjectKind: ImpactSubjectKind,
      subjectRef?: string,
    ): Promise<ImpactAssessment> {
      if (!assessmentId) throw gateError(`a ${subjectKind} needs a completed impact assessment`, 'impact_assessment_missing');
      const row = UUID.test(assessmentId)
        ? (await tx.select().from(impactAssessments).where(eq(impactAssessments.id, assessmentId)))[0]
        : undefined;
      if (!row) throw gateError('the impact assessment does not exist', 'impact_assessment_missing');
      if (row.status !== 'completed') throw gateError('the impact assessment is not completed', 'impact_assessment_not_completed');
      if (row.subjectKind !== subjectKind)
        throw gateError(`the impact assessment is about a ${row.subjectKind}, not a ${subjectKind}`, 'impact_assessment_wrong_subject');
      if (subjectRef && row.subjectRef && row.subjectRef !== subjectRef)
        throw gateError('the impact assessment is about another subject', 'impact_assessment_wrong_subject');
      return toAssessment(row);
    },

    /** The latest completed assessment of a subject, or null. */
    async latestCompleted(tx: Tx, subjectKind: ImpactSubjectKind, subjectRef: string): Promise<ImpactAssessment | null> {
      const row = (
        await tx
          .select()
          .from(impactAssessments)
          .where(
            and(
              eq(impactAssessments.subjectKind, subjectKind),
              eq(impactAssessments.subjectRef, subjectRef),
              eq(impactAssessments.status, 'completed'),
            ),
          )
          .orderBy(desc(impactAssessments.completedAt))
          .limit(1)
      )[0];
      return row ? toAssessment(row) : null;
    },
  };

  return {
    internal,

    templates(actor: Actor): Promise<PiaTemplate[]> {
      return runner.run(actor, OPERATIONS.listImpactAssessmentTemplates, async () => [...PIA_TEMPLATES]);
    },

    create(actor: Actor, input: CreateImpactAssessmentInput): Promise<ImpactAssessment> {
      return runner.run(actor, OPERATIONS.createImpactAssessment, async ({ tx, audit }) => {
        const data = parseInput(createImpactAssessmentInput, input);
        const template = piaTemplate(data.templateId ?? DEFAULT_PIA_TEMPLATE.id);
        if (!template) throw new InvalidError('unknown template', [{ field: 'templateId', reason: 'unknown_template' }], CLAUSES);
        await checkSubject(tx, data.subjectKind, data.subjectRef ?? null);
        const answers = cleanAnswers(data.answers);
        const { computed, risk } = settleRisk(template, answers, data.riskLevel);
        const now = new Date();
        const [row] = await tx
          .insert(impactAssessments)
          .values({
            subjectKind: data.subjectKind,
            subjectRef: data.subjectRef ?? null,
            title: data.title,
            templateId: template.id,
            templateVersion: template.version,
            answers,
            computedRiskLevel: computed,
            riskLevel: risk,
            status: 'draft',
            authorUserId: actor.userId,
            createdBy: actor.username,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        await audit({
          action: 'impact_assessment.created',
          resourceType: 'impact_assessment',
          resourceId: row!.id,
          details: {
            subjectKind: row!.subjectKind,
            subjectRef: row!.subjectRef,
            templateId: template.id,
            templateVersion: template.version,
            answered: answers.map((a) => a.questionId),
            computedRiskLevel: computed,
            riskLevel: risk,
          },
        });
        return toAssessment(row!);
      });
    },

    update(actor: Actor, id: string, input: UpdateImpactAssessmentInput): Promise<ImpactAssessment> {
      return runner.run(actor, OPERATIONS.updateImpactAssessment, async ({ tx, audit }) => {
        const data = parseInput(updateImpactAssessmentInput, input);
        const row = await load(tx, id, true);
        if (row.status !== 'draft') throw new ConflictError('a completed impact assessment cannot be changed', CLAUSES);
        const subjectRef = data.subjectRef !== undefined ? data.subjectRef : row.subjectRef;
        await checkSubject(tx, row.subjectKind, subjectRef);
        const answers = data.answers ? cleanAnswers(data.answers) : row.answers;
        // Unless a level is given, keep the one declared, raised if the new answers call for more.
        const template = templateOf(row);
        const declared = data.riskLevel !== undefined ? data.riskLevel : maxRisk(row.riskLevel, computedRisk(template, answers));
        const { computed, risk } = settleRisk(template, answers, declared);
        const [updated] = await tx
          .update(impactAssessments)
          .set({
            subjectRef,
            title: data.title ?? row.title,
            answers,
            computedRiskLevel: computed,
            riskLevel: risk,
            updatedAt: new Date(),
          })
          .where(eq(impactAssessments.id, id))
          .returning();
        await audit({
          action: 'impact_assessment.updated',
          resourceType: 'impact_assessment',
          resourceId: id,
          details: {
            subjectRef,
            answered: answers.map((a) => a.questionId),
            computedRiskLevel: computed,
            riskLevel: risk,
            before: { riskLevel: row.riskLevel },
          },
        });
        return toAssessment(updated!);
      });
    },

    /** Approve a complete draft: every required answer, a risk level no lower than the answers call for, and an approver other than the author. */
    complete(actor: Actor, id: string, input: CompleteImpactAssessmentInput = {}): Promise<ImpactAssessment> {
      return runner.run(actor, OPERATIONS.completeImpactAssessment, async ({ tx, audit }) => {
        const data = parseInput(completeImpactAssessmentInput, input);
        const row = await load(tx, id, true);
        if (row.status !== 'draft') throw new ConflictError('the impact assessment is already completed', CLAUSES);
        if (actor.type !== 'system' && (row.authorUserId === actor.userId || row.createdBy === actor.username))
          throw new ForbiddenError('the author of an impact assessment cannot approve it', 'impact.approve', CLAUSES);
        const template = templateOf(row);
        const { computed } = settleRisk(template, row.answers, row.riskLevel);
        const missing = missingAnswers(template, row.answers, row.riskLevel);
        if (missing.length)
          throw new PolicyViolationError(
            'the impact assessment is not complete',
            missing.map((m) => ({ field: `answers.${m}`, reason: 'required' })),
            CLAUSES,
          );
        const subject = await checkSubject(tx, row.subjectKind, row.subjectRef);
        const crossBorderAnswer = row.answers.find((a) => a.questionId === 'cross_border')?.value;
        if (subject?.crossBorder && crossBorderAnswer && !CROSS_BORDER_YES.has(crossBorderAnswer))
          throw new PolicyViolationError(
            'the recipient is cross-border but the assessment says no PI leaves mainland China',
            [{ field: 'answers.cross_border', reason: 'inconsistent_with_recipient' }],
            CLAUSES,
          );
        const now = new Date();
        const [updated] = await tx
          .update(impactAssessments)
          .set({
            status: 'completed',
            computedRiskLevel: computed,
            approverUserId: actor.userId,
            completedBy: actor.username,
            completedAt: now,
            approvalComment: data.comment ?? null,
            updatedAt: now,
          })
          .where(eq(impactAssessments.id, id))
          .returning();
        await audit({
          action: 'impact_assessment.completed',
          resourceType: 'impact_assessment',
          resourceId: id,
          details: {
            subjectKind: row.subjectKind,
            subjectRef: row.subjectRef,
            riskLevel: row.riskLevel,
            computedRiskLevel: computed,
            author: row.createdBy,
            comment: data.comment ?? null,
          },
        });
        return toAssessment(updated!);
      });
    },

    list(actor: Actor, input: ListImpactAssessmentsInput = {}): Promise<ImpactAssessment[]> {
      return runner.run(actor, OPERATIONS.listImpactAssessments, async ({ tx }) => {
        const qy = parseInput(listImpactAssessmentsInput, input);
        const where: SQL[] = [];
        if (qy.subjectKind) where.push(eq(impactAssessments.subjectKind, qy.subjectKind));
        if (qy.subjectRef) where.push(eq(impactAssessments.subjectRef, qy.subjectRef));
        if (qy.status) where.push(eq(impactAssessments.status, qy.status));
        const rows = await tx
          .select()
          .from(impactAssessments)
          .where(where.length ? and(...where) : undefined)
          .orderBy(desc(impactAssessments.createdAt), sql`${impactAssessments.id}`)
          .limit(1000);
        return rows.map(toAssessment);
      });
    },

    get(actor: Actor, id: string): Promise<ImpactAssessment> {
      return runner.run(actor, OPERATIONS.getImpactAssessment, async ({ tx }) => toAssessment(await load(tx, id, false)));
    },
  };
}

export type ImpactService = ReturnType<typeof createImpactService>;
