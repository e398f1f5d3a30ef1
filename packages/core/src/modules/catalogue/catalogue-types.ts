import { z } from 'zod';

/** PI types the vault knows (validation and masking live in pi-types/). */
export const PI_TYPE_IDS = [
  'cn_resident_id',
  'cn_mobile',
  'cn_landline',
  'email',
  'bank_card',
  'cn_uscc',
  'passport',
  'hk_macau_permit',
  'hk_macau_resident_permit',
  'taiwan_permit',
  'person_name',
  'address',
  'date',
  'text',
] as const;

export const sensitivity = z.enum(['general', 'sensitive']);

export const dataCategorySchema = z.object({
  id: z.uuid(),
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  description: z.string().nullable(),
  piType: z.enum(PI_TYPE_IDS),
  sensitivity,
  builtIn: z.boolean(),
  version: z.number().int(),
  updatedAt: z.iso.datetime(),
});
export type DataCategory = z.infer<typeof dataCategorySchema>;

export const createDataCategoryInput = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,63}$/, 'use 2-64 lower-case letters, digits or underscores, starting with a letter'),
  nameZh: z.string().trim().min(1).max(100),
  nameEn: z.string().trim().min(1).max(100),
  description: z.string().trim().max(2000).nullish(),
  piType: z.enum(PI_TYPE_IDS),
  sensitivity,
});
export type CreateDataCategoryInput = z.input<typeof createDataCategoryInput>;

export const dataCategoryVersionSchema = z.object({
  version: z.number().int(),
  snapshot: z.record(z.string(), z.unknown()),
  changedBy: z.string(),
  changedAt: z.iso.datetime(),
});
export type DataCategoryVersion = z.infer<typeof dataCategoryVersionSchema>;
