import { z } from 'zod';

/** What a processing record is about (P1.1): every activity that sends customer PI out of the vault. */
export const PROCESSING_KINDS = ['share', 'transfer', 'disclosure', 'export'] as const;
export type ProcessingKind = (typeof PROCESSING_KINDS)[number];

export const listProcessingRecordsQuery = z
  .object({
    kind: z.enum(PROCESSING_KINDS).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    /** A recipient's id, or part of its name (case-insensitive). */
    recipient: z.string().trim().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) >= Date.parse(q.from), { message: 'to is before from', path: ['to'] });
export type ListProcessingRecordsQuery = z.input<typeof listProcessingRecordsQuery>;

export const processingRecordSchema = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  kind: z.enum(PROCESSING_KINDS),
  subjectType: z.string(),
  subjectId: z.string(),
  actorId: z.uuid().nullable(),
  actorName: z.string(),
  purposeCode: z.string().nullable(),
  fields: z.array(z.string()),
  customerCount: z.number().int(),
  customerIdsHash: z.string().nullable(),
  customerListRef: z.string().nullable(),
  recipientId: z.uuid().nullable(),
  recipientName: z.string(),
  legalBasis: z.string(),
  fileHash: z.string().nullable(),
  clauses: z.array(z.string()),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
  keepUntil: z.iso.datetime(),
});
export type ProcessingRecord = z.infer<typeof processingRecordSchema>;

export const processingRecordPageSchema = z.object({
  items: z.array(processingRecordSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type ProcessingRecordPage = z.infer<typeof processingRecordPageSchema>;

/**
 * What another module records, inside its own transaction (sharing, transfers, disclosures,
 * exports). Give the customer ids (hashed here, never stored in the register) or, for very large
 * sets, their count and hash; `customerListRef` says where the per-customer list is kept.
 */
export interface NewProcessingRecord {
  kind: ProcessingKind;
  subjectType: string;
  subjectId: string;
  actor: { userId: string | null; username: string };
  purposeCode?: string | null;
  fields: readonly string[];
  customerIds?: readonly string[];
  customerCount?: number;
  customerIdsHash?: string | null;
  customerListRef?: string | null;
  recipientId?: string | null;
  recipientName: string;
  legalBasis: string;
  fileHash?: string | null;
  clauses: readonly string[];
  /** Counts and references only: never plain PI. */
  details?: Record<string, unknown>;
  /** At least 3 years from now (PIPL Art. 56); a shorter value is raised to 3 years. */
  keepUntil?: Date;
}
