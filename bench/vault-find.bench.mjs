// Exact lookup of a customer by mobile number through the blind index, over 1,000,000 customers
// on PostgreSQL: latency percentiles of core.customers.find vs a plain indexed SELECT.
//
// Subject: core.customers.find(staff, { piType: 'cn_mobile', value }): validate + normalise the
//   number, blind index (HMAC-SHA256 under the vault's blind-index key, truncated to 32 bits),
//   indexed candidate query joined with customer_keys, unwrap + decrypt each candidate to drop
//   false positives, masked read of every match (customer, key, catalogue, fields, all decrypted
//   and masked), the customer.searched audit event, commit, then the audit chainer.
// Baseline: SELECT customer_id FROM customer_fields WHERE pi_type = 'cn_mobile' AND blind_index = $1
//   on a pg.Pool, for the same keys (their blind indexes computed beforehand), same order.
// Lookups: CUSTOS_BENCH_FIND_LOOKUPS (2,000) per round, one client: a quarter the numbers of
//   customers created through core, a quarter those of bulk-filled customers, half numbers that
//   no customer has; a third of them written as '+86 1xx xxxx xxxx' (core normalises them).
//   Rounds alternate (baseline, core, baseline, core); the round with the lower p99 counts.
//   Target: core p99 < 5 ms. Every result is checked: 1 customer for an existing number, 0 otherwise.
//
// Fill (timed, reported in details.fill): one customer in every 1,000 is created through
// core.customers.create with the 10 fields of vault-create (the real path); the other 999 are
// bulk-inserted with SQL (INSERT ... SELECT FROM unnest(...), 5,000 customers per transaction,
// with the indexes and foreign keys in place), yet built the way core builds them, so they are
// indistinguishable from created ones:
// built the way core builds them (bench/lib/vault-fill.mjs), so they are indistinguishable from
// created ones and core finds and decrypts them like any other.
// CUSTOS_BENCH_FIND_BULK_FIELDS: 'all' (default: the 10 fields, like the customers created
// through core) or 'lookup' (only resident_id, mobile, email: a faster fill, same index size).
// Mobile numbers are distinct by construction (prefixes 130-189); the missing ones use 190-199.
// Memory stays flat: one batch at a time (the next batch is generated while the previous one is
// inserted). The bulk connection skips foreign-key triggers (session_replication_role = replica;
// the rows are valid by construction) and does not wait for WAL flush (synchronous_commit = off);
// the indexes are maintained as rows go in, as in a database that grew. VACUUM ANALYZE and
// CHECKPOINT after the fill. The database is dropped at the end.
//
// Diagnostic only (details): `coreDeferredChain`, the same lookups with the after-commit audit
// chain kick switched off for the round (what the chaining transaction after each lookup adds),
// and `machineProbe`: p50/p99 of SELECT 1 and of a durable one-row insert (one WAL flush), before
// and after the lookups, since every lookup commits an audit event.
//
// Environment: CUSTOS_BENCH_FIND_CUSTOMERS (1000000), CUSTOS_BENCH_FIND_LOOKUPS (2000),
// CUSTOS_BENCH_FIND_ROUNDS (2), CUSTOS_BENCH_FIND_BULK_FIELDS (all), CUSTOS_BENCH_FIND_DIAGNOSTIC
// (1; 0 skips the diagnostic side).

import crypto from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { blindIndex, systemActor } from '@custos/core';
import {
  createBenchDatabase,
  fmt,
  log,
  makeResult,
  now,
  onCleanup,
  openCore,
  percentile,
  profileSection,
  profiling,
  round,
  runBenchmark,
} from './lib/harness.mjs';
import { FIELD_TYPES, piValues } from './lib/pi-values.mjs';
import { openVaultFiller } from './lib/vault-fill.mjs';

const TOTAL = Number(process.env.CUSTOS_BENCH_FIND_CUSTOMERS ?? 1_000_000);
const LOOKUPS = Number(process.env.CUSTOS_BENCH_FIND_LOOKUPS ?? 2000);
const ROUNDS = Number(process.env.CUSTOS_BENCH_FIND_ROUNDS ?? 2);
const BULK_FIELDS = process.env.CUSTOS_BENCH_FIND_BULK_FIELDS ?? 'all';
const DIAGNOSTIC = process.env.CUSTOS_BENCH_FIND_DIAGNOSTIC !== '0';
const REAL_EVERY = 1000;
const BATCH = 5000;
const POOL_SIZE = 10;
const TARGET_P99_MS = 5;

if (!['all', 'lookup'].includes(BULK_FIELDS)) throw new Error(`CUSTOS_BENCH_FIND_BULK_FIELDS must be 'all' or 'lookup'`);
if (TOTAL < REAL_EVERY * 2 || TOTAL % BATCH !== 0) throw new Error(`CUSTOS_BENCH_FIND_CUSTOMERS must be a multiple of ${BATCH}`);

// ---------------------------------------------------------------------------------------------
// Values (bench/lib/pi-values.mjs)

const BULK_FIELD_NAMES = BULK_FIELDS === 'all' ? Object.keys(FIELD_TYPES) : ['resident_id', 'mobile', 'email'];

// A fast PRNG for the values (crypto.randomInt per digit would dominate the fill); keys and IVs
// still come from the CSPRNG.
let seed = crypto.randomBytes(4).readUInt32LE(0) | 1;
const rnd = (n) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return Math.floor(((seed >>> 0) / 2 ** 32) * n);
};
const { digits, customerFields } = piValues(rnd);

/** The distinct mobile number of customer i (prefixes 130-189; 1e8 suffixes each). */
const EXISTING_PREFIXES = Array.from({ length: 60 }, (_, k) => String(130 + k));
function mobileOf(i) {
  const p = EXISTING_PREFIXES.length;
  // (i mod p, floor(i/p)) is unique per i; multiplying by 7919 (coprime to 10^8) permutes the suffixes.
  const suffix = (Math.floor(i / p) * 7919 + 31_415_926) % 100_000_000;
  return EXISTING_PREFIXES[i % p] + String(suffix).padStart(8, '0');
}
/** A number no customer has (prefixes 190-199). */
const missingMobile = () => `19${rnd(10)}${digits(8)}`;

/** Present a number the way a caller might type it: plain, or '+86 1xx xxxx xxxx'. */
const presented = (mobile, k) => (k % 3 === 2 ? `+86 ${mobile.slice(0, 3)} ${mobile.slice(3, 7)} ${mobile.slice(7)}` : mobile);

await runBenchmark(async () => {
  const db = await createBenchDatabase();
  const logger = {
    info() {},
    warn() {},
    error(obj, msg) {
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
  const dept = await core.departments.create(system, { name: 'bench-customer-service' });
  const username = `bench.staff.${crypto.randomBytes(3).toString('hex')}`;
  const user = await core.users.create(system, {
    username,
    displayName: '基准测试员工',
    password: `Bench-${crypto.randomBytes(9).toString('base64url')}-42`,
    departmentId: dept.id,
    roles: ['staff'],
  });
  const staff = { type: 'user', userId: user.id, username, departmentId: dept.id, roles: ['staff'], authMethod: 'session' };

  // -------------------------------------------------------------------------------------------
  // Fill

  const filler = await openVaultFiller(core, db.url);
  const blindKey = filler.blindKey;
  const realIds = [];
  let verifiedBlindKey = false;

  /** One batch of bulk customers: every index in [start, start+BATCH) except the real ones. */
  function buildBatch(start) {
    const values = [];
    for (let i = start; i < start + BATCH; i++) {
      if (i % REAL_EVERY === 0) continue;
      const all = customerFields(mobileOf(i));
      values.push(Object.fromEntries(BULK_FIELD_NAMES.map((f) => [f, all[f]])));
    }
    return filler.build(values);
  }
  const insertBatch = (b) => filler.insert(b);

  /** The real customers of a batch, through core (indexes i with i % 1000 === 0). */
  async function createReal(start) {
    for (let i = start; i < start + BATCH; i += REAL_EVERY) {
      const mobile = mobileOf(i);
      const c = await core.customers.create(staff, { fields: customerFields(mobile) });
      realIds.push({ i, id: c.id, mobile });
      if (!verifiedBlindKey) {
        await filler.verifyBlindIndex(c.id, 'mobile', mobile);
        verifiedBlindKey = true;
      }
    }
  }

  log(
    `filling ${fmt(TOTAL)} customers (1 in ${REAL_EVERY} through core, bulk fields: ${BULK_FIELD_NAMES.length}) in batches of ${fmt(BATCH)}`,
  );
  const fill = { buildMs: 0, insertMs: 0, coreMs: 0, maxRssMiB: 0 };
  const tFill = now();
  // Pipeline: while batch k is inserted (and its real customers created through core), batch
  // k+1 is built (keys, wraps, encryption) in this process.
  let t = now();
  let next = await buildBatch(0);
  fill.buildMs += now() - t;
  await createReal(0); // verifies the blind-index key before any bulk row goes in
  for (let start = 0; start < TOTAL; start += BATCH) {
    const current = next;
    const ti = now();
    const inserting = insertBatch(current).then(() => (fill.insertMs += now() - ti));
    const tc = now();
    const creating = (start === 0 ? Promise.resolve() : createReal(start)).then(() => (fill.coreMs += now() - tc));
    if (start + BATCH < TOTAL) {
      t = now();
      next = await buildBatch(start + BATCH);
      fill.buildMs += now() - t;
    }
    await Promise.all([inserting, creating]);
    const done = start + BATCH;
    fill.maxRssMiB = Math.max(fill.maxRssMiB, process.memoryUsage().rss / 2 ** 20);
    if (done % 100_000 === 0 || done === TOTAL) {
      const s = (now() - tFill) / 1000;
      log(`  ${fmt(done)} customers in ${s.toFixed(0)} s (${fmt(done / s)}/s), rss ${fmt(process.memoryUsage().rss / 2 ** 20)} MiB`);
    }
  }
  fill.totalMs = now() - tFill;
  await core.audit.flush();
  const tv = now();
  await filler.settle();
  fill.vacuumAnalyzeCheckpointMs = now() - tv;
  const [counts] = await core.database.query(
    `SELECT (SELECT count(*)::int FROM customers) AS customers, (SELECT count(*)::int FROM customer_fields) AS fields,
            (SELECT count(*)::int FROM customer_fields WHERE pi_type = 'cn_mobile') AS mobiles,
            pg_total_relation_size('customer_fields') AS fields_bytes, pg_relation_size('customer_fields_blind_idx') AS blind_idx_bytes,
            pg_total_relation_size('customer_keys') AS keys_bytes, pg_database_size(current_database()) AS db_bytes`,
  );
  const sizes = {
    customers: Number(counts.customers),
    fieldRows: Number(counts.fields),
    mobileRows: Number(counts.mobiles),
    customerFieldsMiB: round(Number(counts.fields_bytes) / 2 ** 20, 1),
    blindIndexMiB: round(Number(counts.blind_idx_bytes) / 2 ** 20, 1),
    customerKeysMiB: round(Number(counts.keys_bytes) / 2 ** 20, 1),
    databaseMiB: round(Number(counts.db_bytes) / 2 ** 20, 1),
  };
  log(
    `fill: ${fmt(sizes.customers)} customers, ${fmt(sizes.fieldRows)} field rows in ${(fill.totalMs / 1000).toFixed(1)} s ` +
      `(${fmt(sizes.customers / (fill.totalMs / 1000))}/s; build ${(fill.buildMs / 1000).toFixed(1)} s, insert ${(fill.insertMs / 1000).toFixed(1)} s, core ${(fill.coreMs / 1000).toFixed(1)} s overlapping); ` +
      `vacuum+checkpoint ${(fill.vacuumAnalyzeCheckpointMs / 1000).toFixed(1)} s; database ${fmt(sizes.databaseMiB)} MiB, blind index ${sizes.blindIndexMiB} MiB`,
  );
  if (sizes.customers !== TOTAL) throw new Error(`expected ${TOTAL} customers, found ${sizes.customers}`);

  // -------------------------------------------------------------------------------------------
  // Lookups

  const lookups = [];
  for (let k = 0; k < LOOKUPS; k++) {
    let mobile;
    let kind;
    if (k % 4 === 0) {
      kind = 'core';
      mobile = realIds[rnd(realIds.length)].mobile;
    } else if (k % 4 === 1) {
      kind = 'bulk';
      let i;
      do i = rnd(TOTAL);
      while (i % REAL_EVERY === 0);
      mobile = mobileOf(i);
    } else {
      kind = 'missing';
      mobile = missingMobile();
    }
    lookups.push({
      kind,
      value: presented(mobile, k),
      index: blindIndex(blindKey, 'cn_mobile', mobile),
      expect: kind === 'missing' ? 0 : 1,
    });
  }
  // Shuffle so kinds interleave.
  for (let k = lookups.length - 1; k > 0; k--) {
    const j = rnd(k + 1);
    [lookups[k], lookups[j]] = [lookups[j], lookups[k]];
  }

  // Context: one round trip and one durable commit on this machine now.
  async function probe() {
    const c = await pool.connect();
    try {
      await c.query('CREATE TABLE IF NOT EXISTS bench_probe (x int)');
      const rtt = [];
      const commit = [];
      for (let i = 0; i < 200; i++) {
        let t0 = now();
        await c.query('SELECT 1');
        rtt.push(now() - t0);
        t0 = now();
        await c.query('INSERT INTO bench_probe VALUES (1)');
        commit.push(now() - t0);
      }
      const q = (a) => ({ p50Ms: round(percentile(a, 50), 3), p99Ms: round(percentile(a, 99), 3) });
      return { selectOne: q(rtt), durableInsert: q(commit) };
    } finally {
      c.release();
    }
  }

  let wrong = 0;
  const kick = core.audit.kick;
  const findOne = async (l) => {
    const found = await core.customers.find(staff, { piType: 'cn_mobile', value: l.value });
    if (found.length !== l.expect) wrong++;
  };
  const sides = {
    plain: async (l) => {
      const r = await pool.query(`SELECT customer_id FROM customer_fields WHERE pi_type = 'cn_mobile' AND blind_index = $1`, [l.index]);
      // Index only: a 32-bit index may have false positives (none expected at this size).
      if (r.rows.length < l.expect) wrong++;
    },
    core: findOne,
    coreDeferredChain: findOne,
  };
  const sideNames = DIAGNOSTIC ? ['plain', 'core', 'coreDeferredChain'] : ['plain', 'core'];

  async function pass(side, list) {
    const lat = new Float64Array(list.length);
    const byKind = { core: [], bulk: [], missing: [] };
    // The runner kicks the chainer after each commit; for the deferred side the kick does nothing.
    if (side === 'coreDeferredChain') core.audit.kick = () => {};
    try {
      for (let k = 0; k < list.length; k++) {
        const s = now();
        await sides[side](list[k]);
        lat[k] = now() - s;
        byKind[list[k].kind].push(lat[k]);
      }
    } finally {
      core.audit.kick = kick;
    }
    return { lat: Array.from(lat), byKind };
  }

  const probeBefore = await probe();
  log(
    `round trip p50 ${probeBefore.selectOne.p50Ms} ms, durable 1-row insert p50 ${probeBefore.durableInsert.p50Ms} ms p99 ${probeBefore.durableInsert.p99Ms} ms`,
  );
  log(`warm-up: ${Math.min(200, LOOKUPS)} lookups per side`);
  for (const side of sideNames) await pass(side, lookups.slice(0, 200));
  await core.audit.flush();
  wrong = 0;

  const rounds = Object.fromEntries(sideNames.map((s) => [s, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of sideNames) {
      const load1 = os.loadavg()[0];
      const profileThis = profiling && side === 'core' && r === ROUNDS - 1 && ROUNDS > 1;
      const run = profileThis ? await profileSection('vault-find', () => pass(side, lookups)) : await pass(side, lookups);
      const stats = (a) => ({
        p50Ms: percentile(a, 50),
        p95Ms: percentile(a, 95),
        p99Ms: percentile(a, 99),
        maxMs: Math.max(...a),
        n: a.length,
      });
      const entry = {
        ...stats(run.lat),
        byKind: Object.fromEntries(Object.entries(run.byKind).map(([k, v]) => [k, stats(v)])),
        loadavg1: load1,
        ...(profileThis ? { profiled: true } : {}),
      };
      rounds[side].push(entry);
      log(
        `round ${r + 1} ${side.padEnd(17)} p50 ${entry.p50Ms.toFixed(2)} ms  p95 ${entry.p95Ms.toFixed(2)} ms  p99 ${entry.p99Ms.toFixed(2)} ms  max ${entry.maxMs.toFixed(1)} ms` +
          `  | p99 by kind: ${Object.entries(entry.byKind)
            .map(([k, v]) => `${k} ${v.p99Ms.toFixed(2)}`)
            .join(', ')}`,
      );
      if (side !== 'plain') await core.audit.flush();
    }
  }
  if (wrong) throw new Error(`${wrong} lookups returned the wrong number of customers`);

  const best = (list) => {
    const unprofiled = list.filter((e) => !e.profiled);
    return (unprofiled.length ? unprofiled : list).reduce((a, b) => (b.p99Ms < a.p99Ms ? b : a));
  };
  const clean = (e) =>
    Object.fromEntries(
      Object.entries(e).map(([k, v]) => [k, typeof v === 'number' ? round(v, 3) : v && typeof v === 'object' ? clean(v) : v]),
    );
  const bc = best(rounds.core);
  const bp = best(rounds.plain);
  const bd = DIAGNOSTIC ? best(rounds.coreDeferredChain) : null;
  const probeAfter = await probe();
  await closePool();
  return [
    makeResult({
      name: 'vault-find/cn_mobile-1M',
      description: `core.customers.find by mobile (blind index, candidate decrypt, masked read, audited) over ${fmt(TOTAL)} customers; p99 of ${fmt(LOOKUPS)} lookups (1/4 core-created, 1/4 bulk, 1/2 missing)`,
      metric: 'latency p99',
      unit: 'ms',
      value: bc.p99Ms,
      baseline: {
        description: `plain indexed SELECT customer_id FROM customer_fields WHERE pi_type = 'cn_mobile' AND blind_index = $1, same keys, p99`,
        value: bp.p99Ms,
      },
      target: { max: TARGET_P99_MS, text: `p99 < ${TARGET_P99_MS} ms` },
      details: {
        lookupsPerRound: LOOKUPS,
        rounds: ROUNDS,
        order: 'plain, core in turn; the round with the lower p99 of each side counts',
        best: { core: clean(bc), plain: clean(bp) },
        allRounds: Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, v.map(clean)])),
        ...(bd
          ? {
              diagnostic: {
                coreDeferredChain: {
                  what: 'the same lookups with the per-commit audit chain kick disabled; chained by one flush after the round',
                  best: clean(bd),
                },
              },
            }
          : {}),
        machineProbe: { before: probeBefore, after: probeAfter },
        fill: {
          customers: TOTAL,
          throughCore: realIds.length,
          bulkFields: BULK_FIELD_NAMES,
          totalSeconds: round(fill.totalMs / 1000, 1),
          customersPerSecond: round(TOTAL / (fill.totalMs / 1000), 0),
          buildSeconds: round(fill.buildMs / 1000, 1),
          insertSeconds: round(fill.insertMs / 1000, 1),
          coreCreateSeconds: round(fill.coreMs / 1000, 1),
          vacuumAnalyzeCheckpointSeconds: round(fill.vacuumAnalyzeCheckpointMs / 1000, 1),
          maxRssMiB: round(fill.maxRssMiB, 0),
          method:
            "1 in 1,000 through core.customers.create; the rest bulk-inserted (unnest, 5,000 per transaction) with a fresh data key each, wrapped under the key file's current KEK as the local provider wraps (checked through provider.unwrap), core encryptField/fieldAad ciphertexts and core blindIndex under the real blind-index key",
        },
        sizes,
        postgres: { version: db.serverVersion, ...db.settings },
        loadavgAtEnd: os.loadavg().map((l) => round(l, 2)),
      },
    }),
  ];
});
