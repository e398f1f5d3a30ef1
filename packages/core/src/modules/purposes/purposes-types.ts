import { z } from 'zod';

/** Text shown to customers and staff, in both languages Custos serves. */
export const l10n = z.object({ 'zh-CN': z.string().trim().min(1).max(2000), en: z.string().trim().min(1).max(2000) });
export type L10n = z.infer<typeof l10n>;

export const codeSchema = z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, 'use lower-case letters, digits and _');

/** PIPL Art. 13: the lawful bases for processing. */
export const LEGAL_BASES = [
  'consent',
  'contract',
  'hr_management',
  'legal_duty',
  'public_health',
  'news_reporting',
  'public_information',
  'other_law',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** What starts a purpose's retention clock (P4.2). */
export const RETENTION_TRIGGERS = ['collection', 'relationship_end', 'last_activity', 'consent_withdrawal'] as const;

export const PURPOSE_STATUSES = ['draft', 'submitted', 'approved', 'active', 'retired'] as const;
export type PurposeStatus = (typeof PURPOSE_STATUSES)[number];

export const createPurposeInput = z.object({
  code: codeSchema,
  name: l10n,
  description: l10n,
  businessLine: z.string().trim().min(1).max(200),
  ownerDepartmentId: z.uuid(),
  legalBasis: z.enum(LEGAL_BASES),
  fields: z.array(codeSchema).min(1).max(64),
  /** A necessity statement for each sensitive field (PIPL Art. 28, 30). */
  necessity: z.record(codeSchema, l10n).default({}),
  scenarios: z.array(l10n).min(1).max(50),
  retention: z.object({ days: z.number().int().positive().max(36500), trigger: z.enum(RETENTION_TRIGGERS) }),
});
export type CreatePurposeInput = z.input<typeof createPurposeInput>;

export const reviewInput = z.object({ comment: z.string().trim().max(2000).optional() });
export const rejectInput = z.object({ comment: z.string().trim().min(2).max(2000) });

export const listPurposesInput = z.object({ status: z.enum(PURPOSE_STATUSES).optional(), code: codeSchema.optional() });

export const purposeSchema = z.object({
  id: z.uuid(),
  code: z.string(),
  version: z.number().int(),
  status: z.enum(PURPOSE_STATUSES),
  name: l10n,
  description: l10n,
  businessLine: z.string(),
  ownerDepartmentId: z.uuid(),
  legalBasis: z.enum(LEGAL_BASES),
  fields: z.array(z.string()),
  necessity: z.record(z.string(), l10n),
  scenarios: z.array(l10n),
  retention: z.object({ days: z.number().int(), trigger: z.enum(RETENTION_TRIGGERS) }),
  consentBaseline: z.number().int(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  submittedBy: z.string().nullable(),
  submittedAt: z.iso.datetime().nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: z.iso.datetime().nullable(),
  activatedAt: z.iso.datetime().nullable(),
  retiredAt: z.iso.datetime().nullable(),
  reviewComment: z.string().nullable(),
});
export type Purpose = z.infer<typeof purposeSchema>;
