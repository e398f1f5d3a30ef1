import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS, reportSkip } from '../../core/test/helpers.js';
import { seedPurpose, type PurposeFixture } from '../../core/test/consent-fixtures.js';
import { createTestApp, type TestApp } from './helpers.js';

const ORIGIN = 'http://127.0.0.1:5555';

/** The customer-facing HTTP surface: widget collection with CORS, problem bodies, idempotency, and the portal with its cookie. */
for (const { kind, skip } of DB_KINDS) {
  reportSkip(`consent HTTP suite on ${kind}`, skip);
  describe.skipIf(skip)(`collection and portal over HTTP on ${kind}`, () => {
    let t: TestApp;
    let f: PurposeFixture;
    const mobile = () => `136${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const body = (m: string, separate = true) => ({
      purposeCode: f.code,
      noticeId: f.noticeId,
      fields: { name: '网页客户', mobile: m, health: '过敏' },
      consent: { method: 'checkbox', scope: ['name', 'mobile'], separate: separate ? [{ type: 'sensitive', category: 'health' }] : [] },
    });
    const collect = (payload: unknown, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/collections',
        headers: { 'x-custos-channel-key': f.channelKey, origin: ORIGIN, 'idempotency-key': randomUUID(), ...headers },
        payload: payload as object,
      });

    beforeAll(async () => {
      t = await createTestApp(kind);
      f = await seedPurpose(t.core);
    });
    afterAll(async () => t?.close());

    it('serves the published notice to any origin, and answers CORS preflights', async () => {
      const r = await t.app.inject({ url: `/api/v1/public/purposes/${f.code}/notice`, headers: { origin: 'https://shop.example' } });
      expect(r.statusCode).toBe(200);
      expect(r.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(r.json().notice.contentHash).toBe(f.noticeHash);
      const pre = await t.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/collections',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(pre.statusCode).toBe(204);
      expect(pre.headers['access-control-allow-headers']).toContain('x-custos-channel-key');
      expect((await t.app.inject({ url: '/api/v1/public/purposes/nope/notice' })).statusCode).toBe(404);
    });

    it('collects from the channel’s registered origin, shares the answer only with it, and replays a retried key', async () => {
      const key = randomUUID();
      const m = mobile();
      const r = await collect(body(m), { 'idempotency-key': key });
      expect(r.statusCode).toBe(201);
      expect(r.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.json().customerId).toBeNull();
      const again = await collect(body(m), { 'idempotency-key': key });
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replay']).toBe('true');
      expect(again.json().collectionId).toBe(r.json().collectionId);
      const other = await collect(body(mobile()), { origin: 'https://evil.example' });
      expect(other.statusCode).toBe(403);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const unknownKey = await collect(body(mobile()), { 'x-custos-channel-key': 'ck_abcdefghijklmnopqrstuvwx' });
      expect(unknownKey.statusCode).toBe(401);
      const noKey = await collect(body(mobile()), { 'idempotency-key': '' });
      expect(noKey.statusCode).toBe(400);
    });

    it('refuses a sensitive field without separate consent with a 422 problem naming field and clause, never the value', async () => {
      const m = mobile();
      const r = await collect(body(m, false));
      expect(r.statusCode).toBe(422);
      expect(r.headers['content-type']).toContain('application/problem+json');
      const p = r.json();
      expect(p).toMatchObject({ status: 422, code: 'policy_violation', clauses: ['P3.4'] });
      expect(p.errors).toEqual([{ field: 'health', reason: 'separate_consent_required' }]);
      expect(r.body).not.toContain(m);
      expect(r.body).not.toContain('过敏');
    });

    it('signs a customer in to the portal with a one-time code, shows their consents, and withdraws with the cookie', async () => {
      const m = mobile();
      expect((await collect(body(m))).statusCode).toBe(201);
      const c = await t.app.inject({ method: 'POST', url: '/api/v1/portal/challenges', payload: { piType: 'cn_mobile', value: m } });
      expect(c.statusCode).toBe(202);
      const unknown = await t.app.inject({
        method: 'POST',
        url: '/api/v1/portal/challenges',
        payload: { piType: 'cn_mobile', value: '13511112222' },
      });
      expect(unknown.statusCode).toBe(202);
      const code = /(\d{6})/.exec(await t.lastNotification('portal.code'))![1]!;
      const s = await t.app.inject({
        method: 'POST',
        url: '/api/v1/portal/sessions',
        payload: { challengeId: c.json().challengeId, code },
      });
      expect(s.statusCode).toBe(200);
      const cookie = s.cookies.find((k) => k.name === 'custos_portal')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/portal' });
      const headers = { cookie: `custos_portal=${cookie.value}` };
      const me = await t.app.inject({ url: '/api/v1/portal/me', headers });
      expect(me.statusCode).toBe(200);
      expect(me.body).not.toContain(m);
      expect(me.json().consents.filter((x: { status: string }) => x.status === 'granted')).toHaveLength(3);
      // the staff API does not accept the portal cookie
      expect((await t.app.inject({ url: '/api/v1/me', headers })).statusCode).toBe(401);
      const w = await t.app.inject({
        method: 'POST',
        url: '/api/v1/portal/withdrawals',
        headers,
        payload: { purposeCode: f.code, categories: ['health'] },
      });
      expect(w.statusCode).toBe(200);
      const after = (await t.app.inject({ url: '/api/v1/portal/me', headers })).json();
      expect(after.consents.find((x: { category: string }) => x.category === 'health').status).toBe('withdrawn');
      expect((await t.app.inject({ method: 'POST', url: '/api/v1/portal/logout', headers })).statusCode).toBe(204);
      expect((await t.app.inject({ url: '/api/v1/portal/me', headers })).statusCode).toBe(401);
    });
  });
}
