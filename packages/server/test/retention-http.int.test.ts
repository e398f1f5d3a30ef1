import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS, makeUser, reportSkip, STRONG_PASSWORD } from '../../core/test/helpers.js';
import { seedPurpose, type PurposeFixture } from '../../core/test/consent-fixtures.js';
import { createTestApp, loginToken, type TestApp } from './helpers.js';

/** The retention API end to end: rules, dry run, run with its report, holds, metrics. */
for (const { kind, skip } of DB_KINDS) {
  reportSkip(`retention HTTP suite on ${kind}`, skip);
  describe.skipIf(skip)(`retention over HTTP on ${kind}`, () => {
    let t: TestApp;
    let f: PurposeFixture;
    let auth: Record<string, string>;

    beforeAll(async () => {
      t = await createTestApp(kind, { CUSTOS_RETENTION_CRON: 'off' });
      f = await seedPurpose(t.core);
      const officer = await makeUser(t.core, ['compliance_officer']);
      auth = { authorization: `Bearer ${await loginToken(t.app, officer.username, STRONG_PASSWORD)}` };
    });
    afterAll(async () => t?.close());

    it('creates a rule, dry-runs, runs, reports, holds; exports metrics', async () => {
      const rule = await t.app.inject({
        method: 'POST',
        url: '/api/v1/retention/rules',
        headers: auth,
        payload: { purposeCode: f.code, days: 90, trigger: 'consent_withdrawal', action: 'delete', description: '撤回后90天删除' },
      });
      expect(rule.statusCode, rule.body).toBe(201);
      const rules = await t.app.inject({ url: '/api/v1/retention/rules', headers: auth });
      expect(rules.json().items.map((r: { key: string }) => r.key)).toEqual(expect.arrayContaining([rule.json().key, `purpose:${f.code}`]));
      const preview = await t.app.inject({ method: 'POST', url: '/api/v1/retention/preview', headers: auth, payload: {} });
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.json().counts.deleted).toBe(0);
      const run = await t.app.inject({ method: 'POST', url: '/api/v1/retention/runs', headers: auth, payload: {} });
      expect(run.statusCode, run.body).toBe(201);
      const report = await t.app.inject({ url: `/api/v1/retention/runs/${run.json().id}`, headers: auth });
      expect(report.json()).toMatchObject({ run: { status: 'completed' }, totalDestructions: 0 });
      expect((await t.app.inject({ url: '/api/v1/retention/runs', headers: auth })).json().items).toHaveLength(1);
      const hold = await t.app.inject({
        method: 'POST',
        url: '/api/v1/retention/holds',
        headers: auth,
        payload: { ruleId: rule.json().id, reason: 'tax audit 2025', legalBasis: '税收征收管理法 第24条' },
      });
      expect(hold.statusCode, hold.body).toBe(201);
      const released = await t.app.inject({
        method: 'POST',
        url: `/api/v1/retention/holds/${hold.json().id}/release`,
        headers: auth,
        payload: { reason: 'audit closed' },
      });
      expect(released.json().releasedAt).not.toBeNull();
      const exp = await t.app.inject({ url: '/api/v1/retention/expiries?days=30', headers: auth });
      expect(exp.statusCode, exp.body).toBe(200);
      const metrics = await t.app.inject({ url: '/metrics' });
      expect(metrics.body).toContain('custos_retention_runs_total{status="completed"} 1');
    });
  });
}
