// The export benchmark's subject, in a process of its own (as a server would run it), so its peak
// memory is the export's and not the fill's: opens core on the benchmark database and data folder
// given in the environment, runs core.exports.create and the download, samples RSS every 100 ms,
// and prints one JSON line { createMs, downloadMs, rowCount, lines, sha256Match, fileBytes, rssStartMiB, peakMiB }.
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createCore, parseConfig } from '@custos/core';
import { performance } from 'node:perf_hooks';

const { actor, grantId, spec } = JSON.parse(process.argv[2]);
const config = parseConfig({
  DATABASE_URL: process.env.BENCH_DATABASE_URL,
  CUSTOS_DATA_DIR: process.env.BENCH_DATA_DIR,
  CUSTOS_AUDIT_CHECKPOINT_SECONDS: '0',
  CUSTOS_DB_POOL_SIZE: '2',
});
const core = await createCore({ config });
const mib = () => process.memoryUsage().rss / 2 ** 20;
const rssStartMiB = mib();
let peakMiB = rssStartMiB;
const mem = { heapUsedMiB: 0, externalMiB: 0, arrayBuffersMiB: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakMiB = Math.max(peakMiB, m.rss / 2 ** 20);
  mem.heapUsedMiB = Math.max(mem.heapUsedMiB, m.heapUsed / 2 ** 20);
  mem.externalMiB = Math.max(mem.externalMiB, m.external / 2 ** 20);
  mem.arrayBuffersMiB = Math.max(mem.arrayBuffersMiB, m.arrayBuffers / 2 ** 20);
}, 100);
const t0 = performance.now();
const e = await core.exports.create(actor, { grantId, spec, format: 'csv', recipient: '会员运营组' });
const createMs = performance.now() - t0;
const t1 = performance.now();
const d = await core.exports.download(actor, e.downloadPath.split('/').pop());
const hash = crypto.createHash('sha256');
let lines = 0;
await pipeline(
  d.stream,
  new Writable({
    write(chunk, _e, cb) {
      hash.update(chunk);
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      cb();
    },
  }),
);
const downloadMs = performance.now() - t1;
clearInterval(sampler);
peakMiB = Math.max(peakMiB, mib());
await core.close();
process.stdout.write(
  `${JSON.stringify({ createMs, downloadMs, rowCount: e.rowCount, lines, sha256Match: hash.digest('hex') === e.fileSha256, fileBytes: e.fileBytes, rssStartMiB, peakMiB, peaks: mem })}\n`,
);
process.exit(0);
