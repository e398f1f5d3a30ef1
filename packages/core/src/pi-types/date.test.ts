import { describe, expect, it } from 'vitest';
import { dateType as t } from './date.js';

describe('date', () => {
  it.each([
    ['1990-01-31', '1990-01-31'],
    ['1990/1/31', '1990-01-31'],
    ['1990.01.31', '1990-01-31'],
    ['1990年1月31日', '1990-01-31'],
    ['1990 年 1 月 31 日', '1990-01-31'],
    ['19900131', '1990-01-31'],
    ['１９９０－０１－３１', '1990-01-31'],
    ['2000-02-29', '2000-02-29'],
  ])('%s normalizes to %s and validates', (value, expected) => {
    expect(t.normalize(value)).toBe(expected);
    expect(t.validate(value)).toEqual({ valid: true });
  });

  it.each([
    ['', 'empty'],
    ['1990-01', 'invalid_format'],
    ['1990-01/31', 'invalid_format'],
    ['31/01/1990', 'invalid_format'],
    ['yesterday', 'invalid_format'],
    ['1990-02-30', 'invalid_date'],
    ['1900-02-29', 'invalid_date'],
    ['19901301', 'invalid_date'],
    ['0000-01-01', 'invalid_date'],
  ])('%s -> %s', (value, reason) => {
    expect(t.validate(value)).toEqual({ valid: false, reason });
  });

  it('masks keeping the year', () => {
    expect(t.mask('1990-01-31')).toBe('1990-**-**');
    expect(t.mask('1990年1月31日')).toBe('1990-**-**');
    expect(t.mask('1990-01-31', { keepFirst: 7 })).toBe('1990-01-**');
    expect(t.mask('yesterday')).toBe('y********');
  });

  it('detects: separated and Chinese formats > compact digits; invalid compact is weak', () => {
    expect(t.detect('1990年1月31日')).toBeGreaterThan(t.detect('19900131'));
    expect(t.detect('1990-01-31')).toBeGreaterThan(t.detect('19900131'));
    expect(t.detect('19900131')).toBeGreaterThan(0.55);
    expect(t.detect('12345678')).toBeLessThan(0.5);
    expect(t.detect('1990-02-30')).toBeGreaterThan(0.5);
  });
});
