import type { FieldProblem } from '../../errors.js';
import type { L10n } from './purposes-types.js';

export interface PurposeMeaning {
  name: L10n;
  description: L10n;
  legalBasis: string;
  scenarios: L10n[];
}

/**
 * Which version's consents still count for a new version. Widening the field set needs no
 * baseline change: consent scopes name fields, so new fields are simply not covered. Changing
 * what the purpose is (description, scenarios, legal basis) means earlier consents were given to
 * something else, so only consents to this version count (P3.1, P3.4).
 */
export function consentBaselineFor(
  prev: (PurposeMeaning & { version: number; consentBaseline: number }) | null,
  next: PurposeMeaning & { version: number },
): number {
  if (!prev) return next.version;
  const same =
    prev.legalBasis === next.legalBasis &&
    sameL10n(prev.description, next.description) &&
    prev.scenarios.length === next.scenarios.length &&
    prev.scenarios.every((s, i) => sameL10n(s, next.scenarios[i]!));
  return same ? prev.consentBaseline : next.version;
}

function sameL10n(a: L10n, b: L10n): boolean {
  return a['zh-CN'].trim() === b['zh-CN'].trim() && a.en.trim() === b.en.trim();
}

/** P3.2: every field is a known category; every sensitive one carries a necessity statement. */
export function purposeFieldProblems(
  fields: readonly string[],
  necessity: Record<string, unknown>,
  sensitivityOf: (code: string) => 'general' | 'sensitive' | undefined,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f)) problems.push({ field: `fields.${f}`, reason: 'duplicate' });
    seen.add(f);
    const s = sensitivityOf(f);
    if (!s) problems.push({ field: `fields.${f}`, reason: 'unknown_category' });
    else if (s === 'sensitive' && !necessity[f]) problems.push({ field: `necessity.${f}`, reason: 'necessity_required' });
  }
  for (const k of Object.keys(necessity)) if (!seen.has(k)) problems.push({ field: `necessity.${k}`, reason: 'not_in_fields' });
  return problems;
}
