import { z } from 'zod';
import { codeSchema, RETENTION_TRIGGERS } from '../purposes/purposes-types.js';

export type RetentionTrigger = (typeof RETENTION_TRIGGERS)[number];
export const RETENTION_ACTIONS = ['delete', 'anonymise'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

const reasonText = z.string().trim().min(2).max(500);

export const createRetentionRuleInput = z
  .object({
    purposeCode: codeSchema.optional(),
    categoryCode: z.string().min(1).max(64).optional(),
    days: z.number().int().min(1).max(36500),
    trigger: z.enum(RETENTION_TRIGGERS),
    action: z.enum(RETENTION_ACTIONS),
    /** Why this period: the business need or the law that sets it. */
    description: reasonText,
  })
  .refine((r) => r.purposeCode || r.categoryCode, { message: 'name a purpose, a data category or both', path: ['purposeCode'] });
export type CreateRetentionRuleInput = z.input<typeof createRetentionRuleInput>;

export const retentionRuleSchema = z.object({
  id: z.string(),
  /** `rule:<id>` for an explicit rule, `purpose:<code>` for a purpose's own retention. */
  key: z.string(),
  source: z.enum(['rule', 'purpose']),
  purposeCode: z.string().nullable(),
  categoryCode: z.string().nullable(),
  days: z.number().int(),
  trigger: z.enum(RETENTION_TRIGGERS),
  action: z.enum(RETENTION_ACTIONS),
  description: z.string(),
  status: z.enum(['active', 'retired']),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime().nullable(),
  /** Replaced by a more specific explicit rule, or shadowed for this purpose by a purpose rule. */
  overridden: z.boolean(),
  held: z.boolean(),
});
export type RetentionRule = z.infer<typeof retentionRuleSchema>;

export const listRetentionRulesInput = z.object({ includeRetired: z.coerce.boolean().default(false) });

export const previewRetentionInput = z.object({
  /** How many plan items to list (the counts always cover everything). */
  limit: z.coerce.number().int().min(0).max(10000).default(1000),
});
export type PreviewRetentionInput = z.input<typeof previewRetentionInput>;

export const runRetentionInput = z.object({
  batchSize: z.number().int().min(1).max(10000).optional(),
});
export type RunRetentionInput = z.input<typeof runRetentionInput>;

export const planItemSchema = z.object({
  customerId: z.uuid(),
  action: z.enum(['delete', 'anonymise', 'remove_fields']),
  fields: z.array(z.string()),
  rules: z.array(z.string()),
  expiredAt: z.iso.datetime(),
});
export type PlanItemView = z.infer<typeof planItemSchema>;

export const sweepCountsSchema = z.object({
  scanned: z.number().int(),
  deleted: z.number().int(),
  anonymised: z.number().int(),
  customersWithFieldsRemoved: z.number().int(),
  fieldsRemoved: z.number().int(),
  held: z.number().int(),
});
export type SweepCounts = z.infer<typeof sweepCountsSchema>;

export const previewResultSchema = z.object({
  asOf: z.iso.datetime(),
  counts: sweepCountsSchema,
  items: z.array(planItemSchema),
  truncated: z.boolean(),
});
export type PreviewResult = z.infer<typeof previewResultSchema>;

export const retentionRunSchema = z.object({
  id: z.uuid(),
  trigger: z.enum(['manual', 'schedule']),
  scheduledFor: z.iso.datetime().nullable(),
  status: z.enum(['running', 'completed', 'failed']),
  asOf: z.iso.datetime(),
  batchSize: z.number().int(),
  batches: z.number().int(),
  counts: sweepCountsSchema,
  resumes: z.number().int(),
  startedBy: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type RetentionRun = z.infer<typeof retentionRunSchema>;

export const destructionSchema = z.object({
  customerId: z.uuid(),
  action: z.enum(['delete', 'anonymise', 'remove_fields']),
  method: z.enum(['crypto_shred', 'crypto_shred_with_statistics', 'field_removal']),
  fields: z.array(z.string()),
  historyEntries: z.number().int(),
  rules: z.array(z.string()),
  expiredAt: z.iso.datetime(),
  destroyedAt: z.iso.datetime(),
  keepUntil: z.iso.datetime(),
});
export type Destruction = z.infer<typeof destructionSchema>;

export const getRetentionRunInput = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const retentionRunReportSchema = z.object({
  run: retentionRunSchema,
  destructions: z.array(destructionSchema),
  totalDestructions: z.number().int(),
});

export const listRetentionRunsInput = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const placeLegalHoldInput = z
  .object({
    customerId: z.uuid().optional(),
    ruleId: z.uuid().optional(),
    purposeCode: codeSchema.optional(),
    reason: reasonText,
    /** The law, order or proceeding that requires keeping the data. */
    legalBasis: reasonText,
  })
  .refine((h) => [h.customerId, h.ruleId, h.purposeCode].filter(Boolean).length === 1, {
    message: 'a hold is on exactly one of: a customer, a rule, a purpose',
    path: ['customerId'],
  });
export type PlaceLegalHoldInput = z.input<typeof placeLegalHoldInput>;

export const releaseLegalHoldInput = z.object({ reason: reasonText });

export const legalHoldSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid().nullable(),
  ruleId: z.uuid().nullable(),
  purposeCode: z.string().nullable(),
  reason: z.string(),
  legalBasis: z.string(),
  placedBy: z.string(),
  placedAt: z.iso.datetime(),
  releasedBy: z.string().nullable(),
  releasedAt: z.iso.datetime().nullable(),
  releaseReason: z.string().nullable(),
});
export type LegalHold = z.infer<typeof legalHoldSchema>;

export const listLegalHoldsInput = z.object({ includeReleased: z.coerce.boolean().default(false) });

export const endRelationshipInput = z.object({
  /** When the relationship ended (default now); not in the future. */
  endedAt: z.iso.datetime().optional(),
  reason: reasonText,
});
export type EndRelationshipInput = z.input<typeof endRelationshipInput>;

export const listExpiriesInput = z.object({
  days: z.coerce.number().int().min(1).max(3650).default(30),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const expiriesSchema = z.object({
  asOf: z.iso.datetime(),
  until: z.iso.datetime(),
  /** Customers whose next expiry falls within the window, by rule. */
  byRule: z.array(z.object({ rule: z.string(), customers: z.number().int() })),
  items: z.array(
    z.object({
      customerId: z.uuid(),
      at: z.iso.datetime(),
      rule: z.string(),
      scope: z.enum(['customer', 'fields']),
      fields: z.array(z.string()),
    }),
  ),
  total: z.number().int(),
  /** Already expired and waiting for the next sweep. */
  due: z.number().int(),
  held: z.number().int(),
});
export type Expiries = z.infer<typeof expiriesSchema>;
