import type { Actor } from '../../context.js';
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { dataCategories, departments, purposes } from '../../db/schema.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { parseInput } from '../../validation.js';
import type { PolicyCache } from '../consent/consent-cache.js';
import { consentBaselineFor, purposeFieldProblems } from './purposes-fns.js';
import {
  createPurposeInput,
  listPurposesInput,
  rejectInput,
  reviewInput,
  type CreatePurposeInput,
  type Purpose,
  type PurposeStatus,
} from './purposes-types.js';

type Row = typeof purposes.$inferSelect;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toPurpose(r: Row): Purpose {
  return {
    id: r.id,
    code: r.code,
    version: r.version,
    status: r.status,
    name: r.name,
    description: r.description,
    businessLine: r.businessLine,
    ownerDepartmentId: r.ownerDepartmentId,
    legalBasis: r.legalBasis as Purpose['legalBasis'],
    fields: r.fields,
    necessity: r.necessity,
    scenarios: r.scenarios,
    retention: { days: r.retentionDays, trigger: r.retentionTrigger as Purpose['retention']['trigger'] },
    consentBaseline: r.consentBaseline,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    submittedBy: r.submittedBy,
    submittedAt: iso(r.submittedAt),
    approvedBy: r.approvedBy,
    approvedAt: iso(r.approvedAt),
    activatedAt: iso(r.activatedAt),
    retiredAt: iso(r.retiredAt),
    reviewComment: r.reviewComment,
  };
}

/**
 * Purposes (P3.1, P2.1, P3.2): the written reason for a collection, its field set, legal basis
 * and retention. Lifecycle draft -> submitted -> approved (compliance officer, not the author)
 * -> active -> retired; only an active version accepts collection. A new version of an active
 * purpose is a new draft; activating it retires the old one.
 */
export function createPurposesService(deps: { runner: Runner; policy: PolicyCache }) {
  const { runner, policy } = deps;

  async function load(tx: Tx, id: string, lock = true): Promise<Row> {
    const q = tx.select().from(purposes).where(eq(purposes.id, id));
    const row = (await (lock ? q.for('update') : q))[0];
    if (!row) throw new NotFoundError('purpose not found');
    return row;
  }

  function expect(row: Row, status: PurposeStatus, action: string): void {
    if (row.status !== status) throw new ConflictError(`only a ${status} purpose can be ${action} (this one is ${row.status})`, ['P3.1']);
  }

  return {
    create(actor: Actor, input: CreatePurposeInput): Promise<Purpose> {
      return runner.run(actor, OPERATIONS.createPurpose, async ({ tx, audit }) => {
        const data = parseInput(createPurposeInput, input);
        const cats = await tx
          .select({ code: dataCategories.code, sensitivity: dataCategories.sensitivity })
          .from(dataCategories)
          .where(inArray(dataCategories.code, data.fields));
        const sens = new Map(cats.map((c) => [c.code, c.sensitivity]));
        const problems = purposeFieldProblems(data.fields, data.necessity, (c) => sens.get(c));
        if (problems.length) throw new InvalidError('the purpose is not complete', problems, ['P3.2', 'P2.1']);
        const dept = await tx.select({ id: departments.id }).from(departments).where(eq(departments.id, data.ownerDepartmentId));
        if (!dept.length)
          throw new InvalidError('the owning department does not exist', [{ field: 'ownerDepartmentId', reason: 'not_found' }]);
        const versions = await tx.select().from(purposes).where(eq(purposes.code, data.code)).orderBy(desc(purposes.version)).for('update');
        if (versions.some((v) => v.status === 'draft' || v.status === 'submitted' || v.status === 'approved'))
          throw new ConflictError('this purpose already has a version in preparation; finish or reject it first', ['P3.1']);
        const prev = versions.find((v) => v.status === 'active') ?? versions[0] ?? null;
        const version = (versions[0]?.version ?? 0) + 1;
        const baseline = consentBaselineFor(prev, { ...data, version });
        const row = (
          await tx
            .insert(purposes)
            .values({
              code: data.code,
              version,
              status: 'draft',
              name: data.name,
              description: data.description,
              businessLine: data.businessLine,
              ownerDepartmentId: data.ownerDepartmentId,
              legalBasis: data.legalBasis,
              fields: data.fields,
              necessity: data.necessity,
              scenarios: data.scenarios,
              retentionDays: data.retention.days,
              retentionTrigger: data.retention.trigger,
              consentBaseline: baseline,
              createdBy: actor.username,
            })
            .returning()
        )[0]!;
        const widened = prev ? data.fields.filter((f) => !prev.fields.includes(f)) : [];
        await audit({
          action: 'purpose.created',
          resourceType: 'purpose',
          resourceId: row.id,
          details: {
            code: row.code,
            version,
            legalBasis: row.legalBasis,
            fields: row.fields,
            consentBaseline: baseline,
            widenedFields: widened,
          },
        });
        return toPurpose(row);
      });
    },

    submit(actor: Actor, id: string): Promise<Purpose> {
      return runner.run(actor, OPERATIONS.submitPurpose, async ({ tx, audit }) => {
        const row = await load(tx, id);
        expect(row, 'draft', 'submitted');
        const [u] = await tx
          .update(purposes)
          .set({ status: 'submitted', submittedBy: actor.username, submittedAt: new Date(), reviewComment: null })
          .where(eq(purposes.id, id))
          .returning();
        await audit({
          action: 'purpose.submitted',
          resourceType: 'purpose',
          resourceId: id,
          details: { code: row.code, version: row.version },
        });
        return toPurpose(u!);
      });
    },

    approve(actor: Actor, id: string, input: { comment?: string } = {}): Promise<Purpose> {
      return runner.run(actor, OPERATIONS.approvePurpose, async ({ tx, audit }) => {
        const data = parseInput(reviewInput, input);
        const row = await load(tx, id);
        expect(row, 'submitted', 'approved');
        // Four eyes: whoever wrote or submitted the purpose does not approve it.
        if (actor.type !== 'system' && (row.createdBy === actor.username || row.submittedBy === actor.username))
          throw new ForbiddenError('you cannot approve a purpose you wrote or submitted', 'purpose.approve', ['P3.1']);
        const [u] = await tx
          .update(purposes)
          .set({ status: 'approved', approvedBy: actor.username, approvedAt: new Date(), reviewComment: data.comment ?? null })
          .where(eq(purposes.id, id))
          .returning();
        await audit({
          action: 'purpose.approved',
          resourceType: 'purpose',
          resourceId: id,
          details: { code: row.code, version: row.version },
        });
        return toPurpose(u!);
      });
    },

    reject(actor: Actor, id: string, input: { comment: string }): Promise<Purpose> {
      return runner.run(actor, OPERATIONS.rejectPurpose, async ({ tx, audit }) => {
        const data = parseInput(rejectInput, input);
        const row = await load(tx, id);
        expect(row, 'submitted', 'rejected');
        const [u] = await tx.update(purposes).set({ status: 'draft', reviewComment: data.comment }).where(eq(purposes.id, id)).returning();
        await audit({
          action: 'purpose.returned',
          resourceType: 'purpose',
          resourceId: id,
          details: { code: row.code, version: row.version, comment: data.comment },
        });
        return toPurpose(u!);
      });
    },

    activate(actor: Actor, id: string): Promise<Purpose> {
      const result = runner.run(actor, OPERATIONS.activatePurpose, async ({ tx, audit }) => {
        const row = await load(tx, id);
        expect(row, 'approved', 'activated');
        const now = new Date();
        const retired = await tx
          .update(purposes)
          .set({ status: 'retired', retiredAt: now })
          .where(and(eq(purposes.code, row.code), eq(purposes.status, 'active')))
          .returning({ id: purposes.id, version: purposes.version });
        const [u] = await tx.update(purposes).set({ status: 'active', activatedAt: now }).where(eq(purposes.id, id)).returning();
        policy.invalidatePurposes();
        await audit({
          action: 'purpose.activated',
          resourceType: 'purpose',
          resourceId: id,
          details: {
            code: row.code,
            version: row.version,
            retiredVersions: retired.map((r) => r.version),
            consentBaseline: row.consentBaseline,
          },
        });
        return toPurpose(u!);
      });
      return result.finally(() => policy.invalidatePurposes());
    },

    retire(actor: Actor, id: string): Promise<Purpose> {
      const result = runner.run(actor, OPERATIONS.retirePurpose, async ({ tx, audit }) => {
        const row = await load(tx, id);
        expect(row, 'active', 'retired');
        const [u] = await tx.update(purposes).set({ status: 'retired', retiredAt: new Date() }).where(eq(purposes.id, id)).returning();
        policy.invalidatePurposes();
        await audit({
          action: 'purpose.retired',
          resourceType: 'purpose',
          resourceId: id,
          details: { code: row.code, version: row.version },
        });
        return toPurpose(u!);
      });
      return result.finally(() => policy.invalidatePurposes());
    },

    list(actor: Actor, input: { status?: PurposeStatus; code?: string } = {}): Promise<Purpose[]> {
      return runner.run(actor, OPERATIONS.listPurposes, async ({ tx }) => {
        const q = parseInput(listPurposesInput, input);
        const where: SQL[] = [];
        if (q.status) where.push(eq(purposes.status, q.status));
        if (q.code) where.push(eq(purposes.code, q.code));
        const rows = await tx
          .select()
          .from(purposes)
          .where(where.length ? and(...where) : undefined)
          .orderBy(purposes.code, desc(purposes.version));
        return rows.map(toPurpose);
      });
    },
  };
}

export type PurposesService = ReturnType<typeof createPurposesService>;
