import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, type Actor } from '../src/index.js';
import { createTestCore, DB_KINDS, makeUser, reportSkip, type TestCore } from './helpers.js';
import { grantUse, seedPurpose, type PurposeFixture } from './consent-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`use-application suite on ${kind}`, skip);
  describe.skipIf(skip)(`use applications, review chain and grants on ${kind}`, () => {
    let t: TestCore;
    let f: PurposeFixture;
    let manager: Actor;
    let officer: Actor;
    let customerId: string;
    const q = (sql: string, params?: unknown[]) => t.db.database.query(sql, params);
    const period = (days: number) => ({
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + days * 86_400_000).toISOString(),
    });

    beforeAll(async () => {
      t = await createTestCore(kind);
      f = await seedPurpose(t.core, { fields: ['name', 'mobile', 'health'] });
      manager = await makeUser(t.core, ['management_approver']);
      officer = await makeUser(t.core, ['compliance_officer']);
      const r = await t.core.collection.collect(
        f.staff,
        {
          purposeCode: f.code,
          noticeId: f.noticeId,
          channelId: f.channelId,
          fields: { name: '申请测试', mobile: '13312345678', health: '良好' },
          consent: { method: 'checkbox', scope: ['name', 'mobile'], separate: [{ type: 'sensitive', category: 'health' }] },
        },
        { idempotencyKey: randomBytes(12).toString('hex') },
      );
      customerId = r.customerId!;
    });
    afterAll(async () => t?.close());

    const apply = (fields: string[], scope: { kind: 'all' } | { kind: 'list'; ids: string[] } = { kind: 'all' }, days = 30) =>
      t.core.use.create(f.staff, {
        purposeCode: f.code,
        scenario: '回访',
        fields,
        customerScope: scope,
        method: 'view',
        justification: '售后回访需要联系客户',
        ...period(days),
      });

    it('walks the full chain: head, then management; the grant is used and recorded, then revoked and refused', async () => {
      const app = await apply(['name', 'mobile'], { kind: 'list', ids: [customerId] });
      expect(app).toMatchObject({ status: 'draft', sensitive: false, chain: ['department_head', 'management_approver'] });
      await t.core.use.submit(f.staff, app.id);
      // The management approver cannot take the department head's step.
      await expect(t.core.use.review(manager, app.id, { decision: 'approve' })).rejects.toBeInstanceOf(ForbiddenError);
      const afterHead = await t.core.use.review(f.author, app.id, { decision: 'approve', comment: '同意' });
      expect(afterHead).toMatchObject({ status: 'in_review', step: 1 });
      const approved = await t.core.use.review(manager, app.id, { decision: 'approve' });
      expect(approved.status).toBe('approved');
      expect(approved.reviews.map((r) => [r.stepRole, r.decision])).toEqual([
        ['department_head', 'approve'],
        ['management_approver', 'approve'],
      ]);
      expect(approved.grantId).toBeTruthy();
      const use = () =>
        t.db.database.transaction((tx) =>
          t.core.use.useGrant(tx, f.staff, {
            purposeCode: f.code,
            fields: ['mobile'],
            customerId,
            method: 'view',
            operation: 'revealCustomerFields',
          }),
        );
      expect(await use()).toEqual({ grantId: approved.grantId });
      const [n] = await q(`SELECT count(*)::int AS n FROM grant_accesses WHERE grant_id = $1`, [approved.grantId]);
      expect(n!.n).toBe(1);
      // Outside the grant: another field, another customer, a stronger method.
      const outside = (fields: string[], cid: string | null, method: 'view' | 'export' = 'view') =>
        t.db.database.transaction((tx) =>
          t.core.use.useGrant(tx, f.staff, { purposeCode: f.code, fields, customerId: cid, method, operation: 'x' }),
        );
      expect(await outside(['health'], customerId)).toEqual({ refusal: 'fields_outside_grant' });
      expect(await outside(['mobile'], '00000000-0000-4000-8000-000000000000')).toEqual({ refusal: 'customer_outside_grant' });
      expect(await outside(['mobile'], customerId, 'export')).toEqual({ refusal: 'method_outside_grant' });
      await t.core.use.revokeGrant(officer, approved.grantId!, { reason: '项目结束' });
      expect(await use()).toEqual({ refusal: 'revoked' });
      await expect(t.core.use.revokeGrant(officer, approved.grantId!, { reason: 'again' })).rejects.toBeInstanceOf(ConflictError);
      const listed = await t.core.use.listGrants(officer);
      expect(listed.find((g) => g.id === approved.grantId)).toMatchObject({ status: 'revoked', accesses: 1 });
      await t.core.audit.flush();
      const actions = (await q(`SELECT action FROM audit_events WHERE resource_id = $1 ORDER BY id`, [app.id])).map((r) => r.action);
      expect(actions).toEqual([
        'use_application.created',
        'use_application.submitted',
        'use_application.step_approved',
        'use_application.approved',
      ]);
    });

    it('refuses self-approval, adds the compliance officer for sensitive fields, and records returns and delegation', async () => {
      // The department head applies: they cannot approve their own application.
      const own = await t.core.use.create(f.author, {
        purposeCode: f.code,
        scenario: '分析',
        fields: ['name'],
        customerScope: { kind: 'all' },
        method: 'view',
        justification: '统计分析需要',
        ...period(10),
      });
      await t.core.use.submit(f.author, own.id);
      await expect(t.core.use.review(f.author, own.id, { decision: 'approve' })).rejects.toBeInstanceOf(ForbiddenError);

      const app = await apply(['name', 'health']);
      expect(app.chain).toEqual(['department_head', 'management_approver', 'compliance_officer']);
      await t.core.use.submit(f.staff, app.id);
      const returned = await t.core.use.review(f.author, app.id, { decision: 'return', comment: '说明更具体的场景' });
      expect(returned.status).toBe('returned');
      await t.core.use.submit(f.staff, app.id);
      await t.core.use.review(f.author, app.id, { decision: 'approve' });
      // The management approver delegates to a colleague without the role.
      const deputy = await makeUser(t.core, ['staff']);
      await expect(t.core.use.review(deputy, app.id, { decision: 'approve' })).rejects.toBeInstanceOf(ForbiddenError);
      await t.core.use.delegate(manager, { delegateId: deputy.userId!, reason: '休假', ...period(2) });
      const step2 = await t.core.use.review(deputy, app.id, { decision: 'approve', comment: '代批' });
      expect(step2.reviews.at(-1)).toMatchObject({ stepRole: 'management_approver', onBehalfOf: manager.userId });
      const done = await t.core.use.review(officer, app.id, { decision: 'approve' });
      expect(done.status).toBe('approved');
    });

    it('a plain read for a registered purpose needs a live grant, and is recorded against it', async () => {
      const g = await seedPurpose(t.core, { fields: ['name', 'mobile'] });
      await t.core.customers.setDepartmentPurposes({ ...officer, type: 'system' }, g.staff.departmentId!, { purposes: [g.code] });
      const c = await t.core.collection.collect(
        g.staff,
        {
          purposeCode: g.code,
          noticeId: g.noticeId,
          channelId: g.channelId,
          fields: { name: '授权测试', mobile: '13312340000' },
          consent: { method: 'checkbox', scope: ['name', 'mobile'], separate: [] },
        },
        { idempotencyKey: randomBytes(12).toString('hex') },
      );
      const read = () =>
        t.core.customers.reveal(g.staff, c.customerId!, { fields: ['mobile'], purpose: g.code, justification: '回访客户' });
      await expect(read()).rejects.toThrow(/no live grant covers this read \(no_grant\)/);
      const grantId = await grantUse(t.core, g, ['mobile']);
      expect((await read()).values.mobile).toBe('13312340000');
      await expect(
        t.core.customers.reveal(g.staff, c.customerId!, { fields: ['name'], purpose: g.code, justification: '回访客户' }),
      ).rejects.toThrow(/fields_outside_grant/);
      const [n] = await q(`SELECT count(*)::int AS n FROM grant_accesses WHERE grant_id = $1 AND operation = 'revealCustomerFields'`, [
        grantId,
      ]);
      expect(n!.n).toBe(1);
      await t.core.audit.flush();
      const [ev] = await q(`SELECT details FROM audit_events WHERE action = 'customer.revealed' AND resource_id = $1`, [c.customerId]);
      expect((ev!.details as { grantId: string }).grantId).toBe(grantId);
    });

    it('shows a grant’s access log to use.read, the holder and the department, and hides it from anyone else', async () => {
      const app = await apply(['name', 'mobile'], { kind: 'list', ids: [customerId] });
      await t.core.use.submit(f.staff, app.id);
      await t.core.use.review(f.author, app.id, { decision: 'approve' });
      const { grantId } = await t.core.use.review(manager, app.id, { decision: 'approve' });
      await t.db.database.transaction((tx) =>
        t.core.use.useGrant(tx, f.staff, {
          purposeCode: f.code,
          fields: ['mobile'],
          customerId,
          method: 'view',
          operation: 'revealCustomerFields',
        }),
      );
      const log = await t.core.use.listGrantAccesses(f.staff, grantId!);
      expect(log.some((a) => a.actorId === f.staff.userId && a.customerId === customerId && a.operation === 'revealCustomerFields')).toBe(
        true,
      );
      expect(log.find((a) => a.customerId === customerId)!.fields).toEqual(['mobile']);
      // The department head (same department, not the holder) and a use.read holder see it too.
      expect((await t.core.use.listGrantAccesses(f.author, grantId!)).length).toBe(log.length);
      expect((await t.core.use.listGrantAccesses(officer, grantId!)).length).toBe(log.length);
      // Staff of another department: the grant does not exist for them; an unknown grant neither.
      const outsider = await makeUser(t.core, ['staff']);
      await expect(t.core.use.listGrantAccesses(outsider, grantId!)).rejects.toBeInstanceOf(NotFoundError);
      await expect(t.core.use.listGrantAccesses(officer, '00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('marks the applications awaiting the caller’s step, also under a delegation named by username', async () => {
      const app = await apply(['name']);
      await t.core.use.submit(f.staff, app.id);
      const awaiting = async (who: Actor) => (await t.core.use.list(who)).find((a) => a.id === app.id)?.awaitingMyReview;
      expect(await awaiting(f.author)).toBe(true);
      expect(await awaiting(f.staff)).toBe(false);
      expect(await awaiting(manager)).toBe(false);
      await t.core.use.review(f.author, app.id, { decision: 'approve' });
      expect(await awaiting(manager)).toBe(true);
      const deputy = await makeUser(t.core, ['department_head']);
      expect(await awaiting(deputy)).toBeUndefined();
      await expect(t.core.use.delegate(manager, { delegateUsername: 'nobody-here', reason: '休假', ...period(2) })).rejects.toThrow(
        /active user/,
      );
      await t.core.use.delegate(manager, { delegateUsername: deputy.username, reason: '休假', ...period(2) });
      expect(await awaiting(deputy)).toBe(true);
      const done = await t.core.use.review(deputy, app.id, { decision: 'approve' });
      expect(done.reviews.at(-1)).toMatchObject({ onBehalfOf: manager.userId, reviewerName: deputy.username });
    });

    it('refuses an expired grant', async () => {
      const app = await apply(['name'], { kind: 'all' }, 30);
      await t.core.use.submit(f.staff, app.id);
      await t.core.use.review(f.author, app.id, { decision: 'approve' });
      const done = await t.core.use.review(manager, app.id, { decision: 'approve' });
      await q(`UPDATE grants SET status = 'revoked' WHERE id <> $1 AND purpose_code = $2`, [done.grantId, f.code]);
      await q(`UPDATE grants SET valid_until = now() - interval '1 minute', valid_from = now() - interval '2 days' WHERE id = $1`, [
        done.grantId,
      ]);
      const r = await t.db.database.transaction((tx) =>
        t.core.use.useGrant(tx, f.staff, { purposeCode: f.code, fields: ['name'], customerId, method: 'view', operation: 'x' }),
      );
      expect(r).toEqual({ refusal: 'expired' });
      expect((await t.core.use.listGrants(officer)).find((g) => g.id === done.grantId)!.status).toBe('expired');
    });

    it('takes the chain configured for the purpose and sensitivity; a chain below the policy floor is refused', async () => {
      // Below the floor: no management step; the department head not first; sensitive without compliance.
      for (const [steps, sensitive, reason] of [
        [['department_head', 'compliance_officer'], false, 'management_approver_required'],
        [['management_approver', 'department_head'], false, 'department_head_first'],
        [['department_head', 'management_approver'], true, 'compliance_officer_required'],
      ] as const) {
        await expect(t.core.use.setApprovalChain(officer, { purposeCode: f.code, sensitive, steps: [...steps] })).rejects.toMatchObject({
          problems: [{ field: 'steps', reason }],
        });
      }
      // Only purpose approvers configure chains.
      await expect(
        t.core.use.setApprovalChain(f.staff, { purposeCode: '*', sensitive: false, steps: ['department_head', 'management_approver'] }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      const set = await t.core.use.setApprovalChain(officer, {
        purposeCode: f.code,
        sensitive: false,
        steps: ['department_head', 'management_approver', 'compliance_officer'],
      });
      expect(set.steps).toEqual(['department_head', 'management_approver', 'compliance_officer']);
      const app = await apply(['name']);
      expect(app.chain).toEqual(['department_head', 'management_approver', 'compliance_officer']);
      // The compliance step is now needed before the grant.
      await t.core.use.submit(f.staff, app.id);
      // The department head is told by name (log transport here: no SMTP configured).
      const told = await q(`SELECT recipient FROM outbox WHERE topic = 'use.review_requested' AND payload->>'text' LIKE $1`, [
        `%${app.id}%`,
      ]);
      expect(told.map((r) => (r.recipient as { label: string }).label)).toEqual([`user:${f.author.username}`]);
      await t.core.use.review(f.author, app.id, { decision: 'approve' });
      const afterManager = await t.core.use.review(manager, app.id, { decision: 'approve' });
      expect(afterManager).toMatchObject({ status: 'in_review', step: 2, grantId: null });
      expect((await t.core.use.review(officer, app.id, { decision: 'approve' })).status).toBe('approved');
      expect((await t.core.use.listApprovalChains(officer)).map((c) => c.purposeCode)).toContain(f.code);
      const [ev] = await q(`SELECT details FROM audit_events WHERE action = 'approval_chain.set' ORDER BY seq DESC LIMIT 1`);
      expect(ev!.details).toMatchObject({ before: null, after: ['department_head', 'management_approver', 'compliance_officer'] });
    });

    it('a saved segment is a scope: kept as its customers then; reads outside it refused; other departments cannot use it', async () => {
      const seg = await t.core.use.createSegment(f.staff, {
        name: `回访名单-${randomBytes(2).toString('hex')}`,
        customerIds: [customerId],
      });
      expect(seg).toMatchObject({ size: 1, departmentId: f.staff.departmentId });
      await expect(t.core.use.createSegment(f.staff, { name: seg.name, customerIds: [customerId] })).rejects.toBeInstanceOf(ConflictError);
      await expect(
        t.core.use.createSegment(f.staff, { name: 'x-unknown', customerIds: ['00000000-0000-4000-8000-000000000000'] }),
      ).rejects.toMatchObject({ problems: [{ field: 'customerIds', reason: 'unknown_customer' }] });
      const app = await t.core.use.create(f.staff, {
        purposeCode: f.code,
        scenario: '回访',
        fields: ['mobile'],
        customerScope: { kind: 'segment', segmentId: seg.id },
        method: 'view',
        justification: '按名单回访客户',
        ...period(30),
      });
      expect(app.customerScope).toEqual({ kind: 'list', ids: [customerId], segment: { id: seg.id, name: seg.name } });
      await t.core.use.submit(f.staff, app.id);
      await t.core.use.review(f.author, app.id, { decision: 'approve' });
      await t.core.use.review(manager, app.id, { decision: 'approve' });
      // This purpose's chain was configured above to end with the compliance officer.
      const approved = await t.core.use.review(officer, app.id, { decision: 'approve' });
      const g = (await t.core.use.listGrants(f.staff)).find((x) => x.id === approved.grantId)!;
      expect(g.customerScope).toMatchObject({ kind: 'list', ids: [customerId] });
      const access = (id: string | null) =>
        t.db.database.transaction((tx) =>
          t.core.use.useGrant(tx, f.staff, { purposeCode: f.code, fields: ['mobile'], customerId: id, method: 'view', operation: 'test' }),
        );
      expect(await access(customerId)).toEqual({ grantId: approved.grantId });
      expect(await access('00000000-0000-4000-8000-000000000001')).toMatchObject({ refusal: expect.any(String) });
      // Another department's staff cannot name the segment.
      const other = await makeUser(t.core, ['staff']);
      await expect(
        t.core.use.create(other, {
          purposeCode: f.code,
          scenario: '回访',
          fields: ['mobile'],
          customerScope: { kind: 'segment', segmentId: seg.id },
          method: 'view',
          justification: '按名单回访客户',
          ...period(30),
        }),
      ).rejects.toMatchObject({ problems: [{ field: 'customerScope.segmentId', reason: 'unknown_segment' }] });
      expect((await t.core.use.listSegments(other)).map((s) => s.id)).not.toContain(seg.id);
    });
  });
}
