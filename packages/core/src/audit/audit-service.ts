import { sql } from 'drizzle-orm';
import { sqlRows, type Database, type Tx } from '../db/client.js';
import type { Actor } from '../context.js';
import type { AuditEventInput, VerifyResult } from './audit-types.js';
import { AUDIT_BODY_SQL, GENESIS_HASH, chainHash } from './audit-fns.js';
import { checkChainRange, insertAuditEvent } from './audit-repo.js';
import {
  appendCheckpoint,
  checkpointSignatureValid,
  loadOrCreateSigningKey,
  readCheckpoints,
  signCheckpoint,
  type Checkpoint,
  type SigningKey,
} from './checkpoint-fns.js';

/** Advisory lock key so that only one process chains at a time. */
const CHAIN_LOCK = 0x6175646974n; // "audit"
const CHAIN_BATCH = 5000;
/** Above this many events, PostgreSQL verifies two halves on two connections. */
const PARALLEL_ABOVE = 80_000;
const KICK_DELAY_MS = 50;

export interface AuditServiceDeps {
  database: Database;
  checkpointFile: string;
  signingKeyFile: string;
  /** Test hook for fault injection is deliberately absent: tests make the database refuse instead. */
  onChainError?: (e: unknown) => void;
}

/**
 * The audit log (P2.3). Services append events inside their own transaction (so a failed audit
 * insert fails the operation). Chaining happens right after commit, in batches, by one chainer
 * at a time: concurrent writers therefore never wait for each other on the chain head, and the
 * gap-free sequence follows commit order.
 */
export function createAuditService(deps: AuditServiceDeps) {
  const { database } = deps;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let again = false;
  let signingKey: SigningKey | null = null;
  const key = () => (signingKey ??= loadOrCreateSigningKey(deps.signingKeyFile));

  /**
   * Chain one batch in three round trips whatever its size: BEGIN with the chain lock, head and
   * pending bodies in one query, then the UPDATE sent with COMMIT.
   */
  async function chainOnce(): Promise<number> {
    let update: string | null = null;
    const n = await database.transaction(
      async (tx) => {
        if (database.kind === 'postgres') {
          // Chained rows leave dead entries in the pending index until vacuum. A bitmap scan visits
          // every one of them on each batch (chaining slows down as the log grows); a plain index
          // scan marks them dead once and stops at the batch limit.
          const got = await sqlRows<{ ok: boolean }>(
            tx,
            sql`SET LOCAL enable_bitmapscan = off; SELECT pg_try_advisory_xact_lock(${CHAIN_LOCK.toString()}::bigint) AS ok`,
          );
          if (!got[0]?.ok) return -1;
        }
        const rows = await sqlRows<{ id: number | string; body: string; head_seq: number | string | null; head_hash: string | null }>(
          tx,
          sql.raw(`WITH head AS (SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1),
                      pending AS (SELECT id, ${AUDIT_BODY_SQL} AS body FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT ${CHAIN_BATCH} FOR UPDATE)
                 SELECT p.id, p.body, h.seq AS head_seq, h.hash AS head_hash FROM pending p LEFT JOIN head h ON true ORDER BY p.id`),
        );
        if (rows.length === 0) return 0;
        let seq = rows[0]!.head_seq === null ? 0 : Number(rows[0]!.head_seq);
        let prev = rows[0]!.head_hash ?? GENESIS_HASH;
        const ids: number[] = [];
        const seqs: number[] = [];
        const prevs: string[] = [];
        const hashes: string[] = [];
        for (const row of rows) {
          seq += 1;
          const hash = chainHash(seq, prev, row.body);
          ids.push(Number(row.id));
          seqs.push(seq);
          prevs.push(prev);
          hashes.push(hash);
          prev = hash;
        }
        // Numbers and hex digests only, so the literal arrays need no quoting. `a.seq IS NULL`
        // lets the planner use the pending-rows index instead of scanning the table.
        update = `UPDATE audit_events AS a SET seq = u.seq, prev_hash = u.prev_hash, hash = u.hash
        FROM unnest('${toPgArray(ids)}'::bigint[], '${toPgArray(seqs)}'::bigint[], '${toPgArray(prevs)}'::text[], '${toPgArray(hashes)}'::text[])
          AS u(id, seq, prev_hash, hash)
        WHERE a.id = u.id AND a.seq IS NULL`;
        return ids.length;
      },
      () => update,
    );
    return n;
  }

  /** Chain everything visible now; resolves when done. Concurrent calls coalesce. */
  function flush(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          let n: number;
          do n = await chainOnce();
          while (n === CHAIN_BATCH);
          // Another process holds the chain lock: it will chain our events too.
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    /** Append an event inside the caller's transaction. If this fails, the transaction fails. */
    append(tx: Tx, actor: Actor, event: AuditEventInput): Promise<void> {
      return insertAuditEvent(tx, actor, event);
    },

    /** Append in a transaction of its own: for denials and failed logins, whose own work was rolled back. */
    async appendStandalone(actor: Actor, event: AuditEventInput): Promise<void> {
      await database.db.transaction((tx) => insertAuditEvent(tx, actor, event));
      kick();
    },

    /** Schedule chaining after a commit; errors are reported, and the next flush retries. */
    kick,
    flush,
    /** Cancel a scheduled chaining run (on shutdown, after the final flush). */
    cancelScheduled(): void {
      if (timer) clearTimeout(timer);
      timer = null;
    },

    /** Sign the current head into the checkpoint file (outside the database). */
    async checkpoint(): Promise<Checkpoint | null> {
      await flush();
      // Only sign a head that is durable: a synchronous commit of a transaction that writes WAL
      // flushes everything committed before it.
      if (database.kind === 'postgres') await database.db.transaction((tx) => tx.execute(sql`SELECT txid_current()`));
      const rows = await database.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1',
      );
      const head = rows[0];
      if (!head) return null;
      const c = signCheckpoint(key(), Number(head.seq), head.hash);
      appendCheckpoint(deps.checkpointFile, c);
      return c;
    },

    /**
     * Walk the whole chain: recompute every hash, check links and the gap-free sequence, and
     * compare against every signed checkpoint. Reports the first broken sequence number.
     */
    async verify(opts: { onProgress?: (checked: number) => void; parallelAbove?: number } = {}): Promise<VerifyResult> {
      await flush().catch(() => {});
      const checkpoints = readCheckpoints(deps.checkpointFile);
      const pub = key().publicKey;
      const bySeq = new Map<number, Checkpoint[]>();
      let badCheckpoints = 0;
      let firstCheckpointBreak: number | null = null;
      let latestSeq: number | null = null;
      for (const c of checkpoints) {
        if (!c || !checkpointSignatureValid(c, pub)) {
          badCheckpoints++;
          continue;
        }
        latestSeq = Math.max(latestSeq ?? 0, c.seq);
        const list = bySeq.get(c.seq) ?? [];
        list.push(c);
        bySeq.set(c.seq, list);
      }
      /** Verify (start.seq, until] in the database (see checkChainRange). */
      const verifyRange = async (start: { seq: number; hash: string }, until: number | null) => {
        const r = await checkChainRange(database, start, until);
        const checked = r.brk ? r.brk.seq - start.seq - 1 : r.last ? r.last.seq - start.seq : 0;
        return { head: r.last ?? start, checked, brk: r.brk };
      };

      let checked = 0;
      let chainBreak: { seq: number; reason: string } | null = null;
      const [{ max }] = (await database.query<{ max: number | string | null }>('SELECT max(seq) AS max FROM audit_events')) as [
        { max: number | string | null },
      ];
      const maxSeq = max === null ? 0 : Number(max);
      if (database.kind === 'postgres' && maxSeq > (opts.parallelAbove ?? PARALLEL_ABOVE)) {
        // Two halves on two connections at once; the second starts from the stored hash at the
        // split, which the first half recomputes, so the halves are linked when they agree.
        const mid = Math.floor(maxSeq / 2);
        const [{ hash: midHash }] = (await database.query<{ hash: string }>('SELECT hash FROM audit_events WHERE seq = $1', [mid])) as [
          { hash: string },
        ];
        const [a, b] = await Promise.all([
          verifyRange({ seq: 0, hash: GENESIS_HASH }, mid),
          verifyRange({ seq: mid, hash: midHash }, null),
        ]);
        if (a.brk) [chainBreak, checked] = [a.brk, a.checked];
        else if (a.head.seq !== mid || a.head.hash !== midHash)
          [chainBreak, checked] = [{ seq: a.head.seq + 1, reason: 'sequence_gap' }, a.checked];
        else [chainBreak, checked] = [b.brk, a.checked + b.checked];
      } else {
        const r = await verifyRange({ seq: 0, hash: GENESIS_HASH }, null);
        [chainBreak, checked] = [r.brk, r.checked];
      }
      opts.onProgress?.(checked);
      // Signed checkpoints: the stored hash at each checkpointed seq of the verified chain must match.
      const verifiedUpTo = chainBreak ? chainBreak.seq - 1 : maxSeq;
      const seqs = [...bySeq.keys()].filter((q) => q <= verifiedUpTo);
      if (seqs.length) {
        const rows = await database.query<{ seq: number | string; hash: string }>(
          'SELECT seq, hash FROM audit_events WHERE seq = ANY($1::bigint[])',
          [seqs],
        );
        for (const r of rows) {
          const q = Number(r.seq);
          for (const c of bySeq.get(q) ?? []) {
            if (c.hash !== r.hash) {
              badCheckpoints++;
              firstCheckpointBreak = Math.min(firstCheckpointBreak ?? q, q);
            }
          }
          bySeq.delete(q);
        }
      }
      // Checkpoints beyond the end of the chain mean events were removed.
      if (!chainBreak) {
        for (const [seq, cps] of bySeq) {
          badCheckpoints += cps.length;
          firstCheckpointBreak = Math.min(firstCheckpointBreak ?? seq, seq);
        }
      }
      const pendingRows = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE seq IS NULL');
      const pendingEvents = Number(pendingRows[0]?.n ?? 0);
      const firstBrokenSeq = chainBreak?.seq ?? firstCheckpointBreak;
      return {
        intact: chainBreak === null && badCheckpoints === 0,
        checkedEvents: checked,
        firstBrokenSeq,
        reason: chainBreak ? chainBreak.reason : badCheckpoints > 0 ? 'checkpoint_mismatch' : null,
        pendingEvents,
        checkpoints: { checked: checkpoints.length, failed: badCheckpoints, latestSeq },
      };
    },
  };

  /**
   * After a commit: chain soon, coalescing the commits of the next few milliseconds into one
   * chaining transaction, so chaining costs a fraction of a commit per event, not a commit each.
   */
  function kick(): void {
    if (timer) return;
    timer = setTimeout(function fire() {
      // While a chaining run is under way, wait for the next window instead of queueing behind it.
      if (running) {
        timer = setTimeout(fire, KICK_DELAY_MS);
        timer.unref();
        return;
      }
      timer = null;
      flush().catch((e: unknown) => deps.onChainError?.(e));
    }, KICK_DELAY_MS);
    timer.unref();
  }
}

/** Postgres array literal for unnest (numbers and hex strings only: nothing to escape). */
function toPgArray(values: ReadonlyArray<number | string>): string {
  return `{${values.join(',')}}`;
}

export type AuditService = ReturnType<typeof createAuditService>;
