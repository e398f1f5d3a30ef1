import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { usccType as t } from './uscc.js';

const CS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const UW = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function refCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CS.indexOf(first17.charAt(i)) * (UW[i] as number);
  return CS.charAt((31 - (sum % 31)) % 31);
}

// Public example codes (verified with the reference implementation above).
const EXAMPLES = ['91350100M000100Y43', '91110000802100433B', '9144030071526726XG', '91310000775785552L'];

describe('cn_uscc', () => {
  it('validates public example codes', () => {
    for (const code of EXAMPLES) {
      expect(refCheck(code)).toBe(code.charAt(17));
      expect(t.validate(code), code).toEqual({ valid: true });
    }
  });

  it('normalizes: upper-case, full-width, separators', () => {
    expect(t.normalize(' 91350100m000100y43 ')).toBe('91350100M000100Y43');
    expect(t.normalize('９１３５０１００Ｍ０００１００Ｙ４３')).toBe('91350100M000100Y43');
    expect(t.validate('9135-0100-m000-100y43')).toEqual({ valid: true });
  });

  it.each([
    ['', 'empty'],
    ['91350100M000100Y4', 'invalid_length'],
    ['91350100M000100I43', 'invalid_character'], // I is not in the charset
    ['91350100M000100O43', 'invalid_character'],
    ['913501@0M000100Y43', 'invalid_character'],
    ['913A0100M000100Y4' + refCheck('913A0100M000100Y4'), 'invalid_format'],
    ['91350100M000100Y44', 'check_digit_mismatch'],
  ])('%s -> %s', (value, reason) => {
    expect(t.validate(value)).toEqual({ valid: false, reason });
  });

  it('masks the first 2 and last 2 by default', () => {
    expect(t.mask('91350100M000100Y43')).toBe('91**************43');
    expect(t.mask('91350100M000100Y43', { keepFirst: 8, keepLast: 0 })).toBe('91350100**********');
  });

  it('detects: valid > bad check > unrelated', () => {
    expect(t.detect('91350100M000100Y43')).toBeGreaterThan(t.detect('91350100M000100Y44'));
    expect(t.detect('91350100M000100Y44')).toBeGreaterThan(0.5);
    expect(t.detect('hello')).toBe(0);
  });

  it('property: generated codes validate and any single-character change is caught', () => {
    const charArb = fc.constantFrom(...CS.split(''));
    const codeArb = fc
      .tuple(
        fc.array(charArb, { minLength: 2, maxLength: 2 }),
        fc.stringMatching(/^\d{6}$/),
        fc.array(charArb, { minLength: 9, maxLength: 9 }),
      )
      .map(([a, region, b]) => {
        const body = a.join('') + region + b.join('');
        return body + refCheck(body);
      });
    fc.assert(
      fc.property(codeArb, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 30 }), (code, pos, delta) => {
        expect(t.validate(code)).toEqual({ valid: true });
        const c = CS.charAt((CS.indexOf(code.charAt(pos)) + delta) % 31);
        const changed = code.slice(0, pos) + c + code.slice(pos + 1);
        expect(t.validate(changed).valid).toBe(false);
      }),
    );
  });
});
