/**
 * Passports and travel permits. All are upper-cased and stripped of spaces/dashes.
 * Default display mask for all of them: first 2 and last 2 characters kept.
 */
import { definePiType, invalid, VALID } from './define.js';
import { compactUpperNormalize, keepCount, maskMiddle } from './normalize-fns.js';
import type { MaskOptions, PiDetails, PiType, PiValidationResult } from './types.js';

const maskDoc = (n: string, o?: MaskOptions): string => maskMiddle(n, keepCount(o?.keepFirst, 2), keepCount(o?.keepLast, 2));
const DOC_MASK: MaskOptions = { keepFirst: 2, keepLast: 2 };

// ---------------------------------------------------------------------------------------------
// Passport. Chinese patterns: E/G + 8 digits, E + letter (not I/O) + 7 digits, diplomatic /
// service / public-affairs D/S/P + 7-8 digits or DE/SE/PE + 7 digits. Foreign passports:
// 5-20 letters/digits with at least one digit. Only Chinese patterns score for detection.

const CN_PASSPORT = /^(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7}|[DSP]E\d{7}|[DSP]\d{7,8})$/;
const ALNUM = /^[A-Z0-9]+$/;
const HAS_DIGIT = /\d/;
const CN_DETAILS: PiDetails = Object.freeze({ issuer: 'cn' });

/** True for the Chinese passport number patterns (normalised input). */
export function isChinesePassportNumber(n: string): boolean {
  return CN_PASSPORT.test(n);
}

function validatePassport(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  if (n.length < 5 || n.length > 20) return invalid('invalid_length');
  if (!ALNUM.test(n)) return invalid('invalid_character');
  if (!HAS_DIGIT.test(n)) return invalid('invalid_format');
  return VALID;
}

export const passportType: PiType = definePiType({
  id: 'passport',
  label: { 'zh-CN': '护照号码', en: 'Passport number' },
  defaultMask: DOC_MASK,
  normalize: compactUpperNormalize,
  validateNormalized: validatePassport,
  detectNormalized: (n: string) => (CN_PASSPORT.test(n) ? 0.9 : validatePassport(n).valid ? 0.15 : 0),
  maskNormalized: maskDoc,
  details: (n: string) => (CN_PASSPORT.test(n) ? CN_DETAILS : undefined),
});

// ---------------------------------------------------------------------------------------------
// 往来港澳通行证 (mainland residents travelling to Hong Kong / Macao): C + 8 digits or C + letter + 7 digits.

const HK_MACAU_PERMIT = /^C(?:\d{8}|[A-Z]\d{7})$/;

function validateHkMacauPermit(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  if (n.length !== 9) return invalid('invalid_length');
  if (n.charCodeAt(0) !== 67) return invalid('invalid_prefix');
  return HK_MACAU_PERMIT.test(n) ? VALID : invalid('invalid_format');
}

export const hkMacauPermitType: PiType = definePiType({
  id: 'hk_macau_permit',
  label: { 'zh-CN': '往来港澳通行证号码', en: 'Exit-entry permit for travelling to Hong Kong and Macao' },
  defaultMask: DOC_MASK,
  normalize: compactUpperNormalize,
  validateNormalized: validateHkMacauPermit,
  detectNormalized: (n: string) => (HK_MACAU_PERMIT.test(n) ? 0.88 : 0),
  maskNormalized: maskDoc,
});

// ---------------------------------------------------------------------------------------------
// 港澳居民来往内地通行证 (回乡证): H (Hong Kong) / M (Macao) + 8 or 10 digits.

const HK_MACAU_RESIDENT_PERMIT = /^[HM](?:\d{8}|\d{10})$/;
const HK_DETAILS: PiDetails = Object.freeze({ region: 'hong_kong' });
const MO_DETAILS: PiDetails = Object.freeze({ region: 'macao' });

function validateHkMacauResidentPermit(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  if (n.length !== 9 && n.length !== 11) return invalid('invalid_length');
  const c = n.charCodeAt(0);
  if (c !== 72 && c !== 77) return invalid('invalid_prefix');
  return HK_MACAU_RESIDENT_PERMIT.test(n) ? VALID : invalid('invalid_format');
}

export const hkMacauResidentPermitType: PiType = definePiType({
  id: 'hk_macau_resident_permit',
  label: { 'zh-CN': '港澳居民来往内地通行证号码', en: 'Mainland travel permit for Hong Kong and Macao residents' },
  defaultMask: DOC_MASK,
  normalize: compactUpperNormalize,
  validateNormalized: validateHkMacauResidentPermit,
  detectNormalized: (n: string) => (HK_MACAU_RESIDENT_PERMIT.test(n) ? 0.88 : 0),
  maskNormalized: maskDoc,
  details: (n: string) => (HK_MACAU_RESIDENT_PERMIT.test(n) ? (n.charCodeAt(0) === 72 ? HK_DETAILS : MO_DETAILS) : undefined),
});

// ---------------------------------------------------------------------------------------------
// Taiwan: 台湾居民来往大陆通行证 (8 digits) and 大陆居民往来台湾通行证 (L + 8 digits).

const TAIWAN_PERMIT = /^L?\d{8}$/;
const TW_RESIDENT: PiDetails = Object.freeze({ holder: 'taiwan_resident' });
const MAINLAND_RESIDENT: PiDetails = Object.freeze({ holder: 'mainland_resident' });

function validateTaiwanPermit(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  if (n.length !== 8 && n.length !== 9) return invalid('invalid_length');
  if (n.length === 9 && n.charCodeAt(0) !== 76) return invalid('invalid_prefix');
  return TAIWAN_PERMIT.test(n) ? VALID : invalid('invalid_format');
}

export const taiwanPermitType: PiType = definePiType({
  id: 'taiwan_permit',
  label: { 'zh-CN': '台湾通行证号码', en: 'Taiwan travel permit number' },
  defaultMask: DOC_MASK,
  normalize: compactUpperNormalize,
  validateNormalized: validateTaiwanPermit,
  // Bare 8 digits are weak evidence (dates, account numbers); L + 8 digits is distinctive.
  detectNormalized: (n: string) => (TAIWAN_PERMIT.test(n) ? (n.length === 9 ? 0.85 : 0.55) : 0),
  maskNormalized: maskDoc,
  details: (n: string) => (TAIWAN_PERMIT.test(n) ? (n.length === 9 ? MAINLAND_RESIDENT : TW_RESIDENT) : undefined),
});
