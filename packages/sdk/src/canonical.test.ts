import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex, sha256HexSync } from './canonical.js';

const nodeSha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

describe('canonicalJson', () => {
  it('sorts object keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('gives the same text for the same content in any key order', () => {
    const one = { lang: 'en', noticeId: 'n', ticked: { general: true, separate: { health: false, bio: true } } };
    const two = { ticked: { separate: { bio: true, health: false }, general: true }, noticeId: 'n', lang: 'en' };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('leaves out undefined members and keeps array order', () => {
    expect(canonicalJson({ a: undefined, b: [2, 1] })).toBe('{"b":[2,1]}');
  });

  it('escapes strings as JSON does, keeping non-ASCII text as it is', () => {
    expect(canonicalJson({ 标签: '我同意"处理"\n' })).toBe('{"标签":"我同意\\"处理\\"\\n"}');
  });

  it('sorts keys by UTF-16 code units', () => {
    expect(canonicalJson({ b: 1, B: 2, _: 3, 健康: 4 })).toBe('{"B":2,"_":3,"b":1,"健康":4}');
  });

  it('refuses numbers JSON cannot carry', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(TypeError);
  });
});

describe('sha256', () => {
  it('the plain-JavaScript fallback matches node:crypto at every padding boundary', () => {
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 1000]) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 0xff);
      expect(sha256HexSync(data), `length ${n}`).toBe(nodeSha256(data));
    }
  });

  it('knows the standard test vectors', () => {
    expect(sha256HexSync(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256HexSync(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes the UTF-8 bytes of a string, with SubtleCrypto where there is one', async () => {
    const text = canonicalJson({ lang: 'zh-CN', label: '我单独同意处理我的健康状况' });
    const expected = nodeSha256(Buffer.from(text, 'utf8'));
    await expect(sha256Hex(text)).resolves.toBe(expected);
    expect(sha256HexSync(new TextEncoder().encode(text))).toBe(expected);
  });
});
