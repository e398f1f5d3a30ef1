/**
 * De-identification operators per PI type and risk-checked releases (P5.3), as pure functions.
 *
 * Flow for an export (the pipeline that calls this lives elsewhere):
 * 1. `parseDatasetSpec(input)`: the fields, their roles and operators, the privacy model.
 * 2. `planRelease(records, spec)`: measures the spec as configured and searches for the
 *    generalisation with the least information loss that meets the model (`proposal`).
 * 3. The applicant accepts the proposal (or a higher generalisation).
 * 4. `releaseRecords(records, spec, { levels, key, context })`: measures again, refuses when the
 *    model is not met, else applies every operator and leaves out the suppressed records.
 */
import { createHmac } from 'node:crypto';
import { maskMiddle } from '../../pi-types/normalize-fns.js';
import { piTypes } from '../../pi-types/registry.js';
import type { PiMaskPolicy, PiType } from '../../pi-types/types.js';
import { parseInput } from '../../validation.js';
import {
  datasetSpecSchema,
  type ColumnSpec,
  type DatasetSpec,
  type DatasetSpecInput,
  type DeidentifyOperator,
  type ReleasePlan,
} from './deidentify-types.js';
import { builtinHierarchies, flatHierarchy, type Hierarchy } from './hierarchies.js';
import {
  assessNode,
  encodeDataset,
  searchOptimal,
  suppressedRecords,
  type DataRecord,
  type EncodedDataset,
  type NodeAssessment,
  type QuasiIdentifierInput,
  type SearchOptions,
} from './kanon-fns.js';

/** Validates a dataset spec (throws InvalidError with the problems). */
export function parseDatasetSpec(input: DatasetSpecInput): DatasetSpec {
  return parseInput(datasetSpecSchema, input);
}

/** Smallest pseudonym key, in bytes. */
export const MIN_PSEUDONYM_KEY_BYTES = 16;
const PSEUDONYM_DOMAIN = 'custos/pseudonym/v1\u0000';

/**
 * A pseudonymisation function for one context: token = the first `length` hex characters
 * (default 16, i.e. 64 bits) of HMAC-SHA256(K_ctx, value), where K_ctx = HMAC-SHA256(key,
 * 'custos/pseudonym/v1' ‖ 0x00 ‖ context). The same (key, context, value) always gives the same
 * token; another context gives unrelated tokens, so two recipients cannot join their releases.
 * Choose the context for the linkability wanted: `recipient:<id>` (stable across that
 * recipient's exports) or `recipient:<id>/export:<id>` (one export only).
 */
export function pseudonymiser(key: Uint8Array, context: string, length = 16): (value: string) => string {
  if (key.length < MIN_PSEUDONYM_KEY_BYTES) throw new Error(`the pseudonym key must have at least ${MIN_PSEUDONYM_KEY_BYTES} bytes`);
  if (context.length === 0) throw new Error('the pseudonym context (recipient / export) must not be empty');
  if (!Number.isInteger(length) || length < 8 || length > 64) throw new Error('the pseudonym length must be 8..64 hex characters');
  const contextKey = createHmac('sha256', key)
    .update(PSEUDONYM_DOMAIN + context, 'utf8')
    .digest();
  return (value: string) => createHmac('sha256', contextKey).update(value, 'utf8').digest('hex').slice(0, length);
}

/** One pseudonym: `pseudonymiser(key, context, length)(value)`. */
export function pseudonym(key: Uint8Array, context: string, value: string, length = 16): string {
  return pseudonymiser(key, context, length)(value);
}

/** Keeps the first `keepFirst` and last `keepLast` characters (code points), `*` for the rest; all `*` when they would cover the value. */
export function maskKeep(value: string, keepFirst: number, keepLast: number): string {
  return maskMiddle(value, Math.max(0, Math.trunc(keepFirst)), Math.max(0, Math.trunc(keepLast)));
}

/** What an operator needs besides the value. */
export interface OperatorContext {
  /** PI type of the values (normalisation, display mask); default free text. */
  readonly piType?: PiType;
  /** Display-mask options per type (the deployment's vault policy). */
  readonly maskPolicy?: PiMaskPolicy;
  /** Pseudonymisation for the release's context (from {@link pseudonymiser}); required by `pseudonymise`. */
  readonly pseudonymise?: (normalized: string) => string;
  /** Hierarchy and level for `generalise`. */
  readonly hierarchy?: Hierarchy;
  readonly level?: number;
}

/**
 * Applies one operator to one value. Missing values ('' / null / undefined) stay null, except
 * under `generalise`, where they are a value of their own (`*` above level 0). `suppress_column`
 * returns undefined: the field is not released.
 */
export function applyOperator(
  operator: DeidentifyOperator,
  value: string | null | undefined,
  ctx: OperatorContext = {},
): string | null | undefined {
  const type = ctx.piType ?? piTypes.text;
  const raw = value ?? '';
  switch (operator.kind) {
    case 'suppress_column':
      return undefined;
    case 'redact':
      return null;
    case 'generalise': {
      if (ctx.hierarchy === undefined) throw new Error(`generalise needs the hierarchy ${operator.hierarchy}`);
      const label = ctx.hierarchy.generalise(raw, ctx.level ?? operator.level ?? 0);
      return label === '' ? null : label;
    }
    default:
      break;
  }
  if (raw === '') return null;
  switch (operator.kind) {
    case 'keep':
      return raw;
    case 'mask':
      return maskKeep(type.normalize(raw), operator.keepFirst, operator.keepLast);
    case 'display_mask':
      return type.mask(raw, ctx.maskPolicy?.[type.id]);
    case 'pseudonymise': {
      if (ctx.pseudonymise === undefined) throw new Error('pseudonymise needs a key and a context (pseudonymiser)');
      return ctx.pseudonymise(type.normalize(raw));
    }
  }
}

export interface SpecOptions {
  /** Hierarchies the spec may name besides the built-in ones (they take precedence). */
  readonly hierarchies?: Readonly<Record<string, Hierarchy>>;
  /** Display-mask options per PI type. */
  readonly maskPolicy?: PiMaskPolicy;
}

/** The hierarchy a spec names: the caller's, else a built-in one. */
export function resolveHierarchy(name: string, hierarchies?: Readonly<Record<string, Hierarchy>>): Hierarchy {
  const h = hierarchies?.[name] ?? builtinHierarchies[name];
  if (h === undefined) throw new Error(`unknown hierarchy ${name}`);
  return h;
}

function typeOf(column: ColumnSpec): PiType {
  return column.piType === undefined ? piTypes.text : piTypes[column.piType];
}

/**
 * The value a column contributes to the risk measurement: the released value, except that a
 * pseudonym is measured as the normalised value (the token is one-to-one with it).
 */
function measuredValue(column: ColumnSpec, value: string, options: SpecOptions): string {
  const op = column.operator;
  if (op.kind === 'pseudonymise') return value === '' ? '' : typeOf(column).normalize(value);
  const hierarchy = op.kind === 'generalise' ? resolveHierarchy(op.hierarchy, options.hierarchies) : undefined;
  return applyOperator(op, value, { piType: typeOf(column), maskPolicy: options.maskPolicy, hierarchy }) ?? '';
}

/** The quasi-identifiers of a spec as the search sees them (non-generalised ones as one-level hierarchies of their released value). */
export function quasiIdentifiersOf(spec: DatasetSpec, options: SpecOptions = {}): QuasiIdentifierInput[] {
  return spec.columns
    .filter((c) => c.role === 'quasi_identifier')
    .map((c) => {
      const op = c.operator;
      const weight = c.weight ?? 1;
      if (op.kind === 'generalise') {
        const hierarchy = resolveHierarchy(op.hierarchy, options.hierarchies);
        return { field: c.field, hierarchy, minLevel: op.minLevel ?? 0, maxLevel: op.maxLevel ?? hierarchy.levels - 1, weight };
      }
      return { field: c.field, hierarchy: flatHierarchy(`${op.kind}:${c.field}`, (v) => measuredValue(c, v, options)), weight };
    });
}

function str(v: DataRecord[string]): string {
  return v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v);
}

/** Encodes records for a spec: its quasi-identifiers and its released sensitive columns. */
export function encodeForSpec(records: readonly DataRecord[], spec: DatasetSpec, options: SpecOptions = {}): EncodedDataset {
  const sensitiveColumns = spec.columns.filter(
    (c) => c.role === 'sensitive' && c.operator.kind !== 'redact' && c.operator.kind !== 'suppress_column',
  );
  const transformed = sensitiveColumns.filter((c) => c.operator.kind !== 'keep');
  const rows: readonly DataRecord[] =
    transformed.length === 0
      ? records
      : records.map((r) => {
          const out: Record<string, string | number | null | undefined> = { ...r };
          for (const c of transformed) out[c.field] = measuredValue(c, str(r[c.field]), options);
          return out;
        });
  return encodeDataset(rows, quasiIdentifiersOf(spec, options), { sensitive: sensitiveColumns.map((c) => c.field) });
}

/** The levels the spec configures (generalise `level`, else its minLevel, else 0), in QI order. */
export function configuredLevels(spec: DatasetSpec): number[] {
  return spec.columns
    .filter((c) => c.role === 'quasi_identifier')
    .map((c) => (c.operator.kind === 'generalise' ? (c.operator.level ?? c.operator.minLevel ?? 0) : 0));
}

/**
 * Before a release: measures the spec as configured and searches the generalisation lattice
 * for the least-loss node that meets the privacy model within the suppression limit.
 */
export function planRelease(
  records: readonly DataRecord[],
  spec: DatasetSpec,
  options: SpecOptions & { search?: SearchOptions } = {},
): ReleasePlan {
  return planEncodedRelease(encodeForSpec(records, spec, options), spec, options.search);
}

/** {@link planRelease} over a dataset already encoded for the spec (callers that measure it again). */
export function planEncodedRelease(data: EncodedDataset, spec: DatasetSpec, search?: SearchOptions): ReleasePlan {
  const configured = assessNode(data, configuredLevels(spec), spec.privacyModel);
  const found = searchOptimal(data, spec.privacyModel, search);
  return {
    privacyModel: spec.privacyModel,
    quasiIdentifiers: data.qis.map((q) => ({
      field: q.field,
      hierarchy: q.hierarchy,
      levelNames: [...q.levelNames],
      minLevel: q.minLevel,
      maxLevel: q.maxLevel,
    })),
    configured,
    proposal: found.optimum,
    search: found.stats,
  };
}

export interface ReleaseOptions extends SpecOptions {
  /** Level per quasi-identifier field (an accepted proposal's `levelsByField`); default the configured levels. */
  readonly levels?: Readonly<Record<string, number>>;
  /** Pseudonym key (from the key provider); required when a column is pseudonymised. */
  readonly key?: Uint8Array;
  /** Pseudonym context: the recipient, optionally with the export id (see {@link pseudonymiser}). */
  readonly context?: string;
}

/** A released record: the spec's fields (minus suppressed columns), de-identified. */
export type ReleasedRecord = Record<string, string | null>;

export type ReleaseResult =
  | {
      readonly released: true;
      readonly records: ReleasedRecord[];
      /** Input positions of the released records. */
      readonly sourceIndexes: number[];
      readonly fields: string[];
      readonly assessment: NodeAssessment;
    }
  | { readonly released: false; readonly reason: 'privacy_model_not_met'; readonly assessment: NodeAssessment };

/** One released column: the field, its operator and what the operator needs (levels chosen). */
export interface ReleaseColumn {
  readonly field: string;
  readonly op: DeidentifyOperator;
  readonly ctx: OperatorContext;
}

/**
 * The released columns of a spec (suppressed columns left out), each with its operator context:
 * the pseudonymiser for the release's key and context, and the level of each generalised field
 * (`levelOf` for quasi-identifiers, else the operator's level).
 */
export function releaseColumns(
  spec: DatasetSpec,
  options: Omit<ReleaseOptions, 'levels'>,
  levelOf: ReadonlyMap<string, number>,
): ReleaseColumn[] {
  const needsKey = spec.columns.some((c) => c.operator.kind === 'pseudonymise');
  const pseudo = needsKey ? pseudonymiser(options.key ?? new Uint8Array(0), options.context ?? '') : undefined;
  return spec.columns
    .filter((c) => c.operator.kind !== 'suppress_column')
    .map((c) => {
      const op = c.operator;
      return {
        field: c.field,
        op,
        ctx: {
          piType: typeOf(c),
          maskPolicy: options.maskPolicy,
          pseudonymise: pseudo,
          hierarchy: op.kind === 'generalise' ? resolveHierarchy(op.hierarchy, options.hierarchies) : undefined,
          level: op.kind === 'generalise' ? (levelOf.get(c.field) ?? op.level ?? 0) : undefined,
        } satisfies OperatorContext,
      };
    });
}

/**
 * Applies a spec: measures the chosen generalisation, refuses the release when the model is not
 * met (more records would need suppression than the limit allows), else returns the records
 * that are not suppressed with every operator applied. Only the spec's fields are released.
 */
export function releaseRecords(records: readonly DataRecord[], spec: DatasetSpec, options: ReleaseOptions = {}): ReleaseResult {
  const data = encodeForSpec(records, spec, options);
  const levels = data.qis.map((q, i) => options.levels?.[q.field] ?? configuredLevels(spec)[i] ?? 0);
  const { suppressed, assessment } = suppressedRecords(data, levels, spec.privacyModel);
  if (!assessment.satisfied) return { released: false, reason: 'privacy_model_not_met', assessment };
  const columns = releaseColumns(spec, options, new Map(data.qis.map((q, i) => [q.field, levels[i] ?? 0])));
  const out: ReleasedRecord[] = [];
  const sourceIndexes: number[] = [];
  records.forEach((r, i) => {
    if (suppressed[i] === 1) return;
    const row: ReleasedRecord = {};
    for (const c of columns) row[c.field] = applyOperator(c.op, str(r[c.field]), c.ctx) ?? null;
    out.push(row);
    sourceIndexes.push(i);
  });
  return { released: true, records: out, sourceIndexes, fields: columns.map((c) => c.field), assessment };
}
