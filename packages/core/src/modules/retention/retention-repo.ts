/**
 * Retention SQL. The sweep's hot path is hand-written set-based SQL over a page of customers
 * (`rawRows`), so a batch of a thousand customers costs a handful of statements, not thousands.
 */
import { rawRows, type Tx } from '../../db/client.js';
import type { CustomerFacts, HoldInterval, PlanItem, PolicyView, PurposeFacts, RuleView } from './retention-fns.js';
import type { RetentionTrigger } from './retention-types.js';

const DAY_MS = 24 * 3600 * 1000;
/** Destruction records are kept at least this long (P3.4/P4.2 records; PIPL Art. 56 practice: >= 3 years). */
export const RECORD_KEEP_DAYS = 3 * 366;

/** Purposes, active explicit rules and holds on rules: loaded once per sweep. */
export async function loadPolicy(tx: Tx): Promise<PolicyView> {
  const ps = await rawRows<{
    code: string;
    version: number;
    status: string;
    fields: string[];
    retention_days: number;
    retention_trigger: string;
  }>(
    tx,
    `SELECT code, version, status, fields, retention_days, retention_trigger FROM purposes
      WHERE status IN ('active', 'retired', 'approved') ORDER BY code, version`,
  );
  const purposes: PolicyView['purposes'] = new Map();
  const statusOf = new Map<string, string>();
  for (const p of ps) {
    const cur = purposes.get(p.code);
    const fields = new Set([...(cur?.fields ?? []), ...p.fields]);
    // The active version's retention wins; otherwise the latest version's (rows come in version order).
    const own = !cur || p.status === 'active' || statusOf.get(p.code) !== 'active';
    purposes.set(p.code, {
      fields,
      days: own ? p.retention_days : cur.days,
      trigger: own ? (p.retention_trigger as RetentionTrigger) : cur.trigger,
    });
    if (own) statusOf.set(p.code, p.status);
  }
  const rs = await rawRows<{
    id: string;
    purpose_code: string | null;
    category_code: string | null;
    retention_days: number;
    retention_trigger: string;
    action: string;
  }>(tx, `SELECT id, purpose_code, category_code, retention_days, retention_trigger, action FROM retention_rules WHERE status = 'active'`);
  const rules: RuleView[] = rs.map((r) => ({
    key: `rule:${r.id}`,
    purposeCode: r.purpose_code,
    categoryCode: r.category_code,
    days: r.retention_days,
    trigger: r.retention_trigger as RetentionTrigger,
    action: r.action as RuleView['action'],
  }));
  const hs = await rawRows<{ rule_id: string | null; purpose_code: string | null; placed_at: Date; released_at: Date | null }>(
    tx,
    `SELECT rule_id, purpose_code, placed_at, released_at FROM legal_holds WHERE customer_id IS NULL`,
  );
  const ruleHolds = new Map<string, HoldInterval[]>();
  for (const h of hs) {
    const key = h.rule_id ? `rule:${h.rule_id}` : `purpose:${h.purpose_code}`;
    ruleHolds.set(key, [...(ruleHolds.get(key) ?? []), { placedAt: h.placed_at, releasedAt: h.released_at }]);
  }
  return { purposes, rules, ruleHolds };
}

/** The next page of active customers after `cursor` (locked for the real run). */
export async function customerPage(
  tx: Tx,
  cursor: string | null,
  limit: number,
  lock: boolean,
): Promise<Array<{ id: string; created_at: Date; updated_at: Date }>> {
  return rawRows(
    tx,
    `SELECT id, created_at, updated_at FROM customers
      WHERE status = 'active' AND ($1::uuid IS NULL OR id > $1::uuid)
      ORDER BY id LIMIT $2${lock ? ' FOR UPDATE' : ''}`,
    [cursor, limit],
  );
}

/** Everything the plan needs about a page of customers, in six set-based queries. */
export async function loadFacts(
  tx: Tx,
  page: ReadonlyArray<{ id: string; created_at: Date; updated_at: Date }>,
  asOf: Date,
): Promise<CustomerFacts[]> {
  if (!page.length) return [];
  const ids = page.map((p) => p.id);
  // The page is a contiguous range of customer ids: a range scan of each index is far cheaper than
  // one probe per id. Rows of customers outside the page (deleted ones in the range) are skipped below.
  const range = [page[0]!.id, page.at(-1)!.id];
  // One after another on the transaction's connection (PGlite and LazyBegin both serialise anyway).
  const fields = await rawRows<{ customer_id: string; fields: string[] }>(
    tx,
    `SELECT customer_id, array_agg(category_code ORDER BY category_code) AS fields FROM customer_fields
        WHERE customer_id BETWEEN $1::uuid AND $2::uuid GROUP BY customer_id`,
    range,
  );
  const ledger = await rawRows<{ customer_id: string; purpose_code: string; last_grant: Date | null; last_record: Date }>(
    tx,
    `SELECT customer_id, purpose_code, max(recorded_at) FILTER (WHERE kind = 'grant') AS last_grant, max(recorded_at) AS last_record
         FROM consent_records WHERE customer_id BETWEEN $1::uuid AND $2::uuid GROUP BY customer_id, purpose_code`,
    range,
  );
  const state = await rawRows<{ customer_id: string; purpose_code: string; active: boolean; ended: Date | null }>(
    tx,
    `SELECT customer_id, purpose_code,
              bool_or(status = 'granted' AND (expires_at IS NULL OR expires_at > $3::timestamptz)) AS active,
              max(CASE WHEN status = 'withdrawn' THEN withdrawn_at ELSE expires_at END) AS ended
         FROM consent_state WHERE customer_id BETWEEN $1::uuid AND $2::uuid GROUP BY customer_id, purpose_code`,
    [...range, asOf.toISOString()],
  );
  // Purposes that do not rest on consent leave nothing in the ledger: their collections count instead.
  const linked = await rawRows<{ customer_id: string; purpose_code: string; last_collected_at: Date }>(
    tx,
    `SELECT customer_id, purpose_code, last_collected_at FROM customer_purposes
      WHERE customer_id BETWEEN $1::uuid AND $2::uuid AND legal_basis <> 'consent'`,
    range,
  );
  const rel = await rawRows<{ customer_id: string; ended_at: Date }>(
    tx,
    `SELECT customer_id, ended_at FROM customer_relationships WHERE customer_id = ANY($1::uuid[])`,
    [ids],
  );
  const holds = await rawRows<{ customer_id: string; placed_at: Date; released_at: Date | null }>(
    tx,
    `SELECT customer_id, placed_at, released_at FROM legal_holds WHERE customer_id = ANY($1::uuid[])`,
    [ids],
  );
  const byId = new Map<string, CustomerFacts>(
    page.map((c) => [
      c.id,
      {
        id: c.id,
        createdAt: c.created_at,
        lastActivityAt: c.updated_at,
        fields: [],
        purposes: new Map<string, PurposeFacts>(),
        relationshipEndedAt: null,
        holds: [],
      },
    ]),
  );
  for (const f of fields) {
    const c = byId.get(f.customer_id);
    if (c) c.fields = f.fields;
  }
  for (const l of ledger) {
    const c = byId.get(l.customer_id);
    if (!c) continue;
    c.purposes.set(l.purpose_code, { lastGrantAt: l.last_grant, consentActive: false, consentEndedAt: null });
    if (l.last_record > c.lastActivityAt) c.lastActivityAt = l.last_record;
  }
  for (const s of state) {
    const p = byId.get(s.customer_id)?.purposes.get(s.purpose_code);
    if (p) {
      p.consentActive = s.active;
      p.consentEndedAt = s.active ? null : s.ended;
    }
  }
  for (const l of linked) {
    const c = byId.get(l.customer_id);
    // The basis stands while the purpose does: the clock runs from the latest collection (or the other triggers).
    if (c && !c.purposes.has(l.purpose_code))
      c.purposes.set(l.purpose_code, { lastGrantAt: l.last_collected_at, consentActive: true, consentEndedAt: null });
  }
  for (const r of rel) byId.get(r.customer_id)!.relationshipEndedAt = r.ended_at;
  for (const h of holds) byId.get(h.customer_id)!.holds.push({ placedAt: h.placed_at, releasedAt: h.released_at });
  return [...byId.values()];
}

/** Remove single fields (and their correction history): customer and field as parallel arrays. */
export async function removeFields(tx: Tx, customers: readonly string[], fields: readonly string[]): Promise<Map<string, number>> {
  const history = new Map<string, number>();
  if (!customers.length) return history;
  const h = await rawRows<{ customer_id: string; n: number }>(
    tx,
    `WITH d AS (DELETE FROM customer_field_history h USING unnest($1::uuid[], $2::text[]) AS x(c, k)
                 WHERE h.customer_id = x.c AND h.category_code = x.k RETURNING h.customer_id)
     SELECT customer_id, count(*)::int AS n FROM d GROUP BY customer_id`,
    [customers, fields],
  );
  for (const r of h) history.set(r.customer_id, r.n);
  await rawRows(
    tx,
    `DELETE FROM customer_fields f USING unnest($1::uuid[], $2::text[]) AS x(c, k) WHERE f.customer_id = x.c AND f.category_code = x.k`,
    [customers, fields],
  );
  return history;
}

/** One destruction record per customer of the batch (unique per run and customer). */
export async function insertDestructions(
  tx: Tx,
  runId: string,
  items: readonly PlanItem[],
  history: Map<string, number>,
  at: Date,
): Promise<void> {
  if (!items.length) return;
  const method = (a: PlanItem['action']) =>
    a === 'delete' ? 'crypto_shred' : a === 'anonymise' ? 'crypto_shred_with_statistics' : 'field_removal';
  await rawRows(
    tx,
    `INSERT INTO retention_destructions (run_id, customer_id, action, method, fields, history_entries, rules, expired_at, destroyed_at, keep_until)
     SELECT $1::uuid, x.c, x.a, x.m, string_to_array(x.f, ','), x.h, string_to_array(x.r, ','), x.e, $2::timestamptz, $3::timestamptz
       FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::timestamptz[]) AS x(c, a, m, f, h, r, e)`,
    [
      runId,
      at.toISOString(),
      new Date(at.getTime() + RECORD_KEEP_DAYS * DAY_MS).toISOString(),
      items.map((i) => i.customerId),
      items.map((i) => i.action),
      items.map((i) => method(i.action)),
      items.map((i) => i.fields.join(',')),
      items.map((i) => history.get(i.customerId) ?? 0),
      items.map((i) => i.rules.join(',')),
      items.map((i) => i.expiredAt.toISOString()),
    ],
  );
}
