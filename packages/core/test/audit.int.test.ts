import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCore, DB_KINDS, makeUser, reportSkip, SYSTEM, type TestCore } from './helpers.js';
import { ForbiddenError, readCheckpoints } from '../src/index.js';

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`audit suite on ${kind}`, skip);
  describe.skipIf(skip)(`audit log (P2.3) on ${kind}`, () => {
    let t: TestCore;
    beforeAll(async () => {
      t = await createTestCore(kind);
    });
    afterAll(async () => t?.close());

    const q = (sql: string, params?: unknown[]) => t.db.database.query(sql, params);

    it('writes the audit event with the change and chains it gap-free', async () => {
      const d = await t.core.departments.create(SYSTEM, { name: '客户服务部' });
      await t.core.audit.flush();
      const rows = await q(`SELECT seq, action, resource_id, clauses, prev_hash, hash FROM audit_events ORDER BY seq`);
      const ev = rows.find((r) => r.resource_id === d.id)!;
      expect(ev.action).toBe('department.created');
      expect(ev.clauses).toEqual(['P1.2']);
      const seqs = rows.map((r) => Number(r.seq));
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
      const v = await t.core.auditLog.verify(SYSTEM);
      expect(v).toMatchObject({ intact: true, firstBrokenSeq: null, reason: null });
      expect(v.checkedEvents).toBe(rows.length);
    });

    it('refuses UPDATE, DELETE and TRUNCATE on the audit table', async () => {
      await expect(q(`UPDATE audit_events SET action = 'x.y' WHERE seq = 1`)).rejects.toThrow(/append-only/);
      await expect(q(`DELETE FROM audit_events WHERE seq = 1`)).rejects.toThrow(/append-only/);
      await expect(q(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
      // Re-chaining an already chained row is refused too.
      await expect(q(`UPDATE audit_events SET hash = repeat('0', 64) WHERE seq = 1`)).rejects.toThrow(/append-only/);
    });

    it('rolls back the change when its audit insert fails (fail closed)', async () => {
      await q(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN IF NEW.action = 'department.created' THEN RAISE EXCEPTION 'audit store refused'; END IF; RETURN NEW; END $$`);
      await q(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit()`);
      try {
        await expect(t.core.departments.create(SYSTEM, { name: 'never-stored' })).rejects.toThrow(/^audit store refused$/);
        expect(await q(`SELECT id FROM departments WHERE name = 'never-stored'`)).toHaveLength(0);
      } finally {
        await q(`DROP TRIGGER refuse_audit ON audit_events`);
        await q(`DROP FUNCTION refuse_audit()`);
      }
    });

    it('rolls back a transaction whose only statements (its audit rows) fail, leaving no connection mid-transaction', async () => {
      for (let i = 0; i < 12; i++) {
        await expect(
          t.db.database.transaction(
            async () => 1,
            () => `INSERT INTO no_such_table VALUES (${i})`,
          ),
        ).rejects.toThrow(/no_such_table/);
      }
      // Every pooled connection is usable again (an aborted one would refuse this).
      const results = await Promise.all(Array.from({ length: 12 }, () => t.db.database.transaction(async (tx) => tx.execute('SELECT 1'))));
      expect(results).toHaveLength(12);
    });

    it('audits denied attempts even though the operation did not happen', async () => {
      const staff = await makeUser(t.core, ['staff']);
      await expect(t.core.departments.create(staff, { name: 'not-allowed' })).rejects.toBeInstanceOf(ForbiddenError);
      await t.core.audit.flush();
      const rows = await q(`SELECT action, outcome, actor_id, details FROM audit_events WHERE action = 'access.denied' AND actor_id = $1`, [
        staff.userId,
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ outcome: 'denied', details: { operation: 'createDepartment', permission: 'department.manage' } });
    });

    it('keeps concurrent writers gap-free and verifiable', async () => {
      await Promise.all(Array.from({ length: 40 }, (_, i) => t.core.departments.create(SYSTEM, { name: `并发-${i}` })));
      await t.core.audit.flush();
      const [{ n, max }] = (await q(`SELECT count(*)::int AS n, max(seq)::int AS max FROM audit_events`)) as [{ n: number; max: number }];
      expect(Number(max)).toBe(Number(n));
      expect((await t.core.auditLog.verify(SYSTEM)).intact).toBe(true);
    });

    it('reports the sequence number of a row changed directly in SQL with triggers disabled', async () => {
      await t.core.audit.flush();
      const [{ seq }] = (await q(`SELECT seq FROM audit_events WHERE action = 'department.created' ORDER BY seq LIMIT 1 OFFSET 2`)) as [
        { seq: number },
      ];
      await q(`ALTER TABLE audit_events DISABLE TRIGGER USER`);
      try {
        await q(`UPDATE audit_events SET details = jsonb_set(details, '{name}', '"tampered"') WHERE seq = $1`, [seq]);
      } finally {
        await q(`ALTER TABLE audit_events ENABLE TRIGGER USER`);
      }
      const v = await t.core.audit.verify();
      expect(v.intact).toBe(false);
      expect(v.firstBrokenSeq).toBe(Number(seq));
      expect(v.reason).toBe('hash_mismatch');
      // Restore for the next test by undoing the change (still as "superuser").
      await q(`ALTER TABLE audit_events DISABLE TRIGGER USER`);
      await q(
        `UPDATE audit_events SET details = details - 'name' || jsonb_build_object('name', (SELECT name FROM departments WHERE id::text = resource_id)) WHERE seq = $1`,
        [seq],
      );
      await q(`ALTER TABLE audit_events ENABLE TRIGGER USER`);
      expect((await t.core.audit.verify()).intact).toBe(true);
    });

    it('catches a consistently rewritten chain with the signed checkpoint', async () => {
      const cp = await t.core.audit.checkpoint();
      expect(cp).not.toBeNull();
      expect(readCheckpoints(t.core.config.audit.checkpointFile).at(-1)).toEqual(cp);
      // Rewrite history as a superuser would: change an early event, then recompute every hash after it.
      await q(`ALTER TABLE audit_events DISABLE TRIGGER USER`);
      await q(`UPDATE audit_events SET actor_name = 'someone-else' WHERE seq = 2`);
      const { chainHash, GENESIS_HASH } = await import('../src/audit/audit-fns.js');
      const { readChainPage } = await import('../src/audit/audit-repo.js');
      const rows = await readChainPage(t.db.database, 0, 1_000_000);
      let prev = GENESIS_HASH;
      for (const r of rows) {
        const hash = chainHash(r.seq, prev, r.body);
        await q(`UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE seq = $3`, [prev, hash, r.seq]);
        prev = hash;
      }
      await q(`ALTER TABLE audit_events ENABLE TRIGGER USER`);
      const v = await t.core.audit.verify();
      expect(v.reason).toBe('checkpoint_mismatch');
      expect(v.intact).toBe(false);
      expect(v.firstBrokenSeq).toBe(cp!.seq);
      expect(v.checkpoints.failed).toBeGreaterThan(0);
    });

    it('verifies a long chain in two halves on PostgreSQL and still finds a break in either half', async () => {
      for (let i = 0; i < 30; i++) await t.core.departments.create(SYSTEM, { name: `halves-${i}` });
      await t.core.audit.flush();
      const [{ max }] = (await q(`SELECT max(seq)::int AS max FROM audit_events`)) as [{ max: number }];
      const whole = await t.core.audit.verify({ parallelAbove: 1_000_000 });
      const halves = await t.core.audit.verify({ parallelAbove: 10 });
      expect(halves).toEqual(whole);
      for (const seq of [3, max - 2, Math.floor(max / 2), Math.floor(max / 2) + 1]) {
        await q(`ALTER TABLE audit_events DISABLE TRIGGER USER`);
        await q(`UPDATE audit_events SET actor_name = actor_name || '!' WHERE seq = $1`, [seq]);
        const v = await t.core.audit.verify({ parallelAbove: 10 });
        await q(`UPDATE audit_events SET actor_name = left(actor_name, length(actor_name) - 1) WHERE seq = $1`, [seq]);
        await q(`ALTER TABLE audit_events ENABLE TRIGGER USER`);
        expect(v.intact).toBe(false);
        expect(v.firstBrokenSeq).toBe(seq);
      }
    });

    it('fails a forged checkpoint line', async () => {
      const file = t.core.config.audit.checkpointFile;
      const last = readCheckpoints(file).at(-1)!;
      fs.appendFileSync(file, JSON.stringify({ ...last, seq: last.seq - 1 }) + '\n');
      const v = await t.core.audit.verify();
      expect(v.checkpoints.failed).toBeGreaterThanOrEqual(2);
    });
  });
}
