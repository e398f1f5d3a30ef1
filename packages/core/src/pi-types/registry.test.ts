import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { detectPiType, getPiType, isPiTypeId, maskValue, piTypeIds, piTypes, reasonMessages, validateFields } from './index.js';
import type { PiTypeId, PiReasonCode } from './index.js';

const ALL_IDS: PiTypeId[] = [
  'cn_resident_id',
  'cn_mobile',
  'cn_landline',
  'email',
  'bank_card',
  'cn_uscc',
  'passport',
  'hk_macau_permit',
  'hk_macau_resident_permit',
  'taiwan_permit',
  'person_name',
  'address',
  'date',
  'text',
];

describe('registry', () => {
  it('has every type, keyed by its id, with zh-CN and en labels', () => {
    expect(Object.keys(piTypes).sort()).toEqual([...ALL_IDS].sort());
    expect([...piTypeIds].sort()).toEqual([...ALL_IDS].sort());
    for (const id of ALL_IDS) {
      const t = piTypes[id];
      expect(t.id).toBe(id);
      expect(t.label['zh-CN'].length).toBeGreaterThan(0);
      expect(t.label.en.length).toBeGreaterThan(0);
      expect(getPiType(id)).toBe(t);
    }
    expect(getPiType('nope')).toBeUndefined();
    expect(isPiTypeId('email')).toBe(true);
    expect(isPiTypeId('toString')).toBe(false);
  });

  it('every reason code has zh-CN and en messages', () => {
    for (const [code, msg] of Object.entries(reasonMessages)) {
      expect(code).toMatch(/^[a-z]+(?:_[a-z0-9]+)*$/);
      expect(msg['zh-CN'].length).toBeGreaterThan(0);
      expect(msg.en.length).toBeGreaterThan(0);
    }
    expect(api.reasonMessage('check_digit_mismatch', 'en')).toBe('The check digit does not match');
    expect(api.reasonMessage('check_digit_mismatch')).toBe('校验码不正确');
  });

  it('text type: no validation, masks all but the first character, never detected', () => {
    const t = piTypes.text;
    expect(t.validate('anything at all')).toEqual({ valid: true });
    expect(t.mask('hello world')).toBe('h**********');
    expect(t.detect('hello world')).toBe(0);
  });
});

describe('detectPiType', () => {
  it.each<[string, PiTypeId, boolean, string]>([
    ['11010519491231002X', 'cn_resident_id', true, '1****************X'],
    ['１３８００１３８０００', 'cn_mobile', true, '138****8000'],
    ['+86 139 1234 5678', 'cn_mobile', true, '139****5678'],
    ['010-62345678', 'cn_landline', true, '010-******78'],
    ['zhangsan@Example.com', 'email', true, 'z***@example.com'],
    ['6228480402564890018', 'bank_card', true, '622848*********0018'],
    ['4111 1111 1111 1111', 'bank_card', true, '411111******1111'],
    ['91350100M000100Y43', 'cn_uscc', true, '91**************43'],
    ['E12345678', 'passport', true, 'E1*****78'],
    ['EA1234567', 'passport', true, 'EA*****67'],
    ['C12345678', 'hk_macau_permit', true, 'C1*****78'],
    ['H1234567890', 'hk_macau_resident_permit', true, 'H1*******90'],
    ['L12345678', 'taiwan_permit', true, 'L1*****78'],
    ['87654321', 'taiwan_permit', true, '87****21'],
    ['张三', 'person_name', true, '张*'],
    ['John Smith', 'person_name', true, 'J. Smith'],
    ['广东省深圳市南山区科技园路1号', 'address', true, '广东省深圳市****'],
    ['1990年1月31日', 'date', true, '1990-**-**'],
    ['19900131', 'date', true, '1990-**-**'],
  ])('%s -> %s', (value, type, valid, masked) => {
    const r = detectPiType(value);
    expect(r.type).toBe(type);
    expect(r.valid).toBe(valid);
    expect(r.masked).toBe(masked);
    expect(r.reason).toBeUndefined();
  });

  it('says "looks like X but invalid" with the reason', () => {
    expect(detectPiType('110105194912310021')).toMatchObject({
      type: 'cn_resident_id',
      valid: false,
      reason: 'check_digit_mismatch',
      masked: '1****************1',
    });
    expect(detectPiType('4111111111111112')).toMatchObject({ type: 'bank_card', valid: false, reason: 'check_digit_mismatch' });
    expect(detectPiType('12800138000')).toMatchObject({ type: 'cn_mobile', valid: false, reason: 'invalid_prefix' });
    expect(detectPiType('91350100M000100Y44')).toMatchObject({ type: 'cn_uscc', valid: false, reason: 'check_digit_mismatch' });
    expect(detectPiType('a@localhost')).toMatchObject({ type: 'email', valid: false, reason: 'invalid_domain' });
    expect(detectPiType('1990-02-30')).toMatchObject({ type: 'date', valid: false, reason: 'invalid_date' });
  });

  it('returns details for valid values', () => {
    expect(detectPiType('11010519491231002X').details).toEqual({
      provinceCode: '11',
      regionCode: '110105',
      birthDate: '1949-12-31',
      sex: 'female',
    });
    expect(detectPiType('6228480402564890018').details).toEqual({ brand: 'unionpay' });
    expect(detectPiType('13800138000').details).toBeUndefined();
  });

  it('returns null type for unrecognised and empty values', () => {
    expect(detectPiType('hello')).toMatchObject({ type: null, valid: false, reason: 'unrecognized' });
    expect(detectPiType('X1234567')).toMatchObject({ type: null }); // generic passport pattern is not claimed
    expect(detectPiType('   ')).toMatchObject({ type: null, valid: false, reason: 'empty' });
    expect(detectPiType('x'.repeat(10_000)).type).toBeNull();
    expect(detectPiType('hello').masked).toBeUndefined();
  });

  it('applies a deployment mask policy', () => {
    const policy = { cn_resident_id: { keepFirst: 6, keepLast: 4 } };
    expect(detectPiType('11010519491231002X', { policy }).masked).toBe('110105********002X');
    expect(maskValue('cn_resident_id', '11010519491231002X', policy)).toBe('110105********002X');
    expect(maskValue('cn_mobile', '13800138000', policy)).toBe('138****8000');
  });
});

describe('validateFields', () => {
  it('returns field + reason for each invalid value, never the value', () => {
    const problems = validateFields([
      { field: 'id_card', piType: 'cn_resident_id', value: '110105194912310021' },
      { field: 'phone', piType: 'cn_mobile', value: '13800138000' },
      { field: 'mail', piType: 'email', value: 'not-an-email' },
      { field: 'birthday', piType: 'date', value: '1990-02-30' },
      { field: 'weird', piType: 'nope' as PiTypeId, value: 'x' },
      { field: 'notes', piType: 'text', value: '' },
    ]);
    expect(problems).toEqual([
      { field: 'id_card', reason: 'check_digit_mismatch' },
      { field: 'mail', reason: 'missing_at' },
      { field: 'birthday', reason: 'invalid_date' },
      { field: 'weird', reason: 'unknown_pi_type' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('110105194912310021');
  });

  it('returns [] when everything is valid', () => {
    expect(validateFields([{ field: 'a', piType: 'cn_mobile', value: '13800138000' }])).toEqual([]);
  });
});

// --- properties across all types ------------------------------------------------------------

const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...'0123456789０１２３４５６７８９Xx+- 　@.·•年月日市省区-()（）转'.split('')), maxLength: 30 }),
  fc.constantFrom('+8613800138000', '010-1234567-8', '1990/1/2', '张 三', 'A@B.COM', '广东省深圳市'),
);

const reasonCodes = new Set(Object.keys(reasonMessages));

describe('properties (all types)', () => {
  it('normalize is idempotent', () => {
    fc.assert(
      fc.property(anyString, fc.constantFrom(...ALL_IDS), (value, id) => {
        const t = piTypes[id];
        const once = t.normalize(value);
        expect(t.normalize(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  // The reason is one of a fixed set of codes, so it cannot carry the value (a substring check would
  // flag coincidences such as "gth" in "bad_length"); we check that the result has no other fields.
  it('validate returns only a known reason code; detect is in 0..1', () => {
    fc.assert(
      fc.property(anyString, fc.constantFrom(...ALL_IDS), (value, id) => {
        const t = piTypes[id];
        const r = t.validate(value);
        if (!r.valid) {
          expect(reasonCodes.has(r.reason)).toBe(true);
          expect(Object.keys(r).sort()).toEqual(['reason', 'valid']);
        }
        const s = t.detect(value);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(t.validate(value)).toEqual(t.validateNormalized(t.normalize(value)));
      }),
      { numRuns: 3000 },
    );
  });

  it('masks of fixed-width types keep only the allowed characters and never equal a longer value', () => {
    const fixed: Array<[PiTypeId, number, number]> = [
      ['cn_resident_id', 1, 1],
      ['cn_mobile', 3, 4],
      ['bank_card', 6, 4],
      ['cn_uscc', 2, 2],
      ['passport', 2, 2],
      ['hk_macau_permit', 2, 2],
      ['hk_macau_resident_permit', 2, 2],
      ['taiwan_permit', 2, 2],
      ['text', 1, 0],
    ];
    fc.assert(
      fc.property(anyString, fc.constantFrom(...fixed), (value, [id, first, last]) => {
        const t = piTypes[id];
        const n = t.normalize(value);
        const m = t.mask(value);
        const chars = Array.from(n);
        const mChars = Array.from(m);
        expect(mChars).toHaveLength(chars.length);
        const revealed = mChars.filter((c, i) => c !== '*' || chars[i] === '*').length;
        expect(revealed).toBeLessThanOrEqual(Math.max(first + last, chars.filter((c) => c === '*').length));
        if (chars.length > first + last) {
          expect(m).not.toBe(n);
          for (let i = 0; i < chars.length; i++) {
            if (mChars[i] !== '*') expect(mChars[i]).toBe(chars[i]);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('detectPiType never returns a reason outside the table and masked never equals a long normalized value', () => {
    fc.assert(
      fc.property(anyString, (value) => {
        const r = detectPiType(value);
        if (r.reason !== undefined) expect(reasonCodes.has(r.reason as PiReasonCode)).toBe(true);
        if (r.type === null) {
          expect(r.masked).toBeUndefined();
          expect(r.normalized).toBeUndefined();
        } else if ((r.normalized ?? '').length > 6) {
          expect(r.masked).not.toBe(r.normalized);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
