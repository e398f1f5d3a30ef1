import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExportLinkGoneError,
  ForbiddenError,
  NotFoundError,
  PolicyViolationError,
  type Actor,
  type DatasetSpecInput,
} from '../src/index.js';
import { createTestCore, DB_KINDS, makeUser, reportSkip, SYSTEM, type TestCore } from './helpers.js';
import { seedPurpose, type PurposeFixture } from './consent-fixtures.js';
import { readZip } from './zip-reader.js';

const FIELDS = ['name', 'mobile', 'date_of_birth', 'preferences'];

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`export suite on ${kind}`, skip);
  describe.skipIf(skip)(`risk-checked exports under a grant on ${kind}`, () => {
    let t: TestCore;
    let f: PurposeFixture;
    let manager: Actor;
    let grantId: string;
    const q = (sql: string, params?: unknown[]) => t.db.database.query(sql, params) as Promise<Array<Record<string, unknown>>>;

    const download = async (path: string, actor: Actor) => {
      const token = path.split('/').pop()!;
      const d = await t.core.exports.download(actor, token);
      const chunks: Buffer[] = [];
      for await (const c of d.stream) chunks.push(c as Buffer);
      return { ...d, body: Buffer.concat(chunks) };
    };

    async function approvedGrant(method: 'view' | 'export', fields = FIELDS, days = 30): Promise<string> {
      const app = await t.core.use.create(f.staff, {
        purposeCode: f.code,
        scenario: '会员分析',
        fields,
        customerScope: { kind: 'all' },
        method,
        validFrom: new Date(Date.now() - 60_000).toISOString(),
        validUntil: new Date(Date.now() + days * 86_400_000).toISOString(),
        justification: '季度会员结构分析',
      });
      await t.core.use.submit(f.staff, app.id);
      await t.core.use.review(f.author, app.id, { decision: 'approve' });
      return (await t.core.use.review(manager, app.id, { decision: 'approve' })).grantId!;
    }

    const spec = (over: Partial<DatasetSpecInput> = {}): DatasetSpecInput => ({
      columns: [
        { field: 'name', role: 'identifier', piType: 'person_name', operator: { kind: 'display_mask' } },
        { field: 'mobile', role: 'identifier', piType: 'cn_mobile', operator: { kind: 'pseudonymise' } },
        { field: 'date_of_birth', role: 'quasi_identifier', piType: 'date', operator: { kind: 'generalise', hierarchy: 'date' } },
        { field: 'preferences', role: 'insensitive', operator: { kind: 'keep' } },
      ],
      privacyModel: { k: 3, maxSuppression: 0 },
      ...over,
    });

    beforeAll(async () => {
      t = await createTestCore(kind);
      f = await seedPurpose(t.core, { fields: FIELDS });
      manager = await makeUser(t.core, ['management_approver']);
      await t.core.customers.setDepartmentPurposes(SYSTEM, f.staff.departmentId!, { purposes: [f.code] });
      // Six customers born in 1990 (two months), with consent; one stored without any consent.
      const births = ['1990-01-03', '1990-01-17', '1990-01-25', '1990-02-02', '1990-02-14', '1990-02-27'];
      for (const [i, birth] of births.entries()) {
        const r = await t.core.collection.collect(
          f.staff,
          {
            purposeCode: f.code,
            noticeId: f.noticeId,
            channelId: f.channelId,
            fields: {
              name: `张${'伟芳娜敏静丽'[i]}`,
              mobile: `1381234560${i}`,
              date_of_birth: birth,
              preferences: i === 0 ? '=HYPERLINK("x")' : '茶',
            },
            consent: { method: 'checkbox', scope: FIELDS },
          },
          { idempotencyKey: randomBytes(12).toString('hex') },
        );
        expect(r.customerId).toBeTruthy();
      }
      // Stored without any consent: in the grant's scope, left out of every export.
      await t.core.customers.create(SYSTEM, {
        fields: { name: '李四', mobile: '13912345678', date_of_birth: '1990-01-05', preferences: '咖啡' },
      });
      grantId = await approvedGrant('export');
    });
    afterAll(async () => t?.close());

    it('previews the risk and de-identified rows; customers without consent are left out and counted', async () => {
      const p = await t.core.exports.preview(f.staff, { grantId, spec: spec(), sampleSize: 3 });
      expect(p.population).toEqual({ inScope: 7, included: 6, excludedNoConsent: 1 });
      // Full dates: every record alone. The search proposes months (3 per class).
      expect(p.measured.k).toBe(1);
      expect(p.chosen.satisfied).toBe(false);
      expect(p.plan.proposal?.levelsByField).toEqual({ date_of_birth: 1 });
      expect(p.plan.proposal?.k).toBe(3);
      const withLevels = await t.core.exports.preview(f.staff, { grantId, spec: spec(), levels: { date_of_birth: 1 }, sampleSize: 3 });
      expect(withLevels.chosen).toMatchObject({ satisfied: true, k: 3 });
      expect(withLevels.measured).toEqual({ k: 3, l: null });
      expect(withLevels.sample).toHaveLength(3);
      for (const row of withLevels.sample) {
        expect(row.name).toMatch(/^张\*$/);
        expect(row.mobile).toMatch(/^[0-9a-f]{16}$/);
        expect(row.date_of_birth).toMatch(/^1990-0[12]$/);
      }
      const audit = await q(`SELECT details FROM audit_events WHERE action = 'export.previewed' ORDER BY seq DESC LIMIT 1`);
      expect(JSON.stringify(audit[0]!.details)).not.toContain('1381234560');
    });

    it('refuses a release below the target k, writes nothing and records the refusal', async () => {
      const before = (await q(`SELECT count(*)::int AS n FROM exports`))[0]!.n;
      const err = await t.core.exports
        .create(f.staff, { grantId, spec: spec(), format: 'csv', recipient: '会员运营组' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PolicyViolationError);
      expect((err as PolicyViolationError).problems).toContainEqual({ field: 'privacyModel.k', reason: 'k_not_met' });
      expect((await q(`SELECT count(*)::int AS n FROM exports`))[0]!.n).toBe(before);
      expect(readdirSync(t.core.config.exports.dir)).toEqual([]);
      const refused = await q(`SELECT details FROM audit_events WHERE action = 'export.refused' ORDER BY seq DESC LIMIT 1`);
      expect(refused[0]!.details).toMatchObject({ reasons: ['k_not_met'], targetK: 3 });
      // Also with l-diversity asked of a sensitive column that has one value per class.
      const lSpec = spec({ privacyModel: { k: 3, l: 2, maxSuppression: 0 } });
      lSpec.columns[3] = { field: 'preferences', role: 'sensitive', operator: { kind: 'keep' } };
      const lErr = await t.core.exports
        .create(f.staff, { grantId, spec: lSpec, levels: { date_of_birth: 1 }, recipient: '会员运营组' })
        .catch((e: unknown) => e);
      expect((lErr as PolicyViolationError).problems).toContainEqual({ field: 'privacyModel.l', reason: 'l_not_met' });
    });

    it('releases at the accepted generalisation; the link works once, for its creator, and the record keeps k, hash and counts', async () => {
      const e = await t.core.exports.create(
        f.staff,
        { grantId, spec: spec(), levels: { date_of_birth: 1 }, format: 'csv', recipient: '会员运营组' },
        { idempotencyKey: 'export-key-0001' },
      );
      expect(e).toMatchObject({ k: 3, targetK: 3, rowCount: 6, inScopeCount: 7, excludedCount: 1, suppressedCount: 0, status: 'ready' });
      expect(e.downloadPath).toMatch(/^\/api\/v1\/exports\/download\/cxl_/);
      // A retry with the same key answers the same export; nothing is duplicated.
      const again = await t.core.exports.create(
        f.staff,
        { grantId, spec: spec(), levels: { date_of_birth: 1 }, format: 'csv', recipient: '会员运营组' },
        { idempotencyKey: 'export-key-0001' },
      );
      expect(again.id).toBe(e.id);
      expect((await q(`SELECT count(*)::int AS n FROM exports WHERE grant_id = $1`, [grantId]))[0]!.n).toBe(1);
      expect(readdirSync(t.core.config.exports.dir)).toEqual([`${e.id}.cxf`]);

      // Someone else in the department cannot use the creator's link.
      const colleague = await makeUser(t.core, ['staff'], { departmentId: f.staff.departmentId! });
      await expect(download(e.downloadPath!, colleague)).rejects.toBeInstanceOf(NotFoundError);
      const d = await download(e.downloadPath!, f.staff);
      expect(createHash('sha256').update(d.body).digest('hex')).toBe(e.fileSha256);
      const lines = d.body
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(lines[0]).toBe('name,mobile,date_of_birth,preferences');
      expect(lines).toHaveLength(7);
      expect(lines.some((l) => l.includes('李四') || l.includes('李*'))).toBe(false);
      // Formula injection: the cell is escaped with a leading apostrophe.
      expect(lines.some((l) => l.endsWith(`"'=HYPERLINK(""x"")"`))).toBe(true);
      expect(d.body.toString('utf8')).not.toMatch(/1381234560/);
      // Pseudonyms differ from another recipient's export.
      await expect(download(e.downloadPath!, f.staff)).rejects.toBeInstanceOf(ExportLinkGoneError);
      await new Promise((r) => setTimeout(r, 50));
      expect(readdirSync(t.core.config.exports.dir)).toEqual([]);
      const report = await t.core.exports.report(f.staff, e.id);
      expect(report).toMatchObject({ status: 'downloaded', levelsByField: { date_of_birth: 1 }, recipient: '会员运营组' });
      expect(report.downloadPath).toBeUndefined();
      const accesses = await q(`SELECT operation FROM grant_accesses WHERE grant_id = $1 ORDER BY id`, [grantId]);
      expect(accesses.map((a) => a.operation)).toContain('createExport');
      const events = await q(`SELECT action, details FROM audit_events WHERE resource_id = $1 ORDER BY seq`, [e.id]);
      expect(events.map((x) => x.action)).toEqual(['export.created', 'export.downloaded']);
      expect(events[0]!.details).toMatchObject({ k: 3, rows: 6, fileSha256: e.fileSha256, excluded: 1 });
      // The file left the vault: it is in the processing-records register, with its hash and count.
      const [rec] = await q(`SELECT kind, customer_count, file_hash, recipient_name FROM processing_records WHERE subject_id = $1`, [e.id]);
      expect(rec).toMatchObject({ kind: 'export', customer_count: 6, file_hash: e.fileSha256, recipient_name: '会员运营组' });
    });

    it('writes XLSX; pseudonyms are stable within an export and differ between recipients', async () => {
      const mk = async (recipient: string) => {
        const e = await t.core.exports.create(f.staff, { grantId, spec: spec(), levels: { date_of_birth: 1 }, format: 'xlsx', recipient });
        const d = await download(e.downloadPath!, f.staff);
        const sheet = readZip(d.body).get('xl/worksheets/sheet1.xml')!;
        return [...sheet.matchAll(/<c r="B\d+" t="inlineStr"><is><t xml:space="preserve">([0-9a-f]{16})<\/t>/g)].map((m) => m[1]);
      };
      const a = await mk('风控组');
      const b = await mk('市场组');
      expect(a).toHaveLength(6);
      expect(new Set(a).size).toBe(6);
      expect(a.some((x) => b.includes(x))).toBe(false);
    });

    it('refuses exports outside the grant: other fields, a view grant, a revoked grant, another department', async () => {
      const outside = spec();
      outside.columns.push({ field: 'email', role: 'identifier', operator: { kind: 'redact' } });
      await expect(t.core.exports.create(f.staff, { grantId, spec: outside, recipient: '会员运营组' })).rejects.toMatchObject({
        problems: [{ field: 'email', reason: 'fields_outside_grant' }],
      });
      const viewGrant = await approvedGrant('view');
      await expect(
        t.core.exports.create(f.staff, { grantId: viewGrant, spec: spec(), levels: { date_of_birth: 1 }, recipient: 'x组' }),
      ).rejects.toThrow(/method_outside_grant/);
      const other = await makeUser(t.core, ['staff']);
      await expect(t.core.exports.preview(other, { grantId, spec: spec() })).rejects.toBeInstanceOf(NotFoundError);
      const toRevoke = await approvedGrant('export');
      await t.core.use.revokeGrant(f.approver, toRevoke, { reason: '项目结束' });
      await expect(
        t.core.exports.create(f.staff, { grantId: toRevoke, spec: spec(), levels: { date_of_birth: 1 }, recipient: 'x组' }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await q(`UPDATE grants SET valid_until = now() - interval '1 second', valid_from = now() - interval '2 days' WHERE id = $1`, [
        viewGrant,
      ]);
      const expired = await approvedGrant('export');
      await q(`UPDATE grants SET valid_from = now() - interval '2 days', valid_until = now() - interval '1 second' WHERE id = $1`, [
        expired,
      ]);
      await expect(
        t.core.exports.create(f.staff, { grantId: expired, spec: spec(), levels: { date_of_birth: 1 }, recipient: 'x组' }),
      ).rejects.toThrow(/expired/);
    });

    it('an expired link is refused', async () => {
      const e = await t.core.exports.create(f.staff, { grantId, spec: spec(), levels: { date_of_birth: 1 }, recipient: '会员运营组' });
      await q(`UPDATE exports SET expires_at = now() - interval '1 second' WHERE id = $1`, [e.id]);
      await expect(download(e.downloadPath!, f.staff)).rejects.toMatchObject({ code: 'export_link_expired', status: 410 });
      expect(await t.core.exports.sweepExpired()).toBeGreaterThanOrEqual(1);
      expect(readdirSync(t.core.config.exports.dir)).not.toContain(`${e.id}.cxf`);
    });
  });
}
