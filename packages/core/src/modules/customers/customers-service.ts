import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import { rawRows, type Tx } from '../../db/client.js';
import {
  customerFieldHistory,
  customerFields,
  customerKeys,
  customers,
  dataCategories,
  departmentUsePurposes,
  purposes as purposesTable,
} from '../../db/schema.js';
import { ForbiddenError, InvalidError, NotFoundError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { OperationContext, Runner } from '../../runner.js';
import { parseInput, pgCode } from '../../validation.js';
import { blindIndex, decryptField, encryptField, fieldAad } from '../../crypto/index.js';
import { getPiType, type PiMaskPolicy } from '../../pi-types/index.js';
import type { Keyring } from './keyring.js';
import type { PolicyCache } from '../consent/consent-cache.js';
import { assertNoPlainPi, maskFor, prepareFields, type CatalogueEntry, type PreparedField } from './customers-fns.js';
import {
  createCustomerInput,
  deleteCustomerInput,
  departmentPurposesInput,
  findCustomersInput,
  revealInput,
  updateFieldInput,
  type CreateCustomerInput,
  type Customer,
  type FieldHistoryEntry,
  type FindCustomersInput,
  type HeldPurpose,
  type RevealInput,
  type UpdateFieldInput,
} from './customers-types.js';

const VAULT_CLAUSES = ['P2.3', 'P4.1'];
const CATALOGUE_TTL_MS = 30_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CustomersDeps {
  runner: Runner;
  keyring: Keyring;
  maskPolicy: PiMaskPolicy;
  /** The active registered purposes and consent decisions (P3.4, P5.1). */
  policy: PolicyCache;
  /** P5.2: a live grant must cover every plain read by a user or token; the access is recorded against it. */
  useGrant: (
    tx: Tx,
    actor: Actor,
    access: {
      purposeCode: string;
      fields: readonly string[];
      customerId: string | null;
      method: 'view' | 'api' | 'export';
      operation: string;
    },
  ) => Promise<{ grantId: string } | { refusal: string }>;
}

/**
 * The customer PI vault (P2.3, P4.1, P2.4, P5.1). Every value is encrypted on its own under the
 * customer's data key, bound to customer, field and key version. Reads are masked; plain values
 * only through `reveal`, for an active registered purpose the caller's department holds, that the
 * customer's consent (or the purpose's other legal basis) covers, under a live grant; always audited.
 */
interface FindRow {
  customer_id: string;
  category_code: string;
  pi_type: string;
  ciphertext: Uint8Array;
  data_key_version: number;
  blind_index: string | null;
  version: number;
  updated_at: Date;
  updated_by: string;
  k_version: number;
  suite: string;
  kek_version: number | null;
  wrapped_key: Uint8Array | null;
  k_created_at: Date;
  rewrapped_at: Date | null;
  destroyed_at: Date | null;
  status: 'active' | 'deleted';
  created_at: Date;
  c_updated_at: Date;
  created_by: string;
  deleted_at: Date | null;
  deleted_by: string | null;
}

/** A row of find's query as the drizzle shapes the rest of the vault uses (bytea as Buffer on both drivers). */
function fromFindRow(r: FindRow) {
  return {
    f: {
      customerId: r.customer_id,
      categoryCode: r.category_code,
      piType: r.pi_type,
      ciphertext: Buffer.from(r.ciphertext),
      dataKeyVersion: r.data_key_version,
      blindIndex: r.blind_index,
      version: r.version,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by,
    },
    k: {
      customerId: r.customer_id,
      dataKeyVersion: r.k_version,
      suite: r.suite,
      kekVersion: r.kek_version,
      wrappedKey: r.wrapped_key ? Buffer.from(r.wrapped_key) : null,
      createdAt: r.k_created_at,
      rewrappedAt: r.rewrapped_at,
      destroyedAt: r.destroyed_at,
    },
    c: {
      id: r.customer_id,
      status: r.status,
      createdAt: r.created_at,
      updatedAt: r.c_updated_at,
      createdBy: r.created_by,
      deletedAt: r.deleted_at,
      deletedBy: r.deleted_by,
    },
  };
}

export function createCustomersService(deps: CustomersDeps) {
  const { runner, keyring, maskPolicy, policy } = deps;

  // The catalogue changes rarely; reading it on every vault call costs a round trip. Cached
  // briefly, and re-read at once when a value names a category the cache does not know yet.
  let cached: { at: number; map: Map<string, CatalogueEntry> } | null = null;
  async function catalogue(tx: Tx, mustKnow: readonly string[] = []): Promise<Map<string, CatalogueEntry>> {
    if (cached && Date.now() - cached.at < CATALOGUE_TTL_MS && mustKnow.every((c) => cached!.map.has(c))) return cached.map;
    const rows = await tx
      .select({ code: dataCategories.code, piType: dataCategories.piType, sensitivity: dataCategories.sensitivity })
      .from(dataCategories);
    cached = { at: Date.now(), map: new Map(rows.map((r) => [r.code, r])) };
    return cached.map;
  }

  async function loadCustomer(tx: Tx, id: string) {
    if (!UUID.test(id)) throw new NotFoundError('customer not found');
    const row = (
      await tx
        .select({ c: customers, k: customerKeys })
        .from(customers)
        .leftJoin(customerKeys, eq(customerKeys.customerId, customers.id))
        .where(eq(customers.id, id))
    )[0];
    if (!row || row.c.status !== 'active' || !row.k) throw new NotFoundError('customer not found');
    const dataKey = await keyring.customerKey(row.k);
    if (!dataKey) throw new NotFoundError('customer not found');
    return { customer: row.c, key: row.k, dataKey };
  }

  function decrypt(dataKey: Buffer, customerId: string, f: { categoryCode: string; ciphertext: Buffer; dataKeyVersion: number }): string {
    return decryptField(
      keyring.suiteFor(f.ciphertext),
      dataKey,
      f.ciphertext,
      fieldAad({ customerId, field: f.categoryCode, keyVersion: f.dataKeyVersion }),
    );
  }

  async function encryptAndIndex(customerId: string, dataKey: Buffer, f: PreparedField, dataKeyVersion: number) {
    return {
      ciphertext: encryptField(keyring.suite, dataKey, f.normalized, fieldAad({ customerId, field: f.field, keyVersion: dataKeyVersion })),
      blindIndex: f.indexed ? blindIndex(await keyring.blindIndexKey(), f.piType, f.normalized) : null,
    };
  }

  async function maskedCustomer(
    tx: Tx,
    id: string,
    // find() reads the customer, its key and its fields (ordered by category) in its one query.
    loaded?: { customer: typeof customers.$inferSelect; dataKey: Buffer; rows: (typeof customerFields.$inferSelect)[] },
  ): Promise<Customer> {
    const { customer, dataKey } = loaded ?? (await loadCustomer(tx, id));
    const cat = await catalogue(tx);
    const rows =
      loaded?.rows ??
      (await tx.select().from(customerFields).where(eq(customerFields.customerId, id)).orderBy(asc(customerFields.categoryCode)));
    return {
      id: customer.id,
      status: customer.status,
      createdAt: customer.createdAt.toISOString(),
      updatedAt: customer.updatedAt.toISOString(),
      fields: rows.map((r) => ({
        field: r.categoryCode,
        piType: r.piType,
        sensitivity: cat.get(r.categoryCode)?.sensitivity ?? 'sensitive',
        masked: maskFor(r.piType, decrypt(dataKey, id, r), maskPolicy),
        version: r.version,
        updatedAt: r.updatedAt.toISOString(),
      })),
    };
  }

  /** P5.1: the caller's department must hold the purpose; administrators do not get PI by role. */
  async function requirePurpose(ctx: OperationContext, purpose: string): Promise<void> {
    if (ctx.actor.type === 'system') return;
    const held = ctx.actor.departmentId
      ? await ctx.tx
          .select()
          .from(departmentUsePurposes)
          .where(and(eq(departmentUsePurposes.departmentId, ctx.actor.departmentId), eq(departmentUsePurposes.purpose, purpose)))
      : [];
    if (!held.length) throw new ForbiddenError(`your department is not assigned the purpose ${purpose}`, 'purpose', ['P5.1']);
  }

  /**
   * The vault's steps for other modules' operations (collection, import, portal), run inside
   * their transaction and audited by them.
   */
  const internal = {
    catalogue,
    maskedCustomer,
    prepare: async (tx: Tx, values: Record<string, string>) => prepareFields(values, await catalogue(tx, Object.keys(values))),

    /** An existing customer with the same resident ID, mobile or email (in that order), through the blind index. */
    async match(tx: Tx, prepared: readonly PreparedField[]): Promise<string | null> {
      const order = ['cn_resident_id', 'cn_mobile', 'email'];
      const indexed = prepared.filter((f) => f.indexed);
      if (!indexed.length) return null;
      const key = await keyring.blindIndexKey();
      const wanted = new Map(indexed.map((f) => [`${f.piType}:${blindIndex(key, f.piType, f.normalized)}`, f]));
      // One query for every identifier submitted; the truncated index gives a few candidates to confirm by decryption.
      const params: string[] = [];
      const pairs = [...wanted.keys()].map((w) => {
        const [piType, index] = w.split(':') as [string, string];
        params.push(piType, index);
        return `(f.pi_type = $${params.length - 1} AND f.blind_index = $${params.length})`;
      });
      const candidates = await rawRows<{
        customer_id: string;
        category_code: string;
        pi_type: string;
        blind_index: string;
        ciphertext: Uint8Array;
        data_key_version: number;
        key_version: number;
        suite: string;
        kek_version: number | null;
        wrapped_key: Uint8Array | null;
      }>(
        tx,
        `SELECT f.customer_id, f.category_code, f.pi_type, f.blind_index, f.ciphertext, f.data_key_version,
                k.data_key_version AS key_version, k.suite, k.kek_version, k.wrapped_key
           FROM customer_fields f JOIN customer_keys k ON k.customer_id = f.customer_id
          WHERE ${pairs.join(' OR ')}`,
        params,
      );
      candidates.sort((a, b) => order.indexOf(a.pi_type) - order.indexOf(b.pi_type));
      for (const c of candidates) {
        const f = wanted.get(`${c.pi_type}:${c.blind_index}`);
        const dataKey =
          f &&
          (await keyring.customerKey({
            customerId: c.customer_id,
            dataKeyVersion: c.key_version,
            suite: c.suite,
            kekVersion: c.kek_version,
            wrappedKey: c.wrapped_key ? Buffer.from(c.wrapped_key) : null,
          }));
        const row = { categoryCode: c.category_code, ciphertext: Buffer.from(c.ciphertext), dataKeyVersion: c.data_key_version };
        if (f && dataKey && decrypt(dataKey, c.customer_id, row) === f.normalized) return c.customer_id;
      }
      return null;
    },

    /** A new customer with these fields, in one statement (customer, wrapped key, encrypted values); returns its id. */
    async storeNew(tx: Tx, actor: Actor, prepared: readonly PreparedField[]): Promise<string> {
      const id = randomUUID();
      const { dataKey, row } = await keyring.newCustomerKey(id);
      const params: unknown[] = [id, actor.username, row.suite, row.kekVersion, row.wrappedKey];
      const values: string[] = [];
      for (const f of prepared) {
        const enc = await encryptAndIndex(id, dataKey, f, 1);
        params.push(f.field, f.piType, enc.ciphertext, enc.blindIndex);
        const n = params.length;
        values.push(`($1, $${n - 3}, $${n - 2}, $${n - 1}, 1, $${n}, $2)`);
      }
      const main = values.length
        ? `INSERT INTO customer_fields (customer_id, category_code, pi_type, ciphertext, data_key_version, blind_index, updated_by) VALUES ${values.join(', ')}`
        : 'SELECT 1';
      await rawRows(
        tx,
        `WITH c AS (INSERT INTO customers (id, created_by) VALUES ($1, $2)),
              k AS (INSERT INTO customer_keys (customer_id, data_key_version, suite, kek_version, wrapped_key) VALUES ($1, 1, $3, $4, $5))
         ${main}`,
        params,
      );
      return id;
    },

    /** Add missing fields and correct changed ones (the old value goes to the history, P2.4). */
    async merge(
      tx: Tx,
      actor: Actor,
      id: string,
      prepared: readonly PreparedField[],
      reason: string,
    ): Promise<{ added: string[]; corrected: string[] }> {
      const { dataKey, key } = await loadCustomer(tx, id);
      const existing = await tx.select().from(customerFields).where(eq(customerFields.customerId, id)).for('update');
      const byField = new Map(existing.map((r) => [r.categoryCode, r]));
      const added: string[] = [];
      const corrected: string[] = [];
      const now = new Date();
      for (const f of prepared) {
        const old = byField.get(f.field);
        if (old && decrypt(dataKey, id, old) === f.normalized) continue;
        const enc = await encryptAndIndex(id, dataKey, f, key.dataKeyVersion);
        if (old) {
          await tx.insert(customerFieldHistory).values({
            customerId: id,
            categoryCode: f.field,
            version: old.version,
            ciphertext: old.ciphertext,
            dataKeyVersion: old.dataKeyVersion,
            changedAt: now,
            changedBy: actor.username,
            reason,
          });
          await tx
            .update(customerFields)
            .set({ ...enc, dataKeyVersion: key.dataKeyVersion, version: old.version + 1, updatedAt: now, updatedBy: actor.username })
            .where(and(eq(customerFields.customerId, id), eq(customerFields.categoryCode, f.field)));
          corrected.push(f.field);
        } else {
          await tx.insert(customerFields).values({
            customerId: id,
            categoryCode: f.field,
            piType: f.piType,
            dataKeyVersion: key.dataKeyVersion,
            updatedBy: actor.username,
            ...enc,
          });
          added.push(f.field);
        }
      }
      if (added.length || corrected.length) await tx.update(customers).set({ updatedAt: now }).where(eq(customers.id, id));
      return { added, corrected };
    },

    /**
     * Crypto-shred inside the caller's transaction (delete, retention): destroy the wrapped data
     * key, remove ciphertexts and history, mark the customer deleted. The caller audits it.
     */
    async shred(tx: Tx, actor: Actor, id: string): Promise<{ fields: string[]; historyEntries: number }> {
      const r = await internal.shredMany(tx, actor, [id], new Date());
      return r.get(id) ?? { fields: [], historyEntries: 0 };
    },

    /**
     * The same for many customers at once (the retention sweep), in four set-based statements.
     * Returns, per customer, the fields removed and how many history entries went with them.
     */
    async shredMany(
      tx: Tx,
      actor: Actor,
      ids: readonly string[],
      at: Date,
      opts: { listFields?: boolean } = {},
    ): Promise<Map<string, { fields: string[]; historyEntries: number }>> {
      const out = new Map<string, { fields: string[]; historyEntries: number }>();
      if (!ids.length) return out;
      for (const id of ids) out.set(id, { fields: [], historyEntries: 0 });
      const history = await rawRows<{ customer_id: string; n: number }>(
        tx,
        `WITH d AS (DELETE FROM customer_field_history WHERE customer_id = ANY($1::uuid[]) RETURNING customer_id)
         SELECT customer_id, count(*)::int AS n FROM d GROUP BY customer_id`,
        [ids],
      );
      for (const r of history) out.get(r.customer_id)!.historyEntries = r.n;
      // The sweep knows the fields from its plan: it does not need them sent back.
      const listFields = opts.listFields ?? true;
      const fields = await rawRows<{ customer_id: string; category_code: string }>(
        tx,
        `DELETE FROM customer_fields WHERE customer_id = ANY($1::uuid[])${listFields ? ' RETURNING customer_id, category_code' : ''}`,
        [ids],
      );
      for (const r of fields) out.get(r.customer_id)!.fields.push(r.category_code);
      for (const v of out.values()) v.fields.sort();
      await rawRows(
        tx,
        `UPDATE customer_keys SET wrapped_key = NULL, kek_version = NULL, destroyed_at = $2::timestamptz
          WHERE customer_id = ANY($1::uuid[]) AND wrapped_key IS NOT NULL`,
        [ids, at.toISOString()],
      );
      await rawRows(
        tx,
        `UPDATE customers SET status = 'deleted', deleted_at = $2::timestamptz, deleted_by = $3, updated_at = $2::timestamptz WHERE id = ANY($1::uuid[])`,
        [ids, at.toISOString(), actor.username],
      );
      for (const id of ids) keyring.forget(id);
      return out;
    },

    /** Decrypt one field of a customer for delivery (the notifier's recipient); never returned to callers. */
    async plainField(tx: Tx, id: string, field: string): Promise<string | null> {
      return (await internal.plainFields(tx, id, [field]))[field] ?? null;
    },

    /** Several fields of one customer, decrypted with one key load and one query (the caller audits the read). */
    async plainFields(tx: Tx, id: string, fields: readonly string[]): Promise<Record<string, string>> {
      const { dataKey } = await loadCustomer(tx, id);
      const rows = await tx
        .select()
        .from(customerFields)
        .where(and(eq(customerFields.customerId, id), inArray(customerFields.categoryCode, [...fields])));
      return Object.fromEntries(rows.map((r) => [r.categoryCode, decrypt(dataKey, id, r)]));
    },
  };

  return {
    internal,

    /** Store a new customer's PI. Returns the id and the masked fields; never plain values. */
    create(actor: Actor, input: CreateCustomerInput): Promise<Customer> {
      return runner.run(actor, OPERATIONS.createCustomer, async ({ tx, audit }) => {
        const data = parseInput(createCustomerInput, input);
        const fields = prepareFields(data.fields, await catalogue(tx, Object.keys(data.fields)));
        const c = (await tx.insert(customers).values({ createdBy: actor.username }).returning())[0]!;
        const { dataKey, row } = await keyring.newCustomerKey(c.id);
        await tx.insert(customerKeys).values(row);
        const values = [];
        for (const f of fields) {
          values.push({
            customerId: c.id,
            categoryCode: f.field,
            piType: f.piType,
            dataKeyVersion: 1,
            updatedBy: actor.username,
            ...(await encryptAndIndex(c.id, dataKey, f, 1)),
          });
        }
        if (values.length) await tx.insert(customerFields).values(values);
        await audit({
          action: 'customer.created',
          resourceType: 'customer',
          resourceId: c.id,
          clauses: [...VAULT_CLAUSES, 'P2.4'],
          details: { fields: fields.map((f) => f.field), kekVersion: row.kekVersion, suite: row.suite },
        });
        return {
          id: c.id,
          status: c.status,
          createdAt: c.createdAt.toISOString(),
          updatedAt: c.updatedAt.toISOString(),
          fields: fields.map((f) => ({
            field: f.field,
            piType: f.piType,
            sensitivity: f.sensitivity,
            masked: maskFor(f.piType, f.normalized, maskPolicy),
            version: 1,
            updatedAt: c.createdAt.toISOString(),
          })),
        };
      });
    },

    /** Masked read; recorded as an access (P5.1 access log). */
    get(actor: Actor, id: string): Promise<Customer> {
      return runner.run(actor, OPERATIONS.getCustomer, async ({ tx, audit }) => {
        const c = await maskedCustomer(tx, id);
        await audit({
          action: 'customer.viewed',
          resourceType: 'customer',
          resourceId: id,
          clauses: ['P5.1', 'P4.1'],
          details: { masked: true, fields: c.fields.map((f) => f.field) },
        });
        return c;
      });
    },

    /** Exact lookup by resident ID, mobile or email through the blind index; masked results. */
    find(actor: Actor, input: FindCustomersInput): Promise<Customer[]> {
      return runner.run(actor, OPERATIONS.findCustomers, async ({ tx, audit }) => {
        const data = parseInput(findCustomersInput, input);
        const type = getPiType(data.piType)!;
        const v = type.validate(data.value);
        if (!v.valid) throw new InvalidError('the search value is not valid', [{ field: 'value', reason: v.reason }], ['P2.4']);
        const normalized = type.normalize(data.value);
        const index = blindIndex(await keyring.blindIndexKey(), data.piType, normalized);
        // One round trip: every field of each candidate customer, with its key and customer row
        // (hand-written: this is the lookup path, and drizzle's building of a three-table select cost as much as the query).
        const raw = await rawRows<FindRow>(
          tx,
          `SELECT f.customer_id, f.category_code, f.pi_type, f.ciphertext, f.data_key_version, f.blind_index, f.version,
                  f.updated_at, f.updated_by, k.data_key_version AS k_version, k.suite, k.kek_version, k.wrapped_key,
                  k.created_at AS k_created_at, k.rewrapped_at, k.destroyed_at, c.status, c.created_at, c.updated_at AS c_updated_at,
                  c.created_by, c.deleted_at, c.deleted_by
             FROM customer_fields f
             JOIN customer_keys k ON k.customer_id = f.customer_id
             JOIN customers c ON c.id = f.customer_id
            WHERE f.customer_id IN (SELECT customer_id FROM customer_fields WHERE pi_type = $1 AND blind_index = $2)
            ORDER BY f.customer_id, f.category_code`,
          [data.piType, index],
        );
        const rows = raw.map(fromFindRow);
        const byCustomer = new Map<
          string,
          { c: (typeof rows)[number]['c']; k: (typeof rows)[number]['k']; fields: (typeof rows)[number]['f'][] }
        >();
        for (const { f, k, c } of rows) {
          const e = byCustomer.get(f.customerId);
          if (e) e.fields.push(f);
          else byCustomer.set(f.customerId, { c, k, fields: [f] });
        }
        // The index is truncated on purpose: decrypt the few candidates to drop false matches.
        let candidates = 0;
        const result: Customer[] = [];
        for (const [id, { c, k, fields }] of byCustomer) {
          const key = await keyring.customerKey(k);
          let match = false;
          for (const f of fields) {
            if (f.piType !== data.piType || f.blindIndex !== index) continue;
            candidates++;
            if (key && decrypt(key, id, f) === normalized) match = true;
          }
          if (!match) continue;
          // As loadCustomer: a match that is not an active customer is not found.
          if (c.status !== 'active' || !key) throw new NotFoundError('customer not found');
          result.push(await maskedCustomer(tx, id, { customer: c, dataKey: key, rows: fields }));
        }
        await audit({
          action: 'customer.searched',
          resourceType: 'customer',
          clauses: ['P5.1', 'P4.1'],
          details: { piType: data.piType, blindIndex: index, candidates, matches: result.length },
        });
        return result;
      });
    },

    /**
     * Plain values for a stated purpose, in this order: the purpose is an active registered one; the
     * caller's department holds it (P5.1); the customer's consent or the purpose's other legal basis
     * covers every field (P3.4); a live grant covers the read (P5.2; not for the system actor).
     * Audited with purpose and fields (and the grant), never values.
     */
    reveal(actor: Actor, id: string, input: RevealInput): Promise<{ customerId: string; purpose: string; values: Record<string, string> }> {
      return runner.run(actor, OPERATIONS.revealCustomerFields, async (ctx) => {
        const data = parseInput(revealInput, input);
        assertNoPlainPi('justification', data.justification);
        // Only an active registered purpose; the former built-in use purposes are no way around it.
        if (!(await policy.activePurposes(ctx.tx)).has(data.purpose))
          throw new ForbiddenError(`purpose ${data.purpose} is not an active registered purpose`, 'purpose', ['P5.1']);
        await requirePurpose(ctx, data.purpose);
        const { dataKey } = await loadCustomer(ctx.tx, id);
        // What the customer's consent (or the purpose's other legal basis) covers (P3.4, P5.1).
        const denied = (await policy.decide(ctx.tx, id, data.purpose, data.fields)).filter((d) => !d.allow);
        if (denied.length)
          throw new ForbiddenError(
            `not covered for purpose ${data.purpose}: ${denied.map((d) => `${d.field} (${d.reason})`).join(', ')}`,
            'consent',
            ['P3.4', 'P5.1'],
          );
        // P5.2: a live grant of the caller's department covers this read; it is recorded against the grant.
        let grantId: string | null = null;
        if (ctx.actor.type !== 'system') {
          const g = await deps.useGrant(ctx.tx, ctx.actor, {
            purposeCode: data.purpose,
            fields: data.fields,
            customerId: id,
            method: ctx.actor.authMethod === 'api_token' ? 'api' : 'view',
            operation: 'revealCustomerFields',
          });
          if ('refusal' in g) throw new ForbiddenError(`no live grant covers this read (${g.refusal})`, 'grant', ['P5.1', 'P5.2']);
          grantId = g.grantId;
        }
        const rows = await ctx.tx
          .select()
          .from(customerFields)
          .where(and(eq(customerFields.customerId, id), inArray(customerFields.categoryCode, data.fields)));
        const missing = data.fields.filter((f) => !rows.some((r) => r.categoryCode === f));
        if (missing.length)
          throw new InvalidError(
            'the customer has no such fields',
            missing.map((field) => ({ field, reason: 'not_present' })),
          );
        const values: Record<string, string> = {};
        for (const r of rows) values[r.categoryCode] = decrypt(dataKey, id, r);
        await ctx.audit({
          action: 'customer.revealed',
          resourceType: 'customer',
          resourceId: id,
          purposeId: data.purpose,
          clauses: ['P4.1', 'P5.1'],
          details: { fields: data.fields, purpose: data.purpose, justification: data.justification, ...(grantId ? { grantId } : {}) },
        });
        return { customerId: id, purpose: data.purpose, values };
      });
    },

    /** P2.4 correction: the old value stays, encrypted, in the history with who, when and why. */
    updateField(actor: Actor, id: string, field: string, input: UpdateFieldInput): Promise<Customer> {
      return runner.run(actor, OPERATIONS.updateCustomerField, async ({ tx, audit }) => {
        const data = parseInput(updateFieldInput, input);
        assertNoPlainPi('reason', data.reason);
        const { dataKey, key } = await loadCustomer(tx, id);
        const [prepared] = prepareFields({ [field]: data.value }, await catalogue(tx, [field]));
        const old = (
          await tx
            .select()
            .from(customerFields)
            .where(and(eq(customerFields.customerId, id), eq(customerFields.categoryCode, field)))
            .for('update')
        )[0];
        const now = new Date();
        const enc = await encryptAndIndex(id, dataKey, prepared!, key.dataKeyVersion);
        if (old) {
          await tx.insert(customerFieldHistory).values({
            customerId: id,
            categoryCode: field,
            version: old.version,
            ciphertext: old.ciphertext,
            dataKeyVersion: old.dataKeyVersion,
            changedAt: now,
            changedBy: actor.username,
            reason: data.reason,
          });
          await tx
            .update(customerFields)
            .set({ ...enc, dataKeyVersion: key.dataKeyVersion, version: old.version + 1, updatedAt: now, updatedBy: actor.username })
            .where(and(eq(customerFields.customerId, id), eq(customerFields.categoryCode, field)));
        } else {
          await tx.insert(customerFields).values({
            customerId: id,
            categoryCode: field,
            piType: prepared!.piType,
            dataKeyVersion: key.dataKeyVersion,
            updatedBy: actor.username,
            ...enc,
          });
        }
        await tx.update(customers).set({ updatedAt: now }).where(eq(customers.id, id));
        await audit({
          action: old ? 'customer.field_corrected' : 'customer.field_added',
          resourceType: 'customer',
          resourceId: id,
          clauses: ['P2.4', ...VAULT_CLAUSES],
          details: { field, version: (old?.version ?? 0) + 1 },
        });
        return maskedCustomer(tx, id);
      });
    },

    history(actor: Actor, id: string, field: string): Promise<FieldHistoryEntry[]> {
      return runner.run(actor, OPERATIONS.listCustomerFieldHistory, async ({ tx, audit }) => {
        const { dataKey } = await loadCustomer(tx, id);
        const current = (
          await tx
            .select()
            .from(customerFields)
            .where(and(eq(customerFields.customerId, id), eq(customerFields.categoryCode, field)))
        )[0];
        if (!current) throw new NotFoundError('no such field for this customer');
        const past = await tx
          .select()
          .from(customerFieldHistory)
          .where(and(eq(customerFieldHistory.customerId, id), eq(customerFieldHistory.categoryCode, field)))
          .orderBy(asc(customerFieldHistory.version));
        const entries: FieldHistoryEntry[] = past.map((h) => ({
          version: h.version,
          masked: maskFor(current.piType, decrypt(dataKey, id, h), maskPolicy),
          changedAt: h.changedAt.toISOString(),
          changedBy: h.changedBy,
          reason: h.reason,
          current: false,
        }));
        entries.push({
          version: current.version,
          masked: maskFor(current.piType, decrypt(dataKey, id, current), maskPolicy),
          changedAt: current.updatedAt.toISOString(),
          changedBy: current.updatedBy,
          reason: null,
          current: true,
        });
        await audit({
          action: 'customer.history_viewed',
          resourceType: 'customer',
          resourceId: id,
          clauses: ['P2.4', 'P5.1'],
          details: { field, masked: true },
        });
        return entries;
      });
    },

    /**
     * Delete by crypto-shredding: the wrapped data key is destroyed, so every ciphertext of this
     * customer, in this database, in replicas and in backups made from now on, is unreadable; the
     * ciphertext rows and history are removed as well. The customer row stays as the record.
     */
    delete(actor: Actor, id: string, input: { reason: string }): Promise<void> {
      return runner.run(actor, OPERATIONS.deleteCustomer, async ({ tx, audit }) => {
        const data = parseInput(deleteCustomerInput, input);
        assertNoPlainPi('reason', data.reason);
        await loadCustomer(tx, id);
        const { fields: removedFields, historyEntries } = await internal.shred(tx, actor, id);
        await audit({
          action: 'customer.deleted',
          resourceType: 'customer',
          resourceId: id,
          clauses: ['P4.1', 'P4.2'],
          details: { method: 'crypto_shred', fields: removedFields, historyEntries, reason: data.reason },
        });
      });
    },

    /**
     * P5.1: which purposes a department may read customer PI for. Only codes of registered
     * purposes (any status: a draft can be prepared, a retired one kept until unassigned); a
     * reveal still needs the purpose active.
     */
    setDepartmentPurposes(actor: Actor, departmentId: string, input: { purposes: string[] }): Promise<string[]> {
      return runner.run(actor, OPERATIONS.setDepartmentPurposes, async ({ tx, audit }) => {
        const data = parseInput(departmentPurposesInput, input);
        const wanted = [...new Set(data.purposes)];
        const known = new Set(
          wanted.length
            ? (await tx.selectDistinct({ code: purposesTable.code }).from(purposesTable).where(inArray(purposesTable.code, wanted))).map(
                (r) => r.code,
              )
            : [],
        );
        const unknown = data.purposes.flatMap((code, i) =>
          known.has(code) ? [] : [{ field: `purposes.${i}`, reason: 'unknown_purpose' }],
        );
        if (unknown.length) throw new InvalidError('only registered purposes can be assigned', unknown, ['P5.1']);
        const before = await tx.select().from(departmentUsePurposes).where(eq(departmentUsePurposes.departmentId, departmentId));
        await tx.delete(departmentUsePurposes).where(eq(departmentUsePurposes.departmentId, departmentId));
        const purposes = wanted;
        if (purposes.length) {
          await tx
            .insert(departmentUsePurposes)
            .values(purposes.map((purpose) => ({ departmentId, purpose, assignedBy: actor.username })))
            .catch((e: unknown) => {
              throw pgCode(e) === '23503' ? new NotFoundError('department not found') : e;
            });
        }
        await audit({
          action: 'department.purposes_set',
          resourceType: 'department',
          resourceId: departmentId,
          clauses: ['P5.1'],
          details: { before: before.map((b) => b.purpose).sort(), after: purposes.sort() },
        });
        return purposes;
      });
    },

    /** P5.1: the active registered purposes the caller's department holds (what a reveal can name). */
    listMyPurposes(actor: Actor): Promise<HeldPurpose[]> {
      return runner.run(actor, OPERATIONS.listMyPurposes, async ({ tx }) => {
        if (!actor.departmentId) return [];
        const rows = await tx
          .select({ p: purposesTable })
          .from(departmentUsePurposes)
          .innerJoin(purposesTable, and(eq(purposesTable.code, departmentUsePurposes.purpose), eq(purposesTable.status, 'active')))
          .where(eq(departmentUsePurposes.departmentId, actor.departmentId))
          .orderBy(asc(purposesTable.code));
        return rows.map(({ p }) => ({ code: p.code, version: p.version, name: p.name, legalBasis: p.legalBasis, fields: p.fields }));
      });
    },

    listDepartmentPurposes(actor: Actor, departmentId: string): Promise<string[]> {
      return runner.run(actor, OPERATIONS.listDepartmentPurposes, async ({ tx }) =>
        (await tx.select().from(departmentUsePurposes).where(eq(departmentUsePurposes.departmentId, departmentId)))
          .map((r) => r.purpose)
          .sort(),
      );
    },
  };
}

export type CustomersService = ReturnType<typeof createCustomersService>;
