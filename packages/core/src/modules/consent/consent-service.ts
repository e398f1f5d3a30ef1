import { createHmac, randomUUID } from 'node:crypto';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import { rawRows, sqlRows, type Tx } from '../../db/client.js';
import { consentRecords, consentState, notices, purposes } from '../../db/schema.js';
import { NotFoundError, PolicyViolationError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { parseInput } from '../../validation.js';
import type { CachedPurpose, PolicyCache } from './consent-cache.js';
import { applyEntry, consentScopeProblems, stateKey, type Decision, type LedgerEntry, type StateRow } from './consent-fns.js';
import {
  checkConsentInput,
  recordConsentInput,
  withdrawConsentInput,
  type CheckConsentInput,
  type ConsentRecord,
  type ConsentStateView,
  type RecordConsentInput,
  type SeparateConsent,
  type WithdrawConsentInput,
} from './consent-types.js';

/** Request facts kept as evidence, only ever stored as keyed hashes. */
export interface EvidenceMeta {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

export interface NewEntry {
  kind: 'grant' | 'withdrawal';
  purpose: { id: string; code: string; version: number };
  notice: { id: string; hash: string } | null;
  scope: string[];
  separate: SeparateConsent | null;
  method: string;
  channelId: string | null;
  evidence: Record<string, string>;
  recordedBy: string;
  expiresAt: Date | null;
}

type RecordRow = typeof consentRecords.$inferSelect;

function separateOf(r: RecordRow): ConsentRecord['separate'] {
  if (!r.separateType) return null;
  return r.separateType === 'sensitive'
    ? { type: r.separateType, category: r.separateTarget ?? '' }
    : { type: r.separateType, recipient: r.separateTarget ?? '' };
}

export function toRecord(r: RecordRow): ConsentRecord {
  return {
    id: r.id,
    kind: r.kind,
    purposeCode: r.purposeCode,
    purposeVersion: r.purposeVersion,
    noticeId: r.noticeId,
    noticeHash: r.noticeHash,
    scope: r.scope,
    separate: separateOf(r),
    method: r.method,
    channelId: r.channelId,
    evidence: r.evidence,
    recordedBy: r.recordedBy,
    recordedAt: r.recordedAt.toISOString(),
    expiresAt: r.expiresAt ? r.expiresAt.toISOString() : null,
  };
}

export function toStateView(s: StateRow, now = Date.now()): ConsentStateView {
  const expired = s.status === 'granted' && !!s.expiresAt && s.expiresAt.getTime() <= now;
  return {
    purposeCode: s.purposeCode,
    category: s.category,
    status: expired ? 'expired' : s.status,
    separate: s.separate,
    purposeVersion: s.purposeVersion,
    consentId: s.consentId,
    givenAt: s.givenAt.toISOString(),
    withdrawnAt: s.withdrawnAt ? s.withdrawnAt.toISOString() : null,
    expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
  };
}

/**
 * The consent ledger (P3.4). Grants and withdrawals are appended, never changed; the current
 * state per customer, purpose and category is projected in the same transaction; decisions come
 * from the projection through an in-process cache.
 */
export function createConsentService(deps: { runner: Runner; policy: PolicyCache; evidenceKey: () => Promise<Buffer> }) {
  const { runner, policy } = deps;

  async function evidence(
    given: { formSnapshotHash?: string | undefined; documentHash?: string | undefined },
    meta: EvidenceMeta,
  ): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    if (given.formSnapshotHash) out.formSnapshotHash = given.formSnapshotHash;
    if (given.documentHash) out.documentHash = given.documentHash;
    if (meta.ip || meta.userAgent) {
      const key = await deps.evidenceKey();
      if (meta.ip) out.ipHash = createHmac('sha256', key).update(`ip\u0000${meta.ip}`).digest('hex');
      if (meta.userAgent) out.userAgentHash = createHmac('sha256', key).update(`ua\u0000${meta.userAgent}`).digest('hex');
    }
    return out;
  }

  /** Append ledger rows for one customer and project them, under the customer's row lock. */
  async function append(tx: Tx, customerId: string, entries: NewEntry[], opts: { newCustomer?: boolean } = {}): Promise<string[]> {
    if (!entries.length) return [];
    // A customer created in this very transaction is invisible to others and has no state yet.
    let state = new Map<string, StateRow>();
    if (!opts.newCustomer) {
      if (!(await policy.lockCustomer(tx, customerId))) throw new NotFoundError('customer not found');
      state = await policy.freshState(tx, customerId);
    }
    const NOW = new Date(0); // stands for the transaction's now(), the ledger rows' recorded_at
    const params: unknown[] = [customerId];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const rec: string[] = [];
    const ids: string[] = [];
    const changed = new Map<string, StateRow>();
    for (const e of entries) {
      const id = randomUUID();
      ids.push(id);
      const target = e.separate ? (e.separate.type === 'sensitive' ? e.separate.category : e.separate.recipient) : null;
      // Rows of one multi-row INSERT get their seq in VALUES order: the ledger order applied here.
      rec.push(
        `(${p(id)}::uuid, $1, ${p(e.kind)}, ${p(e.purpose.id)}::uuid, ${p(e.purpose.code)}, ${p(e.purpose.version)}::int, ${p(e.notice?.id ?? null)}::uuid, ${p(e.notice?.hash ?? null)}, ${p(e.scope)}::text[], ${p(e.separate?.type ?? null)}, ${p(target)}, ${p(e.method)}, ${p(e.channelId)}::uuid, ${p(JSON.stringify(e.evidence))}::jsonb, ${p(e.recordedBy)}, ${p(e.expiresAt)}::timestamptz)`,
      );
      const entry: LedgerEntry = {
        id,
        kind: e.kind,
        purposeCode: e.purpose.code,
        purposeVersion: e.purpose.version,
        scope: e.scope,
        separateType: e.separate?.type ?? null,
        separateTarget: target,
        recordedAt: NOW,
        expiresAt: e.expiresAt,
      };
      for (const row of applyEntry(state, entry)) changed.set(stateKey(row.purposeCode, row.category), row);
    }
    const when = (d: Date | null) => (d === null ? 'NULL' : d === NOW ? 'now()' : `${p(d)}::timestamptz`);
    const st = [...changed.values()].map(
      (s) =>
        `($1, ${p(s.purposeCode)}, ${p(s.category)}, ${p(s.status)}, ${p(s.separate)}::boolean, ${p(s.purposeVersion)}::int, ${p(s.consentId)}::uuid, ${when(s.givenAt)}, ${when(s.withdrawnAt)}, ${p(s.expiresAt)}::timestamptz)`,
    );
    const insertRecords = `INSERT INTO consent_records (id, customer_id, kind, purpose_id, purpose_code, purpose_version, notice_id, notice_hash, scope, separate_type, separate_target, method, channel_id, evidence, recorded_by, expires_at)
       VALUES ${rec.join(', ')}`;
    // Ledger rows and their projection in one statement, without the ORM (this is collection's hot path).
    await rawRows(
      tx,
      st.length
        ? `WITH r AS (${insertRecords})
           INSERT INTO consent_state (customer_id, purpose_code, category, status, separate, purpose_version, consent_id, given_at, withdrawn_at, expires_at)
           VALUES ${st.join(', ')}
           ON CONFLICT (customer_id, purpose_code, category) DO UPDATE SET status = excluded.status, separate = excluded.separate,
             purpose_version = excluded.purpose_version, consent_id = excluded.consent_id, given_at = excluded.given_at,
             withdrawn_at = excluded.withdrawn_at, expires_at = excluded.expires_at`
        : insertRecords,
      params,
    );
    policy.invalidateCustomer(customerId);
    return ids;
  }

  /** The grant rows for one act of consent: the general scope, and one row per separate consent. */
  function grants(
    purpose: CachedPurpose,
    notice: { id: string; hash: string } | null,
    given: { scope: readonly string[]; separate: readonly SeparateConsent[]; method: string },
    common: { channelId: string | null; evidence: Record<string, string>; recordedBy: string; expiresAt: Date | null },
  ): NewEntry[] {
    const p = { id: purpose.id, code: purpose.code, version: purpose.version };
    const out: NewEntry[] = [];
    if (given.scope.length)
      out.push({ kind: 'grant', purpose: p, notice, scope: [...new Set(given.scope)], separate: null, method: given.method, ...common });
    for (const s of given.separate)
      out.push({
        kind: 'grant',
        purpose: p,
        notice,
        scope: s.type === 'sensitive' ? [s.category] : [],
        separate: s,
        method: given.method,
        ...common,
      });
    return out;
  }

  async function activePurpose(tx: Tx, code: string): Promise<CachedPurpose> {
    const p = (await policy.activePurposes(tx)).get(code);
    if (!p) throw new PolicyViolationError('the purpose is not active', [{ field: 'purposeCode', reason: 'purpose_not_active' }], ['P3.1']);
    return p;
  }

  async function withdrawIn(tx: Tx, customerId: string, input: WithdrawConsentInput, recordedBy: string): Promise<string[]> {
    const data = parseInput(withdrawConsentInput, input);
    // Withdrawal works even for a retired purpose: it is as easy as giving, whatever happened since.
    const p = (
      await tx
        .select()
        .from(purposes)
        .where(eq(purposes.code, data.purposeCode))
        .orderBy(sql`${purposes.version} DESC`)
    )[0];
    if (!p) throw new NotFoundError('purpose not found');
    if (!(await policy.lockCustomer(tx, customerId))) throw new NotFoundError('customer not found');
    const state = await policy.freshState(tx, customerId, data.purposeCode);
    const standing = [...state.values()].filter(
      (s) => s.status === 'granted' && (!data.categories || data.categories.includes(s.category)),
    );
    if (!standing.length) return [];
    const byType = new Map<string, string[]>();
    const entries: NewEntry[] = [];
    const base = {
      kind: 'withdrawal' as const,
      purpose: { id: p.id, code: p.code, version: p.version },
      notice: null,
      method: data.method,
    };
    const evidenceHashes: Record<string, string> = data.evidence.documentHash ? { documentHash: data.evidence.documentHash } : {};
    const common = { channelId: null, evidence: evidenceHashes, recordedBy, expiresAt: null };
    for (const s of standing) {
      const m = /^(sharing|disclosure|cross_border):(.*)$/.exec(s.category);
      if (m) entries.push({ ...base, ...common, scope: [], separate: { type: m[1] as 'sharing', recipient: m[2]! } });
      else byType.set('scope', [...(byType.get('scope') ?? []), s.category]);
    }
    if (byType.get('scope')) entries.unshift({ ...base, ...common, scope: byType.get('scope')!, separate: null });
    return append(tx, customerId, entries);
  }

  return {
    append,
    grants,
    evidence,
    activePurpose,
    withdrawIn,

    /** Staff record a consent given outside Custos (paper, call), with its evidence (P3.4). */
    async record(actor: Actor, customerId: string, input: RecordConsentInput, meta: EvidenceMeta = {}): Promise<{ consentIds: string[] }> {
      try {
        return await runner.run(actor, OPERATIONS.recordConsent, async ({ tx, audit }) => {
          const data = parseInput(recordConsentInput, input);
          const purpose = await activePurpose(tx, data.purposeCode);
          const notice = (await tx.select().from(notices).where(eq(notices.id, data.noticeId)))[0];
          if (!notice || notice.purposeCode !== data.purposeCode || notice.status === 'draft')
            throw new PolicyViolationError(
              'the notice is not a published notice of this purpose',
              [{ field: 'noticeId', reason: 'not_published' }],
              ['P2.2', 'P3.4'],
            );
          const problems = consentScopeProblems(purpose, data.scope, data.separate);
          if (!data.scope.length && !data.separate.length) problems.push({ field: 'scope', reason: 'empty' });
          if (data.expiresAt && Date.parse(data.expiresAt) <= Date.now()) problems.push({ field: 'expiresAt', reason: 'in_the_past' });
          if (problems.length) throw new PolicyViolationError('the consent does not fit the purpose', problems, ['P3.2', 'P3.4']);
          const ids = await append(
            tx,
            customerId,
            grants(purpose, { id: notice.id, hash: notice.contentHash! }, data, {
              channelId: data.channelId ?? null,
              evidence: await evidence(data.evidence, meta),
              recordedBy: actor.username,
              expiresAt: data.expiresAt ? new Date(data.expiresAt) : null,
            }),
          );
          await audit({
            action: 'consent.recorded',
            resourceType: 'customer',
            resourceId: customerId,
            purposeId: purpose.code,
            details: {
              purpose: purpose.code,
              version: purpose.version,
              scope: data.scope,
              separate: data.separate,
              method: data.method,
              consentIds: ids,
              noticeHash: notice.contentHash,
            },
          });
          return { consentIds: ids };
        });
      } finally {
        policy.invalidateCustomer(customerId);
      }
    },

    /** Staff withdraw on the customer's behalf, with the evidence of the request (P3.4). */
    async withdraw(actor: Actor, customerId: string, input: WithdrawConsentInput): Promise<{ consentIds: string[] }> {
      try {
        return await runner.run(actor, OPERATIONS.withdrawConsent, async ({ tx, audit }) => {
          const ids = await withdrawIn(tx, customerId, input, actor.username);
          await audit({
            action: 'consent.withdrawn',
            resourceType: 'customer',
            resourceId: customerId,
            purposeId: input.purposeCode,
            details: {
              purpose: input.purposeCode,
              categories: input.categories ?? 'all',
              method: input.method,
              consentIds: ids,
              onBehalf: true,
            },
          });
          return { consentIds: ids };
        });
      } finally {
        policy.invalidateCustomer(customerId);
      }
    },

    /** May these fields of this customer be processed for this purpose now? With the reason. */
    check(actor: Actor, input: CheckConsentInput): Promise<{ decisions: Array<Decision & { field: string }> }> {
      return runner.run(actor, OPERATIONS.checkConsent, async ({ tx }) => {
        const data = parseInput(checkConsentInput, input);
        return { decisions: await policy.decide(tx, data.customerId, data.purposeCode, data.fields) };
      });
    },

    /** Drop a customer's cached state (after another module's ledger write commits). */
    invalidate: policy.invalidateCustomer,
    /** Decide inside another module's transaction (reads, exports, sharing). */
    decide: policy.decide,
    /** Decide from the warm cache only; undefined means "ask `decide`". */
    decideCached: policy.decideCached,

    list(actor: Actor, customerId: string): Promise<{ records: ConsentRecord[]; current: ConsentStateView[] }> {
      return runner.run(actor, OPERATIONS.listCustomerConsents, async ({ tx }) => {
        const records = await tx
          .select()
          .from(consentRecords)
          .where(eq(consentRecords.customerId, customerId))
          .orderBy(asc(consentRecords.seq));
        const current = await tx
          .select()
          .from(consentState)
          .where(eq(consentState.customerId, customerId))
          .orderBy(consentState.purposeCode, consentState.category);
        return { records: records.map(toRecord), current: current.map((s) => toStateView(s)) };
      });
    },

    statistics(actor: Actor) {
      return runner.run(actor, OPERATIONS.getConsentStatistics, async ({ tx }) => {
        const rows = await sqlRows<{ purpose_code: string; granted: string; withdrawn: string; expired: string; customers: string }>(
          tx,
          sql`SELECT purpose_code,
                count(*) FILTER (WHERE status = 'granted' AND (expires_at IS NULL OR expires_at > now())) AS granted,
                count(*) FILTER (WHERE status = 'withdrawn') AS withdrawn,
                count(*) FILTER (WHERE status = 'granted' AND expires_at <= now()) AS expired,
                count(DISTINCT customer_id) AS customers
              FROM consent_state GROUP BY purpose_code ORDER BY purpose_code`,
        );
        const codes = rows.map((r) => r.purpose_code);
        const names = codes.length
          ? await tx
              .select({ code: purposes.code, name: purposes.name, version: purposes.version })
              .from(purposes)
              .where(inArray(purposes.code, codes))
          : [];
        const latest = new Map<string, { version: number; name: { 'zh-CN': string; en: string } }>();
        for (const n of names) if ((latest.get(n.code)?.version ?? 0) < n.version) latest.set(n.code, n);
        return {
          items: rows.map((r) => ({
            purposeCode: r.purpose_code,
            purposeName: latest.get(r.purpose_code)?.name ?? null,
            granted: Number(r.granted),
            withdrawn: Number(r.withdrawn),
            expired: Number(r.expired),
            customers: Number(r.customers),
          })),
        };
      });
    },
  };
}

export type ConsentService = ReturnType<typeof createConsentService>;
