import { and, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Database, Tx } from '../db/client.js';
import { auditEvents } from '../db/schema.js';
import type { Actor } from '../context.js';
import type { AuditEvent, AuditEventInput, listAuditEventsQuery } from './audit-types.js';
import type { z } from 'zod';
import { AUDIT_BODY_SQL, sqlLiteral, type ChainedRow } from './audit-fns.js';

export async function insertAuditEvent(tx: Tx, actor: Actor, e: AuditEventInput, occurredAt = new Date()): Promise<void> {
  await tx.insert(auditEvents).values({
    occurredAt,
    actorType: actor.type,
    actorId: actor.userId,
    actorName: actor.username,
    action: e.action,
    resourceType: e.resourceType ?? null,
    resourceId: e.resourceId ?? null,
    clauses: e.clauses,
    purposeId: e.purposeId ?? null,
    outcome: e.outcome ?? 'success',
    details: e.details ?? {},
    requestId: actor.requestId ?? null,
  });
}

type Row = typeof auditEvents.$inferSelect;

export function toAuditEvent(r: Row): AuditEvent {
  return {
    id: String(r.id),
    seq: r.seq === null ? null : Number(r.seq),
    occurredAt: r.occurredAt.toISOString(),
    actor: { type: r.actorType as 'user' | 'system' | 'channel' | 'customer', id: r.actorId, name: r.actorName },
    action: r.action,
    resourceType: r.resourceType,
    resourceId: r.resourceId,
    clauses: r.clauses,
    purposeId: r.purposeId,
    outcome: r.outcome,
    details: r.details as Record<string, unknown>,
    requestId: r.requestId,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

export async function listAuditEvents(tx: Tx, q: z.output<typeof listAuditEventsQuery>) {
  const where: SQL[] = [];
  if (q.action)
    where.push(
      q.action.includes('*') ? sql`${auditEvents.action} LIKE ${q.action.replaceAll('*', '%')}` : eq(auditEvents.action, q.action),
    );
  if (q.outcome) where.push(eq(auditEvents.outcome, q.outcome));
  if (q.resourceType) where.push(eq(auditEvents.resourceType, q.resourceType));
  if (q.resourceId) where.push(eq(auditEvents.resourceId, q.resourceId));
  if (q.actorId) where.push(eq(auditEvents.actorId, q.actorId));
  if (q.from) where.push(gte(auditEvents.occurredAt, new Date(q.from)));
  if (q.to) where.push(lte(auditEvents.occurredAt, new Date(q.to)));
  if (q.cursor) where.push(lt(auditEvents.id, Number(q.cursor)));
  const rows = await tx
    .select()
    .from(auditEvents)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  return { items: page.map(toAuditEvent), nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null };
}

/** A page of chained events after `afterSeq` with their canonical bodies, for streaming verification. */
export async function readChainPage(
  database: Database,
  afterSeq: number,
  limit: number,
  untilSeq: number | null = null,
): Promise<ChainedRow[]> {
  const rows = await database.query.arrays(
    `SELECT seq, prev_hash, hash, ${AUDIT_BODY_SQL} FROM audit_events WHERE seq > $1 AND ($3::bigint IS NULL OR seq <= $3) ORDER BY seq LIMIT $2`,
    [afterSeq, limit, untilSeq],
  );
  return rows.map((r) => ({ seq: Number(r[0]), prevHash: r[1] as string, hash: r[2] as string, body: r[3] as string }));
}

/**
 * Check the chain over (start.seq, until] inside PostgreSQL: every row's hash is recomputed from
 * its stored columns (the same canonical body and SHA-256 as `chainHash`) and linked to the
 * previous row's hash with a window over seq. Returns the first break in `checkChainSegment`'s
 * terms, and the last row checked. The rows never leave the database, so this runs at the
 * database's speed (no transfer, no parsing); ranges can be checked on several connections.
 */
export async function checkChainRange(
  database: Database,
  start: { seq: number; hash: string },
  untilSeq: number | null,
): Promise<{ brk: { seq: number; reason: string } | null; last: { seq: number; hash: string } | null }> {
  const [brk] = await database.query<{ seq: number | string; reason: string }>(
    `SELECT seq, reason FROM (
       SELECT CASE WHEN seq <> coalesce(lag(seq) OVER w, $1::bigint) + 1 THEN coalesce(lag(seq) OVER w, $1::bigint) + 1 ELSE seq END AS seq,
              CASE WHEN seq <> coalesce(lag(seq) OVER w, $1::bigint) + 1 THEN 'sequence_gap'
                   WHEN prev_hash IS DISTINCT FROM coalesce(lag(hash) OVER w, $2::text) THEN 'prev_hash_mismatch'
                   WHEN hash IS DISTINCT FROM encode(pg_catalog.sha256(pg_catalog.convert_to(
                          'custos.audit.v1' || chr(10) || seq::text || chr(10) || prev_hash || chr(10) || ${AUDIT_BODY_SQL}, 'UTF8')), 'hex')
                     THEN 'hash_mismatch' END AS reason
         FROM audit_events WHERE seq > $1 AND seq <= $3
       WINDOW w AS (ORDER BY seq)) x
     WHERE reason IS NOT NULL ORDER BY seq LIMIT 1`,
    // An explicit upper bound keeps the plan an index range scan in seq order (no sort).
    [start.seq, start.hash, untilSeq ?? Number.MAX_SAFE_INTEGER],
  );
  const [last] = await database.query<{ seq: number | string; hash: string }>(
    'SELECT seq, hash FROM audit_events WHERE seq > $1 AND seq <= $2 ORDER BY seq DESC LIMIT 1',
    [start.seq, untilSeq ?? Number.MAX_SAFE_INTEGER],
  );
  return {
    brk: brk ? { seq: Number(brk.seq), reason: brk.reason } : null,
    last: last ? { seq: Number(last.seq), hash: last.hash } : null,
  };
}

/** An event as the runner buffers it until commit. */
export interface PendingAuditEvent {
  occurredAt: Date;
  actor: Actor;
  event: AuditEventInput;
}

/**
 * One multi-row INSERT with literal values, sent together with COMMIT in a single round trip
 * (see Database.transaction). Values are quoted by sqlLiteral; nothing is interpolated raw.
 */
export function auditInsertSql(events: PendingAuditEvent[]): string {
  const lit = (v: string | null | undefined) => (v === null || v === undefined ? 'NULL' : sqlLiteral(v));
  const rows = events.map(({ occurredAt, actor, event: e }) => {
    const clauses = `ARRAY[${e.clauses.map((c) => sqlLiteral(c)).join(',')}]::text[]`;
    return `(${lit(occurredAt.toISOString())}::timestamptz, ${lit(actor.type)}, ${lit(actor.userId)}::uuid, ${lit(actor.username)}, ${lit(e.action)}, ${lit(e.resourceType)}, ${lit(e.resourceId)}, ${clauses}, ${lit(e.purposeId)}, ${lit(e.outcome ?? 'success')}, ${lit(JSON.stringify(e.details ?? {}))}::jsonb, ${lit(actor.requestId)})`;
  });
  return `INSERT INTO audit_events (occurred_at, actor_type, actor_id, actor_name, action, resource_type, resource_id, clauses, purpose_id, outcome, details, request_id) VALUES ${rows.join(',\n')}`;
}
