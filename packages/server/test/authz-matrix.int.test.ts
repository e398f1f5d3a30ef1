import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, OPERATIONS, ROLE_IDS, type Actor, type Requirement } from '@custos/core';
import { DB_KINDS, makeUser, reportSkip, STRONG_PASSWORD } from '../../core/test/helpers.js';
import { createTestApp, loginToken, type TestApp } from './helpers.js';

/**
 * The authorization matrix: every API route against every role. A route that declares no core
 * operation fails the test; a role gets 403 exactly when core's table says it lacks the
 * operation's requirement, and is never refused by authorization when it has it.
 */
for (const { kind, skip } of DB_KINDS) {
  reportSkip(`authorization matrix on ${kind}`, skip);
  describe.skipIf(skip)(`authorization matrix on ${kind}`, () => {
    let t: TestApp;
    const tokens = new Map<string, string>();
    const actors = new Map<string, Actor>();
    beforeAll(async () => {
      t = await createTestApp(kind);
      for (const role of ROLE_IDS) {
        const actor = await makeUser(t.core, [role]);
        actors.set(role, actor);
        tokens.set(role, await loginToken(t.app, actor.username, STRONG_PASSWORD));
      }
    });
    afterAll(async () => t?.close());

    it('every API route declares a core operation, and every operation id is unique per route', () => {
      const api = t.app.routeTable.filter((r) => r.url.startsWith('/api/'));
      expect(api.length).toBeGreaterThan(10);
      // CORS preflights for the widget are the only API routes without an operation: they answer with headers only.
      const undeclared = api.filter((r) => !r.operationId && !(r.method === 'OPTIONS' && r.publicRoute)).map((r) => `${r.method} ${r.url}`);
      expect(undeclared).toEqual([]);
      const nonApi = t.app.routeTable.filter((r) => !r.url.startsWith('/api/') && !r.url.startsWith('/docs') && !r.publicRoute);
      expect(nonApi.map((r) => `${r.method} ${r.url}`)).toEqual([]);
      const ids = api.filter((r) => r.operationId).map((r) => r.operationId);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('the required operationIds of the foundation exist in the OpenAPI document', async () => {
      const doc = (await t.app.inject({ url: '/openapi.json' })).json() as {
        paths: Record<string, Record<string, { operationId?: string }>>;
      };
      const ids = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
      for (const id of [
        'login',
        'logout',
        'getCurrentUser',
        'listUsers',
        'createUser',
        'listDepartments',
        'createDepartment',
        'listRoles',
        'listDataCategories',
        'createDataCategory',
        'listAuditEvents',
        'verifyAuditChain',
      ]) {
        expect(ids).toContain(id);
      }
    });

    const cases = () =>
      t.app.routeTable
        .filter((r) => r.url.startsWith('/api/') && r.operationId)
        .flatMap((r) => [...ROLE_IDS, 'anonymous' as const].map((role) => ({ route: r, role })));

    it('each role is refused exactly the routes it lacks the permission for', async () => {
      const failures: string[] = [];
      for (const { route, role } of cases()) {
        if (route.operationId === 'logout') continue; // would end the session used by later cases; covered in auth tests
        const url = route.url.replace(/:[a-zA-Z]+/g, () => randomUUID());
        const headers: Record<string, string> = role === 'anonymous' ? {} : { authorization: `Bearer ${tokens.get(role)}` };
        const r = await t.app.inject({
          method: route.method as 'GET',
          url,
          headers,
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
        });
        const op = Object.values(OPERATIONS).find((o) => o.id === route.operationId)!;
        const reqs: Requirement[] = Array.isArray(op.requires) ? [...op.requires] : [op.requires as Requirement];
        const actor = role === 'anonymous' ? null : actors.get(role)!;
        const allowed = reqs.some((q) => (actor ? allows(actor, q) : q === 'public'));
        const status = r.statusCode;
        if (allowed && (status === 401 || status === 403))
          failures.push(`${role} ${route.method} ${route.url}: allowed by core table but got ${status}`);
        if (!allowed && role === 'anonymous' && status !== 401)
          failures.push(`anonymous ${route.method} ${route.url}: expected 401, got ${status}`);
        if (!allowed && role !== 'anonymous' && status !== 403)
          failures.push(`${role} ${route.method} ${route.url}: expected 403, got ${status}`);
        if (status >= 500) failures.push(`${role} ${route.method} ${route.url}: server error ${status} ${r.body}`);
      }
      expect(failures).toEqual([]);
    });

    it('a channel key may only collect, and a portal session may only use the portal', async () => {
      const { seedPurpose } = await import('../../core/test/consent-fixtures.js');
      const f = await seedPurpose(t.core);
      const anon: Actor = { type: 'user', userId: null, username: 'anonymous', departmentId: null, roles: [], authMethod: 'session' };
      // A customer to sign in as: collected by staff, then a one-time code read from the outbox.
      const mobile = `137${String(Date.now()).slice(-8)}`;
      await t.core.collection.collect(
        f.staff,
        {
          purposeCode: f.code,
          noticeId: f.noticeId,
          channelId: f.channelId,
          fields: { name: '测试', mobile },
          consent: { method: 'checkbox', scope: ['name', 'mobile'], separate: [] },
        },
        { idempotencyKey: randomUUID() },
      );
      const { challengeId } = await t.core.portal.requestCode(anon, { piType: 'cn_mobile', value: mobile });
      const code = /(\d{6})/.exec(await t.lastNotification('portal.code'))![1]!;
      const { token } = await t.core.portal.verifyCode(anon, { challengeId, code });
      const failures: string[] = [];
      for (const route of t.app.routeTable.filter((r) => r.url.startsWith('/api/') && r.operationId)) {
        if (route.operationId === 'portalLogout') continue;
        const op = Object.values(OPERATIONS).find((o) => o.id === route.operationId)!;
        const url = route.url.replace(/:[a-zA-Z]+/g, () => randomUUID());
        const payload = route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} };
        for (const [who, headers, may] of [
          ['channel', { 'x-custos-channel-key': f.channelKey }, op.requires === 'public' || op.requires === 'customer.collect'],
          ['customer', { authorization: `Bearer ${token}` }, op.requires === 'public' || op.requires === 'portal.self'],
        ] as const) {
          const r = await t.app.inject({ method: route.method as 'GET', url, headers, ...payload });
          const refused = r.statusCode === 401 || r.statusCode === 403;
          if (may && refused) failures.push(`${who} ${route.method} ${route.url}: allowed but got ${r.statusCode}`);
          if (!may && !refused) failures.push(`${who} ${route.method} ${route.url}: expected 401/403, got ${r.statusCode}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('an auditor is allowed to read the audit log but holds no user-management permission', async () => {
      const r = await t.app.inject({ url: '/api/v1/audit-events', headers: { authorization: `Bearer ${tokens.get('auditor')}` } });
      expect(r.statusCode).toBe(200);
      const me = (await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${tokens.get('auditor')}` } })).json() as {
        permissions: string[];
      };
      expect(me.permissions).not.toContain('user.manage');
    });
  });
}
