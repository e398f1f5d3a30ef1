import { z } from 'zod';
import { datasetSpecSchema, nodeAssessmentSchema, releasePlanSchema } from '../deidentify/deidentify-types.js';

const levelsSchema = z.record(z.string().min(1).max(128), z.number().int().min(0).max(32));

export const previewInput = z.object({
  grantId: z.uuid(),
  spec: datasetSpecSchema,
  /** Level per quasi-identifier (an accepted proposal's `levelsByField`); default the spec's configured levels. */
  levels: levelsSchema.optional(),
  sampleSize: z.number().int().min(1).max(100).default(20),
});
export type PreviewInput = z.input<typeof previewInput>;

export const populationSchema = z.object({
  /** Active customers in the grant's scope. */
  inScope: z.number().int(),
  /** Of those, whose consent (or the purpose's other legal basis) covers every exported field. */
  included: z.number().int(),
  /** Left out because their consent does not cover the fields (P3.4, P5.1). */
  excludedNoConsent: z.number().int(),
});

export const previewSchema = z.object({
  grantId: z.uuid(),
  fields: z.array(z.string()),
  sample: z.array(z.record(z.string(), z.string().nullable())),
  plan: releasePlanSchema,
  /** The assessment at the levels asked for (or configured): what a release now would be. */
  chosen: nodeAssessmentSchema,
  /** At those levels before any suppression: the smallest class (k) and the least diverse class (l). */
  measured: z.object({ k: z.number().int().nullable(), l: z.number().int().nullable() }),
  population: populationSchema,
});
export type ExportPreview = z.infer<typeof previewSchema>;

export const createExportInput = z.object({
  grantId: z.uuid(),
  spec: datasetSpecSchema,
  levels: levelsSchema.optional(),
  format: z.enum(['csv', 'xlsx']).default('csv'),
  /** Who receives the file: a team or person inside the enterprise (sharing outside is P6.1's). */
  recipient: z.string().trim().min(2).max(200),
});
export type CreateExportInput = z.input<typeof createExportInput>;

export const exportRecordSchema = z.object({
  id: z.uuid(),
  grantId: z.uuid(),
  purposeCode: z.string(),
  recipient: z.string(),
  format: z.enum(['csv', 'xlsx']),
  status: z.enum(['ready', 'downloaded', 'expired']),
  spec: datasetSpecSchema,
  levelsByField: z.record(z.string(), z.number().int()),
  k: z.number().int().nullable(),
  l: z.number().int().nullable(),
  targetK: z.number().int(),
  targetL: z.number().int().nullable(),
  inScopeCount: z.number().int(),
  excludedCount: z.number().int(),
  suppressedCount: z.number().int(),
  rowCount: z.number().int(),
  fileSha256: z.string(),
  fileBytes: z.number().int(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  expiresAt: z.iso.datetime(),
  downloadedAt: z.iso.datetime().nullable(),
  /** The one-time download link, present only in the answer to createExport. */
  downloadPath: z.string().optional(),
});
export type ExportRecord = z.infer<typeof exportRecordSchema>;

export const specTemplateSchema = z.object({ spec: datasetSpecSchema });
