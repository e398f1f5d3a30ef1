/**
 * k-anonymity and distinct l-diversity with record suppression, and the search for the
 * generalisation with the least information loss that meets them (P5.3), as pure functions.
 *
 * Model (full-domain generalisation, as in ARX): every quasi-identifier (QI) has a hierarchy; a
 * *node* of the generalisation lattice is a vector of levels, one per QI. At a node, records
 * with equal generalised QI values form an *equivalence class*. A class *fails* when it has
 * fewer than k records or (with l) fewer than l distinct values of some sensitive attribute;
 * the records of failing classes are suppressed (left out of the release). A node *satisfies*
 * the privacy model when the suppressed records are at most `floor(maxSuppression × records)`.
 *
 * Satisfaction is monotone: moving up a hierarchy only merges classes, and a merged class
 * fails only if all its parts failed, so if a node satisfies the model all its successors do,
 * and if it does not none of its predecessors do.
 *
 * Information loss (the metric minimised): the weighted mean of the normalised generalisation
 * levels, Σ wᵢ·levelᵢ/topᵢ / Σ wᵢ (topᵢ = the top level of QI i; QIs with one level do not
 * count). This is Sweeney's Precision loss (1 − Prec), ARX's "height-based" loss. It does not
 * depend on the data and rises strictly along every lattice edge, so the optimum is a minimal
 * satisfying node. Ties are broken by the lexicographically smallest level vector, so both
 * searches return the same node. Suppressed records are limited by the model, not by the metric.
 *
 * Evaluation: values are dictionary-encoded once (`encodeDataset`), each QI's hierarchy is
 * precomputed as integer tables per level, and the rows are grouped into distinct tuples.
 * A node's classes are computed by *rolling up* the classes of an already evaluated node below
 * it (or the distinct tuples), keyed by a mixed-radix integer (a direct-indexed table when the
 * key space is small, an open-addressing hash on float keys below 2^53, string keys beyond).
 */
import type { Hierarchy } from './hierarchies.js';

/** A record as read by the search: field → value. Numbers are read as their decimal string. */
export type DataRecord = Readonly<Record<string, string | number | null | undefined>>;

export interface QuasiIdentifierInput {
  readonly field: string;
  readonly hierarchy: Hierarchy;
  /** Lowest level the search may choose (default 0). */
  readonly minLevel?: number;
  /** Highest level the search may choose (default the hierarchy's top). */
  readonly maxLevel?: number;
  /** Weight in the information loss (default 1; must be > 0). */
  readonly weight?: number;
}

export interface PrivacyModelInput {
  /** Minimum equivalence class size (k-anonymity). */
  readonly k: number;
  /** Minimum distinct values of each sensitive attribute per class (distinct l-diversity). */
  readonly l?: number;
  /** Largest fraction of records that may be suppressed (0..1). */
  readonly maxSuppression: number;
}

/** One QI of an encoded dataset. */
export interface EncodedQuasiIdentifier {
  readonly field: string;
  readonly hierarchy: string;
  readonly levels: number;
  readonly levelNames: readonly string[];
  readonly minLevel: number;
  readonly maxLevel: number;
  readonly weight: number;
  /** Distinct labels at each level: `labels[level][id]`. */
  readonly labels: readonly (readonly string[])[];
}

/** A distinct-tuple table, column-major: `n` items, each with one id per QI (and per sensitive attribute) and a count. */
class Snapshot {
  private _cols: readonly Int32Array[] | null;
  private _sens: readonly Int32Array[] | null;
  private from: { data: EncodedDataset; src: Snapshot; rep: Int32Array } | null;

  /**
   * @param cols per QI, the item's label id at `levels[i]` (null: derived on first use from
   *   `from`, the snapshot it was grouped from and each item's first source item; most
   *   evaluated nodes are never rolled up from, so most never pay for their columns)
   * @param counts records per item; null when every item is one record
   * @param hasSens whether items carry sensitive value ids (per attribute)
   */
  constructor(
    readonly levels: Int32Array,
    readonly n: number,
    readonly counts: Int32Array | null,
    readonly hasSens: boolean,
    cols: readonly Int32Array[] | null,
    sens: readonly Int32Array[] | null,
    from: { data: EncodedDataset; src: Snapshot; rep: Int32Array } | null,
  ) {
    this._cols = cols;
    this._sens = sens;
    this.from = from;
  }

  get cols(): readonly Int32Array[] {
    if (this._cols === null) this.materialise();
    return this._cols as readonly Int32Array[];
  }

  get sens(): readonly Int32Array[] | null {
    if (!this.hasSens) return null;
    if (this._sens === null) this.materialise();
    return this._sens;
  }

  private materialise(): void {
    const f = this.from as { data: EncodedDataset; src: Snapshot; rep: Int32Array };
    const { data, src, rep } = f;
    const m = this.n;
    const srcCols = src.cols;
    const cols: Int32Array[] = [];
    for (let i = 0; i < srcCols.length; i++) {
      const map = levelMap(data, i, src.levels[i] as number, this.levels[i] as number);
      const from = srcCols[i] as Int32Array;
      const col = new Int32Array(m);
      for (let c = 0; c < m; c++) col[c] = map[from[rep[c]!]!]!;
      cols.push(col);
    }
    this._cols = cols;
    if (this.hasSens) {
      this._sens = (src.sens as readonly Int32Array[]).map((from) => {
        const col = new Int32Array(m);
        for (let c = 0; c < m; c++) col[c] = from[rep[c]!]!;
        return col;
      });
    }
    this.from = null;
  }
}

/**
 * A dataset prepared for measurement and search: built once by {@link encodeDataset} and reused
 * by every call. Holds integer codes only, plus the labels needed to report results.
 */
export interface EncodedDataset {
  readonly records: number;
  readonly qis: readonly EncodedQuasiIdentifier[];
  readonly sensitive: readonly string[];
  /** @internal per QI, each row's level-0 label id. */
  readonly rowCols: readonly Int32Array[];
  /** @internal per sensitive attribute, each row's value id. */
  readonly rowSens: readonly Int32Array[];
  /** @internal distinct sensitive values per attribute. */
  readonly sensSizes: Int32Array;
  /** @internal `sizes[i][level]`: distinct labels of QI i at a level. */
  readonly sizes: readonly Int32Array[];
  /** @internal `up[i][a][b]`: label id at level a → label id at level b (a ≤ b). */
  readonly up: readonly (readonly (readonly Int32Array[])[])[];
}

/** The measurement of one node against a privacy model. */
export interface NodeAssessment {
  /** Level per QI, in the dataset's QI order. */
  readonly levels: number[];
  /** The same levels by field name. */
  readonly levelsByField: Record<string, number>;
  readonly satisfied: boolean;
  /** Information loss, 0 (nothing generalised) to 1 (everything at the top). */
  readonly loss: number;
  readonly records: number;
  /** Equivalence classes before suppression. */
  readonly classes: number;
  readonly suppressedRecords: number;
  readonly suppressedClasses: number;
  /** The suppression limit in records: floor(maxSuppression × records). */
  readonly maxSuppressedRecords: number;
  readonly releasedRecords: number;
  /** Smallest released class (the k achieved); null when nothing is released. */
  readonly k: number | null;
  /** Smallest number of distinct values of a sensitive attribute in a released class; null without sensitive attributes or release. */
  readonly l: number | null;
  /** Prosecutor re-identification risk of the release: highest (1/k) and average (classes / records). */
  readonly risk: { readonly highest: number; readonly average: number };
}

export interface SearchStats {
  readonly algorithm: 'flash' | 'exhaustive';
  /** Nodes in the searched lattice. */
  readonly latticeSize: number;
  /** Nodes evaluated against the data. */
  readonly checked: number;
  /** Evaluated nodes rolled up from the classes of a node below them (the rest from the distinct tuples). */
  readonly rolledUp: number;
  /** Intermediate nodes built so that several evaluations share one roll-up (not counted as checked). */
  readonly intermediates: number;
  /** Distinct tuples of the data (the bottom of every roll-up). */
  readonly distinctTuples: number;
  /** Tuples or classes read by all evaluations together. */
  readonly itemsRead: number;
  /** Wall time of the search in milliseconds (the dataset already encoded). */
  readonly ms: number;
}

export interface SearchResult {
  /** The satisfying node with the least information loss, or null when no node satisfies the model. */
  readonly optimum: NodeAssessment | null;
  readonly stats: SearchStats;
}

export interface SearchOptions {
  /** Evaluated class tables kept for roll-ups, in items (default 4,000,000). */
  readonly cacheItems?: number;
  /** Largest lattice searched (default 2,000,000 nodes). */
  readonly maxLatticeSize?: number;
}

const EMPTY = new Int32Array(0);
const TWO_32 = 4294967296;
const MAX_EXACT = 2 ** 53;
/** Key spaces up to this size use a direct-indexed table instead of hashing. */
const DIRECT_LIMIT = 1 << 18;
/** Key spaces up to this size use 32-bit integer keys. */
const INT_KEYS = 2 ** 31 - 1;
/** Roll-ups from snapshots larger than this go through an intermediate node. */
const LADDER_MIN_ITEMS = 2048;
/** Losses are compared after rounding to this grid, so equal losses compare equal. */
const LOSS_GRID = 1e12;

function valueString(v: string | number | null | undefined): string {
  return v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v);
}

function checkModel(model: PrivacyModelInput, data?: EncodedDataset): void {
  if (data !== undefined && model.l !== undefined && model.l > 1 && data.sensitive.length === 0) {
    throw new Error('l-diversity needs at least one sensitive attribute (encodeDataset options.sensitive)');
  }
  if (!Number.isInteger(model.k) || model.k < 1) throw new Error('k must be an integer >= 1');
  if (model.l !== undefined && (!Number.isInteger(model.l) || model.l < 1)) throw new Error('l must be an integer >= 1');
  if (!(model.maxSuppression >= 0 && model.maxSuppression <= 1)) throw new Error('maxSuppression must be between 0 and 1');
}

/**
 * Encodes records for measurement and search: the QI values through their hierarchies at every
 * level, and the sensitive attributes' values as given. Missing values count as ''. Throws when a
 * hierarchy is not functional on the data or a level bound is out of range.
 */
export function encodeDataset(
  records: readonly DataRecord[],
  qis: readonly QuasiIdentifierInput[],
  options: { sensitive?: readonly string[] } = {},
): EncodedDataset {
  const n = records.length;
  const sensitive = [...(options.sensitive ?? [])];
  const s = sensitive.length;
  const rowCols: Int32Array[] = [];
  const rowSens: Int32Array[] = [];
  const sizes: Int32Array[] = [];
  const up: Int32Array[][][] = [];
  const encoded: EncodedQuasiIdentifier[] = [];
  const seen = new Set<string>();
  for (const qi of qis) {
    if (seen.has(qi.field)) throw new Error(`quasi-identifier ${qi.field} is listed twice`);
    seen.add(qi.field);
    const h = qi.hierarchy;
    const L = h.levels;
    const minLevel = qi.minLevel ?? 0;
    const maxLevel = qi.maxLevel ?? L - 1;
    if (!(Number.isInteger(minLevel) && Number.isInteger(maxLevel) && minLevel >= 0 && minLevel <= maxLevel && maxLevel < L)) {
      throw new Error(`quasi-identifier ${qi.field}: levels ${minLevel}..${maxLevel} are outside 0..${L - 1} of hierarchy ${h.name}`);
    }
    const weight = qi.weight ?? 1;
    if (!(weight > 0 && Number.isFinite(weight))) throw new Error(`quasi-identifier ${qi.field}: weight must be > 0`);
    // Raw distinct values.
    const rawIndex = new Map<string, number>();
    const raw: string[] = [];
    const rawOfRow = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const v = valueString((records[r] as DataRecord)[qi.field]);
      let id = rawIndex.get(v);
      if (id === undefined) {
        id = raw.length;
        rawIndex.set(v, id);
        raw.push(v);
      }
      rawOfRow[r] = id;
    }
    // Labels per level, interned.
    const gen: Int32Array[] = [];
    const labels: string[][] = [];
    const levelSizes = new Int32Array(L);
    for (let lv = 0; lv < L; lv++) {
      const index = new Map<string, number>();
      const names: string[] = [];
      const g = new Int32Array(raw.length);
      for (let x = 0; x < raw.length; x++) {
        const label = h.generalise(raw[x] as string, lv);
        let id = index.get(label);
        if (id === undefined) {
          id = names.length;
          index.set(label, id);
          names.push(label);
        }
        g[x] = id;
      }
      gen.push(g);
      labels.push(names);
      levelSizes[lv] = names.length;
    }
    // Parent tables (checks that the hierarchy is functional), then level-to-level maps.
    const parents: Int32Array[] = [];
    for (let lv = 0; lv + 1 < L; lv++) {
      const parent = new Int32Array(levelSizes[lv] as number).fill(-1);
      const a = gen[lv] as Int32Array;
      const b = gen[lv + 1] as Int32Array;
      for (let x = 0; x < raw.length; x++) {
        const from = a[x] as number;
        const to = b[x] as number;
        const p = parent[from] as number;
        if (p === -1) parent[from] = to;
        else if (p !== to) {
          const names = labels as string[][];
          throw new Error(
            `hierarchy ${h.name} is not functional on ${qi.field}: '${names[lv]?.[from]}' (level ${lv}) generalises to both '${names[lv + 1]?.[p]}' and '${names[lv + 1]?.[to]}'`,
          );
        }
      }
      parents.push(parent);
    }
    const maps: Int32Array[][] = [];
    for (let a = 0; a < L; a++) {
      const row: Int32Array[] = [];
      const identity = new Int32Array(levelSizes[a] as number);
      for (let x = 0; x < identity.length; x++) identity[x] = x;
      row[a] = identity;
      for (let b = a + 1; b < L; b++) {
        const prev = row[b - 1] as Int32Array;
        const parent = parents[b - 1] as Int32Array;
        const m = new Int32Array(prev.length);
        for (let x = 0; x < prev.length; x++) m[x] = parent[prev[x] as number] as number;
        row[b] = m;
      }
      maps.push(row);
    }
    const g0 = gen[0] as Int32Array;
    const col = new Int32Array(n);
    for (let r = 0; r < n; r++) col[r] = g0[rawOfRow[r] as number] as number;
    rowCols.push(col);
    sizes.push(levelSizes);
    up.push(maps);
    encoded.push(
      Object.freeze({
        field: qi.field,
        hierarchy: h.name,
        levels: L,
        levelNames: h.levelNames,
        minLevel,
        maxLevel,
        weight,
        labels: labels.map((l) => Object.freeze(l)),
      }),
    );
  }
  const sensSizes = new Int32Array(s);
  sensitive.forEach((field, a) => {
    const index = new Map<string, number>();
    const col = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const v = valueString((records[r] as DataRecord)[field]);
      let id = index.get(v);
      if (id === undefined) {
        id = index.size;
        index.set(v, id);
      }
      col[r] = id;
    }
    rowSens.push(col);
    sensSizes[a] = index.size;
  });
  return Object.freeze({
    records: n,
    qis: Object.freeze(encoded),
    sensitive: Object.freeze(sensitive),
    rowCols,
    rowSens,
    sensSizes,
    sizes,
    up,
  });
}

/** Information loss of a level vector (see the file comment). */
export function informationLoss(data: EncodedDataset, levels: readonly number[]): number {
  let sum = 0;
  let weights = 0;
  data.qis.forEach((qi, i) => {
    const top = qi.levels - 1;
    if (top <= 0) return;
    sum += (qi.weight * (levels[i] ?? 0)) / top;
    weights += qi.weight;
  });
  return weights === 0 ? 0 : sum / weights;
}

/** Reusable scratch memory for grouping. */
class Scratch {
  private direct: Int32Array = EMPTY;
  private hashKeys = new Float64Array(0);
  private hashVals: Int32Array = EMPTY;
  private keyBuf = new Float64Array(0);

  directTable(size: number): Int32Array {
    if (this.direct.length < size) this.direct = new Int32Array(Math.max(size, 1024));
    return this.direct;
  }

  hash(cap: number): { keys: Float64Array; vals: Int32Array } {
    if (this.hashVals.length < cap) {
      this.hashKeys = new Float64Array(cap);
      this.hashVals = new Int32Array(cap);
    } else {
      this.hashVals.fill(0, 0, cap);
    }
    return { keys: this.hashKeys, vals: this.hashVals };
  }

  private intKeyBuf: Int32Array = EMPTY;
  private intHashKeys: Int32Array = EMPTY;
  private intHashVals: Int32Array = EMPTY;

  intKeys(n: number): Int32Array {
    if (this.intKeyBuf.length < n) this.intKeyBuf = new Int32Array(Math.max(n, 1024));
    return this.intKeyBuf;
  }

  intHash(cap: number): { keys: Int32Array; vals: Int32Array } {
    if (this.intHashVals.length < cap) {
      this.intHashKeys = new Int32Array(cap);
      this.intHashVals = new Int32Array(cap);
    } else {
      this.intHashVals.fill(0, 0, cap);
    }
    return { keys: this.intHashKeys, vals: this.intHashVals };
  }

  keys(n: number): Float64Array {
    if (this.keyBuf.length < n) this.keyBuf = new Float64Array(Math.max(n, 1024));
    return this.keyBuf;
  }
}

interface Grouped {
  n: number;
  /** Per group, the first source item in it. */
  rep: Int32Array;
  counts: Int32Array;
}

function hashSlot(key: number, mask: number): number {
  let h = Math.imul((key >>> 0) ^ Math.imul((key / TWO_32) | 0, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & mask;
}

function levelMap(data: EncodedDataset, i: number, from: number, to: number): Int32Array {
  return data.up[i]?.[from]?.[to] as Int32Array;
}

/**
 * Groups the items of `src` by their labels at `target` (and their sensitive ids when
 * `withSens`): a mixed-radix key per item, built one column at a time, then counted in a
 * direct-indexed table (small key spaces), an open-addressing hash (keys below 2^53) or a Map
 * of string keys. Fills `classOf` (item → group) when given.
 */
function group(
  data: EncodedDataset,
  scratch: Scratch,
  src: Snapshot,
  target: Int32Array,
  withSens: boolean,
  classOf: Int32Array | null,
): Grouped {
  const q = data.qis.length;
  const n = src.n;
  const sens = withSens ? src.sens : null;
  const counts = new Int32Array(n);
  const rep = new Int32Array(n);
  const srcCounts = src.counts;
  let product = 1;
  for (let i = 0; i < q; i++) product *= (data.sizes[i] as Int32Array)[target[i] as number] as number;
  if (sens !== null) for (let a = 0; a < sens.length; a++) product *= data.sensSizes[a] as number;
  let m = 0;
  if (product >= MAX_EXACT) {
    // Key space beyond 2^53: string keys.
    const index = new Map<string, number>();
    const maps = Array.from({ length: q }, (_, i) => levelMap(data, i, src.levels[i] as number, target[i] as number));
    for (let j = 0; j < n; j++) {
      let key = '';
      for (let i = 0; i < q; i++) key += `${(maps[i] as Int32Array)[(src.cols[i] as Int32Array)[j] as number]},`;
      if (sens !== null) for (const col of sens) key += `${col[j]},`;
      let c = index.get(key);
      if (c === undefined) {
        c = m++;
        index.set(key, c);
        rep[c] = j;
      }
      counts[c]! += srcCounts === null ? 1 : srcCounts[j]!;
      if (classOf !== null) classOf[j] = c;
    }
    return { n: m, rep, counts };
  }
  if (product <= INT_KEYS) return groupIntKeys(data, scratch, src, target, sens, classOf, product, counts, rep);
  // Mixed-radix keys below 2^53, one column at a time, in doubles.
  const keys = scratch.keys(n);
  let stride = 1;
  for (let i = 0; i < q; i++) {
    const map = levelMap(data, i, src.levels[i] as number, target[i] as number);
    const col = src.cols[i] as Int32Array;
    if (i === 0) for (let j = 0; j < n; j++) keys[j] = map[col[j]!]!;
    else for (let j = 0; j < n; j++) keys[j]! += map[col[j]!]! * stride;
    stride *= (data.sizes[i] as Int32Array)[target[i] as number] as number;
  }
  if (sens !== null) {
    for (let a = 0; a < sens.length; a++) {
      const col = sens[a] as Int32Array;
      for (let j = 0; j < n; j++) keys[j]! += col[j]! * stride;
      stride *= data.sensSizes[a] as number;
    }
  }
  let cap = 1024;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  const { keys: hk, vals } = scratch.hash(cap);
  for (let j = 0; j < n; j++) {
    const key = keys[j]!;
    let slot = hashSlot(key, mask);
    let c: number;
    for (;;) {
      c = vals[slot]!;
      if (c === 0) {
        c = ++m;
        vals[slot] = c;
        hk[slot] = key;
        rep[c - 1] = j;
        break;
      }
      if (hk[slot] === key) break;
      slot = (slot + 1) & mask;
    }
    counts[c - 1]! += srcCounts === null ? 1 : srcCounts[j]!;
    if (classOf !== null) classOf[j] = c - 1;
  }
  return { n: m, rep, counts };
}

/** `group` for key spaces below 2^31: integer keys, a direct-indexed table or an integer hash. */
function groupIntKeys(
  data: EncodedDataset,
  scratch: Scratch,
  src: Snapshot,
  target: Int32Array,
  sens: readonly Int32Array[] | null,
  classOf: Int32Array | null,
  product: number,
  counts: Int32Array,
  rep: Int32Array,
): Grouped {
  const q = data.qis.length;
  const n = src.n;
  const srcCounts = src.counts;
  const keys = scratch.intKeys(n);
  keys.fill(0, 0, n);
  let stride = 1;
  for (let i = 0; i < q; i++) {
    const map = levelMap(data, i, src.levels[i] as number, target[i] as number);
    const col = src.cols[i] as Int32Array;
    const size = (data.sizes[i] as Int32Array)[target[i] as number] as number;
    if (size > 1) for (let j = 0; j < n; j++) keys[j] = keys[j]! + map[col[j]!]! * stride;
    stride *= size;
  }
  if (sens !== null) {
    for (let a = 0; a < sens.length; a++) {
      const col = sens[a] as Int32Array;
      for (let j = 0; j < n; j++) keys[j] = keys[j]! + col[j]! * stride;
      stride *= data.sensSizes[a] as number;
    }
  }
  let m = 0;
  if (product <= DIRECT_LIMIT) {
    const table = scratch.directTable(product);
    for (let j = 0; j < n; j++) {
      const key = keys[j]!;
      let c = table[key]!;
      if (c === 0) {
        c = ++m;
        table[key] = c;
        rep[c - 1] = j;
      }
      counts[c - 1]! += srcCounts === null ? 1 : srcCounts[j]!;
      if (classOf !== null) classOf[j] = c - 1;
    }
    for (let c = 0; c < m; c++) table[keys[rep[c]!]!] = 0;
    return { n: m, rep, counts };
  }
  let cap = 1024;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  const { keys: hk, vals } = scratch.intHash(cap);
  for (let j = 0; j < n; j++) {
    const key = keys[j]!;
    let h = Math.imul(key, 0x9e3779b1);
    h ^= h >>> 16;
    let slot = h & mask;
    let c: number;
    for (;;) {
      c = vals[slot]!;
      if (c === 0) {
        c = ++m;
        vals[slot] = c;
        hk[slot] = key;
        rep[c - 1] = j;
        break;
      }
      if (hk[slot] === key) break;
      slot = (slot + 1) & mask;
    }
    counts[c - 1]! += srcCounts === null ? 1 : srcCounts[j]!;
    if (classOf !== null) classOf[j] = c - 1;
  }
  return { n: m, rep, counts };
}

/** The snapshot of `target` from the groups of `src` (its columns are derived when first needed). */
function toSnapshot(data: EncodedDataset, g: Grouped, src: Snapshot, target: Int32Array, withSens: boolean): Snapshot {
  const m = g.n;
  return new Snapshot(target.slice(), m, g.counts.slice(0, m), withSens && src.hasSens, null, null, { data, src, rep: g.rep.slice(0, m) });
}

interface Measure {
  classes: number;
  suppressedRecords: number;
  suppressedClasses: number;
  releasedClasses: number;
  k: number | null;
  l: number | null;
  satisfied: boolean;
}

/** Distinct values of each sensitive attribute per class: the smallest over the attributes. */
function distinctPerClass(
  classes: number,
  classOf: Int32Array,
  items: number,
  sens: readonly Int32Array[],
  sensSizes: Int32Array,
): Int32Array {
  const out = new Int32Array(classes).fill(2147483647);
  sens.forEach((col, a) => {
    const d = new Int32Array(classes);
    const seen = new Set<number>();
    const size = sensSizes[a] as number;
    for (let j = 0; j < items; j++) {
      const c = classOf[j]!;
      const key = c * size + col[j]!;
      if (!seen.has(key)) {
        seen.add(key);
        d[c]!++;
      }
    }
    for (let c = 0; c < classes; c++) if (d[c]! < out[c]!) out[c] = d[c]!;
  });
  return out;
}

/** k, l and suppression over classes of the given sizes (and distinct sensitive counts). */
function judge(sizes: Int32Array, classes: number, distinct: Int32Array | null, model: PrivacyModelInput, limit: number): Measure {
  const k = model.k;
  const l = model.l ?? 1;
  let suppressedRecords = 0;
  let suppressedClasses = 0;
  let minK = Infinity;
  let minL = Infinity;
  for (let c = 0; c < classes; c++) {
    const size = sizes[c]!;
    const dl = distinct === null ? Infinity : distinct[c]!;
    if (size < k || dl < l) {
      suppressedRecords += size;
      suppressedClasses++;
    } else {
      if (size < minK) minK = size;
      if (dl < minL) minL = dl;
    }
  }
  return {
    classes,
    suppressedRecords,
    suppressedClasses,
    releasedClasses: classes - suppressedClasses,
    k: minK === Infinity ? null : minK,
    l: minL === Infinity ? null : minL,
    satisfied: suppressedRecords <= limit,
  };
}

/** Measures a snapshot: its items are the classes, or (with sensitive ids) are grouped into them. */
function measure(data: EncodedDataset, scratch: Scratch, snap: Snapshot, model: PrivacyModelInput, limit: number): Measure {
  if (!snap.hasSens) return judge(snap.counts ?? new Int32Array(snap.n).fill(1), snap.n, null, model, limit);
  const classOf = new Int32Array(snap.n);
  const g = group(data, scratch, snap, snap.levels, false, classOf);
  let distinct: Int32Array;
  const sens = snap.sens as readonly Int32Array[];
  if (sens.length === 1) {
    // Items are distinct (class, value) pairs: count them per class.
    distinct = new Int32Array(g.n);
    for (let j = 0; j < snap.n; j++) distinct[classOf[j]!]!++;
  } else {
    distinct = distinctPerClass(g.n, classOf, snap.n, sens, data.sensSizes);
  }
  return judge(g.counts, g.n, distinct, model, limit);
}

function suppressionLimit(data: EncodedDataset, model: PrivacyModelInput): number {
  return Math.floor(model.maxSuppression * data.records + 1e-9);
}

function assessment(data: EncodedDataset, levels: readonly number[], m: Measure, model: PrivacyModelInput): NodeAssessment {
  const released = data.records - m.suppressedRecords;
  const levelsByField: Record<string, number> = {};
  data.qis.forEach((qi, i) => (levelsByField[qi.field] = levels[i] ?? 0));
  return {
    levels: [...levels],
    levelsByField,
    satisfied: m.satisfied,
    loss: informationLoss(data, levels),
    records: data.records,
    classes: m.classes,
    suppressedRecords: m.suppressedRecords,
    suppressedClasses: m.suppressedClasses,
    maxSuppressedRecords: suppressionLimit(data, model),
    releasedRecords: released,
    k: m.k,
    l: data.sensitive.length > 0 && model.l !== undefined ? (m.l ?? null) : null,
    risk: {
      highest: m.k === null ? 0 : 1 / m.k,
      average: released === 0 ? 0 : m.releasedClasses / released,
    },
  };
}

function checkLevels(data: EncodedDataset, levels: readonly number[]): Int32Array {
  if (levels.length !== data.qis.length) throw new Error(`expected ${data.qis.length} levels, got ${levels.length}`);
  const t = new Int32Array(levels.length);
  levels.forEach((lv, i) => {
    const qi = data.qis[i] as EncodedQuasiIdentifier;
    if (!Number.isInteger(lv) || lv < 0 || lv >= qi.levels) throw new Error(`level ${lv} of ${qi.field} is outside 0..${qi.levels - 1}`);
    t[i] = lv;
  });
  return t;
}

/** The rows as a snapshot at level 0 (one item per record). */
function rowsSnapshot(data: EncodedDataset): Snapshot {
  return new Snapshot(new Int32Array(data.qis.length), data.records, null, data.rowSens.length > 0, data.rowCols, data.rowSens, null);
}

/** Evaluates nodes, rolling each up from the smallest evaluated node below it that is still cached. */
class Evaluator {
  readonly scratch = new Scratch();
  readonly withSens: boolean;
  readonly limit: number;
  readonly bottom: Snapshot;
  private readonly cache = new Map<number, Snapshot>();
  private cachedItems = 0;
  private readonly codeFactors: number[];
  private readonly rungs: Int32Array[];
  checked = 0;
  rolledUp = 0;
  intermediates = 0;
  itemsRead = 0;

  constructor(
    readonly data: EncodedDataset,
    readonly model: PrivacyModelInput,
    private readonly cacheItems: number,
  ) {
    checkModel(model, data);
    this.withSens = model.l !== undefined && model.l > 1 && data.sensitive.length > 0;
    this.limit = suppressionLimit(data, model);
    const rows = rowsSnapshot(data);
    this.bottom = toSnapshot(data, group(data, this.scratch, rows, rows.levels, this.withSens, null), rows, rows.levels, this.withSens);
    this.rungs = [2, 4].map((d) => Int32Array.from(data.qis, (qi) => Math.floor((qi.levels - 1) / d)));
    this.codeFactors = [];
    let f = 1;
    for (const qi of data.qis) {
      this.codeFactors.push(f);
      f *= qi.levels;
    }
  }

  private code(levels: Int32Array): number {
    let c = 0;
    for (let i = 0; i < levels.length; i++) c += levels[i]! * this.codeFactors[i]!;
    return c;
  }

  private source(levels: Int32Array): Snapshot {
    let best: Snapshot = this.bottom;
    // Direct predecessors first; else any cached node below.
    const code = this.code(levels);
    for (let i = 0; i < levels.length; i++) {
      if (levels[i] === 0) continue;
      const snap = this.cache.get(code - this.codeFactors[i]!);
      if (snap !== undefined && snap.n < best.n) best = snap;
    }
    if (best !== this.bottom) return best;
    for (const snap of this.cache.values()) {
      if (snap.n >= best.n) continue;
      let below = true;
      for (let i = 0; i < levels.length; i++) {
        if (snap.levels[i]! > levels[i]!) {
          below = false;
          break;
        }
      }
      if (below) best = snap;
    }
    return best;
  }

  evaluate(levels: Int32Array): Measure {
    const src = this.sourceFor(levels, 0);
    if (src !== this.bottom) this.rolledUp++;
    this.checked++;
    const snap = this.rollUp(src, levels);
    const m = measure(this.data, this.scratch, snap, this.model, this.limit);
    this.remember(levels, snap);
    return m;
  }

  private rollUp(src: Snapshot, levels: Int32Array): Snapshot {
    this.itemsRead += src.n;
    return toSnapshot(this.data, group(this.data, this.scratch, src, levels, this.withSens, null), src, levels, this.withSens);
  }

  /**
   * The snapshot to roll `levels` up from. When the best cached one is large, an intermediate
   * node between it and `levels` is built first (capped at a rung: half, then a quarter, of
   * each hierarchy's height) and cached, so that later nodes above the rung share it instead of
   * each reading the distinct tuples again.
   */
  private sourceFor(levels: Int32Array, rung: number): Snapshot {
    const src = this.source(levels);
    if (src.n <= LADDER_MIN_ITEMS || this.cacheItems === 0) return src;
    for (let r = rung; r < this.rungs.length; r++) {
      const cap = this.rungs[r] as Int32Array;
      const mid = new Int32Array(levels.length);
      let same = true;
      let atSource = true;
      for (let i = 0; i < levels.length; i++) {
        mid[i] = Math.max(src.levels[i]!, Math.min(levels[i]!, cap[i]!));
        if (mid[i] !== levels[i]) same = false;
        if (mid[i] !== src.levels[i]) atSource = false;
      }
      if (same || atSource) continue;
      const snap = this.rollUp(this.sourceFor(mid, r + 1), mid);
      this.intermediates++;
      this.remember(mid, snap);
      return snap;
    }
    return src;
  }

  private remember(levels: Int32Array, snap: Snapshot): void {
    if (snap.n > this.cacheItems / 4) return;
    this.cache.set(this.code(levels), snap);
    this.cachedItems += snap.n;
    for (const [key, old] of this.cache) {
      if (this.cachedItems <= this.cacheItems) break;
      this.cache.delete(key);
      this.cachedItems -= old.n;
    }
  }
}

/** Measures one node (a level per QI, in the dataset's QI order) against the model. */
export function assessNode(data: EncodedDataset, levels: readonly number[], model: PrivacyModelInput): NodeAssessment {
  const target = checkLevels(data, levels);
  const ev = new Evaluator(data, model, 0);
  return assessment(data, levels, ev.evaluate(target), model);
}

/**
 * Which records a release at `levels` suppresses (1 = suppressed: its class fails k or l),
 * with the assessment. The export applies this to its rows, in the order they were encoded.
 */
export function suppressedRecords(
  data: EncodedDataset,
  levels: readonly number[],
  model: PrivacyModelInput,
): { suppressed: Uint8Array; assessment: NodeAssessment } {
  checkModel(model, data);
  const target = checkLevels(data, levels);
  const n = data.records;
  const classOf = new Int32Array(n);
  const g = group(data, new Scratch(), rowsSnapshot(data), target, false, classOf);
  const useL = model.l !== undefined && model.l > 1 && data.sensitive.length > 0;
  const distinct = useL ? distinctPerClass(g.n, classOf, n, data.rowSens, data.sensSizes) : null;
  const m = judge(g.counts, g.n, distinct, model, suppressionLimit(data, model));
  const l = model.l ?? 1;
  const suppressed = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const c = classOf[r]!;
    if (g.counts[c]! < model.k || (distinct !== null && distinct[c]! < l)) suppressed[r] = 1;
  }
  return { suppressed, assessment: assessment(data, levels, m, model) };
}

/** The searched lattice: levels minLevel..maxLevel per QI; index order = lexicographic order of level vectors. */
class Lattice {
  readonly q: number;
  readonly size: number;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly stride: Float64Array;
  /** Level of QI i at node x: digits[x * q + i]. */
  readonly digits: Uint8Array;
  readonly height: Int32Array;
  /** Information loss rounded to the comparison grid. */
  readonly lossKey: Float64Array;

  constructor(data: EncodedDataset, maxSize: number) {
    const q = (this.q = data.qis.length);
    this.lo = Int32Array.from(data.qis.map((x) => x.minLevel));
    this.hi = Int32Array.from(data.qis.map((x) => x.maxLevel));
    this.stride = new Float64Array(q);
    let size = 1;
    for (let i = q - 1; i >= 0; i--) {
      this.stride[i] = size;
      size *= (this.hi[i] as number) - (this.lo[i] as number) + 1;
    }
    if (size > maxSize) throw new Error(`the generalisation lattice has ${size} nodes, more than the limit of ${maxSize}`);
    this.size = size;
    this.digits = new Uint8Array(size * q);
    this.height = new Int32Array(size);
    this.lossKey = new Float64Array(size);
    const cur = Int32Array.from(this.lo);
    const tops = data.qis.map((x) => x.levels - 1);
    const weights = data.qis.map((x) => x.weight);
    let wsum = 0;
    for (let i = 0; i < q; i++) if ((tops[i] as number) > 0) wsum += weights[i] as number;
    for (let x = 0; x < size; x++) {
      let h = 0;
      let loss = 0;
      for (let i = 0; i < q; i++) {
        const lv = cur[i] as number;
        this.digits[x * q + i] = lv;
        h += lv - (this.lo[i] as number);
        const top = tops[i] as number;
        if (top > 0) loss += ((weights[i] as number) * lv) / top;
      }
      this.height[x] = h;
      this.lossKey[x] = wsum === 0 ? 0 : Math.round((loss / wsum) * LOSS_GRID);
      // Next level vector (last QI fastest).
      for (let i = q - 1; i >= 0; i--) {
        if ((cur[i] as number) < (this.hi[i] as number)) {
          cur[i]!++;
          break;
        }
        cur[i] = this.lo[i] as number;
      }
    }
  }

  levels(x: number): Int32Array {
    return Int32Array.from(this.digits.subarray(x * this.q, (x + 1) * this.q));
  }

  /** True when node a has less loss than b (ties: the smaller level vector). */
  better(a: number, b: number): boolean {
    const la = this.lossKey[a] as number;
    const lb = this.lossKey[b] as number;
    return la < lb || (la === lb && a < b);
  }

  /** Nodes by height, then loss, then index. */
  order(): Int32Array {
    const idx = new Int32Array(this.size);
    for (let x = 0; x < this.size; x++) idx[x] = x;
    const h = this.height;
    const l = this.lossKey;
    idx.sort((a, b) => (h[a] as number) - (h[b] as number) || (l[a] as number) - (l[b] as number) || a - b);
    return idx;
  }

  successors(x: number, out: number[]): number {
    let n = 0;
    const q = this.q;
    for (let i = 0; i < q; i++) if ((this.digits[x * q + i] as number) < (this.hi[i] as number)) out[n++] = x + (this.stride[i] as number);
    return n;
  }

  predecessors(x: number, out: number[]): number {
    let n = 0;
    const q = this.q;
    for (let i = 0; i < q; i++) if ((this.digits[x * q + i] as number) > (this.lo[i] as number)) out[n++] = x - (this.stride[i] as number);
    return n;
  }
}

/** A binary min-heap of node indices under a comparator. */
class NodeHeap {
  private readonly items: number[] = [];
  constructor(private readonly less: (a: number, b: number) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i] as number, a[p] as number)) break;
      [a[i], a[p]] = [a[p] as number, a[i] as number];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0] as number;
    const last = a.pop() as number;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l] as number, a[m] as number)) m = l;
        if (r < a.length && this.less(a[r] as number, a[m] as number)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as number, a[i] as number];
        i = m;
      }
    }
    return top;
  }
}

const SATISFIED = 1;
const NOT_SATISFIED = 2;

function prepare(data: EncodedDataset, model: PrivacyModelInput, options: SearchOptions) {
  const ev = new Evaluator(data, model, options.cacheItems ?? 4_000_000);
  const lattice = new Lattice(data, options.maxLatticeSize ?? 2_000_000);
  return { ev, lattice };
}

function finish(
  algorithm: 'flash' | 'exhaustive',
  data: EncodedDataset,
  model: PrivacyModelInput,
  ev: Evaluator,
  lattice: Lattice,
  best: number,
  bestMeasure: Measure | null,
  t0: number,
): SearchResult {
  const optimum = best < 0 || bestMeasure === null ? null : assessment(data, [...lattice.levels(best)], bestMeasure, model);
  return {
    optimum,
    stats: {
      algorithm,
      latticeSize: lattice.size,
      checked: ev.checked,
      rolledUp: ev.rolledUp,
      intermediates: ev.intermediates,
      distinctTuples: ev.bottom.n,
      itemsRead: ev.itemsRead,
      ms: performance.now() - t0,
    },
  };
}

/**
 * The optimal node by a Flash search (Kohlmayer et al., 2012, as in ARX). The lattice is walked
 * bottom-up, level by level (within a level: least loss first); from each node not yet decided
 * a greedy path is built upwards through untagged successors (least loss first) and searched
 * for the border between failing and satisfying nodes. Each check tags all successors of a
 * satisfying node as satisfying and all predecessors of a failing node as failing (predictive
 * tagging); failing nodes go to a priority queue whose untagged successors start new paths.
 *
 * Two departures from the published Flash, both measured on the Adult benchmark: (1) a path is
 * probed from its top down (its top, then 2, 4, 8 ... steps below, then a binary search in the
 * last gap) instead of from its middle: a failing node high up tags far more predecessors, and
 * satisfying nodes are usually the rarer ones; (2) once a satisfying node is known, nodes with
 * more loss start no path (they cannot be the optimum), though paths may still pass through
 * them, where a failing check tags the most. Every node ends up tagged or out-ranked, and a
 * minimal satisfying node can only be tagged by being checked, so the optimum is among the
 * checked nodes; ties go to the smallest level vector, as in {@link searchExhaustive}.
 */
export function searchOptimal(data: EncodedDataset, model: PrivacyModelInput, options: SearchOptions = {}): SearchResult {
  const t0 = performance.now();
  const { ev, lattice } = prepare(data, model, options);
  const tag = new Uint8Array(lattice.size);
  let best = -1;
  let bestMeasure: Measure | null = null;
  const better = (a: number, b: number) => lattice.better(a, b);
  const skipped = (x: number) => best >= 0 && x !== best && better(best, x);
  const done = (x: number) => tag[x] !== 0 || skipped(x);
  const buf: number[] = [];
  const stack: number[] = [];

  const tagAll = (x: number, value: number, next: (y: number, out: number[]) => number) => {
    stack.push(x);
    while (stack.length > 0) {
      const y = stack.pop() as number;
      if (tag[y] === value) continue;
      tag[y] = value;
      const n = next(y, buf);
      for (let i = 0; i < n; i++) if (tag[buf[i] as number] !== value) stack.push(buf[i] as number);
    }
  };
  const succ = (y: number, out: number[]) => lattice.successors(y, out);
  const pred = (y: number, out: number[]) => lattice.predecessors(y, out);

  const heap = new NodeHeap((a, b) => {
    const ha = lattice.height[a] as number;
    const hb = lattice.height[b] as number;
    return ha < hb || (ha === hb && better(a, b));
  });

  const findPath = (head: number): number[] => {
    const path = [head];
    let cur = head;
    for (;;) {
      const n = lattice.successors(cur, buf);
      let next = -1;
      for (let i = 0; i < n; i++) {
        const y = buf[i] as number;
        if (tag[y] === 0 && (next < 0 || better(y, next))) next = y;
      }
      if (next < 0) return path;
      path.push(next);
      cur = next;
    }
  };

  const checkPath = (path: number[]) => {
    let low = 0;
    let high = path.length - 1;
    let step = 1;
    let probing = true;
    while (low <= high) {
      const mid = probing ? Math.max(low, high - step + 1) : (low + high) >> 1;
      const x = path[mid] as number;
      if (tag[x] === SATISFIED) {
        high = mid - 1;
        step *= 2;
        continue;
      }
      if (tag[x] === NOT_SATISFIED) {
        low = mid + 1;
        probing = false;
        continue;
      }
      const m = ev.evaluate(lattice.levels(x));
      if (m.satisfied) {
        if (best < 0 || better(x, best)) {
          best = x;
          bestMeasure = m;
        }
        tagAll(x, SATISFIED, succ);
        high = mid - 1;
        step *= 2;
      } else {
        tagAll(x, NOT_SATISFIED, pred);
        heap.push(x);
        low = mid + 1;
        probing = false;
      }
    }
  };

  const order = lattice.order();
  const ups: number[] = [];
  for (let o = 0; o < order.length; o++) {
    const start = order[o] as number;
    if (done(start)) continue;
    checkPath(findPath(start));
    while (heap.size > 0) {
      const x = heap.pop();
      const n = lattice.successors(x, ups);
      const list = ups.slice(0, n).sort((a, b) => (better(a, b) ? -1 : 1));
      for (const y of list) if (!done(y)) checkPath(findPath(y));
    }
  }
  return finish('flash', data, model, ev, lattice, best, bestMeasure, t0);
}

/**
 * The optimal node by evaluating every node of the lattice, breadth-first (by height). The
 * baseline of the benchmark and the oracle of the tests: same evaluator, no pruning.
 */
export function searchExhaustive(data: EncodedDataset, model: PrivacyModelInput, options: SearchOptions = {}): SearchResult {
  const t0 = performance.now();
  const { ev, lattice } = prepare(data, model, options);
  let best = -1;
  let bestMeasure: Measure | null = null;
  const order = lattice.order();
  for (let o = 0; o < order.length; o++) {
    const x = order[o] as number;
    const m = ev.evaluate(lattice.levels(x));
    if (m.satisfied && (best < 0 || lattice.better(x, best))) {
      best = x;
      bestMeasure = m;
    }
  }
  return finish('exhaustive', data, model, ev, lattice, best, bestMeasure, t0);
}
