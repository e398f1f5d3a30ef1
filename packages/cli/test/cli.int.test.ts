import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCore, parseConfig, systemActor } from '@custos/core';
import { runCli } from '../src/cli.js';

async function run(args: string[], env: Record<string, string>) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => (stdout += c));
  err.on('data', (c) => (stderr += c));
  const code = await runCli(['node', 'custos', ...args], env, { out: out as never, err: err as never });
  return { code, stdout, stderr };
}

describe('custos CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-cli-'));
  const env = { CUSTOS_DATA_DIR: dir, CUSTOS_AUDIT_CHECKPOINT_SECONDS: '0' };

  it('config check names a bad variable and exits 2', async () => {
    const r = await run(['config', 'check'], { ...env, PORT: 'not-a-port' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/configuration error: PORT: /);
  });

  it('migrate applies the migrations once, then reports up to date', async () => {
    const first = await run(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied \d+ migration\(s\): 0001_foundation/);
    const again = await run(['migrate'], env);
    expect(again.stdout).toMatch(/database is up to date/);
    const check = await run(['config', 'check'], env);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/migrations up to date/);
    expect(check.stderr).toMatch(/warning: CUSTOS_MODE is development/);
  });

  it('audit verify exits 0 when intact and 1 with the broken sequence number when tampered', async () => {
    const core = await createCore({ config: parseConfig(env) });
    for (let i = 0; i < 5; i++) await core.departments.create(systemActor(), { name: `cli-dept-${i}` });
    await core.audit.flush();
    await core.close();
    const ok = await run(['audit', 'verify'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit chain intact: 5 events/);

    const c2 = await createCore({ config: parseConfig(env) });
    await c2.database.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await c2.database.query(`UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 3`);
    await c2.database.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    await c2.close();
    const broken = await run(['audit', 'verify', '--json'], env);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout.trim())).toMatchObject({ intact: false, firstBrokenSeq: 3, reason: 'hash_mismatch' });
  });

  it('unknown commands are usage errors', async () => {
    expect((await run(['frobnicate'], env)).code).toBe(2);
  });
});
