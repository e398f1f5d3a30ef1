import { createHash } from 'node:crypto';
import type { ProcessingRecord } from './processing-records-types.js';

/** SHA-256 over the sorted, de-duplicated customer ids, one per line: proves the set without listing it. */
export function customerIdsHash(ids: readonly string[]): string {
  const sorted = [...new Set(ids.map((i) => i.toLowerCase()))].sort();
  return createHash('sha256').update(sorted.join('\n')).digest('hex');
}

/** The earliest a processing record may be removed: 3 years after it was made (PIPL Art. 56), or later. */
export function keepUntilAtLeast(createdAt: Date, wanted?: Date): Date {
  const min = new Date(createdAt);
  min.setUTCFullYear(min.getUTCFullYear() + 3);
  // A day's margin: the database's own clock (now()) may run a little ahead of this process's.
  min.setUTCDate(min.getUTCDate() + 1);
  return wanted && wanted.getTime() > min.getTime() ? wanted : min;
}

/**
 * One CSV cell (RFC 4180). Cells that a spreadsheet would run as a formula (= + - @, tab, CR)
 * get a leading apostrophe, so an export opened in Excel or WPS cannot execute anything.
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(';') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = [
  'seq',
  'id',
  'createdAt',
  'kind',
  'subjectType',
  'subjectId',
  'actorName',
  'actorId',
  'purposeCode',
  'fields',
  'customerCount',
  'customerIdsHash',
  'customerListRef',
  'recipientName',
  'recipientId',
  'legalBasis',
  'fileHash',
  'clauses',
  'details',
  'keepUntil',
] as const satisfies ReadonlyArray<keyof ProcessingRecord>;

/** The register as CSV for auditors: UTF-8 with a byte-order mark (spreadsheets then read Chinese correctly), CRLF lines. */
export function processingRecordsCsv(records: readonly ProcessingRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) lines.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
