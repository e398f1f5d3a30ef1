import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupError,
  BackupIntegrityError,
  ConflictError,
  createBackupService,
  createCore,
  ForbiddenError,
  NotFoundError,
  openKeyProvider,
  type Actor,
  type BackupHeader,
  type Core,
  type KeyProvider,
} from '../src/index.js';
import { seedRevealAccess } from './consent-fixtures.js';
import { createTestCore, DB_KINDS, makeUser, reportSkip, SYSTEM, TEST_KDF, type TestCore } from './helpers.js';

const KEEP = { name: '李四', mobile: '13912345678', resident_id: '11010519491231002X', email: 'li.si@example.com' };
const GONE = { name: '王五', mobile: '13700001111', email: 'wang.wu@example.com' };
const FRAME = 4096;

/** Offsets of the archive's parts: header JSON, MAC, and each frame. */
function layout(buf: Buffer) {
  const headerLength = buf.readUInt32BE(9);
  const bodyStart = 13 + headerLength + 32;
  const frames: Array<{ start: number; end: number; final: boolean }> = [];
  for (let pos = bodyStart; pos < buf.length;) {
    const len = buf.readUInt32BE(pos + 1);
    const end = pos + 5 + len + 16;
    frames.push({ start: pos, end, final: buf[pos] === 1 });
    pos = end;
  }
  return { headerLength, bodyStart, frames, header: JSON.parse(buf.subarray(13, 13 + headerLength).toString('utf8')) as BackupHeader };
}

/** Every table's rows as text, to prove a refused restore wrote nothing. */
async function fingerprint(core: Core): Promise<string> {
  const tables = await core.database.query<{ t: string }>(
    `SELECT relname::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND relkind = 'r' ORDER BY 1`,
  );
  const out: string[] = [];
  for (const { t } of tables) {
    const r = await core.database.query<{ n: number; h: string | null }>(
      `SELECT count(*)::int AS n, md5(string_agg(to_jsonb(x)::text, ',' ORDER BY to_jsonb(x)::text)) AS h FROM "${t}" x`,
    );
    out.push(`${t}:${r[0]!.n}:${r[0]!.h}`);
  }
  return out.join('\n');
}

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`backup suite on ${kind}`, skip);
  describe.skipIf(skip)(`encrypted backups on ${kind}`, () => {
    const keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-backup-keys-'));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-backup-'));
    const archive = path.join(work, 'full.cbk');
    const keysArchive = path.join(work, 'keys.cbk');
    const opened: TestCore[] = [];
    const providers: KeyProvider[] = [];
    let src: TestCore;
    let staff: Actor;
    let purpose: string;
    let keepId: string;
    let goneId: string;
    let manifestSha256: string;

    const fresh = async (keys = keysDir) => {
      const t = await createTestCore(kind, { CUSTOS_KEYS_DIR: keys });
      opened.push(t);
      return t;
    };
    const service = async (core: Core) => {
      const keyProvider = await openKeyProvider(core.config);
      providers.push(keyProvider);
      return createBackupService({ database: core.database, keyProvider, audit: core.audit, runner: core.runner });
    };
    const variant = (name: string, bytes: Buffer) => {
      const f = path.join(work, name);
      fs.writeFileSync(f, bytes);
      return f;
    };

    beforeAll(async () => {
      src = await fresh();
      // A registered purpose held by the staff member's department, with a live grant (P5.1, P5.2).
      ({ staff, code: purpose } = await seedRevealAccess(src.core, { fields: ['name', 'mobile', 'resident_id', 'email'] }));
      // Departments reference themselves (parent) and users (head), who reference departments: a cycle.
      const root = await src.core.departments.create(SYSTEM, { name: 'Head office', headUserId: staff.userId });
      for (let i = 0; i < 4; i++)
        await src.core.departments.create(SYSTEM, { name: `Branch ${i}`, parentId: root.id, headUserId: staff.userId });
      const keep = await src.core.customers.create(staff, { fields: KEEP });
      keepId = keep.id;
      await src.core.customers.updateField(staff, keepId, 'email', { value: 'li.si@example.net', reason: '客户更正邮箱' });
      goneId = (await src.core.customers.create(staff, { fields: GONE })).id;
      await src.core.customers.delete(SYSTEM, goneId, { reason: '客户要求删除' });
      // A KEK rotation: data keys and the archive key are wrapped under version 2.
      await src.core.keys.rotate(SYSTEM);
      await src.core.keys.settle();
      // Enough audit rows that the body spans several frames.
      for (let i = 0; i < 60; i++) await src.core.customers.get(staff, keepId);
      // More rows than a read page (1000) and an insert page (500), on a bigserial and a composite key.
      await src.core.database.query(
        `INSERT INTO audit_events (occurred_at, actor_type, actor_name, action, clauses, outcome, details)
         SELECT now() - make_interval(secs => g / 7.0), 'system', 'system', 'test.bulk', ARRAY['P2.3'], 'success', jsonb_build_object('i', g, 'x', 1.10) FROM generate_series(1, 2500) g`,
      );
      await src.core.database.query(
        `INSERT INTO data_category_versions (category_id, version, snapshot, changed_by) SELECT id, v, jsonb_build_object('v', v), 'test' FROM data_categories, generate_series(2, 50) v`,
      );
      const svc = await service(src.core);
      const r = await svc.create(SYSTEM, { file: archive, frameSize: FRAME });
      manifestSha256 = r.manifestSha256;
      expect((await svc.create(SYSTEM, { file: keysArchive, scope: 'keys' })).scope).toBe('keys');
      expect(layout(fs.readFileSync(archive)).frames.length).toBeGreaterThan(2);
    }, 300_000);
    afterAll(async () => {
      for (const t of opened) await t.close().catch(() => {});
      for (const p of providers) await p.close().catch(() => {});
    });

    it('writes an archive with a manifest and records backup.created without PI', async () => {
      const buf = fs.readFileSync(archive);
      expect(buf.subarray(0, 9).toString()).toBe('CUSTOSBK1');
      const { header } = layout(buf);
      expect(header).toMatchObject({
        format: 'custos-backup',
        version: 1,
        kekVersion: 2,
        cipher: 'AES-256-GCM',
        compression: 'gzip',
        frameSize: FRAME,
      });
      expect(header.manifest.migrations.map((m) => m.name)).toContain('0004_vault');
      const names = header.manifest.tables.map((t) => t.name);
      expect(names).not.toContain('custos_schema_migrations');
      for (const t of ['customers', 'customer_fields', 'customer_field_history', 'audit_events', 'users', 'departments'])
        expect(names).toContain(t);
      // The customers' data keys are kept out of data archives, in key archives of their own.
      expect(header.scope).toBe('data');
      expect(names).not.toContain('customer_keys');
      const keysHeader = layout(fs.readFileSync(keysArchive)).header;
      expect(keysHeader.scope).toBe('keys');
      expect(keysHeader.manifest.tables.map((t) => t.name)).toEqual(['customer_keys']);
      // Dependency order: referenced tables first.
      expect(names.indexOf('customers')).toBeLessThan(names.indexOf('customer_fields'));
      expect(names.indexOf('data_categories')).toBeLessThan(names.indexOf('customer_fields'));
      expect(header.manifest.tables.find((t) => t.name === 'departments')!.deferred.sort()).toEqual(['head_user_id', 'parent_id']);
      expect(header.manifest.tables.find((t) => t.name === 'customers')!.rows).toBe(2);
      expect(fs.statSync(archive).mode & 0o077).toBe(0);
      // Nothing in the clear: no PI, no row data (gzip then AES-GCM).
      for (const plain of [KEEP.mobile, KEEP.name, KEEP.resident_id, 'li.si', keepId]) expect(buf.includes(Buffer.from(plain))).toBe(false);
      await src.core.audit.flush();
      const [ev] = await src.core.database.query<{ details: Record<string, unknown>; resource_id: string }>(
        `SELECT details, resource_id FROM audit_events WHERE action = 'backup.created'`,
      );
      expect(ev!.resource_id).toBe(manifestSha256);
      expect(ev!.details).toMatchObject({ file: 'full.cbk', rows: expect.any(Number), manifestSha256, kekVersion: 2 });
      expect(JSON.stringify(ev)).not.toContain(work);
      // No temporary files left beside it.
      expect(fs.readdirSync(work).sort()).toEqual(['full.cbk', 'keys.cbk']);
    }, 240_000);

    it('restores into an empty database: rows identical, shredded customer stays gone, chain intact', async () => {
      const dst = await fresh();
      const dstSvc = await service(dst.core);
      const r = await dstSvc.restore(SYSTEM, { file: archive });
      expect(r.audit).toMatchObject({ intact: true, firstBrokenSeq: null, pendingEvents: 0 });
      expect(r.manifestSha256).toBe(manifestSha256);
      // Keys only after the data, and only once.
      await dstSvc.restore(SYSTEM, { file: keysArchive });
      await expect(dstSvc.restore(SYSTEM, { file: keysArchive })).rejects.toThrow(/already holds customer keys/);
      const { header } = layout(fs.readFileSync(archive));
      const keysHeader = layout(fs.readFileSync(keysArchive)).header;
      // Every row is copied exactly (timestamps to the microsecond, bytea, arrays, jsonb).
      for (const t of [...header.manifest.tables, ...keysHeader.manifest.tables]) {
        const order = t.primaryKey.map((c) => `"${c}"`).join(', ');
        const dump = (c: Core) =>
          c.database.query<{ j: string }>(`SELECT to_jsonb(x)::text AS j FROM "${t.name}" x ORDER BY ${order} LIMIT ${t.rows}`);
        expect(
          (await dump(dst.core)).map((x) => x.j),
          t.name,
        ).toEqual((await dump(src.core)).map((x) => x.j));
      }
      const q = dst.core.database.query;
      expect(await q(`SELECT count(*)::int AS n FROM customer_fields WHERE customer_id = $1`, [goneId])).toEqual([{ n: 0 }]);
      expect(await q(`SELECT wrapped_key, kek_version FROM customer_keys WHERE customer_id = $1`, [goneId])).toEqual([
        { wrapped_key: null, kek_version: null },
      ]);
      const [restored] = await q<{ seq: number; max: number }>(
        `SELECT seq, (SELECT max(seq) FROM audit_events) AS max FROM audit_events WHERE action = 'backup.restored'`,
      );
      const auditRows = header.manifest.tables.find((t) => t.name === 'audit_events')!.rows;
      expect(Number(restored!.seq)).toBe(auditRows + 1);
      expect(Number(restored!.max)).toBe(auditRows + 2); // then the key archive's backup.restored

      // A process started on the restored database (the blind-index key is the archive's).
      await dst.core.close();
      const core = await createCore({ config: dst.core.config, database: dst.db.database, kdf: TEST_KDF });
      try {
        const shown = await core.customers.reveal(staff, keepId, {
          fields: ['mobile', 'resident_id', 'email', 'name'],
          purpose,
          justification: '恢复后核对',
        });
        expect(shown.values).toEqual({ ...KEEP, email: 'li.si@example.net' });
        expect((await core.customers.find(staff, { piType: 'cn_mobile', value: KEEP.mobile })).map((c) => c.id)).toEqual([keepId]);
        expect(await core.customers.history(staff, keepId, 'email')).toHaveLength(2);
        await expect(core.customers.get(staff, goneId)).rejects.toBeInstanceOf(NotFoundError);
        expect(await core.customers.find(staff, { piType: 'cn_mobile', value: GONE.mobile })).toEqual([]);
        // Sequences continue after the restored ids; the chain keeps growing and stays intact.
        const again = await core.customers.create(staff, { fields: { mobile: '13600002222' } });
        await core.customers.updateField(staff, again.id, 'mobile', { value: '13600003333', reason: '客户更正号码' });
        const v = await core.audit.verify();
        const [{ n }] = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events`)) as [{ n: number }];
        expect(n).toBeGreaterThan(auditRows + 4);
        expect(v).toMatchObject({ intact: true, checkedEvents: n, pendingEvents: 0 });
      } finally {
        await core.close();
      }
    }, 240_000);

    it('refuses a tampered archive (any byte flipped, truncated, extended, frames moved, manifest edited) and writes nothing', async () => {
      const dst = await fresh();
      const svc = await service(dst.core);
      const before = await fingerprint(dst.core);
      const good = fs.readFileSync(archive);
      const { headerLength, bodyStart, frames } = layout(good);
      const last = frames[frames.length - 1]!;
      const positions = new Set<number>([
        0,
        8,
        9,
        12,
        13,
        14,
        13 + Math.floor(headerLength / 2),
        13 + headerLength - 1,
        13 + headerLength,
        bodyStart - 1,
      ]);
      for (let p = 13; p < 13 + headerLength; p += Math.max(1, Math.floor(headerLength / 40))) positions.add(p);
      for (const f of [...frames.slice(0, 3), ...frames.slice(-2)])
        for (const off of [0, 1, 4, 5, 6, Math.floor((f.end - f.start) / 2), f.end - f.start - 17, f.end - f.start - 1])
          positions.add(f.start + off);
      positions.add(good.length - 1);
      const refusals: string[] = [];
      for (const p of [...positions].filter((x) => x < good.length).sort((a, b) => a - b)) {
        const bad = Buffer.from(good);
        bad[p] = bad[p]! ^ 0xff;
        const e = await svc.restore(SYSTEM, { file: variant('flipped.cbk', bad) }).catch((x: unknown) => x);
        if (!(e instanceof BackupIntegrityError)) refusals.push(`byte ${p}: ${String(e)}`);
      }
      expect(refusals).toEqual([]);

      const cases: Array<[string, Buffer]> = [
        ['one byte short', good.subarray(0, good.length - 1)],
        ['without the final frame', good.subarray(0, last.start)],
        ['cut in a middle frame', good.subarray(0, frames[1]!.start + 10)],
        ['header only', good.subarray(0, bodyStart)],
        ['ten bytes', good.subarray(0, 10)],
        ['empty', Buffer.alloc(0)],
        ['a byte appended', Buffer.concat([good, Buffer.from([0])])],
        ['a frame appended', Buffer.concat([good, good.subarray(frames[0]!.start, frames[0]!.end)])],
        [
          'frames swapped',
          Buffer.concat([
            good.subarray(0, bodyStart),
            good.subarray(frames[1]!.start, frames[1]!.end),
            good.subarray(frames[0]!.start, frames[0]!.end),
            good.subarray(frames[2]!.start),
          ]),
        ],
        ['a frame dropped', Buffer.concat([good.subarray(0, frames[1]!.start), good.subarray(frames[2]!.start)])],
        ['a frame duplicated', Buffer.concat([good.subarray(0, frames[1]!.end), good.subarray(frames[1]!.start)])],
      ];
      // Manifest edited (a row count), with the length prefix made consistent again.
      const h = JSON.parse(good.subarray(13, 13 + headerLength).toString('utf8')) as BackupHeader;
      h.manifest.tables.find((t) => t.name === 'customers')!.rows = 1;
      const json = Buffer.from(JSON.stringify(h));
      const len = Buffer.alloc(4);
      len.writeUInt32BE(json.length);
      cases.push(['manifest edited', Buffer.concat([good.subarray(0, 9), len, json, good.subarray(13 + headerLength)])]);
      // A frame from another archive (same position) fails: its key differs.
      const other = path.join(work, 'other.cbk');
      await (await service(src.core)).create(SYSTEM, { file: other, frameSize: FRAME });
      const o = fs.readFileSync(other);
      const of = layout(o).frames;
      cases.push([
        'a frame from another archive',
        Buffer.concat([good.subarray(0, frames[0]!.start), o.subarray(of[0]!.start, of[0]!.end), good.subarray(frames[1]!.start)]),
      ]);
      for (const [name, bytes] of cases) {
        const e = await svc.restore(SYSTEM, { file: variant('bad.cbk', bytes) }).catch((x: unknown) => x);
        if (!(e instanceof BackupIntegrityError)) refusals.push(`${name}: ${String(e)}`);
      }
      expect(refusals).toEqual([]);
      expect(await fingerprint(dst.core)).toBe(before);
      // And the untouched archive still restores into it.
      await expect(svc.restore(SYSTEM, { file: archive })).resolves.toMatchObject({ audit: { intact: true } });
    }, 240_000);

    it('refuses a non-empty database, another migration set, another KEK and callers without backup.manage', async () => {
      const svcSrc = await service(src.core);
      const before = await fingerprint(src.core);
      await expect(svcSrc.restore(SYSTEM, { file: archive })).rejects.toThrow(ConflictError);
      await expect(svcSrc.restore(SYSTEM, { file: archive })).rejects.toThrow(/not empty \(rows in .*customers/);
      expect(await fingerprint(src.core)).toBe(before);

      const dst = await fresh();
      const svc = await service(dst.core);
      await dst.core.database.query(`INSERT INTO custos_schema_migrations (version, name, checksum) VALUES (9999, '9999_elsewhere', 'x')`);
      const fp = await fingerprint(dst.core);
      await expect(svc.restore(SYSTEM, { file: archive })).rejects.toThrow(/migrations differ .*9999_elsewhere/);
      expect(await fingerprint(dst.core)).toBe(fp);
      await dst.core.database.query(`DELETE FROM custos_schema_migrations WHERE version = 9999`);

      // Another installation's key provider cannot unwrap the archive key.
      const stranger = await fresh(fs.mkdtempSync(path.join(os.tmpdir(), 'custos-other-keys-')));
      const fs2 = await fingerprint(stranger.core);
      const e = await (await service(stranger.core)).restore(SYSTEM, { file: archive }).catch((x: unknown) => x);
      expect(e).toSatisfy((x: unknown) => x instanceof BackupIntegrityError || x instanceof BackupError);
      expect(String(e)).toMatch(/KEK/);
      expect(await fingerprint(stranger.core)).toBe(fs2);

      await expect(svcSrc.restore(staff, { file: archive })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(svcSrc.create(staff, { file: path.join(work, 'staff.cbk') })).rejects.toBeInstanceOf(ForbiddenError);
      expect(fs.existsSync(path.join(work, 'staff.cbk'))).toBe(false);
      const officer = await makeUser(src.core, ['security_officer']);
      await expect(svcSrc.create(officer, { file: path.join(work, 'officer.cbk') })).resolves.toMatchObject({ kekVersion: 2 });
      await expect(svcSrc.create(officer, { file: path.join(work, 'officer.cbk') })).rejects.toThrow(/already exists/);
      // A security officer may restore (into the still empty database).
      await expect(svc.restore(officer, { file: path.join(work, 'officer.cbk') })).resolves.toMatchObject({ audit: { intact: true } });
    }, 240_000);

    it('a customer deleted after the backup cannot be read from it: data archives hold no keys, key archives made after the deletion hold the destroyed key', async () => {
      const origin = await fresh();
      const { staff: clerk, code: clerkPurpose } = await seedRevealAccess(origin.core, { fields: ['name', 'mobile'] });
      const stays = await origin.core.customers.create(clerk, { fields: { name: '周八', mobile: '13700001111' } });
      const leaves = await origin.core.customers.create(clerk, { fields: { name: '吴九', mobile: '13700002222' } });
      const svc = await service(origin.core);
      const data = path.join(work, 'shred-data.cbk');
      const keysBefore = path.join(work, 'shred-keys-before.cbk');
      const keysAfter = path.join(work, 'shred-keys-after.cbk');
      await svc.create(SYSTEM, { file: data });
      await svc.create(SYSTEM, { file: keysBefore, scope: 'keys' });
      await origin.core.customers.delete(SYSTEM, leaves.id, { reason: '客户要求删除' });
      await svc.create(SYSTEM, { file: keysAfter, scope: 'keys' });
      // The data archive (made before the deletion) holds the customer's ciphertexts but no key.
      for (const plain of ['13700002222', '吴九']) expect(fs.readFileSync(data).includes(Buffer.from(plain))).toBe(false);

      const restoreInto = async (files: string[]) => {
        const t = await fresh();
        const s2 = await service(t.core);
        for (const f of files) await s2.restore(SYSTEM, { file: f });
        await t.core.close();
        return createCore({ config: t.core.config, database: t.db.database, kdf: TEST_KDF });
      };
      const read = (core: Core, id: string) =>
        core.customers
          .reveal(clerk, id, { fields: ['name'], purpose: clerkPurpose, justification: '恢复后核对' })
          .then((r) => r.values.name);

      // Data with the current keys: the kept customer is readable, the deleted one is not.
      const current = await restoreInto([data, keysAfter]);
      try {
        expect(await read(current, stays.id)).toBe('周八');
        await expect(read(current, leaves.id)).rejects.toBeInstanceOf(NotFoundError);
        expect(await current.customers.find(clerk, { piType: 'cn_mobile', value: '13700002222' })).toEqual([]);
      } finally {
        await current.close();
      }
      // The data archive alone decrypts nobody.
      const alone = await restoreInto([data]);
      try {
        await expect(read(alone, stays.id)).rejects.toBeInstanceOf(NotFoundError);
      } finally {
        await alone.close();
      }
      // A key archive made before the deletion still holds the key: that is why key archives are kept briefly (documented).
      const old = await restoreInto([data, keysBefore]);
      try {
        expect(await read(old, leaves.id)).toBe('吴九');
      } finally {
        await old.close();
      }
    }, 240_000);
  });
}
