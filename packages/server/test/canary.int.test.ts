/**
 * Canary test for the vault (issue requirement): unique canary values go through every vault
 * route (/api/v1/customers*, /api/v1/keys*, /api/v1/departments/:id/purposes), on success and on
 * error paths, and none of them may show up in the log output (pino at level trace), in the audit
 * rows, in any error body, or in any successful body other than `reveal` (which returns plain
 * values on purpose). Normalised and input forms of every canary are searched for, also with
 * non-ASCII characters \u-escaped.
 */
import { Writable } from 'node:stream';
import { randomBytes, randomInt } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createCore, luhnValid, residentIdCheckChar, type Actor, type Core } from '@custos/core';
import { buildApp } from '../src/index.js';
import {
  createTestDatabase,
  DB_KINDS,
  makeUser,
  reportSkip,
  STRONG_PASSWORD,
  TEST_KDF,
  testConfig,
  type TestDb,
} from '../../core/test/helpers.js';
import { seedPurpose, seedRevealAccess } from '../../core/test/consent-fixtures.js';
import { loginToken } from './helpers.js';

// ---------------------------------------------------------------------------------------------
// Fresh canary values

const hex = (n: number) => randomBytes(n).toString('hex');
const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
/** n random CJK unified ideographs (U+4E00..U+9FA5). */
const han = (n: number) => Array.from({ length: n }, () => String.fromCodePoint(0x4e00 + randomInt(0x9fa5 - 0x4e00))).join('');

function residentId(): string {
  const region = ['110105', '310104', '440305', '330106', '510107'][randomInt(5)]!;
  const y = 1950 + randomInt(50);
  const body = `${region}${y}${String(1 + randomInt(12)).padStart(2, '0')}${String(1 + randomInt(28)).padStart(2, '0')}${digits(3)}`;
  return body + residentIdCheckChar(body);
}
/** Same structure, wrong check character. */
function badResidentId(): string {
  const good = residentId();
  const wrong = '0123456789X'.replace(good[17]!, '');
  return good.slice(0, 17) + wrong[randomInt(wrong.length)]!;
}
const mobile = () => `1${'3456789'[randomInt(7)]}${digits(9)}`;
function bankCard(): string {
  const body = `62${digits(16)}`;
  for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}
const spacedMobile = (m: string) => `+86 ${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`;

/** A customer's canary values: what is sent (input forms) and every form to look for. */
function canaryCustomer() {
  const id = residentId();
  const mob = mobile();
  const emailLocal = `canary-${hex(6)}`;
  const nameSuffix = han(3);
  const street = `${han(3)}路${digits(4)}号`;
  const landlineSub = `8${digits(7)}`;
  const card = bankCard();
  const y = 1950 + randomInt(50);
  const m = 1 + randomInt(12);
  const d = 1 + randomInt(28);
  const prefToken = `pref-${hex(6)}`;
  const input = {
    name: `欧阳${nameSuffix}`,
    gender: '女',
    date_of_birth: `${y}年${m}月${d}日`,
    resident_id: id.toLowerCase(),
    mobile: spacedMobile(mob),
    landline: `(0755) ${landlineSub.slice(0, 4)} ${landlineSub.slice(4)}`,
    email: `${emailLocal}@Example.COM`,
    address: `广东省深圳市南山区${street}`,
    bank_card: `${card.slice(0, 4)} ${card.slice(4, 8)} ${card.slice(8, 12)} ${card.slice(12, 16)} ${card.slice(16)}`,
    preferences: `偏好${prefToken}短信`,
  };
  const normalized = {
    name: `欧阳${nameSuffix}`,
    date_of_birth: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    resident_id: id,
    mobile: mob,
    landline: `0755-${landlineSub}`,
    email: `${emailLocal}@example.com`,
    address: `广东省深圳市南山区${street}`,
    bank_card: card,
    preferences: `偏好${prefToken}短信`,
  };
  const needles = [
    ...Object.values(normalized),
    ...Object.entries(input)
      .filter(([k]) => k !== 'gender')
      .map(([, v]) => v),
    id.toLowerCase(),
    nameSuffix,
    street,
    `0755${landlineSub}`,
    emailLocal,
    prefToken,
    `${mob.slice(0, 3)} ${mob.slice(3, 7)} ${mob.slice(7)}`,
  ];
  return { input, normalized, needles };
}

/** The forms a canary may take in serialised output: as is, and with non-ASCII \u-escaped. */
function forms(s: string): string[] {
  const esc = (upper: boolean) =>
    s
      .split('')
      .map((ch) => {
        const code = ch.charCodeAt(0);
        if (code < 0x7f) return ch;
        const h = code.toString(16).padStart(4, '0');
        return `\\u${upper ? h.toUpperCase() : h}`;
      })
      .join('');
  return [...new Set([s, esc(false), esc(true)])];
}

function leaks(haystack: string, needles: string[]): string[] {
  return [...new Set(needles)].filter((n) => forms(n).some((f) => haystack.includes(f)));
}

// ---------------------------------------------------------------------------------------------

interface Recorded {
  label: string;
  status: number;
  body: string;
  headers: string;
  /** The reveal success body legitimately carries plain values. */
  plainAllowed: boolean;
}

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`vault canary suite on ${kind}`, skip);
  describe.skipIf(skip)(`vault canaries on ${kind}`, () => {
    let db: TestDb;
    let core: Core;
    let app: FastifyInstance;
    let logger: pino.Logger;
    const logLines: string[] = [];
    const responses: Recorded[] = [];
    const tokens: Record<string, string> = {};
    const users: Record<string, Actor> = {};
    /** The registered purpose the staff member's department holds (with a live grant), and one it does not hold. */
    let purpose = '';
    let notHeld = '';

    beforeAll(async () => {
      const stream = new Writable({
        write(chunk: Buffer | string, _enc, cb) {
          logLines.push(chunk.toString());
          cb();
        },
      });
      logger = pino({ level: 'trace' }, stream);
      db = await createTestDatabase(kind);
      core = await createCore({ config: testConfig(), database: db.database, kdf: TEST_KDF, loginDelay: async () => {}, logger });
      app = await buildApp({ core, logger, consoleDir: '/nonexistent' });
      await app.ready();
      // Every canary field, and one the customer lacks: an active purpose held by the department, with a live grant.
      const access = await seedRevealAccess(core, {
        fields: [
          'name',
          'gender',
          'date_of_birth',
          'resident_id',
          'mobile',
          'landline',
          'email',
          'address',
          'bank_card',
          'preferences',
          'passport',
        ],
      });
      users.staff = access.staff;
      purpose = access.code;
      notHeld = (await seedPurpose(core, { fields: ['mobile'], legalBasis: 'contract' })).code;
      users.otherStaff = await makeUser(core, ['staff']);
      users.auditor = await makeUser(core, ['auditor']);
      users.admin = await makeUser(core, ['administrator']);
      users.compliance = await makeUser(core, ['compliance_officer']);
      users.security = await makeUser(core, ['security_officer']);
      for (const [k, u] of Object.entries(users)) tokens[k] = await loginToken(app, u.username, STRONG_PASSWORD);
    });
    afterAll(async () => {
      await app?.close();
      await core?.close();
      await db?.drop();
    });

    /** Call a route as `who`, record the response, and check its status. */
    async function call(
      label: string,
      who: string,
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      payload: unknown,
      expected: number,
      opts: { plainAllowed?: boolean } = {},
    ) {
      const r = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${tokens[who]}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      responses.push({
        label,
        status: r.statusCode,
        body: r.body,
        headers: JSON.stringify(r.headers),
        plainAllowed: opts.plainAllowed === true && r.statusCode < 300,
      });
      expect(r.statusCode, `${label}: ${r.body}`).toBe(expected);
      return r;
    }

    async function auditText(): Promise<string> {
      await core.audit.flush();
      return JSON.stringify(await db.database.query('SELECT * FROM audit_events ORDER BY id'));
    }

    function expectNoLeak(where: string, haystack: string, needles: string[]) {
      expect(leaks(haystack, needles), `canary values found in ${where}`).toEqual([]);
    }

    function expectNoLeakInResponses(needles: string[], from = 0) {
      for (const r of responses.slice(from)) {
        expectNoLeak(`the response headers of "${r.label}"`, r.headers, needles);
        if (!r.plainAllowed) expectNoLeak(`the ${r.status} response body of "${r.label}"`, r.body, needles);
      }
    }

    it('sends canaries through every vault route and finds none in logs, audit rows or response bodies', async () => {
      const c = canaryCustomer();
      const newMobile = mobile();
      const extra = {
        badId: badResidentId(),
        badMobile: `12${digits(9)}`,
        badEmail: `canary-bad-${hex(6)}@@example.com`,
        unknownValue: `unknown-${hex(6)}`,
        longValue: `canary-long-${hex(6)}`,
        missingMobile: mobile(),
        missingId: residentId(),
        missingEmail: `canary-missing-${hex(6)}@example.com`,
        purpose: `canary-purpose-${hex(6)}`,
        newMobile,
        newMobileSpaced: spacedMobile(newMobile),
        badCorrection: `canary-badfix-${hex(6)}`,
      };
      const needles = [...c.needles, ...Object.values(extra)];
      const deptId = users.staff!.departmentId!;
      const otherDeptId = users.otherStaff!.departmentId!;

      // Purposes (P5.1).
      await call('set purposes', 'compliance', 'PUT', `/api/v1/departments/${deptId}/purposes`, { purposes: [purpose] }, 200);
      await call(
        'set purposes with a canary purpose',
        'compliance',
        'PUT',
        `/api/v1/departments/${deptId}/purposes`,
        { purposes: [purpose, extra.purpose] },
        400,
      );
      await call(
        'set purposes with an unregistered purpose',
        'compliance',
        'PUT',
        `/api/v1/departments/${deptId}/purposes`,
        { purposes: [purpose, 'customer_service'] },
        400,
      );
      await call('set purposes as staff', 'staff', 'PUT', `/api/v1/departments/${otherDeptId}/purposes`, { purposes: ['marketing'] }, 403);
      await call('list purposes', 'staff', 'GET', `/api/v1/departments/${deptId}/purposes`, undefined, 200);
      await call('list purposes as auditor', 'auditor', 'GET', `/api/v1/departments/${deptId}/purposes`, undefined, 200);
      const mine = await call('list my purposes', 'staff', 'GET', '/api/v1/me/purposes', undefined, 200);
      expect((mine.json() as { items: Array<{ code: string }> }).items.map((p) => p.code)).toEqual([purpose]);
      await call('list my purposes as auditor', 'auditor', 'GET', '/api/v1/me/purposes', undefined, 403);

      // Create.
      const created = await call('create', 'staff', 'POST', '/api/v1/customers', { fields: c.input }, 201);
      const id = (created.json() as { id: string }).id;
      await call(
        'create with invalid values and an unknown field',
        'staff',
        'POST',
        '/api/v1/customers',
        {
          fields: {
            name: c.input.name,
            resident_id: extra.badId,
            mobile: extra.badMobile,
            email: extra.badEmail,
            canary_unknown: extra.unknownValue,
          },
        },
        400,
      );
      await call(
        'create with a too long value',
        'staff',
        'POST',
        '/api/v1/customers',
        { fields: { preferences: extra.longValue + 'x'.repeat(4001) } },
        400,
      );
      await call(
        'create with a value of the wrong type',
        'staff',
        'POST',
        '/api/v1/customers',
        { fields: { mobile: [c.normalized.mobile] } },
        400,
      );
      await call('create as auditor', 'auditor', 'POST', '/api/v1/customers', { fields: c.input }, 403);
      await call('create as administrator', 'admin', 'POST', '/api/v1/customers', { fields: c.input }, 403);

      // Search: existing (input forms), missing, invalid, forbidden.
      for (const [piType, value] of [
        ['cn_mobile', c.input.mobile],
        ['cn_resident_id', c.input.resident_id],
        ['email', c.normalized.email],
      ] as const) {
        const r = await call(`search ${piType}`, 'staff', 'POST', '/api/v1/customers/search', { piType, value }, 200);
        expect((r.json() as { items: Array<{ id: string }> }).items.map((x) => x.id)).toEqual([id]);
      }
      for (const [piType, value] of [
        ['cn_mobile', extra.missingMobile],
        ['cn_resident_id', extra.missingId],
        ['email', extra.missingEmail],
      ] as const) {
        const r = await call(`search a missing ${piType}`, 'staff', 'POST', '/api/v1/customers/search', { piType, value }, 200);
        expect((r.json() as { items: unknown[] }).items).toEqual([]);
      }
      await call(
        'search an invalid mobile',
        'staff',
        'POST',
        '/api/v1/customers/search',
        { piType: 'cn_mobile', value: extra.badMobile },
        400,
      );
      await call(
        'search an invalid resident ID',
        'staff',
        'POST',
        '/api/v1/customers/search',
        { piType: 'cn_resident_id', value: extra.badId },
        400,
      );
      await call(
        'search by a type without index',
        'staff',
        'POST',
        '/api/v1/customers/search',
        { piType: 'person_name', value: c.normalized.name },
        400,
      );
      await call(
        'search as auditor',
        'auditor',
        'POST',
        '/api/v1/customers/search',
        { piType: 'cn_mobile', value: c.normalized.mobile },
        403,
      );

      // Masked read.
      await call('get', 'staff', 'GET', `/api/v1/customers/${id}`, undefined, 200);
      await call('get as auditor', 'auditor', 'GET', `/api/v1/customers/${id}`, undefined, 403);
      await call('get an unknown customer', 'staff', 'GET', `/api/v1/customers/00000000-0000-4000-8000-000000000000`, undefined, 404);

      // Reveal: success (the only body allowed to carry plain values), then every refusal.
      const allFields = Object.keys(c.input);
      const revealed = await call(
        'reveal',
        'staff',
        'POST',
        `/api/v1/customers/${id}/reveal`,
        { fields: allFields, purpose, justification: '客户来电核实身份' },
        200,
        { plainAllowed: true },
      );
      expect((revealed.json() as { values: Record<string, string> }).values).toMatchObject(c.normalized); // the canaries are real
      await call(
        'reveal for an unregistered purpose',
        'staff',
        'POST',
        `/api/v1/customers/${id}/reveal`,
        { fields: ['mobile'], purpose: 'marketing', justification: '营销活动回访' },
        403,
      );
      await call(
        'reveal for a purpose not held',
        'staff',
        'POST',
        `/api/v1/customers/${id}/reveal`,
        { fields: ['mobile'], purpose: notHeld, justification: '营销活动回访' },
        403,
      );
      await call(
        'reveal from a department without the purpose',
        'otherStaff',
        'POST',
        `/api/v1/customers/${id}/reveal`,
        { fields: ['mobile'], purpose, justification: '客户来电核实' },
        403,
      );
      await call(
        'reveal as administrator',
        'admin',
        'POST',
        `/api/v1/customers/${id}/reveal`,
        { fields: ['mobile'], purpose, justification: '客户来电核实' },
        403,
      );
      await call(
        'reveal as auditor',
        'auditor',
        'POST',
        `/api/v1/customers/${id}/reveal`,
        { fields: ['mobile'], purpose, justification: '审计抽查' },
        403,
      );
      await call(
        'reveal with the mobile number in the justification',
        'staff',
        'POST',
        `/api/v1/customers/${id}/reveal`,
        { fields: ['mobile'], purpose, justification: `请回拨 ${c.normalized.mobile}` },
        400,
      );
      await call(
        'reveal with the resident ID and e-mail in the justification',
        'staff',
        'POST',
        `/api/v1/customers/${id}/reveal`,
        { fields: ['mobile'], purpose, justification: `核实 ${c.normalized.resident_id}, ${c.normalized.email}` },
        400,
      );
      await call(
        'reveal a field the customer lacks',
        'staff',
        'POST',
        `/api/v1/customers/${id}/reveal`,
        { fields: ['passport'], purpose, justification: '客户来电核实' },
        400,
      );

      // Correction (P2.4).
      await call(
        'correct the mobile',
        'staff',
        'PUT',
        `/api/v1/customers/${id}/fields/mobile`,
        { value: extra.newMobileSpaced, reason: '客户更换号码' },
        200,
      );
      await call(
        'correct with an invalid value',
        'staff',
        'PUT',
        `/api/v1/customers/${id}/fields/mobile`,
        { value: extra.badCorrection, reason: '客户更换号码' },
        400,
      );
      await call(
        'correct with an invalid resident ID',
        'staff',
        'PUT',
        `/api/v1/customers/${id}/fields/resident_id`,
        { value: extra.badId, reason: '证件号码录入错误' },
        400,
      );
      await call(
        'correct an unknown field',
        'staff',
        'PUT',
        `/api/v1/customers/${id}/fields/canary_nope`,
        { value: extra.unknownValue, reason: '补充信息' },
        400,
      );
      await call(
        'correct with the old number in the reason',
        'staff',
        'PUT',
        `/api/v1/customers/${id}/fields/mobile`,
        { value: c.normalized.mobile, reason: `旧号码 ${extra.newMobile} 已停用` },
        400,
      );
      await call(
        'correct as auditor',
        'auditor',
        'PUT',
        `/api/v1/customers/${id}/fields/mobile`,
        { value: c.normalized.mobile, reason: '客户更换号码' },
        403,
      );
      await call('history', 'staff', 'GET', `/api/v1/customers/${id}/fields/mobile/history`, undefined, 200);
      await call('history as auditor', 'auditor', 'GET', `/api/v1/customers/${id}/fields/mobile/history`, undefined, 403);
      await call('history of a missing field', 'staff', 'GET', `/api/v1/customers/${id}/fields/passport/history`, undefined, 404);
      const old = await call(
        'search the old mobile',
        'staff',
        'POST',
        '/api/v1/customers/search',
        { piType: 'cn_mobile', value: c.normalized.mobile },
        200,
      );
      expect((old.json() as { items: unknown[] }).items).toEqual([]);

      // Keys.
      await call('list keys', 'admin', 'GET', '/api/v1/keys', undefined, 200);
      await call('list keys as staff', 'staff', 'GET', '/api/v1/keys', undefined, 403);
      await call('rotate keys as staff', 'staff', 'POST', '/api/v1/keys/rotate', undefined, 403);
      await call('rotate keys', 'security', 'POST', '/api/v1/keys/rotate', undefined, 202);
      await core.keys.settle();
      await call('list keys after rotation', 'security', 'GET', '/api/v1/keys', undefined, 200);
      const after = await call(
        'search after rotation',
        'staff',
        'POST',
        '/api/v1/customers/search',
        { piType: 'cn_mobile', value: extra.newMobile },
        200,
      );
      expect((after.json() as { items: Array<{ id: string }> }).items.map((x) => x.id)).toEqual([id]);

      // Delete (crypto-shredding), then every read.
      await call('delete as staff', 'staff', 'DELETE', `/api/v1/customers/${id}`, { reason: '客户申请注销' }, 403);
      await call(
        'delete with the mobile in the reason',
        'compliance',
        'DELETE',
        `/api/v1/customers/${id}`,
        { reason: `客户 ${extra.newMobile} 申请注销` },
        400,
      );
      await call('delete', 'compliance', 'DELETE', `/api/v1/customers/${id}`, { reason: '客户申请注销' }, 204);
      await call('get after delete', 'staff', 'GET', `/api/v1/customers/${id}`, undefined, 404);
      await call(
        'reveal after delete',
        'staff',
        'POST',
        `/api/v1/customers/${id}/reveal`,
        { fields: ['mobile'], purpose, justification: '客户来电核实' },
        404,
      );
      await call(
        'correct after delete',
        'staff',
        'PUT',
        `/api/v1/customers/${id}/fields/mobile`,
        { value: c.normalized.mobile, reason: '客户更换号码' },
        404,
      );
      await call('history after delete', 'staff', 'GET', `/api/v1/customers/${id}/fields/mobile/history`, undefined, 404);
      await call('delete again', 'compliance', 'DELETE', `/api/v1/customers/${id}`, { reason: '客户申请注销' }, 404);
      const gone = await call(
        'search after delete',
        'staff',
        'POST',
        '/api/v1/customers/search',
        { piType: 'cn_mobile', value: extra.newMobile },
        200,
      );
      expect((gone.json() as { items: unknown[] }).items).toEqual([]);

      // Every vault route was called.
      const vaultRoutes = (app as FastifyInstance & { routeTable: Array<{ method: string; url: string }> }).routeTable.filter(
        (r) => r.url.startsWith('/api/v1/customers') || r.url.startsWith('/api/v1/keys') || r.url === '/api/v1/departments/:id/purposes',
      );
      expect(vaultRoutes.length).toBeGreaterThanOrEqual(11);

      // Where the canaries must not be.
      const logs = logLines.join('');
      expect(logger.isLevelEnabled('trace')).toBe(true); // everything anyone logs was captured ...
      expect(logs).toContain('/api/v1/customers/search'); // ... including the vault requests
      expectNoLeak('the log output', logs, needles);
      expectNoLeak('audit_events', await auditText(), needles);
      expectNoLeakInResponses(needles);
      // And nowhere else in the database either (ciphertexts are bytea, reasons are checked text).
      for (const { tablename } of await db.database.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
      )) {
        expectNoLeak(`table ${tablename}`, JSON.stringify(await db.database.query(`SELECT * FROM ${tablename}`)), needles);
      }
    });

    it('keeps PI written into free text without separators out of the audit log and responses', async () => {
      // Staff write justifications and reasons in Chinese, where numbers are not set off by
      // spaces: '回拨13812345678', '手机号13812345678核实', digit groups '138 1234 5678'.
      const c = canaryCustomer();
      const from = responses.length;
      const created = await call('create (free-text case)', 'staff', 'POST', '/api/v1/customers', { fields: c.input }, 201);
      const id = (created.json() as { id: string }).id;
      const mob = c.normalized.mobile;
      const spaced = `${mob.slice(0, 3)} ${mob.slice(3, 7)} ${mob.slice(7)}`;
      const freeTexts = {
        justification: [`回拨${mob}`, `客户来电 ${spaced}`, `身份证${c.normalized.resident_id}`, `邮箱${c.normalized.email}`],
        correction: `旧号码${mob}已停用`,
        deletion: `客户${mob}申请注销。`,
      };
      const needles = [...c.needles, spaced];
      const outcome: Record<string, number> = {};
      for (const j of freeTexts.justification) {
        const r = await app.inject({
          method: 'POST',
          url: `/api/v1/customers/${id}/reveal`,
          headers: { authorization: `Bearer ${tokens.staff}` },
          payload: { fields: ['name'], purpose, justification: j },
        });
        responses.push({
          label: `reveal with justification ${JSON.stringify(j)}`,
          status: r.statusCode,
          body: r.body,
          headers: JSON.stringify(r.headers),
          plainAllowed: r.statusCode < 300,
        });
        outcome[`justification ${JSON.stringify(j)}`] = r.statusCode;
      }
      const corr = await app.inject({
        method: 'PUT',
        url: `/api/v1/customers/${id}/fields/mobile`,
        headers: { authorization: `Bearer ${tokens.staff}` },
        payload: { value: mobile(), reason: freeTexts.correction },
      });
      responses.push({
        label: 'correction with the old number in the reason',
        status: corr.statusCode,
        body: corr.body,
        headers: JSON.stringify(corr.headers),
        plainAllowed: false,
      });
      outcome[`correction reason ${JSON.stringify(freeTexts.correction)}`] = corr.statusCode;
      await call('history (free-text case)', 'staff', 'GET', `/api/v1/customers/${id}/fields/mobile/history`, undefined, 200);
      const del = await app.inject({
        method: 'DELETE',
        url: `/api/v1/customers/${id}`,
        headers: { authorization: `Bearer ${tokens.compliance}` },
        payload: { reason: freeTexts.deletion },
      });
      responses.push({
        label: 'delete with the number in the reason',
        status: del.statusCode,
        body: del.body,
        headers: JSON.stringify(del.headers),
        plainAllowed: false,
      });
      outcome[`deletion reason ${JSON.stringify(freeTexts.deletion)}`] = del.statusCode;

      // Either refused (400) or accepted: what matters is that no canary is stored or echoed.
      const audit = await auditText();
      const history = JSON.stringify(await db.database.query(`SELECT * FROM customer_field_history`));
      const found = {
        auditEvents: leaks(audit, needles),
        customerFieldHistory: leaks(history, needles),
        responses: responses
          .slice(from)
          .filter((r) => !r.plainAllowed)
          .flatMap((r) => leaks(r.body, needles).map((n) => `${r.label}: ${n}`)),
        logs: leaks(logLines.join(''), needles),
      };
      expect({ found, outcome }).toEqual({ found: { auditEvents: [], customerFieldHistory: [], responses: [], logs: [] }, outcome });
    });
  });
}
