import { createHash } from 'node:crypto';
import type { FieldProblem } from '../../errors.js';
import { canonicalJson } from '../notices/notices-fns.js';
import type { DestructionMethod, InspectionResult, MediumStatus, MediumType, NistLevel } from './media-types.js';

const DAY_MS = 86_400_000;
/** An inspection due within this many days shows as due soon. */
export const DUE_SOON_DAYS = 14;

/** The next inspection is due one interval after the last inspection (or, before the first, after registration). */
export function nextDueAt(from: Date, intervalDays: number): Date {
  return new Date(from.getTime() + intervalDays * DAY_MS);
}

export function inspectionState(status: MediumStatus, dueAt: Date, now: Date): 'overdue' | 'due_soon' | 'ok' | 'none' {
  if (status === 'destroyed') return 'none';
  if (dueAt.getTime() <= now.getTime()) return 'overdue';
  if (dueAt.getTime() - now.getTime() <= DUE_SOON_DAYS * DAY_MS) return 'due_soon';
  return 'ok';
}

/** A reminder is owed when the medium is still in service, its inspection is due, and nobody was reminded of this due date yet. */
export function reminderOwed(m: { status: MediumStatus; nextInspectionDueAt: Date; remindedFor: Date | null }, now: Date): boolean {
  return (
    m.status !== 'destroyed' &&
    m.nextInspectionDueAt.getTime() <= now.getTime() &&
    (m.remindedFor === null || m.remindedFor.getTime() !== m.nextInspectionDueAt.getTime())
  );
}

/** NIST SP 800-88 Rev. 1: cryptographic erase is a purge technique. */
export function nistLevelOf(method: DestructionMethod): NistLevel {
  return method === 'crypto_erase' ? 'purge' : method;
}

/**
 * Which destruction methods fit a medium (P4.3, "nothing can be recovered"): cryptographic
 * erase only where everything on the medium was encrypted (the key is what is destroyed); paper
 * can only be destroyed (shredded, pulped, incinerated); a cloud bucket cannot be physically
 * destroyed by the enterprise.
 */
export function destructionMethodProblems(medium: { type: MediumType; encrypted: boolean }, method: DestructionMethod): FieldProblem[] {
  if (method === 'crypto_erase' && !medium.encrypted) return [{ field: 'method', reason: 'crypto_erase_needs_encrypted_medium' }];
  if (medium.type === 'paper_archive' && method !== 'destroy') return [{ field: 'method', reason: 'paper_must_be_destroyed' }];
  if (medium.type === 'cloud_bucket' && method === 'destroy') return [{ field: 'method', reason: 'cloud_cannot_be_physically_destroyed' }];
  return [];
}

/** An inspection's result must agree with its checklist, and anything but a clean pass needs findings. */
export function inspectionProblems(input: {
  checklist: ReadonlyArray<{ item: string; passed: boolean }>;
  result: InspectionResult;
  findings?: string | undefined;
}): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  input.checklist.forEach((c, i) => {
    if (seen.has(c.item)) problems.push({ field: `checklist.${i}.item`, reason: 'duplicate' });
    seen.add(c.item);
  });
  if (input.result === 'passed' && input.checklist.some((c) => !c.passed))
    problems.push({ field: 'result', reason: 'failed_items_cannot_pass' });
  if (input.result !== 'passed' && !input.findings) problems.push({ field: 'findings', reason: 'findings_required' });
  return problems;
}

/** Is a data set still retained at `now`? */
export function stillRetained(ds: { retained: boolean; retainUntil: Date | null }, now: Date): boolean {
  return ds.retained && (ds.retainUntil === null || ds.retainUntil.getTime() > now.getTime());
}

/** Media whose copy still counts: not destroyed and not already approved for disposal. */
export function holdsLiveCopy(status: MediumStatus): boolean {
  return status === 'active' || status === 'disposal_requested';
}

/**
 * P4.3: the data sets for which this medium holds the only copy that still counts, among those
 * still retained. Disposal is refused while this is not empty.
 */
export function onlyCopies(
  mediumId: string,
  holdings: ReadonlyArray<{ mediumId: string; dataSet: string; status: MediumStatus }>,
  retained: (dataSet: string) => boolean,
): string[] {
  const mine = holdings.filter((h) => h.mediumId === mediumId).map((h) => h.dataSet);
  return [...new Set(mine)]
    .filter((ds) => retained(ds))
    .filter((ds) => !holdings.some((h) => h.dataSet === ds && h.mediumId !== mediumId && holdsLiveCopy(h.status)))
    .sort();
}

/** The certificate number: date of destruction and the disposal's id prefix, e.g. MD-20261130-1a2b3c4d. */
export function certificateNumber(disposalId: string, destroyedAt: Date): string {
  const d = destroyedAt.toISOString().slice(0, 10).replaceAll('-', '');
  return `MD-${d}-${disposalId.replaceAll('-', '').slice(0, 8).toUpperCase()}`;
}

/** SHA-256 over the canonical JSON of the certificate's content (everything but the hash itself). */
export function certificateHash(content: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
