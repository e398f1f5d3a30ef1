import { describe, expect, it } from 'vitest';
import { contentHash, operatorProblems, sortRows } from './disclosures-fns.js';

describe('disclosure rules', () => {
  it('defaults every field to the display mask and refuses keeping values', () => {
    const ok = operatorProblems(['name', 'mobile'], { mobile: { kind: 'mask', keepFirst: 3, keepLast: 2 } });
    expect(ok.problems).toEqual([]);
    expect(ok.operators).toEqual({ name: { kind: 'display_mask' }, mobile: { kind: 'mask', keepFirst: 3, keepLast: 2 } });
    const bad = operatorProblems(['name', 'mobile', 'email'], {
      name: { kind: 'keep' },
      mobile: { kind: 'suppress_column' },
      email: { kind: 'pseudonymise' },
      address: { kind: 'redact' },
    });
    expect(bad.problems).toEqual([
      { field: 'operators.address', reason: 'not_requested' },
      { field: 'operators.name', reason: 'masking_required' },
      { field: 'operators.mobile', reason: 'leave_the_field_out' },
      { field: 'operators.email', reason: 'operator_not_allowed' },
    ]);
  });

  it('needs a known hierarchy and a level to generalise', () => {
    expect(operatorProblems(['date_of_birth'], { date_of_birth: { kind: 'generalise', hierarchy: 'nope', level: 1 } }).problems).toEqual([
      { field: 'operators.date_of_birth', reason: 'unknown_hierarchy' },
    ]);
    expect(operatorProblems(['date_of_birth'], { date_of_birth: { kind: 'generalise', hierarchy: 'date' } }).problems).toEqual([
      { field: 'operators.date_of_birth', reason: 'level_required' },
    ]);
  });

  it('hashes content independently of key order and sorts rows stably', () => {
    const a = contentHash({ fields: ['name'], rows: [{ name: '张*', mobile: null }] });
    const b = contentHash({ fields: ['name'], rows: [{ mobile: null, name: '张*' }] });
    expect(a).toBe(b);
    expect(a).not.toBe(contentHash({ fields: ['name'], rows: [{ name: '李*', mobile: null }] }));
    expect(sortRows([{ n: 'b' }, { n: 'a' }])).toEqual([{ n: 'a' }, { n: 'b' }]);
  });
});
