import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import { rawRows, type Tx } from '../../db/client.js';
import { dataCategories, disclosureRequests, disclosureReviews, purposes } from '../../db/schema.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, PolicyViolationError, type FieldProblem } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { parseInput } from '../../validation.js';
import { getPiType, type PiMaskPolicy } from '../../pi-types/index.js';
import { assertNoPlainPi } from '../customers/customers-fns.js';
import type { CustomersService } from '../customers/customers-service.js';
import { applyOperator, resolveHierarchy } from '../deidentify/deidentify-fns.js';
import type { DeidentifyOperator } from '../deidentify/deidentify-types.js';
import type { ProcessingRecordsService } from '../processing-records/processing-records-service.js';
import type { ImpactGate } from '../transfers/transfers-service.js';
import { mayReview } from '../use/use-fns.js';
import { contentHash, DISCLOSURE_CHAIN, operatorProblems, sortRows } from './disclosures-fns.js';
import {
  createDisclosureRequestInput,
  reviewDisclosureRequestInput,
  type CreateDisclosureRequestInput,
  type DisclosureCounts,
  type DisclosureRequest,
  type ReviewDisclosureRequestInput,
} from './disclosures-types.js';

type Row = typeof disclosureRequests.$inferSelect;
type Scope = Row['customerScope'];
const CLAUSES = ['P6.2'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface Population {
  included: string[];
  counts: DisclosureCounts;
}

/**
 * Public disclosure (P6.2, PIPL Art. 25): blocked by default. A request must cite the law or
 * rely on each customer's separate consent to disclosure; it names the minimal fields of a
 * purpose, every one masked; management and then the compliance officer approve it (never their
 * own), each time with a completed impact assessment. At the final approval the masked content is
 * produced and recorded (content and hash) with a processing record; customers without the
 * separate consent are left out and counted.
 */
export function createDisclosuresService(deps: {
  runner: Runner;
  customers: CustomersService;
  processingRecords: ProcessingRecordsService;
  impactGate: ImpactGate;
  maskPolicy: PiMaskPolicy;
}) {
  const { runner } = deps;
  const vault = deps.customers.internal;

  async function load(tx: Tx, id: string, lock = false): Promise<Row> {
    if (!UUID.test(id)) throw new NotFoundError('disclosure request not found');
    const q = tx.select().from(disclosureRequests).where(eq(disclosureRequests.id, id));
    const row = (await (lock ? q.for('update') : q))[0];
    if (!row) throw new NotFoundError('disclosure request not found');
    return row;
  }

  async function view(tx: Tx, r: Row): Promise<DisclosureRequest> {
    const reviews = await tx
      .select()
      .from(disclosureReviews)
      .where(eq(disclosureReviews.requestId, r.id))
      .orderBy(asc(disclosureReviews.id));
    return {
      id: r.id,
      title: r.title,
      purposeCode: r.purposeCode,
      reason: r.reason,
      audience: r.audience,
      basis: { kind: r.basisKind, citation: r.lawCitation, target: r.consentTarget },
      fields: r.fields,
      operators: r.operators,
      customerScope: r.customerScope,
      impactAssessmentId: r.impactAssessmentId,
      requesterId: r.requesterId,
      requesterName: r.requesterName,
      chain: r.chain,
      step: r.step,
      status: r.status,
      preview: r.preview as DisclosureCounts,
      report: (r.report as DisclosureCounts | null) ?? null,
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
      content: r.content ?? null,
      contentHash: r.contentHash,
      processingRecordId: r.processingRecordId,
    };
  }

  /**
   * Who is disclosed: the customers in scope whose data was collected for the purpose (and who
   * still exist); with a consent basis, only those with a standing, unexpired separate consent to
   * disclosure to this target, given to a purpose version the active one still honours.
   */
  async function population(
    tx: Tx,
    r: { purposeCode: string; customerScope: Scope; basisKind: string; consentTarget: string },
  ): Promise<Population> {
    const list = r.customerScope.kind === 'list' ? [...new Set(r.customerScope.ids)] : null;
    const inPurpose = await rawRows<{ id: string }>(
      tx,
      `SELECT cp.customer_id AS id FROM customer_purposes cp JOIN customers c ON c.id = cp.customer_id
        WHERE cp.purpose_code = $1 AND c.status = 'active' ${list ? 'AND cp.customer_id = ANY($2::uuid[])' : ''}
        ORDER BY cp.customer_id`,
      list ? [r.purposeCode, list] : [r.purposeCode],
    );
    const ids = inPurpose.map((x) => x.id);
    const inScope = list ? list.length : ids.length;
    let included = ids;
    if (r.basisKind === 'consent' && ids.length) {
      const category = `disclosure:${r.consentTarget}`;
      const consenting = await rawRows<{ id: string }>(
        tx,
        `SELECT s.customer_id AS id FROM consent_state s
           JOIN purposes p ON p.code = s.purpose_code AND p.status = 'active'
          WHERE s.purpose_code = $1 AND s.category = $2 AND s.status = 'granted' AND s.separate
            AND (s.expires_at IS NULL OR s.expires_at > now()) AND s.purpose_version >= p.consent_baseline
            AND s.customer_id = ANY($3::uuid[])`,
        [r.purposeCode, category, ids],
      );
      const ok = new Set(consenting.map((x) => x.id));
      included = ids.filter((id) => ok.has(id));
    } else if (r.basisKind === 'consent') included = [];
    return {
      included,
      counts: {
        inScope,
        included: included.length,
        excludedNoConsent: ids.length - included.length,
        excludedNotInPurpose: inScope - ids.length,
      },
    };
  }

  /** The masked content of the included customers: every field through its operator. */
  async function maskedContent(tx: Tx, r: Row, ids: readonly string[]) {
    const cats = await tx
      .select({ code: dataCategories.code, piType: dataCategories.piType })
      .from(dataCategories)
      .where(inArray(dataCategories.code, r.fields));
    const typeOf = new Map(cats.map((c) => [c.code, getPiType(c.piType)]));
    const ops = r.operators as unknown as Record<string, DeidentifyOperator>;
    const rows: Array<Record<string, string | null>> = [];
    for (const id of ids) {
      const plain = await vault.plainFields(tx, id, r.fields);
      const row: Record<string, string | null> = {};
      for (const f of r.fields) {
        const op = ops[f] ?? { kind: 'display_mask' };
        if (op.kind === 'keep')
          throw new PolicyViolationError('masking is mandatory', [{ field: `operators.${f}`, reason: 'masking_required' }], CLAUSES);
        const v = applyOperator(op, plain[f] ?? null, {
          ...(typeOf.get(f) ? { piType: typeOf.get(f)! } : {}),
          maskPolicy: deps.maskPolicy,
          ...(op.kind === 'generalise' ? { hierarchy: resolveHierarchy(op.hierarchy), level: op.level ?? 0 } : {}),
        });
        row[f] = v ?? null;
      }
      rows.push(row);
    }
    return { fields: [...r.fields], rows: sortRows(rows) };
  }

  return {
    create(actor: Actor, input: CreateDisclosureRequestInput): Promise<DisclosureRequest> {
      return runner.run(actor, OPERATIONS.createDisclosureRequest, async ({ tx, audit }) => {
        const data = parseInput(createDisclosureRequestInput, input);
        if (!actor.userId) throw new ForbiddenError('only staff can request a disclosure', 'disclosure.request', CLAUSES);
        // Blocked by default: no basis, no disclosure.
        if (!data.basis)
          throw new PolicyViolationError(
            'public disclosure is blocked: cite the law that requires it, or rely on each customer’s separate consent',
            [{ field: 'basis', reason: 'basis_required' }],
            CLAUSES,
          );
        assertNoPlainPi('title', data.title);
        assertNoPlainPi('reason', data.reason);
        assertNoPlainPi('audience', data.audience);
        if (data.basis.kind === 'law') assertNoPlainPi('basis.citation', data.basis.citation);
        const purpose = (
          await tx
            .select()
            .from(purposes)
            .where(and(eq(purposes.code, data.purposeCode), eq(purposes.status, 'active')))
        )[0];
        if (!purpose)
          throw new PolicyViolationError('the purpose is not active', [{ field: 'purposeCode', reason: 'purpose_not_active' }], CLAUSES);
        const fields = [...new Set(data.fields)];
        const problems: FieldProblem[] = fields
          .filter((f) => !purpose.fields.includes(f))
          .map((field) => ({ field, reason: 'not_in_purpose' }));
        const checked = operatorProblems(fields, data.operators);
        problems.push(...checked.problems);
        if (problems.length) throw new PolicyViolationError('the disclosure must be minimal and masked', problems, ['P6.2', 'P5.3']);
        const basis = data.basis;
        const consentTarget = basis.kind === 'consent' ? basis.target : 'public';
        const preview = await population(tx, {
          purposeCode: data.purposeCode,
          customerScope: data.customerScope,
          basisKind: basis.kind,
          consentTarget,
        });
        const [row] = await tx
          .insert(disclosureRequests)
          .values({
            title: data.title,
            purposeCode: data.purposeCode,
            reason: data.reason,
            audience: data.audience,
            basisKind: basis.kind,
            lawCitation: basis.kind === 'law' ? basis.citation : null,
            consentTarget,
            fields,
            operators: checked.operators as unknown as Row['operators'],
            customerScope: data.customerScope,
            impactAssessmentId: data.impactAssessmentId,
            requesterId: actor.userId,
            requesterName: actor.username,
            departmentId: actor.departmentId,
            chain: [...DISCLOSURE_CHAIN],
            preview: preview.counts,
          })
          .returning();
        await audit({
          action: 'disclosure_request.created',
          resourceType: 'disclosure_request',
          resourceId: row!.id,
          purposeId: data.purposeCode,
          details: {
            basis: basis.kind,
            citation: basis.kind === 'law' ? basis.citation : null,
            consentTarget: basis.kind === 'consent' ? consentTarget : null,
            fields,
            operators: Object.fromEntries(Object.entries(checked.operators).map(([f, o]) => [f, o.kind])),
            scope: data.customerScope.kind,
            preview: preview.counts,
            impactAssessmentId: data.impactAssessmentId,
          },
        });
        return view(tx, row!);
      });
    },

    /**
     * One review step. Management approves first, then the compliance officer; nobody reviews
     * their own request or two steps of the same one. The final approval produces and records the
     * masked content and its processing record.
     */
    review(actor: Actor, id: string, input: ReviewDisclosureRequestInput): Promise<DisclosureRequest> {
      return runner.run(actor, OPERATIONS.reviewDisclosureRequest, async ({ tx, audit }) => {
        const data = parseInput(reviewDisclosureRequestInput, input);
        if (data.decision === 'reject' && !data.comment)
          throw new InvalidError('say why', [{ field: 'comment', reason: 'required' }], CLAUSES);
        const r = await load(tx, id, true);
        if (r.status !== 'in_review') throw new ConflictError(`a ${r.status} request is not awaiting review`, CLAUSES);
        if (r.requesterId === actor.userId)
          throw new ForbiddenError('nobody reviews their own disclosure request', 'disclosure.review', CLAUSES);
        const role = r.chain[r.step]!;
        const me = { userId: actor.userId ?? '', roles: actor.roles, departmentId: actor.departmentId };
        if (!mayReview(role, me, { applicantId: r.requesterId, departmentId: r.departmentId ?? '' }, null))
          throw new ForbiddenError(`this step needs the ${role}`, 'disclosure.review', CLAUSES);
        const earlier = await tx
          .select({ id: disclosureReviews.id })
          .from(disclosureReviews)
          .where(and(eq(disclosureReviews.requestId, id), eq(disclosureReviews.reviewerId, actor.userId!)));
        if (earlier.length) throw new ForbiddenError('each step needs a different reviewer', 'disclosure.review', CLAUSES);
        if (data.decision === 'approve') await deps.impactGate(tx, r.impactAssessmentId, 'disclosure');
        await tx.insert(disclosureReviews).values({
          requestId: id,
          step: r.step,
          stepRole: role,
          reviewerId: actor.userId!,
          reviewerName: actor.username,
          decision: data.decision,
          comment: data.comment ?? null,
        });
        const now = new Date();
        if (data.decision === 'reject') {
          const [u] = await tx
            .update(disclosureRequests)
            .set({ status: 'rejected', decidedAt: now })
            .where(eq(disclosureRequests.id, id))
            .returning();
          await audit({
            action: 'disclosure_request.rejected',
            resourceType: 'disclosure_request',
            resourceId: id,
            purposeId: r.purposeCode,
            details: { step: r.step, role, comment: data.comment ?? null },
          });
          return view(tx, u!);
        }
        if (r.step + 1 < r.chain.length) {
          const [u] = await tx
            .update(disclosureRequests)
            .set({ step: r.step + 1 })
            .where(eq(disclosureRequests.id, id))
            .returning();
          await audit({
            action: 'disclosure_request.step_approved',
            resourceType: 'disclosure_request',
            resourceId: id,
            purposeId: r.purposeCode,
            details: { step: r.step, role, comment: data.comment ?? null },
          });
          return view(tx, u!);
        }
        // Final approval: the disclosed content, masked, recorded with its hash.
        const pop = await population(tx, r);
        const content = await maskedContent(tx, r, pop.included);
        const hash = contentHash(content);
        const legalBasis =
          r.basisKind === 'law' ? `law: ${r.lawCitation}` : `separate consent to disclosure (${r.consentTarget}), PIPL Art. 25`;
        const record = await deps.processingRecords.internal.record(tx, {
          kind: 'disclosure',
          subjectType: 'disclosure_request',
          subjectId: id,
          actor,
          purposeCode: r.purposeCode,
          fields: r.fields,
          customerIds: pop.included,
          customerListRef: null,
          recipientName: `public: ${r.audience}`,
          legalBasis,
          fileHash: hash,
          clauses: ['P6.2', 'P1.1'],
          details: { ...pop.counts, operators: Object.fromEntries(Object.entries(r.operators).map(([f, o]) => [f, o.kind])) },
        });
        const [u] = await tx
          .update(disclosureRequests)
          .set({
            status: 'disclosed',
            step: r.step + 1,
            decidedAt: now,
            content,
            contentHash: hash,
            report: pop.counts,
            processingRecordId: record.id,
          })
          .where(eq(disclosureRequests.id, id))
          .returning();
        await audit({
          action: 'disclosure_request.approved',
          resourceType: 'disclosure_request',
          resourceId: id,
          purposeId: r.purposeCode,
          details: { step: r.step, role, comment: data.comment ?? null },
        });
        await audit({
          action: 'disclosure.recorded',
          resourceType: 'disclosure_request',
          resourceId: id,
          purposeId: r.purposeCode,
          details: { ...pop.counts, fields: r.fields, contentHash: hash, processingRecordId: record.id, basis: r.basisKind },
        });
        await audit({
          action: 'processing_record.created',
          resourceType: 'processing_record',
          resourceId: record.id,
          details: { kind: 'disclosure', subjectId: id, customers: record.customerCount, fileHash: hash },
        });
        return view(tx, u!);
      });
    },

    /** Requests the caller made or may review now; all of them with disclosure.review or processing.read. */
    list(actor: Actor): Promise<DisclosureRequest[]> {
      return runner.run(actor, OPERATIONS.listDisclosureRequests, async ({ tx, can }) => {
        const all = can('disclosure.review') || can('processing.read');
        const rows = await tx
          .select()
          .from(disclosureRequests)
          .where(all ? undefined : eq(disclosureRequests.requesterId, actor.userId ?? '00000000-0000-0000-0000-000000000000'))
          .orderBy(desc(disclosureRequests.createdAt))
          .limit(500);
        const out: DisclosureRequest[] = [];
        for (const r of rows) out.push(await view(tx, r));
        return out;
      });
    },

    get(actor: Actor, id: string): Promise<DisclosureRequest> {
      return runner.run(actor, OPERATIONS.getDisclosureRequest, async ({ tx, can }) => {
        const r = await load(tx, id);
        if (!(can('disclosure.review') || can('processing.read') || r.requesterId === actor.userId))
          throw new NotFoundError('disclosure request not found', { resourceType: 'disclosure_request', resourceId: id });
        return view(tx, r);
      });
    },
  };
}

export type DisclosuresService = ReturnType<typeof createDisclosuresService>;
