import crypto from 'node:crypto';

/** The hash before the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The canonical body of an event, produced by PostgreSQL from the stored columns in a fixed
 * order, so the chainer and every verifier hash exactly the bytes that are stored: a JSON array
 * (json_build_array output; jsonb details print with sorted keys) of time (UTC, microseconds),
 * actor type, id and name, action, resource type and id, clauses, purpose, outcome, request id,
 * details. Changing any column changes the body.
 */
export const AUDIT_BODY_SQL = `json_build_array(
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  actor_type, actor_id, actor_name, action, resource_type, resource_id, clauses, purpose_id, outcome, request_id, details
)::text`;

// crypto.hash is a one-shot SHA-256 without a Hash object (Node >= 20.12): about twice as fast for short inputs.
const sha256hex: (s: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (s) => (crypto as unknown as { hash(alg: string, data: string, enc: 'hex'): string }).hash('sha256', s, 'hex')
    : (s) => crypto.createHash('sha256').update(s).digest('hex');

/** hash = SHA-256("custos.audit.v1" \n seq \n previous hash \n body): position and link are part of what is hashed. */
export function chainHash(seq: number, prevHash: string, body: string): string {
  return sha256hex(`custos.audit.v1\n${seq}\n${prevHash}\n${body}`);
}

export interface ChainedRow {
  seq: number;
  prevHash: string;
  hash: string;
  body: string;
}

export type ChainBreak = { seq: number; reason: 'sequence_gap' | 'prev_hash_mismatch' | 'hash_mismatch' };

/**
 * Check a run of chained events against the previous head. Returns the first break, or the new
 * head. Pure, so the verifier can stream pages through it.
 */
export function checkChainSegment(
  head: { seq: number; hash: string },
  rows: ChainedRow[],
): { ok: true; head: { seq: number; hash: string } } | { ok: false; break: ChainBreak } {
  let { seq, hash } = head;
  for (const r of rows) {
    if (r.seq !== seq + 1) return { ok: false, break: { seq: seq + 1, reason: 'sequence_gap' } };
    if (r.prevHash !== hash) return { ok: false, break: { seq: r.seq, reason: 'prev_hash_mismatch' } };
    if (chainHash(r.seq, r.prevHash, r.body) !== r.hash) return { ok: false, break: { seq: r.seq, reason: 'hash_mismatch' } };
    seq = r.seq;
    hash = r.hash;
  }
  return { ok: true, head: { seq, hash } };
}

/** A SQL string literal safe under any standard_conforming_strings setting (as node-postgres escapes). */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('NUL characters cannot be stored');
  const quoted = value.includes("'") ? value.replace(/'/g, "''") : value;
  if (!value.includes('\\')) return `'${quoted}'`;
  return ` E'${quoted.replace(/\\/g, '\\\\')}'`;
}
