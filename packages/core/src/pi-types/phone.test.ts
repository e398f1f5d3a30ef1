import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { landlineType as landline, mobileType as mobile } from './phone.js';

describe('cn_mobile', () => {
  it('normalizes full-width input, separators and +86 / 0086', () => {
    expect(mobile.normalize('１３８００１３８０００')).toBe('13800138000');
    expect(mobile.normalize(' 138-0013-8000 ')).toBe('13800138000');
    expect(mobile.normalize('+86 138 0013 8000')).toBe('13800138000');
    expect(mobile.normalize('008613800138000')).toBe('13800138000');
    expect(mobile.normalize('(+86)13800138000')).toBe('13800138000');
    expect(mobile.normalize('＋８６ １３８００１３８０００')).toBe('13800138000');
    expect(mobile.normalize('8613800138000')).toBe('8613800138000'); // bare 86 is not stripped
  });

  it('validates', () => {
    for (const v of ['13800138000', '19912345678', '+8615012345678', '0086 166 1234 5678']) {
      expect(mobile.validate(v), v).toEqual({ valid: true });
    }
  });

  it.each([
    ['', 'empty'],
    ['1380013800', 'invalid_length'],
    ['138001380001', 'invalid_length'],
    ['1380013800a', 'invalid_format'],
    ['+8612345', 'invalid_length'],
    ['+86-abc', 'invalid_format'],
    ['12800138000', 'invalid_prefix'],
    ['10800138000', 'invalid_prefix'],
    ['23800138000', 'invalid_prefix'],
  ])('%s -> %s', (value, reason) => {
    expect(mobile.validate(value)).toEqual({ valid: false, reason });
  });

  it('masks 3 + 4 by default, configurable', () => {
    expect(mobile.mask('13812345678')).toBe('138****5678');
    expect(mobile.mask('+86 138 1234 5678')).toBe('138****5678');
    expect(mobile.mask('13812345678', { keepFirst: 0, keepLast: 4 })).toBe('*******5678');
  });

  it('detects: valid > wrong prefix > unrelated', () => {
    expect(mobile.detect('13800138000')).toBeGreaterThan(mobile.detect('12800138000'));
    expect(mobile.detect('12800138000')).toBeGreaterThan(0.5);
    expect(mobile.detect('02800138000')).toBe(0);
    expect(mobile.detect('1380013800')).toBe(0);
  });

  it('property: valid numbers validate; mask hides the middle 4 and never equals the value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 9 }), fc.stringMatching(/^\d{9}$/), (second, rest) => {
        const n = `1${second}${rest}`;
        expect(mobile.validate(n)).toEqual({ valid: true });
        const m = mobile.mask(n);
        expect(m).toBe(`${n.slice(0, 3)}****${n.slice(7)}`);
        expect(m).not.toBe(n);
      }),
    );
  });
});

describe('cn_landline', () => {
  it.each([
    ['010-12345678', '010-12345678'],
    ['01012345678', '010-12345678'],
    ['(010) 1234 5678', '010-12345678'],
    ['（０１０）１２３４５６７８', '010-12345678'],
    ['021-6123456', '021-6123456'],
    ['0755-12345678', '0755-12345678'],
    ['075512345678', '0755-12345678'],
    ['0755-1234-5678', '0755-12345678'],
    ['+86 10 12345678', '010-12345678'],
    ['0086-755-12345678', '0755-12345678'],
    ['010-12345678-123', '010-12345678-123'],
    ['010-12345678 转 123', '010-12345678-123'],
    ['010-12345678 ext. 88', '010-12345678-88'],
    ['01012345678#9', '010-12345678-9'],
    ['010-1234567-8', '010-1234567-8'],
    ['0571 8888 1234 分机 6', '0571-88881234-6'],
  ])('%s normalizes to %s and validates', (value, expected) => {
    expect(landline.normalize(value)).toBe(expected);
    expect(landline.validate(value)).toEqual({ valid: true });
  });

  it.each([
    ['', 'empty'],
    ['12345678', 'invalid_area_code'],
    ['011-12345678', 'invalid_area_code'],
    ['001-12345678', 'invalid_area_code'],
    ['010-123456', 'invalid_length'],
    ['010-123456789', 'invalid_length'],
    ['010-02345678', 'invalid_format'],
    ['010-1234567a', 'invalid_format'],
    ['0'.repeat(60), 'too_long'],
  ])('%s -> %s', (value, reason) => {
    expect(landline.validate(value)).toEqual({ valid: false, reason });
  });

  it('masks: area code and the last 2 digits; extension hidden', () => {
    expect(landline.mask('010-12345678')).toBe('010-******78');
    expect(landline.mask('0755 1234567')).toBe('0755-*****67');
    expect(landline.mask('010-12345678-123')).toBe('010-******78-***');
    expect(landline.mask('010-12345678', { keepLast: 4 })).toBe('010-****5678');
  });

  it('detects valid numbers only', () => {
    expect(landline.detect('010-12345678')).toBeGreaterThan(0.5);
    expect(landline.detect('13800138000')).toBe(0);
    expect(landline.detect('hello')).toBe(0);
  });

  it('property: normalize is idempotent for generated numbers with noise', () => {
    const area = fc.oneof(fc.constant('010'), fc.stringMatching(/^02\d$/), fc.stringMatching(/^0[3-9]\d\d$/));
    const number = fc.stringMatching(/^[1-9]\d{6,7}$/);
    const ext = fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined });
    const sep = fc.constantFrom('', '-', ' ', ')');
    fc.assert(
      fc.property(area, number, ext, sep, (a, n, e, s) => {
        const raw = (s === ')' ? `(${a})` : `${a}${s}`) + n + (e === undefined ? '' : ` 转 ${e}`);
        const once = landline.normalize(raw);
        expect(once).toBe(e === undefined ? `${a}-${n}` : `${a}-${n}-${e}`);
        expect(landline.normalize(once)).toBe(once);
        expect(landline.validate(raw)).toEqual({ valid: true });
      }),
    );
  });
});
