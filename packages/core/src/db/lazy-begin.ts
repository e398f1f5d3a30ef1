import type pg from 'pg';
import { createRequire } from 'node:module';

// node-postgres' own value serialisation (Dates, arrays, JSON), so inlined values match what it would send.
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(v: unknown): string | Buffer | null };

/** A parameter as a SQL literal: the untyped-literal rules PostgreSQL applies to it match those of an untyped parameter. */
export function literalOf(value: unknown): string {
  const v = prepareValue(value);
  if (v === null || v === undefined) return 'NULL';
  const text = Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : String(v);
  if (text.includes('\0')) throw new Error('NUL characters cannot be stored');
  const quoted = `'${text.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`;
  return text.includes('\\') ? `E${quoted}` : quoted;
}

// String literals, quoted identifiers and line comments are copied as they are; only $n outside them is replaced.
const TOKENS = /'[^']*'|"[^"]*"|--[^\n]*|\$(\d+)/g;

/** Replace $1..$n outside string literals, quoted identifiers and comments. */
export function inlineParams(text: string, values: readonly unknown[]): string {
  if (!values.length) return text;
  return text.replace(TOKENS, (token, digits: string | undefined) => {
    if (digits === undefined) return token;
    const n = Number(digits);
    if (n < 1 || n > values.length) throw new Error(`parameter $${n} has no value`);
    return literalOf(values[n - 1]);
  });
}

type QueryConfig = { text: string; values?: unknown[]; name?: string; rowMode?: string; types?: unknown };

/**
 * A transaction handle on one pooled connection whose BEGIN travels with its first statement,
 * in one round trip (as one simple-protocol message, parameters inlined as literals). On this
 * kind of machine a round trip costs more than the statement, and a typical audited write is
 * BEGIN, one statement, then its audit rows with COMMIT: two round trips instead of three.
 * Only `query` is offered: it is all drizzle's node-postgres session calls. One handle per
 * pooled connection, reused by each transaction on it (reset() at the start), so a transaction
 * allocates no wrapper, proxy or drizzle instance of its own.
 */
export class LazyBegin {
  begun = false;
  constructor(readonly client: pg.PoolClient) {}

  reset(): void {
    this.begun = false;
  }

  readonly query = async (config: string | QueryConfig, values?: unknown[]): Promise<unknown> => {
    if (this.begun) return this.client.query(config as never, values as never);
    const cfg: QueryConfig = typeof config === 'string' ? { text: config } : config;
    const text = `BEGIN;\n${inlineParams(cfg.text, values ?? cfg.values ?? [])}`;
    this.begun = true;
    const res = (await this.client.query({ text, rowMode: cfg.rowMode, types: cfg.types } as never)) as unknown;
    return Array.isArray(res) ? res[res.length - 1] : res;
  };
}
