// A de-identified export of 1,000,000 customers on PostgreSQL (P5.3): rows per second of
// core.exports.create + download against `COPY ... TO STDOUT` of the same encrypted rows, in the
// same run, and the process's peak memory during the export.
//
// Fill (timed, details.fill): a consent-based purpose, active, created through core; a department
// holding it; a use application for an export of name, mobile and email, approved by the
// department head and a management approver through core (the grant). Then
// CUSTOS_BENCH_EXPORT_CUSTOMERS (1,000,000) customers bulk-filled the way core builds them
// (bench/lib/vault-fill.mjs: own data key, wrapped under the KEK; encrypted name, mobile, email),
// 5,000 per transaction, and their consent as a bulk import would record it (one consent_records
// grant, three consent_state rows each). VACUUM ANALYZE + CHECKPOINT after the fill.
//
// Baseline: COPY (SELECT the customer id, its wrapped data key, category and ciphertext of the
//   three fields, for active customers) TO STDOUT through pg-copy-streams, bytes counted and
//   dropped: the encrypted rows leaving the database as fast as PostgreSQL can send them.
// Subject (in a process of its own, bench/lib/export-child.mjs, as a server runs it):
//   core.exports.create(staff, { grant, spec: name -> display mask, mobile -> pseudonym
//   (HMAC, per recipient and export), email -> mask keeping the first character, k = 5 }, format
//   csv): every customer's consent checked, its data key unwrapped, its three values decrypted and
//   de-identified, CSV written through the encrypted file, the export record and audit event; then
//   downloadExport streamed to nowhere (decrypting the file), its lines counted and its SHA-256
//   checked against the record. Memory: that process's RSS sampled every 100 ms from after core
//   opens to the end of the download.
// Value: customers/s of the subject; baseline customers/s of COPY. The ratio is reported (the
// issue sets no ratio target); target: peak RSS < 300 MB.

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { systemActor } from '@custos/core';
import { createBenchDatabase, fmt, log, makeResult, now, onCleanup, openCore, round, runBenchmark } from './lib/harness.mjs';
import { piValues } from './lib/pi-values.mjs';
import { openVaultFiller } from './lib/vault-fill.mjs';

const TOTAL = Number(process.env.CUSTOS_BENCH_EXPORT_CUSTOMERS ?? 1_000_000);
const BATCH = 5000;
const TARGET_RSS_MB = 300;
const FIELDS = ['name', 'mobile', 'email'];
const CHILD = fileURLToPath(new URL('./lib/export-child.mjs', import.meta.url));

let seed = crypto.randomBytes(4).readUInt32LE(0) | 1;
const rnd = (n) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return Math.floor(((seed >>> 0) / 2 ** 32) * n);
};
const { customerFields } = piValues(rnd);

await runBenchmark(async () => {
  if (TOTAL % BATCH !== 0) throw new Error(`CUSTOS_BENCH_EXPORT_CUSTOMERS must be a multiple of ${BATCH}`);
  const db = await createBenchDatabase();
  const logger = { info() {}, warn() {}, error: (obj, msg) => log(`core error: ${msg ?? ''} ${JSON.stringify(obj)}`) };
  const { core } = await openCore(db.url, { poolSize: 4, logger });
  const system = systemActor();

  // Purpose, department, users and the export grant, through core.
  const dept = await core.departments.create(system, { name: 'bench-export' });
  const user = async (roles) => {
    const username = `bench.${roles[0]}.${crypto.randomBytes(3).toString('hex')}`;
    const u = await core.users.create(system, {
      username,
      displayName: '基准测试',
      password: `Bench-${crypto.randomBytes(9).toString('base64url')}-42`,
      departmentId: dept.id,
      roles,
    });
    return { type: 'user', userId: u.id, username, departmentId: dept.id, roles, authMethod: 'session' };
  };
  const staff = await user(['staff']);
  const head = await user(['department_head']);
  const manager = await user(['management_approver']);
  const purpose = await core.purposes.create(system, {
    code: 'bench_membership',
    name: { 'zh-CN': '会员服务', en: 'Membership' },
    description: { 'zh-CN': '会员积分', en: 'Membership points' },
    businessLine: 'retail',
    ownerDepartmentId: dept.id,
    legalBasis: 'consent',
    fields: FIELDS,
    necessity: {},
    scenarios: [{ 'zh-CN': '积分', en: 'points' }],
    retention: { days: 1095, trigger: 'collection' },
  });
  await core.database.query(
    `UPDATE purposes SET status = 'active', submitted_by = 'bench', approved_by = 'bench', activated_at = now() WHERE id = $1`,
    [purpose.id],
  );
  core.policy.invalidatePurposes();
  await core.customers.setDepartmentPurposes(system, dept.id, { purposes: ['bench_membership'] });
  const app = await core.use.create(staff, {
    purposeCode: 'bench_membership',
    scenario: '会员结构分析',
    fields: FIELDS,
    customerScope: { kind: 'all' },
    method: 'export',
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    validUntil: new Date(Date.now() + 86_400_000).toISOString(),
    justification: '基准测试：百万客户去标识化导出',
  });
  await core.use.submit(staff, app.id);
  await core.use.review(head, app.id, { decision: 'approve' });
  const { grantId } = await core.use.review(manager, app.id, { decision: 'approve' });
  if (!grantId) throw new Error('the use application did not become a grant');

  // -------------------------------------------------------------------------------------------
  // Fill
  const filler = await openVaultFiller(core, db.url);
  log(`filling ${fmt(TOTAL)} customers (${FIELDS.join(', ')}) in batches of ${fmt(BATCH)}`);
  const tFill = now();
  const batchValues = (n) =>
    Array.from({ length: n }, () => {
      const v = customerFields(`13${rnd(10)}${String(rnd(1e8)).padStart(8, '0')}1`.slice(0, 11));
      return { name: v.name, mobile: v.mobile, email: v.email };
    });
  let next = filler.build(batchValues(BATCH));
  for (let done = 0; done < TOTAL; done += BATCH) {
    const current = await next;
    const inserting = filler.insert(current);
    if (done + BATCH < TOTAL) next = filler.build(batchValues(BATCH));
    await inserting;
    if ((done + BATCH) % 200_000 === 0) log(`  ${fmt(done + BATCH)} customers in ${((now() - tFill) / 1000).toFixed(0)} s`);
  }
  // Consent as a bulk import records it: one ledger grant and three state rows per customer.
  await filler.client.query(
    `WITH r AS (
       INSERT INTO consent_records (customer_id, kind, purpose_id, purpose_code, purpose_version, scope, method, recorded_by)
       SELECT id, 'grant', $1::uuid, 'bench_membership', 1, $2::text[], 'import', 'bench' FROM customers
       RETURNING id, customer_id, recorded_at)
     INSERT INTO consent_state (customer_id, purpose_code, category, status, separate, purpose_version, consent_id, given_at)
     SELECT r.customer_id, 'bench_membership', x, 'granted', false, 1, r.id, r.recorded_at FROM r CROSS JOIN unnest($2::text[]) AS x`,
    [purpose.id, FIELDS],
  );
  const fillMs = now() - tFill;
  const tv = now();
  await filler.settle(['customers', 'customer_keys', 'customer_fields', 'consent_records', 'consent_state']);
  const vacuumMs = now() - tv;
  log(`fill: ${fmt(TOTAL)} customers in ${(fillMs / 1000).toFixed(1)} s; vacuum+checkpoint ${(vacuumMs / 1000).toFixed(1)} s`);

  // -------------------------------------------------------------------------------------------
  // Baseline: COPY of the same encrypted rows.
  const copyClient = new pg.Client({ connectionString: db.url });
  await copyClient.connect();
  onCleanup(() => copyClient.end());
  const copyOnce = async () => {
    let bytes = 0;
    const t = now();
    await pipeline(
      copyClient.query(
        copyTo(
          `COPY (SELECT c.id, k.wrapped_key, f.category_code, f.ciphertext
                   FROM customers c JOIN customer_keys k ON k.customer_id = c.id JOIN customer_fields f ON f.customer_id = c.id
                  WHERE c.status = 'active' AND f.category_code IN ('name', 'mobile', 'email')) TO STDOUT`,
        ),
      ),
      new Writable({
        write(chunk, _e, cb) {
          bytes += chunk.length;
          cb();
        },
      }),
    );
    return { ms: now() - t, bytes };
  };
  const base1 = await copyOnce();
  log(
    `baseline COPY: ${fmt(base1.bytes / 2 ** 20)} MiB in ${(base1.ms / 1000).toFixed(2)} s = ${fmt(TOTAL / (base1.ms / 1000))} customers/s`,
  );

  // -------------------------------------------------------------------------------------------
  // Subject: the export and its download, RSS sampled.
  const spec = {
    columns: [
      { field: 'name', role: 'identifier', piType: 'person_name', operator: { kind: 'display_mask' } },
      { field: 'mobile', role: 'identifier', piType: 'cn_mobile', operator: { kind: 'pseudonymise' } },
      { field: 'email', role: 'identifier', piType: 'email', operator: { kind: 'mask', keepFirst: 1, keepLast: 0 } },
    ],
    privacyModel: { k: 5, maxSuppression: 0 },
  };
  const child = spawnSync(process.execPath, [CHILD, JSON.stringify({ actor: staff, grantId, spec })], {
    env: { ...process.env, BENCH_DATABASE_URL: db.url, BENCH_DATA_DIR: core.config.dataDir },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`the export process failed: ${child.stderr.slice(-2000)}`);
  const r = JSON.parse(child.stdout.trim().split('\n').pop());
  const { createMs, downloadMs, peakMiB: peak, rssStartMiB: rssBefore } = r;
  const subjectMs = createMs + downloadMs;
  if (r.rowCount !== TOTAL || r.lines !== TOTAL + 1) throw new Error(`exported ${r.rowCount} rows, ${r.lines} lines; expected ${TOTAL}`);
  if (!r.sha256Match) throw new Error('the downloaded file does not match the recorded hash');
  const e = { fileBytes: r.fileBytes };
  log(
    `export: ${fmt(TOTAL)} customers, ${fmt(e.fileBytes / 2 ** 20)} MiB CSV: create ${(createMs / 1000).toFixed(1)} s + download ${(downloadMs / 1000).toFixed(1)} s = ` +
      `${fmt(TOTAL / (subjectMs / 1000))} customers/s; export process RSS ${fmt(rssBefore)} -> peak ${fmt(peak)} MiB ` +
      `(peak heap used ${fmt(r.peaks.heapUsedMiB)} MiB, external ${fmt(r.peaks.externalMiB)} MiB)`,
  );
  const base2 = await copyOnce();
  const baseMs = Math.min(base1.ms, base2.ms);
  log(`baseline COPY again: ${(base2.ms / 1000).toFixed(2)} s (the faster one counts)`);

  const value = TOTAL / (subjectMs / 1000);
  const baseRate = TOTAL / (baseMs / 1000);
  const result = makeResult({
    name: `export/${TOTAL >= 1e6 ? `${TOTAL / 1e6}M` : `${TOTAL / 1e3}k`}`,
    description: `core.exports.create + downloadExport of ${fmt(TOTAL)} customers (consent checked; display mask, pseudonym, mask; CSV through the encrypted file)`,
    metric: 'customers/s',
    unit: 'customers/s',
    value,
    baseline: { description: 'COPY (the same customers, wrapped keys and field ciphertexts) TO STDOUT, bytes dropped', value: baseRate },
    target: { text: `ratio reported (no ratio target); peak RSS < ${TARGET_RSS_MB} MB` },
    details: {
      customers: TOTAL,
      createSeconds: round(createMs / 1000, 2),
      downloadSeconds: round(downloadMs / 1000, 2),
      copySeconds: [round(base1.ms / 1000, 2), round(base2.ms / 1000, 2)],
      copyMiB: round(base1.bytes / 2 ** 20, 1),
      fileMiB: round(e.fileBytes / 2 ** 20, 1),
      peakRssMiB: round(peak, 0),
      peakHeapUsedMiB: round(r.peaks.heapUsedMiB, 0),
      peakExternalMiB: round(r.peaks.externalMiB, 0),
      rssAtStartMiB: round(rssBefore, 0),
      fill: { seconds: round(fillMs / 1000, 1), vacuumCheckpointSeconds: round(vacuumMs / 1000, 1) },
      postgres: { version: db.serverVersion, ...db.settings },
      loadavgAtEnd: os.loadavg().map((l) => round(l, 2)),
    },
  });
  if (peak >= TARGET_RSS_MB) result.pass = false;
  return [result];
});
