import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  channelActor,
  ConflictError,
  ForbiddenError,
  InvalidError,
  PolicyViolationError,
  replay,
  stateKey,
  type Actor,
  type CollectInput,
} from '../src/index.js';
import { createTestCore, DB_KINDS, reportSkip, SYSTEM, type TestCore } from './helpers.js';
import { grantUse, noticeContentFor, seedPurpose, type PurposeFixture } from './consent-fixtures.js';

const MOBILE = '13900139000';
const ID = '11010519491231002X';
const key = () => randomBytes(12).toString('hex');
const mobile = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

/** Tables a refused collection must leave exactly as they were. */
const WATCHED = ['customers', 'customer_fields', 'customer_keys', 'consent_records', 'consent_state', 'idempotency_keys', 'outbox'];

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`consent suite on ${kind}`, skip);
  describe.skipIf(skip)(`purposes, notices, collection and consent on ${kind}`, () => {
    let t: TestCore;
    let f: PurposeFixture;
    let web: Actor;
    const q = (sql: string, params?: unknown[]) => t.db.database.query(sql, params);
    const snapshot = async () =>
      Object.fromEntries(await Promise.all(WATCHED.map(async (tb) => [tb, (await q(`SELECT count(*)::int AS n FROM ${tb}`))[0]!.n])));

    const submission = (over: Partial<CollectInput> = {}): CollectInput => ({
      purposeCode: f.code,
      noticeId: f.noticeId,
      fields: { name: '李四', mobile: mobile(), health: '高血压' },
      consent: { method: 'checkbox', scope: ['name', 'mobile'], separate: [{ type: 'sensitive', category: 'health' }] },
      ...over,
    });

    beforeAll(async () => {
      t = await createTestCore(kind);
      f = await seedPurpose(t.core);
      web = channelActor({ id: f.channelId, code: 'web' });
      await t.core.customers.setDepartmentPurposes(SYSTEM, f.staff.departmentId!, { purposes: [f.code] });
      await grantUse(t.core, f, ['name', 'mobile', 'email', 'resident_id', 'health']);
    });
    afterAll(async () => t?.close());

    it('runs the purpose lifecycle with four eyes, and a new version that changes the purpose resets the consent baseline', async () => {
      const [active] = await t.core.purposes.list(f.approver, { code: f.code, status: 'active' });
      expect(active).toMatchObject({ version: 1, consentBaseline: 1, approvedBy: f.approver.username });
      const base = { ...active!, retention: active!.retention, necessity: active!.necessity };
      const input = {
        code: f.code,
        name: base.name,
        description: base.description,
        businessLine: base.businessLine,
        ownerDepartmentId: base.ownerDepartmentId,
        legalBasis: base.legalBasis,
        fields: [...base.fields, 'gender'],
        necessity: base.necessity,
        scenarios: base.scenarios,
        retention: base.retention,
      };
      const v2 = await t.core.purposes.create(f.author, input);
      expect(v2).toMatchObject({ version: 2, status: 'draft', consentBaseline: 1 }); // only widened: old consents still count for old fields
      await expect(t.core.purposes.create(f.author, input)).rejects.toBeInstanceOf(ConflictError);
      await t.core.purposes.submit(f.author, v2.id);
      await expect(t.core.purposes.approve(f.author, v2.id)).rejects.toBeInstanceOf(ForbiddenError);
      await t.core.purposes.reject(f.approver, v2.id, { comment: 'describe the change' });
      // the draft is returned; a changed description makes a new baseline only in a fresh version
      const other = await t.core.purposes.create(f.author, { ...input, code: `${f.code}_x`, description: { 'zh-CN': '新', en: 'new' } });
      expect(other.consentBaseline).toBe(1);
      const missing = await t.core.purposes
        .create(f.author, { ...input, code: `${f.code}_y`, necessity: {} })
        .catch((e: unknown) => e as InvalidError);
      expect(missing).toBeInstanceOf(InvalidError);
      expect(missing.problems).toEqual(expect.arrayContaining([{ field: 'necessity.resident_id', reason: 'necessity_required' }]));
    });

    it('publishes a notice only when every element is present, hashes it, and the database keeps it immutable', async () => {
      const incomplete = noticeContentFor(['resident_id', 'health']);
      incomplete.en.retention = '';
      incomplete['zh-CN'].sensitive = incomplete['zh-CN'].sensitive.filter((s) => s.field !== 'health');
      const draft = await t.core.notices.create(f.author, { purposeId: f.purposeId, content: incomplete });
      const e = await t.core.notices.publish(f.author, draft.id).catch((x: unknown) => x as PolicyViolationError);
      expect(e).toBeInstanceOf(PolicyViolationError);
      expect(e.problems).toEqual(
        expect.arrayContaining([
          { field: 'content.en.retention', reason: 'missing' },
          { field: 'content.zh-CN.sensitive.health.necessity', reason: 'missing' },
        ]),
      );
      const [published] = await q(`SELECT content_hash FROM notices WHERE id = $1`, [f.noticeId]);
      expect(published!.content_hash).toBe(f.noticeHash);
      expect(f.noticeHash).toMatch(/^[0-9a-f]{64}$/);
      await expect(q(`UPDATE notices SET content = '{}'::jsonb WHERE id = $1`, [f.noticeId])).rejects.toThrow(/immutable/);
      await expect(q(`DELETE FROM notices WHERE id = $1`, [f.noticeId])).rejects.toThrow(/cannot be deleted/);
      const pub = await t.core.notices.getPublished({ ...SYSTEM, type: 'user', userId: null, roles: [] }, f.code);
      expect(pub.notice.contentHash).toBe(f.noticeHash);
      expect(pub.purpose.fields.find((x) => x.code === 'health')).toMatchObject({ sensitivity: 'sensitive' });
    });

    it('collects through the widget channel: values encrypted, consent ledger with the notice hash, one audit event', async () => {
      const m = mobile();
      const r = await t.core.collection.collect(web, submission({ fields: { name: '王五', mobile: m, health: '糖尿病' } }), {
        idempotencyKey: key(),
        ip: '203.0.113.9',
        userAgent: 'UA/1',
      });
      expect(r.customerId).toBeNull();
      expect(r.consentIds).toHaveLength(2);
      expect(r.fields.find((x) => x.field === 'mobile')!.masked).toBe(`${m.slice(0, 3)}****${m.slice(-4)}`);
      const recs = await q(`SELECT * FROM consent_records WHERE id = ANY($1::uuid[]) ORDER BY seq`, [r.consentIds]);
      expect(recs.map((x) => [x.scope, x.separate_type, x.notice_hash])).toEqual([
        [['name', 'mobile'], null, f.noticeHash],
        [['health'], 'sensitive', f.noticeHash],
      ]);
      const ev = recs[0]!.evidence as Record<string, string>;
      expect(ev.ipHash).toMatch(/^[0-9a-f]{64}$/);
      const dump =
        JSON.stringify(await q(`SELECT * FROM customer_fields`)) +
        JSON.stringify(await q(`SELECT * FROM consent_records`)) +
        JSON.stringify(await q(`SELECT * FROM audit_events`));
      for (const plain of [m, '王五', '糖尿病', '203.0.113.9']) expect(dump).not.toContain(plain);
      const customerId = recs[0]!.customer_id as string;
      const d = await t.core.consent.check(f.staff, { customerId, purposeCode: f.code, fields: ['name', 'health', 'email', 'gender'] });
      expect(d.decisions).toEqual([
        { field: 'name', allow: true, reason: 'consent' },
        { field: 'health', allow: true, reason: 'consent' },
        { field: 'email', allow: false, reason: 'no_consent' },
        { field: 'gender', allow: false, reason: 'not_in_purpose' },
      ]);
    });

    const refusals: Array<[string, () => CollectInput, Array<{ field: string; reason: string }>, string[]]> = [
      [
        'a field outside the purpose (P3.2)',
        () => submission({ fields: { name: '赵六', gender: '男' } }),
        [{ field: 'gender', reason: 'not_in_purpose' }],
        ['P3.2'],
      ],
      [
        'a sensitive field without separate consent (P3.4)',
        () => submission({ consent: { method: 'checkbox', scope: ['name', 'mobile', 'health'], separate: [] } }),
        [{ field: 'health', reason: 'separate_consent_required' }],
        ['P3.4'],
      ],
      [
        'no consent for a consent-based purpose (P3.4)',
        () => submission({ consent: undefined }),
        [{ field: 'consent', reason: 'consent_required' }],
        ['P3.4'],
      ],
      [
        'a field without consent (P3.4)',
        () => submission({ consent: { method: 'click', scope: ['name'], separate: [{ type: 'sensitive', category: 'health' }] } }),
        [{ field: 'mobile', reason: 'no_consent' }],
        ['P3.4'],
      ],
      [
        'a notice that is not the current one (P2.2)',
        () => submission({ noticeId: '00000000-0000-4000-8000-000000000000' }),
        [{ field: 'noticeId', reason: 'not_current' }],
        ['P2.2', 'P3.4'],
      ],
      [
        'a purpose that is not active (P3.1)',
        () => submission({ purposeCode: 'no_such_purpose' }),
        [{ field: 'purposeCode', reason: 'purpose_not_active' }],
        ['P3.1'],
      ],
    ];
    for (const [what, input, problems, clauses] of refusals) {
      it(`refuses ${what} and leaves the database unchanged`, async () => {
        const before = await snapshot();
        const e = await t.core.collection.collect(web, input(), { idempotencyKey: key() }).catch((x: unknown) => x as PolicyViolationError);
        expect(e).toBeInstanceOf(PolicyViolationError);
        expect(e.status).toBe(422);
        expect(e.problems).toEqual(expect.arrayContaining(problems));
        expect(e.clauses).toEqual(expect.arrayContaining(clauses));
        expect(await snapshot()).toEqual(before);
        // P2.1: the refusal itself is on record, with fields and reasons but no values.
        const [ev] = await q(
          `SELECT details, outcome FROM audit_events WHERE action = 'customer.collection_refused' ORDER BY id DESC LIMIT 1`,
        );
        expect(ev).toMatchObject({ outcome: 'denied', details: { problems: expect.arrayContaining(problems) } });
      });
    }

    it('refuses an invalid value (P2.4) with field and reason and leaves the database unchanged', async () => {
      const before = await snapshot();
      const e = await t.core.collection
        .collect(web, submission({ fields: { name: '钱七', mobile: '12345', health: 'x' } }), { idempotencyKey: key() })
        .catch((x: unknown) => x as InvalidError);
      expect(e).toBeInstanceOf(InvalidError);
      expect(e.problems.map((p) => p.field)).toEqual(['mobile']);
      expect(JSON.stringify(e)).not.toContain('12345');
      expect(await snapshot()).toEqual(before);
    });

    it('returns the first response for a retry with the same Idempotency-Key, and 409 for a different body', async () => {
      const k = key();
      const input = submission({ fields: { name: '孙八', mobile: mobile(), health: '无' } });
      const [a, b] = await Promise.all([
        t.core.collection.collect(web, input, { idempotencyKey: k }),
        t.core.collection.collect(web, input, { idempotencyKey: k }),
      ]);
      expect(a.collectionId).toBe(b.collectionId);
      expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
      const n = await q(`SELECT count(*)::int AS n FROM consent_records WHERE id = ANY($1::uuid[])`, [a.consentIds]);
      expect(n[0]!.n).toBe(2);
      const c = await t.core.collection
        .collect(web, { ...input, fields: { ...input.fields, name: '周九' } }, { idempotencyKey: k })
        .catch((x: unknown) => x);
      expect(c).toBeInstanceOf(ConflictError);
    });

    it('matches an existing customer by mobile; the widget adds missing fields but never overwrites', async () => {
      const staffCollect = await t.core.collection.collect(
        f.staff,
        { ...submission({ fields: { name: '吴十', mobile: MOBILE, health: '良好' } }), channelId: f.channelId },
        { idempotencyKey: key() },
      );
      expect(staffCollect.created).toBe(true);
      await t.core.collection.collect(
        web,
        submission({
          fields: { name: '冒名', mobile: MOBILE, resident_id: ID, health: '良好' },
          consent: {
            method: 'checkbox',
            scope: ['name', 'mobile'],
            separate: [
              { type: 'sensitive', category: 'resident_id' },
              { type: 'sensitive', category: 'health' },
            ],
          },
        }),
        { idempotencyKey: key() },
      );
      const v = await t.core.customers.reveal(f.staff, staffCollect.customerId!, {
        fields: ['name', 'resident_id'],
        purpose: f.code,
        justification: 'check match',
      });
      expect(v.values).toEqual({ name: '吴十', resident_id: ID });
    });

    it('withdrawal denies reads for that purpose: checkConsent and a staff reveal', async () => {
      const r = await t.core.collection.collect(f.staff, { ...submission(), channelId: f.channelId }, { idempotencyKey: key() });
      const id = r.customerId!;
      await t.core.customers.reveal(f.staff, id, { fields: ['mobile', 'health'], purpose: f.code, justification: 'call back' });
      await t.core.consent.withdraw(f.staff, id, {
        purposeCode: f.code,
        categories: ['health'],
        method: 'paper_signature',
        evidence: { documentHash: 'a'.repeat(64) },
      });
      const d = await t.core.consent.check(f.staff, { customerId: id, purposeCode: f.code, fields: ['mobile', 'health'] });
      expect(d.decisions.map((x) => [x.field, x.allow, x.reason])).toEqual([
        ['mobile', true, 'consent'],
        ['health', false, 'withdrawn'],
      ]);
      await expect(
        t.core.customers.reveal(f.staff, id, { fields: ['health'], purpose: f.code, justification: 'call back' }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      const list = await t.core.consent.list(f.staff, id);
      expect(list.records.map((x) => x.kind)).toEqual(['grant', 'grant', 'withdrawal']);
      expect(list.current.find((x) => x.category === 'health')).toMatchObject({ status: 'withdrawn', separate: false });
    });

    it('imports a batch: invalid rows are reported by index and reason, valid ones stored with their consent', async () => {
      const rows = [
        { fields: { name: '甲一', mobile: mobile() }, consent: { method: 'paper_signature', givenAt: new Date().toISOString() } },
        { fields: { name: '乙二', mobile: '999' }, consent: { method: 'paper_signature', givenAt: new Date().toISOString() } },
        { fields: { name: '丙三', mobile: mobile() } },
        {
          fields: { name: '丁四', mobile: mobile(), health: '好' },
          consent: { method: 'paper_signature', givenAt: new Date().toISOString() },
        },
        { fields: { name: '戊五', mobile: mobile() }, consent: { method: 'recorded_call', givenAt: new Date().toISOString() } },
      ];
      const r = await t.core.collection.import(f.author, {
        channelId: f.importChannelId,
        purposeCode: f.code,
        lawfulSource: { description: 'paper forms 2026', basis: 'consent' },
        batchSize: 2,
        rows,
      });
      expect(r.accepted).toBe(2);
      expect(r.rejectedRows.map((x) => [x.row, x.problems[0]!.reason])).toEqual([
        [1, expect.any(String)],
        [2, 'consent_required'],
        [3, 'separate_consent_required'],
      ]);
      expect(JSON.stringify(r)).not.toContain('999');
      await expect(
        t.core.collection.import(f.author, {
          channelId: f.channelId,
          purposeCode: f.code,
          lawfulSource: { description: 'x x x x', basis: 'consent' },
          rows,
        }),
      ).rejects.toBeInstanceOf(PolicyViolationError);
    });

    it('property: for any sequence of consents and withdrawals, the projection equals a replay of the ledger', async () => {
      const r = await t.core.collection.collect(f.staff, { ...submission(), channelId: f.channelId }, { idempotencyKey: key() });
      const id = r.customerId!;
      const cats = ['name', 'mobile', 'email', 'resident_id', 'health'];
      const step = fc.oneof(
        fc.record({
          kind: fc.constant('grant' as const),
          scope: fc.subarray(['name', 'mobile', 'email']),
          separate: fc.subarray(['resident_id', 'health']),
        }),
        fc.record({
          kind: fc.constant('withdraw' as const),
          categories: fc.option(fc.subarray(cats, { minLength: 1 }), { nil: undefined }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
          for (const s of steps) {
            if (s.kind === 'grant') {
              if (!s.scope.length && !s.separate.length) continue;
              await t.core.consent.record(f.staff, id, {
                purposeCode: f.code,
                noticeId: f.noticeId,
                scope: s.scope,
                separate: s.separate.map((category) => ({ type: 'sensitive' as const, category })),
                method: 'paper_signature',
              });
            } else {
              await t.core.consent.withdraw(f.staff, id, {
                purposeCode: f.code,
                method: 'paper_signature',
                ...(s.categories ? { categories: s.categories } : {}),
              });
            }
          }
          const list = await t.core.consent.list(f.staff, id);
          const replayed = replay(
            list.records.map((x) => ({
              id: x.id,
              kind: x.kind,
              purposeCode: x.purposeCode,
              purposeVersion: x.purposeVersion,
              scope: x.scope,
              separateType: (x.separate?.type ?? null) as never,
              separateTarget: x.separate ? (x.separate.category ?? x.separate.recipient ?? null) : null,
              recordedAt: new Date(x.recordedAt),
              expiresAt: x.expiresAt ? new Date(x.expiresAt) : null,
            })),
          );
          const projected = new Map(list.current.map((c) => [stateKey(c.purposeCode, c.category), c]));
          expect(projected.size).toBe(replayed.size);
          for (const [k, v] of replayed) {
            expect(projected.get(k)).toMatchObject({
              status: v.status,
              separate: v.separate,
              consentId: v.consentId,
              purposeVersion: v.purposeVersion,
            });
          }
          // and the decision the cache gives agrees with the projection
          const d = await t.core.consent.check(f.staff, { customerId: id, purposeCode: f.code, fields: cats });
          for (const x of d.decisions) {
            const row = replayed.get(stateKey(f.code, x.field));
            const sensitive = x.field === 'resident_id' || x.field === 'health';
            expect(x.allow).toBe(!!row && row.status === 'granted' && (!sensitive || row.separate));
          }
        }),
        { numRuns: kind === 'pglite' ? 15 : 25 },
      );
    });

    it('lets a customer sign in to the portal with a one-time code and withdraw', async () => {
      const m = mobile();
      await t.core.collection.collect(
        f.staff,
        { ...submission({ fields: { name: '郑一', mobile: m, health: '无' } }), channelId: f.channelId },
        { idempotencyKey: key() },
      );
      const anon: Actor = { type: 'user', userId: null, username: 'anonymous', departmentId: null, roles: [], authMethod: 'session' };
      const unknown = await t.core.portal.requestCode(anon, { piType: 'cn_mobile', value: '13700000000' });
      expect(unknown.challengeId).toMatch(/^[0-9a-f-]{36}$/);
      const { challengeId } = await t.core.portal.requestCode(anon, { piType: 'cn_mobile', value: m });
      const [msg] = await q(`SELECT recipient FROM outbox WHERE topic = 'portal.code' ORDER BY id DESC LIMIT 1`);
      expect(JSON.stringify(msg!.recipient)).not.toContain(m);
      const code = /(\d{6})/.exec(await t.lastNotification('portal.code'))![1]!;
      // the log notifier masks the address it writes to
      expect(JSON.stringify(t.logs)).not.toContain(m);
      await expect(t.core.portal.verifyCode(anon, { challengeId, code: code === '000000' ? '111111' : '000000' })).rejects.toBeInstanceOf(
        InvalidError,
      );
      const s = await t.core.portal.verifyCode(anon, { challengeId, code });
      const me = (await t.core.portal.actorForToken(s.token))!;
      expect(me.type).toBe('customer');
      const o = await t.core.portal.overview(me);
      expect(o.fields.find((x) => x.field === 'mobile')!.masked).toBe(`${m.slice(0, 3)}****${m.slice(-4)}`);
      expect(
        o.consents
          .filter((c) => c.status === 'granted')
          .map((c) => c.category)
          .sort(),
      ).toEqual(['health', 'mobile', 'name']);
      await t.core.portal.withdraw(me, { purposeCode: f.code });
      const after = await t.core.portal.overview(me);
      expect(after.consents.every((c) => c.status === 'withdrawn')).toBe(true);
      await t.core.notifier.drain();
      const [delivered] = await q(`SELECT status, payload FROM outbox WHERE topic = 'portal.code' ORDER BY id DESC LIMIT 1`);
      expect(delivered!.status).toBe('delivered');
      expect(JSON.stringify(delivered!.payload)).not.toContain(code);
      // a customer actor can do nothing else
      await expect(t.core.customers.find(me, { piType: 'cn_mobile', value: m })).rejects.toThrow();
    });
  });
}
