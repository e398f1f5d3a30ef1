// Field encryption + decryption of short PI values through core vs a bare node:crypto AES-256-GCM
// loop on the same messages.
//
// Subject: core's path for one field value, as the customers service runs it:
//   encryptField(getCipherSuite('aes-256-gcm'), dataKey, value, fieldAad({ customerId, field, keyVersion }))
//   decryptField(suite, dataKey, ciphertext, fieldAad(...))  -> the string again
//   (the AAD is built on each call, as core does; values go in and come out as strings).
// Baseline: a bare AES-256-GCM loop with node:crypto on the same messages (pre-encoded to UTF-8)
//   and the same AAD bytes (prebuilt): createCipheriv with a random 12-byte IV (randomBytes),
//   setAAD, update, final, getAuthTag; then createDecipheriv, setAuthTag, setAAD, update, final.
// Extra entry (no target): the SM suite (sm4-ctr-hmac-sm3) through the same core path, as a
//   ratio to the same bare AES loop.
//
// Messages: realistic PI strings of 16-64 UTF-8 bytes (resident IDs, e-mails, bank cards,
// landlines with extension, Chinese addresses and names, mixed-script notes), spread over 64
// customers with one data key each (the keyring keeps unwrapped keys as long-lived Buffers).
//
// Rate = encrypt+decrypt pairs per second. Sides alternate (baseline, aes, sm, baseline, ...)
// after a warm-up; the best round of each side counts. Target: aes/bare >= 0.5.
//
// Diagnostic only (in details): `bareBatchedIv`, the bare loop with its IVs cut from one
//   randomFillSync per pass instead of one randomBytes(12) per value (core draws its IVs from a
//   4 KiB CSPRNG pool, so per-call randomBytes makes the bare loop slower than core's).
//
// Environment: CUSTOS_BENCH_CRYPTO_OPS (100000 pairs per round), CUSTOS_BENCH_CRYPTO_ROUNDS (5).

import crypto from 'node:crypto';
import os from 'node:os';
import { decryptField, encryptField, fieldAad, getCipherSuite, isCipherSuiteAvailable, newDataKey } from '@custos/core';
import { fmt, log, makeResult, now, profileSection, profiling, round, runBenchmark } from './lib/harness.mjs';

const OPS = Number(process.env.CUSTOS_BENCH_CRYPTO_OPS ?? 100_000);
const ROUNDS = Number(process.env.CUSTOS_BENCH_CRYPTO_ROUNDS ?? 5);
const MESSAGES = 4096;
const CUSTOMERS = 64;
const TARGET_RATIO = 0.5;
const FIELDS = ['resident_id', 'email', 'bank_card', 'landline', 'address', 'name', 'preferences', 'employer'];

// ---------------------------------------------------------------------------------------------
// Realistic messages (16-64 UTF-8 bytes)

let seed = 0x5eed;
const rnd = () => {
  // xorshift32: deterministic, so every run encrypts the same messages.
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const pick = (a) => a[Math.floor(rnd() * a.length)];
const digits = (n) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '欧阳', '司马', '诸葛'];
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅';
const PROVINCES = [
  '广东省深圳市南山区',
  '北京市朝阳区',
  '上海市浦东新区',
  '浙江省杭州市西湖区',
  '四川省成都市武侯区',
  '江苏省南京市鼓楼区',
];
const ROADS = ['科技园路', '建国门外大街', '世纪大道', '文三路', '人民南路', '中山北路'];
const REGIONS = ['110105', '310104', '440305', '330106', '510107', '320106'];
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

function residentId() {
  const y = 1950 + Math.floor(rnd() * 55);
  const m = String(1 + Math.floor(rnd() * 12)).padStart(2, '0');
  const d = String(1 + Math.floor(rnd() * 28)).padStart(2, '0');
  const body = `${pick(REGIONS)}${y}${m}${d}${digits(3)}`;
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(body[i]) * WEIGHTS[i];
  return body + '10X98765432'[s % 11];
}
function luhnComplete(body) {
  let s = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    s += d;
  }
  return body + ((10 - (s % 10)) % 10);
}
const name = () => pick(SURNAMES) + Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => pick(GIVEN)).join('');

const GENERATORS = [
  () => residentId(), // 18 bytes
  () =>
    `${pick(['zhang', 'li.wei', 'chen_fang', 'wang.xiaoming', 'liu'])}${digits(3)}@${pick(['example.com', 'mail.example.cn', 'qq.example.com'])}`,
  () => luhnComplete(`62${digits(16)}`), // 19-digit UnionPay card
  () => `0755-${1 + Math.floor(rnd() * 9)}${digits(7)}-${digits(3)}`, // landline with extension
  () => `${pick(PROVINCES)}${pick(ROADS)}${1 + Math.floor(rnd() * 300)}号${rnd() < 0.5 ? `${pick('ABCD')}栋${digits(4)}室` : ''}`, // 40-64 bytes
  () => `${name()}·${pick(['阿依古丽', '买买提', '扎西'])}`, // Chinese name with middle dot, 16-30 bytes
  () => `偏好：${pick(['短信通知', '电话回访', '邮件账单'])}，${pick(['周末', '工作日'])}联系`,
  () => `${pick(['深圳市', '杭州市'])}${pick(['腾讯', '阿里巴巴', '华为'])}科技有限公司`,
];

function buildMessages() {
  const out = [];
  const keys = Array.from({ length: CUSTOMERS }, () => ({ customerId: crypto.randomUUID(), dataKey: newDataKey() }));
  while (out.length < MESSAGES) {
    const kind = out.length % GENERATORS.length;
    const value = GENERATORS[kind]();
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes < 16 || bytes > 64) continue;
    const k = keys[out.length % CUSTOMERS];
    const aadInput = { customerId: k.customerId, field: FIELDS[kind], keyVersion: 1 };
    out.push({ value, plain: Buffer.from(value, 'utf8'), dataKey: k.dataKey, aadInput, aad: fieldAad(aadInput) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sides: each runs `ops` encrypt+decrypt pairs in chunks of one pass over the messages (encrypt
// the chunk, then decrypt it), timing encryption and decryption separately.

function bareAes(messages, ops) {
  const cts = new Array(messages.length);
  let encMs = 0;
  let decMs = 0;
  let sink = 0;
  for (let done = 0; done < ops;) {
    const n = Math.min(messages.length, ops - done);
    let t = now();
    for (let i = 0; i < n; i++) {
      const m = messages[i];
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', m.dataKey, iv, { authTagLength: 16 });
      c.setAAD(m.aad);
      const body = c.update(m.plain);
      c.final();
      cts[i] = { iv, body, tag: c.getAuthTag() };
    }
    encMs += now() - t;
    t = now();
    for (let i = 0; i < n; i++) {
      const m = messages[i];
      const ct = cts[i];
      const d = crypto.createDecipheriv('aes-256-gcm', m.dataKey, ct.iv, { authTagLength: 16 });
      d.setAuthTag(ct.tag);
      d.setAAD(m.aad);
      const p = d.update(ct.body);
      d.final();
      sink += p.length;
    }
    decMs += now() - t;
    done += n;
  }
  return { encMs, decMs, sink };
}

/** The bare loop with IVs sliced from one random buffer per pass (IV generation cost taken out). */
function bareAesBatchedIv(messages, ops) {
  const cts = new Array(messages.length);
  const ivs = Buffer.allocUnsafe(12 * messages.length);
  let encMs = 0;
  let decMs = 0;
  let sink = 0;
  for (let done = 0; done < ops;) {
    const n = Math.min(messages.length, ops - done);
    let t = now();
    crypto.randomFillSync(ivs, 0, 12 * n);
    for (let i = 0; i < n; i++) {
      const m = messages[i];
      const iv = ivs.subarray(12 * i, 12 * i + 12);
      const c = crypto.createCipheriv('aes-256-gcm', m.dataKey, iv, { authTagLength: 16 });
      c.setAAD(m.aad);
      const body = c.update(m.plain);
      c.final();
      cts[i] = { iv, body, tag: c.getAuthTag() };
    }
    encMs += now() - t;
    t = now();
    for (let i = 0; i < n; i++) {
      const m = messages[i];
      const ct = cts[i];
      const d = crypto.createDecipheriv('aes-256-gcm', m.dataKey, ct.iv, { authTagLength: 16 });
      d.setAuthTag(ct.tag);
      d.setAAD(m.aad);
      const p = d.update(ct.body);
      d.final();
      sink += p.length;
    }
    decMs += now() - t;
    done += n;
  }
  return { encMs, decMs, sink };
}

function coreSide(suiteId) {
  const suite = getCipherSuite(suiteId);
  return (messages, ops) => {
    const cts = new Array(messages.length);
    let encMs = 0;
    let decMs = 0;
    let sink = 0;
    for (let done = 0; done < ops;) {
      const n = Math.min(messages.length, ops - done);
      let t = now();
      for (let i = 0; i < n; i++) {
        const m = messages[i];
        cts[i] = encryptField(suite, m.dataKey, m.value, fieldAad(m.aadInput));
      }
      encMs += now() - t;
      t = now();
      for (let i = 0; i < n; i++) {
        const m = messages[i];
        sink += decryptField(suite, m.dataKey, cts[i], fieldAad(m.aadInput)).length;
      }
      decMs += now() - t;
      done += n;
    }
    return { encMs, decMs, sink };
  };
}

await runBenchmark(async () => {
  const messages = buildMessages();
  const lengths = messages.map((m) => m.plain.length);
  const meanBytes = lengths.reduce((a, b) => a + b, 0) / lengths.length;
  log(
    `${messages.length} messages, ${Math.min(...lengths)}-${Math.max(...lengths)} bytes (mean ${meanBytes.toFixed(1)}), ${CUSTOMERS} data keys`,
  );

  const sides = { bare: bareAes, aes: coreSide('aes-256-gcm'), bareBatchedIv: bareAesBatchedIv };
  const smAvailable = isCipherSuiteAvailable('sm4-ctr-hmac-sm3');
  if (smAvailable) sides.sm = coreSide('sm4-ctr-hmac-sm3');
  else log('sm4-ctr-hmac-sm3 is not available in this Node/OpenSSL build: skipped');
  const names = Object.keys(sides);

  // Correctness first: every core side round-trips every message, and the bare loop reads core's
  // AES ciphertexts (same format: 0x01 || iv || body || tag), so both do the same work.
  for (const id of ['aes-256-gcm', ...(smAvailable ? ['sm4-ctr-hmac-sm3'] : [])]) {
    const suite = getCipherSuite(id);
    for (const m of messages) {
      const ct = encryptField(suite, m.dataKey, m.value, fieldAad(m.aadInput));
      if (decryptField(suite, m.dataKey, ct, fieldAad(m.aadInput)) !== m.value) throw new Error(`${id} did not round-trip`);
      if (id === 'aes-256-gcm') {
        const d = crypto.createDecipheriv('aes-256-gcm', m.dataKey, ct.subarray(1, 13), { authTagLength: 16 });
        d.setAuthTag(ct.subarray(ct.length - 16));
        d.setAAD(m.aad);
        const p = Buffer.concat([d.update(ct.subarray(13, ct.length - 16)), d.final()]);
        if (!p.equals(m.plain)) throw new Error('core AES ciphertext is not standard AES-256-GCM');
      }
    }
  }

  log(`warm-up`);
  for (const s of names) sides[s](messages, Math.min(OPS, 50_000));

  const rounds = Object.fromEntries(names.map((s) => [s, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of names) {
      const profileThis = profiling && s === 'aes' && r === ROUNDS - 1 && ROUNDS > 1;
      const load1 = os.loadavg()[0];
      const run = profileThis ? await profileSection('vault-crypto-aes', async () => sides[s](messages, OPS)) : sides[s](messages, OPS);
      const ms = run.encMs + run.decMs;
      const entry = {
        rate: (OPS / ms) * 1000,
        usPerPair: (ms * 1000) / OPS,
        encryptUs: (run.encMs * 1000) / OPS,
        decryptUs: (run.decMs * 1000) / OPS,
        loadavg1: load1,
        ...(profileThis ? { profiled: true } : {}),
      };
      rounds[s].push(entry);
      log(
        `round ${r + 1} ${s.padEnd(13)} ${fmt(entry.rate).padStart(9)} pairs/s  (${entry.encryptUs.toFixed(2)} us encrypt + ${entry.decryptUs.toFixed(2)} us decrypt)`,
      );
    }
  }
  const best = (list) => {
    const unprofiled = list.filter((e) => !e.profiled);
    return (unprofiled.length ? unprofiled : list).reduce((a, b) => (b.rate > a.rate ? b : a));
  };
  const clean = (e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, typeof v === 'number' ? round(v, 3) : v]));
  const bb = best(rounds.bare);
  const baseline = {
    description:
      'bare node:crypto AES-256-GCM loop on the same messages: createCipheriv (random 12-byte IV), setAAD, update, final, getAuthTag; createDecipheriv, setAuthTag, setAAD, update, final',
    value: bb.rate,
  };
  const common = {
    messages: messages.length,
    bytes: { min: Math.min(...lengths), max: Math.max(...lengths), mean: round(meanBytes, 1) },
    dataKeys: CUSTOMERS,
    pairsPerRound: OPS,
    rounds: ROUNDS,
    order: `${names.join(', ')} in turn; best round of each side`,
    baselineRounds: rounds.bare.map(clean),
    diagnostic: {
      bareBatchedIv: clean(best(rounds.bareBatchedIv)),
      note: 'the bare loop with IVs from one randomFillSync per pass instead of randomBytes(12) per value',
    },
  };
  const results = [
    makeResult({
      name: 'vault-crypto/aes-256-gcm',
      description: 'core encryptField + decryptField (aes-256-gcm, fieldAad built per call, string in/out) of 16-64 byte PI values',
      metric: 'throughput',
      unit: 'pairs/s',
      value: best(rounds.aes).rate,
      baseline,
      target: { ratio: TARGET_RATIO, text: `core/bare >= ${TARGET_RATIO}` },
      details: {
        ...common,
        best: clean(best(rounds.aes)),
        baselineBest: clean(bb),
        ratioToBareBatchedIv: round(best(rounds.aes).rate / best(rounds.bareBatchedIv).rate, 4),
        allRounds: rounds.aes.map(clean),
      },
    }),
  ];
  if (smAvailable) {
    results.push(
      makeResult({
        name: 'vault-crypto/sm4-ctr-hmac-sm3',
        description: 'core encryptField + decryptField (sm4-ctr-hmac-sm3) of the same values; informational, ratio to the bare AES loop',
        metric: 'throughput',
        unit: 'pairs/s',
        value: best(rounds.sm).rate,
        baseline,
        target: { text: 'none (informational)' },
        details: {
          ...common,
          best: clean(best(rounds.sm)),
          baselineBest: clean(bb),
          ratioToBareBatchedIv: round(best(rounds.sm).rate / best(rounds.bareBatchedIv).rate, 4),
          allRounds: rounds.sm.map(clean),
        },
      }),
    );
  }
  return results;
});
