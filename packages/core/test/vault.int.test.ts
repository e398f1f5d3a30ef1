import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptoError, ForbiddenError, InvalidError, NotFoundError, type Actor } from '../src/index.js';
import { grantUse, seedPurpose, seedRevealAccess, type RevealAccess } from './consent-fixtures.js';
import { createTestCore, DB_KINDS, makeUser, reportSkip, SYSTEM, type TestCore } from './helpers.js';

const ID = '11010519491231002X';
const MOBILE = '13800138000';

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`vault suite on ${kind}`, skip);
  describe.skipIf(skip)(`customer PI vault on ${kind}`, () => {
    let t: TestCore;
    let access: RevealAccess;
    let staff: Actor;
    let outsider: Actor;
    const q = (sql: string, params?: unknown[]) => t.db.database.query(sql, params);

    beforeAll(async () => {
      t = await createTestCore(kind);
      // An active registered purpose (contract) held by the staff member's department, with a live grant.
      access = await seedRevealAccess(t.core, { fields: ['name', 'mobile', 'resident_id', 'email'] });
      staff = access.staff;
      outsider = await makeUser(t.core, ['staff']);
    });
    afterAll(async () => t?.close());

    it('stores each value encrypted, returns masks, and audits field names only', async () => {
      const c = await t.core.customers.create(staff, {
        fields: { name: '张三丰', resident_id: ID.toLowerCase(), mobile: '１３８-0013-8000', email: 'Zhang.San@Example.COM' },
      });
      const byField = Object.fromEntries(c.fields.map((f) => [f.field, f.masked]));
      expect(byField).toMatchObject({ mobile: '138****8000', resident_id: '1****************X', email: 'Z***@example.com' });
      expect(byField.name).toMatch(/^张\*+$/);
      const rows = await q(`SELECT category_code, ciphertext, blind_index FROM customer_fields WHERE customer_id = $1`, [c.id]);
      expect(rows).toHaveLength(4);
      const dump = JSON.stringify(await q(`SELECT * FROM customer_fields`)) + JSON.stringify(await q(`SELECT * FROM audit_events`));
      for (const plain of [ID, MOBILE, 'Zhang.San', '张三丰', 'example.com']) expect(dump).not.toContain(plain);
      expect(rows.find((r) => r.category_code === 'mobile')!.blind_index).toMatch(/^[0-9a-f]{8}$/);
      expect(rows.find((r) => r.category_code === 'name')!.blind_index).toBeNull();
      await t.core.audit.flush();
      const [ev] = await q(`SELECT details, clauses FROM audit_events WHERE action = 'customer.created' AND resource_id = $1`, [c.id]);
      expect((ev!.details as { fields: string[] }).fields.sort()).toEqual(['email', 'mobile', 'name', 'resident_id']);
    });

    it('rejects invalid values with field and reason, storing nothing', async () => {
      const before = await q(`SELECT count(*)::int AS n FROM customers`);
      const e = await t.core.customers
        .create(staff, { fields: { resident_id: '110105194912310021', mobile: '12345', unknown_thing: 'x' } })
        .catch((x: unknown) => x as InvalidError);
      expect(e).toBeInstanceOf(InvalidError);
      expect(e.problems).toEqual(
        expect.arrayContaining([
          { field: 'resident_id', reason: 'check_digit_mismatch' },
          { field: 'unknown_thing', reason: 'unknown_category' },
        ]),
      );
      expect(e.problems.find((p) => p.field === 'mobile')).toBeDefined();
      expect(JSON.stringify(e)).not.toContain('110105194912310021');
      expect(await q(`SELECT count(*)::int AS n FROM customers`)).toEqual(before);
    });

    it('finds a customer by exact mobile, resident ID or email through the blind index', async () => {
      const found = await t.core.customers.find(staff, { piType: 'cn_mobile', value: '+86 138 0013 8000' });
      expect(found).toHaveLength(1);
      expect((await t.core.customers.find(staff, { piType: 'cn_resident_id', value: ID })).map((c) => c.id)).toEqual([found[0]!.id]);
      expect(await t.core.customers.find(staff, { piType: 'email', value: 'zhang.san@example.com' })).toHaveLength(0); // local part is case-sensitive
      expect(await t.core.customers.find(staff, { piType: 'email', value: 'Zhang.San@example.com' })).toHaveLength(1);
      expect(await t.core.customers.find(staff, { piType: 'cn_mobile', value: '13900139000' })).toHaveLength(0);
    });

    it('reveals plain values only for a purpose the department holds, audited without values', async () => {
      const [c] = await t.core.customers.find(staff, { piType: 'cn_mobile', value: MOBILE });
      const r = await t.core.customers.reveal(staff, c!.id, {
        fields: ['mobile', 'resident_id'],
        purpose: access.code,
        justification: '客户来电核实身份',
      });
      expect(r.values).toEqual({ mobile: MOBILE, resident_id: ID });
      await expect(
        t.core.customers.reveal(staff, c!.id, { fields: ['mobile'], purpose: 'marketing', justification: '营销活动回访' }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(
        t.core.customers.reveal(outsider, c!.id, { fields: ['mobile'], purpose: access.code, justification: '客户来电核实' }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(
        t.core.customers.reveal(staff, c!.id, { fields: ['mobile'], purpose: access.code, justification: `call back ${MOBILE}` }),
      ).rejects.toMatchObject({ problems: [{ field: 'justification', reason: 'contains_pi' }] });
      const auditor = await makeUser(t.core, ['auditor']);
      await expect(
        t.core.customers.reveal(auditor, c!.id, { fields: ['mobile'], purpose: access.code, justification: '审计抽查' }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await t.core.audit.flush();
      const evs = await q(
        `SELECT outcome, purpose_id, details FROM audit_events WHERE action IN ('customer.revealed', 'access.denied') AND (resource_id = $1 OR details->>'operation' = 'revealCustomerFields') ORDER BY seq`,
        [c!.id],
      );
      expect(evs.filter((e) => e.outcome === 'success')).toEqual([
        {
          outcome: 'success',
          purpose_id: access.code,
          details: { fields: ['mobile', 'resident_id'], purpose: access.code, justification: '客户来电核实身份', grantId: access.grantId },
        },
      ]);
      expect(evs.filter((e) => e.outcome === 'denied').length).toBeGreaterThanOrEqual(3);
      expect(JSON.stringify(evs)).not.toContain(MOBILE);
    });

    /** A refused reveal: 403 from the named gate (P5.1 purpose, P3.4 consent, P5.2 grant), nothing revealed, no grant use recorded. */
    const expectRefused = async (who: Actor, id: string, fields: string[], purpose: string, gate: string, message: RegExp) => {
      const counts = async () => {
        await t.core.audit.flush();
        return q(
          `SELECT (SELECT count(*)::int FROM grant_accesses WHERE customer_id::text = $1) AS uses,
                  (SELECT count(*)::int FROM audit_events WHERE action = 'customer.revealed' AND resource_id = $1) AS reveals`,
          [id],
        );
      };
      const before = await counts();
      const e = await t.core.customers.reveal(who, id, { fields, purpose, justification: '客户来电核实' }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ForbiddenError);
      expect(e).toMatchObject({ permission: gate, message: expect.stringMatching(message) });
      expect(await counts()).toEqual(before);
    };

    it('refuses a purpose that is not an active registered one, even a former built-in use purpose the department was given', async () => {
      const c = await t.core.customers.create(staff, { fields: { mobile: '13500000101' } });
      // A legacy assignment of the former built-in purpose: holding the code is not enough.
      await q(`INSERT INTO department_use_purposes (department_id, purpose, assigned_by) VALUES ($1, 'customer_service', 'legacy')`, [
        staff.departmentId,
      ]);
      try {
        await expectRefused(staff, c.id, ['mobile'], 'customer_service', 'purpose', /not an active registered purpose/);
        // Not for the system actor either (it skips the department and grant, never the purpose and consent).
        await expect(
          t.core.customers.reveal(SYSTEM, c.id, { fields: ['mobile'], purpose: 'customer_service', justification: '系统核对' }),
        ).rejects.toMatchObject({ permission: 'purpose' });
      } finally {
        await q(`DELETE FROM department_use_purposes WHERE department_id = $1 AND purpose = 'customer_service'`, [staff.departmentId]);
      }
      // Only registered purposes can be assigned (any status; reveal needs it active).
      const e = await t.core.customers
        .setDepartmentPurposes(access.approver, staff.departmentId!, { purposes: [access.code, 'customer_service'] })
        .catch((x: unknown) => x as InvalidError);
      expect(e).toBeInstanceOf(InvalidError);
      expect(e.problems).toEqual([{ field: 'purposes.1', reason: 'unknown_purpose' }]);
      expect(await t.core.customers.listDepartmentPurposes(access.approver, staff.departmentId!)).toEqual([access.code]);
      // The control: the same read for the registered purpose is allowed.
      expect(
        (await t.core.customers.reveal(staff, c.id, { fields: ['mobile'], purpose: access.code, justification: '客户来电核实' })).values,
      ).toEqual({
        mobile: '13500000101',
      });
    });

    it('refuses a registered purpose the department does not hold, although its legal basis and a live grant cover the read', async () => {
      const c = await t.core.customers.create(staff, { fields: { mobile: '13500000102' } });
      const other = await seedPurpose(t.core, { fields: ['mobile'], legalBasis: 'contract' });
      await grantUse(t.core, { ...access, code: other.code }, ['mobile']);
      await expectRefused(staff, c.id, ['mobile'], other.code, 'purpose', /not assigned the purpose/);
      // The control: once the department holds it, the same read is allowed.
      await t.core.customers.setDepartmentPurposes(access.approver, staff.departmentId!, { purposes: [access.code, other.code] });
      try {
        const r = await t.core.customers.reveal(staff, c.id, { fields: ['mobile'], purpose: other.code, justification: '客户来电核实' });
        expect(r.values.mobile).toBe('13500000102');
      } finally {
        await t.core.customers.setDepartmentPurposes(access.approver, staff.departmentId!, { purposes: [access.code] });
      }
    });

    it('refuses fields that the consent (or the purpose) does not cover', async () => {
      // Outside a contract purpose's fields.
      const c = await t.core.customers.create(staff, { fields: { mobile: '13500000103', address: '北京市东城区东华门大街1号' } });
      await expectRefused(staff, c.id, ['address'], access.code, 'consent', /address \(not_in_purpose\)/);
      // A consent-based purpose, held and granted, but this customer (stored directly) never consented.
      const byConsent = await seedRevealAccess(t.core, { fields: ['name', 'mobile'], legalBasis: 'consent' });
      const d = await t.core.customers.create(byConsent.staff, { fields: { name: '钱七', mobile: '13500000104' } });
      await expectRefused(byConsent.staff, d.id, ['mobile'], byConsent.code, 'consent', /mobile \(no_consent\)/);
      // The control: once the customer consents to the mobile, that field (only) can be read.
      await t.core.consent.record(byConsent.staff, d.id, {
        purposeCode: byConsent.code,
        noticeId: byConsent.noticeId,
        scope: ['mobile'],
        separate: [],
        method: 'paper_signature',
      });
      const r = await t.core.customers.reveal(byConsent.staff, d.id, {
        fields: ['mobile'],
        purpose: byConsent.code,
        justification: '客户来电核实',
      });
      expect(r.values).toEqual({ mobile: '13500000104' });
      await expectRefused(byConsent.staff, d.id, ['name'], byConsent.code, 'consent', /name \(no_consent\)/);
    });

    it('refuses a reveal without a live grant: none yet, then allowed under one, then refused once it is revoked', async () => {
      const noGrant = await seedRevealAccess(t.core, { fields: ['mobile'], grant: false });
      expect(noGrant.grantId).toBeNull();
      const c = await t.core.customers.create(noGrant.staff, { fields: { mobile: '13500000105' } });
      await expectRefused(noGrant.staff, c.id, ['mobile'], noGrant.code, 'grant', /no live grant covers this read \(no_grant\)/);
      const grantId = await grantUse(t.core, noGrant, ['mobile']);
      const r = await t.core.customers.reveal(noGrant.staff, c.id, {
        fields: ['mobile'],
        purpose: noGrant.code,
        justification: '客户来电核实',
      });
      expect(r.values.mobile).toBe('13500000105');
      expect(await q(`SELECT count(*)::int AS n FROM grant_accesses WHERE grant_id = $1 AND customer_id = $2`, [grantId, c.id])).toEqual([
        { n: 1 },
      ]);
      await t.core.use.revokeGrant(noGrant.approver, grantId, { reason: '项目结束' });
      await expectRefused(noGrant.staff, c.id, ['mobile'], noGrant.code, 'grant', /no live grant covers this read \(revoked\)/);
    });

    it('keeps the old value encrypted in the history on correction (P2.4)', async () => {
      const [c] = await t.core.customers.find(staff, { piType: 'cn_mobile', value: MOBILE });
      const updated = await t.core.customers.updateField(staff, c!.id, 'mobile', { value: '13912345678', reason: '客户更换号码' });
      expect(updated.fields.find((f) => f.field === 'mobile')).toMatchObject({ masked: '139****5678', version: 2 });
      const h = await t.core.customers.history(staff, c!.id, 'mobile');
      expect(h.map((x) => [x.version, x.masked, x.current])).toEqual([
        [1, '138****8000', false],
        [2, '139****5678', true],
      ]);
      expect(h[0]!.reason).toBe('客户更换号码');
      expect(await t.core.customers.find(staff, { piType: 'cn_mobile', value: MOBILE })).toHaveLength(0);
      expect(await t.core.customers.find(staff, { piType: 'cn_mobile', value: '13912345678' })).toHaveLength(1);
    });

    it('refuses a ciphertext moved to another customer or field', async () => {
      const a = await t.core.customers.create(staff, { fields: { mobile: '13700000001', email: 'a@example.com' } });
      const b = await t.core.customers.create(staff, { fields: { mobile: '13700000002' } });
      await q(
        `UPDATE customer_fields SET ciphertext = (SELECT ciphertext FROM customer_fields WHERE customer_id = $1 AND category_code = 'mobile') WHERE customer_id = $2 AND category_code = 'mobile'`,
        [a.id, b.id],
      );
      await expect(t.core.customers.get(staff, b.id)).rejects.toBeInstanceOf(CryptoError);
      await q(
        `UPDATE customer_fields SET ciphertext = (SELECT ciphertext FROM customer_fields WHERE customer_id = $1 AND category_code = 'mobile') WHERE customer_id = $1 AND category_code = 'email'`,
        [a.id],
      );
      await expect(
        t.core.customers.reveal(staff, a.id, { fields: ['email'], purpose: access.code, justification: '客户来电核实' }),
      ).rejects.toBeInstanceOf(CryptoError);
    });

    it('deletes by crypto-shredding: the key is destroyed and copied ciphertexts no longer decrypt', async () => {
      const c = await t.core.customers.create(staff, { fields: { mobile: '13600000001', name: '李四' } });
      const [copy] = await q(
        `SELECT ciphertext, data_key_version FROM customer_fields WHERE customer_id = $1 AND category_code = 'mobile'`,
        [c.id],
      );
      const compliance = await makeUser(t.core, ['compliance_officer']);
      await expect(t.core.customers.delete(staff, c.id, { reason: '客户注销' })).rejects.toBeInstanceOf(ForbiddenError);
      await t.core.customers.delete(compliance, c.id, { reason: '客户申请删除' });
      const [key] = await q(`SELECT wrapped_key, kek_version, destroyed_at FROM customer_keys WHERE customer_id = $1`, [c.id]);
      expect(key).toMatchObject({ wrapped_key: null, kek_version: null });
      expect(key!.destroyed_at).not.toBeNull();
      expect(await q(`SELECT 1 FROM customer_fields WHERE customer_id = $1`, [c.id])).toHaveLength(0);
      await expect(t.core.customers.get(staff, c.id)).rejects.toBeInstanceOf(NotFoundError);
      // Put the old ciphertext back (as from a copy): with the key gone it still cannot be read.
      await q(
        `INSERT INTO customer_fields (customer_id, category_code, pi_type, ciphertext, data_key_version, updated_by) VALUES ($1, 'mobile', 'cn_mobile', $2, $3, 'x')`,
        [c.id, copy!.ciphertext, copy!.data_key_version],
      );
      await q(`UPDATE customers SET status = 'active' WHERE id = $1`, [c.id]);
      await expect(t.core.customers.get(staff, c.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('rotates the KEK, re-wraps every data key, and old data stays readable', async () => {
      const security = await makeUser(t.core, ['security_officer']);
      const before = await t.core.keys.list(security);
      const job = await t.core.keys.rotate(security);
      await t.core.keys.settle();
      const after = await t.core.keys.list(security);
      const current = after.keks.find((k) => k.state === 'current')!;
      expect(current.version).toBe(job.toVersion);
      expect(current.version).toBeGreaterThan(before.keks.find((k) => k.state === 'current')!.version);
      const live = Number((await q(`SELECT count(*)::int AS n FROM customer_keys WHERE wrapped_key IS NOT NULL`))[0]!.n);
      expect(current.wrappedDataKeys).toBe(live);
      expect(after.rewrapJobs[0]).toMatchObject({ status: 'completed', done: live });
      expect(JSON.stringify(after)).not.toMatch(/"key"|wrapped_key/);
      const [c] = await t.core.customers.find(staff, { piType: 'cn_mobile', value: '13912345678' });
      expect(c).toBeDefined();
      await t.core.audit.flush();
      const actions = (await q(`SELECT action FROM audit_events WHERE action LIKE 'key.%' ORDER BY seq`)).map((r) => r.action);
      expect(actions).toEqual(expect.arrayContaining(['key.rotated', 'key.rewrapped', 'key.rewrap_completed']));
      await expect(t.core.keys.rotate(staff)).rejects.toBeInstanceOf(ForbiddenError);
    });
  });
}
