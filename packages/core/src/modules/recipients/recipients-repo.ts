import { and, asc, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import {
  impactAssessments,
  recipientAssessmentEvidence,
  recipientAssessments,
  recipientCommitments,
  recipientFindingUpdates,
  recipientFindings,
  recipients,
  recipientTerminations,
  users,
} from '../../db/schema.js';

export type RecipientRow = typeof recipients.$inferSelect;
export type AssessmentRow = typeof recipientAssessments.$inferSelect;
export type EvidenceRow = typeof recipientAssessmentEvidence.$inferSelect;
export type CommitmentRow = typeof recipientCommitments.$inferSelect;
export type FindingRow = typeof recipientFindings.$inferSelect;
export type FindingUpdateRow = typeof recipientFindingUpdates.$inferSelect;
export type TerminationRow = typeof recipientTerminations.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string) => UUID.test(s);

/** `share` lets concurrent shares read it while a suspension or termination waits for them (and they for it). */
export async function selectRecipient(tx: Tx, id: string, lock: 'update' | 'share' | false): Promise<RecipientRow | undefined> {
  if (!isUuid(id)) return undefined;
  const q = tx.select().from(recipients).where(eq(recipients.id, id));
  return (await (lock ? q.for(lock) : q))[0];
}

/** Assessments newest first, per recipient. */
export async function assessmentsOf(tx: Tx, ids: string[]): Promise<Map<string, AssessmentRow[]>> {
  const out = new Map<string, AssessmentRow[]>();
  if (!ids.length) return out;
  const rows = await tx
    .select()
    .from(recipientAssessments)
    .where(inArray(recipientAssessments.recipientId, ids))
    .orderBy(desc(recipientAssessments.assessedAt), desc(recipientAssessments.id));
  for (const r of rows) out.set(r.recipientId, [...(out.get(r.recipientId) ?? []), r]);
  return out;
}

export async function evidenceOf(tx: Tx, assessmentIds: string[]): Promise<Map<string, EvidenceRow[]>> {
  const out = new Map<string, EvidenceRow[]>();
  if (!assessmentIds.length) return out;
  const rows = await tx
    .select()
    .from(recipientAssessmentEvidence)
    .where(inArray(recipientAssessmentEvidence.assessmentId, assessmentIds))
    .orderBy(asc(recipientAssessmentEvidence.id));
  for (const r of rows) out.set(r.assessmentId, [...(out.get(r.assessmentId) ?? []), r]);
  return out;
}

/** Commitments newest first, per recipient. */
export async function commitmentsOf(tx: Tx, ids: string[]): Promise<Map<string, CommitmentRow[]>> {
  const out = new Map<string, CommitmentRow[]>();
  if (!ids.length) return out;
  const rows = await tx
    .select()
    .from(recipientCommitments)
    .where(inArray(recipientCommitments.recipientId, ids))
    .orderBy(desc(recipientCommitments.recordedAt), desc(recipientCommitments.id));
  for (const r of rows) out.set(r.recipientId, [...(out.get(r.recipientId) ?? []), r]);
  return out;
}

/** Recipients (of these) with a completed impact assessment. */
export async function withCompletedImpact(tx: Tx, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await tx
    .selectDistinct({ ref: impactAssessments.subjectRef })
    .from(impactAssessments)
    .where(
      and(
        eq(impactAssessments.subjectKind, 'recipient'),
        eq(impactAssessments.status, 'completed'),
        inArray(impactAssessments.subjectRef, ids),
      ),
    );
  return new Set(rows.map((r) => r.ref!));
}

export async function impactAssessmentsOf(tx: Tx, id: string) {
  return tx
    .select({
      id: impactAssessments.id,
      title: impactAssessments.title,
      status: impactAssessments.status,
      riskLevel: impactAssessments.riskLevel,
      completedAt: impactAssessments.completedAt,
    })
    .from(impactAssessments)
    .where(and(eq(impactAssessments.subjectKind, 'recipient'), eq(impactAssessments.subjectRef, id)))
    .orderBy(desc(impactAssessments.createdAt));
}

export async function openFindingCounts(tx: Tx, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await tx
    .select({ id: recipientFindings.recipientId, n: sql<number>`count(*)::int` })
    .from(recipientFindings)
    .where(and(inArray(recipientFindings.recipientId, ids), ne(recipientFindings.status, 'closed')))
    .groupBy(recipientFindings.recipientId);
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

export async function findingsOf(
  tx: Tx,
  recipientId: string,
): Promise<{ findings: FindingRow[]; updates: Map<string, FindingUpdateRow[]> }> {
  const findings = await tx
    .select()
    .from(recipientFindings)
    .where(eq(recipientFindings.recipientId, recipientId))
    .orderBy(desc(recipientFindings.createdAt), desc(recipientFindings.id));
  const updates = new Map<string, FindingUpdateRow[]>();
  if (findings.length) {
    const rows = await tx
      .select()
      .from(recipientFindingUpdates)
      .where(
        inArray(
          recipientFindingUpdates.findingId,
          findings.map((f) => f.id),
        ),
      )
      .orderBy(asc(recipientFindingUpdates.id));
    for (const r of rows) updates.set(r.findingId, [...(updates.get(r.findingId) ?? []), r]);
  }
  return { findings, updates };
}

export async function terminationOf(tx: Tx, recipientId: string): Promise<TerminationRow | undefined> {
  return (await tx.select().from(recipientTerminations).where(eq(recipientTerminations.recipientId, recipientId)))[0];
}

export async function userRefs(tx: Tx, ids: Array<string | null | undefined>) {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (!wanted.length) return new Map<string, { id: string; username: string; displayName: string; status: string }>();
  const rows = await tx
    .select({ id: users.id, username: users.username, displayName: users.displayName, status: users.status })
    .from(users)
    .where(inArray(users.id, wanted));
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Approved or suspended recipients whose re-assessment falls due by `horizon` and whose owner has
 * not been reminded of this due date; locked, skipping rows another process holds.
 */
export async function recipientsOwedReminder(tx: Tx, horizon: Date, limit: number): Promise<RecipientRow[]> {
  return tx
    .select()
    .from(recipients)
    .where(
      and(
        inArray(recipients.status, ['approved', 'suspended']),
        sql`${recipients.reassessmentDueAt} <= ${horizon.toISOString()}::timestamptz`,
        sql`${recipients.remindedFor} IS DISTINCT FROM ${recipients.reassessmentDueAt}`,
      ),
    )
    .orderBy(asc(recipients.reassessmentDueAt))
    .limit(limit)
    .for('update', { skipLocked: true });
}
