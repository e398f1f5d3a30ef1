import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecryptionError, newDataKey } from './cipher-suites.js';
import { KeyProviderError, kekWrapContext, type KeyProvider } from './key-provider.js';
import { LOCAL_KEY_FILE, createLocalKeyProvider } from './local-key-provider.js';

let dir: string;
const open: KeyProvider[] = [];

async function provider(d = dir): Promise<KeyProvider> {
  const p = await createLocalKeyProvider({ dir: d, mode: 'development' });
  open.push(p);
  return p;
}

async function fileKeys(d = dir): Promise<{ version: number; key: string; state: string }[]> {
  return (
    JSON.parse(await fs.readFile(path.join(d, LOCAL_KEY_FILE), 'utf8')) as { keys: { version: number; key: string; state: string }[] }
  ).keys;
}

beforeEach(async () => {
  dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'custos-keys-')), 'keys');
});

afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
  await fs.rm(path.dirname(dir), { recursive: true, force: true });
});

describe('local key provider', () => {
  const ctx = kekWrapContext('cust-0001', 1);

  it('creates the key file on first use with mode 0600 (directory 0700)', async () => {
    const p = await provider();
    expect(p.kind).toBe('local');
    const st = await fs.stat(path.join(dir, LOCAL_KEY_FILE));
    expect(st.mode & 0o777).toBe(0o600);
    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
    expect(await p.currentVersion()).toBe(1);
    const keys = await fileKeys();
    expect(keys).toHaveLength(1);
    expect(Buffer.from(keys[0]!.key, 'base64')).toHaveLength(32);
    expect((await fs.readdir(dir)).sort()).toEqual([LOCAL_KEY_FILE]); // no temp or lock files left
  });

  it('wraps and unwraps a data key', async () => {
    const p = await provider();
    const dataKey = newDataKey();
    const { kekVersion, wrapped } = await p.wrap(dataKey, ctx);
    expect(kekVersion).toBe(1);
    expect(wrapped.includes(dataKey)).toBe(false);
    expect((await p.unwrap(wrapped, kekVersion, ctx)).equals(dataKey)).toBe(true);
  });

  it('refuses another context, a tampered blob and another version', async () => {
    const p = await provider();
    const { kekVersion, wrapped } = await p.wrap(newDataKey(), ctx);
    await expect(p.unwrap(wrapped, kekVersion, kekWrapContext('cust-0002', 1))).rejects.toThrow(DecryptionError);
    await expect(p.unwrap(wrapped, kekVersion, kekWrapContext('cust-0001', 2))).rejects.toThrow(DecryptionError);
    for (const i of [0, 5, 20, wrapped.length - 1]) {
      const bad = Buffer.from(wrapped);
      bad[i]! ^= 0x10;
      await expect(p.unwrap(bad, kekVersion, ctx)).rejects.toThrow(DecryptionError);
    }
    await expect(p.unwrap(wrapped, 7, ctx)).rejects.toThrow(KeyProviderError);
    await p.rotate();
    await expect(p.unwrap(wrapped, 2, ctx)).rejects.toThrow(DecryptionError); // version is bound too
  });

  it('rotates: the new version is current, old versions still unwrap, a new instance sees it all', async () => {
    const p = await provider();
    const k1 = newDataKey();
    const w1 = await p.wrap(k1, ctx);
    expect(await p.rotate()).toBe(2);
    expect(await p.currentVersion()).toBe(2);
    const k2 = newDataKey();
    const w2 = await p.wrap(k2, ctx);
    expect(w2.kekVersion).toBe(2);
    expect((await p.unwrap(w1.wrapped, 1, ctx)).equals(k1)).toBe(true);
    expect((await p.listKeys()).map((k) => [k.version, k.state])).toEqual([
      [1, 'active'],
      [2, 'current'],
    ]);
    const again = await provider();
    expect(await again.currentVersion()).toBe(2);
    expect((await again.unwrap(w1.wrapped, 1, ctx)).equals(k1)).toBe(true);
    expect((await again.unwrap(w2.wrapped, 2, ctx)).equals(k2)).toBe(true);
    expect((await fs.stat(path.join(dir, LOCAL_KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it('sees a rotation made by another instance (another process, e.g. the CLI)', async () => {
    const server = await provider();
    const cli = await provider();
    await cli.rotate();
    const w = await cli.wrap(newDataKey(), ctx);
    expect(await server.currentVersion()).toBe(2);
    await expect(server.unwrap(w.wrapped, 2, ctx)).resolves.toHaveLength(32);
  });

  it('loses no key when instances rotate concurrently', async () => {
    const a = await provider();
    const b = await provider();
    const versions = await Promise.all([a.rotate(), b.rotate(), a.rotate(), b.rotate()]);
    expect(versions.sort()).toEqual([2, 3, 4, 5]);
    expect((await fileKeys()).map((k) => k.version)).toEqual([1, 2, 3, 4, 5]);
    expect((await fileKeys()).filter((k) => k.state === 'current').map((k) => k.version)).toEqual([5]);
  });

  it('concurrent first use creates one key file that all instances share', async () => {
    const ps = await Promise.all([provider(), provider(), provider()]);
    const w = await ps[0]!.wrap(newDataKey(), ctx);
    for (const p of ps) await expect(p.unwrap(w.wrapped, 1, ctx)).resolves.toHaveLength(32);
    expect(await fileKeys()).toHaveLength(1);
  });

  it('retires old versions only: retired refuses unwrap, current cannot be retired', async () => {
    const p = await provider();
    const w1 = await p.wrap(newDataKey(), ctx);
    await expect(p.retire(1)).rejects.toThrow(/current/);
    await p.rotate();
    await p.retire(1);
    expect((await p.listKeys()).map((k) => [k.version, k.state])).toEqual([
      [1, 'retired'],
      [2, 'current'],
    ]);
    await expect(p.unwrap(w1.wrapped, 1, ctx)).rejects.toThrow(/retired/);
    await expect(p.retire(9)).rejects.toThrow(KeyProviderError);
    expect((await p.wrap(newDataKey(), ctx)).kekVersion).toBe(2);
  });

  it('lists metadata only, never key material', async () => {
    const p = await provider();
    await p.rotate();
    const list = await p.listKeys();
    const json = JSON.stringify(list);
    const keys = await fileKeys();
    expect(keys).toHaveLength(2);
    for (const k of keys) {
      const raw = Buffer.from(k.key, 'base64');
      expect(json).not.toContain(k.key);
      expect(json).not.toContain(raw.toString('hex'));
      expect(json).not.toContain(raw.toString('base64url'));
    }
    for (const info of list) {
      expect(Object.keys(info).sort()).toEqual(['algorithm', 'createdAt', 'provider', 'state', 'version']);
      expect(info.algorithm).toBe('AES-256-GCM');
      expect(Number.isNaN(Date.parse(info.createdAt ?? ''))).toBe(false);
      expect(info.provider).toBe(`local:${dir}`);
    }
  });

  it('refuses production mode unless explicitly allowed', async () => {
    const attempt = createLocalKeyProvider({ dir, mode: 'production' });
    await expect(attempt).rejects.toThrow(KeyProviderError);
    await expect(attempt).rejects.toThrow(/pkcs11/);
    await expect(attempt).rejects.toThrow(/CUSTOS_KEYS_ALLOW_LOCAL_IN_PRODUCTION=true/);
    await expect(fs.stat(dir)).rejects.toThrow(); // nothing was created
    await expect(createLocalKeyProvider({ dir, mode: 'production', allowInProduction: false })).rejects.toThrow(KeyProviderError);
    const p = await createLocalKeyProvider({ dir, mode: 'production', allowInProduction: true });
    open.push(p);
    expect(await p.currentVersion()).toBe(1);
  });

  it('refuses a key file readable by group or others', async () => {
    await (await provider()).close();
    await fs.chmod(path.join(dir, LOCAL_KEY_FILE), 0o644);
    await expect(provider()).rejects.toThrow(/chmod 600/);
  });

  it('refuses a corrupt key file without echoing its content', async () => {
    await fs.mkdir(dir, { recursive: true });
    const secret = 'c2VjcmV0LWtleS1tYXRlcmlhbA==';
    await fs.writeFile(path.join(dir, LOCAL_KEY_FILE), `{"format":"custos.local-keys.v1","keys":[{"key":"${secret}"}]}`, {
      mode: 0o600,
    });
    const err = await provider().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyProviderError);
    expect((err as Error).message).not.toContain(secret);
  });

  it('refuses data keys of the wrong size and use after close', async () => {
    const p = await provider();
    await expect(p.wrap(Buffer.alloc(16), ctx)).rejects.toThrow(TypeError);
    await p.close();
    await expect(p.wrap(newDataKey(), ctx)).rejects.toThrow(/closed/);
  });
});
