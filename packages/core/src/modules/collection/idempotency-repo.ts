import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { rawRows, type Tx } from '../../db/client.js';
import { idempotencyKeys } from '../../db/schema.js';
import { ConflictError } from '../../errors.js';
import { canonicalJson } from '../notices/notices-fns.js';

export function requestHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

/**
 * Record the key with its response at the end of the operation (one round trip). Null when
 * another request with this key committed first: the caller rolls back and replays that answer.
 */
export async function recordIdempotencyKey(tx: Tx, scope: string, key: string, hash: string, response: unknown): Promise<boolean> {
  const inserted = await rawRows(
    tx,
    'INSERT INTO idempotency_keys (scope, key, request_hash, response) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING RETURNING key',
    [scope, key, hash, JSON.stringify(response)],
  );
  return inserted.length > 0;
}

export async function priorResponse(tx: Tx, scope: string, key: string, hash: string): Promise<unknown> {
  const prior = (
    await tx
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
  )[0];
  if (!prior) return undefined;
  if (prior.requestHash !== hash) throw new ConflictError('this Idempotency-Key was used for a different request');
  return prior.response;
}
