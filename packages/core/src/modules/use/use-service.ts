import { and, asc, count, desc, eq, gt, inArray, lte, or } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import type { Tx } from '../../db/client.js';
import {
  approvalChains,
  approvalDelegations,
  customerSegments,
  customers,
  dataCategories,
  departments,
  grantAccesses,
  grants,
  purposes,
  useApplicationReviews,
  useApplications,
  users,
} from '../../db/schema.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, PolicyViolationError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { parseInput, pgCode } from '../../validation.js';
import type { Notifier } from '../notifier/notifier-service.js';
import { approvalChain, chainProblem, grantRefusal, mayReview, reviewOutcome, type GrantRefusal } from './use-fns.js';
import {
  createUseApplicationInput,
  delegationInput,
  revokeGrantInput,
  reviewUseApplicationInput,
  setApprovalChainInput,
  createSegmentInput,
  type ApprovalChain,
  type CreateSegmentInput,
  type CustomerScope,
  type Segment,
  type CreateUseApplicationInput,
  type SetApprovalChainInput,
  type DelegationInput,
  type Grant,
  type GrantAccess,
  type ReviewUseApplicationInput,
  type UseApplication,
  type UseMethod,
} from './use-types.js';

type AppRow = typeof useApplications.$inferSelect;
type GrantRow = typeof grants.$inferSelect;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Approved internal use (P5.1, P5.2): a member of staff applies to use customer PI for a purpose
 * (fields, customers, method, period, justification); the application goes through its review
 * chain (department head, management approver, and the compliance officer for sensitive fields);
 * approval creates a grant with that scope and expiry; every access under a grant is recorded.
 */
export function createUseService(deps: { runner: Runner; notifier?: Notifier }) {
  const { runner } = deps;

  async function loadApp(tx: Tx, id: string, lock = false): Promise<AppRow> {
    const q = tx.select().from(useApplications).where(eq(useApplications.id, id));
    const row = (await (lock ? q.for('update') : q))[0];
    if (!row) throw new NotFoundError('use application not found');
    return row;
  }

  /** Applications with their reviews and grants: two queries for any number of applications. */
  async function views(tx: Tx, rows: readonly AppRow[]): Promise<UseApplication[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const reviews = await tx
      .select()
      .from(useApplicationReviews)
      .where(inArray(useApplicationReviews.applicationId, ids))
      .orderBy(asc(useApplicationReviews.id));
    const grantOf = new Map(
      (await tx.select({ id: grants.id, app: grants.applicationId }).from(grants).where(inArray(grants.applicationId, ids))).map((g) => [
        g.app,
        g.id,
      ]),
    );
    return rows.map((r) =>
      appView(
        r,
        reviews.filter((v) => v.applicationId === r.id),
        grantOf.get(r.id) ?? null,
      ),
    );
  }

  const view = async (tx: Tx, r: AppRow) => (await views(tx, [r]))[0]!;

  function appView(r: AppRow, reviews: ReadonlyArray<typeof useApplicationReviews.$inferSelect>, grantId: string | null): UseApplication {
    return {
      id: r.id,
      applicantId: r.applicantId,
      applicantName: r.applicantName,
      departmentId: r.departmentId,
      purposeCode: r.purposeCode,
      scenario: r.scenario,
      fields: r.fields,
      customerScope: r.customerScope,
      method: r.method,
      validFrom: r.validFrom.toISOString(),
      validUntil: r.validUntil.toISOString(),
      justification: r.justification,
      sensitive: r.sensitive,
      chain: r.chain,
      step: r.step,
      status: r.status,
      createdAt: r.createdAt.toISOString(),
      submittedAt: iso(r.submittedAt),
      decidedAt: iso(r.decidedAt),
      reviews: reviews.map((v) => ({
        step: v.step,
        stepRole: v.stepRole,
        reviewerName: v.reviewerName,
        onBehalfOf: v.onBehalfOf,
        decision: v.decision,
        comment: v.comment,
        decidedAt: v.decidedAt.toISOString(),
      })),
      grantId,
    };
  }

  function grantView(g: GrantRow, accesses: number, now = Date.now()): Grant {
    const status = g.status === 'revoked' ? 'revoked' : g.validUntil.getTime() <= now ? 'expired' : 'active';
    return {
      id: g.id,
      applicationId: g.applicationId,
      departmentId: g.departmentId,
      holderId: g.holderId,
      purposeCode: g.purposeCode,
      fields: g.fields,
      customerScope: g.customerScope,
      method: g.method,
      validFrom: g.validFrom.toISOString(),
      validUntil: g.validUntil.toISOString(),
      status,
      revokedAt: iso(g.revokedAt),
      revokedBy: g.revokedBy,
      revokeReason: g.revokeReason,
      accesses,
    };
  }

  /**
   * Tell the people who may review the current step, by name (P5.2): the department's head (or
   * its department heads), or the holders of the step's role; by e-mail where the notifier has
   * it and they have an address, else through the log transport.
   */
  async function announceStep(tx: Tx, app: AppRow): Promise<void> {
    const notifier = deps.notifier;
    if (!notifier || app.status !== 'in_review') return;
    const role = app.chain[app.step]!;
    const head =
      (await tx.select({ h: departments.headUserId }).from(departments).where(eq(departments.id, app.departmentId)))[0]?.h ?? null;
    const candidates = await tx
      .select({ id: users.id, username: users.username, roles: users.roles, departmentId: users.departmentId, email: users.email })
      .from(users)
      .where(eq(users.status, 'active'));
    const reviewers = candidates.filter((u) => mayReview(role, { userId: u.id, roles: u.roles, departmentId: u.departmentId }, app, head));
    const subject = `使用申请待审批 / Use application awaiting review (${app.purposeCode})`;
    const text = `Application ${app.id} by ${app.applicantName} for purpose ${app.purposeCode} awaits your review (${role} step).`;
    for (const u of reviewers.slice(0, 50)) {
      const byEmail = u.email !== null && notifier.hasTransport('email');
      await notifier.enqueue(tx, {
        topic: 'use.review_requested',
        transport: byEmail ? 'email' : 'log',
        recipient: byEmail ? { kind: 'staff', userId: u.id } : { kind: 'log', label: `user:${u.username}` },
        subject,
        text,
      });
    }
    if (!reviewers.length)
      await notifier.enqueue(tx, {
        topic: 'use.review_requested',
        transport: 'log',
        recipient: { kind: 'log', label: `role:${role} (nobody holds it)` },
        subject,
        text,
      });
  }

  /** A reviewer acts for a delegator when a delegation to them is in force now. */
  async function delegatorsOf(tx: Tx, reviewerId: string): Promise<string[]> {
    const now = new Date();
    const rows = await tx
      .select({ id: approvalDelegations.delegatorId })
      .from(approvalDelegations)
      .where(
        and(
          eq(approvalDelegations.delegateId, reviewerId),
          lte(approvalDelegations.validFrom, now),
          gt(approvalDelegations.validUntil, now),
        ),
      );
    return rows.map((r) => r.id);
  }

  function segmentView(r: typeof customerSegments.$inferSelect): Segment {
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      departmentId: r.departmentId,
      createdBy: r.createdBy,
      size: r.customerIds.length,
      createdAt: r.createdAt.toISOString(),
    };
  }

  /** P5.2: the chain configured for the purpose and sensitivity, else the deployment's, else the default. */
  async function chainFor(tx: Tx, purposeCode: string, sensitive: boolean): Promise<string[]> {
    const rows = await tx
      .select()
      .from(approvalChains)
      .where(and(inArray(approvalChains.purposeCode, [purposeCode, '*']), eq(approvalChains.sensitive, sensitive)));
    const own = rows.find((r) => r.purposeCode === purposeCode) ?? rows.find((r) => r.purposeCode === '*');
    return own ? own.steps : approvalChain(sensitive);
  }

  return {
    create(actor: Actor, input: CreateUseApplicationInput): Promise<UseApplication> {
      return runner.run(actor, OPERATIONS.createUseApplication, async ({ tx, audit }) => {
        const data = parseInput(createUseApplicationInput, input);
        if (!actor.userId || !actor.departmentId) throw new ForbiddenError('only staff in a department can apply', 'use.apply', ['P5.2']);
        const purpose = (
          await tx
            .select()
            .from(purposes)
            .where(and(eq(purposes.code, data.purposeCode), eq(purposes.status, 'active')))
        )[0];
        if (!purpose)
          throw new PolicyViolationError('the purpose is not active', [{ field: 'purposeCode', reason: 'purpose_not_active' }], ['P5.1']);
        const outside = data.fields.filter((f) => !purpose.fields.includes(f));
        if (outside.length)
          throw new PolicyViolationError(
            'fields outside the purpose',
            outside.map((field) => ({ field, reason: 'not_in_purpose' })),
            ['P5.1', 'P3.2'],
          );
        const cats = await tx
          .select({ code: dataCategories.code, s: dataCategories.sensitivity })
          .from(dataCategories)
          .where(inArray(dataCategories.code, data.fields));
        const sensitive = cats.some((c) => c.s === 'sensitive');
        // A saved segment is kept as its list of customers now: a later segment cannot widen the grant.
        let scope: CustomerScope;
        if (data.customerScope.kind === 'segment') {
          const seg = (await tx.select().from(customerSegments).where(eq(customerSegments.id, data.customerScope.segmentId)))[0];
          if (!seg || seg.departmentId !== actor.departmentId)
            throw new InvalidError(
              'no such segment in your department',
              [{ field: 'customerScope.segmentId', reason: 'unknown_segment' }],
              ['P5.2'],
            );
          scope = { kind: 'list', ids: seg.customerIds, segment: { id: seg.id, name: seg.name } };
        } else scope = data.customerScope;
        const [row] = await tx
          .insert(useApplications)
          .values({
            applicantId: actor.userId,
            applicantName: actor.username,
            departmentId: actor.departmentId,
            purposeCode: data.purposeCode,
            scenario: data.scenario,
            fields: data.fields,
            customerScope: scope,
            method: data.method,
            validFrom: new Date(data.validFrom),
            validUntil: new Date(data.validUntil),
            justification: data.justification,
            sensitive,
            chain: await chainFor(tx, data.purposeCode, sensitive),
            status: 'draft',
          })
          .returning();
        await audit({
          action: 'use_application.created',
          resourceType: 'use_application',
          resourceId: row!.id,
          purposeId: data.purposeCode,
          details: {
            fields: data.fields,
            method: data.method,
            scope: data.customerScope.kind,
            ...(scope.kind === 'list' ? { scopeSize: scope.ids.length, segmentId: scope.segment?.id ?? null } : {}),
            sensitive,
            chain: row!.chain,
          },
        });
        return view(tx, row!);
      });
    },

    submit(actor: Actor, id: string): Promise<UseApplication> {
      return runner.run(actor, OPERATIONS.submitUseApplication, async ({ tx, audit }) => {
        const app = await loadApp(tx, id, true);
        if (app.applicantId !== actor.userId)
          throw new NotFoundError('use application not found', { resourceType: 'use_application', resourceId: id });
        if (app.status !== 'draft' && app.status !== 'returned')
          throw new ConflictError(`a ${app.status} application cannot be submitted`, ['P5.2']);
        const [u] = await tx
          .update(useApplications)
          .set({ status: 'in_review', step: 0, submittedAt: new Date() })
          .where(eq(useApplications.id, id))
          .returning();
        await announceStep(tx, u!);
        await audit({
          action: 'use_application.submitted',
          resourceType: 'use_application',
          resourceId: id,
          purposeId: app.purposeCode,
          details: { step: app.chain[0] },
        });
        return view(tx, u!);
      });
    },

    /** One review step: approve (next step, or the grant at the last), reject, or return for changes. */
    review(actor: Actor, id: string, input: ReviewUseApplicationInput): Promise<UseApplication> {
      return runner.run(actor, OPERATIONS.reviewUseApplication, async ({ tx, audit }) => {
        const data = parseInput(reviewUseApplicationInput, input);
        if (data.decision !== 'approve' && !data.comment)
          throw new InvalidError('say why', [{ field: 'comment', reason: 'required' }], ['P5.2']);
        const app = await loadApp(tx, id, true);
        if (app.status !== 'in_review') throw new ConflictError(`a ${app.status} application is not awaiting review`, ['P5.2']);
        if (app.applicantId === actor.userId) throw new ForbiddenError('nobody reviews their own application', 'use.review', ['P5.2']);
        const role = app.chain[app.step]!;
        const head =
          (await tx.select({ h: departments.headUserId }).from(departments).where(eq(departments.id, app.departmentId)))[0]?.h ?? null;
        const me = { userId: actor.userId!, roles: actor.roles, departmentId: actor.departmentId };
        let onBehalfOf: string | null = null;
        if (!mayReview(role, me, app, head)) {
          // Delegation: act for someone who may review this step and delegated to the caller.
          const from = await delegatorsOf(tx, actor.userId!);
          const candidates = from.length
            ? await tx
                .select()
                .from(users)
                .where(and(inArray(users.id, from), eq(users.status, 'active')))
            : [];
          const d = candidates.find((u) => mayReview(role, { userId: u.id, roles: u.roles, departmentId: u.departmentId }, app, head));
          if (!d) throw new ForbiddenError(`this step needs the ${role}`, 'use.review', ['P5.2']);
          onBehalfOf = d.id;
        }
        await tx.insert(useApplicationReviews).values({
          applicationId: id,
          step: app.step,
          stepRole: role,
          reviewerId: actor.userId!,
          reviewerName: actor.username,
          onBehalfOf,
          decision: data.decision,
          comment: data.comment ?? null,
        });
        const now = new Date();
        const outcome = reviewOutcome(data.decision, app.step, app.chain.length);
        const next: Partial<AppRow> =
          outcome === 'step_approved'
            ? { step: app.step + 1 }
            : outcome === 'returned'
              ? { status: 'returned' }
              : { status: outcome, decidedAt: now };
        const [u] = await tx.update(useApplications).set(next).where(eq(useApplications.id, id)).returning();
        let grantId: string | null = null;
        if (u!.status === 'approved') {
          const [g] = await tx
            .insert(grants)
            .values({
              applicationId: id,
              departmentId: app.departmentId,
              holderId: app.applicantId,
              purposeCode: app.purposeCode,
              fields: app.fields,
              customerScope: app.customerScope,
              method: app.method,
              validFrom: app.validFrom,
              validUntil: app.validUntil,
            })
            .returning({ id: grants.id });
          grantId = g!.id;
        } else await announceStep(tx, u!);
        await audit({
          action: `use_application.${outcome}`,
          resourceType: 'use_application',
          resourceId: id,
          purposeId: app.purposeCode,
          details: { step: app.step, role, onBehalfOf, comment: data.comment ?? null, grantId },
        });
        return view(tx, u!);
      });
    },

    /** The caller's own applications and those awaiting a step they may review; everything with use.read. */
    list(actor: Actor): Promise<UseApplication[]> {
      return runner.run(actor, OPERATIONS.listUseApplications, async ({ tx, can }) => {
        const rows = await tx.select().from(useApplications).orderBy(desc(useApplications.createdAt)).limit(500);
        const me = { userId: actor.userId ?? '', roles: actor.roles, departmentId: actor.departmentId };
        const heads = new Map(
          (await tx.select({ id: departments.id, h: departments.headUserId }).from(departments)).map((d) => [d.id, d.h]),
        );
        // Those who delegated their reviews to the caller (in force now): their steps await the caller too.
        const from = actor.userId ? await delegatorsOf(tx, actor.userId) : [];
        const delegators = from.length
          ? (
              await tx
                .select()
                .from(users)
                .where(and(inArray(users.id, from), eq(users.status, 'active')))
            ).map((u) => ({ userId: u.id, roles: u.roles, departmentId: u.departmentId }))
          : [];
        const shown: AppRow[] = [];
        const awaiting: boolean[] = [];
        for (const r of rows) {
          const mine = r.applicantId === actor.userId;
          const head = heads.get(r.departmentId) ?? null;
          const role = r.chain[r.step]!;
          const toReview = r.status === 'in_review' && !mine && [me, ...delegators].some((who) => mayReview(role, who, r, head));
          if (mine || toReview || can('use.read')) {
            shown.push(r);
            awaiting.push(toReview);
          }
        }
        return (await views(tx, shown)).map((a, i) => ({ ...a, awaitingMyReview: awaiting[i]! }));
      });
    },

    listGrants(actor: Actor): Promise<Grant[]> {
      return runner.run(actor, OPERATIONS.listGrants, async ({ tx, can }) => {
        const rows = await tx
          .select()
          .from(grants)
          .where(
            can('use.read')
              ? undefined
              : or(
                  eq(grants.holderId, actor.userId ?? '00000000-0000-0000-0000-000000000000'),
                  eq(grants.departmentId, actor.departmentId ?? '00000000-0000-0000-0000-000000000000'),
                ),
          )
          .orderBy(desc(grants.createdAt));
        const counts = rows.length
          ? await tx
              .select({ g: grantAccesses.grantId, n: count() })
              .from(grantAccesses)
              .where(
                inArray(
                  grantAccesses.grantId,
                  rows.map((r) => r.id),
                ),
              )
              .groupBy(grantAccesses.grantId)
          : [];
        const byId = new Map(counts.map((c) => [c.g, Number(c.n)]));
        return rows.map((g) => grantView(g, byId.get(g.id) ?? 0));
      });
    },

    /**
     * The access log of a grant (P5.2): for holders of use.read, the grant's holder and members of
     * its department; to anyone else the grant does not exist.
     */
    listGrantAccesses(actor: Actor, id: string, opts: { limit?: number } = {}): Promise<GrantAccess[]> {
      return runner.run(actor, OPERATIONS.listGrantAccesses, async ({ tx, can }) => {
        const g = (await tx.select().from(grants).where(eq(grants.id, id)))[0];
        if (!g) throw new NotFoundError('grant not found');
        const visible =
          can('use.read') || g.holderId === actor.userId || (actor.departmentId !== null && g.departmentId === actor.departmentId);
        if (!visible) throw new NotFoundError('grant not found', { resourceType: 'grant', resourceId: id, permission: 'use.read' });
        const limit = Math.min(Math.max(opts.limit ?? 1000, 1), 10_000);
        const rows = await tx
          .select()
          .from(grantAccesses)
          .where(eq(grantAccesses.grantId, id))
          .orderBy(desc(grantAccesses.id))
          .limit(limit);
        return rows.map((r) => ({
          id: r.id,
          actorId: r.actorId,
          actorName: r.actorName,
          customerId: r.customerId,
          fields: r.fields,
          operation: r.operation,
          accessedAt: r.accessedAt.toISOString(),
        }));
      });
    },

    revokeGrant(actor: Actor, id: string, input: { reason: string }): Promise<Grant> {
      return runner.run(actor, OPERATIONS.revokeGrant, async ({ tx, audit }) => {
        const data = parseInput(revokeGrantInput, input);
        const g = (await tx.select().from(grants).where(eq(grants.id, id)).for('update'))[0];
        if (!g) throw new NotFoundError('grant not found');
        if (g.status === 'revoked') throw new ConflictError('the grant is already revoked', ['P5.2']);
        const [u] = await tx
          .update(grants)
          .set({ status: 'revoked', revokedAt: new Date(), revokedBy: actor.username, revokeReason: data.reason })
          .where(eq(grants.id, id))
          .returning();
        await audit({
          action: 'grant.revoked',
          resourceType: 'grant',
          resourceId: id,
          purposeId: g.purposeCode,
          details: { reason: data.reason },
        });
        return grantView(u!, 0);
      });
    },

    delegate(actor: Actor, input: DelegationInput): Promise<{ id: string }> {
      return runner.run(actor, OPERATIONS.createApprovalDelegation, async ({ tx, audit }) => {
        const data = parseInput(delegationInput, input);
        const field = data.delegateId ? 'delegateId' : 'delegateUsername';
        const to = (
          await tx
            .select()
            .from(users)
            .where(data.delegateId ? eq(users.id, data.delegateId) : eq(users.username, data.delegateUsername!))
        )[0];
        if (!to || to.status !== 'active') throw new InvalidError('the delegate must be an active user', [{ field, reason: 'not_found' }]);
        if (to.id === actor.userId) throw new InvalidError('delegate to someone else', [{ field, reason: 'self' }]);
        const [d] = await tx
          .insert(approvalDelegations)
          .values({
            delegatorId: actor.userId!,
            delegateId: to.id,
            validFrom: new Date(data.validFrom),
            validUntil: new Date(data.validUntil),
            reason: data.reason,
          })
          .returning({ id: approvalDelegations.id });
        await audit({
          action: 'approval.delegated',
          resourceType: 'user',
          resourceId: to.id,
          details: { delegationId: d!.id, validFrom: data.validFrom, validUntil: data.validUntil, reason: data.reason },
        });
        return { id: d!.id };
      });
    },

    /** P5.2: save a named list of customers for the department to use as an application's scope. */
    createSegment(actor: Actor, input: CreateSegmentInput): Promise<Segment> {
      return runner.run(actor, OPERATIONS.createCustomerSegment, async ({ tx, audit }) => {
        const data = parseInput(createSegmentInput, input);
        if (!actor.departmentId) throw new ForbiddenError('only staff in a department can save segments', 'use.apply', ['P5.2']);
        const ids = [...new Set(data.customerIds)];
        const known = await tx.select({ id: customers.id }).from(customers).where(inArray(customers.id, ids));
        const unknown = ids.filter((id) => !known.some((k) => k.id === id));
        if (unknown.length)
          throw new InvalidError(
            `${unknown.length} of the ids are not customers`,
            [{ field: 'customerIds', reason: 'unknown_customer' }],
            ['P5.2'],
          );
        const [row] = await tx
          .insert(customerSegments)
          .values({
            name: data.name,
            description: data.description ?? null,
            departmentId: actor.departmentId,
            createdById: actor.userId,
            createdBy: actor.username,
            customerIds: ids,
          })
          .returning()
          .catch((e: unknown) => {
            throw pgCode(e) === '23505' ? new ConflictError('your department already has a segment with this name', ['P5.2']) : e;
          });
        await audit({
          action: 'segment.created',
          resourceType: 'customer_segment',
          resourceId: row!.id,
          details: { name: data.name, size: ids.length },
        });
        return segmentView(row!);
      });
    },

    /** The department's segments (all of them with use.read). */
    listSegments(actor: Actor): Promise<Segment[]> {
      return runner.run(actor, OPERATIONS.listCustomerSegments, async ({ tx, can }) =>
        (
          await tx
            .select()
            .from(customerSegments)
            .where(
              can('use.read') ? undefined : eq(customerSegments.departmentId, actor.departmentId ?? '00000000-0000-0000-0000-000000000000'),
            )
            .orderBy(desc(customerSegments.createdAt))
        ).map(segmentView),
      );
    },

    /** P5.2: configure the review chain for a purpose (or '*': every purpose) and sensitivity. */
    setApprovalChain(actor: Actor, input: SetApprovalChainInput): Promise<ApprovalChain> {
      return runner.run(actor, OPERATIONS.setApprovalChain, async ({ tx, audit }) => {
        const data = parseInput(setApprovalChainInput, input);
        const problem = chainProblem(data.steps, data.sensitive);
        if (problem) throw new PolicyViolationError('the chain does not meet the policy', [{ field: 'steps', reason: problem }], ['P5.2']);
        if (data.purposeCode !== '*') {
          const known = await tx.select({ c: purposes.code }).from(purposes).where(eq(purposes.code, data.purposeCode)).limit(1);
          if (!known.length) throw new InvalidError('no such purpose', [{ field: 'purposeCode', reason: 'unknown_purpose' }], ['P5.2']);
        }
        const before = (
          await tx
            .select()
            .from(approvalChains)
            .where(and(eq(approvalChains.purposeCode, data.purposeCode), eq(approvalChains.sensitive, data.sensitive)))
        )[0];
        const [row] = await tx
          .insert(approvalChains)
          .values({ purposeCode: data.purposeCode, sensitive: data.sensitive, steps: data.steps, updatedBy: actor.username })
          .onConflictDoUpdate({
            target: [approvalChains.purposeCode, approvalChains.sensitive],
            set: { steps: data.steps, updatedBy: actor.username, updatedAt: new Date() },
          })
          .returning();
        await audit({
          action: 'approval_chain.set',
          resourceType: 'approval_chain',
          resourceId: `${data.purposeCode}:${data.sensitive ? 'sensitive' : 'general'}`,
          details: { before: before?.steps ?? null, after: data.steps },
        });
        return { ...row!, updatedAt: row!.updatedAt.toISOString() };
      });
    },

    listApprovalChains(actor: Actor): Promise<ApprovalChain[]> {
      return runner.run(actor, OPERATIONS.listApprovalChains, async ({ tx }) =>
        (await tx.select().from(approvalChains).orderBy(asc(approvalChains.purposeCode), asc(approvalChains.sensitive))).map((r) => ({
          ...r,
          updatedAt: r.updatedAt.toISOString(),
        })),
      );
    },

    /**
     * Inside another operation: the caller's live grant covering this access, recorded against it
     * (P5.2 access log); a refusal names why. Grants are held by the applicant's department.
     */
    async useGrant(
      tx: Tx,
      actor: Actor,
      access: { purposeCode: string; fields: readonly string[]; customerId: string | null; method: UseMethod; operation: string },
    ): Promise<{ grantId: string } | { refusal: GrantRefusal | 'no_grant' }> {
      if (!actor.departmentId) return { refusal: 'no_grant' };
      const rows = await tx
        .select()
        .from(grants)
        .where(and(eq(grants.departmentId, actor.departmentId), eq(grants.purposeCode, access.purposeCode)))
        .orderBy(desc(grants.validUntil));
      let refusal: GrantRefusal | 'no_grant' = 'no_grant';
      for (const g of rows) {
        const why = grantRefusal(g, access, Date.now());
        if (why === null) {
          await tx.insert(grantAccesses).values({
            grantId: g.id,
            actorId: actor.userId,
            actorName: actor.username,
            customerId: access.customerId,
            fields: [...access.fields],
            operation: access.operation,
          });
          return { grantId: g.id };
        }
        refusal = why;
      }
      return { refusal };
    },

    /** Accesses made under a grant (for the console's grant view). */
    accesses(tx: Tx, grantId: string) {
      return tx.select().from(grantAccesses).where(eq(grantAccesses.grantId, grantId)).orderBy(asc(grantAccesses.id));
    },
  };
}

export type UseService = ReturnType<typeof createUseService>;
