import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chainHash, checkChainSegment, GENESIS_HASH, sqlLiteral, type ChainedRow } from './audit-fns.js';

function chain(bodies: string[]): ChainedRow[] {
  const rows: ChainedRow[] = [];
  let prev = GENESIS_HASH;
  bodies.forEach((body, i) => {
    const hash = chainHash(i + 1, prev, body);
    rows.push({ seq: i + 1, prevHash: prev, hash, body });
    prev = hash;
  });
  return rows;
}

describe('audit hash chain', () => {
  const bodies = Array.from(
    { length: 10 },
    (_, i) =>
      `["2026-11-27T10:00:0${i % 10}.000000Z", "user", null, "li.lei", "department.created", "department", "d${i}", ["P1.2"], null, "success", "r${i}", {"name": "部门${i}"}]`,
  );

  it('binds position and link into the hash', () => {
    expect(chainHash(1, GENESIS_HASH, 'x')).not.toBe(chainHash(2, GENESIS_HASH, 'x'));
    expect(chainHash(1, GENESIS_HASH, 'x')).not.toBe(chainHash(1, 'f'.repeat(64), 'x'));
    expect(chainHash(1, GENESIS_HASH, 'x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts an intact chain and reports the first broken link', () => {
    const rows = chain(bodies);
    expect(checkChainSegment({ seq: 0, hash: GENESIS_HASH }, rows)).toMatchObject({ ok: true, head: { seq: 10 } });
    const tampered = rows.map((r) => (r.seq === 4 ? { ...r, body: r.body.replace('li.lei', 'mallory') } : r));
    expect(checkChainSegment({ seq: 0, hash: GENESIS_HASH }, tampered)).toEqual({ ok: false, break: { seq: 4, reason: 'hash_mismatch' } });
    expect(
      checkChainSegment(
        { seq: 0, hash: GENESIS_HASH },
        rows.filter((r) => r.seq !== 6),
      ),
    ).toEqual({ ok: false, break: { seq: 6, reason: 'sequence_gap' } });
    const relinked = rows.map((r) => (r.seq === 7 ? { ...r, prevHash: GENESIS_HASH } : r));
    expect(checkChainSegment({ seq: 0, hash: GENESIS_HASH }, relinked)).toEqual({
      ok: false,
      break: { seq: 7, reason: 'prev_hash_mismatch' },
    });
  });

  it('detects any change to any single body (property)', () => {
    const rows = chain(bodies);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.string({ minLength: 1 }), fc.nat(), (i, insert, at) => {
        const copy = rows.map((r) => ({ ...r }));
        const b = copy[i]!.body;
        const pos = at % (b.length + 1);
        copy[i]!.body = b.slice(0, pos) + insert + b.slice(pos);
        const res = checkChainSegment({ seq: 0, hash: GENESIS_HASH }, copy);
        return !res.ok && res.break.seq === i + 1;
      }),
    );
  });

  it('quotes SQL literals', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(() => sqlLiteral('a\0b')).toThrow();
  });
});
