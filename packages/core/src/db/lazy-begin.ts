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

/** Replace $1..$n outside string literals, quoted identifiers and comments. */
export function inlineParams(text: string, values: readonly unknown[]): string {
  if (!values.length) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      const stop = end < 0 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
    } else if (ch === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
    } else if (ch === '$' && /[0-9]/.test(text[i + 1] ?? '')) {
      let j = i + 1;
      while (j < text.length && /[0-9]/.test(text[j]!)) j++;
      const n = Number(text.slice(i + 1, j));
      if (n < 1 || n > values.length) throw new Error(`parameter $${n} has no value`);
      out += literalOf(values[n - 1]);
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

type QueryConfig = { text: string; values?: unknown[]; name?: string; rowMode?: string; types?: unknown };

/**
 * A transaction on one pooled connection whose BEGIN travels with its first statement, in one
 * round trip (as one simple-protocol message, parameters inlined as literals). On this kind of
 * machine a round trip costs more than the statement, and a typical audited write is BEGIN,
 * one statement, then its audit rows with COMMIT: two round trips instead of three.
 */
export function lazyBeginClient(client: pg.PoolClient): { client: pg.PoolClient; begun(): boolean } {
  let begun = false;
  const query = async (config: string | QueryConfig, values?: unknown[]) => {
    if (begun) return client.query(config as never, values as never);
    begun = true;
    const cfg: QueryConfig = typeof config === 'string' ? { text: config } : { ...config };
    const params = values ?? cfg.values ?? [];
    const text = `BEGIN;\n${inlineParams(cfg.text, params)}`;
    const res = (await client.query({ ...cfg, text, values: undefined, name: undefined } as never)) as unknown;
    return Array.isArray(res) ? res[res.length - 1] : res;
  };
  const proxy = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'query') return query;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { client: proxy, begun: () => begun };
}
