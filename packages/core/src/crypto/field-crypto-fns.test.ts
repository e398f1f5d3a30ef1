import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_AAD_LABEL, fieldAad } from './field-crypto-fns.js';

describe('fieldAad', () => {
  it('is a length-prefixed encoding starting with the domain label', () => {
    const aad = fieldAad({ customerId: 'c1', field: 'phone', keyVersion: 3 });
    const expected = Buffer.concat([
      Buffer.from([0, 0, 0, FIELD_AAD_LABEL.length]),
      Buffer.from(FIELD_AAD_LABEL),
      Buffer.from([0, 0, 0, 2]),
      Buffer.from('c1'),
      Buffer.from([0, 0, 0, 5]),
      Buffer.from('phone'),
      Buffer.from([0, 0, 0, 3]),
    ]);
    expect(aad.equals(expected)).toBe(true);
  });

  it('is deterministic and counts UTF-8 bytes, not UTF-16 units', () => {
    const a = fieldAad({ customerId: '客户一', field: '手机', keyVersion: 0 });
    expect(a.equals(fieldAad({ customerId: '客户一', field: '手机', keyVersion: 0 }))).toBe(true);
    expect(a.readUInt32BE(4 + FIELD_AAD_LABEL.length)).toBe(9);
  });

  it('is unambiguous: shifting characters between parts changes it', () => {
    const a = fieldAad({ customerId: 'ab', field: 'c', keyVersion: 1 });
    const b = fieldAad({ customerId: 'a', field: 'bc', keyVersion: 1 });
    expect(a.equals(b)).toBe(false);
  });

  it('is injective over arbitrary inputs', () => {
    const input = fc.record({
      customerId: fc.string({ minLength: 1, unit: 'binary' }),
      field: fc.string({ minLength: 1, unit: 'binary' }),
      keyVersion: fc.integer({ min: 0, max: 0xffff_ffff }),
    });
    fc.assert(
      fc.property(input, input, (x, y) => {
        const same = x.customerId === y.customerId && x.field === y.field && x.keyVersion === y.keyVersion;
        expect(fieldAad(x).equals(fieldAad(y))).toBe(same);
      }),
    );
  });

  it('refuses empty ids and invalid key versions', () => {
    expect(() => fieldAad({ customerId: '', field: 'f', keyVersion: 1 })).toThrow(TypeError);
    expect(() => fieldAad({ customerId: 'c', field: '', keyVersion: 1 })).toThrow(TypeError);
    for (const v of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => fieldAad({ customerId: 'c', field: 'f', keyVersion: v })).toThrow(TypeError);
    }
  });
});
