/**
 * Dates: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD (1-2 digit month/day), YYYY年M月D日, YYYYMMDD.
 * Normalised to YYYY-MM-DD whenever the format is recognised (even if the calendar date is invalid).
 */
import { definePiType, invalid, VALID } from './define.js';
import { baseNormalize, digitsValue, isValidYmd, keepCount, MASK_CHAR, maskMiddle } from './normalize-fns.js';
import type { MaskOptions, PiType, PiValidationResult } from './types.js';

const SEPARATED = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/;
const CHINESE = /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]$/;
const COMPACT = /^\d{8}$/;
const CANONICAL = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DATE_INPUT = 24;

type DateFormat = 'separated' | 'chinese' | 'compact';

interface ParsedDate {
  readonly y: number;
  readonly m: number;
  readonly d: number;
  readonly format: DateFormat;
}

function parseDate(s: string): ParsedDate | null {
  if (s.length > MAX_DATE_INPUT || s.length < 8) return null;
  if (COMPACT.test(s)) {
    return { y: digitsValue(s, 0, 4), m: digitsValue(s, 4, 6), d: digitsValue(s, 6, 8), format: 'compact' };
  }
  const sep = SEPARATED.exec(s);
  if (sep !== null) return { y: Number(sep[1]), m: Number(sep[3]), d: Number(sep[4]), format: 'separated' };
  const zh = CHINESE.exec(s);
  if (zh !== null) return { y: Number(zh[1]), m: Number(zh[2]), d: Number(zh[3]), format: 'chinese' };
  return null;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function formatDate(p: ParsedDate): string {
  return `${String(p.y).padStart(4, '0')}-${pad2(p.m)}-${pad2(p.d)}`;
}

function normalizeDate(value: string): string {
  const s = baseNormalize(value);
  if (CANONICAL.test(s)) return s;
  const p = parseDate(s);
  return p === null ? s : formatDate(p);
}

function validateDate(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  const p = parseDate(n);
  if (p === null) return invalid('invalid_format');
  return isValidYmd(p.y, p.m, p.d) ? VALID : invalid('invalid_date');
}

function score(p: ParsedDate | null): number {
  if (p === null) return 0;
  const valid = isValidYmd(p.y, p.m, p.d);
  switch (p.format) {
    case 'chinese':
      return valid ? 0.95 : 0.6;
    case 'separated':
      return valid ? 0.9 : 0.6;
    case 'compact':
      // Eight digits are weak evidence: only plausible years count.
      if (!valid) return 0.2;
      return p.y >= 1900 && p.y <= 2100 ? 0.7 : 0.45;
  }
}

/** `1990-**-**`: the first `keepFirst` characters (default 4, the year), other digits masked. */
function maskDate(n: string, o?: MaskOptions): string {
  if (!CANONICAL.test(n)) return maskMiddle(n, 1, 0);
  const keep = Math.min(keepCount(o?.keepFirst, 4), 9);
  let out = n.slice(0, keep);
  for (let i = keep; i < n.length; i++) {
    const c = n.charAt(i);
    out += c === '-' ? c : MASK_CHAR;
  }
  return out;
}

export const dateType: PiType = definePiType({
  id: 'date',
  label: { 'zh-CN': '日期', en: 'Date' },
  defaultMask: { keepFirst: 4 },
  normalize: normalizeDate,
  validateNormalized: validateDate,
  detectNormalized: (n: string) => score(parseDate(n)),
  // Scored on the input format: bare YYYYMMDD is weaker evidence than 1990-01-01.
  detect: (value: string) => score(parseDate(baseNormalize(value))),
  maskNormalized: maskDate,
});
