/** The PI type registry, best-type detection, field validation and policy-driven masking. */
import type { FieldProblem } from '../errors.js';
import { addressType } from './address.js';
import { bankCardType } from './bank-card.js';
import { dateType } from './date.js';
import { emailType } from './email.js';
import { personNameType } from './name.js';
import { detectionPlan } from './define.js';
import { baseNormalize } from './normalize-fns.js';
import { landlineType, mobileType } from './phone.js';
import type { PiReasonCode } from './reasons.js';
import { residentIdType } from './resident-id.js';
import { textType } from './text.js';
import { hkMacauPermitType, hkMacauResidentPermitType, passportType, taiwanPermitType } from './travel-docs.js';
import type { PiDetails, PiMaskPolicy, PiType, PiTypeId } from './types.js';
import { usccType } from './uscc.js';

export const piTypes: Readonly<Record<PiTypeId, PiType>> = Object.freeze({
  cn_resident_id: residentIdType,
  cn_mobile: mobileType,
  cn_landline: landlineType,
  email: emailType,
  bank_card: bankCardType,
  cn_uscc: usccType,
  passport: passportType,
  hk_macau_permit: hkMacauPermitType,
  hk_macau_resident_permit: hkMacauResidentPermitType,
  taiwan_permit: taiwanPermitType,
  person_name: personNameType,
  address: addressType,
  date: dateType,
  text: textType,
});

/** All type ids, in detection tie-break order (earlier wins on equal scores). */
export const piTypeIds: readonly PiTypeId[] = Object.freeze([
  'cn_resident_id',
  'cn_uscc',
  'bank_card',
  'cn_mobile',
  'cn_landline',
  'email',
  'date',
  'passport',
  'hk_macau_permit',
  'hk_macau_resident_permit',
  'taiwan_permit',
  'address',
  'person_name',
  'text',
]);

const detectionOrder: readonly PiType[] = piTypeIds.map((id) => piTypes[id]);
const detectionPlans = detectionOrder.map(detectionPlan);
/** Distinct normalisers used by the detection plans; each runs at most once per detected value. */
const normalizers: ReadonlyArray<(value: string) => string> = [
  ...new Set(detectionPlans.flatMap((p) => (p.kind === 'normalized' ? [p.normalize] : []))),
];
const normalizerIndex = detectionPlans.map((p) => (p.kind === 'normalized' ? normalizers.indexOf(p.normalize) : -1));

export function isPiTypeId(id: string): id is PiTypeId {
  return Object.prototype.hasOwnProperty.call(piTypes, id);
}

export function getPiType(id: PiTypeId): PiType;
export function getPiType(id: string): PiType | undefined;
export function getPiType(id: string): PiType | undefined {
  return isPiTypeId(id) ? piTypes[id] : undefined;
}

/** Minimum detection score for a type to be reported by {@link detectPiType}. */
export const PI_DETECT_THRESHOLD = 0.5;
/** Longer inputs are free text, not a single PI value: detection does not try the types. */
const MAX_DETECT_LENGTH = 500;

export interface PiDetection {
  /** Best-matching type, or null when no type scores at least the threshold. */
  readonly type: PiTypeId | null;
  readonly valid: boolean;
  /** Reason code when not valid ('unrecognized' / 'empty' when type is null). */
  readonly reason?: PiReasonCode;
  /** Detection score of the best type (0..1). */
  readonly score: number;
  /** Normalised value (plain PI: handle with care). Absent when type is null. */
  readonly normalized?: string;
  /** Display mask of the normalised value. Absent when type is null. */
  readonly masked?: string;
  readonly details?: PiDetails;
}

export interface PiDetectOptions {
  /** Mask options per type (defaults otherwise). */
  readonly policy?: PiMaskPolicy;
  /** Minimum score (default {@link PI_DETECT_THRESHOLD}). */
  readonly threshold?: number;
}

/** Finds the most likely PI type of a value and validates, normalises and masks it as that type. */
export function detectPiType(value: string, options?: PiDetectOptions): PiDetection {
  const threshold = options?.threshold ?? PI_DETECT_THRESHOLD;
  const trimmed = baseNormalize(value);
  if (trimmed.length === 0) return { type: null, valid: false, reason: 'empty', score: 0 };
  let best: PiType | undefined;
  let bestScore = 0;
  if (trimmed.length <= MAX_DETECT_LENGTH) {
    const normalized: Array<string | undefined> = new Array<string | undefined>(normalizers.length);
    for (let i = 0; i < detectionOrder.length; i++) {
      const plan = detectionPlans[i];
      if (plan === undefined) continue;
      let s: number;
      if (plan.kind === 'input') {
        s = plan.detect(trimmed);
      } else {
        const k = normalizerIndex[i] ?? -1;
        let n = normalized[k];
        if (n === undefined) normalized[k] = n = plan.normalize(trimmed);
        s = plan.detectNormalized(n);
      }
      if (s > bestScore) {
        bestScore = s;
        best = detectionOrder[i];
      }
    }
  }
  if (best === undefined || bestScore < threshold) {
    return { type: null, valid: false, reason: 'unrecognized', score: bestScore };
  }
  const normalized = best.normalize(trimmed);
  const result = best.validateNormalized(normalized);
  const masked = best.maskNormalized(normalized, options?.policy?.[best.id]);
  if (!result.valid) {
    return { type: best.id, valid: false, reason: result.reason, score: bestScore, normalized, masked };
  }
  const details = best.details(normalized);
  return details === undefined
    ? { type: best.id, valid: true, score: bestScore, normalized, masked }
    : { type: best.id, valid: true, score: bestScore, normalized, masked, details };
}

export interface PiFieldValue {
  readonly field: string;
  readonly piType: PiTypeId;
  readonly value: string;
}

/**
 * Validates values at entry (collection, import: policy clause P2.4). Returns one problem per
 * invalid field, `{ field, reason }`, never the value. Empty values are reported as 'empty':
 * callers skip optional fields that were not provided.
 */
export function validateFields(fields: Iterable<PiFieldValue>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const { field, piType, value } of fields) {
    const type = getPiType(piType);
    if (type === undefined) {
      problems.push({ field, reason: 'unknown_pi_type' });
      continue;
    }
    const r = type.validate(value);
    if (!r.valid) problems.push({ field, reason: r.reason });
  }
  return problems;
}

/** Masks a value as the given type with the deployment's policy for that type (defaults otherwise). */
export function maskValue(id: PiTypeId, value: string, policy?: PiMaskPolicy): string {
  return piTypes[id].mask(value, policy?.[id]);
}
