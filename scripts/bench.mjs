#!/usr/bin/env node
// npm run bench [-- [names...] [--strict] [--profile]]
//
// Runs the benchmark files bench/*.bench.mjs (or only those named: `npm run bench -- audit-insert`)
// one after another, each in its own node process, against the built workspace (@custos/core
// resolves to packages/core/dist; it is built first if missing). Each benchmark prints its
// results as JSON on the last line of stdout; this script collects them into
// bench/results/latest.json and prints a table.
//
// Exit code: 0 even when a target is missed (it is reported as MISSED); --strict makes a missed
// target exit 1. A benchmark that crashes always exits 1.
// --profile sets CUSTOS_BENCH_PROFILE=1: benchmarks CPU-profile their key section into
// bench/results/profiles/.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(root, 'bench');
const resultsDir = path.join(benchDir, 'results');
const coreDist = path.join(root, 'packages', 'core', 'dist', 'index.js');

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const profile = args.includes('--profile');
const unknown = args.filter((a) => a.startsWith('--') && !['--strict', '--profile'].includes(a));
if (unknown.length || args.includes('-h')) {
  console.error('usage: npm run bench -- [name ...] [--strict] [--profile]');
  process.exit(2);
}
const wanted = args.filter((a) => !a.startsWith('-')).map((a) => a.replace(/^bench\//, '').replace(/\.bench\.mjs$/, ''));

const all = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort()
  .map((f) => ({ name: f.replace(/\.bench\.mjs$/, ''), file: path.join(benchDir, f) }));
const missing = wanted.filter((w) => !all.some((b) => b.name === w));
if (missing.length) {
  console.error(`no such benchmark: ${missing.join(', ')} (have: ${all.map((b) => b.name).join(', ')})`);
  process.exit(2);
}
const selected = wanted.length ? all.filter((b) => wanted.includes(b.name)) : all;

// The benchmarks import @custos/core from its build output.
if (!fs.existsSync(coreDist)) {
  console.error('packages/core/dist/index.js is missing: running `npm run build` first');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync(coreDist)) {
    console.error('build failed; cannot run the benchmarks');
    process.exit(1);
  }
} else {
  const newest = newestMtime(path.join(root, 'packages', 'core', 'src'));
  if (newest > fs.statSync(coreDist).mtimeMs) {
    console.error(
      'warning: packages/core/src has changes newer than packages/core/dist; run `npm run build` (or `npx tsc -b packages/core`) to benchmark them\n',
    );
  }
}

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  date: new Date().toISOString(),
  loadavgAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
};

const results = [];
const failures = [];
let interrupted = false;
for (const b of selected) {
  if (interrupted) break;
  console.error(`\n=== ${b.name} ===`);
  const t0 = Date.now();
  const { code, stdout } = await runChild(b.file);
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  const last = stdout.trim().split('\n').pop() ?? '';
  let parsed = null;
  try {
    parsed = JSON.parse(last);
  } catch {
    parsed = null;
  }
  if (code !== 0 || !parsed || !Array.isArray(parsed.results)) {
    failures.push(b.name);
    results.push({ name: b.name, error: `exited with code ${code}${parsed ? '' : ', no results line on stdout'}`, pass: false, seconds });
    continue;
  }
  for (const r of parsed.results) results.push({ ...r, seconds });
}
if (interrupted) {
  console.error('\ninterrupted: bench/results/latest.json left as it was');
  process.exit(130);
}
machine.loadavgAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);

fs.mkdirSync(resultsDir, { recursive: true });
const report = { machine, ...(wanted.length ? { selected: selected.map((b) => b.name) } : {}), results };
const out = path.join(resultsDir, 'latest.json');
fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

printTable(results);
const missed = results.filter((r) => !r.error && !r.pass);
console.log(
  `\nmachine: ${machine.cpus} CPU (${machine.cpuModel}), ${machine.memGiB} GiB, node ${machine.node}, load ${machine.loadavgAtStart.join('/')} -> ${machine.loadavgAtEnd.join('/')}`,
);
console.log(`written: ${path.relative(process.cwd(), out)}`);
if (failures.length) console.log(`\nFAILED (crashed): ${failures.join(', ')}`);
if (missed.length) console.log(`\nMISSED target: ${missed.map((r) => `${r.name} (${r.target?.text ?? ''})`).join('; ')}`);
if (!failures.length && !missed.length) console.log('\nall targets met');
process.exit(failures.length || (strict && missed.length) ? 1 : 0);

/** Run one benchmark file; its stderr (progress) passes through, its stdout (the results line) is collected. */
function runChild(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...(profile ? { CUSTOS_BENCH_PROFILE: '1' } : {}) },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => (stdout += d));
    // Ctrl-C reaches the child too (same process group); wait for it to clean up.
    const onSignal = () => {
      interrupted = true;
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    child.on('close', (code) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve({ code: code ?? 1, stdout });
    });
  });
}

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function fmtNum(n, unit) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  return `${n.toLocaleString('en-US', { maximumFractionDigits: digits })}${unit ? ` ${unit}` : ''}`;
}

function printTable(rows) {
  const header = ['benchmark', 'value', 'baseline', 'ratio', 'target', 'result'];
  const lines = rows.map((r) =>
    r.error
      ? [r.name, '-', '-', '-', '-', `FAILED: ${r.error}`]
      : [
          r.name,
          fmtNum(r.value, r.unit),
          fmtNum(r.baseline.value, r.unit),
          Number.isFinite(r.ratio) ? r.ratio.toFixed(3) : String(r.ratio),
          r.target.text,
          r.pass ? 'ok' : 'MISSED',
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmtLine = (l) => l.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(`\n${fmtLine(header)}`);
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmtLine(l));
}
