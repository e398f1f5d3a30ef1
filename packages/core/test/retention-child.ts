/**
 * A separate process for the retention tests (run with `node --import tsx`): opens the test's
 * PostgreSQL database with core and runs a sweep.
 *   argv: <mode> where mode is
 *     kill:<n>      run a manual sweep; after batch n the process SIGKILLs itself (a crash)
 *     tick:<iso>    run the scheduled sweep for that cron tick, slowed down per batch
 * env: DATABASE_URL, CUSTOS_DATA_DIR (the parent's, for its key file), CUSTOS_RETENTION_BATCH_SIZE,
 *      RETENTION_CHILD_DELAY_MS (per batch), RETENTION_CHILD_START_AT (epoch ms to start at).
 * Prints one JSON line: { result: 'skipped' } or { result: run }.
 */
import { createCore, parseConfig, systemActor } from '../src/index.js';

const mode = process.argv[2] ?? '';
const config = parseConfig({ ...process.env, CUSTOS_AUDIT_CHECKPOINT_SECONDS: '0', CUSTOS_RETENTION_CRON: 'off' });
const core = await createCore({ config, migrate: false });
const delay = Number(process.env.RETENTION_CHILD_DELAY_MS ?? 0);
const startAt = Number(process.env.RETENTION_CHILD_START_AT ?? 0);
if (startAt > Date.now()) await new Promise((r) => setTimeout(r, startAt - Date.now()));

let out: unknown;
if (mode.startsWith('kill:')) {
  const n = Number(mode.slice(5));
  out = await core.retention.run(
    systemActor(),
    {},
    {
      afterBatch: async (b) => {
        if (delay) await new Promise((r) => setTimeout(r, delay));
        if (b >= n) process.kill(process.pid, 'SIGKILL');
      },
    },
  );
} else if (mode.startsWith('tick:')) {
  out = await core.retention.runScheduled(new Date(mode.slice(5)), {
    afterBatch: async () => {
      if (delay) await new Promise((r) => setTimeout(r, delay));
    },
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.stdout.write(`${JSON.stringify({ result: out })}\n`);
await core.close();
process.exit(0);
