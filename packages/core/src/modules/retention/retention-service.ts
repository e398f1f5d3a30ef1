import { randomInt } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { systemActor, type Actor } from '../../context.js';
import { rawRows, type Database, type Tx } from '../../db/client.js';
import {
  customerRelationships,
  customers,
  dataCategories,
  legalHolds,
  purposes,
  retentionDestructions,
  retentionRules,
  retentionRuns,
} from '../../db/schema.js';
import { ConflictError, InvalidError, NotFoundError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { parseInput, pgCode } from '../../validation.js';
import { matchProvincePrefix, parseResidentId } from '../../pi-types/index.js';
import { assertNoPlainPi } from '../customers/customers-fns.js';
import type { CustomersService } from '../customers/customers-service.js';
import { nextCronTime, type CronSchedule } from './cron-fns.js';
import { generalise, indexRules, planBatch, planCustomer, resolveRule, type CustomerFacts, type PlanItem } from './retention-fns.js';
import { customerPage, insertDestructions, loadFacts, loadPolicy, removeFields } from './retention-repo.js';
import {
  createRetentionRuleInput,
  endRelationshipInput,
  getRetentionRunInput,
  listExpiriesInput,
  listLegalHoldsInput,
  listRetentionRulesInput,
  listRetentionRunsInput,
  placeLegalHoldInput,
  previewRetentionInput,
  releaseLegalHoldInput,
  runRetentionInput,
  type CreateRetentionRuleInput,
  type Destruction,
  type EndRelationshipInput,
  type Expiries,
  type LegalHold,
  type PlaceLegalHoldInput,
  type PreviewResult,
  type PreviewRetentionInput,
  type RetentionRule,
  type RetentionRun,
  type RunRetentionInput,
  type SweepCounts,
} from './retention-types.js';

/** The advisory-lock key of the sweep (one sweep per database at a time). */
export const SWEEP_LOCK = 0x43757374_6f7207n; // "Custo" r 7

export interface CoreLoggerLike {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RetentionDeps {
  runner: Runner;
  database: Database;
  customers: CustomersService;
  /** Drop a shredded customer's data key from the keyring's cache. */
  forget: (customerId: string) => void;
  batchSize: number;
  schedule: CronSchedule | null;
  logger: CoreLoggerLike;
}

export interface SweepHooks {
  /** Called after each committed batch (tests slow a sweep down or kill the process here). */
  afterBatch?: (batch: number) => void | Promise<void>;
}

/** In-process counters, exported as Prometheus metrics by the server. */
export interface RetentionMetrics {
  runs: { completed: number; failed: number; skipped: number };
  customers: { deleted: number; anonymised: number; fieldsRemoved: number; customersWithFieldsRemoved: number; held: number };
  durationSecondsTotal: number;
  lastDurationSeconds: number;
  running: number;
}

type RunRow = typeof retentionRuns.$inferSelect;
type HoldRow = typeof legalHolds.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRun(r: RunRow): RetentionRun {
  return {
    id: r.id,
    trigger: r.trigger,
    scheduledFor: iso(r.scheduledFor),
    status: r.status,
    asOf: r.asOf.toISOString(),
    batchSize: r.batchSize,
    batches: r.batches,
    counts: {
      scanned: r.scanned,
      deleted: r.deleted,
      anonymised: r.anonymised,
      customersWithFieldsRemoved: r.customersWithFieldsRemoved,
      fieldsRemoved: r.fieldsRemoved,
      held: r.held,
    },
    resumes: r.resumes,
    startedBy: r.startedBy,
    startedAt: r.startedAt.toISOString(),
    finishedAt: iso(r.finishedAt),
    durationMs: r.durationMs,
    error: r.error,
  };
}

function toHold(h: HoldRow): LegalHold {
  return {
    id: h.id,
    customerId: h.customerId,
    ruleId: h.ruleId,
    purposeCode: h.purposeCode,
    reason: h.reason,
    legalBasis: h.legalBasis,
    placedBy: h.placedBy,
    placedAt: h.placedAt.toISOString(),
    releasedBy: h.releasedBy,
    releasedAt: iso(h.releasedAt),
    releaseReason: h.releaseReason,
  };
}

const emptyCounts = (): SweepCounts => ({
  scanned: 0,
  deleted: 0,
  anonymised: 0,
  customersWithFieldsRemoved: 0,
  fieldsRemoved: 0,
  held: 0,
});

function countItems(counts: SweepCounts, items: readonly PlanItem[], held: number, scanned: number): void {
  counts.scanned += scanned;
  counts.held += held;
  for (const i of items) {
    if (i.action === 'delete') counts.deleted++;
    else if (i.action === 'anonymise') counts.anonymised++;
    else {
      counts.customersWithFieldsRemoved++;
      counts.fieldsRemoved += i.fields.length;
    }
  }
}

/**
 * P4.2 retention: rules, legal holds, relationship ends, the dry run and the sweep. The sweep
 * pages through active customers; each batch is one transaction that re-plans its customers
 * (under their row locks), crypto-shreds or removes fields, writes one destruction record per
 * customer and the run's progress, and is audited. One sweep per database at a time
 * (PostgreSQL advisory lock); a crashed run is resumed from its cursor with its own as-of time.
 */
export function createRetentionService(deps: RetentionDeps) {
  const { runner, database, logger } = deps;
  const metrics: RetentionMetrics = {
    runs: { completed: 0, failed: 0, skipped: 0 },
    customers: { deleted: 0, anonymised: 0, fieldsRemoved: 0, customersWithFieldsRemoved: 0, held: 0 },
    durationSecondsTotal: 0,
    lastDurationSeconds: 0,
    running: 0,
  };
  let inProcess: Promise<unknown> | null = null;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;

  /** Run fn holding the sweep lock; null when another process holds it. PGlite is single-process. */
  async function withSweepLock<T>(fn: () => Promise<T>): Promise<{ value: T } | null> {
    if (database.kind !== 'postgres') return { value: await fn() };
    let out: { value: T } | null = null;
    // The lock lives in a transaction of its own that stays open for the sweep (it writes nothing,
    // so it holds back no vacuum); a crashed process's connection closes and frees it.
    await database.transaction(async (tx) => {
      const r = await rawRows<{ ok: boolean }>(tx, `SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK.toString()}::bigint) AS ok`);
      if (r[0]?.ok) out = { value: await fn() };
    });
    return out;
  }

  async function anonymiseStats(tx: Tx, items: readonly PlanItem[], facts: Map<string, CustomerFacts>, at: Date): Promise<void> {
    const rows: Array<{ purposes: string; band: number | null; province: string | null; gender: string | null; year: number }> = [];
    for (const i of items) {
      if (i.action !== 'anonymise') continue;
      const f = facts.get(i.customerId)!;
      const wanted = ['resident_id', 'address', 'gender'].filter((x) => f.fields.includes(x));
      const plain = wanted.length ? await deps.customers.internal.plainFields(tx, i.customerId, wanted) : {};
      const rid = plain.resident_id;
      const address = plain.address;
      const g = generalise(
        {
          residentId: rid ? parseResidentId(rid) : null,
          provinceFromAddress: address ? (matchProvincePrefix(address)?.province.code ?? null) : null,
          gender: plain.gender ?? null,
        },
        f.createdAt,
      );
      rows.push({
        purposes: i.purposes.join(','),
        band: g.birthYearBand,
        province: g.provinceCode,
        gender: g.gender,
        year: g.collectedYear,
      });
    }
    if (!rows.length) return;
    // Shuffled (Fisher–Yates), so insertion order does not follow the destruction records' order.
    for (let k = rows.length - 1; k > 0; k--) {
      const j = randomInt(k + 1);
      [rows[k], rows[j]] = [rows[j]!, rows[k]!];
    }
    await rawRows(
      tx,
      `INSERT INTO retention_statistics (purposes, birth_year_band, province_code, gender, collected_year, anonymised_on)
       SELECT string_to_array(x.p, ','), x.b, x.pr, x.g, x.y, $6::date FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::int[]) AS x(p, b, pr, g, y)`,
      [
        rows.map((r) => r.purposes),
        rows.map((r) => r.band),
        rows.map((r) => r.province),
        rows.map((r) => r.gender),
        rows.map((r) => r.year),
        at.toISOString().slice(0, 10),
      ],
    );
  }

  /** Start a run, or adopt the one a crashed process left running. Null: this tick already ran. */
  async function startRun(
    actor: Actor,
    trigger: 'manual' | 'schedule',
    batchSize: number,
    scheduledFor: Date | null,
  ): Promise<RunRow | null> {
    return runner.run(actor, OPERATIONS.runRetentionSweep, async ({ tx, audit }) => {
      if (scheduledFor) {
        const done = await tx.select({ id: retentionRuns.id }).from(retentionRuns).where(eq(retentionRuns.scheduledFor, scheduledFor));
        if (done.length) return null;
      }
      const [crashed] = await tx.select().from(retentionRuns).where(eq(retentionRuns.status, 'running')).for('update');
      if (crashed) {
        const [r] = await tx
          .update(retentionRuns)
          .set({ resumes: sql`${retentionRuns.resumes} + 1` })
          .where(eq(retentionRuns.id, crashed.id))
          .returning();
        await audit({
          action: 'retention.sweep_resumed',
          resourceType: 'retention_run',
          resourceId: crashed.id,
          details: { cursor: crashed.cursor, batches: crashed.batches, asOf: crashed.asOf.toISOString() },
        });
        return r!;
      }
      const [r] = await tx
        .insert(retentionRuns)
        .values({ trigger, scheduledFor, status: 'running', asOf: new Date(), batchSize, startedBy: actor.username })
        .returning();
      await audit({
        action: 'retention.sweep_started',
        resourceType: 'retention_run',
        resourceId: r!.id,
        details: { trigger, batchSize, asOf: r!.asOf.toISOString(), scheduledFor: iso(scheduledFor) },
      });
      return r!;
    });
  }

  /** One batch: re-plan the page under row locks and act on it, with the run's progress, in one transaction. */
  async function runBatch(actor: Actor, run: RunRow, cursor: string | null): Promise<{ last: string; shredded: string[] } | null> {
    return runner.run(actor, OPERATIONS.runRetentionSweep, async ({ tx, audit }) => {
      const page = await customerPage(tx, cursor, run.batchSize, true);
      if (!page.length) return null;
      const policy = await loadPolicy(tx);
      const facts = await loadFacts(tx, page, run.asOf);
      const { items, held } = planBatch(facts, policy, run.asOf);
      const at = new Date();
      await anonymiseStats(tx, items, new Map(facts.map((f) => [f.id, f])), at);
      const shredded = items.filter((i) => i.action !== 'remove_fields').map((i) => i.customerId);
      const history = new Map<string, number>();
      for (const [id, r] of await deps.customers.internal.shredMany(tx, actor, shredded, at, { listFields: false }))
        history.set(id, r.historyEntries);
      const partial = items.filter((i) => i.action === 'remove_fields');
      const fieldHistory = await removeFields(
        tx,
        partial.flatMap((i) => i.fields.map(() => i.customerId)),
        partial.flatMap((i) => i.fields),
      );
      for (const [k, v] of fieldHistory) history.set(k, v);
      await insertDestructions(tx, run.id, items, history, at);
      const c = emptyCounts();
      countItems(c, items, held.length, page.length);
      const last = page.at(-1)!.id;
      await tx
        .update(retentionRuns)
        .set({
          cursor: last,
          batches: sql`${retentionRuns.batches} + 1`,
          scanned: sql`${retentionRuns.scanned} + ${c.scanned}`,
          deleted: sql`${retentionRuns.deleted} + ${c.deleted}`,
          anonymised: sql`${retentionRuns.anonymised} + ${c.anonymised}`,
          customersWithFieldsRemoved: sql`${retentionRuns.customersWithFieldsRemoved} + ${c.customersWithFieldsRemoved}`,
          fieldsRemoved: sql`${retentionRuns.fieldsRemoved} + ${c.fieldsRemoved}`,
          held: sql`${retentionRuns.held} + ${c.held}`,
        })
        .where(eq(retentionRuns.id, run.id));
      if (items.length) {
        const by = (a: PlanItem['action']) => items.filter((i) => i.action === a);
        await audit({
          action: 'retention.batch_executed',
          resourceType: 'retention_run',
          resourceId: run.id,
          details: {
            deleted: by('delete').map((i) => i.customerId),
            anonymised: by('anonymise').map((i) => i.customerId),
            fieldsRemoved: Object.fromEntries(partial.map((i) => [i.customerId, i.fields])),
            rules: [...new Set(items.flatMap((i) => i.rules))].sort(),
            method: 'crypto_shred',
          },
        });
      }
      metrics.customers.deleted += c.deleted;
      metrics.customers.anonymised += c.anonymised;
      metrics.customers.fieldsRemoved += c.fieldsRemoved;
      metrics.customers.customersWithFieldsRemoved += c.customersWithFieldsRemoved;
      metrics.customers.held += c.held;
      return { last, shredded };
    });
  }

  async function finishRun(actor: Actor, run: RunRow, t0: number, error: unknown): Promise<RunRow> {
    return runner.run(actor, OPERATIONS.runRetentionSweep, async ({ tx, audit }) => {
      const finishedAt = new Date();
      // Duration of the whole run (across resumes): from its start.
      const durationMs = Math.min(2 ** 31 - 1, finishedAt.getTime() - run.startedAt.getTime());
      const [r] = await tx
        .update(retentionRuns)
        .set({
          status: error ? 'failed' : 'completed',
          finishedAt,
          durationMs,
          error: error ? (error instanceof Error ? error.message : String(error)).slice(0, 500) : null,
        })
        .where(eq(retentionRuns.id, run.id))
        .returning();
      const view = toRun(r!);
      await audit({
        action: error ? 'retention.sweep_failed' : 'retention.sweep_completed',
        resourceType: 'retention_run',
        resourceId: run.id,
        ...(error ? { outcome: 'failure' as const } : {}),
        details: {
          counts: view.counts,
          batches: view.batches,
          durationMs,
          thisProcessMs: Math.round(performance.now() - t0),
          resumes: view.resumes,
        },
      });
      metrics.runs[error ? 'failed' : 'completed']++;
      metrics.lastDurationSeconds = (performance.now() - t0) / 1000;
      metrics.durationSecondsTotal += metrics.lastDurationSeconds;
      return r!;
    });
  }

  /** The sweep. 'busy': another sweep holds the lock (this or another process); 'done': this tick already ran. */
  async function sweep(
    actor: Actor,
    trigger: 'manual' | 'schedule',
    batchSize: number,
    scheduledFor: Date | null,
    hooks: SweepHooks,
  ): Promise<RunRow | 'busy' | 'done'> {
    if (inProcess) return 'busy';
    let release!: () => void;
    inProcess = new Promise<void>((r) => (release = r));
    metrics.running = 1;
    try {
      const locked = await withSweepLock(async () => {
        const run = await startRun(actor, trigger, batchSize, scheduledFor);
        if (!run) return 'done' as const;
        const t0 = performance.now();
        let cursor = run.cursor;
        let batch = run.batches;
        try {
          while (!stopping) {
            const r = await runBatch(actor, run, cursor);
            if (!r) break;
            for (const id of r.shredded) deps.forget(id);
            cursor = r.last;
            batch++;
            await hooks.afterBatch?.(batch);
          }
        } catch (e) {
          await finishRun(actor, run, t0, e).catch(() => {});
          throw e;
        }
        // A stop between batches leaves the run 'running': the next sweep resumes it.
        if (stopping) return (await database.db.select().from(retentionRuns).where(eq(retentionRuns.id, run.id)))[0]!;
        return finishRun(actor, run, t0, null);
      });
      return locked ? locked.value : 'busy';
    } finally {
      metrics.running = 0;
      inProcess = null;
      release();
    }
  }

  async function planPages(
    tx: Tx,
    asOf: Date,
    visit: (facts: CustomerFacts[], policy: Awaited<ReturnType<typeof loadPolicy>>) => void,
    pageSize = deps.batchSize,
  ): Promise<void> {
    const policy = await loadPolicy(tx);
    let cursor: string | null = null;
    for (;;) {
      const page = await customerPage(tx, cursor, pageSize, false);
      if (!page.length) return;
      visit(await loadFacts(tx, page, asOf), policy);
      cursor = page.at(-1)!.id;
    }
  }

  function scheduleNext(): void {
    if (!deps.schedule || stopping) return;
    const next = nextCronTime(deps.schedule, new Date());
    if (!next) return;
    // Long waits are re-armed in steps (timers hold at most ~24.8 days; clocks get adjusted).
    const wait = Math.min(next.getTime() - Date.now(), 3600_000);
    timer = setTimeout(
      () => {
        timer = null;
        if (Date.now() < next.getTime() - 1000) return scheduleNext();
        service
          .runScheduled(next)
          .then((r) => logger.info({ run: r === 'skipped' ? 'skipped' : r.id }, 'retention sweep (scheduled)'))
          .catch((e: unknown) => logger.error({ err: (e as Error).message }, 'retention sweep failed'))
          .finally(scheduleNext);
      },
      Math.max(0, wait),
    );
    timer.unref();
  }

  const service = {
    metrics: (): RetentionMetrics => structuredClone(metrics),

    /** A rule for a purpose, a data category, or both; replaces the active rule for the same target. */
    createRule(actor: Actor, input: CreateRetentionRuleInput): Promise<RetentionRule> {
      return runner.run(actor, OPERATIONS.createRetentionRule, async ({ tx, audit }) => {
        const data = parseInput(createRetentionRuleInput, input);
        assertNoPlainPi('description', data.description);
        if (data.purposeCode && !(await tx.select({ id: purposes.id }).from(purposes).where(eq(purposes.code, data.purposeCode))).length)
          throw new InvalidError('no such purpose', [{ field: 'purposeCode', reason: 'unknown' }], ['P4.2']);
        if (data.categoryCode && !(await tx.select().from(dataCategories).where(eq(dataCategories.code, data.categoryCode))).length)
          throw new InvalidError('no such data category', [{ field: 'categoryCode', reason: 'unknown' }], ['P4.2']);
        const target = and(
          data.purposeCode ? eq(retentionRules.purposeCode, data.purposeCode) : isNull(retentionRules.purposeCode),
          data.categoryCode ? eq(retentionRules.categoryCode, data.categoryCode) : isNull(retentionRules.categoryCode),
          eq(retentionRules.status, 'active'),
        );
        const replaced = await tx
          .update(retentionRules)
          .set({ status: 'retired', retiredBy: actor.username, retiredAt: new Date() })
          .where(target)
          .returning({ id: retentionRules.id });
        const [r] = await tx
          .insert(retentionRules)
          .values({
            purposeCode: data.purposeCode ?? null,
            categoryCode: data.categoryCode ?? null,
            retentionDays: data.days,
            retentionTrigger: data.trigger,
            action: data.action,
            description: data.description,
            createdBy: actor.username,
          })
          .returning()
          .catch((e: unknown) => {
            throw pgCode(e) === '23505' ? new ConflictError('another rule for this target was created at the same time') : e;
          });
        await audit({
          action: 'retention.rule_created',
          resourceType: 'retention_rule',
          resourceId: r!.id,
          details: {
            purposeCode: r!.purposeCode,
            categoryCode: r!.categoryCode,
            days: r!.retentionDays,
            trigger: r!.retentionTrigger,
            action: r!.action,
            replaced: replaced.map((x) => x.id),
          },
        });
        return {
          id: r!.id,
          key: `rule:${r!.id}`,
          source: 'rule',
          purposeCode: r!.purposeCode,
          categoryCode: r!.categoryCode,
          days: r!.retentionDays,
          trigger: r!.retentionTrigger,
          action: r!.action,
          description: r!.description,
          status: r!.status,
          createdBy: r!.createdBy,
          createdAt: r!.createdAt.toISOString(),
          overridden: false,
          held: false,
        };
      });
    },

    /** Explicit rules and each purpose's own retention, with which are overridden or held. */
    listRules(actor: Actor, input: { includeRetired?: boolean | undefined } = {}): Promise<RetentionRule[]> {
      return runner.run(actor, OPERATIONS.listRetentionRules, async ({ tx }) => {
        const data = parseInput(listRetentionRulesInput, input);
        const policy = await loadPolicy(tx);
        const byKey = indexRules(policy.rules);
        const activeHold = (key: string) => (policy.ruleHolds.get(key) ?? []).some((h) => !h.releasedAt);
        const rows = await tx
          .select()
          .from(retentionRules)
          .where(data.includeRetired ? undefined : eq(retentionRules.status, 'active'))
          .orderBy(retentionRules.purposeCode, retentionRules.categoryCode, desc(retentionRules.createdAt));
        const out: RetentionRule[] = rows.map((r) => ({
          id: r.id,
          key: `rule:${r.id}`,
          source: 'rule',
          purposeCode: r.purposeCode,
          categoryCode: r.categoryCode,
          days: r.retentionDays,
          trigger: r.retentionTrigger,
          action: r.action,
          description: r.description,
          status: r.status,
          createdBy: r.createdBy,
          createdAt: r.createdAt.toISOString(),
          overridden: r.status !== 'active',
          held: activeHold(`rule:${r.id}`),
        }));
        for (const [code, p] of [...policy.purposes].sort(([a], [b]) => a.localeCompare(b))) {
          out.push({
            id: `purpose:${code}`,
            key: `purpose:${code}`,
            source: 'purpose',
            purposeCode: code,
            categoryCode: null,
            days: p.days,
            trigger: p.trigger,
            action: 'delete',
            description: 'the purpose’s own retention',
            status: 'active',
            createdBy: null,
            createdAt: null,
            overridden: resolveRule(policy, byKey, code, null)?.key !== `purpose:${code}`,
            held: activeHold(`purpose:${code}`),
          });
        }
        return out;
      });
    },

    /** The dry run: exactly what a sweep now would do (counts over everything; the first `limit` items listed). */
    preview(actor: Actor, input: PreviewRetentionInput = {}): Promise<PreviewResult> {
      return runner.run(actor, OPERATIONS.previewRetentionSweep, async ({ tx, audit }) => {
        const data = parseInput(previewRetentionInput, input);
        const asOf = new Date();
        const counts = emptyCounts();
        const items: PlanItem[] = [];
        let truncated = false;
        await planPages(tx, asOf, (facts, policy) => {
          const { items: batch, held } = planBatch(facts, policy, asOf);
          countItems(counts, batch, held.length, facts.length);
          for (const i of batch) {
            if (items.length < data.limit) items.push(i);
            else truncated = true;
          }
        });
        await audit({ action: 'retention.previewed', resourceType: 'retention_run', details: { counts, asOf: asOf.toISOString() } });
        return {
          asOf: asOf.toISOString(),
          counts,
          items: items.map((i) => ({
            customerId: i.customerId,
            action: i.action,
            fields: i.fields,
            rules: i.rules,
            expiredAt: i.expiredAt.toISOString(),
          })),
          truncated,
        };
      });
    },

    /** Run the sweep now. 409 when a sweep is already running (here or in another process). */
    async run(actor: Actor, input: RunRetentionInput = {}, hooks: SweepHooks = {}): Promise<RetentionRun> {
      await runner.check(actor, OPERATIONS.runRetentionSweep);
      const data = parseInput(runRetentionInput, input);
      const r = await sweep(actor, 'manual', data.batchSize ?? deps.batchSize, null, hooks);
      if (r === 'busy' || r === 'done') {
        metrics.runs.skipped++;
        throw new ConflictError('a retention sweep is already running');
      }
      return toRun(r);
    },

    /** The scheduled sweep for one cron tick: at most once per tick across processes. */
    async runScheduled(tick: Date, hooks: SweepHooks = {}): Promise<RetentionRun | 'skipped'> {
      const r = await sweep(systemActor(), 'schedule', deps.batchSize, tick, hooks);
      if (r === 'busy' || r === 'done') {
        metrics.runs.skipped++;
        return 'skipped';
      }
      return toRun(r);
    },

    listRuns(actor: Actor, input: { limit?: number | undefined } = {}): Promise<RetentionRun[]> {
      return runner.run(actor, OPERATIONS.listRetentionRuns, async ({ tx }) => {
        const data = parseInput(listRetentionRunsInput, input);
        const rows = await tx.select().from(retentionRuns).orderBy(desc(retentionRuns.startedAt)).limit(data.limit);
        return rows.map(toRun);
      });
    },

    /** A run's report: its counts and its destruction records. */
    getRun(
      actor: Actor,
      id: string,
      input: { limit?: number | undefined; offset?: number | undefined } = {},
    ): Promise<{ run: RetentionRun; destructions: Destruction[]; totalDestructions: number }> {
      return runner.run(actor, OPERATIONS.getRetentionRun, async ({ tx }) => {
        const data = parseInput(getRetentionRunInput, input);
        if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('run not found');
        const [r] = await tx.select().from(retentionRuns).where(eq(retentionRuns.id, id));
        if (!r) throw new NotFoundError('run not found');
        const rows = await tx
          .select()
          .from(retentionDestructions)
          .where(eq(retentionDestructions.runId, id))
          .orderBy(retentionDestructions.id)
          .limit(data.limit)
          .offset(data.offset);
        const [{ n }] = (await rawRows<{ n: number }>(tx, `SELECT count(*)::int AS n FROM retention_destructions WHERE run_id = $1`, [
          id,
        ])) as [{ n: number }];
        return {
          run: toRun(r),
          totalDestructions: n,
          destructions: rows.map((d) => ({
            customerId: d.customerId,
            action: d.action,
            method: d.method,
            fields: d.fields,
            historyEntries: d.historyEntries,
            rules: d.rules,
            expiredAt: d.expiredAt.toISOString(),
            destroyedAt: d.destroyedAt.toISOString(),
            keepUntil: d.keepUntil.toISOString(),
          })),
        };
      });
    },

    /** Upcoming expiries within `days`: by rule, and the earliest customers. */
    expiries(actor: Actor, input: { days?: number | undefined; limit?: number | undefined } = {}): Promise<Expiries> {
      return runner.run(actor, OPERATIONS.listRetentionExpiries, async ({ tx }) => {
        const data = parseInput(listExpiriesInput, input);
        const asOf = new Date();
        const until = new Date(asOf.getTime() + data.days * 24 * 3600 * 1000);
        let upcoming: Expiries['items'] = [];
        const byRule = new Map<string, number>();
        let total = 0;
        let due = 0;
        let held = 0;
        await planPages(tx, asOf, (facts, policy) => {
          const byKey = indexRules(policy.rules);
          for (const c of facts) {
            const p = planCustomer(c, policy, asOf, byKey);
            if (p.held) held++;
            else if (p.item) due++;
            else if (p.next && p.next.at <= until) {
              total++;
              byRule.set(p.next.rule, (byRule.get(p.next.rule) ?? 0) + 1);
              upcoming.push({
                customerId: c.id,
                at: p.next.at.toISOString(),
                rule: p.next.rule,
                scope: p.next.scope,
                fields: p.next.fields,
              });
              if (upcoming.length > data.limit * 2) upcoming = upcoming.sort((a, b) => a.at.localeCompare(b.at)).slice(0, data.limit);
            }
          }
        });
        return {
          asOf: asOf.toISOString(),
          until: until.toISOString(),
          byRule: [...byRule].map(([rule, n]) => ({ rule, customers: n })).sort((a, b) => b.customers - a.customers),
          items: upcoming.sort((a, b) => a.at.localeCompare(b.at)).slice(0, data.limit),
          total,
          due,
          held,
        };
      });
    },

    /** A legal hold on a customer, a rule, or a purpose's own retention: stops the clock. */
    placeHold(actor: Actor, input: PlaceLegalHoldInput): Promise<LegalHold> {
      return runner.run(actor, OPERATIONS.placeLegalHold, async ({ tx, audit }) => {
        const data = parseInput(placeLegalHoldInput, input);
        assertNoPlainPi('reason', data.reason);
        assertNoPlainPi('legalBasis', data.legalBasis);
        if (
          data.customerId &&
          !(
            await tx
              .select({ id: customers.id })
              .from(customers)
              .where(and(eq(customers.id, data.customerId), eq(customers.status, 'active')))
          ).length
        )
          throw new NotFoundError('customer not found');
        if (
          data.ruleId &&
          !(
            await tx
              .select()
              .from(retentionRules)
              .where(and(eq(retentionRules.id, data.ruleId), eq(retentionRules.status, 'active')))
          ).length
        )
          throw new NotFoundError('rule not found');
        if (data.purposeCode && !(await tx.select({ id: purposes.id }).from(purposes).where(eq(purposes.code, data.purposeCode))).length)
          throw new NotFoundError('purpose not found');
        const [h] = await tx
          .insert(legalHolds)
          .values({
            customerId: data.customerId ?? null,
            ruleId: data.ruleId ?? null,
            purposeCode: data.purposeCode ?? null,
            reason: data.reason,
            legalBasis: data.legalBasis,
            placedBy: actor.username,
          })
          .returning();
        await audit({
          action: 'retention.hold_placed',
          resourceType: h!.customerId ? 'customer' : 'legal_hold',
          resourceId: h!.customerId ?? h!.id,
          details: { holdId: h!.id, ruleId: h!.ruleId, purposeCode: h!.purposeCode, reason: h!.reason, legalBasis: h!.legalBasis },
        });
        return toHold(h!);
      });
    },

    releaseHold(actor: Actor, id: string, input: { reason: string }): Promise<LegalHold> {
      return runner.run(actor, OPERATIONS.releaseLegalHold, async ({ tx, audit }) => {
        const data = parseInput(releaseLegalHoldInput, input);
        assertNoPlainPi('reason', data.reason);
        if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('hold not found');
        const [h] = await tx
          .update(legalHolds)
          .set({ releasedAt: new Date(), releasedBy: actor.username, releaseReason: data.reason })
          .where(and(eq(legalHolds.id, id), isNull(legalHolds.releasedAt)))
          .returning();
        if (!h) {
          const exists = (await tx.select({ id: legalHolds.id }).from(legalHolds).where(eq(legalHolds.id, id))).length;
          throw exists ? new ConflictError('the hold was already released') : new NotFoundError('hold not found');
        }
        await audit({
          action: 'retention.hold_released',
          resourceType: h.customerId ? 'customer' : 'legal_hold',
          resourceId: h.customerId ?? h.id,
          details: {
            holdId: h.id,
            reason: data.reason,
            heldDays: Math.round((h.releasedAt!.getTime() - h.placedAt.getTime()) / 86_400_000),
          },
        });
        return toHold(h);
      });
    },

    listHolds(actor: Actor, input: { includeReleased?: boolean | undefined } = {}): Promise<LegalHold[]> {
      return runner.run(actor, OPERATIONS.listLegalHolds, async ({ tx }) => {
        const data = parseInput(listLegalHoldsInput, input);
        const rows = await tx
          .select()
          .from(legalHolds)
          .where(data.includeReleased ? undefined : isNull(legalHolds.releasedAt))
          .orderBy(desc(legalHolds.placedAt));
        return rows.map(toHold);
      });
    },

    /** The customer relationship ended (contract closed, account closed): starts 'relationship_end' clocks. */
    endRelationship(actor: Actor, customerId: string, input: EndRelationshipInput): Promise<{ customerId: string; endedAt: string }> {
      return runner.run(actor, OPERATIONS.endCustomerRelationship, async ({ tx, audit }) => {
        const data = parseInput(endRelationshipInput, input);
        assertNoPlainPi('reason', data.reason);
        const endedAt = data.endedAt ? new Date(data.endedAt) : new Date();
        if (endedAt.getTime() > Date.now() + 60_000)
          throw new InvalidError('the end date is in the future', [{ field: 'endedAt', reason: 'in_the_future' }]);
        if (!/^[0-9a-f-]{36}$/i.test(customerId)) throw new NotFoundError('customer not found');
        const [c] = await tx
          .select({ id: customers.id })
          .from(customers)
          .where(and(eq(customers.id, customerId), eq(customers.status, 'active')));
        if (!c) throw new NotFoundError('customer not found');
        await tx
          .insert(customerRelationships)
          .values({ customerId, endedAt, reason: data.reason, recordedBy: actor.username })
          .onConflictDoUpdate({
            target: customerRelationships.customerId,
            set: { endedAt, reason: data.reason, recordedBy: actor.username, recordedAt: new Date() },
          });
        await audit({
          action: 'customer.relationship_ended',
          resourceType: 'customer',
          resourceId: customerId,
          details: { endedAt: endedAt.toISOString(), reason: data.reason },
        });
        return { customerId, endedAt: endedAt.toISOString() };
      });
    },

    /** Arm the cron schedule (core.startBackground). */
    start(): void {
      stopping = false;
      if (!timer) scheduleNext();
    },

    /** Stop the schedule; a sweep in progress stops after its current batch and stays resumable. */
    async stop(): Promise<void> {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await inProcess;
    },
  };
  return service;
}

export type RetentionService = ReturnType<typeof createRetentionService>;
