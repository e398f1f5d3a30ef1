import { randomUUID } from 'node:crypto';
import { asc, desc, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { dataCategories, departments, recipients, shareExecutions, shareRequests, shareReviews } from '../../db/schema.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, PolicyViolationError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { parseInput } from '../../validation.js';
import type { ExportsService } from '../exports/exports-service.js';
import type { DownloadedFile } from '../exports/exports-service.js';
import type { ImpactService } from '../impact/impact-service.js';
import type { Notifier } from '../notifier/notifier-service.js';
import type { ProcessingRecordsService } from '../processing-records/processing-records-service.js';
import type { RecipientsService } from '../recipients/recipients-service.js';
import { mayReview, reviewOutcome } from '../use/use-fns.js';
import {
  createShareRequestInput,
  reviewShareRequestInput,
  type CreateShareRequestInput,
  type ReviewShareRequestInput,
  type ShareExecution,
  type ShareRequest,
} from './sharing-types.js';

type RequestRow = typeof shareRequests.$inferSelect;
type ExecutionRow = typeof shareExecutions.$inferSelect;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * P6.1: the review chain of a share. Sharing with a third party always ends with the compliance
 * officer (after the department head and a management approver).
 */
export function shareChain(): string[] {
  return ['department_head', 'management_approver', 'compliance_officer'];
}

/**
 * The separate-consent categories a customer must hold for a share (PIPL Art. 23; Art. 39 for a
 * cross-border recipient): the consent names the recipient by its id or its unified social credit code.
 */
export function separateConsentsFor(recipient: { id: string; uscc: string; crossBorder: boolean }): string[][] {
  const names = [recipient.id, recipient.uscc];
  const groups = [names.map((n) => `sharing:${n}`)];
  if (recipient.crossBorder) groups.push(names.map((n) => `cross_border:${n}`));
  return groups;
}

/**
 * Sharing customer PI with a vetted third party (P6.1, P6.3): a request names the recipient,
 * purpose, fields (with their de-identification), customers, method and legal basis; it goes
 * through the review chain; the last approval needs an eligible recipient and a completed impact
 * assessment. Execution re-checks both, includes only customers with a separate consent to that
 * recipient (or the recorded other basis), writes the de-identified file through the export
 * pipeline, and leaves a processing record.
 */
export function createSharingService(deps: {
  runner: Runner;
  exports: ExportsService;
  recipients: RecipientsService;
  impact: ImpactService;
  processingRecords: ProcessingRecordsService;
  notifier?: Notifier;
}) {
  const { runner } = deps;

  function executionView(e: ExecutionRow, downloadPath?: string): ShareExecution {
    return {
      id: e.id,
      shareRequestId: e.shareRequestId,
      recipientId: e.recipientId,
      executedBy: e.executedBy,
      inScopeCount: e.inScopeCount,
      includedCount: e.includedCount,
      excludedCount: e.excludedCount,
      suppressedCount: e.suppressedCount,
      rowCount: e.rowCount,
      k: e.k,
      l: e.l,
      customerIdsHash: e.customerIdsHash,
      fileSha256: e.fileSha256,
      fileBytes: e.fileBytes,
      createdAt: e.createdAt.toISOString(),
      expiresAt: e.expiresAt.toISOString(),
      downloadedAt: iso(e.downloadedAt),
      ...(downloadPath ? { downloadPath } : {}),
    };
  }

  /** Requests with their reviews, executions and recipients' names: three queries for any number of requests. */
  async function views(tx: Tx, rows: readonly RequestRow[]): Promise<ShareRequest[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const reviews = await tx.select().from(shareReviews).where(inArray(shareReviews.shareRequestId, ids)).orderBy(asc(shareReviews.id));
    const execs = new Map(
      (await tx.select().from(shareExecutions).where(inArray(shareExecutions.shareRequestId, ids))).map((e) => [e.shareRequestId, e]),
    );
    const names = new Map(
      (
        await tx
          .select({ id: recipients.id, n: recipients.legalName })
          .from(recipients)
          .where(inArray(recipients.id, [...new Set(rows.map((r) => r.recipientId))]))
      ).map((x) => [x.id, x.n]),
    );
    return rows.map((r) =>
      view(
        r,
        reviews.filter((v) => v.shareRequestId === r.id),
        execs.get(r.id),
        names.get(r.recipientId),
      ),
    );
  }

  function view(
    r: RequestRow,
    reviews: ReadonlyArray<typeof shareReviews.$inferSelect>,
    exec: ExecutionRow | undefined,
    recipientName: string | undefined,
  ): ShareRequest {
    return {
      id: r.id,
      requesterName: r.requesterName,
      departmentId: r.departmentId,
      recipientId: r.recipientId,
      recipientName: recipientName ?? '',
      purposeCode: r.purposeCode,
      fields: r.fields,
      customerScope: r.customerScope,
      method: r.method,
      spec: r.spec,
      levels: r.levels,
      format: r.format,
      legalBasis: r.legalBasis,
      legalBasisNote: r.legalBasisNote,
      impactAssessmentId: r.impactAssessmentId,
      justification: r.justification,
      sensitive: r.sensitive,
      chain: r.chain,
      step: r.step,
      status: r.status,
      createdAt: r.createdAt.toISOString(),
      decidedAt: iso(r.decidedAt),
      reviews: reviews.map((v) => ({
        step: v.step,
        stepRole: v.stepRole,
        reviewerName: v.reviewerName,
        decision: v.decision,
        comment: v.comment,
        decidedAt: v.decidedAt.toISOString(),
      })),
      execution: exec ? executionView(exec) : null,
    };
  }

  const viewOne = async (tx: Tx, r: RequestRow) => (await views(tx, [r]))[0]!;

  /** Who may see a request: the requester and their department, holders of a role on its chain, share.read. */
  const mayRead = (r: RequestRow, actor: Actor, can: (p: 'share.read') => boolean) =>
    r.requesterId === actor.userId ||
    r.departmentId === actor.departmentId ||
    r.chain.some((role) => actor.roles.includes(role as never)) ||
    can('share.read');

  /** The request, if the caller may see it: requester, their department, a reviewer of its steps, or share.read. */
  async function visible(tx: Tx, actor: Actor, id: string, can: (p: 'share.read') => boolean, lock = false): Promise<RequestRow> {
    const q = tx.select().from(shareRequests).where(eq(shareRequests.id, id));
    const r = (await (lock ? q.for('update') : q))[0];
    if (!r) throw new NotFoundError('share request not found');
    if (!mayRead(r, actor, can)) throw new NotFoundError('share request not found', { resourceType: 'share_request', resourceId: id });
    return r;
  }

  async function announce(tx: Tx, r: RequestRow): Promise<void> {
    if (!deps.notifier || r.status !== 'in_review') return;
    const role = r.chain[r.step]!;
    await deps.notifier.enqueue(tx, {
      topic: 'share.review_requested',
      transport: 'log',
      recipient: { kind: 'log', label: `role:${role}` },
      subject: `共享申请待审批 / Share request awaiting review (${r.purposeCode})`,
      text: `Share request ${r.id} by ${r.requesterName} for purpose ${r.purposeCode} awaits the ${role} step.`,
    });
  }

  return {
    /** A share request, straight into its review chain. The recipient must exist; its eligibility is checked at approval and execution. */
    create(actor: Actor, input: CreateShareRequestInput): Promise<ShareRequest> {
      return runner.run(actor, OPERATIONS.createShareRequest, async ({ tx, audit }) => {
        const data = parseInput(createShareRequestInput, input);
        if (!actor.userId || !actor.departmentId)
          throw new ForbiddenError('only staff in a department can request a share', 'share.request', ['P6.1']);
        const rec = (await tx.select().from(recipients).where(eq(recipients.id, data.recipientId)))[0];
        if (!rec) throw new InvalidError('no such recipient', [{ field: 'recipientId', reason: 'unknown_recipient' }], ['P6.1']);
        const purpose = await deps.exports.internal.activePurpose(tx, data.purposeCode);
        const fields = data.spec.columns.map((c) => c.field);
        const outside = fields.filter((f) => !purpose.fields.has(f));
        if (outside.length)
          throw new PolicyViolationError(
            'fields outside the purpose',
            outside.map((field) => ({ field, reason: 'not_in_purpose' })),
            ['P6.1', 'P3.2'],
          );
        const levels = deps.exports.internal.chosenLevels(data.spec, data.levels);
        const cats = await tx.select({ s: dataCategories.sensitivity }).from(dataCategories).where(inArray(dataCategories.code, fields));
        const sensitive = cats.some((c) => c.s === 'sensitive');
        const [row] = await tx
          .insert(shareRequests)
          .values({
            requesterId: actor.userId,
            requesterName: actor.username,
            departmentId: actor.departmentId,
            recipientId: rec.id,
            purposeCode: data.purposeCode,
            fields,
            customerScope: data.customerScope,
            method: data.method,
            spec: data.spec,
            levels,
            format: data.format,
            legalBasis: data.legalBasis,
            legalBasisNote: data.legalBasisNote ?? null,
            impactAssessmentId: data.impactAssessmentId ?? null,
            justification: data.justification,
            sensitive,
            chain: shareChain(),
            status: 'in_review',
          })
          .returning();
        await announce(tx, row!);
        await audit({
          action: 'share_request.created',
          resourceType: 'share_request',
          resourceId: row!.id,
          purposeId: data.purposeCode,
          clauses: ['P6.1'],
          details: {
            recipientId: rec.id,
            fields,
            scope: data.customerScope.kind,
            method: data.method,
            legalBasis: data.legalBasis,
            operators: Object.fromEntries(data.spec.columns.map((c) => [c.field, c.operator.kind])),
          },
        });
        return viewOne(tx, row!);
      });
    },

    /** One review step. The last approval needs an eligible recipient and a completed impact assessment about a share. */
    review(actor: Actor, id: string, input: ReviewShareRequestInput): Promise<ShareRequest> {
      return runner.run(actor, OPERATIONS.reviewShareRequest, async ({ tx, audit, can }) => {
        const data = parseInput(reviewShareRequestInput, input);
        if (data.decision !== 'approve' && !data.comment)
          throw new InvalidError('say why', [{ field: 'comment', reason: 'required' }], ['P6.1']);
        const r = await visible(tx, actor, id, can, true);
        if (r.status !== 'in_review') throw new ConflictError(`a ${r.status} share request is not awaiting review`, ['P6.1']);
        if (r.requesterId === actor.userId) throw new ForbiddenError('nobody reviews their own share request', 'share.review', ['P6.1']);
        const role = r.chain[r.step]!;
        const head =
          (await tx.select({ h: departments.headUserId }).from(departments).where(eq(departments.id, r.departmentId)))[0]?.h ?? null;
        if (
          !mayReview(
            role,
            { userId: actor.userId!, roles: actor.roles, departmentId: actor.departmentId },
            { applicantId: r.requesterId, departmentId: r.departmentId },
            head,
          )
        )
          throw new ForbiddenError(`this step needs the ${role}`, 'share.review', ['P6.1']);
        const earlier = await tx.select().from(shareReviews).where(eq(shareReviews.shareRequestId, id));
        if (
          data.decision === 'approve' &&
          earlier.some((v) => v.reviewerId === actor.userId && v.decision === 'approve' && v.step < r.step)
        )
          throw new ForbiddenError('one person approves one step of a share', 'share.review', ['P6.1']);
        const outcome = reviewOutcome(data.decision, r.step, r.chain.length);
        if (outcome === 'approved') {
          await deps.recipients.internal.requireEligible(tx, r.recipientId);
          await deps.impact.internal.requireCompleted(tx, r.impactAssessmentId, 'share');
        }
        await tx.insert(shareReviews).values({
          shareRequestId: id,
          step: r.step,
          stepRole: role,
          reviewerId: actor.userId!,
          reviewerName: actor.username,
          decision: data.decision,
          comment: data.comment ?? null,
        });
        const now = new Date();
        const next: Partial<RequestRow> =
          outcome === 'step_approved'
            ? { step: r.step + 1 }
            : outcome === 'returned'
              ? { status: 'returned' }
              : { status: outcome, decidedAt: now };
        const [u] = await tx.update(shareRequests).set(next).where(eq(shareRequests.id, id)).returning();
        await announce(tx, u!);
        await audit({
          action: `share_request.${outcome}`,
          resourceType: 'share_request',
          resourceId: id,
          purposeId: r.purposeCode,
          clauses: ['P6.1'],
          details: { step: r.step, role, comment: data.comment ?? null },
        });
        return viewOne(tx, u!);
      });
    },

    /**
     * Execute an approved share (the requester or their department): the recipient and the impact
     * assessment are checked again (the recipient's row is share-locked, so a suspension waits for
     * this and every later share sees it); customers without the separate consent (or the recorded
     * basis) are left out and counted; the de-identified file is written; processing record + audit.
     */
    execute(actor: Actor, id: string): Promise<ShareExecution> {
      const fileId = randomUUID();
      return runner
        .run(actor, OPERATIONS.executeShare, async ({ tx, audit, can }) => {
          const r = await visible(tx, actor, id, can, true);
          if (r.requesterId !== actor.userId && r.departmentId !== actor.departmentId)
            throw new ForbiddenError('only the requesting department executes a share', 'share.request', ['P6.1']);
          if (r.status === 'executed') throw new ConflictError('this share was already executed', ['P6.1']);
          if (r.status !== 'approved') throw new ConflictError(`a ${r.status} share request cannot be executed`, ['P6.1']);
          const rec = await deps.recipients.internal.requireEligible(tx, r.recipientId);
          await deps.impact.internal.requireCompleted(tx, r.impactAssessmentId, 'share');
          const purpose = await deps.exports.internal.activePurpose(tx, r.purposeCode);
          const separate = r.legalBasis === 'separate_consent' ? separateConsentsFor(rec) : [];
          const produced = await deps.exports.internal.produce(tx, {
            fileId,
            population: { purposeCode: r.purposeCode, customerScope: r.customerScope, requireSeparate: separate },
            purpose,
            spec: r.spec,
            levels: r.levels,
            format: r.format,
            pseudonymContext: `recipient:${rec.id}`,
          });
          const link = deps.exports.internal.newLink();
          const [e] = await tx
            .insert(shareExecutions)
            .values({
              id: fileId,
              shareRequestId: r.id,
              recipientId: rec.id,
              executedById: actor.userId,
              executedBy: actor.username,
              inScopeCount: produced.counts.inScope,
              includedCount: produced.counts.included,
              excludedCount: produced.counts.excludedNoConsent,
              suppressedCount: produced.assessment.suppressedRecords,
              rowCount: produced.rows,
              k: produced.assessment.k,
              l: produced.assessment.l,
              customerIdsHash: produced.customerIdsHash,
              fileSha256: produced.sha256,
              fileBytes: produced.bytes,
              linkHash: link.hash,
              expiresAt: new Date(Date.now() + deps.exports.internal.linkMinutes * 60_000),
            })
            .returning();
          await tx.update(shareRequests).set({ status: 'executed' }).where(eq(shareRequests.id, r.id));
          const legalBasis =
            r.legalBasis === 'separate_consent'
              ? `separate consent to this recipient (PIPL Art. 23${rec.crossBorder ? ', 39' : ''})`
              : `${r.legalBasis}: ${r.legalBasisNote ?? ''}`;
          await deps.processingRecords.internal.record(tx, {
            kind: 'share',
            subjectType: 'share_request',
            subjectId: r.id,
            actor: { userId: actor.userId, username: actor.username },
            purposeCode: r.purposeCode,
            fields: r.fields,
            customerCount: produced.rows,
            customerIdsHash: produced.customerIdsHash,
            customerListRef: `share_execution:${fileId}`,
            recipientId: rec.id,
            recipientName: rec.legalName,
            legalBasis,
            fileHash: produced.sha256,
            clauses: ['P6.1'],
            details: {
              inScope: produced.counts.inScope,
              excludedNoConsent: produced.counts.excludedNoConsent,
              suppressed: produced.assessment.suppressedRecords,
              crossBorder: rec.crossBorder,
              impactAssessmentId: r.impactAssessmentId,
            },
          });
          await audit({
            action: 'share.executed',
            resourceType: 'share_request',
            resourceId: r.id,
            purposeId: r.purposeCode,
            clauses: ['P6.1'],
            details: {
              executionId: fileId,
              recipientId: rec.id,
              fields: r.fields,
              legalBasis: r.legalBasis,
              inScope: produced.counts.inScope,
              included: produced.counts.included,
              excluded: produced.counts.excludedNoConsent,
              rows: produced.rows,
              fileSha256: produced.sha256,
            },
          });
          return executionView(e!, `/api/v1/shares/download/${link.token}`);
        })
        .catch(async (err: unknown) => {
          await deps.exports.internal.removeFile(fileId);
          throw err;
        });
    },

    list(actor: Actor): Promise<ShareRequest[]> {
      return runner.run(actor, OPERATIONS.listShareRequests, async ({ tx, can }) => {
        const rows = await tx.select().from(shareRequests).orderBy(desc(shareRequests.createdAt)).limit(500);
        return views(
          tx,
          rows.filter((r) => mayRead(r, actor, can)),
        );
      });
    },

    get(actor: Actor, id: string): Promise<ShareRequest> {
      return runner.run(actor, OPERATIONS.getShareRequest, async ({ tx, can }) => viewOne(tx, await visible(tx, actor, id, can)));
    },

    /** The shared file, once, for the one who executed the share. */
    async download(actor: Actor, token: string): Promise<DownloadedFile> {
      const e = await runner.run(actor, OPERATIONS.downloadShareFile, async ({ tx, audit }) => {
        const h = deps.exports.internal.linkHashOf(token);
        const found = h
          ? (
              await tx
                .select({ e: shareExecutions, format: shareRequests.format })
                .from(shareExecutions)
                .innerJoin(shareRequests, eq(shareRequests.id, shareExecutions.shareRequestId))
                .where(eq(shareExecutions.linkHash, h))
                .for('update', { of: shareExecutions })
            )[0]
          : undefined;
        const row = found?.e;
        deps.exports.internal.requireSpendable(
          row && { ownerId: row.executedById, downloadedAt: row.downloadedAt, expiresAt: row.expiresAt },
          actor,
        );
        await tx.update(shareExecutions).set({ downloadedAt: new Date() }).where(eq(shareExecutions.id, row!.id));
        await audit({
          action: 'share.downloaded',
          resourceType: 'share_request',
          resourceId: row!.shareRequestId,
          clauses: ['P6.1'],
          details: { executionId: row!.id, rows: row!.rowCount, fileSha256: row!.fileSha256 },
        });
        return { ...row!, format: found!.format };
      });
      return deps.exports.internal.downloadOf('share', { id: e.id, format: e.format, bytes: e.fileBytes, sha256: e.fileSha256 });
    },
  };
}

export type SharingService = ReturnType<typeof createSharingService>;
