import { createHash } from 'node:crypto';

/** The hash before the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields that the hash covers, in the order they are encoded. */
export interface ChainedFields {
  seq: number;
  prevHash: string;
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  actorName: string;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  clauses: string[];
  purposeId: string | null;
  outcome: string;
  details: unknown;
  requestId: string | null;
}

/** JSON value with object keys sorted recursively, so equal data always encodes to equal bytes. */
export function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = canonicalize(o[k]);
    return out;
  }
  return value;
}

/**
 * The canonical encoding: a JSON array in a fixed field order with a version label, so no two
 * different events encode alike and a future format can be told apart.
 */
export function canonicalEncoding(e: ChainedFields): string {
  return JSON.stringify([
    'custos.audit.v1',
    e.seq,
    e.prevHash,
    e.occurredAt.toISOString(),
    e.actorType,
    e.actorId,
    e.actorName,
    e.action,
    e.resourceType,
    e.resourceId,
    e.clauses,
    e.purposeId,
    e.outcome,
    e.requestId,
    canonicalize(e.details),
  ]);
}

export function eventHash(e: ChainedFields): string {
  return createHash('sha256').update(canonicalEncoding(e)).digest('hex');
}

export type ChainBreak = { seq: number; reason: 'sequence_gap' | 'prev_hash_mismatch' | 'hash_mismatch' };

/**
 * Check a run of chained events against the previous head. Returns the first break, or the new
 * head. Pure, so the verifier can stream batches through it.
 */
export function checkChainSegment(
  head: { seq: number; hash: string },
  rows: Array<ChainedFields & { hash: string }>,
): { ok: true; head: { seq: number; hash: string } } | { ok: false; break: ChainBreak } {
  let { seq, hash } = head;
  for (const r of rows) {
    if (r.seq !== seq + 1) return { ok: false, break: { seq: seq + 1, reason: 'sequence_gap' } };
    if (r.prevHash !== hash) return { ok: false, break: { seq: r.seq, reason: 'prev_hash_mismatch' } };
    if (eventHash(r) !== r.hash) return { ok: false, break: { seq: r.seq, reason: 'hash_mismatch' } };
    seq = r.seq;
    hash = r.hash;
  }
  return { ok: true, head: { seq, hash } };
}
