import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../core/test/helpers.js';
import { startFakeIdp } from './fake-idp.js';
import { createTestApp, type TestApp } from './helpers.js';

/** OIDC is HTTP glue around core; one database kind is enough here (core paths run on both elsewhere). */
describe('optional OIDC sign-in', () => {
  let idp: Awaited<ReturnType<typeof startFakeIdp>>;
  let t: TestApp;
  beforeAll(async () => {
    idp = await startFakeIdp('custos-console', 'client-secret-1');
    t = await createTestApp('pglite', {
      CUSTOS_OIDC_ISSUER: idp.issuer,
      CUSTOS_OIDC_CLIENT_ID: 'custos-console',
      CUSTOS_OIDC_CLIENT_SECRET: 'client-secret-1',
      CUSTOS_OIDC_REDIRECT_URI: 'http://127.0.0.1:8080/api/v1/auth/oidc/callback',
      CUSTOS_OIDC_ALLOW_HTTP: 'true',
    });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  async function signIn(stateOverride?: string) {
    const start = await t.app.inject({ url: '/api/v1/auth/oidc/login' });
    expect(start.statusCode).toBe(302);
    const state = start.cookies.find((c) => c.name === 'custos_oidc_state')!.value;
    const atIdp = await fetch(start.headers.location as string, { redirect: 'manual' });
    const callback = new URL(atIdp.headers.get('location')!);
    return t.app.inject({ url: callback.pathname + callback.search, cookies: { custos_oidc_state: stateOverride ?? state } });
  }

  it('refuses an identity with no Custos account, and audits it', async () => {
    const r = await signIn();
    expect(r.statusCode).toBe(401);
    await t.core.audit.flush();
    const rows = await t.db.database.query(`SELECT details FROM audit_events WHERE action = 'auth.login_failed'`);
    expect(rows.map((x) => (x.details as { method: string; reason: string }).reason)).toContain('no_account');
  });

  it('signs in a pre-provisioned user, links the subject, and the session works', async () => {
    const dept = await t.core.departments.create(SYSTEM, { name: 'SSO dept' });
    await t.core.users.create(SYSTEM, {
      username: idp.identity.username,
      displayName: 'SSO User',
      departmentId: dept.id,
      roles: ['auditor'],
    });
    const r = await signIn();
    expect(r.statusCode).toBe(302);
    expect(r.headers.location).toBe('/');
    const session = r.cookies.find((c) => c.name === 'custos_session')!;
    expect(session.httpOnly).toBe(true);
    const me = await t.app.inject({ url: '/api/v1/me', cookies: { custos_session: session.value } });
    expect(me.json()).toMatchObject({ username: 'sso.user', roles: ['auditor'] });
    const [u] = await t.db.database.query(`SELECT oidc_subject FROM users WHERE username = 'sso.user'`);
    expect(u!.oidc_subject).toBe(`${idp.issuer}|idp-user-1`);
  });

  it('refuses a callback whose state does not match the browser', async () => {
    const r = await signIn('another-browser-state');
    expect(r.statusCode).toBe(400);
  });

  it('reports single sign-on in the login methods', async () => {
    expect((await t.app.inject({ url: '/api/v1/auth/methods' })).json()).toEqual({ password: true, oidc: true });
  });
});
