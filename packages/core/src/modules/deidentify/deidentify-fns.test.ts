import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../errors.js';
import { piTypes } from '../../pi-types/registry.js';
import { residentIdCheckChar } from '../../pi-types/resident-id.js';
import {
  applyOperator,
  configuredLevels,
  maskKeep,
  parseDatasetSpec,
  planRelease,
  pseudonym,
  pseudonymiser,
  releaseRecords,
  resolveHierarchy,
} from './deidentify-fns.js';
import type { DatasetSpecInput } from './deidentify-types.js';
import { dateHierarchy } from './hierarchies.js';

const key = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 8);

describe('pseudonymisation', () => {
  it('is stable for the same key, context and value', () => {
    const a = pseudonym(key, 'recipient:acme/export:1', '13800138000');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(pseudonym(key, 'recipient:acme/export:1', '13800138000')).toBe(a);
    const f = pseudonymiser(key, 'recipient:acme/export:1');
    expect(f('13800138000')).toBe(a);
    expect(f('13800138001')).not.toBe(a);
  });

  it('differs across recipients, exports and keys', () => {
    const base = pseudonym(key, 'recipient:acme', '张三');
    expect(pseudonym(key, 'recipient:globex', '张三')).not.toBe(base);
    expect(pseudonym(key, 'recipient:acme/export:2', '张三')).not.toBe(base);
    expect(pseudonym(otherKey, 'recipient:acme', '张三')).not.toBe(base);
  });

  it('refuses short keys, empty contexts and odd lengths; length is configurable', () => {
    expect(() => pseudonymiser(Buffer.alloc(8), 'r')).toThrow(/at least 16 bytes/);
    expect(() => pseudonymiser(key, '')).toThrow(/context/);
    expect(() => pseudonymiser(key, 'r', 4)).toThrow(/length/);
    expect(pseudonym(key, 'r', 'v', 32)).toHaveLength(32);
  });
});

describe('operators', () => {
  const mobile = { piType: piTypes.cn_mobile };
  it('masks keeping the first n and last m characters', () => {
    expect(maskKeep('13800138000', 3, 4)).toBe('138****8000');
    expect(maskKeep('张三丰', 1, 0)).toBe('张**');
    expect(maskKeep('ab', 1, 1)).toBe('**');
    expect(applyOperator({ kind: 'mask', keepFirst: 3, keepLast: 2 }, '138 0013 8000', mobile)).toBe('138******00');
  });

  it('applies the display masks of the vault per PI type', () => {
    expect(applyOperator({ kind: 'display_mask' }, '13800138000', mobile)).toBe(piTypes.cn_mobile.mask('13800138000'));
    expect(applyOperator({ kind: 'display_mask' }, '张三', { piType: piTypes.person_name })).toBe('张*');
    expect(applyOperator({ kind: 'display_mask' }, 'zhang.san@example.com', { piType: piTypes.email })).toBe('z***@example.com');
    const id = '44030519900517123';
    const full = id + residentIdCheckChar(id);
    expect(
      applyOperator({ kind: 'display_mask' }, full, {
        piType: piTypes.cn_resident_id,
        maskPolicy: { cn_resident_id: { keepFirst: 6, keepLast: 4 } },
      }),
    ).toBe(`440305********${full.slice(14)}`);
  });

  it('redacts, suppresses columns and keeps', () => {
    expect(applyOperator({ kind: 'redact' }, '张三')).toBeNull();
    expect(applyOperator({ kind: 'suppress_column' }, '张三')).toBeUndefined();
    expect(applyOperator({ kind: 'keep' }, '张三')).toBe('张三');
    expect(applyOperator({ kind: 'keep' }, '')).toBeNull();
    expect(applyOperator({ kind: 'mask', keepFirst: 1, keepLast: 1 }, null)).toBeNull();
  });

  it('pseudonymises the normalised value', () => {
    const p = pseudonymiser(key, 'recipient:acme');
    const a = applyOperator({ kind: 'pseudonymise' }, '138 0013 8000', { ...mobile, pseudonymise: p });
    expect(a).toBe(applyOperator({ kind: 'pseudonymise' }, '13800138000', { ...mobile, pseudonymise: p }));
    expect(() => applyOperator({ kind: 'pseudonymise' }, 'x')).toThrow(/key/);
  });

  it('generalises through a hierarchy at a level', () => {
    expect(applyOperator({ kind: 'generalise', hierarchy: 'date', level: 2 }, '1990-05-17', { hierarchy: dateHierarchy })).toBe('1990');
    expect(applyOperator({ kind: 'generalise', hierarchy: 'date' }, '1990-05-17', { hierarchy: dateHierarchy, level: 1 })).toBe('1990-05');
    expect(resolveHierarchy('cn_address').name).toBe('cn_address');
    expect(() => resolveHierarchy('nope')).toThrow(/unknown hierarchy/);
  });
});

describe('dataset specs', () => {
  it('validates roles, operators and the privacy model', () => {
    const ok = parseDatasetSpec({
      columns: [{ field: 'mobile', role: 'identifier', piType: 'cn_mobile', operator: { kind: 'pseudonymise' } }],
      privacyModel: { k: 5 },
    });
    expect(ok.privacyModel.maxSuppression).toBe(0);
    const bad = (input: DatasetSpecInput) => {
      try {
        parseDatasetSpec(input);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidError);
        return (e as InvalidError).problems?.map((p) => p.reason).join('; ');
      }
      return 'accepted';
    };
    expect(bad({ columns: [{ field: 'name', role: 'identifier', operator: { kind: 'keep' } }], privacyModel: { k: 2 } })).toMatch(
      /identifier must be/,
    );
    expect(
      bad({
        columns: [
          { field: 'a', role: 'insensitive', operator: { kind: 'keep' } },
          { field: 'a', role: 'insensitive', operator: { kind: 'keep' } },
        ],
        privacyModel: { k: 2 },
      }),
    ).toMatch(/twice/);
    expect(
      bad({ columns: [{ field: 'd', role: 'insensitive', operator: { kind: 'generalise', hierarchy: 'date' } }], privacyModel: { k: 2 } }),
    ).toMatch(/needs a level/);
    expect(bad({ columns: [{ field: 'd', role: 'quasi_identifier', operator: { kind: 'keep' } }], privacyModel: { k: 2, l: 2 } })).toMatch(
      /sensitive column/,
    );
    expect(bad({ columns: [{ field: 'd', role: 'quasi_identifier', operator: { kind: 'keep' } }], privacyModel: { k: 0 } })).not.toBe(
      'accepted',
    );
  });
});

/** A small customer table: 4 provinces × 2 birth decades, resident IDs, mobiles, a sensitive attribute. */
function customers() {
  const places = [
    ['440305', '广东省深圳市南山区'],
    ['440106', '广东省广州市天河区'],
    ['330106', '浙江省杭州市西湖区'],
    ['330203', '浙江省宁波市海曙区'],
  ] as const;
  const rows = [];
  for (let i = 0; i < 24; i++) {
    const [region, address] = places[i % 4] as (typeof places)[number];
    const year = 1980 + ((i * 7) % 20);
    const body = `${region}${year}0${(i % 9) + 1}1${i % 10}${String(i).padStart(3, '0')}`;
    rows.push({
      name: `客户${i}`,
      mobile: `1380013${String(8000 + i)}`,
      resident_id: body + residentIdCheckChar(body),
      birth_date: `${year}-0${(i % 9) + 1}-1${i % 10}`,
      address: `${address}某路${i}号`,
      plan: ['基础', '标准', '高级'][i % 3] as string,
    });
  }
  return rows;
}

const spec: DatasetSpecInput = {
  columns: [
    { field: 'name', role: 'identifier', piType: 'person_name', operator: { kind: 'suppress_column' } },
    { field: 'mobile', role: 'identifier', piType: 'cn_mobile', operator: { kind: 'pseudonymise' } },
    { field: 'resident_id', role: 'identifier', piType: 'cn_resident_id', operator: { kind: 'display_mask' } },
    { field: 'birth_date', role: 'quasi_identifier', piType: 'date', operator: { kind: 'generalise', hierarchy: 'date', maxLevel: 3 } },
    {
      field: 'address',
      role: 'quasi_identifier',
      piType: 'address',
      operator: { kind: 'generalise', hierarchy: 'cn_address', minLevel: 1 },
    },
    { field: 'plan', role: 'sensitive', operator: { kind: 'keep' } },
  ],
  privacyModel: { k: 3, l: 2, maxSuppression: 0.1 },
};

describe('risk-checked releases', () => {
  it('plans: the configured spec fails, the proposal is the least-loss node that meets k and l', () => {
    const s = parseDatasetSpec(spec);
    expect(configuredLevels(s)).toEqual([0, 1]);
    const plan = planRelease(customers(), s);
    expect(plan.configured.satisfied).toBe(false);
    expect(plan.quasiIdentifiers.map((q) => [q.field, q.minLevel, q.maxLevel])).toEqual([
      ['birth_date', 0, 3],
      ['address', 1, 4],
    ]);
    expect(plan.proposal).not.toBeNull();
    expect(plan.proposal?.satisfied).toBe(true);
    expect(plan.proposal?.k).toBeGreaterThanOrEqual(3);
    expect(plan.proposal?.l).toBeGreaterThanOrEqual(2);
    expect(plan.proposal?.suppressedRecords).toBeLessThanOrEqual(2);
    expect(plan.search.algorithm).toBe('flash');
  });

  it('refuses a release below the target and releases the accepted proposal', () => {
    const s = parseDatasetSpec(spec);
    const rows = customers();
    const refused = releaseRecords(rows, s, { key, context: 'recipient:acme/export:1' });
    expect(refused.released).toBe(false);
    expect(refused.assessment.satisfied).toBe(false);

    const plan = planRelease(rows, s);
    const levels = plan.proposal?.levelsByField ?? {};
    const r = releaseRecords(rows, s, { key, context: 'recipient:acme/export:1', levels });
    if (!r.released) throw new Error('expected a release');
    expect(r.fields).toEqual(['mobile', 'resident_id', 'birth_date', 'address', 'plan']);
    expect(r.records).toHaveLength(rows.length - r.assessment.suppressedRecords);
    const first = r.records[0] as Record<string, string | null>;
    expect(first).not.toHaveProperty('name');
    expect(first.mobile).toMatch(/^[0-9a-f]{16}$/);
    expect(first.resident_id).toMatch(/^4\*{16}.$/);
    // Every released (birth_date, address) combination occurs at least k times with l plans.
    const groups = new Map<string, Set<string>>();
    const sizes = new Map<string, number>();
    for (const rec of r.records) {
      const g = `${rec.birth_date}|${rec.address}`;
      sizes.set(g, (sizes.get(g) ?? 0) + 1);
      if (!groups.has(g)) groups.set(g, new Set());
      groups.get(g)?.add(String(rec.plan));
    }
    for (const [g, n] of sizes) {
      expect(n, g).toBeGreaterThanOrEqual(3);
      expect(groups.get(g)?.size, g).toBeGreaterThanOrEqual(2);
    }
    // Same key and context: same tokens; another recipient: different tokens.
    const again = releaseRecords(rows, s, { key, context: 'recipient:acme/export:1', levels });
    const other = releaseRecords(rows, s, { key, context: 'recipient:globex/export:1', levels });
    if (!again.released || !other.released) throw new Error('expected releases');
    expect(again.records[0]?.mobile).toBe(first.mobile);
    expect(other.records[0]?.mobile).not.toBe(first.mobile);
  });

  it('needs a key for pseudonymised columns', () => {
    const s = parseDatasetSpec(spec);
    const rows = customers();
    const levels = planRelease(rows, s).proposal?.levelsByField ?? {};
    expect(() => releaseRecords(rows, s, { levels })).toThrow(/16 bytes/);
  });

  it('measures masked quasi-identifiers by their released value', () => {
    const s = parseDatasetSpec({
      columns: [{ field: 'mobile', role: 'quasi_identifier', piType: 'cn_mobile', operator: { kind: 'mask', keepFirst: 3, keepLast: 0 } }],
      privacyModel: { k: 24 },
    });
    // Every mobile starts with 138: one class of 24.
    const r = releaseRecords(customers(), s);
    expect(r.released).toBe(true);
    expect(r.assessment).toMatchObject({ classes: 1, k: 24 });
  });
});
