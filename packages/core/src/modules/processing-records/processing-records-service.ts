import type { z } from 'zod';
import { and, count, desc, eq, gte, ilike, lte, or, type SQL } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { processingRecords } from '../../db/schema.js';
import { InvalidError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { parseInput } from '../../validation.js';
import { customerIdsHash, keepUntilAtLeast, processingRecordsCsv } from './processing-records-fns.js';
import {
  listProcessingRecordsQuery,
  type ListProcessingRecordsQuery,
  type NewProcessingRecord,
  type ProcessingRecord,
  type ProcessingRecordPage,
} from './processing-records-types.js';

type Row = typeof processingRecords.$inferSelect;
type ListQuery = z.output<typeof listProcessingRecordsQuery>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The most rows one CSV export carries; narrow the filter for more. */
export const MAX_EXPORT_ROWS = 100_000;

export function toProcessingRecord(r: Row): ProcessingRecord {
  return {
    id: r.id,
    seq: r.seq,
    kind: r.kind,
    subjectType: r.subjectType,
    subjectId: r.subjectId,
    actorId: r.actorId,
    actorName: r.actorName,
    purposeCode: r.purposeCode,
    fields: r.fields,
    customerCount: r.customerCount,
    customerIdsHash: r.customerIdsHash,
    customerListRef: r.customerListRef,
    recipientId: r.recipientId,
    recipientName: r.recipientName,
    legalBasis: r.legalBasis,
    fileHash: r.fileHash,
    clauses: r.clauses,
    details: r.details,
    createdAt: r.createdAt.toISOString(),
    keepUntil: r.keepUntil.toISOString(),
  };
}

function where(q: ListQuery): SQL | undefined {
  const conds: SQL[] = [];
  if (q.kind) conds.push(eq(processingRecords.kind, q.kind));
  if (q.from) conds.push(gte(processingRecords.createdAt, new Date(q.from)));
  if (q.to) conds.push(lte(processingRecords.createdAt, new Date(q.to)));
  if (q.recipient) {
    const like = `%${q.recipient.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const byName = ilike(processingRecords.recipientName, like);
    conds.push(UUID.test(q.recipient) ? or(eq(processingRecords.recipientId, q.recipient), byName)! : byName);
  }
  return conds.length ? and(...conds) : undefined;
}

/**
 * The processing-records register (P1.1, P6.1, P6.2): one append-only record for every share,
 * transfer, public disclosure and export of customer PI (who, what fields, which customers, to
 * whom, on which legal basis, the file's hash), kept at least 3 years. Other modules write it
 * inside their own operation through `internal.record`; compliance and auditors read and export it.
 */
export function createProcessingRecordsService(deps: { runner: Runner }) {
  const { runner } = deps;

  const internal = {
    /** Append a record inside the caller's transaction (the caller audits its own operation, naming the record). */
    async record(tx: Tx, input: NewProcessingRecord): Promise<ProcessingRecord> {
      if (!input.recipientName.trim() || !input.legalBasis.trim())
        throw new InvalidError('a processing record names its recipient and legal basis', [
          { field: input.recipientName.trim() ? 'legalBasis' : 'recipientName', reason: 'required' },
        ]);
      const ids = input.customerIds;
      const now = new Date();
      const [row] = await tx
        .insert(processingRecords)
        .values({
          kind: input.kind,
          subjectType: input.subjectType,
          subjectId: input.subjectId,
          actorId: input.actor.userId,
          actorName: input.actor.username,
          purposeCode: input.purposeCode ?? null,
          fields: [...input.fields],
          customerCount: ids ? new Set(ids).size : (input.customerCount ?? 0),
          customerIdsHash: ids ? customerIdsHash(ids) : (input.customerIdsHash ?? null),
          customerListRef: input.customerListRef ?? null,
          recipientId: input.recipientId ?? null,
          recipientName: input.recipientName,
          legalBasis: input.legalBasis,
          fileHash: input.fileHash ?? null,
          clauses: [...input.clauses],
          details: input.details ?? {},
          keepUntil: keepUntilAtLeast(now, input.keepUntil),
        })
        .returning();
      return toProcessingRecord(row!);
    },
  };

  async function page(tx: Tx, q: ListQuery): Promise<ProcessingRecordPage> {
    const w = where(q);
    const [total] = await tx.select({ n: count() }).from(processingRecords).where(w);
    const rows = await tx.select().from(processingRecords).where(w).orderBy(desc(processingRecords.seq)).limit(q.limit).offset(q.offset);
    return { items: rows.map(toProcessingRecord), total: Number(total?.n ?? 0), limit: q.limit, offset: q.offset };
  }

  return {
    internal,

    /** The register, newest first, filtered by kind, period and recipient, one page at a time. */
    list(actor: Actor, query: ListProcessingRecordsQuery = {}): Promise<ProcessingRecordPage> {
      return runner.run(actor, OPERATIONS.listProcessingRecords, async ({ tx }) => page(tx, parseInput(listProcessingRecordsQuery, query)));
    },

    /** The filtered register as CSV for auditors (all pages, oldest first, up to MAX_EXPORT_ROWS); the export is audited. */
    exportCsv(actor: Actor, query: Omit<ListProcessingRecordsQuery, 'limit' | 'offset'> = {}): Promise<{ csv: string; rows: number }> {
      return runner.run(actor, OPERATIONS.exportProcessingRecords, async ({ tx, audit }) => {
        const q = parseInput(listProcessingRecordsQuery, { ...query, limit: 1, offset: 0 });
        const w = where(q);
        const [total] = await tx.select({ n: count() }).from(processingRecords).where(w);
        if (Number(total?.n ?? 0) > MAX_EXPORT_ROWS)
          throw new InvalidError(`more than ${MAX_EXPORT_ROWS} records match: narrow the period`, [
            { field: 'from', reason: 'too_many_rows' },
          ]);
        const rows = await tx.select().from(processingRecords).where(w).orderBy(processingRecords.seq);
        const records = rows.map(toProcessingRecord);
        await audit({
          action: 'processing_records.exported',
          resourceType: 'processing_record',
          resourceId: null,
          details: {
            rows: records.length,
            filter: { kind: q.kind ?? null, from: q.from ?? null, to: q.to ?? null, recipient: q.recipient ?? null },
          },
        });
        return { csv: processingRecordsCsv(records), rows: records.length };
      });
    },
  };
}

export type ProcessingRecordsService = ReturnType<typeof createProcessingRecordsService>;
