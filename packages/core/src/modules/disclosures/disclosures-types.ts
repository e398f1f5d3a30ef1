import { z } from 'zod';
import { deidentifyOperatorSchema } from '../deidentify/deidentify-types.js';
import { codeSchema } from '../purposes/purposes-types.js';
import { customerScopeSchema } from '../use/use-types.js';

/** P6.2: a public disclosure rests on the law (cited) or on each customer's separate consent (PIPL Art. 25). */
export const disclosureBasisSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('law'), citation: z.string().trim().min(4).max(500) }),
  /** The separate consent of type `disclosure` to this target (consent category `disclosure:<target>`). */
  z.object({ kind: z.literal('consent'), target: z.string().trim().min(1).max(100).default('public') }),
]);
export type DisclosureBasis = z.infer<typeof disclosureBasisSchema>;

export const DISCLOSURE_STATUSES = ['in_review', 'rejected', 'disclosed'] as const;
export type DisclosureStatus = (typeof DISCLOSURE_STATUSES)[number];

export const createDisclosureRequestInput = z.object({
  title: z.string().trim().min(2).max(200),
  purposeCode: codeSchema,
  /** Why the disclosure is needed. */
  reason: z.string().trim().min(4).max(2000),
  /** Where and how it will be published (website, notice board, court announcement, ...). */
  audience: z.string().trim().min(2).max(500),
  /** Required: without a legal basis or consent, disclosure is refused (422). */
  basis: disclosureBasisSchema.optional(),
  /** The minimal fields, all of the purpose. */
  fields: z.array(codeSchema).min(1).max(32),
  /** A de-identification operator per field; `display_mask` when absent; `keep` is refused. */
  operators: z.record(z.string(), deidentifyOperatorSchema).default({}),
  customerScope: customerScopeSchema,
  /** A completed impact assessment about a disclosure (checked at every approval). */
  impactAssessmentId: z.uuid(),
});
export type CreateDisclosureRequestInput = z.input<typeof createDisclosureRequestInput>;

export const reviewDisclosureRequestInput = z.object({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().trim().max(2000).optional(),
});
export type ReviewDisclosureRequestInput = z.input<typeof reviewDisclosureRequestInput>;

export const disclosureCountsSchema = z.object({
  inScope: z.number().int(),
  included: z.number().int(),
  excludedNoConsent: z.number().int(),
  excludedNotInPurpose: z.number().int(),
});
export type DisclosureCounts = z.infer<typeof disclosureCountsSchema>;

export const disclosureRequestSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  purposeCode: z.string(),
  reason: z.string(),
  audience: z.string(),
  basis: z.object({ kind: z.enum(['law', 'consent']), citation: z.string().nullable(), target: z.string() }),
  fields: z.array(z.string()),
  operators: z.record(z.string(), z.record(z.string(), z.unknown())),
  customerScope: customerScopeSchema,
  impactAssessmentId: z.uuid(),
  requesterId: z.uuid(),
  requesterName: z.string(),
  chain: z.array(z.string()),
  step: z.number().int(),
  status: z.enum(DISCLOSURE_STATUSES),
  preview: disclosureCountsSchema,
  report: disclosureCountsSchema.nullable(),
  createdAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().nullable(),
  reviews: z.array(
    z.object({
      step: z.number().int(),
      stepRole: z.string(),
      reviewerName: z.string(),
      decision: z.enum(['approve', 'reject']),
      comment: z.string().nullable(),
      decidedAt: z.iso.datetime(),
    }),
  ),
  /** The disclosed content: masked values only. */
  content: z.object({ fields: z.array(z.string()), rows: z.array(z.record(z.string(), z.string().nullable())) }).nullable(),
  contentHash: z.string().nullable(),
  processingRecordId: z.uuid().nullable(),
});
export type DisclosureRequest = z.infer<typeof disclosureRequestSchema>;
