import { InvalidError, type FieldProblem } from '../../errors.js';
import { detectPiType, getPiType, toHalfWidth, type PiMaskPolicy, type PiTypeId } from '../../pi-types/index.js';
import { LOOKUP_PI_TYPES } from './customers-types.js';

export interface CatalogueEntry {
  code: string;
  piType: string;
  sensitivity: 'general' | 'sensitive';
}

export interface PreparedField {
  field: string;
  piType: PiTypeId;
  sensitivity: 'general' | 'sensitive';
  /** The normalised plain value: encrypted right away, never logged. */
  normalized: string;
  /** Whether this PI type gets a blind index for exact lookup. */
  indexed: boolean;
}

/**
 * P2.4: every submitted value is checked against its catalogue category's PI type and
 * normalised before it is stored. Problems name the field and the reason, never the value.
 */
export function prepareFields(values: Record<string, string>, catalogue: Map<string, CatalogueEntry>): PreparedField[] {
  const problems: FieldProblem[] = [];
  const out: PreparedField[] = [];
  for (const [field, raw] of Object.entries(values)) {
    const entry = catalogue.get(field);
    if (!entry) {
      problems.push({ field, reason: 'unknown_category' });
      continue;
    }
    const type = getPiType(entry.piType);
    if (!type) {
      problems.push({ field, reason: 'unknown_pi_type' });
      continue;
    }
    const result = type.validate(raw);
    if (!result.valid) {
      problems.push({ field, reason: result.reason });
      continue;
    }
    out.push({
      field,
      piType: type.id,
      sensitivity: entry.sensitivity,
      normalized: type.normalize(raw),
      indexed: (LOOKUP_PI_TYPES as readonly string[]).includes(type.id),
    });
  }
  if (problems.length) throw new InvalidError('some values are not valid', problems, ['P2.4']);
  return out;
}

export function maskFor(piType: string, normalized: string, policy: PiMaskPolicy): string {
  const type = getPiType(piType);
  return type ? type.mask(normalized, policy[type.id]) : '****';
}

const STRONG_TYPES = new Set<string>([
  'cn_resident_id',
  'cn_mobile',
  'email',
  'bank_card',
  'passport',
  'hk_macau_permit',
  'hk_macau_resident_permit',
  'cn_landline',
]);

/**
 * Candidate identifiers inside free text: emails, and runs of digits (with spaces, dashes or a
 * +86 prefix inside, as people write phone numbers) that may end in X. Chinese text sets
 * numbers off with no separator at all ("回拨13812345678"), so candidates are found by pattern,
 * not by splitting on spaces.
 */
const CANDIDATES = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|[A-Za-z]{0,2}\+?\d[\d -]{5,}\d[Xx]?/g;

/**
 * Free text that staff write into records (justifications, reasons) must not carry customer PI:
 * refuse text containing a valid identifier, phone number, email or card number.
 */
export function assertNoPlainPi(field: string, text: string): void {
  const half = toHalfWidth(text);
  for (const m of half.matchAll(CANDIDATES)) {
    const candidate = m[0];
    // A candidate may carry a neighbouring letter or two (passport and permit prefixes).
    for (const c of candidate.match(/^[A-Za-z]/) ? [candidate, candidate.replace(/^[A-Za-z]+/, '')] : [candidate]) {
      const d = detectPiType(c);
      if (d.type && d.valid && STRONG_TYPES.has(d.type)) {
        throw new InvalidError(`${field} must not contain personal information`, [{ field, reason: 'contains_pi' }], ['P2.3']);
      }
    }
  }
}
