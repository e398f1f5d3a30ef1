// Bulk-filling the vault for the million-customer benchmarks (vault-find, export): customers
// built the way core builds them, inserted with SQL, so that core reads them like any other.
//
//   - each customer gets its own fresh data key, wrapped under the current KEK of the key file
//     core uses exactly as the local key provider wraps (aes-256-gcm with kekWrapAad(kekVersion,
//     kekWrapContext(customerId, 1)), local-key-provider.ts): the KEK is read from core's
//     temporary key file once, because a provider.wrap() per customer re-stats the key file;
//     one key wrapped this way is unwrapped through the real provider first, as a check;
//   - each value is normalised with core's PI type and encrypted with core's encryptField under
//     that key with fieldAad({ customerId, field, keyVersion: 1 });
//   - resident_id / mobile / email get their blind index from core's blindIndex() under the
//     vault's real blind-index key, unwrapped from vault_system_keys through the key provider with
//     the context keyring.ts uses. `verifyBlindIndex` checks it against a customer created
//     through core, so a change in core's key context does not go unnoticed.
// The fill connection skips foreign-key triggers (session_replication_role = replica) and
// commits asynchronously.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import pg from 'pg';
import {
  blindIndex,
  createLocalKeyProvider,
  encryptField,
  fieldAad,
  getCipherSuite,
  getPiType,
  kekWrapAad,
  kekWrapContext,
  LOCAL_KEY_FILE,
  newDataKey,
} from '@custos/core';
import { onCleanup } from './harness.mjs';
import { FIELD_TYPES, INDEXED } from './pi-values.mjs';

/** The context keyring.ts wraps the vault's system keys with (SYSTEM_KEY_CONTEXT). */
const BLIND_KEY_CONTEXT = Buffer.from('custos.vault-system-key.v1\0blind_index', 'utf8');
const PI = Object.fromEntries(Object.entries(FIELD_TYPES).map(([f, t]) => [f, getPiType(t)]));

export async function openVaultFiller(core, dbUrl) {
  // The key provider core uses (its key file), opened a second time as another process would.
  const provider = await createLocalKeyProvider({ dir: core.config.keys.dir, mode: 'development' });
  onCleanup(() => provider.close());
  const suite = getCipherSuite('aes-256-gcm');
  if (core.config.cipherSuite !== suite.id)
    throw new Error(`the benchmark fills aes-256-gcm data; core is configured for ${core.config.cipherSuite}`);

  const [sys] = await core.database.query(`SELECT kek_version, wrapped_key FROM vault_system_keys WHERE name = 'blind_index'`);
  if (!sys) throw new Error('vault_system_keys has no blind_index key');
  const blindKey = await provider.unwrap(sys.wrapped_key, Number(sys.kek_version), BLIND_KEY_CONTEXT);

  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  onCleanup(() => client.end());
  await client.query(`SET session_replication_role = replica`);
  await client.query(`SET synchronous_commit = off`);

  const keyFile = JSON.parse(fs.readFileSync(path.join(core.config.keys.dir, LOCAL_KEY_FILE), 'utf8'));
  const current = keyFile.keys.find((k) => k.state === 'current');
  const kek = { version: current.version, key: Buffer.from(current.key, 'base64') };
  onCleanup(() => kek.key.fill(0));
  const wrapKey = (dataKey, customerId) => suite.encrypt(kek.key, dataKey, kekWrapAad(kek.version, kekWrapContext(customerId, 1)));
  {
    const id = crypto.randomUUID();
    const dk = newDataKey();
    const back = await provider.unwrap(wrapKey(dk, id), kek.version, kekWrapContext(id, 1));
    if (!back.equals(dk)) throw new Error('a bulk-wrapped data key does not unwrap through the key provider');
  }

  return {
    client,
    blindKey,

    /**
     * One batch of customers from their plain values ({ field: value }, fields of FIELD_TYPES),
     * yielding to the event loop now and then so the previous batch's statements keep flowing.
     */
    async build(valuesList) {
      const ids = [];
      const wrapped = [];
      const f = { customer: [], code: [], type: [], ct: [], bi: [] };
      for (let n = 0; n < valuesList.length; n++) {
        if (n % 100 === 99) await yieldToLoop();
        const values = valuesList[n];
        const id = crypto.randomUUID();
        const dataKey = newDataKey();
        ids.push(id);
        wrapped.push(wrapKey(dataKey, id));
        for (const [field, value] of Object.entries(values)) {
          const type = PI[field];
          const normalized = type.normalize(value);
          f.customer.push(id);
          f.code.push(field);
          f.type.push(type.id);
          f.ct.push(encryptField(suite, dataKey, normalized, fieldAad({ customerId: id, field, keyVersion: 1 })));
          f.bi.push(INDEXED.has(field) ? blindIndex(blindKey, type.id, normalized) : null);
        }
        dataKey.fill(0);
      }
      return { ids, wrapped, kekVersion: kek.version, f };
    },

    /** Insert a built batch in one transaction (customers, wrapped keys, encrypted fields). */
    async insert(b) {
      await client.query('BEGIN');
      try {
        await client.query(`INSERT INTO customers (id, created_by) SELECT unnest($1::uuid[]), $2`, [b.ids, 'bench.bulk']);
        await client.query(
          `INSERT INTO customer_keys (customer_id, data_key_version, suite, kek_version, wrapped_key) SELECT unnest($1::uuid[]), 1, $2, $3::int, unnest($4::bytea[])`,
          [b.ids, suite.id, b.kekVersion, b.wrapped],
        );
        await client.query(
          `INSERT INTO customer_fields (customer_id, category_code, pi_type, ciphertext, data_key_version, blind_index, updated_by)
           SELECT u.c, u.code, u.t, u.ct, 1, u.bi, $6 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::text[]) AS u(c, code, t, ct, bi)`,
          [b.f.customer, b.f.code, b.f.type, b.f.ct, b.f.bi, 'bench.bulk'],
        );
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      }
    },

    /** The blind-index key must give the index core stored for a customer it created. */
    async verifyBlindIndex(customerId, field, value) {
      const [row] = await core.database.query(
        `SELECT pi_type, blind_index FROM customer_fields WHERE customer_id = $1 AND category_code = $2`,
        [customerId, field],
      );
      if (row?.blind_index !== blindIndex(blindKey, row?.pi_type, PI[field].normalize(value)))
        throw new Error("the unwrapped blind-index key does not reproduce core's blind index: keyring.ts changed its system-key context?");
    },

    /** VACUUM ANALYZE the vault's tables and CHECKPOINT (so the measurement does not pay for the fill). */
    async settle(tables = ['customers', 'customer_keys', 'customer_fields']) {
      for (const t of tables) await client.query(`VACUUM ANALYZE ${t}`);
      await client.query('CHECKPOINT');
    },
  };
}
