import { z } from 'zod';
import { customerFieldsInput } from '../customers/customers-types.js';
import { codeSchema } from '../purposes/purposes-types.js';
import { CONSENT_METHODS, consentGiven } from '../consent/consent-types.js';

export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, '8-128 characters: letters, digits, _ and -');

export const collectInput = z.object({
  purposeCode: codeSchema,
  noticeId: z.uuid(),
  /** Staff name the channel they collect through; a widget's channel comes from its key. */
  channelId: z.uuid().optional(),
  fields: customerFieldsInput,
  consent: consentGiven.optional(),
});
export type CollectInput = z.input<typeof collectInput>;

export const collectResultSchema = z.object({
  collectionId: z.uuid(),
  /** Null for channel (widget) callers: they learn nothing about who else is a customer. */
  customerId: z.uuid().nullable(),
  created: z.boolean().nullable(),
  consentIds: z.array(z.uuid()),
  fields: z.array(z.object({ field: z.string(), masked: z.string() })),
});
export type CollectResult = z.infer<typeof collectResultSchema>;

export const importRowInput = z.object({
  fields: z.record(z.string(), z.string().max(4000)),
  consent: z
    .object({
      method: z.enum(CONSENT_METHODS),
      givenAt: z.iso.datetime(),
      evidenceHash: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
      /** Sensitive categories the customer consented to separately. */
      separate: z.array(codeSchema).max(64).default([]),
    })
    .optional(),
});

export const importInput = z.object({
  channelId: z.uuid(),
  purposeCode: codeSchema,
  /** P3.3: where the data lawfully came from. */
  lawfulSource: z.object({ description: z.string().trim().min(4).max(2000), basis: z.string().trim().min(2).max(200) }),
  batchSize: z.number().int().min(1).max(5000).default(500),
  rows: z.array(z.unknown()).min(1).max(100_000),
});
export type ImportInput = z.input<typeof importInput>;

export const importResultSchema = z.object({
  importId: z.uuid(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  batches: z.number().int(),
  rejectedRows: z.array(z.object({ row: z.number().int(), problems: z.array(z.object({ field: z.string(), reason: z.string() })) })),
});
export type ImportResult = z.infer<typeof importResultSchema>;
