/**
 * Unified social credit code (GB 32100-2015): 18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY";
 * positions 3-8 are the registering authority's region code (digits); MOD 31 check character.
 */
import { definePiType, invalid, VALID } from './define.js';
import { compactUpperNormalize, isDigits, keepCount, maskMiddle } from './normalize-fns.js';
import type { MaskOptions, PiType, PiValidationResult } from './types.js';

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS: readonly number[] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** Char code (< 128) -> charset index, -1 when not in the charset. */
const INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < CHARSET.length; i++) INDEX[CHARSET.charCodeAt(i)] = i;

function charIndex(code: number): number {
  return code < 128 ? (INDEX[code] ?? -1) : -1;
}

/** The GB 32100 check character for the first 17 characters (caller guarantees they are in the charset). */
export function usccCheckChar(code: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += charIndex(code.charCodeAt(i)) * (WEIGHTS[i] ?? 0);
  return CHARSET.charAt((31 - (sum % 31)) % 31);
}

function validateUscc(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  if (n.length !== 18) return invalid('invalid_length');
  for (let i = 0; i < 18; i++) if (charIndex(n.charCodeAt(i)) < 0) return invalid('invalid_character');
  if (!isDigits(n, 2, 8)) return invalid('invalid_format');
  if (usccCheckChar(n) !== n.charAt(17)) return invalid('check_digit_mismatch');
  return VALID;
}

function hasLetterBeforeCheck(n: string): boolean {
  return !isDigits(n, 0, 17);
}

function detectUscc(n: string): number {
  const r = validateUscc(n);
  // All-digit codes collide with resident IDs and bank cards: lower confidence.
  if (r.valid) return hasLetterBeforeCheck(n) ? 0.93 : 0.7;
  if (r.reason === 'check_digit_mismatch') return hasLetterBeforeCheck(n) ? 0.6 : 0.3;
  return 0;
}

export const usccType: PiType = definePiType({
  id: 'cn_uscc',
  label: { 'zh-CN': '统一社会信用代码', en: 'Unified social credit code' },
  defaultMask: { keepFirst: 2, keepLast: 2 },
  normalize: compactUpperNormalize,
  validateNormalized: validateUscc,
  detectNormalized: detectUscc,
  maskNormalized: (n: string, o?: MaskOptions) => maskMiddle(n, keepCount(o?.keepFirst, 2), keepCount(o?.keepLast, 2)),
});
