/**
 * Shared, allocation-conscious string helpers for the PI type library.
 *
 * Every helper returns its input unchanged (same string, no allocation) when there is nothing
 * to do, so the common case of already-clean input costs one scan.
 */

const FW_FIRST = 0xff01;
const FW_LAST = 0xff5e;
const FW_OFFSET = 0xfee0;
const IDEOGRAPHIC_SPACE = 0x3000;

/** Full-width ASCII variants (U+FF01–U+FF5E) to ASCII, ideographic space (U+3000) to a space. */
export function toHalfWidth(value: string): string {
  const len = value.length;
  let i = 0;
  for (; i < len; i++) {
    const c = value.charCodeAt(i);
    if ((c >= FW_FIRST && c <= FW_LAST) || c === IDEOGRAPHIC_SPACE) break;
  }
  if (i === len) return value;
  let out = value.slice(0, i);
  for (; i < len; i++) {
    const c = value.charCodeAt(i);
    if (c >= FW_FIRST && c <= FW_LAST) out += String.fromCharCode(c - FW_OFFSET);
    else if (c === IDEOGRAPHIC_SPACE) out += ' ';
    else out += value.charAt(i);
  }
  return out;
}

/** Half-width conversion followed by trimming: the base of every type's `normalize`. */
export function baseNormalize(value: string): string {
  return toHalfWidth(value).trim();
}

/** Whitespace and dash-like separators that identifier types ignore. */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212\ufe58\ufe63]/g;
const HAS_SEPARATOR = /[\s\-\u2010-\u2015\u2212\ufe58\ufe63]/;

/** Removes whitespace and dashes (used by identifiers: IDs, phone numbers, cards, codes). */
export function removeSeparators(value: string): string {
  return HAS_SEPARATOR.test(value) ? value.replace(SEPARATORS, '') : value;
}

/** Half-width, separators removed. */
export function compactNormalize(value: string): string {
  return removeSeparators(toHalfWidth(value));
}

/** Upper-cases only when the string has a lower-case ASCII letter or non-ASCII character. */
export function upperIfNeeded(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c >= 128) return value.toUpperCase();
  }
  return value;
}

/** Half-width, separators removed, upper-cased (case-insensitive identifiers). */
export function compactUpperNormalize(value: string): string {
  return upperIfNeeded(removeSeparators(toHalfWidth(value)));
}

const MULTI_SPACE = /\s{2,}|[^\S ]/g;
const HAS_MULTI_SPACE = /\s{2,}|[^\S ]/;

/** Collapses runs of whitespace (and any non-space whitespace) into one ASCII space. */
export function collapseSpaces(value: string): string {
  return HAS_MULTI_SPACE.test(value) ? value.replace(MULTI_SPACE, ' ') : value;
}

/** True when `s[from, to)` is non-empty and consists of ASCII digits only. */
export function isDigits(s: string, from = 0, to = s.length): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Two ASCII digits at `s[i]`, `s[i+1]` as a number (caller guarantees they are digits). */
export function twoDigits(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
}

/** Parses ASCII digits `s[from, to)` as a number (caller guarantees they are digits). */
export function digitsValue(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Proleptic Gregorian calendar check; year must be 1..9999. */
export function isValidYmd(y: number, m: number, d: number): boolean {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  const dim = m === 2 && isLeapYear(y) ? 29 : (DAYS_IN_MONTH[m - 1] ?? 0);
  return d <= dim;
}

const DAY_MS = 86_400_000;
/** UTC+14 is the earliest time zone: a date that is not in the future there is not in the future anywhere. */
const EARLIEST_TZ_OFFSET_MS = 14 * 3_600_000;
let todayStart = 0;
let todayEnd = 0;
let todayYmd = 0;

/**
 * Today's date as the number YYYYMMDD in the earliest time zone on Earth (UTC+14), so that a
 * date is only called "future" when it is in the future everywhere (lenient for births today
 * in China whatever the server's zone). Cached per day; no allocation on the fast path.
 */
export function latestTodayYmd(now: number = Date.now()): number {
  if (now >= todayStart && now < todayEnd) return todayYmd;
  const shifted = now + EARLIEST_TZ_OFFSET_MS;
  const dayStartShifted = Math.floor(shifted / DAY_MS) * DAY_MS;
  const d = new Date(dayStartShifted);
  todayYmd = d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
  todayStart = dayStartShifted - EARLIEST_TZ_OFFSET_MS;
  todayEnd = todayStart + DAY_MS;
  return todayYmd;
}

/**
 * True when the date YYYYMMDD (as a number) is in the future in every time zone. Dates up to the
 * last computed "today" are answered without reading the clock (time only moves forward).
 */
export function isFutureYmd(ymd: number): boolean {
  if (ymd <= todayYmd) return false;
  return ymd > latestTodayYmd();
}

/** True when the string contains a UTF-16 surrogate (a code point outside the BMP). */
function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

/** Clamps a mask option to a non-negative integer, falling back to the default. */
export function keepCount(value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return value <= 0 ? 0 : Math.floor(value);
}

export const MASK_CHAR = '*';

/**
 * Keeps the first `keepFirst` and last `keepLast` characters (code points) and replaces the rest
 * with `*`, preserving length. When the kept parts would cover the whole value, everything is
 * masked: a mask never reveals the full value.
 */
export function maskMiddle(value: string, keepFirst: number, keepLast: number): string {
  if (!hasSurrogate(value)) {
    const len = value.length;
    if (len === 0) return '';
    if (keepFirst + keepLast >= len) return MASK_CHAR.repeat(len);
    return value.slice(0, keepFirst) + MASK_CHAR.repeat(len - keepFirst - keepLast) + (keepLast > 0 ? value.slice(len - keepLast) : '');
  }
  const cps = Array.from(value);
  const len = cps.length;
  if (keepFirst + keepLast >= len) return MASK_CHAR.repeat(len);
  return (
    cps.slice(0, keepFirst).join('') +
    MASK_CHAR.repeat(len - keepFirst - keepLast) +
    (keepLast > 0 ? cps.slice(len - keepLast).join('') : '')
  );
}

/** Length in code points. */
export function codePointLength(s: string): number {
  if (!hasSurrogate(s)) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}
