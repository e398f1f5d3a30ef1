import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  PolicyViolationError,
  type Actor,
  type CreateMediumInput,
  type Medium,
} from '../src/index.js';
import { createTestCore, DB_KINDS, makeUser, reportSkip, SYSTEM, type TestCore } from './helpers.js';

const DAY = 86_400_000;
const hex = () => createHash('sha256').update(randomBytes(16)).digest('hex');
const label = (p: string) => `${p}-${randomBytes(3).toString('hex')}`;

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`storage media suite on ${kind}`, skip);
  describe.skipIf(skip)(`storage media: register, inspections, reminders and disposal on ${kind}`, () => {
    let t: TestCore;
    let sec: Actor;
    let sec2: Actor;
    let mgr: Actor;
    let custodian: Actor;
    let auditor: Actor;
    let staff: Actor;
    const q = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => t.db.database.query<T>(sql, params);

    const medium = (over: Partial<CreateMediumInput> = {}): CreateMediumInput => ({
      identifier: label('SRV-DISK'),
      label: '核心数据库磁盘',
      type: 'server_disk',
      location: '上海机房 A-03 机柜',
      custodianUserId: custodian.userId!,
      encryption: { encrypted: false },
      dataCategories: ['name', 'mobile'],
      dataSets: [],
      inspectionIntervalDays: 90,
      ...over,
    });

    beforeAll(async () => {
      t = await createTestCore(kind);
      sec = await makeUser(t.core, ['security_officer']);
      sec2 = await makeUser(t.core, ['security_officer']);
      mgr = await makeUser(t.core, ['management_approver']);
      custodian = await makeUser(t.core, ['staff']);
      auditor = await makeUser(t.core, ['auditor']);
      staff = await makeUser(t.core, ['staff']);
    });
    afterAll(async () => t?.close());

    it('registers media and lists them; checks custodian, categories, identifier and permissions', async () => {
      const before = Date.now();
      const m = await t.core.media.create(
        sec,
        medium({ dataSets: ['customer-vault-primary'], encryption: { encrypted: true, method: 'LUKS2 AES-256-XTS' } }),
      );
      expect(m).toMatchObject({
        status: 'active',
        type: 'server_disk',
        custodian: { id: custodian.userId, username: custodian.username },
        encryption: { encrypted: true, method: 'LUKS2 AES-256-XTS' },
        dataCategories: ['name', 'mobile'],
        dataSets: ['customer-vault-primary'],
        lastInspectedAt: null,
        inspectionState: 'ok',
      });
      const due = Date.parse(m.nextInspectionDueAt);
      expect(due).toBeGreaterThanOrEqual(before + 90 * DAY);
      expect(due).toBeLessThanOrEqual(Date.now() + 90 * DAY);
      const backup = await t.core.media.create(
        sec,
        medium({ type: 'backup_tape', identifier: label('TAPE'), backupOfMediumId: m.id, dataSets: ['backup-2026-11'] }),
      );
      expect(backup.backupOfMediumId).toBe(m.id);

      const listed = await t.core.media.list(auditor);
      expect(listed.map((x) => x.id)).toEqual(expect.arrayContaining([m.id, backup.id]));
      expect((await t.core.media.list(auditor, { type: 'backup_tape' })).map((x) => x.id)).toEqual([backup.id]);
      const sets = await t.core.media.listDataSets(auditor);
      expect(sets.find((s) => s.label === 'customer-vault-primary')).toMatchObject({ retained: true, stillRetained: true, liveCopies: 1 });

      await expect(t.core.media.create(sec, medium({ identifier: m.identifier }))).rejects.toBeInstanceOf(ConflictError);
      const bad = await t.core.media.create(sec, medium({ dataCategories: ['no_such_category'] })).catch((e: unknown) => e as InvalidError);
      expect(bad).toBeInstanceOf(InvalidError);
      expect(bad.problems).toEqual([{ field: 'dataCategories.no_such_category', reason: 'unknown_category' }]);
      await expect(t.core.media.create(sec, medium({ custodianUserId: '00000000-0000-4000-8000-000000000000' }))).rejects.toBeInstanceOf(
        InvalidError,
      );
      await expect(t.core.media.create(staff, medium())).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.media.create(mgr, medium())).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.media.list(staff)).rejects.toBeInstanceOf(ForbiddenError);

      const [ev] = await q<{ clauses: string[]; details: Record<string, unknown> }>(
        `SELECT clauses, details FROM audit_events WHERE action = 'medium.created' AND resource_id = $1`,
        [m.id],
      );
      expect(ev!.clauses).toEqual(['P4.3']);
      expect(ev!.details).toMatchObject({ identifier: m.identifier, encrypted: true, dataSets: ['customer-vault-primary'] });
    });

    it('records inspections (append-only) and moves the due date: interval after a pass, at most 30 days after a failure', async () => {
      const m = await t.core.media.create(sec, medium({ inspectionIntervalDays: 180 }));
      const at = new Date(Date.now() - 2 * DAY);
      const d1 = await t.core.media.recordInspection(sec, m.id, {
        inspectedAt: at.toISOString(),
        checklist: [
          { item: 'register_matches', passed: true },
          { item: 'physical_security', passed: true },
          { item: 'encryption_verified', passed: true },
        ],
        result: 'passed',
      });
      expect(d1.medium.lastInspectedAt).toBe(at.toISOString());
      expect(d1.medium.nextInspectionDueAt).toBe(new Date(at.getTime() + 180 * DAY).toISOString());
      expect(d1.inspections).toHaveLength(1);
      expect(d1.inspections[0]).toMatchObject({ inspectedBy: sec.username, result: 'passed', dueAt: m.nextInspectionDueAt });

      const inconsistent = await t.core.media
        .recordInspection(sec, m.id, { checklist: [{ item: 'integrity_verified', passed: false }], result: 'passed' })
        .catch((e: unknown) => e as InvalidError);
      expect(inconsistent).toBeInstanceOf(InvalidError);
      expect(inconsistent.problems.map((p) => p.reason)).toEqual(['failed_items_cannot_pass']);
      await expect(
        t.core.media.recordInspection(sec, m.id, {
          inspectedAt: new Date(Date.now() + DAY).toISOString(),
          checklist: [{ item: 'integrity_verified', passed: true }],
          result: 'passed',
        }),
      ).rejects.toBeInstanceOf(InvalidError);

      const d2 = await t.core.media.recordInspection(sec, m.id, {
        checklist: [{ item: 'integrity_verified', passed: false, note: '校验和不一致' }],
        result: 'failed',
        findings: 'checksum mismatch on 2 blocks',
      });
      const last = Date.parse(d2.medium.lastInspectedAt!);
      expect(Date.parse(d2.medium.nextInspectionDueAt)).toBe(last + 30 * DAY);
      expect(d2.inspections.map((i) => i.result)).toEqual(['failed', 'passed']);
      await expect(q(`UPDATE storage_medium_inspections SET result = 'passed' WHERE medium_id = $1`, [m.id])).rejects.toThrow(
        /append-only/,
      );
      const evs = await q<{ details: { result: string; failedItems: string[] } }>(
        `SELECT details FROM audit_events WHERE action = 'medium.inspected' AND resource_id = $1 ORDER BY occurred_at`,
        [m.id],
      );
      expect(evs.map((e) => e.details.failedItems)).toEqual([[], ['integrity_verified']]);
      await expect(
        t.core.media.recordInspection(mgr, m.id, { checklist: [{ item: 'environment', passed: true }], result: 'passed' }),
      ).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('reminds the custodian once per due date, and again for the next due date', async () => {
      const m = await t.core.media.create(sec, medium({ inspectionIntervalDays: 7 }));
      const due = Date.parse(m.nextInspectionDueAt);
      const mine = (r: { reminded: Array<{ mediumId: string; dueAt: string }> }) => r.reminded.filter((x) => x.mediumId === m.id);

      expect(mine(await t.core.media.sendDueInspectionReminders(new Date(due - 60_000)))).toEqual([]);
      expect(mine(await t.core.media.sendDueInspectionReminders(new Date(due + 1000)))).toEqual([
        { mediumId: m.id, dueAt: m.nextInspectionDueAt },
      ]);
      expect(mine(await t.core.media.sendDueInspectionReminders(new Date(due + 2 * DAY)))).toEqual([]);
      const text = await t.lastNotification('medium.inspection_due');
      expect(text).toContain(m.identifier);
      const rows = await q<{ recipient: { kind: string; label: string }; transport: string }>(
        `SELECT recipient, transport FROM outbox WHERE topic = 'medium.inspection_due' AND payload->>'subject' LIKE $1`,
        [`%${m.identifier}`],
      );
      expect(rows).toEqual([{ recipient: { kind: 'log', label: `custodian:${custodian.username}` }, transport: 'log' }]);
      expect((await t.core.media.get(auditor, m.id)).medium.remindedFor).toBe(m.nextInspectionDueAt);

      // Inspected: the next due date gets its own reminder when it comes.
      const d = await t.core.media.recordInspection(sec, m.id, {
        checklist: [{ item: 'physical_security', passed: true }],
        result: 'passed',
      });
      const next = Date.parse(d.medium.nextInspectionDueAt);
      expect(mine(await t.core.media.sendDueInspectionReminders(new Date(next - 1000)))).toEqual([]);
      expect(mine(await t.core.media.sendDueInspectionReminders(new Date(next + 1000)))).toHaveLength(1);
      expect(mine(await t.core.media.sendDueInspectionReminders(new Date(next + 5000)))).toHaveLength(0);
      const count = await q<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'medium.inspection_reminder_sent' AND resource_id = $1`,
        [m.id],
      );
      expect(count[0]!.n).toBe(2);
      // Destroyed media are not reminded (covered by the rule); a staff member cannot trigger reminders.
      await expect(t.core.media.sendDueInspectionReminders(new Date(), staff)).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('refuses disposal of the only copy of retained data, allows it when another live copy exists, with four eyes on approval', async () => {
      const ds = label('crm-export');
      const a = await t.core.media.create(sec, medium({ identifier: label('USB'), type: 'removable_drive', dataSets: [ds] }));
      const refused = await t.core.media
        .requestDisposal(sec, a.id, { reason: '设备老化' })
        .catch((e: unknown) => e as PolicyViolationError);
      expect(refused).toBeInstanceOf(PolicyViolationError);
      expect(refused.status).toBe(422);
      expect(refused.message).toContain(ds);
      expect(refused.problems).toEqual([{ field: `dataSets.${ds}`, reason: 'only_copy_of_retained_data' }]);
      expect((await t.core.media.get(sec, a.id)).medium.status).toBe('active');
      const [ev] = await q<{ outcome: string; details: { dataSets: string[]; step: string } }>(
        `SELECT outcome, details FROM audit_events WHERE action = 'medium.disposal_refused' AND resource_id = $1`,
        [a.id],
      );
      expect(ev).toMatchObject({ outcome: 'denied', details: { dataSets: [ds], step: 'request' } });

      // A second live copy: now the first may go.
      const b = await t.core.media.create(sec, medium({ identifier: label('NAS'), type: 'database_volume', dataSets: [ds] }));
      const requested = await t.core.media.requestDisposal(sec, a.id, { reason: '设备老化' });
      expect(requested.medium.status).toBe('disposal_requested');
      expect(requested.disposals[0]).toMatchObject({ status: 'requested', requestedBy: sec.username });
      await expect(t.core.media.requestDisposal(sec, a.id, { reason: 'again' })).rejects.toBeInstanceOf(ConflictError);

      // Four eyes: not the requester, even holding medium.approve; staff lack the permission.
      await expect(t.core.media.approveDisposal(sec, a.id)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.media.approveDisposal(staff, a.id)).rejects.toBeInstanceOf(ForbiddenError);
      const approved = await t.core.media.approveDisposal(mgr, a.id, { comment: '同意销毁' });
      expect(approved.medium.status).toBe('disposal_approved');
      expect(approved.disposals[0]).toMatchObject({ status: 'approved', decidedBy: mgr.username, decisionComment: '同意销毁' });

      // With A approved for disposal, B now holds the only live copy.
      await expect(t.core.media.requestDisposal(sec, b.id, { reason: 'decommission' })).rejects.toBeInstanceOf(PolicyViolationError);
      // Once the data set is no longer retained, its last copy may go.
      const updated = await t.core.media.updateDataSet(sec, ds, { retained: false });
      expect(updated).toMatchObject({ retained: false, stillRetained: false, liveCopies: 1 });
      expect((await t.core.media.requestDisposal(sec, b.id, { reason: 'decommission' })).medium.status).toBe('disposal_requested');
      // Rejection returns the medium to service.
      await expect(t.core.media.rejectDisposal(mgr, b.id, { comment: '' })).rejects.toBeInstanceOf(InvalidError);
      const back = await t.core.media.rejectDisposal(mgr, b.id, { comment: '仍在使用' });
      expect(back.medium.status).toBe('active');
      expect(back.disposals[0]!.status).toBe('rejected');
    });

    it('checks approval also at approval time: a copy that went away meanwhile blocks it', async () => {
      const ds = label('archive');
      const a = await t.core.media.create(sec, medium({ identifier: label('A'), dataSets: [ds] }));
      const b = await t.core.media.create(sec, medium({ identifier: label('B'), dataSets: [ds] }));
      await t.core.media.requestDisposal(sec, a.id, { reason: 'r' });
      await t.core.media.requestDisposal(sec2, b.id, { reason: 'r' });
      await t.core.media.approveDisposal(mgr, a.id);
      const e = await t.core.media.approveDisposal(mgr, b.id).catch((x: unknown) => x as PolicyViolationError);
      expect(e).toBeInstanceOf(PolicyViolationError);
      expect(e.problems[0]!.field).toBe(`dataSets.${ds}`);
      expect((await t.core.media.get(sec, b.id)).medium.status).toBe('disposal_requested');
    });

    async function approvedMedium(over: Partial<CreateMediumInput> = {}): Promise<Medium> {
      const m = await t.core.media.create(sec, medium({ identifier: label('DISK'), ...over }));
      await t.core.media.requestDisposal(sec, m.id, { reason: '服务器报废' });
      await t.core.media.approveDisposal(mgr, m.id);
      return m;
    }

    it('records destruction with a witness, crypto-erase only for encrypted media, and issues the certificate', async () => {
      const m = await approvedMedium({ dataCategories: ['name', 'mobile', 'resident_id'] });
      const evidence = hex();
      const crypto = await t.core.media
        .recordDestruction(sec, m.id, { method: 'crypto_erase', witnessUserId: sec2.userId!, evidenceSha256: evidence })
        .catch((e: unknown) => e as PolicyViolationError);
      expect(crypto).toBeInstanceOf(PolicyViolationError);
      expect(crypto.problems).toEqual([{ field: 'method', reason: 'crypto_erase_needs_encrypted_medium' }]);
      const self = await t.core.media
        .recordDestruction(sec, m.id, { method: 'destroy', witnessUserId: sec.userId!, evidenceSha256: evidence })
        .catch((e: unknown) => e as PolicyViolationError);
      expect(self).toBeInstanceOf(PolicyViolationError);
      expect(self.problems).toEqual([{ field: 'witnessUserId', reason: 'witness_must_differ' }]);
      await expect(
        t.core.media.recordDestruction(sec, m.id, { method: 'destroy', witnessUserId: sec2.userId!, evidenceSha256: 'ABC' }),
      ).rejects.toBeInstanceOf(InvalidError);
      await expect(t.core.media.getCertificate(auditor, m.id)).rejects.toThrow(/no destruction certificate/);

      const cert = await t.core.media.recordDestruction(sec, m.id, {
        method: 'destroy',
        performedByUserId: custodian.userId!,
        witnessUserId: sec2.userId!,
        evidenceSha256: evidence,
      });
      expect(cert).toMatchObject({
        method: 'destroy',
        nistLevel: 'destroy',
        standard: 'NIST SP 800-88 Rev. 1',
        medium: { id: m.id, identifier: m.identifier, type: 'server_disk', dataCategories: ['name', 'mobile', 'resident_id'] },
        reason: '服务器报废',
        requestedBy: sec.username,
        approvedBy: mgr.username,
        performedBy: { id: custodian.userId, username: custodian.username },
        witness: { id: sec2.userId, username: sec2.username },
        evidenceSha256: evidence,
        recordedBy: sec.username,
        clauses: ['P4.3'],
      });
      expect(cert.certificateNo).toMatch(/^MD-\d{8}-[0-9A-F]{8}$/);
      expect(cert.certificateHash).toMatch(/^[0-9a-f]{64}$/);
      expect(await t.core.media.getCertificate(auditor, m.id)).toEqual(cert);
      const after = await t.core.media.get(auditor, m.id);
      expect(after.medium).toMatchObject({ status: 'destroyed', destroyedAt: cert.destroyedAt, inspectionState: 'none' });
      expect(after.disposals[0]).toMatchObject({ status: 'completed', certificateNo: cert.certificateNo, nistLevel: 'destroy' });
      // The certificate is immutable, and a destroyed medium is neither inspected nor disposed of again.
      await expect(q(`UPDATE storage_medium_disposals SET evidence_sha256 = $1 WHERE medium_id = $2`, [hex(), m.id])).rejects.toThrow(
        /immutable/,
      );
      await expect(
        t.core.media.recordInspection(sec, m.id, { checklist: [{ item: 'environment', passed: true }], result: 'passed' }),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(t.core.media.requestDisposal(sec, m.id, { reason: 'x' })).rejects.toBeInstanceOf(ConflictError);
      const [ev] = await q<{ clauses: string[]; details: Record<string, unknown> }>(
        `SELECT clauses, details FROM audit_events WHERE action = 'medium.destroyed' AND resource_id = $1`,
        [m.id],
      );
      expect(ev).toMatchObject({
        clauses: ['P4.3'],
        details: { certificateNo: cert.certificateNo, witnessUserId: sec2.userId, certificateHash: cert.certificateHash },
      });
    });

    it('crypto-erases an encrypted medium (NIST purge), refuses paper that is not destroyed, and destruction before approval', async () => {
      const enc = await approvedMedium({ encryption: { encrypted: true, method: 'AES-256' }, type: 'cloud_bucket' });
      await expect(
        t.core.media.recordDestruction(sec, enc.id, { method: 'destroy', witnessUserId: sec2.userId!, evidenceSha256: hex() }),
      ).rejects.toBeInstanceOf(PolicyViolationError);
      const cert = await t.core.media.recordDestruction(sec, enc.id, {
        method: 'crypto_erase',
        witnessUserId: sec2.userId!,
        evidenceSha256: hex(),
      });
      expect(cert).toMatchObject({ method: 'crypto_erase', nistLevel: 'purge', performedBy: { id: sec.userId } });

      const paper = await approvedMedium({ type: 'paper_archive', dataCategories: ['name'] });
      await expect(
        t.core.media.recordDestruction(sec, paper.id, { method: 'purge', witnessUserId: sec2.userId!, evidenceSha256: hex() }),
      ).rejects.toBeInstanceOf(PolicyViolationError);

      const fresh = await t.core.media.create(sec, medium({ identifier: label('NEW') }));
      await expect(
        t.core.media.recordDestruction(sec, fresh.id, { method: 'destroy', witnessUserId: sec2.userId!, evidenceSha256: hex() }),
      ).rejects.toBeInstanceOf(ConflictError);
      await t.core.media.requestDisposal(sec, fresh.id, { reason: 'r' });
      await expect(
        t.core.media.recordDestruction(sec, fresh.id, { method: 'destroy', witnessUserId: sec2.userId!, evidenceSha256: hex() }),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(
        t.core.media.recordDestruction(mgr, fresh.id, { method: 'destroy', witnessUserId: sec2.userId!, evidenceSha256: hex() }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      // The system actor has no user id: it must name who performed it.
      await t.core.media.approveDisposal(mgr, fresh.id);
      await expect(
        t.core.media.recordDestruction(SYSTEM, fresh.id, { method: 'destroy', witnessUserId: sec2.userId!, evidenceSha256: hex() }),
      ).rejects.toBeInstanceOf(InvalidError);
    });
  });
}
