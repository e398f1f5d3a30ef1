/**
 * Postal addresses (free text). Valid when a province or city is recognised at the start, or
 * when at least 5 characters long. The display mask keeps province and city, then `****`.
 */
import { definePiType, invalid, VALID } from './define.js';
import { baseNormalize, codePointLength, collapseSpaces, keepCount } from './normalize-fns.js';
import { matchProvincePrefix } from './provinces.js';
import type { MaskOptions, PiType, PiValidationResult } from './types.js';

const MAX_ADDRESS = 500;
const MIN_ADDRESS = 5;
/** How far after the province a city suffix is looked for (longest: 克孜勒苏柯尔克孜自治州). */
const CITY_WINDOW = 16;
/** A city at the very start of an address when no province is given (e.g. 深圳市...). */
const START_CITY_WINDOW = 10;
const CITY_SUFFIX = /市|州|盟|地区/;
/** A city name does not contain these (they belong to lower levels or streets). */
const NOT_IN_CITY = /[区县镇乡村街路号]/;
const ADDRESS_MARKERS = /[区县镇乡村路街巷弄号楼室栋幢]/;
const HAN = /\p{Script=Han}/u;
const REST = '****';

/** Length of the city (up to and including its suffix) at the start of `s`, 0 when none. */
function cityLength(s: string, window: number): number {
  const head = s.length > window ? s.slice(0, window) : s;
  const m = CITY_SUFFIX.exec(head);
  if (m === null || m.index === 0) return 0;
  if (NOT_IN_CITY.test(head.slice(0, m.index))) return 0;
  let end = m.index + m[0].length;
  if (m[0] === '州' && s.charAt(end) === '市') end++; // 广州市, 杭州市
  return end;
}

/**
 * The leading part of an address that the default mask keeps: province, then the city
 * (text up to and including the first 市/州/盟/地区); for municipalities and SARs the province
 * is the city. Empty when neither is recognised.
 */
export function addressRegionPrefix(normalized: string): string {
  const pm = matchProvincePrefix(normalized);
  if (pm !== undefined) {
    const provinceLen = pm.name.length;
    if (pm.province.isCity) return normalized.slice(0, provinceLen);
    return normalized.slice(0, provinceLen + cityLength(normalized.slice(provinceLen), CITY_WINDOW));
  }
  return normalized.slice(0, cityLength(normalized, START_CITY_WINDOW));
}

function normalizeAddress(value: string): string {
  return collapseSpaces(baseNormalize(value));
}

function validateAddress(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  if (n.length > MAX_ADDRESS) return invalid('too_long');
  if (matchProvincePrefix(n) !== undefined || cityLength(n, START_CITY_WINDOW) > 0) return VALID;
  return codePointLength(n) < MIN_ADDRESS ? invalid('too_short') : VALID;
}

function detectAddress(n: string): number {
  if (n.length === 0 || n.length > MAX_ADDRESS) return 0;
  const pm = matchProvincePrefix(n);
  if (pm !== undefined) {
    if (n.length === pm.name.length) return 0.7; // just a province name
    return ADDRESS_MARKERS.test(n) ? 0.85 : 0.75;
  }
  const markers = ADDRESS_MARKERS.test(n);
  if (markers && cityLength(n, START_CITY_WINDOW) > 0) return 0.7;
  return markers && n.length >= 6 && HAN.test(n) ? 0.5 : 0;
}

/** `广东省深圳市****`; with `keepFirst`, that many characters then `****`. */
function maskAddress(n: string, o?: MaskOptions): string {
  if (n.length === 0) return '';
  if (o?.keepFirst !== undefined) {
    const chars = Array.from(n);
    const keep = Math.min(keepCount(o.keepFirst, 0), chars.length - 1);
    return chars.slice(0, keep).join('') + REST;
  }
  return addressRegionPrefix(n) + REST;
}

export const addressType: PiType = definePiType({
  id: 'address',
  label: { 'zh-CN': '地址', en: 'Address' },
  defaultMask: {},
  normalize: normalizeAddress,
  validateNormalized: validateAddress,
  detectNormalized: detectAddress,
  maskNormalized: maskAddress,
});
