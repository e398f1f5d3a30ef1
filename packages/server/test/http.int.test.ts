import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS, makeUser, reportSkip, STRONG_PASSWORD, SYSTEM } from '../../core/test/helpers.js';
import { createTestApp, loginToken, type TestApp } from './helpers.js';

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`HTTP API suite on ${kind}`, skip);
  describe.skipIf(skip)(`HTTP API on ${kind}`, () => {
    let t: TestApp;
    let adminToken: string;
    let adminName: string;
    beforeAll(async () => {
      t = await createTestApp(kind);
      const admin = await makeUser(t.core, ['administrator']);
      adminName = admin.username;
      adminToken = await loginToken(t.app, admin.username, STRONG_PASSWORD);
    });
    afterAll(async () => t?.close());
    const auth = () => ({ authorization: `Bearer ${adminToken}` });

    it('login sets an HTTP-only strict session cookie that authenticates the console', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: adminName, password: STRONG_PASSWORD },
      });
      expect(r.statusCode).toBe(200);
      const cookie = r.cookies.find((c) => c.name === 'custos_session')!;
      expect(cookie.httpOnly).toBe(true);
      expect(cookie.sameSite).toBe('Strict');
      expect(cookie.value).toBe((r.json() as { token: string }).token);
      const me = await t.app.inject({ url: '/api/v1/me', cookies: { custos_session: cookie.value } });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ username: adminName, roles: ['administrator'] });
    });

    it('refuses a cookie-authenticated write from another origin', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/departments',
        cookies: { custos_session: adminToken },
        headers: { origin: 'http://evil.invalid', host: 'localhost:8080' },
        payload: { name: 'csrf' },
      });
      expect(r.statusCode).toBe(403);
    });

    it('answers errors as problem+json with the request id, field problems and no-store', async () => {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: auth(), payload: { username: 'x', roles: [] } });
      expect(r.statusCode).toBe(400);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.headers['cache-control']).toBe('no-store');
      const body = r.json() as { type: string; status: number; requestId: string; errors: Array<{ field: string }> };
      expect(body.type).toBe('urn:custos:problem:invalid');
      expect(body.requestId).toBe(r.headers['x-request-id']);
      expect(body.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['username', 'displayName', 'departmentId']));
    });

    it('rejects a weak password with the reason, and a common one', async () => {
      const dept = await t.core.departments.create(SYSTEM, { name: 'pw-dept' });
      for (const [password, reason] of [
        ['short', 'too_short'],
        ['password1234', 'common'],
        ['Password123456!', 'common'],
      ] as const) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: auth(),
          payload: { username: 'weakling', displayName: 'W', password, departmentId: dept.id, roles: ['staff'] },
        });
        expect(r.statusCode).toBe(400);
        expect((r.json() as { errors: Array<{ field: string; reason: string }> }).errors).toContainEqual({ field: 'password', reason });
      }
    });

    it('sets security headers and Cache-Control: no-store on API responses', async () => {
      const r = await t.app.inject({ url: '/api/v1/data-categories', headers: auth() });
      expect(r.statusCode).toBe(200);
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      const items = (r.json() as { items: Array<{ code: string; sensitivity: string }> }).items;
      expect(items.find((c) => c.code === 'resident_id')?.sensitivity).toBe('sensitive');
      expect(items.find((c) => c.code === 'mobile')?.sensitivity).toBe('general');
    });

    it('serves health, readiness, metrics and the OpenAPI document', async () => {
      expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
      const m = await t.app.inject({ url: '/metrics' });
      expect(m.body).toContain('custos_http_request_duration_seconds');
      const doc = (await t.app.inject({ url: '/openapi.json' })).json() as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toContain('/api/v1/departments');
      expect((await t.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
    });

    it('rate-limits the login route per address', async () => {
      let limited = false;
      for (let i = 0; i < 25 && !limited; i++) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: `nobody${i}`, password: 'wrong-password-xyz' },
          remoteAddress: '10.9.9.9',
        });
        if (r.statusCode === 429) limited = true;
      }
      expect(limited).toBe(true);
    });

    it('creates a department and shows its audit event through the API', async () => {
      const c = await t.app.inject({ method: 'POST', url: '/api/v1/departments', headers: auth(), payload: { name: '风险管理部' } });
      expect(c.statusCode).toBe(201);
      const id = (c.json() as { id: string }).id;
      const list = await t.app.inject({ url: `/api/v1/audit-events?resourceId=${id}`, headers: auth() });
      const items = (list.json() as { items: Array<{ action: string; seq: number | null; hash: string | null }> }).items;
      expect(items).toHaveLength(1);
      expect(items[0]!.action).toBe('department.created');
      expect(items[0]!.seq).toBeGreaterThan(0);
      const v = await t.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: auth() });
      expect(v.json()).toMatchObject({ intact: true });
    });
  });
}
