import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLIND_INDEX_LABEL, blindIndex } from './blind-index-fns.js';

describe('blindIndex', () => {
  const key = randomBytes(32);

  it('is HMAC-SHA256(key, label 0x00 type 0x00 value) truncated, as lowercase hex', () => {
    const full = createHmac('sha256', key).update(`${BLIND_INDEX_LABEL}\u0000phone\u0000+8613800138000`).digest('hex');
    expect(blindIndex(key, 'phone', '+8613800138000')).toBe(full.slice(0, 8));
    expect(blindIndex(key, 'phone', '+8613800138000', 256)).toBe(full);
  });

  it('gives the same value the same index', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (v) => {
        expect(blindIndex(key, 'name', v)).toBe(blindIndex(key, 'name', v));
      }),
    );
  });

  it('separates PI types and keys', () => {
    expect(blindIndex(key, 'phone', '13800138000')).not.toBe(blindIndex(key, 'id_number', '13800138000'));
    expect(blindIndex(key, 'phone', '13800138000')).not.toBe(blindIndex(randomBytes(32), 'phone', '13800138000'));
    expect(blindIndex(key, 'phone', '13800138000', 64)).not.toBe(blindIndex(key, 'phone', '13800138001', 64));
  });

  it('truncates to the requested number of bits', () => {
    expect(blindIndex(key, 'email', 'a@example.com')).toMatch(/^[0-9a-f]{8}$/);
    for (const bits of [8, 16, 32, 64, 128, 256]) {
      const idx = blindIndex(key, 'email', 'a@example.com', bits);
      expect(idx).toHaveLength(bits / 4);
      expect(blindIndex(key, 'email', 'a@example.com', 256).startsWith(idx)).toBe(true);
    }
    for (const bits of [0, 4, 12, 264, 31.5]) {
      expect(() => blindIndex(key, 'email', 'a@example.com', bits)).toThrow(TypeError);
    }
  });

  it('refuses short keys and types that could make the encoding ambiguous', () => {
    expect(() => blindIndex(randomBytes(16), 'phone', 'x')).toThrow(TypeError);
    expect(() => blindIndex(key, 'a\u0000b', 'c')).toThrow(TypeError);
    expect(() => blindIndex(key, '', 'c')).toThrow(TypeError);
  });

  it('spreads values over the index space (few collisions at 32 bits)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(blindIndex(key, 'phone', `1380000${String(i).padStart(4, '0')}`));
    // expected collisions ~ n^2 / 2^33 = 0.05
    expect(seen.size).toBeGreaterThanOrEqual(19_998);
  });
});
