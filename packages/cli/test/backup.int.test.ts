import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCore, parseConfig, systemActor } from '@custos/core';
import { seedRevealAccess } from '../../core/test/consent-fixtures.js';
import { TEST_KDF } from '../../core/test/helpers.js';
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

describe('custos backup', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-cli-backup-'));
  // Source and targets share one key provider (KEK): an archive is useless without it.
  const keys = path.join(root, 'keys');
  const envFor = (name: string) => ({
    CUSTOS_DATA_DIR: path.join(root, name),
    CUSTOS_KEYS_DIR: keys,
    CUSTOS_AUDIT_CHECKPOINT_SECONDS: '0',
  });
  const archive = path.join(root, 'a.cbk');

  it('backup create writes an archive; restore into an empty data dir exits 0 with the chain intact', async () => {
    const src = envFor('src');
    const core = await createCore({ config: parseConfig(src), kdf: TEST_KDF });
    const c = await core.customers.create(systemActor(), { fields: { name: '赵六', mobile: '13800001234' } });
    // A registered purpose (legal basis contract) covering the mobile, held by a department with a live grant.
    const { code: purpose } = await seedRevealAccess(core, { fields: ['name', 'mobile'] });
    await core.close();

    const made = await run(['backup', 'create', archive], src);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/data backup written: .*a\.cbk/);
    expect(made.stdout).toMatch(/manifest sha256 [0-9a-f]{64}/);
    expect(made.stderr).toMatch(/backed up customers: 1 row/);
    expect((await run(['backup', 'create', archive], src)).code).toBe(3); // never overwrites
    const keys = path.join(root, 'a.keys.cbk');
    const madeKeys = await run(['backup', 'create', '--keys', keys], src);
    expect(madeKeys.code).toBe(0);
    expect(madeKeys.stdout).toMatch(/key backup written: .*a\.keys\.cbk/);
    expect(madeKeys.stderr).toMatch(/backed up customer_keys: 1 row/);

    const dst = envFor('dst');
    const restored = await run(['backup', 'restore', archive], dst);
    expect(restored.stderr).toMatch(/restored customers: 1 row/);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/audit chain intact: \d+ events/);
    const restoredKeys = await run(['backup', 'restore', keys], dst);
    expect(restoredKeys.code).toBe(0);
    expect(restoredKeys.stderr).toMatch(/restored customer_keys: 1 row/);

    const after = await createCore({ config: parseConfig(dst) });
    try {
      const shown = await after.customers.reveal(systemActor(), c.id, {
        fields: ['mobile'],
        purpose,
        justification: '恢复后核对',
      });
      expect(shown.values).toEqual({ mobile: '13800001234' });
    } finally {
      await after.close();
    }

    const again = await run(['backup', 'restore', archive], dst);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/custos: the database is not empty/);
  }, 240_000);

  it('a tampered archive is refused with exit 3 and nothing restored', async () => {
    const bad = Buffer.from(fs.readFileSync(archive));
    bad[bad.length - 20] = bad[bad.length - 20]! ^ 0x01;
    const file = path.join(root, 'bad.cbk');
    fs.writeFileSync(file, bad);
    const env = envFor('tampered');
    const r = await run(['backup', 'restore', file], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/custos: backup archive frame \d+ failed authentication/);
    const core = await createCore({ config: parseConfig(env) });
    try {
      expect(await core.database.query(`SELECT count(*)::int AS n FROM audit_events`)).toEqual([{ n: 0 }]);
    } finally {
      await core.close();
    }
  }, 240_000);

  it('restoring an archive whose audit chain was already broken exits 1', async () => {
    const src = envFor('broken-src');
    const core = await createCore({ config: parseConfig(src) });
    for (let i = 0; i < 4; i++) await core.departments.create(systemActor(), { name: `d${i}` });
    await core.audit.flush();
    await core.database.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await core.database.query(`UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 2`);
    await core.database.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    await core.close();
    const file = path.join(root, 'broken.cbk');
    expect((await run(['backup', 'create', file], src)).code).toBe(0);
    const r = await run(['backup', 'restore', file], envFor('broken-dst'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/audit chain BROKEN at sequence 2 \(hash_mismatch\)/);
  }, 240_000);
});
