import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, type Actor, type PreviewResult } from '../src/index.js';
import { createTestCore, DB_KINDS, makeUser, reportSkip, type TestCore } from './helpers.js';
import { seedPurpose, type PurposeFixture } from './consent-fixtures.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const SENSITIVE = new Set(['resident_id', 'health']);
const mobile = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
const cn = (i: number) => '一二三四五六七八九十甲乙丙丁戊己庚辛壬癸'[i]!;
const key = () => randomBytes(12).toString('hex');
/** A valid resident ID: Guangdong (44), born 1987-06-15, male (odd 17th digit). */
const RESIDENT_ID = '440305198706151238';

function childRun(
  env: Record<string, string>,
  args: string[],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'retention-child.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
}

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`retention suite on ${kind}`, skip);
  describe.skipIf(skip)(`retention rules, holds and the sweep on ${kind}`, () => {
    // Several processes on one database exist only on PostgreSQL (PGlite is one process): these
    // tests belong to the PostgreSQL suite, which is reported as skipped where it cannot run.
    const itOnPostgres = kind === 'postgres' ? it : (((): void => {}) as unknown as typeof it);
    let t: TestCore;
    let officer: Actor;
    const q = <R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]) =>
      t.db.database.query<R>(sql, params);

    async function purpose(fields: string[]): Promise<PurposeFixture> {
      return seedPurpose(t.core, { fields });
    }

    async function collect(f: PurposeFixture, values: Record<string, string>): Promise<string> {
      const names = Object.keys(values);
      const r = await t.core.collection.collect(
        f.staff,
        {
          purposeCode: f.code,
          noticeId: f.noticeId,
          channelId: f.channelId,
          fields: values,
          consent: {
            method: 'checkbox',
            scope: names.filter((n) => !SENSITIVE.has(n)),
            separate: names.filter((n) => SENSITIVE.has(n)).map((category) => ({ type: 'sensitive' as const, category })),
          },
        },
        { idempotencyKey: key() },
      );
      return r.customerId!;
    }

    /** Move a customer's history `days` into the past (the ledger's append-only trigger is lifted for it). */
    async function backdate(id: string, days: number): Promise<void> {
      const iv = `${days} days`;
      await q(`ALTER TABLE consent_records DISABLE TRIGGER consent_records_append_only`);
      await q(`UPDATE consent_records SET recorded_at = recorded_at - $2::interval WHERE customer_id = $1`, [id, iv]);
      await q(`ALTER TABLE consent_records ENABLE TRIGGER consent_records_append_only`);
      await q(
        `UPDATE consent_state SET given_at = given_at - $2::interval, withdrawn_at = withdrawn_at - $2::interval WHERE customer_id = $1`,
        [id, iv],
      );
      await q(`UPDATE customers SET created_at = created_at - $2::interval, updated_at = updated_at - $2::interval WHERE id = $1`, [
        id,
        iv,
      ]);
    }

    const rule = (
      purposeCode: string,
      days: number,
      trigger: 'collection' | 'relationship_end' | 'last_activity' | 'consent_withdrawal',
      action: 'delete' | 'anonymise' = 'delete',
    ) => t.core.retention.createRule(officer, { purposeCode, days, trigger, action, description: '业务需要 / business need' });

    const fieldsOf = async (id: string) =>
      (await q<{ c: string }>(`SELECT category_code AS c FROM customer_fields WHERE customer_id = $1 ORDER BY 1`, [id])).map((r) => r.c);
    const statusOf = async (id: string) =>
      (
        await q<{ status: string; destroyed: boolean }>(
          `SELECT c.status, k.wrapped_key IS NULL AS destroyed FROM customers c JOIN customer_keys k ON k.customer_id = c.id WHERE c.id = $1`,
          [id],
        )
      )[0]!;
    const destructionsOf = async (id: string) => q(`SELECT * FROM retention_destructions WHERE customer_id = $1`, [id]);

    beforeAll(async () => {
      t = await createTestCore(kind, { CUSTOS_RETENTION_CRON: 'off' });
      officer = await makeUser(t.core, ['compliance_officer']);
    });
    afterAll(async () => t?.close());

    it('the dry run and the real run agree exactly; expired data goes, held, re-consented and still-needed data stays', async () => {
      const a = await purpose(['name', 'mobile', 'email', 'resident_id', 'gender', 'address']);
      const b = await purpose(['mobile']);
      const c = await purpose(['name', 'resident_id', 'gender', 'address']);
      const e = await purpose(['name', 'mobile']);
      const w = await purpose(['name', 'mobile']);
      await rule(a.code, 30, 'collection');
      await rule(b.code, 365, 'collection');
      await rule(c.code, 10, 'collection', 'anonymise');
      await rule(e.code, 10, 'relationship_end');
      await rule(w.code, 5, 'consent_withdrawal');

      const expired = await collect(a, { name: '张三', mobile: mobile(), email: 'a@example.com' });
      const m2 = mobile();
      const partial = await collect(a, { name: '李四', mobile: m2, email: 'b@example.com' });
      expect(await collect(b, { mobile: m2 })).toBe(partial); // the same customer, also held for purpose b
      const held = await collect(a, { name: '王五', mobile: mobile() });
      const reconsented = await collect(a, { name: '赵六', mobile: mobile() });
      const fresh = await collect(a, { name: '钱七', mobile: mobile() });
      const anon = await collect(c, { name: '孙八', resident_id: RESIDENT_ID, gender: '男', address: '广东省深圳市南山区科技园路1号' });
      const ongoing = await collect(e, { name: '周九', mobile: mobile() });
      const ended = await collect(e, { name: '吴十', mobile: mobile() });
      const withdrawn = await collect(w, { name: '郑一', mobile: mobile() });
      const standing = await collect(w, { name: '冯二', mobile: mobile() });
      for (const id of [expired, partial, held, reconsented, anon, ongoing, ended, standing]) await backdate(id, 40);
      // Re-consent now restarts the clock of a customer whose collection is 40 days old.
      await t.core.consent.record(a.staff, reconsented, {
        purposeCode: a.code,
        noticeId: a.noticeId,
        scope: ['name', 'mobile'],
        method: 'paper_signature',
      });
      await t.core.retention.placeHold(officer, { customerId: held, reason: '诉讼保全 case 2024-17', legalBasis: '民事诉讼法 第100条' });
      await t.core.retention.endRelationship(officer, ended, {
        endedAt: new Date(Date.now() - 15 * 86_400_000).toISOString(),
        reason: 'account closed',
      });
      await t.core.consent.withdraw(w.staff, withdrawn, { purposeCode: w.code, method: 'paper_signature' });
      await backdate(withdrawn, 10);
      const ledgerBefore = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM consent_records`))[0]!.n;

      const preview: PreviewResult = await t.core.retention.preview(officer, {});
      const byCustomer = new Map(preview.items.map((i) => [i.customerId, i]));
      expect(byCustomer.get(expired)).toMatchObject({ action: 'delete', fields: ['email', 'mobile', 'name'] });
      expect(byCustomer.get(partial)).toMatchObject({ action: 'remove_fields', fields: ['email', 'name'] });
      expect(byCustomer.get(anon)).toMatchObject({ action: 'anonymise' });
      expect(byCustomer.get(ended)).toMatchObject({ action: 'delete' });
      expect(byCustomer.get(withdrawn)).toMatchObject({ action: 'delete' });
      for (const id of [held, reconsented, fresh, ongoing, standing]) expect(byCustomer.has(id)).toBe(false);
      expect(preview.counts).toMatchObject({ deleted: 3, anonymised: 1, customersWithFieldsRemoved: 1, fieldsRemoved: 2, held: 1 });
      // The dry run changed nothing.
      expect((await fieldsOf(expired)).length).toBe(3);

      const run = await t.core.retention.run(officer, { batchSize: 3 });
      expect(run.status).toBe('completed');
      expect(run.counts).toEqual(preview.counts);
      const report = await t.core.retention.getRun(officer, run.id, { limit: 1000 });
      expect(report.totalDestructions).toBe(preview.items.length);
      const norm = (x: { customerId: string; action: string; fields: string[]; rules: string[]; expiredAt: string }) =>
        JSON.stringify([x.customerId, x.action, x.fields, x.rules, x.expiredAt]);
      expect(report.destructions.map(norm).sort()).toEqual(preview.items.map(norm).sort());

      expect(await statusOf(expired)).toEqual({ status: 'deleted', destroyed: true });
      expect(await fieldsOf(expired)).toEqual([]);
      expect(await fieldsOf(partial)).toEqual(['mobile']);
      expect(await statusOf(partial)).toEqual({ status: 'active', destroyed: false });
      for (const id of [held, reconsented, fresh, ongoing, standing]) expect((await statusOf(id)).status).toBe('active');
      expect(await fieldsOf(held)).toEqual(['mobile', 'name']);
      // Anonymised: identifiers destroyed, a generalised statistics row kept (no customer id in it).
      expect(await statusOf(anon)).toEqual({ status: 'deleted', destroyed: true });
      const stats = await q(`SELECT * FROM retention_statistics WHERE $1 = ANY(purposes)`, [c.code]);
      expect(stats).toEqual([expect.objectContaining({ birth_year_band: 1985, province_code: '44', gender: 'male' })]);
      // Consent records and audit events are untouched (their own, longer retention).
      expect((await q<{ n: number }>(`SELECT count(*)::int AS n FROM consent_records`))[0]!.n).toBe(ledgerBefore);
      const [d] = await destructionsOf(expired);
      expect(new Date(d!.keep_until as string).getTime() - Date.now()).toBeGreaterThan(3 * 365 * 86_400_000);
      // A second run finds nothing: idempotent.
      const again = await t.core.retention.run(officer, {});
      expect(again.counts).toMatchObject({ deleted: 0, anonymised: 0, fieldsRemoved: 0 });
      const events = await t.core.auditLog.list(officer, { action: 'retention.batch_executed' });
      expect(JSON.stringify(events.items)).toContain(expired);
    });

    it('data collected under a purpose that does not rest on consent expires by that purpose too', async () => {
      const p = await seedPurpose(t.core, { fields: ['name', 'mobile'], legalBasis: 'contract' });
      await rule(p.code, 10, 'collection');
      const collectPlain = async (values: Record<string, string>) =>
        (
          await t.core.collection.collect(
            p.staff,
            { purposeCode: p.code, noticeId: p.noticeId, channelId: p.channelId, fields: values },
            { idempotencyKey: key() },
          )
        ).customerId!;
      const old = await collectPlain({ name: '合同甲', mobile: mobile() });
      const recent = await collectPlain({ name: '合同乙', mobile: mobile() });
      expect(await q(`SELECT count(*)::int AS n FROM consent_records WHERE customer_id = $1`, [old])).toEqual([{ n: 0 }]);
      expect(await q(`SELECT legal_basis FROM customer_purposes WHERE customer_id = $1`, [old])).toEqual([{ legal_basis: 'contract' }]);
      await q(
        `UPDATE customer_purposes SET first_collected_at = first_collected_at - interval '20 days', last_collected_at = last_collected_at - interval '20 days' WHERE customer_id = $1`,
        [old],
      );
      await q(
        `UPDATE customers SET created_at = created_at - interval '20 days', updated_at = updated_at - interval '20 days' WHERE id = $1`,
        [old],
      );
      const plan = await t.core.retention.preview(officer);
      expect(plan.items.filter((i) => i.customerId === old || i.customerId === recent).map((i) => [i.customerId, i.action])).toEqual([
        [old, 'delete'],
      ]);
    });

    it('a rule hold stops the clock; releasing it lets the next sweep act; holds and runs are listed', async () => {
      const p = await purpose(['name', 'mobile']);
      const r = await rule(p.code, 10, 'collection');
      const id = await collect(p, { name: '陈三', mobile: mobile() });
      await backdate(id, 20);
      const hold = await t.core.retention.placeHold(officer, { ruleId: r.id, reason: 'regulator inquiry', legalBasis: 'PIPL Art. 47(2)' });
      expect((await t.core.retention.preview(officer)).items.some((i) => i.customerId === id)).toBe(false);
      const rules = await t.core.retention.listRules(officer);
      expect(rules.find((x) => x.id === r.id)).toMatchObject({ held: true });
      expect(rules.find((x) => x.key === `purpose:${p.code}`)).toMatchObject({ overridden: true, source: 'purpose' });
      await t.core.retention.run(officer);
      expect((await statusOf(id)).status).toBe('active');
      expect((await t.core.retention.listHolds(officer)).map((h) => h.id)).toContain(hold.id);
      await t.core.retention.releaseHold(officer, hold.id, { reason: 'inquiry closed' });
      await expect(t.core.retention.releaseHold(officer, hold.id, { reason: 'again' })).rejects.toBeInstanceOf(ConflictError);
      const run = await t.core.retention.run(officer);
      expect(run.counts.deleted).toBe(1);
      expect((await statusOf(id)).status).toBe('deleted');
      expect((await t.core.retention.listRuns(officer)).map((x) => x.id)).toContain(run.id);
      const upcoming = await t.core.retention.expiries(officer, { days: 3650 });
      expect(upcoming.due).toBe(0);
    });

    it('only permitted roles manage retention; auditors read; a concurrent sweep in this process is refused', async () => {
      const staff = await makeUser(t.core, ['staff']);
      const auditor = await makeUser(t.core, ['auditor']);
      await expect(t.core.retention.run(staff)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.retention.run(auditor)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.core.retention.placeHold(auditor, { purposeCode: 'p_none', reason: 'xx', legalBasis: 'yy' })).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      expect(Array.isArray(await t.core.retention.listRuns(auditor))).toBe(true);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const p = await purpose(['name']);
      for (let i = 0; i < 3; i++) await collect(p, { name: `林${cn(i)}` });
      const first = t.core.retention.run(officer, { batchSize: 1 }, { afterBatch: () => gate });
      await new Promise((r) => setTimeout(r, 50));
      await expect(t.core.retention.run(officer)).rejects.toBeInstanceOf(ConflictError);
      release();
      expect((await first).status).toBe('completed');
    });

    itOnPostgres('kill -9 in the middle of a sweep, then a new sweep: exactly the expected set, one record each', async () => {
      const p = await purpose(['name', 'mobile']);
      await rule(p.code, 10, 'collection');
      const doomed: string[] = [];
      for (let i = 0; i < 12; i++) doomed.push(await collect(p, { name: `黄${cn(i)}`, mobile: mobile() }));
      const keep = await collect(p, { name: '黄留', mobile: mobile() });
      for (const id of doomed) await backdate(id, 20);
      const env = { DATABASE_URL: t.db.url!, CUSTOS_DATA_DIR: t.core.config.dataDir, CUSTOS_RETENTION_BATCH_SIZE: '2' };
      // Kill after enough batches of 2 to have passed more customers than are not doomed: some are done, not all.
      const active = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE status = 'active'`))[0]!.n;
      const killAfter = Math.ceil((active - doomed.length + 1) / 2);
      expect(killAfter * 2).toBeLessThan(active);
      const child = await childRun(env, [`kill:${killAfter}`]);
      expect(child.signal, child.err).toBe('SIGKILL');
      const [crashed] = await q<{ id: string; status: string; batches: number }>(
        `SELECT id, status, batches FROM retention_runs WHERE status = 'running'`,
      );
      expect(crashed).toMatchObject({ status: 'running', batches: killAfter });
      const partlyDone = (
        await q<{ n: number }>(`SELECT count(*)::int AS n FROM retention_destructions WHERE run_id = $1`, [crashed!.id])
      )[0]!.n;
      expect(partlyDone).toBeGreaterThan(0);
      expect(partlyDone).toBeLessThan(doomed.length);

      const resumed = await t.core.retention.run(officer);
      expect(resumed).toMatchObject({ id: crashed!.id, status: 'completed', resumes: 1 });
      const rows = await q<{ customer_id: string; n: number }>(
        `SELECT customer_id, count(*)::int AS n FROM retention_destructions WHERE customer_id = ANY($1::uuid[]) GROUP BY customer_id`,
        [[...doomed, keep]],
      );
      expect(rows.map((r) => r.customer_id).sort()).toEqual([...doomed].sort());
      expect(rows.every((r) => r.n === 1)).toBe(true);
      for (const id of doomed) expect(await statusOf(id)).toEqual({ status: 'deleted', destroyed: true });
      expect((await statusOf(keep)).status).toBe('active');
    });

    itOnPostgres('two processes started together run the scheduled sweep once', async () => {
      const p = await purpose(['name']);
      await rule(p.code, 10, 'collection');
      const doomed: string[] = [];
      for (let i = 0; i < 6; i++) doomed.push(await collect(p, { name: `何${cn(i)}` }));
      for (const id of doomed) await backdate(id, 20);
      const tick = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
      const env = {
        DATABASE_URL: t.db.url!,
        CUSTOS_DATA_DIR: t.core.config.dataDir,
        CUSTOS_RETENTION_BATCH_SIZE: '2',
        RETENTION_CHILD_DELAY_MS: '300',
        RETENTION_CHILD_START_AT: String(Date.now() + 4000),
      };
      const [one, two] = await Promise.all([childRun(env, [`tick:${tick}`]), childRun(env, [`tick:${tick}`])]);
      const results = [one, two].map((c) => {
        expect(c.code, c.err).toBe(0);
        return JSON.parse(c.out.trim().split('\n').at(-1)!).result as 'skipped' | { id: string; counts: { deleted: number } };
      });
      expect(results.filter((r) => r === 'skipped')).toHaveLength(1);
      const ran = results.find((r) => r !== 'skipped') as { id: string; counts: { deleted: number } };
      expect(ran.counts.deleted).toBeGreaterThanOrEqual(doomed.length);
      expect((await q(`SELECT id FROM retention_runs WHERE scheduled_for = $1`, [tick])).length).toBe(1);
      const rows = await q<{ n: number }>(`SELECT count(*)::int AS n FROM retention_destructions WHERE customer_id = ANY($1::uuid[])`, [
        doomed,
      ]);
      expect(rows[0]!.n).toBe(doomed.length);
      // The same tick again (a late process): skipped.
      expect(await t.core.retention.runScheduled(new Date(tick))).toBe('skipped');
    });
  });
}
