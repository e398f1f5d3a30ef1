import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalEncoding, checkChainSegment, eventHash, GENESIS_HASH, type ChainedFields } from './audit-fns.js';

const base = (seq: number, prevHash: string): ChainedFields => ({
  seq,
  prevHash,
  occurredAt: new Date('2026-11-27T10:00:00.000Z'),
  actorType: 'user',
  actorId: '0b7f0c4e-4c1a-4f7e-9c55-5b7f2b5f0a11',
  actorName: 'li.lei',
  action: 'department.created',
  resourceType: 'department',
  resourceId: 'd1',
  clauses: ['P1.2'],
  purposeId: null,
  outcome: 'success',
  details: { b: 1, a: { y: 2, x: [1, { k: 'v', j: null }] } },
  requestId: 'r1',
});

function chain(n: number) {
  const rows: Array<ChainedFields & { hash: string }> = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const f = { ...base(i, prev), resourceId: `d${i}` };
    const hash = eventHash(f);
    rows.push({ ...f, hash });
    prev = hash;
  }
  return rows;
}

describe('audit hash chain', () => {
  it('encodes details canonically: key order does not matter, values do', () => {
    const a = base(1, GENESIS_HASH);
    const b = { ...a, details: { a: { x: [1, { j: null, k: 'v' }], y: 2 }, b: 1 } };
    expect(canonicalEncoding(a)).toBe(canonicalEncoding(b));
    expect(eventHash(a)).toBe(eventHash(b));
    expect(eventHash({ ...a, details: { ...a.details as object, b: 2 } })).not.toBe(eventHash(a));
  });

  it('accepts an intact chain and reports the first broken link', () => {
    const rows = chain(10);
    expect(checkChainSegment({ seq: 0, hash: GENESIS_HASH }, rows)).toMatchObject({ ok: true, head: { seq: 10 } });
    const tampered = rows.map((r) => (r.seq === 4 ? { ...r, actorName: 'someone-else' } : r));
    expect(checkChainSegment({ seq: 0, hash: GENESIS_HASH }, tampered)).toEqual({ ok: false, break: { seq: 4, reason: 'hash_mismatch' } });
    const gap = rows.filter((r) => r.seq !== 6);
    expect(checkChainSegment({ seq: 0, hash: GENESIS_HASH }, gap)).toEqual({ ok: false, break: { seq: 6, reason: 'sequence_gap' } });
  });

  it('detects a change to any single field of any event (property)', () => {
    const rows = chain(6);
    const fields = ['occurredAt', 'actorType', 'actorId', 'actorName', 'action', 'resourceType', 'resourceId', 'clauses', 'purposeId', 'outcome', 'details', 'requestId'] as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.constantFrom(...fields), fc.string({ minLength: 1 }), (i, field, v) => {
        const copy = rows.map((r) => ({ ...r }));
        const r = copy[i]!;
        const next = field === 'occurredAt' ? new Date(r.occurredAt.getTime() + 1) : field === 'clauses' ? [...r.clauses, v] : field === 'details' ? { ...(r.details as object), extra: v } : `${String(r[field])}${v}`;
        (r as Record<string, unknown>)[field] = next;
        const res = checkChainSegment({ seq: 0, hash: GENESIS_HASH }, copy);
        return !res.ok && res.break.seq === i + 1;
      }),
    );
  });
});
