import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bankCardType as t, cardBrand, luhnValid } from './bank-card.js';

// Independent Luhn: double every second digit from the right, using digit sums.
function refLuhnDigit(payload: string): string {
  const digits = payload.split('').reverse().map(Number);
  const sum = digits.reduce((acc, d, i) => {
    if (i % 2 === 1) return acc + d;
    const x = d * 2;
    return acc + Math.floor(x / 10) + (x % 10);
  }, 0);
  return String((10 - (sum % 10)) % 10);
}
const withLuhn = (payload: string) => payload + refLuhnDigit(payload);

describe('bank_card', () => {
  it('Luhn reference vectors', () => {
    expect(withLuhn('411111111111111')).toBe('4111111111111111');
    expect(withLuhn('555555555555444')).toBe('5555555555554444');
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('6222021234567890123')).toBe(false); // commonly quoted, but not Luhn-valid
    expect(luhnValid(withLuhn('622202123456789012'))).toBe(true);
  });

  it('validates and normalizes', () => {
    const up = withLuhn('622848040256489001');
    expect(t.validate(up)).toEqual({ valid: true });
    expect(t.normalize('6228 4804 0256 4890 018')).toBe('6228480402564890018');
    expect(t.validate('６２２８ ４８０４ ０２５６ ４８９０ ０１８')).toEqual({ valid: true });
    expect(t.validate(withLuhn('12345678901'))).toEqual({ valid: true }); // 12 digits
  });

  it.each([
    ['', 'empty'],
    ['4111-1111-1111-111a', 'invalid_format'],
    [withLuhn('1234567890'), 'invalid_length'],
    [withLuhn('1234567890123456789'), 'invalid_length'],
    [withLuhn('011111111111111'), 'invalid_prefix'],
    ['4111111111111112', 'check_digit_mismatch'],
    ['6222021234567890123', 'check_digit_mismatch'],
  ])('%s -> %s', (value, reason) => {
    expect(t.validate(value)).toEqual({ valid: false, reason });
  });

  it('reports the brand of valid cards', () => {
    expect(t.details('6228480402564890018')).toEqual({ brand: 'unionpay' });
    expect(t.details('4111111111111111')).toEqual({ brand: 'visa' });
    expect(t.details('5555555555554444')).toEqual({ brand: 'mastercard' });
    expect(t.details('4111111111111112')).toBeUndefined();
    expect(cardBrand('378282246310005')).toBe('amex');
    expect(cardBrand('3530111333300000')).toBe('jcb');
    expect(cardBrand('2221000000000009')).toBe('mastercard');
    expect(cardBrand('9999000000000000')).toBeUndefined();
  });

  it('masks the first 6 and last 4 by default', () => {
    expect(t.mask('6228480402564890018')).toBe('622848*********0018');
    expect(t.mask('4111 1111 1111 1111')).toBe('411111******1111');
    expect(t.mask('4111111111111111', { keepFirst: 0, keepLast: 4 })).toBe('************1111');
  });

  it('detects: UnionPay > other valid > bad check > unrelated', () => {
    expect(t.detect('6228480402564890018')).toBeGreaterThan(t.detect('4111111111111111'));
    expect(t.detect('4111111111111111')).toBeGreaterThan(t.detect('4111111111111112'));
    expect(t.detect('4111111111111112')).toBeGreaterThan(0.5);
    expect(t.detect('13800138000')).toBe(0);
  });

  it('property: generated cards validate, any single-digit change is caught, mask keeps 6+4', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{10,17}$/), fc.nat(), fc.integer({ min: 1, max: 9 }), (payload, posSeed, delta) => {
        const card = withLuhn(payload);
        expect(t.validate(card)).toEqual({ valid: true });
        const pos = 1 + (posSeed % (card.length - 1)); // keep the first digit non-zero
        const changed = card.slice(0, pos) + String((Number(card.charAt(pos)) + delta) % 10) + card.slice(pos + 1);
        expect(t.validate(changed).valid).toBe(false);
        const m = t.mask(card);
        expect(m).toHaveLength(card.length);
        expect(m).not.toBe(card);
        expect(m.replace(/\*/g, '')).toBe(card.slice(0, 6) + card.slice(-4));
      }),
    );
  });
});
