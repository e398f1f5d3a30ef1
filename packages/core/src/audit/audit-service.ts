import { sql } from 'drizzle-orm';
import { sqlRows, type Database, type Tx } from '../db/client.js';
import type { Actor } from '../context.js';
import type { AuditEventInput, VerifyResult } from './audit-types.js';
import { GENESIS_HASH, checkChainSegment, eventHash, type ChainedFields } from './audit-fns.js';
import { chainRow, insertAuditEvent, readChainPage } from './audit-repo.js';
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
const VERIFY_PAGE = 20000;

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
  let again = false;
  let signingKey: SigningKey | null = null;
  const key = () => (signingKey ??= loadOrCreateSigningKey(deps.signingKeyFile));

  async function chainOnce(): Promise<number> {
    return database.db.transaction(async (tx) => {
      if (database.kind === 'postgres') {
        const got = await sqlRows<{ ok: boolean }>(tx, sql`SELECT pg_try_advisory_xact_lock(${CHAIN_LOCK.toString()}::bigint) AS ok`);
        if (!got[0]?.ok) return -1;
      }
      const h = (await sqlRows<{ seq: number | string; hash: string }>(tx, sql`SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`))[0];
      let seq = h ? Number(h.seq) : 0;
      let prev = h ? h.hash : GENESIS_HASH;
      const pending = await sqlRows<Record<string, unknown>>(
        tx,
        sql.raw(`SELECT id, occurred_at, actor_type, actor_id, actor_name, action, resource_type, resource_id, clauses, purpose_id, outcome, details, request_id
                 FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT ${CHAIN_BATCH} FOR UPDATE`),
      );
      if (pending.length === 0) return 0;
      const ids: number[] = [];
      const seqs: number[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const raw of pending) {
        seq += 1;
        const f: ChainedFields = {
          ...chainRow([seq, raw.occurred_at, raw.actor_type, raw.actor_id, raw.actor_name, raw.action, raw.resource_type, raw.resource_id, raw.clauses, raw.purpose_id, raw.outcome, raw.details, raw.request_id, prev, '']),
        };
        const hash = eventHash(f);
        ids.push(Number(raw.id));
        seqs.push(seq);
        prevs.push(prev);
        hashes.push(hash);
        prev = hash;
      }
      await tx.execute(sql`UPDATE audit_events AS a SET seq = u.seq, prev_hash = u.prev_hash, hash = u.hash
        FROM unnest(${toPgArray(ids)}::bigint[], ${toPgArray(seqs)}::bigint[], ${toPgArray(prevs)}::text[], ${toPgArray(hashes)}::text[])
          AS u(id, seq, prev_hash, hash)
        WHERE a.id = u.id`);
      return ids.length;
    });
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

    /** Sign the current head into the checkpoint file (outside the database). */
    async checkpoint(): Promise<Checkpoint | null> {
      await flush();
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
    async verify(opts: { onProgress?: (checked: number) => void } = {}): Promise<VerifyResult> {
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
      let head = { seq: 0, hash: GENESIS_HASH };
      let checked = 0;
      let chainBreak: { seq: number; reason: string } | null = null;
      for (;;) {
        const page = await readChainPage(database, head.seq, VERIFY_PAGE);
        if (page.length === 0) break;
        const r = checkChainSegment(head, page);
        if (!r.ok) {
          chainBreak = r.break;
          checked += r.break.seq - head.seq - 1;
          break;
        }
        for (const ev of page) {
          const cps = bySeq.get(ev.seq);
          if (cps) {
            for (const c of cps) {
              if (c.hash !== ev.hash) {
                badCheckpoints++;
                firstCheckpointBreak ??= ev.seq;
              }
            }
            bySeq.delete(ev.seq);
          }
        }
        checked += page.length;
        head = r.head;
        opts.onProgress?.(checked);
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

  function kick(): void {
    flush().catch((e: unknown) => deps.onChainError?.(e));
  }
}

/** Postgres array literal for unnest (numbers and hex strings only: nothing to escape). */
function toPgArray(values: Array<number | string>): string {
  return `{${values.join(',')}}`;
}

export type AuditService = ReturnType<typeof createAuditService>;
