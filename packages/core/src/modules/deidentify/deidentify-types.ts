/**
 * Dataset specs for de-identified releases (P5.3): which fields are released, the role of each
 * (identifier, quasi-identifier, sensitive, insensitive), the operator applied to it, and the
 * privacy model the release must meet. Built from a use grant by the export pipeline.
 */
import { z } from 'zod';
import { piTypeIds } from '../../pi-types/registry.js';
import type { PiTypeId } from '../../pi-types/types.js';

export const COLUMN_ROLES = ['identifier', 'quasi_identifier', 'sensitive', 'insensitive'] as const;
export type ColumnRole = (typeof COLUMN_ROLES)[number];

const level = z.number().int().min(0).max(32);
const keep = z.number().int().min(0).max(64);

export const deidentifyOperatorSchema = z.discriminatedUnion('kind', [
  /** The value as collected. */
  z.object({ kind: z.literal('keep') }),
  /** Keep the first `keepFirst` and last `keepLast` characters (after normalisation), `*` for the rest. */
  z.object({ kind: z.literal('mask'), keepFirst: keep.default(0), keepLast: keep.default(0) }),
  /** The PI type's display mask (the vault's: 138****8000, 1**************4, 张*, ...). */
  z.object({ kind: z.literal('display_mask') }),
  /** The column stays, every value is null. */
  z.object({ kind: z.literal('redact') }),
  /** A keyed token (HMAC-SHA256), stable within one pseudonym context (recipient / export), different across contexts. */
  z.object({ kind: z.literal('pseudonymise') }),
  /**
   * Generalise through a hierarchy. For a quasi-identifier, `level` is the level used when no
   * search result is supplied (default 0) and `minLevel`/`maxLevel` bound the search; for other
   * columns `level` is required.
   */
  z.object({
    kind: z.literal('generalise'),
    hierarchy: z.string().min(1).max(64),
    level: level.optional(),
    minLevel: level.optional(),
    maxLevel: level.optional(),
  }),
  /** The column is left out of the release. */
  z.object({ kind: z.literal('suppress_column') }),
]);
export type DeidentifyOperator = z.infer<typeof deidentifyOperatorSchema>;
export type DeidentifyOperatorKind = DeidentifyOperator['kind'];

export const columnSpecSchema = z.object({
  field: z.string().min(1).max(128),
  role: z.enum(COLUMN_ROLES),
  /** PI type of the values: selects normalisation and the display mask (default: free text). */
  piType: z.enum(piTypeIds as unknown as [PiTypeId, ...PiTypeId[]]).optional(),
  operator: deidentifyOperatorSchema,
  /** Weight of a quasi-identifier in the information loss (default 1). */
  weight: z.number().positive().max(1000).optional(),
});
export type ColumnSpec = z.infer<typeof columnSpecSchema>;

export const privacyModelSchema = z.object({
  /** Every released record shares its quasi-identifier values with at least k-1 others. */
  k: z.number().int().min(1).max(100000),
  /** Distinct l-diversity: every released class has at least l distinct values of each sensitive attribute. */
  l: z.number().int().min(1).max(1000).optional(),
  /** Largest fraction of records that may be suppressed to reach k (and l), 0..1. */
  maxSuppression: z.number().min(0).max(1).default(0),
});
export type PrivacyModel = z.infer<typeof privacyModelSchema>;

/** Operators that remove an identifier's identifying value (identifiers may not be kept or generalised). */
const IDENTIFIER_OPERATORS: readonly DeidentifyOperatorKind[] = ['mask', 'display_mask', 'redact', 'pseudonymise', 'suppress_column'];
/** Operators that release nothing of the value. */
const RELEASES_NOTHING: readonly DeidentifyOperatorKind[] = ['redact', 'suppress_column'];

export const datasetSpecSchema = z
  .object({
    columns: z.array(columnSpecSchema).min(1).max(500),
    privacyModel: privacyModelSchema,
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.columns.forEach((c, i) => {
      const path = ['columns', i];
      if (seen.has(c.field)) ctx.addIssue({ code: 'custom', path: [...path, 'field'], message: `field ${c.field} is listed twice` });
      seen.add(c.field);
      const op = c.operator;
      if (c.role === 'identifier' && !IDENTIFIER_OPERATORS.includes(op.kind)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'operator'],
          message: 'an identifier must be masked, redacted, pseudonymised or left out (to generalise it, declare it a quasi-identifier)',
        });
      }
      if (op.kind === 'generalise') {
        if (c.role !== 'quasi_identifier' && op.level === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'operator', 'level'],
            message: 'a generalised column that is not a quasi-identifier needs a level',
          });
        }
        if (op.minLevel !== undefined && op.maxLevel !== undefined && op.minLevel > op.maxLevel) {
          ctx.addIssue({ code: 'custom', path: [...path, 'operator', 'minLevel'], message: 'minLevel is above maxLevel' });
        }
      }
    });
    const l = spec.privacyModel.l;
    if (l !== undefined && l > 1 && !spec.columns.some((c) => c.role === 'sensitive' && !RELEASES_NOTHING.includes(c.operator.kind))) {
      ctx.addIssue({ code: 'custom', path: ['privacyModel', 'l'], message: 'l-diversity needs a released sensitive column' });
    }
  });
export type DatasetSpec = z.infer<typeof datasetSpecSchema>;
export type DatasetSpecInput = z.input<typeof datasetSpecSchema>;

/** The measurement of a generalisation against the privacy model (mirrors kanon-fns NodeAssessment). */
export const nodeAssessmentSchema = z.object({
  levels: z.array(z.number().int()),
  levelsByField: z.record(z.string(), z.number().int()),
  satisfied: z.boolean(),
  loss: z.number(),
  records: z.number().int(),
  classes: z.number().int(),
  suppressedRecords: z.number().int(),
  suppressedClasses: z.number().int(),
  maxSuppressedRecords: z.number().int(),
  releasedRecords: z.number().int(),
  k: z.number().int().nullable(),
  l: z.number().int().nullable(),
  risk: z.object({ highest: z.number(), average: z.number() }),
});

export const searchStatsSchema = z.object({
  algorithm: z.enum(['flash', 'exhaustive']),
  latticeSize: z.number().int(),
  checked: z.number().int(),
  rolledUp: z.number().int(),
  intermediates: z.number().int(),
  distinctTuples: z.number().int(),
  itemsRead: z.number().int(),
  ms: z.number(),
});

/** What the applicant is shown before a release: the spec as configured, and the search's proposal. */
export const releasePlanSchema = z.object({
  privacyModel: privacyModelSchema,
  quasiIdentifiers: z.array(
    z.object({
      field: z.string(),
      hierarchy: z.string(),
      levelNames: z.array(z.string()),
      minLevel: z.number().int(),
      maxLevel: z.number().int(),
    }),
  ),
  configured: nodeAssessmentSchema,
  /** The least-loss generalisation meeting the model; null when none does (release impossible). */
  proposal: nodeAssessmentSchema.nullable(),
  search: searchStatsSchema,
});
export type ReleasePlan = z.infer<typeof releasePlanSchema>;
