import { describe, expect, it } from 'vitest';
import { csvCell, customerIdsHash, keepUntilAtLeast, processingRecordsCsv } from './processing-records-fns.js';

describe('processing-record helpers', () => {
  it('hashes a customer set independently of order, case and duplicates', () => {
    const a = '0b8e7c1e-0000-4000-8000-000000000001';
    const b = '0b8e7c1e-0000-4000-8000-000000000002';
    expect(customerIdsHash([a, b])).toBe(customerIdsHash([b, a.toUpperCase(), b]));
    expect(customerIdsHash([a])).not.toBe(customerIdsHash([b]));
    expect(customerIdsHash([])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps records at least three years, longer when asked', () => {
    const at = new Date('2025-01-01T00:00:00Z');
    expect(keepUntilAtLeast(at).getTime()).toBeGreaterThanOrEqual(Date.parse('2028-01-01T00:00:00Z'));
    expect(keepUntilAtLeast(at, new Date('2026-01-01T00:00:00Z')).getUTCFullYear()).toBe(2028);
    expect(keepUntilAtLeast(at, new Date('2035-01-01T00:00:00Z')).getUTCFullYear()).toBe(2035);
  });

  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell(['name', 'mobile'])).toBe('name;mobile');
    expect(csvCell(null)).toBe('');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('writes a header and one line per record, with a BOM', () => {
    const csv = processingRecordsCsv([
      {
        id: '0b8e7c1e-0000-4000-8000-000000000001',
        seq: 1,
        kind: 'transfer',
        subjectType: 'transfer_campaign',
        subjectId: 'c1',
        actorId: null,
        actorName: '张三',
        purposeCode: null,
        fields: ['name', 'mobile'],
        customerCount: 2,
        customerIdsHash: 'a'.repeat(64),
        customerListRef: 'transfer_notices:c1',
        recipientId: null,
        recipientName: '乙公司, Ltd',
        legalBasis: 'consent',
        fileHash: null,
        clauses: ['P6.1'],
        details: {},
        createdAt: '2025-01-01T00:00:00.000Z',
        keepUntil: '2028-01-02T00:00:00.000Z',
      },
    ]);
    expect(csv.startsWith('\ufeffseq,id,createdAt,kind')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"乙公司, Ltd"');
    expect(lines[1]).toContain('name;mobile');
  });
});
