import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import { customerActor } from '../../context.js';
import type { Database } from '../../db/client.js';
import {
  consentRecords,
  consentState,
  customerFields,
  dataCategories,
  portalChallenges,
  portalSessions,
  purposes,
} from '../../db/schema.js';
import { InvalidError, NotFoundError, TooManyRequestsError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { parseInput } from '../../validation.js';
import { getPiType } from '../../pi-types/index.js';
import { newToken, tokenHash } from '../auth/token-fns.js';
import type { ConsentService } from '../consent/consent-service.js';
import { toStateView } from '../consent/consent-service.js';
import type { CustomersService } from '../customers/customers-service.js';
import type { Notifier } from '../notifier/notifier-service.js';
import {
  requestCodeInput,
  verifyCodeInput,
  withdrawMineInput,
  type PortalOverview,
  type RequestCodeInput,
  type VerifyCodeInput,
  type WithdrawMineInput,
} from './portal-types.js';

const CODE_MINUTES = 10;
const MAX_ATTEMPTS = 5;
const MAX_CODES_PER_WINDOW = 5;

function codeHash(challengeId: string, code: string): Buffer {
  return createHash('sha256').update(`${challengeId}:${code}`).digest();
}

/**
 * The customer self-service portal (P3.4): the customer proves who they are with a one-time
 * code sent to their own mobile or email (through the notifier), then sees their masked data
 * and consents and can withdraw, as easily as they gave. The answer to a code request is the
 * same whether or not the contact is known.
 */
export function createPortalService(deps: {
  runner: Runner;
  database: Database;
  customers: CustomersService;
  consent: ConsentService;
  notifier: Notifier;
  sessionMinutes: number;
}) {
  const { runner, database, consent, notifier } = deps;
  const vault = deps.customers.internal;

  return {
    async requestCode(actor: Actor, input: RequestCodeInput): Promise<{ challengeId: string }> {
      const result = await runner.run(actor, OPERATIONS.requestPortalCode, async ({ tx, audit }) => {
        const data = parseInput(requestCodeInput, input);
        const type = getPiType(data.piType)!;
        const valid = type.validate(data.value);
        const customerId = valid.valid
          ? await vault.match(tx, [
              { field: data.piType, piType: type.id, sensitivity: 'general', normalized: type.normalize(data.value), indexed: true },
            ])
          : null;
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        // The id is made here so the code's hash (bound to it) goes in with the row.
        const id = randomUUID();
        await tx.insert(portalChallenges).values({
          id,
          customerId,
          codeHash: codeHash(id, code).toString('hex'),
          expiresAt: new Date(Date.now() + CODE_MINUTES * 60_000),
        });
        let sent = false;
        if (customerId) {
          const recent = await tx
            .select({ n: sql<number>`count(*)::int` })
            .from(portalChallenges)
            .where(and(eq(portalChallenges.customerId, customerId), gt(portalChallenges.createdAt, new Date(Date.now() - 15 * 60_000))));
          const field = (
            await tx
              .select({ code: customerFields.categoryCode })
              .from(customerFields)
              .where(and(eq(customerFields.customerId, customerId), eq(customerFields.piType, data.piType)))
          )[0];
          if (field && (recent[0]?.n ?? 0) <= MAX_CODES_PER_WINDOW) {
            await notifier.enqueue(tx, {
              topic: 'portal.code',
              transport: data.piType === 'email' ? 'email' : 'sms',
              recipient: { kind: 'customer_field', customerId, field: field.code },
              subject: 'Custos 验证码 / verification code',
              text: `您的验证码是 ${code}，${CODE_MINUTES} 分钟内有效。Your verification code is ${code}; it expires in ${CODE_MINUTES} minutes.`,
              secret: true,
            });
            sent = true;
          }
        }
        await audit({
          action: 'portal.code_requested',
          resourceType: customerId ? 'customer' : null,
          resourceId: customerId,
          details: { challengeId: id, channel: data.piType, matched: !!customerId, sent },
        });
        return { challengeId: id, sent };
      });
      if (result.sent) notifier.kick();
      return { challengeId: result.challengeId };
    },

    async verifyCode(actor: Actor, input: VerifyCodeInput): Promise<{ token: string; expiresAt: string }> {
      const r = await runner.run(actor, OPERATIONS.verifyPortalCode, async ({ tx, audit }) => {
        const data = parseInput(verifyCodeInput, input);
        const c = (await tx.select().from(portalChallenges).where(eq(portalChallenges.id, data.challengeId)).for('update'))[0];
        if (!c || c.usedAt || c.expiresAt.getTime() < Date.now()) return { ok: false as const, reason: 'expired' };
        if (c.attempts >= MAX_ATTEMPTS) return { ok: false as const, reason: 'too_many' };
        const good = timingSafeEqual(codeHash(c.id, data.code), Buffer.from(c.codeHash, 'hex')) && !!c.customerId;
        if (!good) {
          // Committed: the attempt counts even though the answer is "no".
          await tx
            .update(portalChallenges)
            .set({ attempts: c.attempts + 1 })
            .where(eq(portalChallenges.id, c.id));
          await audit({
            action: 'portal.code_failed',
            resourceType: c.customerId ? 'customer' : null,
            resourceId: c.customerId,
            outcome: 'failure',
            details: { challengeId: c.id, attempts: c.attempts + 1 },
          });
          return { ok: false as const, reason: c.attempts + 1 >= MAX_ATTEMPTS ? 'too_many' : 'wrong' };
        }
        await tx
          .update(portalChallenges)
          .set({ usedAt: new Date(), attempts: c.attempts + 1 })
          .where(eq(portalChallenges.id, c.id));
        const token = newToken('cpt');
        const expiresAt = new Date(Date.now() + deps.sessionMinutes * 60_000);
        await tx.insert(portalSessions).values({ tokenHash: tokenHash(token), customerId: c.customerId!, expiresAt });
        await audit({ action: 'portal.signed_in', resourceType: 'customer', resourceId: c.customerId, details: { challengeId: c.id } });
        return { ok: true as const, token, expiresAt: expiresAt.toISOString() };
      });
      if (r.ok) return { token: r.token, expiresAt: r.expiresAt };
      if (r.reason === 'too_many') throw new TooManyRequestsError('too many wrong codes; ask for a new one', 60);
      throw new InvalidError('the code is not valid or has expired', [{ field: 'code', reason: r.reason }], ['P3.4']);
    },

    /** The customer a portal token belongs to, or null (expired, ended, unknown). */
    async actorForToken(token: string, requestId?: string): Promise<Actor | null> {
      if (!/^cpt_[A-Za-z0-9_-]{20,60}$/.test(token)) return null;
      const s = (
        await database.db
          .select()
          .from(portalSessions)
          .where(
            and(eq(portalSessions.tokenHash, tokenHash(token)), isNull(portalSessions.endedAt), gt(portalSessions.expiresAt, new Date())),
          )
      )[0];
      return s ? customerActor(s.customerId, requestId) : null;
    },

    overview(actor: Actor): Promise<PortalOverview> {
      return runner.run(actor, OPERATIONS.getPortalOverview, async ({ tx, audit }) => {
        const id = actor.customerId!;
        const c = await vault.maskedCustomer(tx, id).catch(() => {
          throw new NotFoundError('customer not found');
        });
        const state = await tx
          .select()
          .from(consentState)
          .where(eq(consentState.customerId, id))
          .orderBy(consentState.purposeCode, consentState.category);
        const codes = [...new Set(state.map((s) => s.purposeCode))];
        const cats = await tx.select().from(dataCategories);
        const catName = new Map(cats.map((x) => [x.code, { 'zh-CN': x.nameZh, en: x.nameEn }]));
        const ps = codes.length
          ? await tx.select().from(purposes).where(inArray(purposes.code, codes)).orderBy(desc(purposes.version))
          : [];
        const pName = new Map<string, { 'zh-CN': string; en: string }>();
        for (const p of ps) if (!pName.has(p.code)) pName.set(p.code, p.name);
        const ids = state.map((s) => s.consentId);
        const recs = ids.length ? await tx.select().from(consentRecords).where(inArray(consentRecords.id, ids)) : [];
        const byId = new Map(recs.map((r) => [r.id, r]));
        await audit({ action: 'portal.viewed', resourceType: 'customer', resourceId: id, details: { masked: true } });
        return {
          fields: c.fields.map((f) => ({
            field: f.field,
            name: catName.get(f.field) ?? { 'zh-CN': f.field, en: f.field },
            masked: f.masked,
          })),
          consents: state.map((s) => {
            const v = toStateView(s);
            const rec = byId.get(s.consentId);
            return {
              purposeCode: s.purposeCode,
              purposeName: pName.get(s.purposeCode) ?? { 'zh-CN': s.purposeCode, en: s.purposeCode },
              purposeVersion: s.purposeVersion,
              category: s.category,
              categoryName: catName.get(s.category) ?? { 'zh-CN': s.category, en: s.category },
              separate: s.separate,
              status: v.status,
              givenAt: v.givenAt,
              withdrawnAt: v.withdrawnAt,
              noticeId: rec?.noticeId ?? null,
              noticeHash: rec?.noticeHash ?? null,
            };
          }),
        };
      });
    },

    async withdraw(actor: Actor, input: WithdrawMineInput): Promise<{ consentIds: string[] }> {
      try {
        return await runner.run(actor, OPERATIONS.withdrawMyConsent, async ({ tx, audit }) => {
          const data = parseInput(withdrawMineInput, input);
          const ids = await consent.withdrawIn(
            tx,
            actor.customerId!,
            { purposeCode: data.purposeCode, categories: data.categories, method: 'portal' },
            'customer',
          );
          await audit({
            action: 'consent.withdrawn',
            resourceType: 'customer',
            resourceId: actor.customerId!,
            purposeId: data.purposeCode,
            details: {
              purpose: data.purposeCode,
              categories: data.categories ?? 'all',
              method: 'portal',
              consentIds: ids,
              onBehalf: false,
            },
          });
          return { consentIds: ids };
        });
      } finally {
        if (actor.customerId) consent.invalidate(actor.customerId);
      }
    },

    logout(actor: Actor, token: string | undefined): Promise<void> {
      return runner.run(actor, OPERATIONS.portalLogout, async ({ tx, audit }) => {
        if (token)
          await tx
            .update(portalSessions)
            .set({ endedAt: new Date() })
            .where(eq(portalSessions.tokenHash, tokenHash(token)));
        await audit({ action: 'portal.signed_out', resourceType: 'customer', resourceId: actor.customerId ?? null, details: {} });
      });
    },
  };
}

export type PortalService = ReturnType<typeof createPortalService>;
