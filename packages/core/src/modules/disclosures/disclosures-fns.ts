/** Public disclosure rules (P6.2) as pure functions. */
import { createHash } from 'node:crypto';
import type { FieldProblem } from '../../errors.js';
import type { DeidentifyOperator } from '../deidentify/deidentify-types.js';
import { builtinHierarchies } from '../deidentify/hierarchies.js';
import { canonicalJson } from '../notices/notices-fns.js';

/** Who approves a public disclosure, in order: management, then the compliance officer. */
export const DISCLOSURE_CHAIN = ['management_approver', 'compliance_officer'] as const;

/** Operators a disclosure may use: each hides the value; `keep`, pseudonyms and dropped columns are not masking. */
export const DISCLOSURE_OPERATORS: readonly DeidentifyOperator['kind'][] = ['display_mask', 'mask', 'redact', 'generalise'];

export const DEFAULT_DISCLOSURE_OPERATOR: DeidentifyOperator = { kind: 'display_mask' };

/**
 * Every field gets an operator (the display mask by default); refuse `keep` (mandatory masking),
 * a `mask` that keeps every character, dropped columns (leave the field out instead),
 * pseudonyms, operators for fields not requested, and generalisation without a known hierarchy and level.
 */
export function operatorProblems(
  fields: readonly string[],
  operators: Readonly<Record<string, DeidentifyOperator>>,
): { operators: Record<string, DeidentifyOperator>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const out: Record<string, DeidentifyOperator> = {};
  for (const f of Object.keys(operators)) if (!fields.includes(f)) problems.push({ field: `operators.${f}`, reason: 'not_requested' });
  for (const f of fields) {
    const op = operators[f] ?? DEFAULT_DISCLOSURE_OPERATOR;
    if (op.kind === 'keep') problems.push({ field: `operators.${f}`, reason: 'masking_required' });
    else if (op.kind === 'suppress_column') problems.push({ field: `operators.${f}`, reason: 'leave_the_field_out' });
    else if (!DISCLOSURE_OPERATORS.includes(op.kind)) problems.push({ field: `operators.${f}`, reason: 'operator_not_allowed' });
    else if (op.kind === 'mask' && op.keepFirst + op.keepLast >= 64) problems.push({ field: `operators.${f}`, reason: 'masking_required' });
    else if (op.kind === 'generalise' && (op.level === undefined || !builtinHierarchies[op.hierarchy]))
      problems.push({ field: `operators.${f}`, reason: op.level === undefined ? 'level_required' : 'unknown_hierarchy' });
    out[f] = op;
  }
  return { operators: out, problems };
}

/** The recorded content's hash: SHA-256 over its canonical JSON. */
export function contentHash(content: { fields: readonly string[]; rows: ReadonlyArray<Record<string, string | null>> }): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Rows in a stable order that says nothing about customer ids or collection order. */
export function sortRows(rows: Array<Record<string, string | null>>): Array<Record<string, string | null>> {
  return rows
    .map((r) => ({ r, k: canonicalJson(r) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.r);
}
