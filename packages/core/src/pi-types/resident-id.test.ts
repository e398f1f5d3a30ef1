import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseResidentId, residentIdType as t } from './resident-id.js';

// Independent reference implementation of the GB 11643 check character.
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function refCheck(first17: string): string {
  const sum = [...first17.slice(0, 17)].reduce((acc, ch, i) => acc + Number(ch) * (W[i] as number), 0);
  return '10X98765432'[sum % 11] as string;
}
function withCheck(first17: string): string {
  return first17 + refCheck(first17);
}
/** Replaces the check character with a different valid-looking one. */
function wrongCheck(id: string): string {
  const c = id.charAt(17);
  return id.slice(0, 17) + (c === '0' ? '1' : '0');
}

const STANDARD_EXAMPLE = '11010519491231002X';

describe('cn_resident_id validate', () => {
  it('accepts the GB 11643 standard example and computed vectors', () => {
    expect(refCheck(STANDARD_EXAMPLE)).toBe('X');
    expect(t.validate(STANDARD_EXAMPLE)).toEqual({ valid: true });
    expect(t.validate(withCheck('44030519900101123'))).toEqual({ valid: true });
    expect(t.validate(withCheck('65010219000101001'))).toEqual({ valid: true });
    expect(t.validate(withCheck('41900120000229002'))).toEqual({ valid: true }); // 90 = province-administered
    expect(t.validate(withCheck('81000019800101001'))).toEqual({ valid: true }); // HK residence permit 810000
  });

  it('accepts lower-case x, spaces, dashes and full-width input', () => {
    expect(t.validate('11010519491231002x')).toEqual({ valid: true });
    expect(t.validate(' 110105 19491231 002X ')).toEqual({ valid: true });
    expect(t.validate('110105-19491231-002X')).toEqual({ valid: true });
    expect(t.validate('１１０１０５１９４９１２３１００２Ｘ')).toEqual({ valid: true });
  });

  it.each([
    ['', 'empty'],
    ['11010519491231002', 'invalid_length'],
    ['11010519491231002XX', 'invalid_length'],
    ['1101051949123100AX', 'invalid_format'],
    ['11010519491231002Y', 'invalid_format'],
    [withCheck('10010519491231002'), 'invalid_province_code'],
    [withCheck('84000019800101001'), 'invalid_province_code'],
    [withCheck('99010519491231002'), 'invalid_province_code'],
    [withCheck('11000019491231002'), 'invalid_region_code'],
    [withCheck('11710519491231002'), 'invalid_region_code'],
    [withCheck('11910519491231002'), 'invalid_region_code'],
    [withCheck('11010519490231002'), 'invalid_birth_date'],
    [withCheck('11010519491301002'), 'invalid_birth_date'],
    [withCheck('11010519000229002'), 'invalid_birth_date'],
    [withCheck('11010518991231002'), 'birth_date_too_early'],
    [withCheck('11010599990101002'), 'birth_date_in_future'],
    ['110105194912310021', 'check_digit_mismatch'],
    [wrongCheck(withCheck('44030519900101123')), 'check_digit_mismatch'],
  ])('%s -> %s', (value, reason) => {
    const r = t.validate(value);
    expect(r).toEqual({ valid: false, reason });
  });

  it('rejects a birth date of tomorrow (in every time zone) but accepts one from last year', () => {
    const d = new Date(Date.now() + 2 * 86_400_000);
    const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
    expect(t.validate(withCheck(`110105${ymd}002`))).toEqual({ valid: false, reason: 'birth_date_in_future' });
    const lastYear = `${new Date().getUTCFullYear() - 1}0101`;
    expect(t.validate(withCheck(`110105${lastYear}002`))).toEqual({ valid: true });
  });
});

describe('cn_resident_id normalize / mask / parse', () => {
  it('normalizes', () => {
    expect(t.normalize(' １１０１０５ １９４９１２３１ ００２ｘ ')).toBe(STANDARD_EXAMPLE);
    expect(t.normalize('110105-19491231-002x')).toBe(STANDARD_EXAMPLE);
  });

  it('masks keeping first and last by default and per options', () => {
    expect(t.mask(STANDARD_EXAMPLE)).toBe('1****************X');
    expect(t.mask('110105 19491231 002x')).toBe('1****************X');
    expect(t.mask(STANDARD_EXAMPLE, { keepFirst: 6, keepLast: 4 })).toBe('110105********002X');
    expect(t.mask(STANDARD_EXAMPLE, { keepFirst: 0, keepLast: 0 })).toBe('*'.repeat(18));
  });

  it('parses region, birth date and sex', () => {
    expect(parseResidentId(STANDARD_EXAMPLE)).toEqual({
      provinceCode: '11',
      regionCode: '110105',
      birthDate: '1949-12-31',
      sex: 'female',
    });
    expect(parseResidentId(withCheck('44030519900101123'))).toEqual({
      provinceCode: '44',
      regionCode: '440305',
      birthDate: '1990-01-01',
      sex: 'male',
    });
    expect(parseResidentId('110105194912310021')).toBeNull();
    expect(t.details(STANDARD_EXAMPLE)).toMatchObject({ sex: 'female' });
  });

  it('detects: valid > bad check digit > other structural failures > unrelated', () => {
    const valid = t.detect(STANDARD_EXAMPLE);
    const badCheck = t.detect('110105194912310021');
    const badProvince = t.detect(withCheck('99010519491231002'));
    expect(valid).toBeGreaterThan(badCheck);
    expect(badCheck).toBeGreaterThan(badProvince);
    expect(badProvince).toBeGreaterThan(0);
    expect(t.detect('13800138000')).toBe(0);
    expect(t.detect('hello')).toBe(0);
  });
});

// --- property tests --------------------------------------------------------------------------

const PROVINCES = [
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
];
const pad = (n: number, w: number) => String(n).padStart(w, '0');

const validIdArb = fc
  .record({
    province: fc.constantFrom(...PROVINCES),
    city: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.constant(90)),
    county: fc.integer({ min: 0, max: 99 }),
    birth: fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2020-12-31T00:00:00Z'), noInvalidDate: true }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ province, city, county, birth, seq }) =>
    withCheck(
      `${province}${pad(city, 2)}${pad(county, 2)}${pad(birth.getUTCFullYear(), 4)}${pad(birth.getUTCMonth() + 1, 2)}${pad(birth.getUTCDate(), 2)}${pad(seq, 3)}`,
    ),
  );

describe('cn_resident_id properties', () => {
  it('every generated ID is valid; changing any one character makes it invalid', () => {
    fc.assert(
      fc.property(validIdArb, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 10 }), (id, pos, delta) => {
        expect(t.validate(id)).toEqual({ valid: true });
        const alphabet = pos === 17 ? '0123456789X' : '0123456789';
        const idx = alphabet.indexOf(id.charAt(pos));
        const replacement = alphabet.charAt((idx + delta) % alphabet.length);
        if (replacement === id.charAt(pos)) return;
        const changed = id.slice(0, pos) + replacement + id.slice(pos + 1);
        expect(t.validate(changed).valid).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('mask keeps exactly first and last characters and never equals the ID', () => {
    fc.assert(
      fc.property(validIdArb, fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), (id, f, l) => {
        const masked = t.mask(id, { keepFirst: f, keepLast: l });
        expect(masked).toHaveLength(18);
        expect(masked).not.toBe(id);
        expect(masked.slice(0, f)).toBe(id.slice(0, f));
        expect(masked.replace(/\*/g, '').length).toBe(f + l);
        if (l > 0) expect(masked.slice(18 - l)).toBe(id.slice(18 - l));
      }),
    );
  });

  it('parse round-trips the birth date', () => {
    fc.assert(
      fc.property(validIdArb, (id) => {
        const info = parseResidentId(id);
        expect(info?.birthDate.replace(/-/g, '')).toBe(id.slice(6, 14));
      }),
    );
  });
});

describe('residence permits for Hong Kong, Macao and Taiwan residents', () => {
  it('accepts the 810000 / 820000 / 830000 region codes of GB 11643-format residence permits', () => {
    expect(t.validate('830000199001011234')).toEqual({ valid: true });
    expect(t.validate('830000199001011235').valid).toBe(false);
    expect(t.validate('840000199001011234').valid).toBe(false);
  });
});
