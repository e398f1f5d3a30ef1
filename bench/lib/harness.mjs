// Shared helpers for the benchmark files in bench/*.bench.mjs.
//
// Protocol with scripts/bench.mjs: a benchmark writes progress to stderr and, as the LAST line of
// stdout, one JSON object `{ "results": [BenchResult, ...] }`. Nothing else goes to stdout.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

/**
 * @typedef {{ ratio?: number, min?: number, max?: number, text: string }} Target
 *   ratio: the ratio value/baseline must be >= this; min / max: bounds on the value itself.
 * @typedef {{
 *   name: string, description: string, metric: string, unit: string, value: number,
 *   baseline: { description: string, value: number }, ratio: number, target: Target,
 *   pass: boolean, details: Record<string, unknown>
 * }} BenchResult
 */

export const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/test';

/** The admin connection URL: CUSTOS_BENCH_DATABASE_URL, else the local default. */
export function adminUrl() {
  return process.env.CUSTOS_BENCH_DATABASE_URL || DEFAULT_ADMIN_URL;
}

// A closed stderr (e.g. piped into `head`) must not crash the benchmark before it cleans up.
process.stderr.on('error', () => {});

/** Progress output: stderr only, so stdout stays machine-readable. */
export function log(...args) {
  process.stderr.write(`[${path.basename(process.argv[1] ?? 'bench', '.bench.mjs')}] ${args.join(' ')}\n`);
}

export const now = () => performance.now();

/** Format a number with thousands separators and `digits` decimals. */
export function fmt(n, digits = 0) {
  return Number(n).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Round for JSON output. */
export function round(n, digits = 2) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Percentile (0-100) of an unsorted array of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

/** Build a result; the ratio is value/baseline, and pass checks every bound the target sets. */
export function makeResult({ name, description, metric, unit, value, baseline, target, details = {} }) {
  const ratio = baseline.value > 0 ? value / baseline.value : NaN;
  let pass = true;
  if (target.ratio !== undefined) pass &&= ratio >= target.ratio;
  if (target.min !== undefined) pass &&= value >= target.min;
  if (target.max !== undefined) pass &&= value <= target.max;
  return {
    name,
    description,
    metric,
    unit,
    value: round(value),
    baseline: { description: baseline.description, value: round(baseline.value) },
    ratio: round(ratio, 4),
    target,
    pass,
    details,
  };
}

/** Write the results line: the last line of stdout. */
export function emit(results) {
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

const cleanups = [];

/**
 * Run `fn` after the benchmark, newest first. On SIGINT/SIGTERM only the cleanups registered
 * with `{ onSignal: true }` run (dropping the database, removing temp files): closing a core
 * would wait for a chaining pass that may take long.
 * @param {() => unknown} fn
 * @param {{ onSignal?: boolean }} [opts]
 */
export function onCleanup(fn, opts = {}) {
  cleanups.push({ fn, onSignal: opts.onSignal ?? false });
}

async function runCleanups(signal = false) {
  while (cleanups.length) {
    const { fn, onSignal } = cleanups.pop();
    if (signal && !onSignal) continue;
    try {
      await fn();
    } catch (e) {
      log(`cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

let signalled = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    signalled = true;
    log(`${sig}: dropping the benchmark database and exiting (a second ${sig} exits at once)`);
    // Dropping the database cuts connections still in use; we are exiting, so that is expected.
    process.on('uncaughtException', () => {});
    process.on('unhandledRejection', () => {});
    runCleanups(true).finally(() => process.exit(130));
  });
}

/**
 * The main of a benchmark file: runs `fn`, emits its results, always cleans up, and exits
 * non-zero (without a results line) if the benchmark itself fails.
 * @param {() => Promise<BenchResult[]>} fn
 */
export async function runBenchmark(fn) {
  let code = 0;
  try {
    const results = await fn();
    emit(results);
  } catch (e) {
    // After a signal the handler cleans up and exits; the failure is its doing.
    if (signalled) await new Promise(() => {});
    log(`FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    code = 1;
  } finally {
    await runCleanups();
  }
  process.exit(code);
}

/** The admin URL with another database name. */
export function urlForDatabase(url, dbName) {
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  return u.toString();
}

/**
 * Create a fresh database `custos_bench_<random>` on the admin server; it is dropped at cleanup.
 * @returns {Promise<{ name: string, url: string, serverVersion: string, settings: Record<string, string> }>}
 */
export async function createBenchDatabase() {
  const admin = adminUrl();
  const name = `custos_bench_${crypto.randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  let serverVersion = '';
  const settings = {};
  try {
    await client.query(`CREATE DATABASE ${name}`);
    serverVersion = (await client.query('SHOW server_version')).rows[0].server_version;
    for (const s of ['synchronous_commit', 'fsync', 'shared_buffers', 'max_connections']) {
      settings[s] = (await client.query(`SHOW ${s}`)).rows[0][s];
    }
  } finally {
    await client.end();
  }
  log(`created database ${name}`);
  onCleanup(
    async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        log(`dropped database ${name}`);
      } finally {
        await c.end();
      }
    },
    { onSignal: true },
  );
  return { name, url: urlForDatabase(admin, name), serverVersion, settings };
}

/** A temporary data folder (signing key, checkpoint file), removed at cleanup. */
export function tempDataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-bench-'));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }), { onSignal: true });
  return dir;
}

/**
 * A core on PostgreSQL `url` (migrations applied), closed at cleanup.
 * @param {string} url
 * @param {{ poolSize?: number, logger?: { info: Function, warn: Function, error: Function } }} [opts]
 */
export async function openCore(url, opts = {}) {
  const { createCore, parseConfig } = await import('@custos/core');
  const config = parseConfig({
    DATABASE_URL: url,
    CUSTOS_DATA_DIR: tempDataDir(),
    CUSTOS_AUDIT_CHECKPOINT_SECONDS: '0',
    CUSTOS_DB_POOL_SIZE: String(opts.poolSize ?? 10),
  });
  const core = await createCore({ config, ...(opts.logger ? { logger: opts.logger } : {}) });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await core.close();
  };
  onCleanup(close);
  return { core, close };
}

/** Where profiles go (bench/results/profiles). */
export const PROFILE_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'results', 'profiles');

/** Is section profiling on? (`npm run bench -- --profile` sets CUSTOS_BENCH_PROFILE=1.) */
export const profiling = process.env.CUSTOS_BENCH_PROFILE === '1';

/**
 * Run `fn`; with profiling on, record a V8 CPU profile of just this section to
 * bench/results/profiles/<name>.cpuprofile (open it in Chrome DevTools or speedscope) and log
 * the functions with the most self time.
 * @template T
 * @param {string} name
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function profileSection(name, fn) {
  if (!profiling) return fn();
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  let result;
  try {
    result = await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    fs.mkdirSync(PROFILE_DIR, { recursive: true });
    const file = path.join(PROFILE_DIR, `${name}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    log(`profile written to ${path.relative(process.cwd(), file)}`);
    for (const line of summarizeProfile(profile, 20)) log(line);
  }
  return result;
}

const AREAS = [
  ['node-postgres: protocol + type parsing', /node_modules\/(pg|pg-protocol|pg-types|postgres-[a-z]+|pg-pool)\//],
  ['drizzle-orm', /node_modules\/drizzle-orm\//],
  ['core: canonical encoding', /packages\/core\/dist\/audit\/audit-fns\.js$/],
  ['core: other', /packages\/core\/dist\//],
  ['node crypto (sha256)', /^node:internal\/crypto\//],
  ['node buffers/strings', /^node:(buffer|internal\/buffer|string_decoder)/],
  ['node net/streams', /^node:(net|internal\/streams|stream|internal\/stream_base_commons)/],
];

/**
 * Self time by function (name + file:line) and by area, largest first, as printable lines.
 * Native frames count for the nearest JavaScript caller's area; the profiler's own teardown
 * (inspector `post`) is left out.
 */
export function summarizeProfile(profile, top = 20) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const { samples = [], timeDeltas = [] } = profile;
  const dt = new Map();
  for (let i = 0; i < samples.length; i++) dt.set(samples[i], (dt.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  const short = (url) =>
    url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/node_modules\//, '~/')
      .replace(/^.*\/packages\//, 'packages/');
  const self = new Map();
  const areas = new Map();
  let total = 0;
  for (const [id, us] of dt) {
    // Ancestors, nearest first.
    const stack = [];
    for (let a = id; a !== undefined; a = parent.get(a)) stack.push(byId.get(a).callFrame);
    if (stack.some((cf) => cf.url === 'node:inspector' || cf.url === 'node:inspector/promises')) continue;
    const cf = stack[0];
    const key = `${cf.functionName || '(anonymous)'} ${cf.url ? `${short(cf.url)}:${cf.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
    let area;
    if (cf.functionName === '(garbage collector)') area = 'garbage collector';
    else if (cf.functionName === '(idle)') area = 'idle (waiting for PostgreSQL)';
    else if (cf.functionName === '(program)') area = 'V8/native (program)';
    else {
      const withUrl = stack.find((f) => f.url);
      const url = withUrl ? withUrl.url.replace(/^file:\/\//, '') : '';
      area = AREAS.find(([, re]) => re.test(url))?.[0] ?? (url ? `other: ${short(url)}` : 'other');
    }
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const line = ([k, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`;
  return [
    `profile: ${(total / 1000).toFixed(0)} ms sampled; by area:`,
    ...[...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(line),
    `top self time:`,
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(line),
  ];
}

/**
 * One measured round of a loop benchmark: runs `loop` (which returns { ops, ms, lat, cpuUs }),
 * CPU-profiled under `profileName` when given, and summarises rate, latency percentiles and the
 * node process's CPU per operation.
 */
export async function measureRound(loop, profileName = null) {
  const loadavg1 = os.loadavg()[0];
  const run = profileName ? await profileSection(profileName, loop) : await loop();
  return {
    rate: (run.ops / run.ms) * 1000,
    ops: run.ops,
    ms: run.ms,
    p50Ms: percentile(run.lat, 50),
    p95Ms: percentile(run.lat, 95),
    p99Ms: percentile(run.lat, 99),
    // CPU time of this node process per operation (the benchmark's own client-side cost).
    nodeCpuUsPerOp: run.cpuUs / run.ops,
    loadavg1,
    ...(profileName ? { profiled: true } : {}),
  };
}
