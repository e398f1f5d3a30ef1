import { and, asc, desc, eq, isNotNull, ne, sql } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import { systemActor } from '../../context.js';
import type { Database } from '../../db/client.js';
import { customerKeys, keyRewrapJobs } from '../../db/schema.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import type { Keyring } from './keyring.js';
import type { RewrapJob } from './customers-types.js';

const BATCH = 500;

/**
 * Key management (P2.3, P4.1): KEK rotation and the resumable re-wrap of every data key under
 * the new KEK. Old KEK versions keep unwrapping until nothing is wrapped with them.
 */
export function createKeysService(deps: { runner: Runner; keyring: Keyring; database: Database; onError?: (e: unknown) => void }) {
  const { runner, keyring, database } = deps;
  let running: Promise<void> | null = null;

  function toJob(r: typeof keyRewrapJobs.$inferSelect): RewrapJob {
    return {
      id: r.id,
      toVersion: r.toVersion,
      status: r.status,
      total: r.total,
      done: r.done,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
    };
  }

  /** Work through a job in batches; each batch commits with its audit event, so a crash resumes where it stopped. */
  async function work(jobId: string): Promise<void> {
    const actor = systemActor();
    for (;;) {
      const moved = await runner.run(actor, OPERATIONS.rotateKeys, async ({ tx, audit }) => {
        const job = (await tx.select().from(keyRewrapJobs).where(eq(keyRewrapJobs.id, jobId)).for('update'))[0];
        if (!job || job.status !== 'running') return -1;
        const rows = await tx
          .select()
          .from(customerKeys)
          .where(and(isNotNull(customerKeys.wrappedKey), ne(customerKeys.kekVersion, job.toVersion)))
          .orderBy(asc(customerKeys.customerId))
          .limit(BATCH)
          .for('update', { skipLocked: true });
        if (rows.length === 0) {
          const systemKeys = await keyring.rewrapSystemKeys(tx, job.toVersion);
          await tx.update(keyRewrapJobs).set({ status: 'completed', finishedAt: new Date() }).where(eq(keyRewrapJobs.id, jobId));
          await audit({
            action: 'key.rewrap_completed',
            resourceType: 'key_rewrap_job',
            resourceId: jobId,
            clauses: ['P2.3', 'P4.1'],
            details: { toVersion: job.toVersion, dataKeys: job.done, systemKeys },
          });
          return 0;
        }
        const from = new Set<number>();
        for (const r of rows) {
          const w = await keyring.rewrap(r);
          if (!w) continue;
          from.add(r.kekVersion!);
          await tx
            .update(customerKeys)
            .set({ kekVersion: w.kekVersion, wrappedKey: w.wrapped, rewrappedAt: new Date() })
            .where(eq(customerKeys.customerId, r.customerId));
        }
        await tx
          .update(keyRewrapJobs)
          .set({ done: sql`${keyRewrapJobs.done} + ${rows.length}` })
          .where(eq(keyRewrapJobs.id, jobId));
        await audit({
          action: 'key.rewrapped',
          resourceType: 'key_rewrap_job',
          resourceId: jobId,
          clauses: ['P2.3', 'P4.1'],
          details: { dataKeys: rows.length, fromVersions: [...from].sort(), toVersion: job.toVersion },
        });
        return rows.length;
      });
      if (moved <= 0) return;
    }
  }

  /** Jobs run one after another in this process; `running` is the tail of that queue. */
  function runJob(jobId: string): Promise<void> {
    const p = (running ?? Promise.resolve()).then(() => work(jobId));
    const tail: Promise<void> = p
      .catch(() => {})
      .finally(() => {
        if (running === tail) running = null;
      });
    running = tail;
    return p;
  }

  return {
    /** Start a new KEK version and re-wrap every data key under it in the background. */
    async rotate(actor: Actor): Promise<RewrapJob> {
      runner.authorize(actor, OPERATIONS.rotateKeys);
      const version = await keyring.provider.rotate();
      const job = await runner.run(actor, OPERATIONS.rotateKeys, async ({ tx, audit }) => {
        // Jobs aiming at an older version are superseded by this one.
        await tx
          .update(keyRewrapJobs)
          .set({ status: 'failed', error: 'superseded by a newer rotation', finishedAt: new Date() })
          .where(eq(keyRewrapJobs.status, 'running'));
        const total = (
          await tx
            .select({ n: sql<number>`count(*)::int` })
            .from(customerKeys)
            .where(and(isNotNull(customerKeys.wrappedKey), ne(customerKeys.kekVersion, version)))
        )[0]!.n;
        const row = (
          await tx
            .insert(keyRewrapJobs)
            .values({ toVersion: version, status: 'running', total: Number(total), startedBy: actor.username })
            .returning()
        )[0]!;
        await audit({
          action: 'key.rotated',
          resourceType: 'kek',
          resourceId: String(version),
          clauses: ['P2.3', 'P4.1'],
          details: { newVersion: version, provider: keyring.provider.kind, dataKeysToRewrap: Number(total), jobId: row.id },
        });
        return row;
      });
      runJob(job.id).catch((e: unknown) => deps.onError?.(e));
      return toJob(job);
    },

    /** Wait for the background re-wrap (tests, CLI). */
    async settle(): Promise<void> {
      while (running) await running;
    },

    /** Resume re-wrap jobs interrupted by a stop or crash. */
    async resume(): Promise<void> {
      const jobs = await database.db.select().from(keyRewrapJobs).where(eq(keyRewrapJobs.status, 'running'));
      for (const j of jobs) runJob(j.id).catch((e: unknown) => deps.onError?.(e));
    },

    list(actor: Actor) {
      return runner.run(actor, OPERATIONS.listKeys, async ({ tx }) => {
        const keks = await keyring.provider.listKeys();
        const counts = await tx
          .select({ v: customerKeys.kekVersion, n: sql<number>`count(*)::int` })
          .from(customerKeys)
          .where(isNotNull(customerKeys.wrappedKey))
          .groupBy(customerKeys.kekVersion);
        const jobs = await tx.select().from(keyRewrapJobs).orderBy(desc(keyRewrapJobs.startedAt)).limit(10);
        return {
          keks: keks.map((k) => ({ ...k, wrappedDataKeys: Number(counts.find((c) => c.v === k.version)?.n ?? 0) })),
          rewrapJobs: jobs.map(toJob),
        };
      });
    },
  };
}

export type KeysService = ReturnType<typeof createKeysService>;
