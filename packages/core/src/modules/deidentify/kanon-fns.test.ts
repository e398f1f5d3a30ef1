import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineHierarchy, intervalHierarchy, tableHierarchy, type Hierarchy } from './hierarchies.js';
import {
  assessNode,
  encodeDataset,
  informationLoss,
  searchExhaustive,
  searchOptimal,
  suppressedRecords,
  type DataRecord,
  type PrivacyModelInput,
  type QuasiIdentifierInput,
} from './kanon-fns.js';

/** The test oracle for one node: group the records by their generalised labels with a Map. */
function naive(
  records: readonly DataRecord[],
  qis: readonly QuasiIdentifierInput[],
  levels: readonly number[],
  model: PrivacyModelInput,
  sensitive: string[] = [],
) {
  const classes = new Map<string, { size: number; values: Set<string>[] }>();
  for (const r of records) {
    const key = qis.map((q, i) => q.hierarchy.generalise(String(r[q.field] ?? ''), levels[i] ?? 0)).join('\u0000');
    let c = classes.get(key);
    if (!c) classes.set(key, (c = { size: 0, values: sensitive.map(() => new Set<string>()) }));
    c.size++;
    sensitive.forEach((f, a) => c.values[a]?.add(String(r[f] ?? '')));
  }
  const l = model.l ?? 1;
  let suppressed = 0;
  let k: number | null = null;
  for (const c of classes.values()) {
    const distinct = Math.min(Infinity, ...c.values.map((v) => v.size));
    if (c.size < model.k || (sensitive.length > 0 && distinct < l)) suppressed += c.size;
    else k = k === null ? c.size : Math.min(k, c.size);
  }
  return { classes: classes.size, suppressed, k, satisfied: suppressed <= Math.floor(model.maxSuppression * records.length + 1e-9) };
}

const ageH = intervalHierarchy('age', [10, 20]);
const sexH = tableHierarchy('sex', [
  ['男', '*'],
  ['女', '*'],
]);
const cityH = tableHierarchy('city', [
  ['深圳市', '广东省', '华南', '*'],
  ['广州市', '广东省', '华南', '*'],
  ['杭州市', '浙江省', '华东', '*'],
  ['宁波市', '浙江省', '华东', '*'],
]);

const people: DataRecord[] = [
  { age: 23, sex: '男', city: '深圳市', disease: '流感' },
  { age: 27, sex: '男', city: '广州市', disease: '胃炎' },
  { age: 25, sex: '女', city: '深圳市', disease: '流感' },
  { age: 34, sex: '女', city: '杭州市', disease: '肺炎' },
  { age: 38, sex: '男', city: '宁波市', disease: '肺炎' },
  { age: 31, sex: '女', city: '杭州市', disease: '肺炎' },
  { age: 36, sex: '男', city: '杭州市', disease: '胃炎' },
  { age: 52, sex: '女', city: '广州市', disease: '流感' },
];
const qis: QuasiIdentifierInput[] = [
  { field: 'age', hierarchy: ageH },
  { field: 'sex', hierarchy: sexH },
  { field: 'city', hierarchy: cityH },
];

describe('measurement', () => {
  const data = encodeDataset(people, qis, { sensitive: ['disease'] });

  it('measures k as the smallest class at a node', () => {
    // Nothing generalised: every record is unique.
    expect(assessNode(data, [0, 0, 0], { k: 1, maxSuppression: 0 })).toMatchObject({ classes: 8, k: 1, satisfied: true });
    // age in 20-year bands, sex hidden, province: 20-39/广东 (3), 20-39/浙江 (4), 40-59/广东 (1).
    const a = assessNode(data, [2, 1, 1], { k: 2, maxSuppression: 0 });
    expect(a).toMatchObject({ classes: 3, suppressedRecords: 1, suppressedClasses: 1, satisfied: false, k: 3 });
    expect(a.levelsByField).toEqual({ age: 2, sex: 1, city: 1 });
    // Everything at the top: one class of 8.
    expect(assessNode(data, [3, 1, 3], { k: 8, maxSuppression: 0 })).toMatchObject({
      classes: 1,
      k: 8,
      satisfied: true,
      risk: { highest: 1 / 8 },
    });
  });

  it('counts suppression against the limit', () => {
    // 1 of 8 records must go: allowed at 12.5%, not at 12%.
    expect(assessNode(data, [2, 1, 1], { k: 2, maxSuppression: 0.125 })).toMatchObject({
      satisfied: true,
      maxSuppressedRecords: 1,
      releasedRecords: 7,
    });
    expect(assessNode(data, [2, 1, 1], { k: 2, maxSuppression: 0.12 })).toMatchObject({ satisfied: false, maxSuppressedRecords: 0 });
    const { suppressed } = suppressedRecords(data, [2, 1, 1], { k: 2, maxSuppression: 0.125 });
    expect([...suppressed]).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('measures distinct l-diversity per class', () => {
    // 20-39/浙江: 肺炎 ×3, 胃炎 → 2 distinct; 20-39/广东: 流感, 胃炎, 流感 → 2 distinct.
    const two = assessNode(data, [2, 1, 1], { k: 2, l: 2, maxSuppression: 0.125 });
    expect(two).toMatchObject({ satisfied: true, k: 3, l: 2 });
    // l = 3 fails both big classes.
    const three = assessNode(data, [2, 1, 1], { k: 2, l: 3, maxSuppression: 0.125 });
    expect(three).toMatchObject({ satisfied: false, suppressedRecords: 8, k: null });
    // At the region level, 华东 (4 people: 肺炎, 肺炎, 肺炎, 胃炎) has only 2 distinct diseases.
    expect(naive(people, qis, [3, 1, 2], { k: 2, l: 3, maxSuppression: 0 }, ['disease']).suppressed).toBe(
      assessNode(data, [3, 1, 2], { k: 2, l: 3, maxSuppression: 0 }).suppressedRecords,
    );
    const byRecord = suppressedRecords(data, [2, 1, 1], { k: 2, l: 3, maxSuppression: 1 });
    expect([...byRecord.suppressed]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('uses the height-based loss metric', () => {
    expect(informationLoss(data, [0, 0, 0])).toBe(0);
    expect(informationLoss(data, [3, 1, 3])).toBe(1);
    expect(informationLoss(data, [1, 1, 0])).toBeCloseTo((1 / 3 + 1) / 3, 12);
  });

  it('refuses hierarchies that are not functional and levels out of range', () => {
    const broken = defineHierarchy({
      name: 'broken',
      levelNames: ['v', 'a', 'b'],
      generalise: (v, l) => (l === 0 ? v : l === 1 ? 'x' : v),
    });
    expect(() => encodeDataset([{ f: '1' }, { f: '2' }], [{ field: 'f', hierarchy: broken }])).toThrow(/not functional/);
    expect(() => encodeDataset(people, [{ field: 'age', hierarchy: ageH, maxLevel: 5 }])).toThrow(/outside/);
    expect(() => assessNode(data, [0, 0], { k: 2, maxSuppression: 0 })).toThrow(/expected 3 levels/);
    expect(() => assessNode(data, [0, 0, 0], { k: 0, maxSuppression: 0 })).toThrow(/k must/);
    expect(() => searchOptimal(encodeDataset(people, qis), { k: 2, l: 2, maxSuppression: 0 })).toThrow(/sensitive attribute/);
  });

  it('agrees with the naive grouping on every key path (direct table, integer hash, float hash, string keys)', () => {
    const rand = mulberry(7);
    const many = (name: string) =>
      defineHierarchy({ name, levelNames: ['v', 'd', '*'], generalise: (v, l) => (l === 0 ? v : l === 1 ? v.slice(0, -1) : '*') });
    for (const columns of [2, 3, 5, 9]) {
      const fields = Array.from({ length: columns }, (_, i) => `c${i}`);
      const rows = Array.from({ length: 400 }, () => Object.fromEntries(fields.map((f) => [f, String(100 + Math.floor(rand() * 120))])));
      const q = fields.map((f) => ({ field: f, hierarchy: many(f) }));
      const d = encodeDataset(rows, q);
      for (const levels of [fields.map(() => 0), fields.map((_, i) => (i % 2 ? 1 : 0)), fields.map(() => 1)]) {
        const model = { k: 2, maxSuppression: 0.5 };
        const ours = assessNode(d, levels, model);
        const oracle = naive(rows, q, levels, model);
        expect({ classes: ours.classes, suppressed: ours.suppressedRecords, k: ours.k, satisfied: ours.satisfied }).toEqual(oracle);
      }
    }
  });
});

describe('search', () => {
  it('finds the least-loss node that meets k within the suppression limit', () => {
    const data = encodeDataset(people, qis);
    const model = { k: 2, maxSuppression: 0.125 };
    const flash = searchOptimal(data, model);
    const all = searchExhaustive(data, model);
    expect(flash.optimum?.levels).toEqual(all.optimum?.levels);
    expect(flash.optimum?.satisfied).toBe(true);
    expect(all.stats.checked).toBe(all.stats.latticeSize);
    expect(flash.stats.latticeSize).toBe(4 * 2 * 4);
  });

  it('returns null when no node meets the model', () => {
    const data = encodeDataset(people.slice(0, 3), qis);
    expect(searchOptimal(data, { k: 4, maxSuppression: 0 }).optimum).toBeNull();
    expect(searchExhaustive(data, { k: 4, maxSuppression: 0 }).optimum).toBeNull();
  });

  it('respects minimum and maximum levels', () => {
    const data = encodeDataset(people, [
      { field: 'age', hierarchy: ageH, minLevel: 1 },
      { field: 'sex', hierarchy: sexH, maxLevel: 0 },
      { field: 'city', hierarchy: cityH },
    ]);
    const r = searchOptimal(data, { k: 2, maxSuppression: 0.25 });
    expect(r.stats.latticeSize).toBe(3 * 1 * 4);
    expect(r.optimum?.levels[0]).toBeGreaterThanOrEqual(1);
    expect(r.optimum?.levels[1]).toBe(0);
    expect(r.optimum?.levels).toEqual(searchExhaustive(data, { k: 2, maxSuppression: 0.25 }).optimum?.levels);
  });

  // The "done when" property: on random small data sets and lattices, the Flash search returns the
  // same optimum as the exhaustive search, and that node meets the model (checked independently).
  it('returns the same optimum as the exhaustive search on random lattices', () => {
    const lattice = fc
      .array(
        fc.record({
          leaves: fc.integer({ min: 2, max: 9 }),
          levels: fc.integer({ min: 2, max: 4 }),
          weight: fc.constantFrom(1, 1, 2, 0.5),
        }),
        { minLength: 2, maxLength: 4 },
      )
      .chain((dims) =>
        fc.record({
          dims: fc.constant(dims),
          rows: fc.array(fc.tuple(...dims.map((d) => fc.integer({ min: 0, max: d.leaves - 1 })), fc.integer({ min: 0, max: 3 })), {
            minLength: 1,
            maxLength: 60,
          }),
          k: fc.integer({ min: 2, max: 5 }),
          l: fc.option(fc.integer({ min: 2, max: 3 }), { nil: undefined }),
          maxSuppression: fc.constantFrom(0, 0.02, 0.05, 0.1),
        }),
      );
    fc.assert(
      fc.property(lattice, ({ dims, rows, k, l, maxSuppression }) => {
        const hs: Hierarchy[] = dims.map((d, i) =>
          // Level j groups the leaves in blocks of 2^j (nested); the top level is '*'.
          defineHierarchy({
            name: `h${i}`,
            levelNames: Array.from({ length: d.levels }, (_, j) => `l${j}`),
            generalise: (v, j) => (j === d.levels - 1 ? '*' : String(Math.floor(Number(v) / 2 ** j))),
          }),
        );
        const q = dims.map((d, i) => ({ field: `q${i}`, hierarchy: hs[i] as Hierarchy, weight: d.weight }));
        const records = rows.map((r) =>
          Object.fromEntries([...dims.map((_, i) => [`q${i}`, String(r[i])]), ['s', String(r[dims.length])]]),
        );
        const sensitive = l === undefined ? [] : ['s'];
        const data = encodeDataset(records, q, { sensitive });
        const model = { k, l, maxSuppression };
        const flash = searchOptimal(data, model);
        const all = searchExhaustive(data, model);
        if (all.optimum === null) return flash.optimum === null;
        expect(flash.optimum).not.toBeNull();
        expect(flash.optimum?.loss).toBe(all.optimum.loss);
        expect(flash.optimum?.levels).toEqual(all.optimum.levels);
        expect(flash.stats.checked).toBeLessThanOrEqual(all.stats.checked);
        const check = naive(records, q, all.optimum.levels, model, sensitive);
        expect(check.satisfied).toBe(true);
        expect(all.optimum.suppressedRecords).toBe(check.suppressed);
        return true;
      }),
      { numRuns: 300, seed: 20240501 },
    );
  });
});

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
