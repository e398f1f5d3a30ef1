import { randomUUID } from 'node:crypto';
import type { Actor } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { collectionImports } from '../../db/schema.js';
import { CustosError, InvalidError, PolicyViolationError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import type { AuditService } from '../../audit/audit-service.js';
import { parseInput } from '../../validation.js';
import type { ChannelsService } from '../channels/channels-service.js';
import type { PolicyCache } from '../consent/consent-cache.js';
import type { ConsentService, EvidenceMeta, NewEntry } from '../consent/consent-service.js';
import { collectionProblems } from './collection-fns.js';
import type { CustomersService } from '../customers/customers-service.js';
import { maskFor, type PreparedField } from '../customers/customers-fns.js';
import type { PiMaskPolicy } from '../../pi-types/index.js';
import { priorResponse, recordIdempotencyKey, requestHash } from './idempotency-repo.js';
import {
  collectInput,
  importInput,
  importRowInput,
  type CollectInput,
  type CollectResult,
  type ImportInput,
  type ImportResult,
} from './collection-types.js';

/** P4.2: record that the customer's data is held for this purpose (retention keeps it while the purpose needs it). */
const LINK_PURPOSE_SQL = `INSERT INTO customer_purposes (customer_id, purpose_code, legal_basis) VALUES ($1, $2, $3)
  ON CONFLICT (customer_id, purpose_code) DO UPDATE SET last_collected_at = now(), legal_basis = excluded.legal_basis`;

/** Another request with the same Idempotency-Key committed first: roll back, then answer with its response. */
class IdempotentReplay extends CustosError {
  readonly status = 409;
  readonly code = 'idempotent_replay';
  constructor() {
    super('replay');
  }
}

/**
 * Where customer PI enters Custos (P3.2, P3.3, P3.4, P2.4): one submission is checked against
 * the active purpose, its current notice and the consent that comes with it, then the customer
 * is matched or created and the values, the consent records and the audit event are written in
 * one transaction. Any refusal writes nothing.
 */
export function createCollectionService(deps: {
  runner: Runner;
  /** For the record of refused collections (P2.1), written outside the rolled-back transaction. */
  audit: Pick<AuditService, 'appendStandalone'>;
  customers: CustomersService;
  consent: ConsentService;
  policy: Pick<PolicyCache, 'currentNotice'>;
  channels: ChannelsService;
  maskPolicy: PiMaskPolicy;
}) {
  const { runner, customers, consent, channels, maskPolicy } = deps;
  const vault = customers.internal;

  async function storeCustomer(tx: Tx, actor: Actor, prepared: PreparedField[], reason: string): Promise<{ id: string; created: boolean }> {
    const existing = await vault.match(tx, prepared);
    if (!existing) return { id: await vault.storeNew(tx, actor, prepared), created: true };
    // An unauthenticated widget may add what is missing but never overwrite what a customer already has.
    const toStore = actor.type === 'channel' ? await missingOnly(tx, existing, prepared) : prepared;
    await vault.merge(tx, actor, existing, toStore, reason);
    return { id: existing, created: false };
  }

  async function missingOnly(tx: Tx, id: string, prepared: PreparedField[]): Promise<PreparedField[]> {
    const current = await vault.maskedCustomer(tx, id);
    const have = new Set(current.fields.map((f) => f.field));
    return prepared.filter((f) => !have.has(f.field));
  }

  return {
    async collect(
      actor: Actor,
      input: CollectInput,
      opts: { idempotencyKey: string } & EvidenceMeta,
    ): Promise<CollectResult & { replayed: boolean }> {
      let customerId: string | null = null;
      const scope = `${actor.type}:${actor.userId ?? actor.channelId ?? actor.username}`;
      let hash = '';
      try {
        return await runner.run(actor, OPERATIONS.collectCustomerData, async ({ tx, audit, defer }) => {
          const data = parseInput(collectInput, input);
          if (!/^[A-Za-z0-9_-]{8,128}$/.test(opts.idempotencyKey))
            throw new InvalidError('an Idempotency-Key of 8-128 letters, digits, _ or - is required', [
              { field: 'Idempotency-Key', reason: 'required' },
            ]);
          const channelId = actor.type === 'channel' ? actor.channelId! : data.channelId;
          if (!channelId)
            throw new InvalidError(
              'name the channel the data was collected through',
              [{ field: 'channelId', reason: 'required' }],
              ['P3.3'],
            );
          if (actor.type === 'channel' && data.channelId && data.channelId !== channelId)
            throw new InvalidError('the channel does not match the channel key', [{ field: 'channelId', reason: 'mismatch' }], ['P3.3']);
          const channel = await channels.requireActive(tx, channelId);
          if (channel.type === 'bulk_import')
            throw new PolicyViolationError(
              'bulk-import channels take imports, not single submissions',
              [{ field: 'channelId', reason: 'use_import' }],
              ['P3.3'],
            );

          hash = requestHash(data);

          const purpose = await consent.activePurpose(tx, data.purposeCode);
          const notice = await deps.policy.currentNotice(tx, purpose.id);
          if (!notice || notice.id !== data.noticeId)
            throw new PolicyViolationError(
              'the notice is not the current notice of this purpose; show the current one',
              [{ field: 'noticeId', reason: 'not_current' }],
              ['P2.2', 'P3.4'],
            );
          const fieldNames = Object.keys(data.fields);
          const { problems, clauses } = collectionProblems(purpose, fieldNames, data.consent);
          if (problems.length) throw new PolicyViolationError('the submission does not fit the purpose or its consent', problems, clauses);
          const prepared = await vault.prepare(tx, data.fields);

          const stored = await storeCustomer(tx, actor, prepared, `collected via ${channel.code} for ${purpose.code}`);
          customerId = stored.id;
          defer(LINK_PURPOSE_SQL, [stored.id, purpose.code, purpose.legalBasis]);
          const given = data.consent;
          const consentIds = given
            ? await consent.append(
                tx,
                stored.id,
                consent.grants(purpose, notice, given, {
                  channelId,
                  evidence: await consent.evidence(given.evidence, opts),
                  recordedBy: actor.username,
                  expiresAt: null,
                }),
                { newCustomer: stored.created },
              )
            : [];
          const collectionId = randomUUID();
          await audit({
            action: 'customer.collected',
            resourceType: 'customer',
            resourceId: stored.id,
            purposeId: purpose.code,
            clauses: ['P3.2', 'P3.3', 'P3.4', 'P2.4'],
            details: {
              collectionId,
              purpose: purpose.code,
              purposeVersion: purpose.version,
              channel: channel.code,
              fields: fieldNames,
              created: stored.created,
              noticeHash: notice.hash,
              consentIds,
              separate: (given?.separate ?? []).map((s) => (s.type === 'sensitive' ? s.category : s.type)),
            },
          });
          const result: CollectResult = {
            collectionId,
            customerId: actor.type === 'channel' ? null : stored.id,
            created: actor.type === 'channel' ? null : stored.created,
            consentIds,
            fields: prepared.map((f) => ({ field: f.field, masked: maskFor(f.piType, f.normalized, maskPolicy) })),
          };
          // Recorded last, with the answer: a retry that lost the race rolls all this back and replays the winner's.
          if (!(await recordIdempotencyKey(tx, scope, opts.idempotencyKey, hash, result))) throw new IdempotentReplay();
          return { ...result, replayed: false };
        });
      } catch (e) {
        if (e instanceof IdempotentReplay) {
          customerId = null;
          const prior = await runner.run(actor, OPERATIONS.collectCustomerData, ({ tx }) =>
            priorResponse(tx, scope, opts.idempotencyKey, hash),
          );
          if (prior) return { ...(prior as CollectResult), replayed: true };
        }
        // P2.1 asks for a record of rejected collections: which purpose, which fields, why; never values.
        if (e instanceof InvalidError) {
          const i = input as Partial<CollectInput> | undefined;
          await deps.audit.appendStandalone(actor, {
            action: 'customer.collection_refused',
            resourceType: 'purpose',
            resourceId: typeof i?.purposeCode === 'string' ? i.purposeCode.slice(0, 64) : null,
            clauses: e.clauses.length ? e.clauses : ['P2.1'],
            outcome: 'denied',
            details: {
              fields: i?.fields && typeof i.fields === 'object' ? Object.keys(i.fields).slice(0, 64) : [],
              problems: e.problems.slice(0, 64),
              code: e.code,
            },
          });
        }
        throw e;
      } finally {
        if (customerId) consent.invalidate(customerId);
      }
    },

    /**
     * P3.3 bulk import: an active purpose, a bulk-import channel and a declared lawful source;
     * every row is validated and rejected rows are reported by index and reason; accepted rows
     * are stored in batches, each batch in one transaction.
     */
    async import(actor: Actor, input: ImportInput): Promise<ImportResult> {
      const data = parseInput(importInput, input);
      const rejectedRows: ImportResult['rejectedRows'] = [];
      let accepted = 0;
      let batches = 0;
      // Validate everything first (pure checks need the purpose; read it in a short run).
      const { purpose } = await runner.run(actor, OPERATIONS.importCustomerData, async ({ tx }) => {
        const channel = await channels.requireActive(tx, data.channelId);
        if (channel.type !== 'bulk_import')
          throw new PolicyViolationError(
            'imports go through a bulk-import channel',
            [{ field: 'channelId', reason: 'not_bulk_import' }],
            ['P3.3'],
          );
        return { purpose: await consent.activePurpose(tx, data.purposeCode) };
      });
      const valid: Array<{
        row: number;
        fields: Record<string, string>;
        consent: { method: string; givenAt: string; evidenceHash?: string | undefined; separate: string[] } | undefined;
      }> = [];
      data.rows.forEach((raw, row) => {
        const parsed = importRowInput.safeParse(raw);
        if (!parsed.success) {
          rejectedRows.push({ row, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(row)', reason: i.message })) });
          return;
        }
        const r = parsed.data;
        const given = r.consent
          ? {
              method: r.consent.method,
              scope: Object.keys(r.fields).filter((f) => purpose.fields.get(f) === 'general'),
              separate: r.consent.separate.map((category) => ({ type: 'sensitive' as const, category })),
            }
          : undefined;
        const { problems } = collectionProblems(purpose, Object.keys(r.fields), given);
        if (problems.length) rejectedRows.push({ row, problems });
        else valid.push({ row, fields: r.fields, consent: r.consent });
      });

      for (let i = 0; i < valid.length; i += data.batchSize) {
        const batch = valid.slice(i, i + data.batchSize);
        batches++;
        // A value that fails its PI type rejects its row, not the batch: values are checked before anything is written.
        const ready: Array<{ row: number; prepared: PreparedField[]; consent: (typeof valid)[number]['consent'] }> = [];
        try {
          await runner.run(actor, OPERATIONS.importCustomerData, async ({ tx, audit, defer }) => {
            for (const v of batch) {
              try {
                ready.push({ row: v.row, prepared: await vault.prepare(tx, v.fields), consent: v.consent });
              } catch (e) {
                if (e instanceof InvalidError) rejectedRows.push({ row: v.row, problems: e.problems });
                else throw e;
              }
            }
            if (!ready.length) return;
            const ids: string[] = [];
            for (const r of ready) {
              const stored = await storeCustomer(tx, actor, r.prepared, `imported via ${data.channelId} for ${purpose.code}`);
              ids.push(stored.id);
              defer(LINK_PURPOSE_SQL, [stored.id, purpose.code, purpose.legalBasis]);
              if (r.consent) {
                const c = r.consent;
                const common = {
                  channelId: data.channelId,
                  evidence: { originalMethod: c.method, givenAt: c.givenAt, ...(c.evidenceHash ? { documentHash: c.evidenceHash } : {}) },
                  recordedBy: actor.username,
                  expiresAt: null,
                };
                const entries: NewEntry[] = consent.grants(
                  purpose,
                  null,
                  {
                    method: 'import',
                    scope: r.prepared.filter((f) => f.sensitivity === 'general').map((f) => f.field),
                    separate: c.separate.map((category) => ({ type: 'sensitive' as const, category })),
                  },
                  common,
                );
                await consent.append(tx, stored.id, entries, { newCustomer: stored.created });
              }
            }
            await audit({
              action: 'customer.imported',
              resourceType: 'purpose',
              resourceId: purpose.id,
              purposeId: purpose.code,
              details: { batch: batches, rows: ready.map((r) => r.row), customers: ids.length, lawfulSource: data.lawfulSource.basis },
            });
          });
          accepted += ready.length;
        } catch (e) {
          if (!(e instanceof CustosError)) throw e;
          for (const r of ready) rejectedRows.push({ row: r.row, problems: [{ field: '(row)', reason: 'batch_failed' }] });
        }
      }
      rejectedRows.sort((a, b) => a.row - b.row);
      const importId = await runner.run(actor, OPERATIONS.importCustomerData, async ({ tx, audit }) => {
        const [row] = await tx
          .insert(collectionImports)
          .values({
            channelId: data.channelId,
            purposeId: purpose.id,
            lawfulSource: data.lawfulSource,
            total: data.rows.length,
            accepted,
            rejected: data.rows.length - accepted,
            rejectedRows,
            importedBy: actor.username,
          })
          .returning({ id: collectionImports.id });
        await audit({
          action: 'import.completed',
          resourceType: 'import',
          resourceId: row!.id,
          purposeId: purpose.code,
          details: { total: data.rows.length, accepted, rejected: data.rows.length - accepted, batches, lawfulSource: data.lawfulSource },
        });
        return row!.id;
      });
      return { importId, accepted, rejected: data.rows.length - accepted, batches, rejectedRows };
    },
  };
}

export type CollectionService = ReturnType<typeof createCollectionService>;
