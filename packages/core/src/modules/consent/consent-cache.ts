import { and, eq, inArray, sql } from 'drizzle-orm';
import { sqlRows, type Tx } from '../../db/client.js';
import { consentState, dataCategories, notices, purposes } from '../../db/schema.js';
import { decide, stateKey, type ActivePurposeView, type Decision, type StateRow } from './consent-fns.js';

export interface CachedPurpose extends ActivePurposeView {
  id: string;
  retentionDays: number;
  retentionTrigger: string;
}

/**
 * In-process cache of what consent decisions need: the active purpose versions and each
 * customer's consent state. Writers in this process invalidate it in the transaction that
 * changes the ledger and again after commit; other processes see the change within `ttlMs`.
 * A warm decision is a few map lookups (see bench/consent-check).
 */
export function createPolicyCache(opts: { ttlMs: number; maxCustomers?: number }) {
  const { ttlMs } = opts;
  const maxCustomers = opts.maxCustomers ?? 200_000;
  let active: { at: number; byCode: Map<string, CachedPurpose> } | null = null;
  let purposeGeneration = 0;
  const customers = new Map<string, { at: number; rows: Map<string, StateRow> }>();
  const currentNotices = new Map<string, { at: number; gen: number; notice: { id: string; hash: string } | null }>();

  async function loadActive(tx: Tx): Promise<Map<string, CachedPurpose>> {
    const gen = purposeGeneration;
    const rows = await tx.select().from(purposes).where(eq(purposes.status, 'active'));
    const codes = [...new Set(rows.flatMap((r) => r.fields))];
    const cats = codes.length
      ? await tx
          .select({ code: dataCategories.code, sensitivity: dataCategories.sensitivity })
          .from(dataCategories)
          .where(inArray(dataCategories.code, codes))
      : [];
    const sens = new Map(cats.map((c) => [c.code, c.sensitivity]));
    const byCode = new Map<string, CachedPurpose>();
    for (const r of rows) {
      byCode.set(r.code, {
        id: r.id,
        code: r.code,
        version: r.version,
        legalBasis: r.legalBasis,
        consentBaseline: r.consentBaseline,
        retentionDays: r.retentionDays,
        retentionTrigger: r.retentionTrigger,
        // An unknown category counts as sensitive: deny rather than under-protect.
        fields: new Map(r.fields.map((f) => [f, sens.get(f) ?? 'sensitive'])),
      });
    }
    if (gen === purposeGeneration) active = { at: Date.now(), byCode };
    return byCode;
  }

  async function activePurposes(tx: Tx): Promise<Map<string, CachedPurpose>> {
    if (active && Date.now() - active.at < ttlMs) return active.byCode;
    return loadActive(tx);
  }

  async function customerState(tx: Tx, customerId: string): Promise<Map<string, StateRow>> {
    const hit = customers.get(customerId);
    if (hit && Date.now() - hit.at < ttlMs) return hit.rows;
    const rows = await tx.select().from(consentState).where(eq(consentState.customerId, customerId));
    const map = new Map<string, StateRow>();
    for (const r of rows) map.set(stateKey(r.purposeCode, r.category), r);
    if (customers.size >= maxCustomers) customers.delete(customers.keys().next().value!);
    customers.set(customerId, { at: Date.now(), rows: map });
    return map;
  }

  return {
    activePurposes,
    /** The published notice of a purpose version (what collection must have shown). */
    async currentNotice(tx: Tx, purposeId: string): Promise<{ id: string; hash: string } | null> {
      const hit = currentNotices.get(purposeId);
      if (hit && hit.gen === purposeGeneration && Date.now() - hit.at < ttlMs) return hit.notice;
      const gen = purposeGeneration;
      const n = (
        await tx
          .select({ id: notices.id, hash: notices.contentHash })
          .from(notices)
          .where(and(eq(notices.purposeId, purposeId), eq(notices.status, 'published')))
      )[0];
      const notice = n ? { id: n.id, hash: n.hash! } : null;
      if (currentNotices.size > 1000) currentNotices.clear();
      currentNotices.set(purposeId, { at: Date.now(), gen, notice });
      return notice;
    },
    customerState,
    /** Read the state fresh (inside a writing transaction, after locking the customer). */
    async freshState(tx: Tx, customerId: string, purposeCode?: string): Promise<Map<string, StateRow>> {
      const rows = await tx
        .select()
        .from(consentState)
        .where(
          purposeCode
            ? and(eq(consentState.customerId, customerId), eq(consentState.purposeCode, purposeCode))
            : eq(consentState.customerId, customerId),
        );
      const map = new Map<string, StateRow>();
      for (const r of rows) map.set(stateKey(r.purposeCode, r.category), r);
      return map;
    },
    /** Decide from the database (through the cache) inside a transaction. */
    async decide(
      tx: Tx,
      customerId: string,
      purposeCode: string,
      fields: readonly string[],
      now = Date.now(),
    ): Promise<Array<Decision & { field: string }>> {
      const [byCode, state] = await Promise.all([activePurposes(tx), customerState(tx, customerId)]);
      const purpose = byCode.get(purposeCode);
      return fields.map((field) => ({ field, ...decide(purpose, state.get(stateKey(purposeCode, field)), field, now) }));
    },
    /**
     * Decide from the cache alone, without a database round trip: undefined when either the
     * purposes or the customer are not cached (fresh), so the caller falls back to `decide`.
     */
    decideCached(customerId: string, purposeCode: string, field: string, now = Date.now()): Decision | undefined {
      if (!active || now - active.at >= ttlMs) return undefined;
      const hit = customers.get(customerId);
      if (!hit || now - hit.at >= ttlMs) return undefined;
      return decide(active.byCode.get(purposeCode), hit.rows.get(stateKey(purposeCode, field)), field, now);
    },
    invalidateCustomer(customerId: string): void {
      customers.delete(customerId);
    },
    /** After a purpose or notice changes: purposes and current notices are re-read. */
    invalidatePurposes(): void {
      purposeGeneration++;
      active = null;
      currentNotices.clear();
    },
    /** Lock the customer so ledger writes for one customer apply in sequence order. */
    async lockCustomer(tx: Tx, customerId: string): Promise<boolean> {
      const rows = await sqlRows(tx, sql`SELECT 1 FROM customers WHERE id = ${customerId} AND status = 'active' FOR NO KEY UPDATE`);
      return rows.length > 0;
    },
  };
}

export type PolicyCache = ReturnType<typeof createPolicyCache>;
