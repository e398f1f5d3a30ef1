/** Mainland mobile numbers and landline numbers. */
import { definePiType, invalid, VALID } from './define.js';
import { baseNormalize, compactNormalize, isDigits, keepCount, MASK_CHAR, maskMiddle } from './normalize-fns.js';
import type { MaskOptions, PiType, PiValidationResult } from './types.js';
import type { PiReasonCode } from './reasons.js';

// ---------------------------------------------------------------------------------------------
// Mobile: 11 digits, 1[3-9]xxxxxxxxx; +86 / 0086 accepted (and removed) on input.

const MOBILE_COUNTRY_PREFIX = /^\(?(?:\+86|0086)\)?/;

function normalizeMobile(value: string): string {
  const s = compactNormalize(value);
  const m = MOBILE_COUNTRY_PREFIX.exec(s);
  if (m === null) return s;
  const rest = s.slice(m[0].length);
  // Strip only when what remains is a plain number (keeps normalize idempotent).
  return isDigits(rest) && !rest.startsWith('0086') ? rest : s;
}

function validateMobile(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  if (!isDigits(n)) return invalid('invalid_format');
  if (n.length !== 11) return invalid('invalid_length');
  const second = n.charCodeAt(1);
  if (n.charCodeAt(0) !== 49 || second < 51) return invalid('invalid_prefix');
  return VALID;
}

function detectMobile(n: string): number {
  const r = validateMobile(n);
  if (r.valid) return 0.95;
  // 11 digits starting with 1: looks like a mobile number with an unassigned prefix.
  return r.reason === 'invalid_prefix' && n.charCodeAt(0) === 49 ? 0.55 : 0;
}

export const mobileType: PiType = definePiType({
  id: 'cn_mobile',
  label: { 'zh-CN': '手机号码', en: 'Mobile phone number' },
  defaultMask: { keepFirst: 3, keepLast: 4 },
  normalize: normalizeMobile,
  validateNormalized: validateMobile,
  detectNormalized: detectMobile,
  maskNormalized: (n: string, o?: MaskOptions) => maskMiddle(n, keepCount(o?.keepFirst, 3), keepCount(o?.keepLast, 4)),
});

// ---------------------------------------------------------------------------------------------
// Landline: area code (010, 02x: 3 digits; 0[3-9]xx: 4 digits) + 7-8 digit subscriber number
// (not starting with 0), optional extension. Canonical form: `AREA-NUMBER` or `AREA-NUMBER-EXT`.

const MAX_LANDLINE_INPUT = 48;
/** Canonical or plain digits with dashes (no 00 country prefix): no marker / prefix handling needed. */
const PLAIN_DIGITS_AND_DASHES = /^(?!00)[\d-]+$/;
/** Anything other than digits, spaces, dashes, parentheses and '+' may be an extension marker. */
const MAY_HAVE_MARKER = /[^\d\s()+-]/;
const EXTENSION_MARKER = /^(.*?)\s*(?:转|分机|ext\.?|x|#|,)\s*(\d{1,6})$/i;
const LANDLINE_COUNTRY_PREFIX = /^\(?(?:\+86|0086)\)?[\s-]*/;
const PARENS_AND_SPACES = /[\s()]/g;
const DASH_LIKE = /[\u2010-\u2015\u2212\ufe58\ufe63]/g;

interface Landline {
  readonly area: string;
  readonly number: string;
  readonly ext: string;
}

function areaCodeLength(digits: string): number | PiReasonCode {
  if (digits.charCodeAt(0) !== 48) return 'invalid_area_code';
  const c1 = digits.charCodeAt(1);
  if (c1 === 49) return digits.charCodeAt(2) === 48 ? 3 : 'invalid_area_code'; // 010
  if (c1 === 50) return 3; // 020-029
  if (c1 >= 51 && c1 <= 57) return 4; // 0300-0999
  return 'invalid_area_code';
}

function isSubscriberNumber(s: string): boolean {
  return (s.length === 7 || s.length === 8) && isDigits(s) && s.charCodeAt(0) !== 48;
}

function splitDigits(digits: string, ext: string): Landline | PiReasonCode {
  if (!isDigits(digits)) return 'invalid_format';
  const areaLen = areaCodeLength(digits);
  if (typeof areaLen !== 'number') return areaLen;
  const number = digits.slice(areaLen);
  if (number.length < 7 || number.length > 8) return 'invalid_length';
  if (number.charCodeAt(0) === 48) return 'invalid_format';
  return { area: digits.slice(0, areaLen), number, ext };
}

function parseLandline(s: string): Landline | PiReasonCode {
  if (s.length === 0) return 'empty';
  if (s.length > MAX_LANDLINE_INPUT) return 'too_long';
  let main = s;
  let ext = '';
  if (!PLAIN_DIGITS_AND_DASHES.test(s)) {
    const marked = MAY_HAVE_MARKER.test(s) ? EXTENSION_MARKER.exec(s) : null;
    if (marked !== null) {
      main = marked[1] ?? '';
      ext = marked[2] ?? '';
    }
    const country = LANDLINE_COUNTRY_PREFIX.exec(main);
    if (country !== null) {
      main = main.slice(country[0].length);
      if (!main.startsWith('0') && !main.startsWith('(0')) main = '0' + main;
    }
    main = main.replace(PARENS_AND_SPACES, '').replace(DASH_LIKE, '-');
  }
  const groups = main.split('-').filter((g) => g.length > 0);
  if (groups.length === 0) return 'invalid_format';
  if (ext === '' && groups.length === 3) {
    // AREA-NUMBER-EXT when the groups line up exactly (this is also the canonical form).
    const [a = '', b = '', c = ''] = groups;
    const areaLen = areaCodeLength(a);
    if (areaLen === a.length && isSubscriberNumber(b) && c.length <= 6 && isDigits(c)) {
      return { area: a, number: b, ext: c };
    }
  }
  const whole = splitDigits(groups.join(''), ext);
  if (typeof whole !== 'string' || ext !== '' || groups.length < 2) return whole;
  // Last group as an extension: 01012345678-123.
  const last = groups[groups.length - 1] ?? '';
  if (last.length > 6 || !isDigits(last)) return whole;
  const withExt = splitDigits(groups.slice(0, -1).join(''), last);
  return typeof withExt === 'string' ? whole : withExt;
}

function formatLandline(l: Landline): string {
  return l.ext === '' ? `${l.area}-${l.number}` : `${l.area}-${l.number}-${l.ext}`;
}

function normalizeLandline(value: string): string {
  const s = baseNormalize(value);
  const parsed = parseLandline(s);
  return typeof parsed === 'string' ? s : formatLandline(parsed);
}

function validateLandline(n: string): PiValidationResult {
  const parsed = parseLandline(n);
  return typeof parsed === 'string' ? invalid(parsed) : VALID;
}

function maskLandline(n: string, o?: MaskOptions): string {
  const keepLast = keepCount(o?.keepLast, 2);
  const parsed = parseLandline(n);
  if (typeof parsed === 'string') return maskMiddle(n, 0, keepLast);
  const masked = `${parsed.area}-${maskMiddle(parsed.number, 0, keepLast)}`;
  return parsed.ext === '' ? masked : `${masked}-${MASK_CHAR.repeat(parsed.ext.length)}`;
}

export const landlineType: PiType = definePiType({
  id: 'cn_landline',
  label: { 'zh-CN': '固定电话号码', en: 'Landline phone number' },
  defaultMask: { keepLast: 2 },
  normalize: normalizeLandline,
  validateNormalized: validateLandline,
  detectNormalized: (n: string) => (typeof parseLandline(n) === 'string' ? 0 : 0.85),
  maskNormalized: maskLandline,
});
