import { z } from 'zod';
import { codeSchema } from '../purposes/purposes-types.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest');

/** How the customer expressed consent (P3.4); `portal` and `import` are Custos's own channels. */
export const CONSENT_METHODS = ['checkbox', 'click', 'e_signature', 'paper_signature', 'recorded_call'] as const;

/** A separate consent (PIPL Art. 29, 23, 25, 39): for a sensitive category, sharing, disclosure, cross-border transfer. */
export const separateConsent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sensitive'), category: codeSchema }),
  z.object({ type: z.literal('sharing'), recipient: z.string().min(1).max(100) }),
  z.object({ type: z.literal('disclosure'), recipient: z.string().min(1).max(100).default('public') }),
  z.object({ type: z.literal('cross_border'), recipient: z.string().min(1).max(100) }),
]);
export type SeparateConsent = z.infer<typeof separateConsent>;

export const consentEvidenceInput = z.object({ formSnapshotHash: hex64.optional(), documentHash: hex64.optional() }).default({});

export const consentGiven = z.object({
  method: z.enum(CONSENT_METHODS),
  scope: z.array(codeSchema).max(64).default([]),
  separate: z.array(separateConsent).max(64).default([]),
  evidence: consentEvidenceInput,
});

export const recordConsentInput = z.object({
  purposeCode: codeSchema,
  noticeId: z.uuid(),
  scope: z.array(codeSchema).max(64).default([]),
  separate: z.array(separateConsent).max(64).default([]),
  method: z.enum(CONSENT_METHODS),
  channelId: z.uuid().optional(),
  evidence: consentEvidenceInput,
  expiresAt: z.iso.datetime().optional(),
});
export type RecordConsentInput = z.input<typeof recordConsentInput>;

export const withdrawConsentInput = z.object({
  purposeCode: codeSchema,
  /** Categories to withdraw; all of the purpose when absent. */
  categories: z.array(z.string().min(1).max(120)).max(64).optional(),
  method: z.enum([...CONSENT_METHODS, 'portal'] as const),
  evidence: z.object({ documentHash: hex64.optional() }).default({}),
});
export type WithdrawConsentInput = z.input<typeof withdrawConsentInput>;

export const checkConsentInput = z.object({
  customerId: z.uuid(),
  purposeCode: codeSchema,
  fields: z.array(z.string().max(120)).min(1).max(64),
});
export type CheckConsentInput = z.input<typeof checkConsentInput>;

export const decisionSchema = z.object({ field: z.string(), allow: z.boolean(), reason: z.string() });

export const consentRecordSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['grant', 'withdrawal']),
  purposeCode: z.string(),
  purposeVersion: z.number().int(),
  noticeId: z.uuid().nullable(),
  noticeHash: z.string().nullable(),
  scope: z.array(z.string()),
  separate: z.object({ type: z.string(), category: z.string().optional(), recipient: z.string().optional() }).nullable(),
  method: z.string(),
  channelId: z.uuid().nullable(),
  evidence: z.record(z.string(), z.string()),
  recordedBy: z.string(),
  recordedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
});
export type ConsentRecord = z.infer<typeof consentRecordSchema>;

export const consentStateSchema = z.object({
  purposeCode: z.string(),
  category: z.string(),
  status: z.enum(['granted', 'withdrawn', 'expired']),
  separate: z.boolean(),
  purposeVersion: z.number().int(),
  consentId: z.uuid(),
  givenAt: z.iso.datetime(),
  withdrawnAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
});
export type ConsentStateView = z.infer<typeof consentStateSchema>;

export const consentStatisticsSchema = z.object({
  items: z.array(
    z.object({
      purposeCode: z.string(),
      purposeName: z.object({ 'zh-CN': z.string(), en: z.string() }).nullable(),
      granted: z.number().int(),
      withdrawn: z.number().int(),
      expired: z.number().int(),
      customers: z.number().int(),
    }),
  ),
});
