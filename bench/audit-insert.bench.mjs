// Audited insert vs plain insert on PostgreSQL, with 1 client and with 8 concurrent clients.
//
// Audited: the real core path, core.departments.create(system, { name }): authorize, one
//   transaction with the department row and its audit event (through core's runner), then the
//   audit chainer assigns seq and hash chain after commit, in batches, in the background.
// Plain (the baseline): INSERT INTO departments (name) VALUES ($1) through a pg.Pool of the same
//   size on the same database, autocommit (one implicit transaction per row).
// Diagnostic only (not the target):
//   auditedDeferredChain: the same audited path with the after-commit chain kick switched off
//     for the round, the backlog chained by one flush at the end: what the per-commit chainer costs.
//   plainTransaction: the plain row in an explicit BEGIN/INSERT/COMMIT: the transaction wrapper.
//   rawSqlTransaction: the same two rows in one hand-written transaction on the plain pool (no
//     core, no drizzle): what the transaction itself costs, apart from core's overhead.
//
// Same number of operations on every side, warm-up first, rounds alternate
// (plain, audited, diagnostics, plain, audited, diagnostics, ...) and the best round of each side
// counts. Target: audited/plain >= 0.5 for each client count, and an intact chain at the end.
//
// Environment: CUSTOS_BENCH_INSERT_OPS (2000), CUSTOS_BENCH_INSERT_WARMUP (200),
// CUSTOS_BENCH_INSERT_ROUNDS (2), CUSTOS_BENCH_INSERT_DIAGNOSTIC (1; 0 skips the diagnostic side).

import os from 'node:os';
import pg from 'pg';
import { systemActor } from '@custos/core';
import {
  createBenchDatabase,
  fmt,
  log,
  makeResult,
  now,
  onCleanup,
  openCore,
  percentile,
  measureRound,
  profiling,
  round,
  runBenchmark,
} from './lib/harness.mjs';

const OPS = Number(process.env.CUSTOS_BENCH_INSERT_OPS ?? 2000);
const WARMUP = Number(process.env.CUSTOS_BENCH_INSERT_WARMUP ?? 200);
const ROUNDS = Number(process.env.CUSTOS_BENCH_INSERT_ROUNDS ?? 2);
const DIAGNOSTIC = process.env.CUSTOS_BENCH_INSERT_DIAGNOSTIC !== '0';
const POOL_SIZE = 10;
const CLIENT_COUNTS = [1, 8];
const TARGET_RATIO = 0.5;
const RAW_AUDIT_INSERT = `INSERT INTO audit_events (occurred_at, actor_type, actor_id, actor_name, action, resource_type, resource_id, clauses, purpose_id, outcome, details, request_id)
  VALUES ($1, 'system', NULL, 'system', 'department.created', 'department', $2, ARRAY['P1.2'], NULL, 'success', $3, NULL)`;

await runBenchmark(async () => {
  const db = await createBenchDatabase();
  let chainErrors = 0;
  const logger = {
    info() {},
    warn() {},
    error(obj, msg) {
      if (msg?.startsWith('audit chaining failed')) chainErrors++;
      log(`core error: ${msg ?? ''} ${JSON.stringify(obj)}`);
    },
  };
  const { core } = await openCore(db.url, { poolSize: POOL_SIZE, logger });
  const pool = new pg.Pool({ connectionString: db.url, max: POOL_SIZE });
  pool.on('error', () => {});
  let poolEnded;
  const closePool = () => (poolEnded ??= pool.end());
  onCleanup(closePool);

  const system = systemActor();
  let seqName = 0;
  const kick = core.audit.kick;

  /** @type {Record<string, { op: (name: string) => Promise<unknown>, before?: () => void, after?: () => void }>} */
  const sides = {
    plain: { op: (name) => pool.query('INSERT INTO departments (name) VALUES ($1)', [name]) },
    audited: { op: (name) => core.departments.create(system, { name }) },
    // The plain row in an explicit transaction (BEGIN; INSERT; COMMIT): what the transaction
    // wrapper costs before any audit row.
    plainTransaction: {
      op: async (name) => {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          await c.query('INSERT INTO departments (name) VALUES ($1) RETURNING id', [name]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK').catch(() => {});
          throw e;
        } finally {
          c.release();
        }
      },
    },
    // The same two rows in one transaction with hand-written SQL on the plain pool: no core, no
    // drizzle, no chain kick (chained by the drain after the round). Isolates the cost of the
    // transaction itself from core's overhead.
    rawSqlTransaction: {
      op: async (name) => {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          const id = (await c.query('INSERT INTO departments (name) VALUES ($1) RETURNING id', [name])).rows[0].id;
          await c.query(RAW_AUDIT_INSERT, [new Date(), id, { name, parentId: null, headUserId: null }]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK').catch(() => {});
          throw e;
        } finally {
          c.release();
        }
      },
    },
    // The runner calls audit.kick() after each commit; for this round it does nothing.
    auditedDeferredChain: {
      op: (name) => core.departments.create(system, { name }),
      before: () => (core.audit.kick = () => {}),
      after: () => (core.audit.kick = kick),
    },
  };
  const sideNames = DIAGNOSTIC
    ? ['plain', 'audited', 'plainTransaction', 'rawSqlTransaction', 'auditedDeferredChain']
    : ['plain', 'audited'];

  /** `total` operations spread over `clients` concurrent loops; returns elapsed ms and latencies. */
  async function runLoops(side, clients, total) {
    const { op, before, after } = sides[side];
    const per = Math.ceil(total / clients);
    const lat = new Float64Array(per * clients);
    let k = 0;
    before?.();
    try {
      const cpu0 = process.cpuUsage();
      const t0 = now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          for (let i = 0; i < per; i++) {
            const s = now();
            await op(`${side}-${++seqName}`);
            lat[k++] = now() - s;
          }
        }),
      );
      const ms = now() - t0;
      const cpu = process.cpuUsage(cpu0);
      return { ops: per * clients, ms, cpuUs: cpu.user + cpu.system, lat: Array.from(lat.subarray(0, k)) };
    } finally {
      after?.();
    }
  }

  const pendingCount = async () =>
    Number((await core.database.query('SELECT count(*)::int AS n FROM audit_events WHERE seq IS NULL'))[0].n);

  /** Chain what a round left pending, so its backlog does not load the next round. */
  async function drain() {
    const pending = await pendingCount();
    const t0 = now();
    await core.audit.flush();
    return { pendingAfterRound: pending, drainMs: now() - t0 };
  }

  // Context for reading the figures: one round trip and one durable commit on this machine now.
  async function probe() {
    const c = await pool.connect();
    try {
      await c.query('CREATE TABLE IF NOT EXISTS bench_probe (x int)');
      const rtt = [];
      const commit = [];
      for (let i = 0; i < 200; i++) {
        let t = now();
        await c.query('SELECT 1');
        rtt.push(now() - t);
        t = now();
        await c.query('INSERT INTO bench_probe VALUES (1)'); // autocommit: one WAL flush
        commit.push(now() - t);
      }
      return { selectOneP50Ms: round(percentile(rtt, 50), 3), durableInsertP50Ms: round(percentile(commit, 50), 3) };
    } finally {
      c.release();
    }
  }
  const probeBefore = await probe();
  log(`round trip p50 ${probeBefore.selectOneP50Ms} ms, durable 1-row insert p50 ${probeBefore.durableInsertP50Ms} ms`);

  const results = [];
  for (const clients of CLIENT_COUNTS) {
    log(`${clients} client(s): warm-up ${WARMUP} ops per side`);
    for (const side of sideNames) await runLoops(side, clients, WARMUP);
    await drain();

    /** @type {Record<string, Array<Record<string, number>>>} */
    const rounds = Object.fromEntries(sideNames.map((s) => [s, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const side of sideNames) {
        // With --profile, the last audited round is CPU-profiled (and slowed: it does not count).
        const profileThis = profiling && side === 'audited' && r === ROUNDS - 1 && ROUNDS > 1;
        const entry = await measureRound(
          () => runLoops(side, clients, OPS),
          profileThis ? `audit-insert-${clients}-client${clients === 1 ? '' : 's'}` : null,
        );
        if (side !== 'plain' && side !== 'plainTransaction') {
          const d = await drain();
          Object.assign(entry, d, { rateIncludingChainDrain: (entry.ops / (entry.ms + d.drainMs)) * 1000 });
        }
        rounds[side].push(entry);
        log(
          `${clients} client(s) round ${r + 1} ${side.padEnd(20)} ${fmt(entry.rate).padStart(6)} ops/s  p50 ${entry.p50Ms.toFixed(2)} ms  p99 ${entry.p99Ms.toFixed(2)} ms  node cpu ${fmt(entry.nodeCpuUsPerOp)} us/op` +
            (entry.drainMs !== undefined ? `  (chain backlog ${entry.pendingAfterRound}, drained in ${entry.drainMs.toFixed(1)} ms)` : ''),
        );
      }
    }
    const best = (list) => {
      const unprofiled = list.filter((e) => !e.profiled);
      return (unprofiled.length ? unprofiled : list).reduce((a, b) => (b.rate > a.rate ? b : a));
    };
    const clean = (e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, typeof v === 'number' ? round(v, 3) : v]));
    const bp = best(rounds.plain);
    const ba = best(rounds.audited);
    const bd = DIAGNOSTIC ? best(rounds.auditedDeferredChain) : null;
    const bx = DIAGNOSTIC ? best(rounds.rawSqlTransaction) : null;
    const bt = DIAGNOSTIC ? best(rounds.plainTransaction) : null;
    results.push(
      makeResult({
        name: `audit-insert/${clients}-client${clients === 1 ? '' : 's'}`,
        description: `core.departments.create (row + audit event in one transaction, chained after commit), ${clients} concurrent client(s)`,
        metric: 'throughput',
        unit: 'ops/s',
        value: ba.rate,
        baseline: {
          description: `plain autocommit INSERT INTO departments via pg.Pool(max ${POOL_SIZE}), ${clients} concurrent client(s)`,
          value: bp.rate,
        },
        target: { ratio: TARGET_RATIO, text: `audited/plain >= ${TARGET_RATIO}, chain intact` },
        details: {
          clients,
          opsPerRound: OPS,
          warmupOpsPerSide: WARMUP,
          rounds: ROUNDS,
          order: `${sideNames.join(', ')} in turn; best round of each side`,
          poolSize: POOL_SIZE,
          best: Object.fromEntries(
            Object.entries({ plain: bp, audited: ba, plainTransaction: bt, rawSqlTransaction: bx, auditedDeferredChain: bd })
              .filter(([, v]) => v)
              .map(([k, v]) => [k, clean(v)]),
          ),
          allRounds: Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, v.map(clean)])),
          ratioIncludingChainDrain: round(ba.rateIncludingChainDrain / bp.rate, 4),
          ...(bd
            ? {
                // Each step from the baseline to the audited path, as a ratio to plain (best rounds).
                diagnostic: {
                  steps: {
                    plain: 1,
                    plainTransaction: round(bt.rate / bp.rate, 4),
                    rawSqlTransaction: round(bx.rate / bp.rate, 4),
                    auditedDeferredChain: round(bd.rate / bp.rate, 4),
                    audited: round(ba.rate / bp.rate, 4),
                  },
                  plainTransaction: {
                    what: 'BEGIN; INSERT department RETURNING id; COMMIT by hand on the plain pool: the transaction wrapper alone',
                    ratioToPlain: round(bt.rate / bp.rate, 4),
                  },
                  auditedDeferredChain: {
                    what: 'core.departments.create with the per-commit chain kick disabled; backlog chained by one flush after the round',
                    ratioToPlain: round(bd.rate / bp.rate, 4),
                    ratioToPlainIncludingChainDrain: round(bd.rateIncludingChainDrain / bp.rate, 4),
                  },
                  rawSqlTransaction: {
                    what: 'BEGIN; INSERT department RETURNING id; INSERT audit event; COMMIT by hand on the plain pool (no core, no drizzle); chained after the round',
                    ratioToPlain: round(bx.rate / bp.rate, 4),
                    ratioToPlainIncludingChainDrain: round(bx.rateIncludingChainDrain / bp.rate, 4),
                    auditedToRawSql: round(ba.rate / bx.rate, 4),
                  },
                },
              }
            : {}),
        },
      }),
    );
  }

  // The chain must be intact after the concurrent run.
  const pendingBefore = await pendingCount();
  const tf = now();
  await core.audit.flush();
  const finalFlushMs = now() - tf;
  const tv = now();
  const v = await core.audit.verify();
  const verifyMs = now() - tv;
  const counts = (
    await core.database.query(
      'SELECT (SELECT count(*)::int FROM audit_events) AS events, (SELECT count(*)::int FROM departments) AS departments',
    )
  )[0];
  log(
    `final flush ${finalFlushMs.toFixed(1)} ms (pending ${pendingBefore}); verify: intact=${v.intact} checked=${v.checkedEvents} in ${verifyMs.toFixed(0)} ms`,
  );

  const chain = {
    intact: v.intact,
    checkedEvents: v.checkedEvents,
    pendingEventsAfterVerify: v.pendingEvents,
    firstBrokenSeq: v.firstBrokenSeq,
    reason: v.reason,
    pendingBeforeFinalFlush: pendingBefore,
    finalFlushMs: round(finalFlushMs, 3),
    verifyMs: round(verifyMs, 1),
    auditEvents: Number(counts.events),
    departments: Number(counts.departments),
    chainErrors,
  };
  const probeAfter = await probe();
  await closePool();
  for (const r of results) {
    r.details.chain = chain;
    r.details.machineProbe = { before: probeBefore, after: probeAfter, loadavg: os.loadavg().map((l) => round(l, 2)) };
    r.details.postgres = { version: db.serverVersion, ...db.settings };
    // An intact chain is part of passing: a fast but broken audit path is not a pass.
    r.pass &&= v.intact && chainErrors === 0;
  }
  return results;
});
