/**
 * Runs against a real PKCS#11 token (SoftHSM2 in CI): `eval "$(bash scripts/softhsm-setup.sh)"`.
 * Skipped, with a warning, when CUSTOS_PKCS11_LIBRARY is not set.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { DecryptionError, newDataKey } from './cipher-suites.js';
import { KeyProviderError, kekWrapContext, type KeyProvider } from './key-provider.js';
import { createPkcs11KeyProvider, type Pkcs11KeyProviderOptions } from './pkcs11-key-provider.js';

const library = process.env.CUSTOS_PKCS11_LIBRARY;
const tokenLabel = process.env.CUSTOS_PKCS11_TOKEN_LABEL ?? 'custos-test';
const pin = process.env.CUSTOS_PKCS11_PIN ?? '';
if (!library) console.warn('SKIPPED pkcs11 suite: CUSTOS_PKCS11_LIBRARY not set (run scripts/softhsm-setup.sh)');

// Every run uses its own label prefix on the shared test token, and removes its keys afterwards.
const labelPrefix = `custos-test-${randomBytes(4).toString('hex')}`;
const options = (): Pkcs11KeyProviderOptions => ({ library: library ?? '', tokenLabel, pin, labelPrefix });

type P11 = typeof import('pkcs11js');

/** Raw pkcs11js access, independent of the provider; only while no provider is open. */
function withRawSession<T>(fn: (p11: P11, m: InstanceType<P11['PKCS11']>, s: Buffer) => T): T {
  const p11 = createRequire(import.meta.url)('pkcs11js') as P11;
  const m = new p11.PKCS11();
  m.load(library!);
  m.C_Initialize();
  try {
    const slot = m.C_GetSlotList(true).find((sl) => m.C_GetTokenInfo(sl).label.trimEnd() === tokenLabel)!;
    const s = m.C_OpenSession(slot, p11.CKF_SERIAL_SESSION | p11.CKF_RW_SESSION);
    m.C_Login(s, p11.CKU_USER, pin);
    try {
      return fn(p11, m, s);
    } finally {
      m.C_CloseSession(s);
    }
  } finally {
    m.C_Finalize();
    m.close();
  }
}

function findOurKeys(p11: P11, m: InstanceType<P11['PKCS11']>, s: Buffer): { label: string; handle: Buffer }[] {
  m.C_FindObjectsInit(s, [{ type: p11.CKA_CLASS, value: p11.CKO_SECRET_KEY }]);
  const handles = m.C_FindObjects(s, 1000);
  m.C_FindObjectsFinal(s);
  return handles
    .map((handle) => ({ handle, label: m.C_GetAttributeValue(s, handle, [{ type: p11.CKA_LABEL }])[0]!.value.toString() }))
    .filter((k) => k.label.startsWith(`${labelPrefix}-v`));
}

describe.skipIf(!library)('pkcs11 key provider (SoftHSM2)', () => {
  const ctx = kekWrapContext('cust-0001', 1);
  const open: KeyProvider[] = [];
  async function provider(): Promise<KeyProvider> {
    const p = await createPkcs11KeyProvider(options());
    open.push(p);
    return p;
  }
  async function closeAll(): Promise<void> {
    for (const p of open.splice(0)) await p.close();
  }

  afterAll(async () => {
    await closeAll();
    withRawSession((p11, m, s) => {
      for (const k of findOurKeys(p11, m, s)) m.C_DestroyObject(s, k.handle);
    });
  });

  it('creates version 1 in the token on first use', async () => {
    const p = await provider();
    expect(p.kind).toBe('pkcs11');
    expect(await p.currentVersion()).toBe(1);
    const list = await p.listKeys();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ version: 1, state: 'current', algorithm: 'AES-256-GCM' });
    expect(list[0]!.provider).toBe(`pkcs11:${tokenLabel}/${labelPrefix}-v1`);
    expect(Number.isNaN(Date.parse(list[0]!.createdAt ?? ''))).toBe(false);
  });

  it('wraps and unwraps inside the HSM; refuses another context, tampering and another version', async () => {
    const p = await provider();
    const dataKey = newDataKey();
    const { kekVersion, wrapped } = await p.wrap(dataKey, ctx);
    expect(kekVersion).toBe(1);
    expect(wrapped).toHaveLength(1 + 12 + 32 + 16);
    expect(wrapped.includes(dataKey)).toBe(false);
    expect((await p.unwrap(wrapped, 1, ctx)).equals(dataKey)).toBe(true);
    await expect(p.unwrap(wrapped, 1, kekWrapContext('cust-0002', 1))).rejects.toThrow(DecryptionError);
    for (const i of [0, 1, 13, 40, wrapped.length - 1]) {
      const bad = Buffer.from(wrapped);
      bad[i]! ^= 0x01;
      await expect(p.unwrap(bad, 1, ctx)).rejects.toThrow(DecryptionError);
    }
    await expect(p.unwrap(wrapped, 99, ctx)).rejects.toThrow(KeyProviderError);
    await expect(p.wrap(Buffer.alloc(31), ctx)).rejects.toThrow(TypeError);
    // the provider still works after failed operations
    expect((await p.unwrap(wrapped, 1, ctx)).equals(dataKey)).toBe(true);
  });

  it('rotates: new key object is current, old version still unwraps, other instances see it', async () => {
    const a = await provider();
    const b = await provider();
    const k1 = newDataKey();
    const w1 = await a.wrap(k1, ctx);
    const v = await a.rotate();
    expect(v).toBe(w1.kekVersion + 1);
    expect(await a.currentVersion()).toBe(v);
    expect(await b.currentVersion()).toBe(v);
    const k2 = newDataKey();
    const w2 = await b.wrap(k2, ctx);
    expect(w2.kekVersion).toBe(v);
    expect((await a.unwrap(w2.wrapped, v, ctx)).equals(k2)).toBe(true);
    expect((await b.unwrap(w1.wrapped, w1.kekVersion, ctx)).equals(k1)).toBe(true);
    await expect(a.unwrap(w1.wrapped, v, ctx)).rejects.toThrow(DecryptionError); // version is bound
    const states = (await a.listKeys()).map((k) => [k.version, k.state]);
    expect(states).toContainEqual([w1.kekVersion, 'active']);
    expect(states).toContainEqual([v, 'current']);
  });

  it('retires an old version: refuses unwrap; the current version cannot be retired', async () => {
    const p = await provider();
    const current = await p.currentVersion();
    await expect(p.retire(current)).rejects.toThrow(/current/);
    const w = await p.wrap(newDataKey(), ctx);
    const next = await p.rotate();
    await p.retire(w.kekVersion);
    expect((await p.listKeys()).find((k) => k.version === w.kekVersion)?.state).toBe('retired');
    await expect(p.unwrap(w.wrapped, w.kekVersion, ctx)).rejects.toThrow(/retired/);
    expect((await p.wrap(newDataKey(), ctx)).kekVersion).toBe(next);
    await expect(p.retire(999)).rejects.toThrow(KeyProviderError);
  });

  it('lists metadata only', async () => {
    const p = await provider();
    for (const info of await p.listKeys()) {
      expect(Object.keys(info).sort()).toEqual(['algorithm', 'createdAt', 'provider', 'state', 'version']);
    }
  });

  it('does not leak the PIN on a failed login and reports a missing token clearly', async () => {
    // PKCS#11 login state is per process and token: with a provider open, any login "succeeds".
    await closeAll();
    const wrongPin = `wrong-${randomBytes(6).toString('hex')}`;
    const err = await createPkcs11KeyProvider({ ...options(), pin: wrongPin }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyProviderError);
    expect((err as Error).message).toMatch(/CKR_PIN_INCORRECT/);
    expect(`${(err as Error).message}\n${(err as Error).stack}`).not.toContain(wrongPin);
    await expect(createPkcs11KeyProvider({ ...options(), tokenLabel: 'no-such-token' })).rejects.toThrow(/no token labelled/);
    // the good provider still works afterwards
    const p = await provider();
    await expect(p.currentVersion()).resolves.toBeGreaterThan(0);
  });

  it('keeps the KEKs inside the token: sensitive, not extractable, CKA_VALUE unreadable', async () => {
    await closeAll(); // the raw session below initializes the library on its own
    withRawSession((p11, m, s) => {
      const keys = findOurKeys(p11, m, s);
      expect(keys.length).toBeGreaterThanOrEqual(3);
      for (const k of keys) {
        expect(() => m.C_GetAttributeValue(s, k.handle, [{ type: p11.CKA_VALUE }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
        const [extractable, sensitive, neverExtractable] = m.C_GetAttributeValue(s, k.handle, [
          { type: p11.CKA_EXTRACTABLE },
          { type: p11.CKA_SENSITIVE },
          { type: p11.CKA_NEVER_EXTRACTABLE },
        ]);
        expect(extractable!.value[0]).toBe(0);
        expect(sensitive!.value[0]).toBe(1);
        expect(neverExtractable!.value[0]).toBe(1);
        // PKCS#11 forbids making them extractable later
        expect(() => m.C_SetAttributeValue(s, k.handle, [{ type: p11.CKA_EXTRACTABLE, value: true }])).toThrow();
      }
    });
  });
});
