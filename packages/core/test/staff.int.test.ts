import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, UnauthenticatedError } from '../src/index.js';
import { createTestCore, DB_KINDS, makeUser, reportSkip, STRONG_PASSWORD, SYSTEM, type TestCore } from './helpers.js';

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`staff and login suite on ${kind}`, skip);
  describe.skipIf(skip)(`staff, departments, login and catalogue on ${kind}`, () => {
    let t: TestCore;
    beforeAll(async () => {
      t = await createTestCore(kind, { CUSTOS_LOGIN_LOCK_THRESHOLD: '4', CUSTOS_SESSION_IDLE_MINUTES: '30' });
    });
    afterAll(async () => t?.close());
    const q = (sql: string, params?: unknown[]) => t.db.database.query(sql, params);

    it('a department head sees only their own subtree; others are reported as not found and the attempt is audited', async () => {
      const root = await t.core.departments.create(SYSTEM, { name: '零售业务部' });
      const child = await t.core.departments.create(SYSTEM, { name: '零售客服组', parentId: root.id });
      const other = await t.core.departments.create(SYSTEM, { name: '对公业务部' });
      const head = await makeUser(t.core, ['department_head'], { departmentId: root.id });
      const inChild = await makeUser(t.core, ['staff'], { departmentId: child.id });
      const outside = await makeUser(t.core, ['staff'], { departmentId: other.id });
      const seen = (await t.core.users.list(head)).map((u) => u.id);
      expect(seen).toEqual(expect.arrayContaining([head.userId, inChild.userId]));
      expect(seen).not.toContain(outside.userId);
      expect((await t.core.users.get(head, inChild.userId!)).id).toBe(inChild.userId);
      const err = await t.core.users.get(head, outside.userId!).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as Error).message).toBe('user not found');
      await t.core.audit.flush();
      const denied = await q(`SELECT resource_id FROM audit_events WHERE action = 'access.denied' AND actor_id = $1`, [head.userId]);
      expect(denied.map((r) => r.resource_id)).toEqual([outside.userId]);
    });

    it('staff cannot create users; validation names fields; duplicates conflict', async () => {
      const staff = await makeUser(t.core, ['staff']);
      await expect(
        t.core.users.create(staff, { username: 'x1x', displayName: 'x', departmentId: staff.departmentId!, roles: ['staff'] }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      const bad = await t.core.users
        .create(SYSTEM, { username: 'a', displayName: '', departmentId: 'nope', roles: [] } as never)
        .catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(InvalidError);
      expect((bad as InvalidError).problems.map((p) => p.field).sort()).toEqual(['departmentId', 'displayName', 'roles', 'username']);
      await expect(makeUser(t.core, ['staff'], { username: staff.username.toUpperCase() })).rejects.toBeInstanceOf(ConflictError);
    });

    it('logs in, fails without telling whether the user exists, slows down and locks', async () => {
      const u = await makeUser(t.core, ['staff']);
      const ok = await t.core.auth.login({ username: u.username, password: STRONG_PASSWORD });
      expect(ok.token).toMatch(/^cs_/);
      expect(ok.user.permissions).toContain('catalogue.read');
      const unknown = await t.core.auth
        .login({ username: 'no-such-user', password: 'whatever-password' })
        .catch((e: unknown) => e as Error);
      const wrong = await t.core.auth.login({ username: u.username, password: 'wrong-password-123' }).catch((e: unknown) => e as Error);
      expect(unknown).toBeInstanceOf(UnauthenticatedError);
      expect(wrong).toBeInstanceOf(UnauthenticatedError);
      expect(unknown.message).toBe(wrong.message);
      for (let i = 0; i < 3; i++) await t.core.auth.login({ username: u.username, password: 'wrong-password-123' }).catch(() => {});
      // Locked now (threshold 4): even the right password fails, with the same message.
      const locked = await t.core.auth.login({ username: u.username, password: STRONG_PASSWORD }).catch((e: unknown) => e as Error);
      expect(locked).toBeInstanceOf(UnauthenticatedError);
      expect(locked.message).toBe(wrong.message);
      // Unknown usernames are throttled the same way, so lock-out reveals nothing either.
      for (let i = 0; i < 4; i++) await t.core.auth.login({ username: 'ghost-user', password: 'x-password-123' }).catch(() => {});
      const ghost = await q(`SELECT failures, locked_until IS NOT NULL AS locked FROM login_throttle ORDER BY failures DESC`);
      expect(ghost.filter((r) => r.locked)).toHaveLength(2);
      await q(`UPDATE login_throttle SET locked_until = now() - interval '1 second'`);
      expect((await t.core.auth.login({ username: u.username, password: STRONG_PASSWORD })).token).toMatch(/^cs_/);
      await t.core.audit.flush();
      const events = await q(
        `SELECT action, outcome, details FROM audit_events WHERE action LIKE 'auth.%' AND (resource_id = $1 OR details->>'username' = 'no-such-user') ORDER BY seq`,
        [u.userId],
      );
      expect(events.filter((e) => e.action === 'auth.login_failed').length).toBe(6);
      expect(events.some((e) => (e.details as { reason: string }).reason === 'unknown_user')).toBe(true);
      expect(JSON.stringify(events)).not.toContain('wrong-password-123');
    });

    it('ends sessions after the idle time and the absolute lifetime, and on logout', async () => {
      const u = await makeUser(t.core, ['staff']);
      const s1 = await t.core.auth.login({ username: u.username, password: STRONG_PASSWORD });
      expect(await t.core.auth.authenticate(s1.token)).not.toBeNull();
      await q(`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE user_id = $1`, [u.userId]);
      expect(await t.core.auth.authenticate(s1.token)).toBeNull();
      const s2 = await t.core.auth.login({ username: u.username, password: STRONG_PASSWORD });
      await q(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = encode(sha256(convert_to($1, 'UTF8')), 'hex')`, [
        s2.token,
      ]);
      expect(await t.core.auth.authenticate(s2.token)).toBeNull();
      const s3 = await t.core.auth.login({ username: u.username, password: STRONG_PASSWORD });
      const actor = (await t.core.auth.authenticate(s3.token))!;
      await t.core.auth.logout(actor);
      expect(await t.core.auth.authenticate(s3.token)).toBeNull();
    });

    it('disabling a user ends their sessions and API tokens at once', async () => {
      const admin = await makeUser(t.core, ['administrator']);
      const u = await makeUser(t.core, ['compliance_officer']);
      const s = await t.core.auth.login({ username: u.username, password: STRONG_PASSWORD });
      const actor = (await t.core.auth.authenticate(s.token))!;
      const tok = await t.core.auth.createApiToken(actor, { name: 'integration', scopes: ['catalogue.read'] });
      const tokActor = (await t.core.auth.authenticate(tok.token))!;
      expect(tokActor.scopes).toEqual(['catalogue.read']);
      await expect(t.core.catalogue.list(tokActor)).resolves.not.toHaveLength(0);
      // The token's scope narrows the owner's permissions.
      await expect(t.core.auditLog.list(tokActor, {})).rejects.toBeInstanceOf(ForbiddenError);
      await t.core.users.disable(admin, u.userId!);
      expect(await t.core.auth.authenticate(s.token)).toBeNull();
      expect(await t.core.auth.authenticate(tok.token)).toBeNull();
      await expect(t.core.auth.login({ username: u.username, password: STRONG_PASSWORD })).rejects.toBeInstanceOf(UnauthenticatedError);
    });

    it('a token cannot hold permissions its owner lacks', async () => {
      const staff = await makeUser(t.core, ['staff']);
      await expect(t.core.auth.createApiToken(staff, { name: 'x', scopes: ['user.manage'] })).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('creates the bootstrap administrator on first start only, never overwriting', async () => {
      const fresh = await createTestCore(kind);
      try {
        expect(await fresh.core.auth.bootstrapAdmin({ username: 'root-admin', password: STRONG_PASSWORD })).toBe('created');
        expect(await fresh.core.auth.bootstrapAdmin({ username: 'root-admin', password: 'Another-Strong-Pass-77' })).toBe('skipped');
        await expect(fresh.core.auth.login({ username: 'root-admin', password: STRONG_PASSWORD })).resolves.toMatchObject({
          user: { roles: ['administrator'] },
        });
      } finally {
        await fresh.close();
      }
    });

    it('ships the PI catalogue and versions custom categories with audit', async () => {
      const list = await t.core.catalogue.list(SYSTEM);
      const codes = list.map((c) => c.code);
      for (const c of [
        'name',
        'gender',
        'date_of_birth',
        'resident_id',
        'mobile',
        'address',
        'email',
        'consumption_records',
        'preferences',
        'bank_card',
        'biometrics',
        'health',
        'minor_data',
        'precise_location',
      ]) {
        expect(codes).toContain(c);
      }
      expect(list.filter((c) => c.sensitivity === 'sensitive').map((c) => c.code)).toEqual(
        expect.arrayContaining(['resident_id', 'bank_card', 'biometrics', 'health', 'minor_data']),
      );
      const compliance = await makeUser(t.core, ['compliance_officer']);
      const c = await t.core.catalogue.create(compliance, {
        code: 'vehicle_plate',
        nameZh: '车牌号',
        nameEn: 'Vehicle plate',
        piType: 'text',
        sensitivity: 'general',
      });
      expect(c).toMatchObject({ version: 1, builtIn: false });
      const versions = await t.core.catalogue.versions(SYSTEM, c.id);
      expect(versions).toHaveLength(1);
      expect(versions[0]!.changedBy).toBe(compliance.username);
      await expect(
        t.core.catalogue.create(compliance, { code: 'vehicle_plate', nameZh: 'x', nameEn: 'x', piType: 'text', sensitivity: 'general' }),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(q(`UPDATE data_category_versions SET changed_by = 'x'`)).rejects.toThrow(/append-only/);
    });
  });
}
