import { and, asc, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import {
  storageDataSets,
  storageMedia,
  storageMediumDisposals,
  storageMediumHoldings,
  storageMediumInspections,
  users,
} from '../../db/schema.js';
import type { MediumStatus, UserRef } from './media-types.js';

export type MediumRow = typeof storageMedia.$inferSelect;
export type InspectionRow = typeof storageMediumInspections.$inferSelect;
export type DisposalRow = typeof storageMediumDisposals.$inferSelect;
export type DataSetRow = typeof storageDataSets.$inferSelect;

export async function selectMedium(tx: Tx, id: string, lock: boolean): Promise<MediumRow | undefined> {
  const q = tx.select().from(storageMedia).where(eq(storageMedia.id, id));
  return (await (lock ? q.for('update') : q))[0];
}

export async function dataSetsOf(tx: Tx, mediumIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!mediumIds.length) return out;
  const rows = await tx
    .select()
    .from(storageMediumHoldings)
    .where(inArray(storageMediumHoldings.mediumId, mediumIds))
    .orderBy(asc(storageMediumHoldings.dataSet));
  for (const r of rows) out.set(r.mediumId, [...(out.get(r.mediumId) ?? []), r.dataSet]);
  return out;
}

export async function userRefs(tx: Tx, ids: Array<string | null | undefined>): Promise<Map<string, UserRef & { status: string }>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (!wanted.length) return new Map();
  const rows = await tx
    .select({ id: users.id, username: users.username, displayName: users.displayName, status: users.status })
    .from(users)
    .where(inArray(users.id, wanted));
  return new Map(rows.map((r) => [r.id, r]));
}

/** Register data-set labels not seen before (as still retained). */
export async function ensureDataSets(tx: Tx, labels: string[], by: string): Promise<void> {
  if (!labels.length) return;
  await tx
    .insert(storageDataSets)
    .values(labels.map((label) => ({ label, createdBy: by })))
    .onConflictDoNothing();
}

/**
 * Every holding of the data sets this medium holds, with each holder's status; the holders'
 * rows are locked (in id order) so two disposals cannot each count on the other's copy.
 */
export async function holdingsSharingWith(
  tx: Tx,
  mediumId: string,
): Promise<{ holdings: Array<{ mediumId: string; dataSet: string; status: MediumStatus }>; dataSets: DataSetRow[] }> {
  const sets = (
    await tx
      .select({ dataSet: storageMediumHoldings.dataSet })
      .from(storageMediumHoldings)
      .where(eq(storageMediumHoldings.mediumId, mediumId))
  ).map((r) => r.dataSet);
  if (!sets.length) return { holdings: [], dataSets: [] };
  const holders = await tx
    .select({ mediumId: storageMediumHoldings.mediumId, dataSet: storageMediumHoldings.dataSet })
    .from(storageMediumHoldings)
    .where(inArray(storageMediumHoldings.dataSet, sets));
  const ids = [...new Set(holders.map((h) => h.mediumId))].sort();
  const media = await tx
    .select({ id: storageMedia.id, status: storageMedia.status })
    .from(storageMedia)
    .where(inArray(storageMedia.id, ids))
    .orderBy(asc(storageMedia.id))
    .for('update');
  const status = new Map(media.map((m) => [m.id, m.status]));
  const dataSets = await tx.select().from(storageDataSets).where(inArray(storageDataSets.label, sets));
  return { holdings: holders.map((h) => ({ ...h, status: status.get(h.mediumId)! })), dataSets };
}

export async function openDisposal(tx: Tx, mediumId: string): Promise<DisposalRow | undefined> {
  return (
    await tx
      .select()
      .from(storageMediumDisposals)
      .where(and(eq(storageMediumDisposals.mediumId, mediumId), ne(storageMediumDisposals.status, 'rejected')))
      .for('update')
  )[0];
}

export async function inspectionsOf(tx: Tx, mediumId: string): Promise<InspectionRow[]> {
  return tx
    .select()
    .from(storageMediumInspections)
    .where(eq(storageMediumInspections.mediumId, mediumId))
    .orderBy(desc(storageMediumInspections.inspectedAt));
}

export async function disposalsOf(tx: Tx, mediumId: string): Promise<DisposalRow[]> {
  return tx
    .select()
    .from(storageMediumDisposals)
    .where(eq(storageMediumDisposals.mediumId, mediumId))
    .orderBy(desc(storageMediumDisposals.requestedAt));
}

/** Media whose inspection is due at `now` and whose custodian has not been reminded of this due date; locked, skipping rows another process holds. */
export async function mediaOwedReminder(tx: Tx, now: Date, limit: number): Promise<MediumRow[]> {
  return tx
    .select()
    .from(storageMedia)
    .where(
      and(
        ne(storageMedia.status, 'destroyed'),
        sql`${storageMedia.nextInspectionDueAt} <= ${now.toISOString()}::timestamptz`,
        sql`${storageMedia.remindedFor} IS DISTINCT FROM ${storageMedia.nextInspectionDueAt}`,
      ),
    )
    .orderBy(asc(storageMedia.nextInspectionDueAt))
    .limit(limit)
    .for('update', { skipLocked: true });
}

/** How many media hold a copy of each data set that still counts. */
export async function liveCopyCounts(tx: Tx): Promise<Map<string, number>> {
  const rows = await tx
    .select({ dataSet: storageMediumHoldings.dataSet, n: sql<number>`count(*)::int` })
    .from(storageMediumHoldings)
    .innerJoin(storageMedia, eq(storageMedia.id, storageMediumHoldings.mediumId))
    .where(inArray(storageMedia.status, ['active', 'disposal_requested']))
    .groupBy(storageMediumHoldings.dataSet);
  return new Map(rows.map((r) => [r.dataSet, Number(r.n)]));
}
