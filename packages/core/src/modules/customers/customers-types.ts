import { z } from 'zod';

/** Categories of PI submitted for a customer: catalogue code -> value. */
export const customerFieldsInput = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, 'unknown field name'), z.string().max(4000))
  .refine((r) => Object.keys(r).length > 0, 'give at least one field')
  .refine((r) => Object.keys(r).length <= 64, 'at most 64 fields');

export const createCustomerInput = z.object({ fields: customerFieldsInput });
export type CreateCustomerInput = z.input<typeof createCustomerInput>;

/** One field as read: masked by default, never the plain value. */
export const maskedFieldSchema = z.object({
  field: z.string(),
  piType: z.string(),
  sensitivity: z.enum(['general', 'sensitive']),
  masked: z.string(),
  version: z.number().int(),
  updatedAt: z.iso.datetime(),
});
export type MaskedField = z.infer<typeof maskedFieldSchema>;

export const customerSchema = z.object({
  id: z.uuid(),
  status: z.enum(['active', 'deleted']),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  fields: z.array(maskedFieldSchema),
});
export type Customer = z.infer<typeof customerSchema>;

/** The PI types a customer can be found by, exactly, through blind indexes. */
export const LOOKUP_PI_TYPES = ['cn_resident_id', 'cn_mobile', 'email'] as const;
export type LookupPiType = (typeof LOOKUP_PI_TYPES)[number];

export const findCustomersInput = z.object({
  piType: z.enum(LOOKUP_PI_TYPES),
  value: z.string().min(1).max(320),
});
export type FindCustomersInput = z.input<typeof findCustomersInput>;

/**
 * The code of a registered purpose (the purposes register, P3.1). A plain read (reveal) names one:
 * it must be active, held by the caller's department (P5.1), its consent or other legal basis
 * must cover the fields (P3.4), and a live grant must cover the read (P5.2).
 */
export const purposeCodeSchema = z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, 'a purpose code');

export const revealInput = z.object({
  fields: z.array(z.string()).min(1).max(64),
  purpose: purposeCodeSchema,
  justification: z.string().trim().min(4).max(500),
});
export type RevealInput = z.input<typeof revealInput>;

export const revealResultSchema = z.object({
  customerId: z.uuid(),
  purpose: z.string(),
  values: z.record(z.string(), z.string()),
});

export const updateFieldInput = z.object({
  value: z.string().max(4000),
  /** Why the value changes (P2.4 correction); kept with the history, not in the audit log. */
  reason: z.string().trim().min(2).max(500),
});
export type UpdateFieldInput = z.input<typeof updateFieldInput>;

export const fieldHistoryEntrySchema = z.object({
  version: z.number().int(),
  masked: z.string(),
  changedAt: z.iso.datetime(),
  changedBy: z.string(),
  reason: z.string().nullable(),
  current: z.boolean(),
});
export type FieldHistoryEntry = z.infer<typeof fieldHistoryEntrySchema>;

export const deleteCustomerInput = z.object({ reason: z.string().trim().min(2).max(500) });

export const kekInfoSchema = z.object({
  version: z.number().int(),
  createdAt: z.string().nullable(),
  state: z.enum(['current', 'active', 'retired']),
  algorithm: z.string(),
  provider: z.string(),
  /** How many customer data keys are wrapped with this version. */
  wrappedDataKeys: z.number().int(),
});

export const rewrapJobSchema = z.object({
  id: z.uuid(),
  toVersion: z.number().int(),
  status: z.enum(['running', 'completed', 'failed']),
  total: z.number().int(),
  done: z.number().int(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
});
export type RewrapJob = z.infer<typeof rewrapJobSchema>;

/** The registered purposes (codes, any status) a department is assigned; reveal still needs them active. */
export const departmentPurposesInput = z.object({ purposes: z.array(purposeCodeSchema).max(200) });

/** A purpose the caller's department holds, as offered by the reveal dialog: active versions only. */
export const heldPurposeSchema = z.object({
  code: z.string(),
  version: z.number().int(),
  name: z.object({ 'zh-CN': z.string(), en: z.string() }),
  legalBasis: z.string(),
  /** Catalogue category codes the purpose covers. */
  fields: z.array(z.string()),
});
export type HeldPurpose = z.infer<typeof heldPurposeSchema>;
