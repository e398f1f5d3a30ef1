/**
 * Generalisation hierarchies (P5.3): for each value, its more general forms, level by level.
 * Level 0 is the value itself (normalised), the last level is usually `*` (everything).
 *
 * A hierarchy must be *functional*: two values that share a label at level j share their labels
 * at every level above j (a month belongs to one year, a city to one province). The k-anonymity
 * search relies on this (classes only merge as levels rise); `encodeDataset` checks it on the
 * data and refuses a hierarchy that breaks it.
 *
 * Shipped: dates (day → month → year → decade → *), ages and other numbers (intervals),
 * Chinese addresses (address → city → province → region → *), Chinese cities (city → province
 * → region → *), resident ID numbers (→ region code + birth year → province + birth decade →
 * *), and table hierarchies for categories (see adult-hierarchies.ts for the UCI Adult ones).
 */
import { addressRegionPrefix, addressType } from '../../pi-types/address.js';
import { dateType } from '../../pi-types/date.js';
import { getProvince, matchProvincePrefix, type ChinaProvince } from '../../pi-types/provinces.js';
import { parseResidentId, residentIdType } from '../../pi-types/resident-id.js';
import { matchCityPrefix, provinceOfCity, regionOfProvince } from './china-regions.js';

/** The label of the top level of every shipped hierarchy, and of values a hierarchy does not know. */
export const ANY = '*';

export interface Hierarchy {
  /** Name used in dataset specs (`{ kind: 'generalise', hierarchy: name }`). */
  readonly name: string;
  /** Number of levels, including level 0 (the value itself). */
  readonly levels: number;
  /** A short name per level, e.g. ['date', 'month', 'year', 'decade', '*']. */
  readonly levelNames: readonly string[];
  /** The label of `value` at `level` (0 ≤ level < levels). Must be functional (see the file comment). */
  generalise(value: string, level: number): string;
}

/** Builds a hierarchy from a level function. */
export function defineHierarchy(spec: {
  name: string;
  levelNames: readonly string[];
  generalise: (value: string, level: number) => string;
}): Hierarchy {
  if (spec.levelNames.length < 1) throw new Error(`hierarchy ${spec.name}: at least one level is needed`);
  return Object.freeze({
    name: spec.name,
    levels: spec.levelNames.length,
    levelNames: Object.freeze([...spec.levelNames]),
    generalise: spec.generalise,
  });
}

/**
 * A hierarchy from a table: one row per value, `[value, level 1 label, level 2 label, ...]`,
 * as in ARX's hierarchy CSV files. Values not in the table keep their value at level 0 and are
 * `*` at every higher level. Throws when the rows have different lengths or are not functional.
 */
export function tableHierarchy(name: string, rows: readonly (readonly string[])[], levelNames?: readonly string[]): Hierarchy {
  const width = rows[0]?.length ?? 1;
  const byValue = new Map<string, readonly string[]>();
  for (const row of rows) {
    if (row.length !== width) throw new Error(`hierarchy ${name}: every row needs ${width} labels ('${row[0]}' has ${row.length})`);
    const value = row[0] as string;
    if (byValue.has(value)) throw new Error(`hierarchy ${name}: '${value}' is listed twice`);
    byValue.set(value, Object.freeze([...row]));
  }
  for (let level = 1; level < width - 1; level++) {
    const parent = new Map<string, string>();
    for (const row of byValue.values()) {
      const label = row[level] as string;
      const up = row[level + 1] as string;
      const seen = parent.get(label);
      if (seen !== undefined && seen !== up) {
        throw new Error(`hierarchy ${name}: '${label}' (level ${level}) generalises to both '${seen}' and '${up}'`);
      }
      parent.set(label, up);
    }
  }
  const names = levelNames ?? Array.from({ length: width }, (_, i) => (i === 0 ? 'value' : i === width - 1 ? ANY : `level_${i}`));
  if (names.length !== width) throw new Error(`hierarchy ${name}: ${width} levels but ${names.length} level names`);
  return defineHierarchy({
    name,
    levelNames: names,
    generalise: (value, level) => {
      if (level === 0) return value;
      const row = byValue.get(value);
      return row === undefined ? ANY : (row[level] ?? ANY);
    },
  });
}

/** The values a table hierarchy lists (its level-0 domain), for checking generated data. */
export function tableDomain(rows: readonly (readonly string[])[]): string[] {
  return rows.map((r) => r[0] as string);
}

export interface IntervalOptions {
  /** Level names; default ['value', '<w>', ..., '*']. */
  levelNames?: readonly string[];
  /**
   * Integer labels `20-24` (default) or half-open intervals `[20,25)` for real numbers. Integer
   * labels floor the value first.
   */
  integer?: boolean;
}

/**
 * Numbers to ranges: level i (1 ≤ i ≤ widths.length) is the interval of width `widths[i-1]`
 * aligned at 0 that holds the value; the last level is `*`. Each width must be a multiple of
 * the one before (so the intervals nest). Values that are not numbers are `*` above level 0.
 * `intervalHierarchy('age', [5, 10, 20])`: 37 → 35-39 → 30-39 → 20-39 → *.
 */
export function intervalHierarchy(name: string, widths: readonly number[], options: IntervalOptions = {}): Hierarchy {
  const integer = options.integer ?? true;
  widths.forEach((w, i) => {
    if (!(w > 0) || !Number.isFinite(w)) throw new Error(`hierarchy ${name}: widths must be positive numbers`);
    const prev = widths[i - 1];
    if (prev !== undefined && Math.abs(w / prev - Math.round(w / prev)) > 1e-9) {
      throw new Error(`hierarchy ${name}: width ${w} is not a multiple of ${prev} (intervals must nest)`);
    }
  });
  const levelNames = options.levelNames ?? ['value', ...widths.map(String), ANY];
  if (levelNames.length !== widths.length + 2) throw new Error(`hierarchy ${name}: ${widths.length + 2} levels need as many level names`);
  const top = widths.length + 1;
  return defineHierarchy({
    name,
    levelNames,
    generalise: (value, level) => {
      const v = value.trim();
      if (level === 0) return v;
      if (level >= top) return ANY;
      const n = v === '' ? NaN : Number(v);
      if (!Number.isFinite(n)) return ANY;
      const w = widths[level - 1] as number;
      if (integer) {
        const lo = Math.floor(Math.floor(n) / w) * w;
        return `${lo}-${lo + w - 1}`;
      }
      const lo = Math.floor(n / w) * w;
      return `[${lo},${lo + w})`;
    },
  });
}

/** Ages: exact → 5-year bands → 10-year → 20-year → *. */
export const ageHierarchy: Hierarchy = intervalHierarchy('age', [5, 10, 20], {
  levelNames: ['age', '5_years', '10_years', '20_years', ANY],
});

const CANONICAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Dates (any format the date PI type reads): 1990-05-17 → 1990-05 → 1990 → 1990-1999 → *. */
export const dateHierarchy: Hierarchy = defineHierarchy({
  name: 'date',
  levelNames: ['date', 'month', 'year', 'decade', ANY],
  generalise: (value, level) => {
    const n = dateType.normalize(value);
    if (level === 0) return n;
    if (level >= 4) return ANY;
    const m = CANONICAL_DATE.exec(n);
    if (m === null || !dateType.validateNormalized(n).valid) return ANY;
    const y = m[1] as string;
    if (level === 1) return `${y}-${m[2]}`;
    if (level === 2) return y;
    const decade = Number(y) - (Number(y) % 10);
    return `${decade}-${decade + 9}`;
  },
});

/** Where an address or city name is: province and city when recognised. */
export interface PlaceInfo {
  readonly province?: ChinaProvince;
  /** City label including its province, e.g. '广东省深圳市' (for municipalities and SARs, the province name). */
  readonly city?: string;
}

/**
 * Reads the province and city at the start of an address or place name. The province comes
 * from the text (`matchProvincePrefix`) or, without one, from a listed city written with its
 * suffix (`深圳市...`); the city from the listed cities (also without `市` after a province:
 * `广东深圳...`) or from the address text up to its first 市/州/盟/地区.
 */
export function parsePlace(value: string): PlaceInfo {
  const n = addressType.normalize(value);
  const pm = matchProvincePrefix(n);
  if (pm !== undefined) {
    const province = pm.province;
    if (province.isCity) return { province, city: province.zh };
    const rest = n.slice(pm.name.length);
    const listed = matchCityPrefix(rest, province.code);
    if (listed !== undefined) return { province, city: province.zh + listed.city.name };
    const cityPart = addressRegionPrefix(n).slice(pm.name.length);
    return cityPart.length > 0 ? { province, city: province.zh + cityPart } : { province };
  }
  const listed = matchCityPrefix(n);
  if (listed !== undefined && n.startsWith(listed.city.name)) {
    const province = provinceOfCity(listed.city);
    return { province, city: province.zh + listed.city.name };
  }
  return {};
}

function placeLevel(info: PlaceInfo, level: 'city' | 'province' | 'region'): string {
  const p = info.province;
  if (p === undefined) return ANY;
  if (level === 'province') return p.zh;
  if (level === 'region') return regionOfProvince(p.code) ?? ANY;
  return info.city ?? `${p.zh}${ANY}`;
}

/**
 * Chinese postal addresses: 广东省深圳市南山区科技园路1号 → 广东省深圳市 → 广东省 → 华南 → *.
 * An address whose province is known but not its city is `广东省*` at the city level; one with
 * neither (an unlisted city without a province, a foreign address) is `*` above level 0.
 */
export const chinaAddressHierarchy: Hierarchy = defineHierarchy({
  name: 'cn_address',
  levelNames: ['address', 'city', 'province', 'region', ANY],
  generalise: (value, level) => {
    if (level === 0) return addressType.normalize(value);
    if (level >= 4) return ANY;
    return placeLevel(parsePlace(value), level === 1 ? 'city' : level === 2 ? 'province' : 'region');
  },
});

/** Chinese cities or provinces (`深圳市`, `广东省深圳市`, `北京`): city → province → region → *. */
export const chinaCityHierarchy: Hierarchy = defineHierarchy({
  name: 'cn_city',
  levelNames: ['city', 'province', 'region', ANY],
  generalise: (value, level) => {
    if (level === 0) return addressType.normalize(value);
    if (level >= 3) return ANY;
    return placeLevel(parsePlace(value), level === 1 ? 'province' : 'region');
  },
});

/**
 * Resident ID numbers: 440305199005171234 → 440305/1990 (region code and birth year) →
 * 广东省/1990-1999 (province and birth decade) → *. Invalid numbers are `*` above level 0.
 */
export const residentIdHierarchy: Hierarchy = defineHierarchy({
  name: 'cn_resident_id',
  levelNames: ['resident_id', 'region_birth_year', 'province_birth_decade', ANY],
  generalise: (value, level) => {
    if (level === 0) return residentIdType.normalize(value);
    const info = level >= 3 ? null : parseResidentId(value);
    if (info === null) return ANY;
    const year = Number(info.birthDate.slice(0, 4));
    if (level === 1) return `${info.regionCode}/${year}`;
    const decade = year - (year % 10);
    return `${getProvince(info.provinceCode)?.zh ?? info.provinceCode}/${decade}-${decade + 9}`;
  },
});

/** A one-level hierarchy: the value (after `transform`) and nothing above it. */
export function flatHierarchy(name: string, transform: (value: string) => string = (v) => v): Hierarchy {
  return defineHierarchy({ name, levelNames: ['value'], generalise: (value) => transform(value) });
}

/** The hierarchies a dataset spec can name without supplying its own. */
export const builtinHierarchies: Readonly<Record<string, Hierarchy>> = Object.freeze({
  date: dateHierarchy,
  age: ageHierarchy,
  cn_address: chinaAddressHierarchy,
  cn_city: chinaCityHierarchy,
  cn_resident_id: residentIdHierarchy,
});
