// Collecting a new customer's PI with consent over HTTP (POST /api/v1/collections) vs plain
// inserts of the same rows, on PostgreSQL, with concurrent clients.
//
// Subject: POST /api/v1/collections over real HTTP to the server app (buildApp({ core }),
//   app.listen on 127.0.0.1, port 0, in this process) through a keep-alive http.Agent, as a staff
//   user with a bearer token (POST /api/v1/auth/login): authentication (session lookup), the route
//   schema, then core.collection.collect: channel check, Idempotency-Key claim (a fresh key per
//   request), the active purpose and its current notice, the policy checks, 5 fields validated,
//   normalised, encrypted under a fresh wrapped data key with blind indexes (mobile, email), the
//   customer matched (none: every request has a unique mobile and e-mail) and created, the consent
//   record (scope = the 5 fields) appended and projected into consent_state under the customer's
//   row lock, the audit event and the idempotency response, all in one transaction; then the
//   audit chainer after commit. The purpose: consent-based, fields name, mobile, email, gender,
//   date_of_birth (all general), its notice published; the channel: in_branch.
// Baseline: the rows core writes for one collection, as plain parameterised INSERTs in one
//   transaction on a pg.Pool of the same size on the same database: 1 customers (RETURNING id),
//   1 customer_keys (random 61-byte wrapped key), 5 customer_fields in one statement (random
//   bytea of each value's ciphertext size, random 8-hex blind indexes on mobile and email),
//   1 consent_records (RETURNING id; evidence with two 64-hex hashes), 5 consent_state in one
//   statement, 1 idempotency_keys (with a response of the same shape), 1 audit_events (seq, hash
//   and prev_hash NULL: chained by the chainer after the round, untimed). No HTTP, no crypto, no
//   validation, no reads.
//
// Same values (generated before the timed loops), same count (CUSTOS_BENCH_COLLECT_OPS per round)
// and same concurrency (CUSTOS_BENCH_COLLECT_CLIENTS concurrent loops) on both sides; warm-up
// first, sides alternate (plain, http, ...) for CUSTOS_BENCH_COLLECT_ROUNDS rounds and the best
// round of each side counts. After each round the audit backlog is flushed (untimed, reported),
// so it does not load the next round.
// Target: http/plain >= 0.25. Pass also needs: every request answered 201 with a new customer,
// the number of customers core created equal to the number of requests, and an intact audit
// chain at the end (core.audit.flush() then core.audit.verify()).
//
// Diagnostic only (details): `coreDirect`, the same collections through core.collection.collect
// in-process (no HTTP, no session lookup): how the gap splits between the HTTP layer and core.
//
// Environment: CUSTOS_BENCH_COLLECT_OPS (1000), CUSTOS_BENCH_COLLECT_WARMUP (100),
// CUSTOS_BENCH_COLLECT_ROUNDS (3), CUSTOS_BENCH_COLLECT_CLIENTS (4), CUSTOS_BENCH_COLLECT_DIAGNOSTIC
// (1; 0 skips the diagnostic side). Needs packages/server/dist (npm run build).

import crypto from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import pg from 'pg';
import { getPiType, systemActor } from '@custos/core';
import {
  createBenchDatabase,
  fmt,
  log,
  makeResult,
  measureRound,
  now,
  onCleanup,
  openCore,
  percentile,
  profiling,
  round,
  runBenchmark,
} from './lib/harness.mjs';
import { FIELD_TYPES, piValues } from './lib/pi-values.mjs';

const OPS = Number(process.env.CUSTOS_BENCH_COLLECT_OPS ?? 1000);
const WARMUP = Number(process.env.CUSTOS_BENCH_COLLECT_WARMUP ?? 100);
const ROUNDS = Number(process.env.CUSTOS_BENCH_COLLECT_ROUNDS ?? 3);
const CLIENTS = Number(process.env.CUSTOS_BENCH_COLLECT_CLIENTS ?? 4);
const DIAGNOSTIC = process.env.CUSTOS_BENCH_COLLECT_DIAGNOSTIC !== '0';
const POOL_SIZE = 10;
const TARGET_RATIO = 0.25;
const FIELDS = ['name', 'mobile', 'email', 'gender', 'date_of_birth'];
const INDEXED = new Set(['mobile', 'email']);
const PURPOSE_CODE = 'bench_collect';
const CLAUSES = ['P3.2', 'P3.3', 'P3.4', 'P2.4'];
/** aes-256-gcm overhead: format byte + 12-byte IV + 16-byte tag. */
const AES_OVERHEAD = 29;
/** A 32-byte data key wrapped by the local provider (aes-256-gcm format). */
const WRAPPED_KEY_BYTES = 32 + AES_OVERHEAD;
const USER_AGENT = 'custos-bench/collect-http';

const { customerFields } = piValues((n) => crypto.randomInt(n));
const runTag = crypto.randomBytes(3).toString('hex');
let serial = 0;
/** One collection's values (unique mobile and e-mail) and the baseline's rows for them. */
function newCollection() {
  const n = serial++;
  const all = customerFields(`137${String(n).padStart(8, '0')}`);
  const fields = Object.fromEntries(FIELDS.map((f) => [f, all[f]]));
  fields.email = `c${n}.${runTag}@example.com`;
  const rows = FIELDS.map((f) => {
    const type = getPiType(FIELD_TYPES[f]);
    const normalized = type.normalize(fields[f]);
    return [
      f,
      type.id,
      crypto.randomBytes(Buffer.byteLength(normalized, 'utf8') + AES_OVERHEAD),
      INDEXED.has(f) ? crypto.randomBytes(4).toString('hex') : null,
      normalized,
    ];
  });
  return { n, fields, rows, key: `bench-${runTag}-${n}` };
}

await runBenchmark(async () => {
  let serverMod;
  try {
    serverMod = await import('@custos/server');
  } catch (e) {
    throw new Error(
      `@custos/server is not built (packages/server/dist): run \`npm run build\` first (${e instanceof Error ? e.message : e})`,
    );
  }
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

  // Purpose, notice, channel and the staff member, through core.
  const system = systemActor();
  const password = `Bench-Lantern-${crypto.randomBytes(6).toString('base64url')}-42`;
  const dept = await core.departments.create(system, { name: 'bench-collection' });
  const userActor = async (roles, name) => {
    const username = `bench.${name}.${runTag}`;
    const u = await core.users.create(system, { username, displayName: username, password, departmentId: dept.id, roles });
    return { type: 'user', userId: u.id, username, departmentId: dept.id, roles, authMethod: 'session' };
  };
  const author = await userActor(['department_head'], 'author');
  const approver = await userActor(['compliance_officer'], 'approver');
  const staff = await userActor(['staff'], 'staff');
  const purpose = await core.purposes.create(author, {
    code: PURPOSE_CODE,
    name: { 'zh-CN': '会员登记', en: 'Membership registration' },
    description: { 'zh-CN': '门店会员登记', en: 'In-branch membership registration' },
    businessLine: 'retail',
    ownerDepartmentId: dept.id,
    legalBasis: 'consent',
    fields: FIELDS,
    scenarios: [{ 'zh-CN': '会员', en: 'membership' }],
    retention: { days: 1095, trigger: 'relationship_end' },
  });
  await core.purposes.submit(author, purpose.id);
  await core.purposes.approve(approver, purpose.id, { comment: 'ok' });
  await core.purposes.activate(author, purpose.id);
  const el = (lang) => ({
    purpose: `${lang}: membership registration`,
    method: `${lang}: in-branch form`,
    scope: `${lang}: name, mobile, e-mail, gender, date of birth`,
    retention: `${lang}: 3 years after the membership ends`,
    scenarios: `${lang}: membership`,
    controllerName: 'Example Retail Ltd',
    controllerContact: 'privacy@example.com',
    rights: `${lang}: access, correction, deletion, withdrawal in the portal`,
    sensitive: [],
  });
  const draft = await core.notices.create(author, { purposeId: purpose.id, content: { 'zh-CN': el('zh'), en: el('en') } });
  const notice = await core.notices.publish(author, draft.id);
  const channel = await core.channels.create(approver, {
    code: `branch_${runTag}`,
    name: { 'zh-CN': '门店', en: 'Branch' },
    type: 'in_branch',
    ownerDepartmentId: dept.id,
  });

  // The server, on a real socket.
  const app = await serverMod.buildApp({ core, consoleDir: '/nonexistent' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  let appClosed;
  const closeApp = () => (appClosed ??= app.close());
  onCleanup(closeApp);
  const port = app.server.address().port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  onCleanup(() => agent.destroy());
  function post(path, body, headers = {}) {
    const data = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), 'user-agent': USER_AGENT, ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }
  const login = await post('/api/v1/auth/login', { username: staff.username, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  const token = JSON.parse(login.text).token;
  log(`server on 127.0.0.1:${port}; staff ${staff.username} signed in`);

  // -------------------------------------------------------------------------------------------
  // Sides

  const collectBody = (c) => ({
    purposeCode: PURPOSE_CODE,
    noticeId: notice.id,
    channelId: channel.id,
    fields: c.fields,
    consent: { method: 'paper_signature', scope: FIELDS },
  });
  let failures = 0;
  let firstFailure = null;
  const fail = (what) => {
    failures++;
    firstFailure ??= what;
  };
  let httpRequests = 0;
  let directCollections = 0;

  const idemScope = `user:${staff.userId}`;
  const hex64 = () => crypto.randomBytes(32).toString('hex');
  const FIELD_SQL = `INSERT INTO customer_fields (customer_id, category_code, pi_type, ciphertext, data_key_version, blind_index, updated_by) VALUES ${FIELDS.map(
    (_, i) => `($1, $${i * 4 + 3}, $${i * 4 + 4}, $${i * 4 + 5}, 1, $${i * 4 + 6}, $2)`,
  ).join(', ')}`;
  const STATE_SQL = `INSERT INTO consent_state (customer_id, purpose_code, category, status, separate, purpose_version, consent_id, given_at, withdrawn_at, expires_at) VALUES ${FIELDS.map(
    (_, i) => `($1, $2, $${i + 5}, 'granted', false, 1, $3, $4, NULL, NULL)`,
  ).join(', ')}`;
  const PLAIN_CREATED_BY = 'bench.plain';

  const sides = {
    // The rows of one collection, by hand.
    plain: async (c) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const at = new Date();
        const id = (await client.query('INSERT INTO customers (created_by) VALUES ($1) RETURNING id', [PLAIN_CREATED_BY])).rows[0].id;
        await client.query(
          `INSERT INTO customer_keys (customer_id, data_key_version, suite, kek_version, wrapped_key) VALUES ($1, 1, 'aes-256-gcm', 1, $2)`,
          [id, crypto.randomBytes(WRAPPED_KEY_BYTES)],
        );
        await client.query(FIELD_SQL, [id, PLAIN_CREATED_BY, ...c.rows.flatMap((r) => r.slice(0, 4))]);
        const consentId = (
          await client.query(
            `INSERT INTO consent_records (customer_id, kind, purpose_id, purpose_code, purpose_version, notice_id, notice_hash, scope, separate_type, separate_target, method, channel_id, evidence, recorded_by, expires_at)
             VALUES ($1, 'grant', $2, $3, 1, $4, $5, $6, NULL, NULL, 'paper_signature', $7, $8, $9, NULL) RETURNING id`,
            [
              id,
              purpose.id,
              PURPOSE_CODE,
              notice.id,
              notice.contentHash,
              FIELDS,
              channel.id,
              { ipHash: hex64(), userAgentHash: hex64() },
              PLAIN_CREATED_BY,
            ],
          )
        ).rows[0].id;
        await client.query(STATE_SQL, [id, PURPOSE_CODE, consentId, at, ...FIELDS]);
        const collectionId = crypto.randomUUID();
        const response = {
          collectionId,
          customerId: id,
          created: true,
          consentIds: [consentId],
          fields: c.rows.map((r) => ({
            field: r[0],
            masked: `${r[4].slice(0, 1)}${'*'.repeat(Math.max(1, r[4].length - 2))}${r[4].slice(-1)}`,
          })),
        };
        await client.query(`INSERT INTO idempotency_keys (scope, key, request_hash, response) VALUES ($1, $2, $3, $4)`, [
          idemScope,
          `plain-${c.key}`,
          hex64(),
          response,
        ]);
        await client.query(
          `INSERT INTO audit_events (occurred_at, actor_type, actor_id, actor_name, action, resource_type, resource_id, clauses, purpose_id, outcome, details, request_id)
           VALUES ($1, 'user', $2, $3, 'customer.collected', 'customer', $4, $5, $6, 'success', $7, $8)`,
          [
            at,
            staff.userId,
            staff.username,
            id,
            CLAUSES,
            PURPOSE_CODE,
            {
              collectionId,
              purpose: PURPOSE_CODE,
              purposeVersion: 1,
              channel: channel.code,
              fields: FIELDS,
              created: true,
              noticeHash: notice.contentHash,
              consentIds: [consentId],
              separate: [],
            },
            crypto.randomUUID(),
          ],
        );
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    http: async (c) => {
      httpRequests++;
      const r = await post('/api/v1/collections', collectBody(c), { authorization: `Bearer ${token}`, 'idempotency-key': c.key });
      if (r.status !== 201) return fail(`HTTP ${r.status}: ${r.text.slice(0, 300)}`);
      const body = JSON.parse(r.text);
      if (body.created !== true || body.consentIds?.length !== 1) fail(`unexpected response: ${r.text.slice(0, 300)}`);
    },
    coreDirect: async (c) => {
      directCollections++;
      const r = await core.collection.collect(staff, collectBody(c), { idempotencyKey: c.key, ip: '127.0.0.1', userAgent: USER_AGENT });
      if (r.created !== true || r.consentIds.length !== 1) fail(`unexpected result: ${JSON.stringify(r).slice(0, 300)}`);
    },
  };
  const sideNames = DIAGNOSTIC ? ['plain', 'http', 'coreDirect'] : ['plain', 'http'];

  // Every collection's values, generated up front (each used once, on one side).
  const perRound = Math.ceil(OPS / CLIENTS) * CLIENTS;
  const perWarm = Math.ceil(WARMUP / CLIENTS) * CLIENTS;
  const t0 = now();
  const values = Array.from({ length: sideNames.length * (perWarm + ROUNDS * perRound) }, newCollection);
  log(`generated ${fmt(values.length)} collections' values in ${(now() - t0).toFixed(0)} ms`);
  let next = 0;
  const take = () => {
    if (next >= values.length) throw new Error('ran out of generated collections');
    return values[next++];
  };

  /** `total` operations over CLIENTS concurrent loops. */
  async function runLoops(side, total) {
    const op = sides[side];
    const per = Math.ceil(total / CLIENTS);
    const lat = new Float64Array(per * CLIENTS);
    let k = 0;
    const cpu0 = process.cpuUsage();
    const t = now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
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
    return { ops: per * CLIENTS, ms, cpuUs: cpu.user + cpu.system, lat: Array.from(lat.subarray(0, k)) };
  }

  const pendingCount = async () =>
    Number((await core.database.query('SELECT count(*)::int AS n FROM audit_events WHERE seq IS NULL'))[0].n);
  async function drain() {
    const pending = await pendingCount();
    const t = now();
    await core.audit.flush();
    return { pendingAfterRound: pending, drainMs: now() - t };
  }

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
        await c.query('INSERT INTO bench_probe VALUES (1)');
        commit.push(now() - t);
      }
      return { selectOneP50Ms: round(percentile(rtt, 50), 3), durableInsertP50Ms: round(percentile(commit, 50), 3) };
    } finally {
      c.release();
    }
  }
  const probeBefore = await probe();
  log(`round trip p50 ${probeBefore.selectOneP50Ms} ms, durable 1-row insert p50 ${probeBefore.durableInsertP50Ms} ms`);

  log(`warm-up: ${perWarm} collections per side, ${CLIENTS} clients`);
  for (const side of sideNames) {
    await runLoops(side, perWarm);
    await drain();
  }
  if (failures) throw new Error(`${failures} collections failed in the warm-up; first: ${firstFailure}`);

  const rounds = Object.fromEntries(sideNames.map((s) => [s, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of sideNames) {
      // With --profile, the last HTTP round is CPU-profiled (and slowed: it does not count).
      const profileThis = profiling && side === 'http' && r === ROUNDS - 1 && ROUNDS > 1;
      const entry = await measureRound(() => runLoops(side, perRound), profileThis ? 'collect-http' : null);
      Object.assign(entry, await drain());
      rounds[side].push(entry);
      log(
        `round ${r + 1} ${side.padEnd(10)} ${fmt(entry.rate).padStart(6)} collections/s  p50 ${entry.p50Ms.toFixed(2)} ms  p99 ${entry.p99Ms.toFixed(2)} ms  node cpu ${fmt(entry.nodeCpuUsPerOp)} us/op` +
          `  (chain backlog ${entry.pendingAfterRound}, drained in ${entry.drainMs.toFixed(0)} ms)${profileThis ? ' (profiled)' : ''}`,
      );
    }
  }
  if (failures) throw new Error(`${failures} collections failed; first: ${firstFailure}`);

  // Every request made exactly one customer; the chain is intact.
  const [counts] = await core.database.query(
    `SELECT (SELECT count(*)::int FROM customers WHERE created_by = $1) AS core_customers,
            (SELECT count(*)::int FROM customers WHERE created_by = $2) AS plain_customers,
            (SELECT count(*)::int FROM consent_records WHERE recorded_by = $1) AS core_consents,
            (SELECT count(*)::int FROM consent_state) AS states,
            (SELECT count(*)::int FROM customer_fields) AS fields,
            (SELECT count(*)::int FROM audit_events WHERE action = 'customer.collected') AS collected_events`,
    [staff.username, PLAIN_CREATED_BY],
  );
  const expectedCore = httpRequests + directCollections;
  const tf = now();
  await core.audit.flush();
  const finalFlushMs = now() - tf;
  const tv = now();
  const v = await core.audit.verify();
  const verifyMs = now() - tv;
  const countsOk = Number(counts.core_customers) === expectedCore && Number(counts.core_consents) === expectedCore;
  log(
    `customers created by core ${fmt(counts.core_customers)} for ${fmt(httpRequests)} HTTP requests + ${fmt(directCollections)} direct collections` +
      ` (${countsOk ? 'ok' : 'MISMATCH'}); plain ${fmt(counts.plain_customers)}; chain intact=${v.intact} checked=${fmt(v.checkedEvents)} in ${verifyMs.toFixed(0)} ms`,
  );
  const probeAfter = await probe();

  const best = (list) => {
    const unprofiled = list.filter((e) => !e.profiled);
    return (unprofiled.length ? unprofiled : list).reduce((a, b) => (b.rate > a.rate ? b : a));
  };
  const clean = (e) => Object.fromEntries(Object.entries(e).map(([k, x]) => [k, typeof x === 'number' ? round(x, 3) : x]));
  const bp = best(rounds.plain);
  const bh = best(rounds.http);
  const bd = DIAGNOSTIC ? best(rounds.coreDirect) : null;
  const result = makeResult({
    name: 'collect-http',
    description: `POST /api/v1/collections over HTTP (staff bearer token, keep-alive): 5 fields + consent (scope = the 5 fields) + audit, one transaction, new customer each; ${CLIENTS} concurrent clients`,
    metric: 'throughput',
    unit: 'collections/s',
    value: bh.rate,
    baseline: {
      description: `plain INSERTs of the same rows (customers, customer_keys, 5 customer_fields, consent_records, 5 consent_state, idempotency_keys, audit_events) in one transaction via pg.Pool(max ${POOL_SIZE}), ${CLIENTS} concurrent clients`,
      value: bp.rate,
    },
    target: { ratio: TARGET_RATIO, text: `http/plain >= ${TARGET_RATIO}, 1 customer per request, chain intact` },
    details: {
      clients: CLIENTS,
      opsPerRound: perRound,
      warmupOpsPerSide: perWarm,
      rounds: ROUNDS,
      order: `${sideNames.join(', ')} in turn; best round of each side; audit backlog flushed after every round (untimed)`,
      poolSize: POOL_SIZE,
      fields: FIELDS,
      httpLatency: { p50Ms: round(bh.p50Ms, 3), p95Ms: round(bh.p95Ms, 3), p99Ms: round(bh.p99Ms, 3) },
      plainLatency: { p50Ms: round(bp.p50Ms, 3), p95Ms: round(bp.p95Ms, 3), p99Ms: round(bp.p99Ms, 3) },
      best: Object.fromEntries(
        Object.entries({ plain: bp, http: bh, coreDirect: bd })
          .filter(([, x]) => x)
          .map(([k, x]) => [k, clean(x)]),
      ),
      allRounds: Object.fromEntries(Object.entries(rounds).map(([k, x]) => [k, x.map(clean)])),
      ratioIncludingChainDrain: round(((bh.ops / (bh.ms + bh.drainMs)) * 1000) / bp.rate, 4),
      ...(bd
        ? {
            diagnostic: {
              coreDirect: {
                what: 'core.collection.collect in-process with the same input (no HTTP, no session lookup)',
                ratioToPlain: round(bd.rate / bp.rate, 4),
                httpToCoreDirect: round(bh.rate / bd.rate, 4),
              },
            },
          }
        : {}),
      checks: {
        httpRequests,
        directCollections,
        customersCreatedByCore: Number(counts.core_customers),
        consentRecordsByCore: Number(counts.core_consents),
        plainCustomers: Number(counts.plain_customers),
        customerFieldRows: Number(counts.fields),
        consentStateRows: Number(counts.states),
        collectedEvents: Number(counts.collected_events),
        failures,
        countsOk,
      },
      chain: {
        intact: v.intact,
        checkedEvents: v.checkedEvents,
        pendingEventsAfterVerify: v.pendingEvents,
        firstBrokenSeq: v.firstBrokenSeq,
        reason: v.reason,
        finalFlushMs: round(finalFlushMs, 1),
        verifyMs: round(verifyMs, 1),
        chainErrors,
      },
      machineProbe: { before: probeBefore, after: probeAfter, loadavg: os.loadavg().map((l) => round(l, 2)) },
      postgres: { version: db.serverVersion, ...db.settings },
    },
  });
  result.pass &&= countsOk && failures === 0 && v.intact && chainErrors === 0;
  await closeApp();
  agent.destroy();
  await closePool();
  return [result];
});
