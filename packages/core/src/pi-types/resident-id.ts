/**
 * Chinese resident identity card number (GB 11643-1999): 6-digit region code, 8-digit birth date,
 * 3-digit sequence (odd = male), ISO 7064 MOD 11-2 check character.
 */
import { definePiType, invalid, VALID } from './define.js';
import {
  compactUpperNormalize,
  digitsValue,
  isDigits,
  isValidYmd,
  keepCount,
  isFutureYmd,
  maskMiddle,
  twoDigits,
} from './normalize-fns.js';
import { isProvinceCodeNumber } from './provinces.js';
import type { MaskOptions, PiType, PiValidationResult } from './types.js';

const WEIGHTS: readonly number[] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';
const X = 88;

/**
 * The GB 11643 check character for the first 17 digits of `id` (caller guarantees 17 ASCII digits).
 */
export function residentIdCheckChar(id: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS.charAt(sum % 11);
}

/**
 * Province codes whose whole-province region code (xx0000) is used on IDs/residence permits.
 * 83 is not a province: it is the code of residence permits for Taiwan residents (830000), as
 * 81/82 are for Hong Kong and Macao residents.
 */
const TAIWAN_RESIDENCE_PERMIT = 83;
function isWholeProvinceAllowed(province: number): boolean {
  return province === 71 || province === 81 || province === 82 || province === TAIWAN_RESIDENCE_PERMIT;
}

/**
 * GB/T 2260 structure: digits 3-4 (prefecture) are 01-70 or 90 (province-administered
 * county-level units); digits 5-6 (county) are 00-99. 0000 only for Taiwan, Hong Kong, Macao.
 */
function isRegionStructureValid(id: string, province: number): boolean {
  const city = twoDigits(id, 2);
  if (city === 0) return twoDigits(id, 4) === 0 && isWholeProvinceAllowed(province);
  return city <= 70 || city === 90;
}

function validateNormalized(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  if (n.length !== 18) return invalid('invalid_length');
  const last = n.charCodeAt(17);
  if (!isDigits(n, 0, 17) || !((last >= 48 && last <= 57) || last === X)) return invalid('invalid_format');
  const province = twoDigits(n, 0);
  if (!isProvinceCodeNumber(province) && province !== TAIWAN_RESIDENCE_PERMIT) return invalid('invalid_province_code');
  if (!isRegionStructureValid(n, province)) return invalid('invalid_region_code');
  const y = digitsValue(n, 6, 10);
  const m = twoDigits(n, 10);
  const d = twoDigits(n, 12);
  if (!isValidYmd(y, m, d)) return invalid('invalid_birth_date');
  if (y < 1900) return invalid('birth_date_too_early');
  if (isFutureYmd(y * 10000 + m * 100 + d)) return invalid('birth_date_in_future');
  if (residentIdCheckChar(n).charCodeAt(0) !== last) return invalid('check_digit_mismatch');
  return VALID;
}

function detectNormalized(n: string): number {
  const r = validateNormalized(n);
  if (r.valid) return 0.98;
  switch (r.reason) {
    case 'check_digit_mismatch':
      return 0.86;
    case 'invalid_province_code':
    case 'invalid_region_code':
    case 'invalid_birth_date':
    case 'birth_date_too_early':
    case 'birth_date_in_future':
      return 0.55;
    default:
      return 0;
  }
}

export type ResidentIdInfo = {
  /** Two-digit province code, e.g. '11'. */
  readonly provinceCode: string;
  /** Six-digit GB/T 2260 region code, e.g. '110105'. */
  readonly regionCode: string;
  /** 'YYYY-MM-DD'. */
  readonly birthDate: string;
  /** From the 17th digit: odd = male, even = female. */
  readonly sex: 'male' | 'female';
};

function parseNormalized(n: string): ResidentIdInfo | null {
  if (!validateNormalized(n).valid) return null;
  return {
    provinceCode: n.slice(0, 2),
    regionCode: n.slice(0, 6),
    birthDate: `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`,
    sex: (n.charCodeAt(16) - 48) % 2 === 1 ? 'male' : 'female',
  };
}

/** Parses a resident ID (normalising it first); null when it is not valid. */
export function parseResidentId(id: string): ResidentIdInfo | null {
  return parseNormalized(compactUpperNormalize(id));
}

export const residentIdType: PiType = definePiType({
  id: 'cn_resident_id',
  label: { 'zh-CN': '居民身份证号码', en: 'Chinese resident ID number' },
  defaultMask: { keepFirst: 1, keepLast: 1 },
  normalize: compactUpperNormalize,
  validateNormalized,
  detectNormalized,
  maskNormalized: (n: string, o?: MaskOptions) => maskMiddle(n, keepCount(o?.keepFirst, 1), keepCount(o?.keepLast, 1)),
  details: (n: string) => parseNormalized(n) ?? undefined,
});
