import type { FieldProblem } from '../../errors.js';
import type { ActivePurposeView } from '../consent/consent-fns.js';
import { consentScopeProblems } from '../consent/consent-fns.js';
import type { SeparateConsent } from '../consent/consent-types.js';

interface ConsentGiven {
  method: string;
  scope: readonly string[];
  separate: readonly SeparateConsent[];
}

/**
 * P3.2, P3.4: the policy checks of one submission, all at once: fields outside the purpose, and
 * (for a consent-based purpose) fields without consent, sensitive fields without a separate one.
 */
export function collectionProblems(
  purpose: Pick<ActivePurposeView, 'fields' | 'legalBasis'>,
  fields: readonly string[],
  consent: ConsentGiven | undefined,
): { problems: FieldProblem[]; clauses: string[] } {
  const problems: FieldProblem[] = [];
  const clauses = new Set<string>();
  for (const f of fields)
    if (!purpose.fields.has(f)) {
      problems.push({ field: f, reason: 'not_in_purpose' });
      clauses.add('P3.2');
    }
  if (consent) {
    for (const p of consentScopeProblems(purpose, consent.scope, consent.separate)) {
      problems.push({ field: `consent.${p.field}`, reason: p.reason });
      clauses.add('P3.4');
    }
  }
  if (purpose.legalBasis === 'consent') {
    if (!consent || (!consent.scope.length && !consent.separate.length)) {
      problems.push({ field: 'consent', reason: 'consent_required' });
      clauses.add('P3.4');
    } else {
      const separate = new Set(consent.separate.filter((s) => s.type === 'sensitive').map((s) => (s as { category: string }).category));
      for (const f of fields) {
        const sens = purpose.fields.get(f);
        if (!sens) continue;
        if (sens === 'sensitive' && !separate.has(f)) problems.push({ field: f, reason: 'separate_consent_required' });
        else if (sens === 'general' && !consent.scope.includes(f)) problems.push({ field: f, reason: 'no_consent' });
        else continue;
        clauses.add('P3.4');
      }
    }
  }
  return { problems, clauses: [...clauses].sort() };
}
