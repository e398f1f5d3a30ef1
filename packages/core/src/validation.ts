import type { z } from 'zod';
import { InvalidError } from './errors.js';

/** Parse input at the core boundary; every issue becomes a field problem (never echoing values). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new InvalidError(
    'the request is not valid',
    r.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', reason: i.message })),
  );
}

/** Postgres unique_violation, from either driver (or wrapped in drizzle's query error). */
export function isUniqueViolation(e: unknown): boolean {
  return pgCode(e) === '23505';
}

export function pgCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
