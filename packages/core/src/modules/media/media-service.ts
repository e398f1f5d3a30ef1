import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { AuditService } from '../../audit/audit-service.js';
import { systemActor, type Actor } from '../../context.js';
import type { Tx } from '../../db/client.js';
import {
  dataCategories,
  storageDataSets,
  storageMedia,
  storageMediumDisposals,
  storageMediumHoldings,
  storageMediumInspections,
} from '../../db/schema.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, PolicyViolationError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { isUniqueViolation, parseInput } from '../../validation.js';
import type { Notifier } from '../notifier/notifier-service.js';
import {
  certificateHash,
  certificateNumber,
  destructionMethodProblems,
  inspectionProblems,
  inspectionState,
  nextDueAt,
  nistLevelOf,
  onlyCopies,
  stillRetained,
} from './media-fns.js';
import {
  dataSetsOf,
  disposalsOf,
  ensureDataSets,
  holdingsSharingWith,
  inspectionsOf,
  liveCopyCounts,
  mediaOwedReminder,
  openDisposal,
  selectMedium,
  userRefs,
  type DataSetRow,
  type DisposalRow,
  type InspectionRow,
  type MediumRow,
} from './media-repo.js';
import {
  createMediumInput,
  decideDisposalInput,
  listMediaInput,
  recordDestructionInput,
  recordInspectionInput,
  rejectDisposalInput,
  requestDisposalInput,
  updateDataSetInput,
  type CreateMediumInput,
  type DataSet,
  type Disposal,
  type DisposalCertificate,
  type Inspection,
  type ListMediaInput,
  type Medium,
  type MediumDetail,
  type MediumType,
  type RecordDestructionInput,
  type RecordInspectionInput,
  type ReminderResult,
  type RequestDisposalInput,
  type UpdateDataSetInput,
  type UserRef,
} from './media-types.js';

const CLAUSES = ['P4.3'];
/** A failed inspection is followed up within this many days, whatever the regular interval. */
const FAILED_FOLLOW_UP_DAYS = 30;
/** Clock skew allowed for "when it happened" inputs. */
const SKEW_MS = 5 * 60_000;

const iso = (d: Date | null) => (d ? d.toISOString() : null);
type Users = Map<string, UserRef>;
const ref = (u: Users, id: string | null): UserRef | null => {
  if (!id) return null;
  const r = u.get(id);
  return r ? { id: r.id, username: r.username, displayName: r.displayName } : { id, username: '?', displayName: '?' };
};

function toMedium(r: MediumRow, sets: string[], u: Users, now: Date): Medium {
  return {
    id: r.id,
    identifier: r.identifier,
    label: r.label,
    type: r.type as MediumType,
    location: r.location,
    custodian: ref(u, r.custodianUserId)!,
    encryption: { encrypted: r.encrypted, method: r.encryptionMethod },
    dataCategories: r.dataCategories,
    dataSets: sets,
    backupOfMediumId: r.backupOfMediumId,
    inspectionIntervalDays: r.inspectionIntervalDays,
    lastInspectedAt: iso(r.lastInspectedAt),
    nextInspectionDueAt: r.nextInspectionDueAt.toISOString(),
    inspectionState: inspectionState(r.status, r.nextInspectionDueAt, now),
    remindedFor: iso(r.remindedFor),
    status: r.status,
    destroyedAt: iso(r.destroyedAt),
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
  };
}

function toInspection(r: InspectionRow): Inspection {
  return {
    id: r.id,
    mediumId: r.mediumId,
    inspectedAt: r.inspectedAt.toISOString(),
    inspectedBy: r.inspectedBy,
    checklist: r.checklist,
    result: r.result,
    findings: r.findings,
    dueAt: r.dueAt.toISOString(),
    nextDueAt: r.nextDueAt.toISOString(),
    recordedAt: r.recordedAt.toISOString(),
  };
}

function toDisposal(r: DisposalRow, u: Users): Disposal {
  return {
    id: r.id,
    mediumId: r.mediumId,
    status: r.status,
    reason: r.reason,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt.toISOString(),
    decidedBy: r.decidedBy,
    decidedAt: iso(r.decidedAt),
    decisionComment: r.decisionComment,
    method: r.method,
    nistLevel: r.nistLevel,
    performedBy: ref(u, r.performedByUserId),
    witness: ref(u, r.witnessUserId),
    destroyedAt: iso(r.destroyedAt),
    evidenceSha256: r.evidenceSha256,
    certificateNo: r.certificateNo,
    recordedBy: r.recordedBy,
    recordedAt: iso(r.recordedAt),
  };
}

function toDataSet(r: DataSetRow, live: number, now: Date): DataSet {
  return {
    label: r.label,
    description: r.description,
    retained: r.retained,
    retainUntil: iso(r.retainUntil),
    stillRetained: stillRetained(r, now),
    liveCopies: live,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
  };
}

/** What the certificate hash covers: the stored facts, users by id (display names may change). */
function certificateContent(m: MediumRow, sets: string[], d: DisposalRow) {
  return {
    certificateNo: d.certificateNo,
    disposalId: d.id,
    medium: {
      id: m.id,
      identifier: m.identifier,
      label: m.label,
      type: m.type,
      location: m.location,
      encrypted: m.encrypted,
      dataCategories: m.dataCategories,
      dataSets: sets,
    },
    method: d.method,
    nistLevel: d.nistLevel,
    reason: d.reason,
    requestedBy: d.requestedBy,
    requestedAt: iso(d.requestedAt),
    approvedBy: d.decidedBy,
    approvedAt: iso(d.decidedAt),
    performedByUserId: d.performedByUserId,
    witnessUserId: d.witnessUserId,
    destroyedAt: iso(d.destroyedAt),
    evidenceSha256: d.evidenceSha256,
    recordedBy: d.recordedBy,
    recordedAt: iso(d.recordedAt),
  };
}

function onlyCopyError(sets: string[]): PolicyViolationError {
  return new PolicyViolationError(
    `the medium holds the only remaining copy of retained data: ${sets.join(', ')}`,
    sets.map((s) => ({ field: `dataSets.${s}`, reason: 'only_copy_of_retained_data' })),
    CLAUSES,
  );
}

/**
 * Storage media (P4.3): the register of media holding customer PI, periodic inspections with
 * reminders to the custodian, and disposal: request, approval by another person, destruction
 * by a NIST SP 800-88 method with a witness, and the destruction certificate. A medium holding
 * the only copy of a data set that is still retained cannot be disposed of.
 */
export function createMediaService(deps: { runner: Runner; audit: AuditService; notifier: Notifier }) {
  const { runner, notifier } = deps;

  async function load(tx: Tx, id: string, lock = true): Promise<MediumRow> {
    const row = await selectMedium(tx, id, lock);
    if (!row) throw new NotFoundError('storage medium not found');
    return row;
  }

  /** Refuse when the medium holds the only live copy of a data set still retained. */
  async function assertNotOnlyCopy(tx: Tx, mediumId: string, now: Date): Promise<void> {
    const { holdings, dataSets } = await holdingsSharingWith(tx, mediumId);
    const byLabel = new Map(dataSets.map((d) => [d.label, d]));
    const sets = onlyCopies(mediumId, holdings, (ds) => {
      const d = byLabel.get(ds);
      return d ? stillRetained(d, now) : true;
    });
    if (sets.length) throw onlyCopyError(sets);
  }

  /** A refused disposal is a control working: record it, outside the rolled-back transaction. */
  async function auditRefusal<T>(actor: Actor, mediumId: string, step: string, p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (e instanceof PolicyViolationError && e.problems.some((x) => x.reason === 'only_copy_of_retained_data')) {
        await deps.audit.appendStandalone(actor, {
          action: 'medium.disposal_refused',
          resourceType: 'storage_medium',
          resourceId: mediumId,
          clauses: CLAUSES,
          outcome: 'denied',
          details: { step, dataSets: e.problems.map((x) => x.field.replace(/^dataSets\./, '')) },
        });
      }
      throw e;
    }
  }

  async function detail(tx: Tx, row: MediumRow, now: Date): Promise<MediumDetail> {
    // One transaction, one connection: the queries run one after another.
    const sets = await dataSetsOf(tx, [row.id]);
    const inspections = await inspectionsOf(tx, row.id);
    const disposals = await disposalsOf(tx, row.id);
    const u = await userRefs(tx, [row.custodianUserId, ...disposals.flatMap((d) => [d.performedByUserId, d.witnessUserId])]);
    return {
      medium: toMedium(row, sets.get(row.id) ?? [], u, now),
      inspections: inspections.map(toInspection),
      disposals: disposals.map((d) => toDisposal(d, u)),
    };
  }

  async function activeUser(tx: Tx, id: string, field: string): Promise<UserRef> {
    const u = (await userRefs(tx, [id])).get(id);
    if (!u || u.status !== 'active')
      throw new InvalidError('the user does not exist or is disabled', [{ field, reason: 'not_active_user' }], CLAUSES);
    return u;
  }

  return {
    create(actor: Actor, input: CreateMediumInput): Promise<Medium> {
      return runner.run(actor, OPERATIONS.createStorageMedium, async ({ tx, audit }) => {
        const data = parseInput(createMediumInput, input);
        const now = new Date();
        const custodian = await activeUser(tx, data.custodianUserId, 'custodianUserId');
        const cats = [...new Set(data.dataCategories)];
        if (cats.length) {
          const known = new Set(
            (await tx.select({ code: dataCategories.code }).from(dataCategories).where(inArray(dataCategories.code, cats))).map(
              (c) => c.code,
            ),
          );
          const unknown = cats.filter((c) => !known.has(c));
          if (unknown.length)
            throw new InvalidError(
              'unknown PI categories',
              unknown.map((c) => ({ field: `dataCategories.${c}`, reason: 'unknown_category' })),
              CLAUSES,
            );
        }
        if (data.backupOfMediumId) {
          const src = await selectMedium(tx, data.backupOfMediumId, false);
          if (!src || src.status === 'destroyed')
            throw new InvalidError(
              'the medium backed up does not exist or is destroyed',
              [{ field: 'backupOfMediumId', reason: 'not_found' }],
              CLAUSES,
            );
        }
        if (data.type === 'paper_archive' && data.encryption.encrypted)
          throw new InvalidError('paper cannot be encrypted', [{ field: 'encryption.encrypted', reason: 'paper_not_encrypted' }], CLAUSES);
        const sets = [...new Set(data.dataSets)].sort();
        const row = (
          await tx
            .insert(storageMedia)
            .values({
              identifier: data.identifier,
              label: data.label,
              type: data.type,
              location: data.location,
              custodianUserId: custodian.id,
              encrypted: data.encryption.encrypted,
              encryptionMethod: data.encryption.encrypted ? (data.encryption.method ?? null) : null,
              dataCategories: cats,
              backupOfMediumId: data.backupOfMediumId ?? null,
              inspectionIntervalDays: data.inspectionIntervalDays,
              nextInspectionDueAt: nextDueAt(now, data.inspectionIntervalDays),
              createdBy: actor.username,
              createdAt: now,
              updatedAt: now,
            })
            .returning()
            .catch((e: unknown) => {
              throw isUniqueViolation(e) ? new ConflictError('a medium with this identifier is registered', CLAUSES) : e;
            })
        )[0]!;
        await ensureDataSets(tx, sets, actor.username);
        if (sets.length) await tx.insert(storageMediumHoldings).values(sets.map((dataSet) => ({ mediumId: row.id, dataSet })));
        await audit({
          action: 'medium.created',
          resourceType: 'storage_medium',
          resourceId: row.id,
          details: {
            identifier: row.identifier,
            type: row.type,
            location: row.location,
            custodianUserId: custodian.id,
            encrypted: row.encrypted,
            dataCategories: cats,
            dataSets: sets,
            backupOfMediumId: row.backupOfMediumId,
            inspectionIntervalDays: row.inspectionIntervalDays,
            nextInspectionDueAt: row.nextInspectionDueAt.toISOString(),
          },
        });
        return toMedium(row, sets, new Map([[custodian.id, custodian]]), now);
      });
    },

    list(actor: Actor, input: ListMediaInput = {}): Promise<Medium[]> {
      return runner.run(actor, OPERATIONS.listStorageMedia, async ({ tx }) => {
        const q = parseInput(listMediaInput, input);
        const where: SQL[] = [];
        if (q.status) where.push(eq(storageMedia.status, q.status));
        if (q.type) where.push(eq(storageMedia.type, q.type));
        const rows = await tx
          .select()
          .from(storageMedia)
          .where(where.length ? and(...where) : undefined)
          .orderBy(asc(storageMedia.identifier));
        const sets = await dataSetsOf(
          tx,
          rows.map((r) => r.id),
        );
        const u = await userRefs(
          tx,
          rows.map((r) => r.custodianUserId),
        );
        const now = new Date();
        return rows.map((r) => toMedium(r, sets.get(r.id) ?? [], u, now));
      });
    },

    get(actor: Actor, id: string): Promise<MediumDetail> {
      return runner.run(actor, OPERATIONS.getStorageMedium, async ({ tx }) => detail(tx, await load(tx, id, false), new Date()));
    },

    listDataSets(actor: Actor): Promise<DataSet[]> {
      return runner.run(actor, OPERATIONS.listStorageDataSets, async ({ tx }) => {
        const rows = await tx.select().from(storageDataSets).orderBy(asc(storageDataSets.label));
        const live = await liveCopyCounts(tx);
        const now = new Date();
        return rows.map((r) => toDataSet(r, live.get(r.label) ?? 0, now));
      });
    },

    /** Mark a data set retained or not (or retained until a date): what decides whether its last copy may go. */
    updateDataSet(actor: Actor, label: string, input: UpdateDataSetInput): Promise<DataSet> {
      return runner.run(actor, OPERATIONS.updateStorageDataSet, async ({ tx, audit }) => {
        const data = parseInput(updateDataSetInput, input);
        const prev = (await tx.select().from(storageDataSets).where(eq(storageDataSets.label, label)).for('update'))[0];
        if (!prev) throw new NotFoundError('data set not found');
        const [row] = await tx
          .update(storageDataSets)
          .set({
            ...(data.description !== undefined ? { description: data.description || null } : {}),
            ...(data.retained !== undefined ? { retained: data.retained } : {}),
            ...(data.retainUntil !== undefined ? { retainUntil: data.retainUntil ? new Date(data.retainUntil) : null } : {}),
            updatedBy: actor.username,
            updatedAt: new Date(),
          })
          .where(eq(storageDataSets.label, label))
          .returning();
        await audit({
          action: 'data_set.updated',
          resourceType: 'storage_data_set',
          resourceId: label,
          details: {
            before: { retained: prev.retained, retainUntil: iso(prev.retainUntil) },
            after: { retained: row!.retained, retainUntil: iso(row!.retainUntil) },
          },
        });
        const live = await liveCopyCounts(tx);
        return toDataSet(row!, live.get(label) ?? 0, new Date());
      });
    },

    recordInspection(actor: Actor, id: string, input: RecordInspectionInput): Promise<MediumDetail> {
      return runner.run(actor, OPERATIONS.recordMediumInspection, async ({ tx, audit }) => {
        const data = parseInput(recordInspectionInput, input);
        const row = await load(tx, id);
        if (row.status === 'destroyed') throw new ConflictError('a destroyed medium is not inspected', CLAUSES);
        const now = new Date();
        const at = data.inspectedAt ? new Date(data.inspectedAt) : now;
        const problems = inspectionProblems(data);
        if (at.getTime() > now.getTime() + SKEW_MS) problems.push({ field: 'inspectedAt', reason: 'in_the_future' });
        if (row.lastInspectedAt && at.getTime() < row.lastInspectedAt.getTime())
          problems.push({ field: 'inspectedAt', reason: 'before_last_inspection' });
        if (problems.length) throw new InvalidError('the inspection record is not consistent', problems, CLAUSES);
        const interval =
          data.result === 'failed' ? Math.min(row.inspectionIntervalDays, FAILED_FOLLOW_UP_DAYS) : row.inspectionIntervalDays;
        const next = nextDueAt(at, interval);
        const [ins] = await tx
          .insert(storageMediumInspections)
          .values({
            mediumId: id,
            inspectedAt: at,
            inspectedBy: actor.username,
            inspectorUserId: actor.userId,
            checklist: data.checklist.map((c) => ({ item: c.item, passed: c.passed, ...(c.note ? { note: c.note } : {}) })),
            result: data.result,
            findings: data.findings ?? null,
            dueAt: row.nextInspectionDueAt,
            nextDueAt: next,
            recordedAt: now,
          })
          .returning();
        const [updated] = await tx
          .update(storageMedia)
          .set({ lastInspectedAt: at, nextInspectionDueAt: next, updatedAt: now })
          .where(eq(storageMedia.id, id))
          .returning();
        await audit({
          action: 'medium.inspected',
          resourceType: 'storage_medium',
          resourceId: id,
          details: {
            inspectionId: ins!.id,
            result: data.result,
            failedItems: data.checklist.filter((c) => !c.passed).map((c) => c.item),
            dueAt: row.nextInspectionDueAt.toISOString(),
            late: at.getTime() > row.nextInspectionDueAt.getTime(),
            nextDueAt: next.toISOString(),
          },
        });
        return detail(tx, updated!, now);
      });
    },

    /**
     * Remind each custodian of every inspection that is due and not yet reminded of (one message
     * per medium per due date), through the outbox in the same transaction. Run hourly by the
     * background duties; `now` is a parameter for tests.
     */
    async sendDueInspectionReminders(now: Date = new Date(), actor: Actor = systemActor()): Promise<ReminderResult> {
      const reminded: ReminderResult['reminded'] = [];
      for (;;) {
        const batch = await runner.run(actor, OPERATIONS.sendMediumInspectionReminders, async ({ tx, audit }) => {
          const due = await mediaOwedReminder(tx, now, 100);
          const u = await userRefs(
            tx,
            due.map((m) => m.custodianUserId),
          );
          for (const m of due) {
            const custodian = ref(u, m.custodianUserId)!;
            const dueAt = m.nextInspectionDueAt.toISOString();
            const day = dueAt.slice(0, 10);
            await notifier.enqueue(tx, {
              topic: 'medium.inspection_due',
              transport: 'log',
              recipient: { kind: 'log', label: `custodian:${custodian.username}` },
              subject: `存储介质巡检到期 / Storage medium inspection due: ${m.identifier}`,
              text:
                `${custodian.displayName}，您保管的存储介质“${m.label}”（${m.identifier}，位置：${m.location}）应于 ${day} 前完成巡检（P4.3）。\n` +
                `${custodian.displayName}, the storage medium "${m.label}" (${m.identifier}, at ${m.location}) in your custody was due for inspection on ${day} (P4.3).`,
            });
            await tx.update(storageMedia).set({ remindedFor: m.nextInspectionDueAt }).where(eq(storageMedia.id, m.id));
            await audit({
              action: 'medium.inspection_reminder_sent',
              resourceType: 'storage_medium',
              resourceId: m.id,
              details: { dueAt, custodianUserId: m.custodianUserId },
            });
          }
          return due.map((m) => ({ mediumId: m.id, dueAt: m.nextInspectionDueAt.toISOString() }));
        });
        reminded.push(...batch);
        if (batch.length) notifier.kick();
        if (batch.length < 100) break;
      }
      return { reminded };
    },

    requestDisposal(actor: Actor, id: string, input: RequestDisposalInput): Promise<MediumDetail> {
      return auditRefusal(
        actor,
        id,
        'request',
        runner.run(actor, OPERATIONS.requestMediumDisposal, async ({ tx, audit }) => {
          const data = parseInput(requestDisposalInput, input);
          const row = await load(tx, id);
          if (row.status !== 'active')
            throw new ConflictError(`only an active medium can be put up for disposal (this one is ${row.status})`, CLAUSES);
          const now = new Date();
          await assertNotOnlyCopy(tx, id, now);
          const [d] = await tx
            .insert(storageMediumDisposals)
            .values({ mediumId: id, status: 'requested', reason: data.reason, requestedBy: actor.username, requestedAt: now })
            .returning();
          const [updated] = await tx
            .update(storageMedia)
            .set({ status: 'disposal_requested', updatedAt: now })
            .where(eq(storageMedia.id, id))
            .returning();
          await audit({
            action: 'medium.disposal_requested',
            resourceType: 'storage_medium',
            resourceId: id,
            details: { disposalId: d!.id, identifier: row.identifier, reason: data.reason },
          });
          return detail(tx, updated!, now);
        }),
      );
    },

    approveDisposal(actor: Actor, id: string, input: { comment?: string } = {}): Promise<MediumDetail> {
      return auditRefusal(
        actor,
        id,
        'approve',
        runner.run(actor, OPERATIONS.approveMediumDisposal, async ({ tx, audit }) => {
          const data = parseInput(decideDisposalInput, input);
          const row = await load(tx, id);
          const d = await openDisposal(tx, id);
          if (row.status !== 'disposal_requested' || d?.status !== 'requested')
            throw new ConflictError(`only a requested disposal can be approved (the medium is ${row.status})`, CLAUSES);
          // Four eyes: whoever asked for the disposal does not approve it.
          if (actor.type !== 'system' && d.requestedBy === actor.username)
            throw new ForbiddenError('you cannot approve a disposal you requested', 'medium.approve', CLAUSES);
          const now = new Date();
          await assertNotOnlyCopy(tx, id, now);
          await tx
            .update(storageMediumDisposals)
            .set({ status: 'approved', decidedBy: actor.username, decidedAt: now, decisionComment: data.comment ?? null })
            .where(eq(storageMediumDisposals.id, d.id));
          const [updated] = await tx
            .update(storageMedia)
            .set({ status: 'disposal_approved', updatedAt: now })
            .where(eq(storageMedia.id, id))
            .returning();
          await audit({
            action: 'medium.disposal_approved',
            resourceType: 'storage_medium',
            resourceId: id,
            details: { disposalId: d.id, requestedBy: d.requestedBy, comment: data.comment ?? null },
          });
          return detail(tx, updated!, now);
        }),
      );
    },

    rejectDisposal(actor: Actor, id: string, input: { comment: string }): Promise<MediumDetail> {
      return runner.run(actor, OPERATIONS.rejectMediumDisposal, async ({ tx, audit }) => {
        const data = parseInput(rejectDisposalInput, input);
        const row = await load(tx, id);
        const d = await openDisposal(tx, id);
        if (row.status !== 'disposal_requested' || d?.status !== 'requested')
          throw new ConflictError(`only a requested disposal can be rejected (the medium is ${row.status})`, CLAUSES);
        const now = new Date();
        await tx
          .update(storageMediumDisposals)
          .set({ status: 'rejected', decidedBy: actor.username, decidedAt: now, decisionComment: data.comment })
          .where(eq(storageMediumDisposals.id, d.id));
        const [updated] = await tx
          .update(storageMedia)
          .set({ status: 'active', updatedAt: now })
          .where(eq(storageMedia.id, id))
          .returning();
        await audit({
          action: 'medium.disposal_rejected',
          resourceType: 'storage_medium',
          resourceId: id,
          details: { disposalId: d.id, comment: data.comment },
        });
        return detail(tx, updated!, now);
      });
    },

    recordDestruction(actor: Actor, id: string, input: RecordDestructionInput): Promise<DisposalCertificate> {
      return auditRefusal(
        actor,
        id,
        'destroy',
        runner.run(actor, OPERATIONS.recordMediumDestruction, async ({ tx, audit }) => {
          const data = parseInput(recordDestructionInput, input);
          const row = await load(tx, id);
          const d = await openDisposal(tx, id);
          if (row.status !== 'disposal_approved' || d?.status !== 'approved')
            throw new ConflictError(`only a medium approved for disposal can be destroyed (this one is ${row.status})`, CLAUSES);
          const problems = destructionMethodProblems({ type: row.type as MediumType, encrypted: row.encrypted }, data.method);
          if (problems.length) throw new PolicyViolationError('this method cannot sanitise this medium', problems, CLAUSES);
          const performerId = data.performedByUserId ?? actor.userId;
          if (!performerId)
            throw new InvalidError('name who performed the destruction', [{ field: 'performedByUserId', reason: 'required' }], CLAUSES);
          if (data.witnessUserId === performerId)
            throw new PolicyViolationError(
              'the witness must be a different person from the one who performed the destruction',
              [{ field: 'witnessUserId', reason: 'witness_must_differ' }],
              CLAUSES,
            );
          const performer = await activeUser(tx, performerId, 'performedByUserId');
          const witness = await activeUser(tx, data.witnessUserId, 'witnessUserId');
          const now = new Date();
          const destroyedAt = data.destroyedAt ? new Date(data.destroyedAt) : now;
          if (destroyedAt.getTime() > now.getTime() + SKEW_MS)
            throw new InvalidError('the destruction date is in the future', [{ field: 'destroyedAt', reason: 'in_the_future' }], CLAUSES);
          if (d.decidedAt && destroyedAt.getTime() < d.decidedAt.getTime())
            throw new InvalidError(
              'the destruction date is before the approval',
              [{ field: 'destroyedAt', reason: 'before_approval' }],
              CLAUSES,
            );
          await assertNotOnlyCopy(tx, id, now);
          const sets = (await dataSetsOf(tx, [id])).get(id) ?? [];
          const completed: DisposalRow = {
            ...d,
            status: 'completed',
            method: data.method,
            nistLevel: nistLevelOf(data.method),
            performedByUserId: performer.id,
            witnessUserId: witness.id,
            destroyedAt,
            evidenceSha256: data.evidenceSha256,
            certificateNo: certificateNumber(d.id, destroyedAt),
            recordedBy: actor.username,
            recordedAt: now,
            certificateHash: null,
          };
          completed.certificateHash = certificateHash(certificateContent(row, sets, completed));
          await tx
            .update(storageMediumDisposals)
            .set({
              status: 'completed',
              method: completed.method,
              nistLevel: completed.nistLevel,
              performedByUserId: completed.performedByUserId,
              witnessUserId: completed.witnessUserId,
              destroyedAt,
              evidenceSha256: completed.evidenceSha256,
              certificateNo: completed.certificateNo,
              certificateHash: completed.certificateHash,
              recordedBy: completed.recordedBy,
              recordedAt: now,
            })
            .where(eq(storageMediumDisposals.id, d.id));
          await tx.update(storageMedia).set({ status: 'destroyed', destroyedAt, updatedAt: now }).where(eq(storageMedia.id, id));
          await audit({
            action: 'medium.destroyed',
            resourceType: 'storage_medium',
            resourceId: id,
            details: {
              disposalId: d.id,
              certificateNo: completed.certificateNo,
              method: completed.method,
              nistLevel: completed.nistLevel,
              performedByUserId: performer.id,
              witnessUserId: witness.id,
              destroyedAt: destroyedAt.toISOString(),
              evidenceSha256: completed.evidenceSha256,
              certificateHash: completed.certificateHash,
            },
          });
          return toCertificate(row, sets, completed, new Map([performer, witness].map((x) => [x.id, x])));
        }),
      );
    },

    getCertificate(actor: Actor, id: string): Promise<DisposalCertificate> {
      return runner.run(actor, OPERATIONS.getMediumDisposalCertificate, async ({ tx }) => {
        const row = await load(tx, id, false);
        const d = (
          await tx
            .select()
            .from(storageMediumDisposals)
            .where(and(eq(storageMediumDisposals.mediumId, id), eq(storageMediumDisposals.status, 'completed')))
        )[0];
        if (!d) throw new NotFoundError('this medium has no destruction certificate');
        const sets = (await dataSetsOf(tx, [id])).get(id) ?? [];
        return toCertificate(row, sets, d, await userRefs(tx, [d.performedByUserId, d.witnessUserId]));
      });
    },
  };
}

function toCertificate(m: MediumRow, sets: string[], d: DisposalRow, u: Users): DisposalCertificate {
  const c = certificateContent(m, sets, d);
  return {
    certificateNo: d.certificateNo!,
    disposalId: d.id,
    medium: { ...c.medium, type: m.type as MediumType },
    method: d.method!,
    nistLevel: d.nistLevel!,
    standard: 'NIST SP 800-88 Rev. 1',
    reason: d.reason,
    requestedBy: d.requestedBy,
    requestedAt: d.requestedAt.toISOString(),
    approvedBy: d.decidedBy!,
    approvedAt: d.decidedAt!.toISOString(),
    performedBy: ref(u, d.performedByUserId)!,
    witness: ref(u, d.witnessUserId)!,
    destroyedAt: d.destroyedAt!.toISOString(),
    evidenceSha256: d.evidenceSha256!,
    recordedBy: d.recordedBy!,
    recordedAt: d.recordedAt!.toISOString(),
    certificateHash: d.certificateHash!,
    clauses: CLAUSES,
  };
}

export type MediaService = ReturnType<typeof createMediaService>;
