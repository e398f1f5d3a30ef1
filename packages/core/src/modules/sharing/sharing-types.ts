import { z } from 'zod';
import { datasetSpecSchema } from '../deidentify/deidentify-types.js';
import { codeSchema } from '../purposes/purposes-types.js';
import { customerScopeSchema } from '../use/use-types.js';

export const SHARE_LEGAL_BASES = ['separate_consent', 'contract', 'legal_obligation', 'other'] as const;

export const createShareRequestInput = z
  .object({
    recipientId: z.uuid(),
    purposeCode: codeSchema,
    customerScope: customerScopeSchema,
    method: z.enum(['file', 'api']).default('file'),
    /** The fields are the spec's columns; each has its de-identification operator (`keep` shares the value). */
    spec: datasetSpecSchema,
    levels: z.record(z.string().min(1).max(128), z.number().int().min(0).max(32)).optional(),
    format: z.enum(['csv', 'xlsx']).default('csv'),
    /** PIPL Art. 23: each customer's separate consent to this recipient, or another basis, cited. */
    legalBasis: z.enum(SHARE_LEGAL_BASES).default('separate_consent'),
    legalBasisNote: z.string().trim().min(4).max(1000).optional(),
    /** A completed impact assessment about this share (required before the last approval). */
    impactAssessmentId: z.uuid().optional(),
    justification: z.string().trim().min(4).max(2000),
  })
  .refine((r) => r.legalBasis === 'separate_consent' || r.legalBasisNote, {
    message: 'cite the law or contract the share relies on',
    path: ['legalBasisNote'],
  });
export type CreateShareRequestInput = z.input<typeof createShareRequestInput>;

export const reviewShareRequestInput = z.object({
  decision: z.enum(['approve', 'reject', 'return']),
  comment: z.string().trim().max(2000).optional(),
});
export type ReviewShareRequestInput = z.input<typeof reviewShareRequestInput>;

export const shareExecutionSchema = z.object({
  id: z.uuid(),
  shareRequestId: z.uuid(),
  recipientId: z.uuid(),
  executedBy: z.string(),
  inScopeCount: z.number().int(),
  includedCount: z.number().int(),
  /** Left out: no separate consent to this recipient (or the purpose's consent does not cover the fields). */
  excludedCount: z.number().int(),
  suppressedCount: z.number().int(),
  rowCount: z.number().int(),
  k: z.number().int().nullable(),
  l: z.number().int().nullable(),
  customerIdsHash: z.string(),
  fileSha256: z.string(),
  fileBytes: z.number().int(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  downloadedAt: z.iso.datetime().nullable(),
  /** The one-time download link, only in the answer to executeShare. */
  downloadPath: z.string().optional(),
});
export type ShareExecution = z.infer<typeof shareExecutionSchema>;

export const shareRequestSchema = z.object({
  id: z.uuid(),
  requesterName: z.string(),
  departmentId: z.uuid(),
  recipientId: z.uuid(),
  recipientName: z.string(),
  purposeCode: z.string(),
  fields: z.array(z.string()),
  customerScope: customerScopeSchema,
  method: z.enum(['file', 'api']),
  spec: datasetSpecSchema,
  levels: z.record(z.string(), z.number().int()),
  format: z.enum(['csv', 'xlsx']),
  legalBasis: z.enum(SHARE_LEGAL_BASES),
  legalBasisNote: z.string().nullable(),
  impactAssessmentId: z.uuid().nullable(),
  justification: z.string(),
  sensitive: z.boolean(),
  chain: z.array(z.string()),
  step: z.number().int(),
  status: z.enum(['in_review', 'returned', 'approved', 'rejected', 'executed']),
  createdAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().nullable(),
  reviews: z.array(
    z.object({
      step: z.number().int(),
      stepRole: z.string(),
      reviewerName: z.string(),
      decision: z.enum(['approve', 'reject', 'return']),
      comment: z.string().nullable(),
      decidedAt: z.iso.datetime(),
    }),
  ),
  execution: shareExecutionSchema.nullable(),
});
export type ShareRequest = z.infer<typeof shareRequestSchema>;
