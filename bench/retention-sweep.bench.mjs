// The retention sweep (P4.2) deleting 1,000,000 expired customers on PostgreSQL, against plain
// set-based SQL making the same row changes, in the same run; memory sampled during the sweep.
//
// Fill (SQL, timed in details.fill): one active consent-based purpose created through core (30 days
// after collection), then CUSTOS_BENCH_RETENTION_CUSTOMERS customers (1,000,000) inserted with
// INSERT ... SELECT FROM generate_series in chunks of 50,000, each customer like a bulk import
// 400 days ago: a customers row, a customer_keys row (random bytes as the wrapped key: nothing
// here unwraps it), 3 customer_fields rows (name, mobile, email; random bytes as ciphertext, a
// blind index on mobile), 1 consent_records grant (method import) and 3 consent_state rows. The
// fill connection skips foreign-key triggers (session_replication_role = replica). VACUUM
// ANALYZE and CHECKPOINT after the fill. Every customer is expired.
//
// Baseline: the same row changes as plain SQL in one transaction, one statement per table over the
//   whole set: DELETE FROM customer_field_history / customer_fields for the active customers,
//   UPDATE customer_keys SET wrapped_key = NULL ..., UPDATE customers SET status = 'deleted' ...,
//   then ROLLBACK (so the same rows are there for the sweep), then VACUUM ANALYZE + CHECKPOINT.
// Subject: core.retention.run(system, { batchSize }) — per batch of CUSTOS_BENCH_RETENTION_BATCH
//   (5,000) customers, one transaction: lock the page, load facts (fields, consent ledger and
//   state, relationship ends, holds, rules), plan (the same pure function as the dry run),
//   crypto-shred in set-based statements, one destruction record per customer, run progress,
//   the batch's audit event; then the audit chainer. Memory: RSS sampled every 100 ms.
// Value: customers/s of the sweep; baseline customers/s of the plain SQL. Target ratio >= 0.2 and
// peak RSS < 300 MB. Checked afterwards: every customer deleted, one destruction record each.

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
  profileSection,
  round,
  runBenchmark,
} from './lib/harness.mjs';

const TOTAL = Number(process.env.CUSTOS_BENCH_RETENTION_CUSTOMERS ?? 1_000_000);
const BATCH = Number(process.env.CUSTOS_BENCH_RETENTION_BATCH ?? 5000);
const CHUNK = 50_000;
const TARGET_RATIO = 0.2;
const TARGET_RSS_MB = 300;

await runBenchmark(async () => {
  const db = await createBenchDatabase();
  const logger = { info() {}, warn() {}, error: (obj, msg) => log(`core error: ${msg ?? ''} ${JSON.stringify(obj)}`) };
  const { core } = await openCore(db.url, { poolSize: 10, logger });
  const system = systemActor();

  // A consent-based purpose, active, through core.
  const dept = await core.departments.create(system, { name: 'bench-retention' });
  const purpose = await core.purposes.create(system, {
    code: 'bench_membership',
    name: { 'zh-CN': '会员服务', en: 'Membership' },
    description: { 'zh-CN': '会员积分', en: 'Membership points' },
    businessLine: 'retail',
    ownerDepartmentId: dept.id,
    legalBasis: 'consent',
    fields: ['name', 'mobile', 'email'],
    necessity: {},
    scenarios: [{ 'zh-CN': '积分', en: 'points' }],
    retention: { days: 30, trigger: 'collection' },
  });
  await core.database.query(
    `UPDATE purposes SET status = 'active', submitted_by = 'bench', approved_by = 'bench', activated_at = now() WHERE id = $1`,
    [purpose.id],
  );

  // ---------------------------------------------------------------------------------------------
  // Fill
  const bulk = new pg.Client({ connectionString: db.url });
  await bulk.connect();
  onCleanup(() => bulk.end());
  await bulk.query(`SET session_replication_role = replica`);
  await bulk.query(`SET synchronous_commit = off`);
  const tFill = now();
  for (let done = 0; done < TOTAL; done += CHUNK) {
    const n = Math.min(CHUNK, TOTAL - done);
    await bulk.query(
      `WITH c AS (
         INSERT INTO customers (created_at, updated_at, created_by)
         SELECT now() - interval '400 days', now() - interval '400 days', 'bench' FROM generate_series(1, $1)
         RETURNING id, created_at),
       k AS (
         INSERT INTO customer_keys (customer_id, suite, kek_version, wrapped_key, created_at)
         SELECT id, 'aes-256-gcm', 1, decode(md5(id::text) || md5(random()::text) || md5(random()::text), 'hex'), created_at FROM c),
       f AS (
         INSERT INTO customer_fields (customer_id, category_code, pi_type, ciphertext, data_key_version, blind_index, updated_at, updated_by)
         SELECT c.id, x.code, x.t, decode(md5(random()::text) || md5(random()::text), 'hex'), 1,
                CASE WHEN x.code = 'mobile' THEN substr(md5(random()::text), 1, 8) END, c.created_at, 'bench'
           FROM c CROSS JOIN (VALUES ('name', 'person_name'), ('mobile', 'cn_mobile'), ('email', 'email')) AS x(code, t)),
       r AS (
         INSERT INTO consent_records (customer_id, kind, purpose_id, purpose_code, purpose_version, scope, method, recorded_by, recorded_at)
         SELECT id, 'grant', $2::uuid, 'bench_membership', 1, '{name,mobile,email}', 'import', 'bench', created_at FROM c
         RETURNING id, customer_id, recorded_at)
       INSERT INTO consent_state (customer_id, purpose_code, category, status, separate, purpose_version, consent_id, given_at)
       SELECT r.customer_id, 'bench_membership', x, 'granted', false, 1, r.id, r.recorded_at
         FROM r CROSS JOIN unnest(ARRAY['name', 'mobile', 'email']) AS x`,
      [n, purpose.id],
    );
    if ((done + n) % 200_000 === 0 || done + n === TOTAL)
      log(`  filled ${fmt(done + n)} customers in ${((now() - tFill) / 1000).toFixed(0)} s`);
  }
  const fillMs = now() - tFill;
  const tv = now();
  for (const t of ['customers', 'customer_keys', 'customer_fields', 'consent_records', 'consent_state'])
    await bulk.query(`VACUUM ANALYZE ${t}`);
  await bulk.query('CHECKPOINT');
  const vacuumMs = now() - tv;
  const [{ fields }] = (await bulk.query(`SELECT count(*)::int AS fields FROM customer_fields`)).rows;
  log(
    `fill: ${fmt(TOTAL)} customers, ${fmt(fields)} field rows in ${(fillMs / 1000).toFixed(1)} s; vacuum+checkpoint ${(vacuumMs / 1000).toFixed(1)} s`,
  );

  // ---------------------------------------------------------------------------------------------
  // Baseline: the same row changes in plain SQL, rolled back.
  const plain = new pg.Client({ connectionString: db.url });
  await plain.connect();
  onCleanup(() => plain.end());
  const tb = now();
  await plain.query('BEGIN');
  await plain.query(`DELETE FROM customer_field_history WHERE customer_id IN (SELECT id FROM customers WHERE status = 'active')`);
  const delFields = await plain.query(
    `DELETE FROM customer_fields WHERE customer_id IN (SELECT id FROM customers WHERE status = 'active')`,
  );
  await plain.query(`UPDATE customer_keys SET wrapped_key = NULL, kek_version = NULL, destroyed_at = now() WHERE wrapped_key IS NOT NULL`);
  const upd = await plain.query(
    `UPDATE customers SET status = 'deleted', deleted_at = now(), deleted_by = 'plain', updated_at = now() WHERE status = 'active'`,
  );
  const baselineMs = now() - tb;
  await plain.query('ROLLBACK');
  if (upd.rowCount !== TOTAL) throw new Error(`baseline touched ${upd.rowCount} customers, expected ${TOTAL}`);
  log(
    `baseline: ${fmt(TOTAL)} customers (${fmt(delFields.rowCount)} field rows) in ${(baselineMs / 1000).toFixed(1)} s = ${fmt(TOTAL / (baselineMs / 1000))}/s`,
  );
  const tv2 = now();
  for (const t of ['customers', 'customer_keys', 'customer_fields']) await bulk.query(`VACUUM ANALYZE ${t}`);
  await bulk.query('CHECKPOINT');
  log(`vacuum+checkpoint after the rolled-back baseline: ${((now() - tv2) / 1000).toFixed(1)} s`);

  // ---------------------------------------------------------------------------------------------
  // The sweep.
  const preview = await core.retention.preview(system, { limit: 0 });
  if (preview.counts.deleted !== TOTAL) throw new Error(`the dry run plans ${preview.counts.deleted} deletions, expected ${TOTAL}`);
  let peakRss = process.memoryUsage().rss;
  const rssAtStart = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  let lastLog = now();
  const ts = now();
  const run = await profileSection('retention-sweep', () =>
    core.retention.run(
      system,
      { batchSize: BATCH },
      {
        afterBatch: (b) => {
          if (now() - lastLog > 10_000) {
            lastLog = now();
            log(
              `  sweep: ${fmt(b * BATCH)} customers in ${((now() - ts) / 1000).toFixed(0)} s, rss ${fmt(process.memoryUsage().rss / 2 ** 20)} MiB`,
            );
          }
        },
      },
    ),
  );
  const sweepMs = now() - ts;
  await core.audit.flush();
  const chainMs = now() - ts - sweepMs;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  log(
    `sweep: ${fmt(run.counts.deleted)} deleted in ${(sweepMs / 1000).toFixed(1)} s = ${fmt(TOTAL / (sweepMs / 1000))}/s; peak rss ${fmt(peakRss / 2 ** 20)} MiB; audit chain flush ${(chainMs / 1000).toFixed(1)} s`,
  );

  const [check] = (
    await bulk.query(
      `SELECT (SELECT count(*)::int FROM customers WHERE status = 'active') AS active,
              (SELECT count(*)::int FROM customer_fields) AS fields,
              (SELECT count(*)::int FROM customer_keys WHERE wrapped_key IS NOT NULL) AS keys,
              (SELECT count(*)::int FROM retention_destructions) AS records,
              (SELECT count(DISTINCT customer_id)::int FROM retention_destructions) AS customers`,
    )
  ).rows;
  if (check.active || check.fields || check.keys || check.records !== TOTAL || check.customers !== TOTAL)
    throw new Error(`after the sweep: ${JSON.stringify(check)}`);

  const rate = TOTAL / (sweepMs / 1000);
  const baseRate = TOTAL / (baselineMs / 1000);
  const result = makeResult({
    name: `retention-sweep/delete-${TOTAL >= 1e6 ? `${TOTAL / 1e6}M` : `${TOTAL / 1e3}k`}`,
    description: `core.retention.run deleting ${fmt(TOTAL)} expired customers (crypto-shred, destruction record each, audited batches of ${fmt(BATCH)})`,
    metric: 'customers/s',
    unit: 'customers/s',
    value: rate,
    baseline: { description: 'the same row changes as plain set-based SQL in one transaction (rolled back)', value: baseRate },
    target: { ratio: TARGET_RATIO, text: `ratio >= ${TARGET_RATIO} and peak RSS < ${TARGET_RSS_MB} MB` },
    details: {
      customers: TOTAL,
      batchSize: BATCH,
      sweepSeconds: round(sweepMs / 1000, 1),
      baselineSeconds: round(baselineMs / 1000, 1),
      auditChainFlushSecondsAfter: round(chainMs / 1000, 1),
      peakRssMiB: round(peakRss / 2 ** 20, 0),
      rssAtStartMiB: round(rssAtStart / 2 ** 20, 0),
      run: { id: run.id, batches: run.batches, counts: run.counts },
      fill: { seconds: round(fillMs / 1000, 1), vacuumCheckpointSeconds: round(vacuumMs / 1000, 1), fieldRows: fields },
      postgres: { version: db.serverVersion, ...db.settings },
      loadavgAtEnd: os.loadavg().map((l) => round(l, 2)),
    },
  });
  if (peakRss / 2 ** 20 >= TARGET_RSS_MB) result.pass = false;
  return [result];
});
