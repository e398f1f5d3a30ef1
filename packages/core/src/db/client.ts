import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import pg from 'pg';
import {} from 'drizzle-orm';
import * as schema from './schema.js';
import { LazyBegin } from './lazy-begin.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** The transaction every repository function takes. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export type DatabaseTarget = { kind: 'postgres'; url: string; poolSize?: number } | { kind: 'pglite'; dataDir: string | null };

/** Raw row access for the few hot paths (audit verification, benchmarks) that bypass the ORM. */
export interface RawQuery {
  <R extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  arrays(text: string, params?: unknown[]): Promise<unknown[][]>;
}

export interface Database {
  kind: 'postgres' | 'pglite';
  db: Db;
  query: RawQuery;
  /** Run a function while holding a session-level advisory lock (no-op lock on PGlite, which is single-process). */
  withAdvisoryLock<T>(key: bigint, fn: () => Promise<T>): Promise<T>;
  /**
   * One transaction. `finish` may return SQL made only of literals (the runner's buffered audit
   * rows), which is sent with COMMIT in the same round trip; if it fails, nothing commits.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>, finish?: () => string | null): Promise<T>;
  /** Run a multi-statement SQL script (migrations). */
  exec(sqlText: string): Promise<void>;
  close(): Promise<void>;
}

type RawFn = (text: string, params: unknown[]) => Promise<{ rows: unknown[] }>;
/** The driver-level query function of each transaction handle, for hot paths that skip the ORM. */
const rawByTx = new WeakMap<object, RawFn>();

/**
 * Run hand-written SQL ($1..$n parameters) in the transaction, without drizzle's query building
 * (measured: 30% of a collection's CPU). For the few hot paths; everything else uses drizzle.
 * Results come back as the driver returns them: keep to uuid, text, jsonb, timestamptz, int4.
 */
export async function rawRows<T>(tx: Tx, text: string, params: unknown[] = []): Promise<T[]> {
  const raw = rawByTx.get(tx);
  if (!raw) throw new Error('rawRows needs a transaction opened by Database.transaction');
  return (await raw(text, params)).rows as T[];
}

// node-postgres returns int8 as strings; our bigints (audit seq, ids) fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10 });
    // A connection error on an idle client must not crash the process; the next query reports it.
    pool.on('error', () => {});
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    const query = (async (text: string, params?: unknown[]) => (await pool.query(text, params)).rows) as RawQuery;
    query.arrays = async (text, params) => (await pool.query({ text, values: params, rowMode: 'array' })).rows;
    const handles = new WeakMap<pg.PoolClient, { lazy: LazyBegin; tx: Tx }>();
    return {
      kind: 'postgres',
      db,
      query,
      async transaction(fn, finish) {
        const pooled = await pool.connect();
        // One lazy-BEGIN handle and drizzle instance per connection, reused by its transactions.
        let h = handles.get(pooled);
        if (!h) {
          const lazy = new LazyBegin(pooled);
          h = { lazy, tx: drizzlePg(lazy as unknown as pg.PoolClient) as unknown as Tx };
          handles.set(pooled, h);
          rawByTx.set(h.tx, (text, values) => lazy.query({ text, values }) as Promise<{ rows: unknown[] }>);
        }
        const { lazy, tx } = h;
        lazy.reset();
        let broken: Error | undefined;
        try {
          const result = await fn(tx);
          const tail = finish?.();
          if (lazy.begun) await pooled.query(tail ? `${tail};\nCOMMIT` : 'COMMIT');
          else if (tail) {
            // If the tail fails, the explicit BEGIN leaves the session in an aborted transaction: roll it back below.
            lazy.begun = true;
            await pooled.query(`BEGIN;\n${tail};\nCOMMIT`);
          }
          return result;
        } catch (e) {
          // A connection that cannot roll back is discarded rather than returned mid-transaction.
          if (lazy.begun)
            await pooled.query('ROLLBACK').catch((err: unknown) => (broken = err instanceof Error ? err : new Error(String(err))));
          throw e;
        } finally {
          pooled.release(broken);
        }
      },
      async withAdvisoryLock(key, fn) {
        const client = await pool.connect();
        try {
          await client.query('SELECT pg_advisory_lock($1)', [key.toString()]);
          try {
            return await fn();
          } finally {
            await client.query('SELECT pg_advisory_unlock($1)', [key.toString()]);
          }
        } finally {
          client.release();
        }
      },
      async exec(sqlText) {
        await pool.query(sqlText);
      },
      close: () => pool.end(),
    };
  }
  if (target.dataDir) fs.mkdirSync(target.dataDir, { recursive: true });
  const client = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  const query = (async (text: string, params?: unknown[]) => (await client.query(text, params)).rows) as RawQuery;
  query.arrays = async (text, params) => (await client.query<unknown[]>(text, params, { rowMode: 'array' })).rows;
  return {
    kind: 'pglite',
    db,
    query,
    transaction: (fn, finish) =>
      db.transaction(async (tx) => {
        // drizzle's PGlite transaction keeps the driver's transaction object as session.client.
        const driverTx = (tx as unknown as { session: { client: { query(t: string, p: unknown[]): Promise<{ rows: unknown[] }> } } })
          .session.client;
        rawByTx.set(tx, (text, params) => driverTx.query(text, params));
        const result = await fn(tx);
        const tail = finish?.();
        // The tail may hold several statements (deferred writes, then the audit rows).
        if (tail) await (driverTx as unknown as { exec(t: string): Promise<unknown> }).exec(tail);
        return result;
      }),
    withAdvisoryLock: (_key, fn) => fn(),
    async exec(sqlText) {
      await client.exec(sqlText);
    },
    close: () => client.close(),
  };
}

/** Rows of a raw `sql` statement run through drizzle, the same shape on both drivers. */
export async function sqlRows<T>(tx: Tx | Db, query: SQL): Promise<T[]> {
  const r = (await tx.execute(query)) as unknown as { rows: T[] };
  return r.rows;
}
