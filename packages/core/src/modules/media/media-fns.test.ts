import { describe, expect, it } from 'vitest';
import {
  destructionMethodProblems,
  inspectionProblems,
  inspectionState,
  nextDueAt,
  nistLevelOf,
  onlyCopies,
  reminderOwed,
  stillRetained,
} from './media-fns.js';

const day = 86_400_000;
const t0 = new Date('2026-03-01T00:00:00Z');

describe('storage media rules (P4.3)', () => {
  it('computes the next due date and the inspection state', () => {
    expect(nextDueAt(t0, 90).toISOString()).toBe('2026-05-30T00:00:00.000Z');
    expect(inspectionState('active', t0, new Date(t0.getTime() - 30 * day))).toBe('ok');
    expect(inspectionState('active', t0, new Date(t0.getTime() - 3 * day))).toBe('due_soon');
    expect(inspectionState('active', t0, t0)).toBe('overdue');
    expect(inspectionState('destroyed', t0, t0)).toBe('none');
  });

  it('owes one reminder per due date', () => {
    const m = { status: 'active' as const, nextInspectionDueAt: t0, remindedFor: null };
    expect(reminderOwed(m, new Date(t0.getTime() - 1))).toBe(false);
    expect(reminderOwed(m, t0)).toBe(true);
    expect(reminderOwed({ ...m, remindedFor: t0 }, new Date(t0.getTime() + day))).toBe(false);
    expect(reminderOwed({ ...m, remindedFor: new Date(t0.getTime() - 90 * day) }, t0)).toBe(true);
    expect(reminderOwed({ ...m, status: 'destroyed' }, t0)).toBe(false);
  });

  it('maps methods to NIST SP 800-88 levels and refuses methods that do not fit the medium', () => {
    expect(nistLevelOf('crypto_erase')).toBe('purge');
    expect(nistLevelOf('destroy')).toBe('destroy');
    expect(destructionMethodProblems({ type: 'server_disk', encrypted: false }, 'crypto_erase')).toEqual([
      { field: 'method', reason: 'crypto_erase_needs_encrypted_medium' },
    ]);
    expect(destructionMethodProblems({ type: 'server_disk', encrypted: true }, 'crypto_erase')).toEqual([]);
    expect(destructionMethodProblems({ type: 'paper_archive', encrypted: false }, 'purge')[0]?.reason).toBe('paper_must_be_destroyed');
    expect(destructionMethodProblems({ type: 'cloud_bucket', encrypted: true }, 'destroy')[0]?.reason).toBe(
      'cloud_cannot_be_physically_destroyed',
    );
  });

  it('checks that an inspection result agrees with its checklist', () => {
    const checklist = [
      { item: 'physical_security', passed: true },
      { item: 'integrity_verified', passed: false },
    ];
    expect(inspectionProblems({ checklist, result: 'passed' }).map((p) => p.reason)).toEqual(['failed_items_cannot_pass']);
    expect(inspectionProblems({ checklist, result: 'failed' }).map((p) => p.reason)).toEqual(['findings_required']);
    expect(inspectionProblems({ checklist, result: 'failed', findings: 'checksum mismatch' })).toEqual([]);
    expect(inspectionProblems({ checklist: [checklist[0]!, checklist[0]!], result: 'passed' })[0]?.reason).toBe('duplicate');
  });

  it('finds the data sets a medium holds the only live copy of, among those still retained', () => {
    const holdings = [
      { mediumId: 'a', dataSet: 'vault', status: 'active' as const },
      { mediumId: 'a', dataSet: 'old', status: 'active' as const },
      { mediumId: 'a', dataSet: 'shared', status: 'active' as const },
      { mediumId: 'b', dataSet: 'shared', status: 'disposal_requested' as const },
      { mediumId: 'c', dataSet: 'vault', status: 'disposal_approved' as const },
      { mediumId: 'd', dataSet: 'vault', status: 'destroyed' as const },
    ];
    expect(onlyCopies('a', holdings, (ds) => ds !== 'old')).toEqual(['vault']);
    expect(onlyCopies('b', holdings, () => true)).toEqual([]);
    expect(stillRetained({ retained: true, retainUntil: null }, t0)).toBe(true);
    expect(stillRetained({ retained: true, retainUntil: t0 }, t0)).toBe(false);
    expect(stillRetained({ retained: false, retainUntil: null }, t0)).toBe(false);
  });
});
