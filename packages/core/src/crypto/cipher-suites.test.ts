import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CIPHER_SUITE_IDS,
  DecryptionError,
  cipherSuiteOf,
  getCipherSuite,
  isCipherSuiteAvailable,
  newDataKey,
  type CipherSuiteId,
} from './cipher-suites.js';
import { decryptField, encryptField, fieldAad } from './field-crypto-fns.js';

/** Any text: arbitrary Unicode (incl. astral), Chinese, mixed; the empty string included. */
const chinese = fc.string({ unit: fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCodePoint(c)) });
const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), chinese, fc.constant(''));
const aadInput = fc.record({
  customerId: fc.string({ minLength: 1 }),
  field: fc.string({ minLength: 1 }),
  keyVersion: fc.integer({ min: 0, max: 0xffff_ffff }),
});

function flipBit(buf: Buffer, bit: number): Buffer {
  const copy = Buffer.from(buf);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

describe.each(CIPHER_SUITE_IDS)('cipher suite %s', (id: CipherSuiteId) => {
  const suite = getCipherSuite(id);
  const key = newDataKey();
  const aad = fieldAad({ customerId: 'cust-0001', field: 'phone', keyVersion: 1 });

  it('is available on this OpenSSL and has a distinct format byte', () => {
    expect(isCipherSuiteAvailable(id)).toBe(true);
    expect(suite.id).toBe(id);
    const ct = suite.encrypt(key, Buffer.from('x'), aad);
    expect(ct[0]).toBe(suite.formatByte);
    expect(ct.length).toBe(1 + suite.overhead);
    expect(cipherSuiteOf(ct)).toBe(suite);
  });

  it('round-trips arbitrary strings (Chinese, astral, empty) as fields', () => {
    fc.assert(
      fc.property(anyText, aadInput, (value, input) => {
        const a = fieldAad(input);
        const ct = encryptField(suite, key, value, a);
        expect(decryptField(suite, key, ct, a)).toBe(value);
      }),
    );
    for (const v of ['', '张三', '北京市朝阳区建国路88号', '110101199003074518', '😀 test']) {
      expect(decryptField(suite, key, encryptField(suite, key, v, aad), aad)).toBe(v);
    }
  });

  it('round-trips raw bytes, including empty plaintext and empty AAD', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 64 }), (pt, a) => {
        const ct = suite.encrypt(key, Buffer.from(pt), Buffer.from(a));
        expect(suite.decrypt(key, ct, Buffer.from(a)).equals(Buffer.from(pt))).toBe(true);
      }),
    );
  });

  it('uses a fresh IV: the same value encrypts differently each time', () => {
    const a = suite.encrypt(key, Buffer.from('13800138000'), aad);
    const b = suite.encrypt(key, Buffer.from('13800138000'), aad);
    expect(a.equals(b)).toBe(false);
  });

  it('rejects any single flipped bit with DecryptionError', () => {
    fc.assert(
      fc.property(anyText, fc.nat(), (value, n) => {
        const ct = encryptField(suite, key, value, aad);
        const bad = flipBit(ct, n % (ct.length * 8));
        expect(() => decryptField(suite, key, bad, aad)).toThrow(DecryptionError);
      }),
      { numRuns: 300 },
    );
    // and every bit of one short ciphertext, exhaustively
    const ct = encryptField(suite, key, '张三', aad);
    for (let bit = 0; bit < ct.length * 8; bit++) {
      expect(() => suite.decrypt(key, flipBit(ct, bit), aad)).toThrow(DecryptionError);
    }
  });

  it('rejects truncated, extended and empty ciphertexts', () => {
    const ct = encryptField(suite, key, 'value', aad);
    for (let len = 0; len < ct.length; len++) {
      expect(() => suite.decrypt(key, ct.subarray(0, len), aad)).toThrow(DecryptionError);
    }
    expect(() => suite.decrypt(key, Buffer.concat([ct, Buffer.from([0])]), aad)).toThrow(DecryptionError);
  });

  it('rejects a ciphertext moved to another customer, field or key version', () => {
    fc.assert(
      fc.property(anyText, aadInput, aadInput, (value, from, to) => {
        fc.pre(from.customerId !== to.customerId || from.field !== to.field || from.keyVersion !== to.keyVersion);
        const ct = encryptField(suite, key, value, fieldAad(from));
        expect(() => decryptField(suite, key, ct, fieldAad(to))).toThrow(DecryptionError);
      }),
    );
    const ct = encryptField(suite, key, '13800138000', aad);
    const moved = [
      { customerId: 'cust-0002', field: 'phone', keyVersion: 1 },
      { customerId: 'cust-0001', field: 'email', keyVersion: 1 },
      { customerId: 'cust-0001', field: 'phone', keyVersion: 2 },
    ];
    for (const m of moved) expect(() => decryptField(suite, key, ct, fieldAad(m))).toThrow(DecryptionError);
  });

  it('rejects another data key', () => {
    const ct = encryptField(suite, key, 'secret', aad);
    expect(() => decryptField(suite, newDataKey(), ct, aad)).toThrow(DecryptionError);
  });

  it("rejects the other suite's ciphertexts", () => {
    const otherId = CIPHER_SUITE_IDS.find((x) => x !== id)!;
    const ct = getCipherSuite(otherId).encrypt(key, Buffer.from('v'), aad);
    expect(() => suite.decrypt(key, ct, aad)).toThrow(DecryptionError);
  });

  it('gives DecryptionError no detail', () => {
    const ct = flipBit(encryptField(suite, key, 'secret', aad), 40);
    try {
      suite.decrypt(key, ct, aad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecryptionError);
      expect((e as Error).message).toBe('decryption failed');
      expect((e as Error).cause).toBeUndefined();
    }
  });

  it('refuses data keys that are not 32 bytes (TypeError, a programming error)', () => {
    expect(() => suite.encrypt(randomBytes(16), Buffer.from('x'), aad)).toThrow(TypeError);
    expect(() => suite.decrypt(randomBytes(31), Buffer.alloc(80), aad)).toThrow(TypeError);
  });

  it('refuses strings that are not well-formed Unicode', () => {
    expect(() => encryptField(suite, key, 'a\ud800b', aad)).toThrow(TypeError);
  });
});

describe('aes-256-gcm known answers (standard GCM)', () => {
  const suite = getCipherSuite('aes-256-gcm');

  it('is decryptable by plain node:crypto aes-256-gcm: 0x01 || iv(12) || ct || tag(16)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 }), (pt, a) => {
        const key = newDataKey();
        const ct = suite.encrypt(key, Buffer.from(pt), Buffer.from(a));
        expect(ct[0]).toBe(0x01);
        expect(ct.length).toBe(1 + 12 + pt.length + 16);
        const d = createDecipheriv('aes-256-gcm', key, ct.subarray(1, 13));
        d.setAuthTag(ct.subarray(ct.length - 16));
        d.setAAD(Buffer.from(a));
        const out = Buffer.concat([d.update(ct.subarray(13, ct.length - 16)), d.final()]);
        expect(out.equals(Buffer.from(pt))).toBe(true);
      }),
    );
  });

  it('decrypts what plain node:crypto aes-256-gcm produced', () => {
    const key = newDataKey();
    const iv = randomBytes(12);
    const aad = Buffer.from('aad');
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(aad);
    const body = Buffer.concat([c.update('身份证号 110101199003074518'), c.final()]);
    const blob = Buffer.concat([Buffer.from([0x01]), iv, body, c.getAuthTag()]);
    expect(suite.decrypt(key, blob, aad).toString()).toBe('身份证号 110101199003074518');
  });

  it('matches the NIST GCM test vector (test case 15 of the GCM spec, AES-256, no AAD)', () => {
    const key = Buffer.from('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308', 'hex');
    const iv = Buffer.from('cafebabefacedbaddecaf888', 'hex');
    const pt = Buffer.from(
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255',
      'hex',
    );
    const ctHex =
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad';
    const tagHex = 'b094dac5d93471bdec1a502270e3cc6c';
    const blob = Buffer.concat([Buffer.from([0x01]), iv, Buffer.from(ctHex, 'hex'), Buffer.from(tagHex, 'hex')]);
    expect(suite.decrypt(key, blob, Buffer.alloc(0)).equals(pt)).toBe(true);
  });
});

describe('sm4-ctr-hmac-sm3 known answers', () => {
  const suite = getCipherSuite('sm4-ctr-hmac-sm3');

  it('uses standard SM4 and SM3 (GB/T 32907 and GB/T 32905 examples)', () => {
    const k = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    const c = createCipheriv('sm4-ecb', k, null).setAutoPadding(false);
    expect(Buffer.concat([c.update(k), c.final()]).toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
    expect(createHash('sm3').update('abc').digest('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('is 0x02 || iv(16) || SM4-CTR ct || HMAC-SM3 tag(32) with HKDF-SM3 derived keys (independent re-implementation)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 }), (ptArr, aadArr) => {
        const pt = Buffer.from(ptArr);
        const aad = Buffer.from(aadArr);
        const key = newDataKey();
        const ct = suite.encrypt(key, pt, aad);
        expect(ct[0]).toBe(0x02);
        expect(ct.length).toBe(1 + 16 + pt.length + 32);
        const okm = Buffer.from(hkdfSync('sm3', key, Buffer.alloc(0), Buffer.from('custos.sm4-ctr-hmac-sm3.v1 key derivation'), 48));
        const encKey = okm.subarray(0, 16);
        const macKey = okm.subarray(16);
        const iv = ct.subarray(1, 17);
        const body = ct.subarray(17, ct.length - 32);
        const len = Buffer.alloc(4);
        len.writeUInt32BE(aad.length);
        const tag = createHmac('sm3', macKey).update(ct.subarray(0, 17)).update(len).update(aad).update(body).digest();
        expect(tag.equals(ct.subarray(ct.length - 32))).toBe(true);
        const d = createDecipheriv('sm4-ctr', encKey, iv);
        expect(Buffer.concat([d.update(body), d.final()]).equals(pt)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('re-derives keys when a cached data-key Buffer is changed in place', () => {
    const key = newDataKey();
    const aad = Buffer.from('a');
    suite.encrypt(key, Buffer.from('warm the cache'), aad);
    const other = newDataKey();
    other.copy(key); // same Buffer object, new key bytes
    const ct = suite.encrypt(key, Buffer.from('v'), aad);
    expect(suite.decrypt(other, ct, aad).toString()).toBe('v');
  });
});

describe('suite registry', () => {
  it('refuses unknown suites and unknown format bytes', () => {
    expect(() => getCipherSuite('aes-128-cbc' as CipherSuiteId)).toThrow(TypeError);
    expect(() => cipherSuiteOf(Buffer.from([0x7f, 1, 2]))).toThrow(DecryptionError);
    expect(() => cipherSuiteOf(Buffer.alloc(0))).toThrow(DecryptionError);
  });
});
