// Creating a customer with 10 PI fields through the vault vs plain inserts of the same rows, on
// PostgreSQL, with 1 client and with 8 concurrent clients.
//
// Vault (the subject): core.customers.create(staff, { fields }) with 10 valid values (name,
//   gender, date_of_birth, resident_id, mobile, landline, email, address, bank_card,
//   preferences): authorize, validate + normalise every value against its catalogue category, a
//   fresh data key wrapped by the key provider, each value encrypted (aes-256-gcm) under it with
//   its own AAD, blind indexes for resident_id / mobile / email, the customer, key and field rows
//   and the audit event in one transaction, then the audit chainer after commit.
// Plain (the baseline): the same rows without the vault: in one transaction on a pg.Pool of the
//   same size, INSERT customers RETURNING id, INSERT customer_keys (a random 61-byte wrapped key,
//   the size the local provider produces), INSERT the 10 customer_fields rows in one statement
//   (random bytea of each value's ciphertext size, random 8-hex blind indexes on the same three
//   fields). No audit event, no crypto, no validation.
//
// Same customers (values generated before the timed loops) and same count on both sides, warm-up
// first, sides alternate (plain, vault, plain, vault) and the best round of each side counts.
// Target: vault/plain >= 0.3 for each client count; the audit chain must be intact at the end.
//
// Diagnostic only (details, not the target): `vaultDeferredChain`, the vault path with the
//   after-commit chain kick switched off for the round (the backlog chained by one flush after
//   it): what the per-commit audit chaining transaction costs the create.
//
// Environment: CUSTOS_BENCH_CREATE_OPS (1000 customers per round), CUSTOS_BENCH_CREATE_WARMUP
// (100), CUSTOS_BENCH_CREATE_ROUNDS (2), CUSTOS_BENCH_CREATE_CLIENTS (1,8),
// CUSTOS_BENCH_CREATE_DIAGNOSTIC (1; 0 skips the diagnostic side).

import crypto from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { getPiType, systemActor } from '@custos/core';
import {
  createBenchDatabase,
  fmt,
  log,
  makeResult,
  now,
  onCleanup,
  openCore,
  measureRound,
  profiling,
  round,
  runBenchmark,
} from './lib/harness.mjs';
import { FIELD_TYPES, INDEXED, piValues } from './lib/pi-values.mjs';

const OPS = Number(process.env.CUSTOS_BENCH_CREATE_OPS ?? 1000);
const WARMUP = Number(process.env.CUSTOS_BENCH_CREATE_WARMUP ?? 100);
const ROUNDS = Number(process.env.CUSTOS_BENCH_CREATE_ROUNDS ?? 2);
const CLIENT_COUNTS = (process.env.CUSTOS_BENCH_CREATE_CLIENTS ?? '1,8').split(',').map(Number);
const DIAGNOSTIC = process.env.CUSTOS_BENCH_CREATE_DIAGNOSTIC !== '0';
const POOL_SIZE = 10;
const TARGET_RATIO = 0.3;
/** aes-256-gcm overhead: format byte + 12-byte IV + 16-byte tag. */
const AES_OVERHEAD = 29;
/** A 32-byte data key wrapped by the local provider (aes-256-gcm format). */
const WRAPPED_KEY_BYTES = 32 + AES_OVERHEAD;

// ---------------------------------------------------------------------------------------------
const { customerFields } = piValues((n) => crypto.randomInt(n));

/** The plain side's rows for the same values: random bytes of each ciphertext's size. */
function plainRows(fields) {
  return Object.entries(fields).map(([field, value]) => {
    const type = getPiType(FIELD_TYPES[field]);
    const size = Buffer.byteLength(type.normalize(value), 'utf8') + AES_OVERHEAD;
    return [field, type.id, crypto.randomBytes(size), INDEXED.has(field) ? crypto.randomBytes(4).toString('hex') : null];
  });
}

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

  // The staff member who creates the customers.
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

  // Every customer's values, generated (and checked valid, through one real create) up front.
  const probeCustomer = await core.customers.create(staff, { fields: customerFields() });
  if (probeCustomer.fields.length !== 10) throw new Error(`expected 10 stored fields, got ${probeCustomer.fields.length}`);
  const maxClients = Math.max(...CLIENT_COUNTS);
  const perRound = Math.ceil(OPS / maxClients) * maxClients;
  const genCount = CLIENT_COUNTS.length * 3 * (WARMUP + ROUNDS * perRound) + 16;
  const t0 = now();
  const values = Array.from({ length: genCount }, () => {
    const fields = customerFields();
    return { fields, rows: plainRows(fields) };
  });
  log(`generated ${fmt(values.length)} customers' values in ${(now() - t0).toFixed(0)} ms`);
  let next = 0;
  const take = () => values[next++ % values.length];

  const fieldSql = `INSERT INTO customer_fields (customer_id, category_code, pi_type, ciphertext, data_key_version, blind_index, updated_by) VALUES ${Array.from(
    { length: 10 },
    (_, i) => `($1, $${i * 4 + 3}, $${i * 4 + 4}, $${i * 4 + 5}, 1, $${i * 4 + 6}, $2)`,
  ).join(', ')}`;

  const kick = core.audit.kick;
  const sides = {
    plain: {
      op: async ({ rows }) => {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          const id = (await c.query('INSERT INTO customers (created_by) VALUES ($1) RETURNING id', [username])).rows[0].id;
          await c.query(
            `INSERT INTO customer_keys (customer_id, data_key_version, suite, kek_version, wrapped_key) VALUES ($1, 1, 'aes-256-gcm', 1, $2)`,
            [id, crypto.randomBytes(WRAPPED_KEY_BYTES)],
          );
          await c.query(fieldSql, [id, username, ...rows.flat()]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK').catch(() => {});
          throw e;
        } finally {
          c.release();
        }
      },
    },
    vault: { op: ({ fields }) => core.customers.create(staff, { fields }) },
    // The runner kicks the chainer after each commit; for this round the kick does nothing.
    vaultDeferredChain: {
      op: ({ fields }) => core.customers.create(staff, { fields }),
      before: () => (core.audit.kick = () => {}),
      after: () => (core.audit.kick = kick),
    },
  };
  const sideNames = DIAGNOSTIC ? ['plain', 'vault', 'vaultDeferredChain'] : ['plain', 'vault'];

  async function runLoops(side, clients, total) {
    const { op, before, after } = sides[side];
    before?.();
    try {
      return await timeLoops(op, clients, total);
    } finally {
      after?.();
    }
  }

  async function timeLoops(op, clients, total) {
    const per = Math.ceil(total / clients);
    const lat = new Float64Array(per * clients);
    let k = 0;
    const cpu0 = process.cpuUsage();
    const t = now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let i = 0; i < per; i++) {
          const v = take();
          const s = now();
          await op(v);
          lat[k++] = now() - s;
        }
      }),
    );
    const ms = now() - t;
    const cpu = process.cpuUsage(cpu0);
    return { ops: per * clients, ms, cpuUs: cpu.user + cpu.system, lat: Array.from(lat.subarray(0, k)) };
  }

  const pendingCount = async () =>
    Number((await core.database.query('SELECT count(*)::int AS n FROM audit_events WHERE seq IS NULL'))[0].n);
  async function drain() {
    const pending = await pendingCount();
    const t = now();
    await core.audit.flush();
    return { pendingAfterRound: pending, drainMs: now() - t };
  }

  const results = [];
  for (const clients of CLIENT_COUNTS) {
    log(`${clients} client(s): warm-up ${WARMUP} customers per side`);
    for (const side of sideNames) await runLoops(side, clients, WARMUP);
    await drain();
    const rounds = Object.fromEntries(sideNames.map((s) => [s, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const side of sideNames) {
        // With --profile, the last vault round is CPU-profiled (and slowed: it does not count).
        const profileThis = profiling && side === 'vault' && r === ROUNDS - 1 && ROUNDS > 1;
        const entry = await measureRound(
          () => runLoops(side, clients, OPS),
          profileThis ? `vault-create-${clients}-client${clients === 1 ? '' : 's'}` : null,
        );
        if (side !== 'plain') {
          const d = await drain();
          Object.assign(entry, d, { rateIncludingChainDrain: (entry.ops / (entry.ms + d.drainMs)) * 1000 });
        }
        rounds[side].push(entry);
        log(
          `${clients} client(s) round ${r + 1} ${side.padEnd(18)} ${fmt(entry.rate).padStart(6)} customers/s  p50 ${entry.p50Ms.toFixed(2)} ms  p99 ${entry.p99Ms.toFixed(2)} ms  node cpu ${fmt(entry.nodeCpuUsPerOp)} us/op` +
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
    const bv = best(rounds.vault);
    const bd = DIAGNOSTIC ? best(rounds.vaultDeferredChain) : null;
    results.push(
      makeResult({
        name: `vault-create/${clients}-client${clients === 1 ? '' : 's'}`,
        description: `core.customers.create with 10 PI fields (validated, encrypted, blind-indexed, audited, one transaction), ${clients} concurrent client(s)`,
        metric: 'throughput',
        unit: 'customers/s',
        value: bv.rate,
        baseline: {
          description: `plain BEGIN; INSERT customers; INSERT customer_keys; INSERT 10 customer_fields (random bytea of the same sizes); COMMIT via pg.Pool(max ${POOL_SIZE}), ${clients} concurrent client(s)`,
          value: bp.rate,
        },
        target: { ratio: TARGET_RATIO, text: `vault/plain >= ${TARGET_RATIO}, chain intact` },
        details: {
          clients,
          customersPerRound: Math.ceil(OPS / clients) * clients,
          warmupPerSide: WARMUP,
          rounds: ROUNDS,
          order: `${sideNames.join(', ')} in turn; best round of each side`,
          poolSize: POOL_SIZE,
          fieldsPerCustomer: 10,
          best: { plain: clean(bp), vault: clean(bv), ...(bd ? { vaultDeferredChain: clean(bd) } : {}) },
          allRounds: Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, v.map(clean)])),
          ratioIncludingChainDrain: round(bv.rateIncludingChainDrain / bp.rate, 4),
          ...(bd
            ? {
                diagnostic: {
                  vaultDeferredChain: {
                    what: 'core.customers.create with the per-commit chain kick disabled; backlog chained by one flush after the round',
                    ratioToPlain: round(bd.rate / bp.rate, 4),
                    ratioToPlainIncludingChainDrain: round(bd.rateIncludingChainDrain / bp.rate, 4),
                  },
                },
              }
            : {}),
        },
      }),
    );
  }

  // Sanity: what the vault stored reads back (masked), and the chain is intact.
  const sample = await core.customers.get(staff, probeCustomer.id);
  if (sample.fields.length !== 10) throw new Error('the sample customer does not read back');
  const pendingBefore = await pendingCount();
  await core.audit.flush();
  const tv = now();
  const v = await core.audit.verify();
  const verifyMs = now() - tv;
  const counts = (
    await core.database.query(
      `SELECT (SELECT count(*)::int FROM customers) AS customers, (SELECT count(*)::int FROM customer_fields) AS fields,
              (SELECT count(*)::int FROM audit_events WHERE action = 'customer.created') AS created_events`,
    )
  )[0];
  log(
    `chain intact=${v.intact} (${v.checkedEvents} events, verified in ${verifyMs.toFixed(0)} ms); ${counts.customers} customers, ${counts.fields} field rows`,
  );
  await closePool();
  const chain = { intact: v.intact, checkedEvents: v.checkedEvents, pendingBeforeFinalFlush: pendingBefore, reason: v.reason, chainErrors };
  for (const r of results) {
    r.details.chain = chain;
    r.details.counts = {
      customers: Number(counts.customers),
      fieldRows: Number(counts.fields),
      customerCreatedEvents: Number(counts.created_events),
    };
    r.details.postgres = { version: db.serverVersion, ...db.settings };
    r.details.loadavgAtEnd = os.loadavg().map((l) => round(l, 2));
    r.pass &&= v.intact && chainErrors === 0;
  }
  return results;
});
