#!/usr/bin/env node
// The README's test command. Builds the workspace (the browser and CLI suites run the built
// server and CLI), runs every vitest suite, and says plainly which suites were skipped and why.
// With CUSTOS_REQUIRE_ALL_SUITES=1 (set by .ci/run) any skipped suite fails the run.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const args = process.argv.slice(2);

if (!process.env.CUSTOS_TEST_SKIP_BUILD) {
  console.log('> npm run build');
  const b = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

fs.mkdirSync('test-results', { recursive: true });
const jsonFile = path.join('test-results', 'vitest.json');
fs.rmSync(jsonFile, { force: true });
const skipped = new Map();
const child = spawn('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`, ...args], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
});
const watch = (stream, out) => {
  let buf = '';
  stream.on('data', (chunk) => {
    out.write(chunk);
    buf += chunk.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const m = /SKIPPED ([^:]+): (.*)$/.exec(line);
      if (m) skipped.set(m[1].trim(), m[2].trim());
    }
  });
};
watch(child.stdout, process.stdout);
watch(child.stderr, process.stderr);
const code = await new Promise((resolve) => child.on('close', resolve));

let passed = 0,
  failed = 0,
  skippedTests = 0;
if (fs.existsSync(jsonFile)) {
  const r = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  passed = r.numPassedTests;
  // A suite that fails to load has no failed tests of its own: count it then.
  failed = r.numFailedTests || (r.numFailedTestSuites ?? 0);
  skippedTests = r.numPendingTests + r.numTodoTests;
} else if (code !== 0) failed = 1;

console.log('');
if (skipped.size) {
  console.log(`Skipped suites (${skipped.size}):`);
  for (const [suite, why] of skipped) console.log(`  - ${suite}: ${why}`);
} else {
  console.log('No suite was skipped.');
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skippedTests} skipped`);
if (code !== 0) process.exit(code ?? 1);
if (process.env.CUSTOS_REQUIRE_ALL_SUITES === '1' && (skipped.size > 0 || skippedTests > 0)) {
  console.error(
    'CUSTOS_REQUIRE_ALL_SUITES=1: suites were skipped; CI provides PostgreSQL, SoftHSM2 and Chromium, so nothing may be skipped here.',
  );
  process.exit(1);
}
