import { eq, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.js';
import { vaultSystemKeys } from '../../db/schema.js';
import {
  cipherSuiteOf,
  getCipherSuite,
  kekWrapContext,
  newDataKey,
  type CipherSuite,
  type CipherSuiteId,
  type KeyProvider,
} from '../../crypto/index.js';

const SYSTEM_KEY_CONTEXT = (name: string) => Buffer.from(`custos.vault-system-key.v1\0${name}`, 'utf8');
const CACHE_LIMIT = 4096;

export interface CustomerKeyRow {
  customerId: string;
  dataKeyVersion: number;
  suite: string;
  kekVersion: number | null;
  wrappedKey: Buffer | null;
}

/**
 * The vault's key hierarchy: KEKs in the key provider (file or HSM) wrap one data key per
 * customer and the blind-index key. Unwrapped data keys are cached briefly in memory (bounded),
 * so reading a customer does not cost an HSM call each time; shredding evicts them.
 */
export function createKeyring(deps: { provider: KeyProvider; database: Database; suite: CipherSuiteId }) {
  const { provider, database } = deps;
  const suite = getCipherSuite(deps.suite);
  const cache = new Map<string, Buffer>();
  let blindKey: Promise<Buffer> | null = null;

  function remember(customerId: string, key: Buffer): void {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(customerId, key);
  }

  async function loadSystemKey(name: string): Promise<Buffer> {
    const existing = (await database.db.select().from(vaultSystemKeys).where(eq(vaultSystemKeys.name, name)))[0];
    if (existing) return provider.unwrap(existing.wrappedKey, existing.kekVersion, SYSTEM_KEY_CONTEXT(name));
    const key = newDataKey();
    const w = await provider.wrap(key, SYSTEM_KEY_CONTEXT(name));
    // Two processes may create it at once: the first insert wins and both use that one.
    await database.db.insert(vaultSystemKeys).values({ name, kekVersion: w.kekVersion, wrappedKey: w.wrapped }).onConflictDoNothing();
    const row = (await database.db.select().from(vaultSystemKeys).where(eq(vaultSystemKeys.name, name)))[0]!;
    return provider.unwrap(row.wrappedKey, row.kekVersion, SYSTEM_KEY_CONTEXT(name));
  }

  return {
    provider,
    suite,
    suiteFor(ciphertext: Buffer): CipherSuite {
      return cipherSuiteOf(ciphertext);
    },
    blindIndexKey(): Promise<Buffer> {
      return (blindKey ??= loadSystemKey('blind_index').catch((e: unknown) => {
        blindKey = null;
        throw e;
      }));
    },

    /** A fresh data key for a new customer, and the wrapped form to store. */
    async newCustomerKey(customerId: string) {
      const dataKey = newDataKey();
      const w = await provider.wrap(dataKey, kekWrapContext(customerId, 1));
      remember(customerId, dataKey);
      return { dataKey, row: { customerId, dataKeyVersion: 1, suite: suite.id, kekVersion: w.kekVersion, wrappedKey: w.wrapped } };
    },

    /** The customer's data key; null when it was destroyed (crypto-shredded). */
    async customerKey(row: CustomerKeyRow): Promise<Buffer | null> {
      if (!row.wrappedKey || row.kekVersion === null) return null;
      const hit = cache.get(row.customerId);
      if (hit) return hit;
      const key = await provider.unwrap(row.wrappedKey, row.kekVersion, kekWrapContext(row.customerId, row.dataKeyVersion));
      remember(row.customerId, key);
      return key;
    },

    /** Re-wrap under the current KEK (rotation): same data key, new wrapping. */
    async rewrap(row: CustomerKeyRow): Promise<{ kekVersion: number; wrapped: Buffer } | null> {
      if (!row.wrappedKey || row.kekVersion === null) return null;
      const ctx = kekWrapContext(row.customerId, row.dataKeyVersion);
      const key = await provider.unwrap(row.wrappedKey, row.kekVersion, ctx);
      return provider.wrap(key, ctx);
    },

    async rewrapSystemKeys(tx: Tx, current: number): Promise<number> {
      const rows = await tx
        .select()
        .from(vaultSystemKeys)
        .where(sql`${vaultSystemKeys.kekVersion} <> ${current}`);
      for (const r of rows) {
        const ctx = SYSTEM_KEY_CONTEXT(r.name);
        const key = await provider.unwrap(r.wrappedKey, r.kekVersion, ctx);
        const w = await provider.wrap(key, ctx);
        await tx
          .update(vaultSystemKeys)
          .set({ kekVersion: w.kekVersion, wrappedKey: w.wrapped, rewrappedAt: new Date() })
          .where(eq(vaultSystemKeys.name, r.name));
      }
      return rows.length;
    },

    forget(customerId: string): void {
      cache.delete(customerId);
    },
  };
}

export type Keyring = ReturnType<typeof createKeyring>;
