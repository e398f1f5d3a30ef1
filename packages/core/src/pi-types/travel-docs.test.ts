import { describe, expect, it } from 'vitest';
import {
  hkMacauPermitType as hkMo,
  hkMacauResidentPermitType as homeReturn,
  isChinesePassportNumber,
  passportType as passport,
  taiwanPermitType as tw,
} from './travel-docs.js';

describe('passport', () => {
  it('validates Chinese and foreign patterns; normalizes case and separators', () => {
    for (const v of ['E12345678', 'EA1234567', 'G12345678', 'DE1234567', 'P1234567', 'e 1234 5678', 'Ｅ１２３４５６７８']) {
      expect(passport.validate(v), v).toEqual({ valid: true });
    }
    expect(passport.validate('X1234567')).toEqual({ valid: true }); // generic foreign
    expect(passport.validate('123456789')).toEqual({ valid: true });
    expect(passport.normalize(' ea-123 4567 ')).toBe('EA1234567');
  });

  it.each([
    ['', 'empty'],
    ['E123', 'invalid_length'],
    ['E'.repeat(21), 'invalid_length'],
    ['E1234567/', 'invalid_character'],
    ['E12345护照', 'invalid_character'],
    ['ABCDEFG', 'invalid_format'],
  ])('%s -> %s', (value, reason) => {
    expect(passport.validate(value)).toEqual({ valid: false, reason });
  });

  it('detection only claims Chinese patterns', () => {
    expect(isChinesePassportNumber('EA1234567')).toBe(true);
    expect(isChinesePassportNumber('EI1234567')).toBe(false);
    expect(passport.detect('E12345678')).toBeGreaterThan(0.5);
    expect(passport.detect('EA1234567')).toBeGreaterThan(0.5);
    expect(passport.detect('X1234567')).toBeLessThan(0.5);
    expect(passport.details('E12345678')).toEqual({ issuer: 'cn' });
    expect(passport.details('X1234567')).toBeUndefined();
  });

  it('masks first 2 and last 2', () => {
    expect(passport.mask('E12345678')).toBe('E1*****78');
    expect(passport.mask('ea1234567')).toBe('EA*****67');
  });
});

describe('hk_macau_permit (往来港澳通行证)', () => {
  it('validates C + 8 digits and C + letter + 7 digits', () => {
    expect(hkMo.validate('C12345678')).toEqual({ valid: true });
    expect(hkMo.validate('ca1234567')).toEqual({ valid: true });
  });
  it.each([
    ['', 'empty'],
    ['C1234567', 'invalid_length'],
    ['W12345678', 'invalid_prefix'],
    ['CAB123456', 'invalid_format'],
  ])('%s -> %s', (value, reason) => {
    expect(hkMo.validate(value)).toEqual({ valid: false, reason });
  });
  it('masks and detects', () => {
    expect(hkMo.mask('C12345678')).toBe('C1*****78');
    expect(hkMo.detect('C12345678')).toBeGreaterThan(0.5);
    expect(hkMo.detect('E12345678')).toBe(0);
  });
});

describe('hk_macau_resident_permit (回乡证)', () => {
  it('validates H/M + 8 or 10 digits and reports the region', () => {
    expect(homeReturn.validate('H12345678')).toEqual({ valid: true });
    expect(homeReturn.validate('M1234567890')).toEqual({ valid: true });
    expect(homeReturn.details('H12345678')).toEqual({ region: 'hong_kong' });
    expect(homeReturn.details('M1234567890')).toEqual({ region: 'macao' });
  });
  it.each([
    ['', 'empty'],
    ['H123456789', 'invalid_length'],
    ['K12345678', 'invalid_prefix'],
    ['H1234567A', 'invalid_format'],
  ])('%s -> %s', (value, reason) => {
    expect(homeReturn.validate(value)).toEqual({ valid: false, reason });
  });
  it('masks and detects', () => {
    expect(homeReturn.mask('M1234567890')).toBe('M1*******90');
    expect(homeReturn.detect('H12345678')).toBeGreaterThan(0.5);
  });
});

describe('taiwan_permit', () => {
  it('validates 8 digits (台胞证) and L + 8 digits (大陆居民往来台湾通行证)', () => {
    expect(tw.validate('12345678')).toEqual({ valid: true });
    expect(tw.validate('l12345678')).toEqual({ valid: true });
    expect(tw.details('12345678')).toEqual({ holder: 'taiwan_resident' });
    expect(tw.details('L12345678')).toEqual({ holder: 'mainland_resident' });
  });
  it.each([
    ['', 'empty'],
    ['1234567', 'invalid_length'],
    ['X12345678', 'invalid_prefix'],
    ['1234567A', 'invalid_format'],
  ])('%s -> %s', (value, reason) => {
    expect(tw.validate(value)).toEqual({ valid: false, reason });
  });
  it('masks and detects (L-prefixed scores higher than bare digits)', () => {
    expect(tw.mask('12345678')).toBe('12****78');
    expect(tw.mask('L12345678')).toBe('L1*****78');
    expect(tw.detect('L12345678')).toBeGreaterThan(tw.detect('12345678'));
    expect(tw.detect('12345678')).toBeGreaterThanOrEqual(0.5);
  });
});
