/**
 * The consent ledger's projection and the consent decision (P3.4), as pure functions: the
 * service applies them in the transaction that writes each ledger row, the cache answers from
 * them, and the property test replays a ledger through them.
 */

import type { FieldProblem } from '../../errors.js';
import type { SeparateConsent } from './consent-types.js';

export type SeparateType = 'sensitive' | 'sharing' | 'disclosure' | 'cross_border';

export interface LedgerEntry {
  id: string;
  kind: 'grant' | 'withdrawal';
  purposeCode: string;
  purposeVersion: number;
  scope: readonly string[];
  separateType: SeparateType | null;
  separateTarget: string | null;
  recordedAt: Date;
  expiresAt: Date | null;
}

export interface StateRow {
  purposeCode: string;
  /** A catalogue category, or `<type>:<target>` for separate consents to sharing, disclosure, cross-border. */
  category: string;
  status: 'granted' | 'withdrawn';
  separate: boolean;
  purposeVersion: number;
  consentId: string;
  givenAt: Date;
  withdrawnAt: Date | null;
  expiresAt: Date | null;
}

export const stateKey = (purposeCode: string, category: string) => `${purposeCode}\u0000${category}`;

/** The categories a ledger entry touches in the projection. */
export function entryCategories(e: Pick<LedgerEntry, 'scope' | 'separateType' | 'separateTarget'>): string[] {
  if (e.separateType && e.separateType !== 'sensitive') return [`${e.separateType}:${e.separateTarget ?? ''}`];
  return [...new Set(e.scope)];
}

/**
 * Apply one ledger entry to a customer's current state; returns the rows it changed. A general
 * grant keeps a separate consent that still stands; a separate (sensitive) grant sets it; a
 * withdrawal ends both for the categories it names.
 */
export function applyEntry(state: Map<string, StateRow>, e: LedgerEntry): StateRow[] {
  const changed: StateRow[] = [];
  for (const category of entryCategories(e)) {
    const key = stateKey(e.purposeCode, category);
    const prev = state.get(key);
    let next: StateRow;
    if (e.kind === 'withdrawal') {
      if (!prev || prev.status === 'withdrawn') continue;
      next = { ...prev, status: 'withdrawn', separate: false, consentId: e.id, withdrawnAt: e.recordedAt };
    } else {
      const isSeparate = e.separateType !== null;
      const keepSeparate = !isSeparate && prev?.status === 'granted' && prev.separate && prev.purposeVersion <= e.purposeVersion;
      next = {
        purposeCode: e.purposeCode,
        category,
        status: 'granted',
        separate: isSeparate || !!keepSeparate,
        purposeVersion: Math.max(e.purposeVersion, prev?.status === 'granted' ? prev.purposeVersion : 0),
        consentId: e.id,
        givenAt: e.recordedAt,
        withdrawnAt: null,
        expiresAt: e.expiresAt,
      };
    }
    state.set(key, next);
    changed.push(next);
  }
  return changed;
}

/** Replay a ledger (in order) into a fresh projection. */
export function replay(entries: readonly LedgerEntry[]): Map<string, StateRow> {
  const state = new Map<string, StateRow>();
  for (const e of entries) applyEntry(state, e);
  return state;
}

/** What the decision needs to know about the purpose's active version. */
export interface ActivePurposeView {
  code: string;
  version: number;
  legalBasis: string;
  consentBaseline: number;
  /** field -> sensitivity, for the fields of the active version. */
  fields: ReadonlyMap<string, 'general' | 'sensitive'>;
}

export type DenyReason =
  'purpose_not_active' | 'not_in_purpose' | 'no_consent' | 'withdrawn' | 'expired' | 'reconsent_required' | 'separate_consent_required';

export interface Decision {
  allow: boolean;
  reason: 'consent' | `legal_basis:${string}` | DenyReason;
}

const DENY = (reason: DenyReason): Decision => ({ allow: false, reason });
const ALLOW_CONSENT: Decision = Object.freeze({ allow: true, reason: 'consent' }) as Decision;

/**
 * May field F of this customer be processed for purpose P now? Deny by default: the purpose
 * must be active and name the field; a consent-based purpose needs a standing, unexpired consent
 * given to a version the current one still honours, and a separate one for a sensitive field.
 */
export function decide(purpose: ActivePurposeView | undefined, row: StateRow | undefined, field: string, now: number): Decision {
  if (!purpose) return DENY('purpose_not_active');
  const sensitivity = purpose.fields.get(field);
  if (!sensitivity) return DENY('not_in_purpose');
  if (purpose.legalBasis !== 'consent') return { allow: true, reason: `legal_basis:${purpose.legalBasis}` };
  if (!row) return DENY('no_consent');
  if (row.status === 'withdrawn') return DENY('withdrawn');
  if (row.expiresAt && row.expiresAt.getTime() <= now) return DENY('expired');
  if (row.purposeVersion < purpose.consentBaseline) return DENY('reconsent_required');
  if (sensitivity === 'sensitive' && !row.separate) return DENY('separate_consent_required');
  return ALLOW_CONSENT;
}

/** P3.2/P3.4: what a consent may name: fields of the purpose; separate consents for its sensitive fields. */
export function consentScopeProblems(
  purpose: Pick<ActivePurposeView, 'fields'>,
  scope: readonly string[],
  separate: readonly SeparateConsent[],
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const f of scope) if (!purpose.fields.has(f)) problems.push({ field: f, reason: 'not_in_purpose' });
  for (const s of separate) {
    if (s.type !== 'sensitive') continue;
    const sens = purpose.fields.get(s.category);
    if (!sens) problems.push({ field: s.category, reason: 'not_in_purpose' });
    else if (sens !== 'sensitive') problems.push({ field: s.category, reason: 'not_sensitive' });
  }
  return problems;
}
