import { reasonMessages } from './reasons.js';
import type { PiLocalizedText, PiReasonCode } from './reasons.js';
import type { MaskOptions, PiDetails, PiType, PiTypeId, PiValidationResult } from './types.js';

/** The shared `{ valid: true }` result (frozen; no allocation per call). */
export const VALID: PiValidationResult = Object.freeze({ valid: true });

const invalidResults = new Map<PiReasonCode, PiValidationResult>();
for (const code of Object.keys(reasonMessages) as PiReasonCode[]) {
  invalidResults.set(code, Object.freeze({ valid: false, reason: code }));
}

/** The shared `{ valid: false, reason }` result for a reason code (frozen; no allocation per call). */
export function invalid(reason: PiReasonCode): PiValidationResult {
  return invalidResults.get(reason) ?? { valid: false, reason };
}

export interface PiTypeSpec {
  readonly id: PiTypeId;
  readonly label: PiLocalizedText;
  readonly defaultMask: MaskOptions;
  normalize(value: string): string;
  validateNormalized(normalized: string): PiValidationResult;
  maskNormalized(normalized: string, options?: MaskOptions): string;
  detectNormalized(normalized: string): number;
  details?(normalized: string): PiDetails | undefined;
  /** Optional override of `detect` for types whose score depends on the input format. */
  detect?(value: string): number;
}

const noDetails = (): undefined => undefined;

/**
 * How a type scores a value, for the registry's detection loop: either on its normalised form
 * (so types sharing a normaliser share one normalisation per value) or on the input itself.
 */
export type DetectionPlan =
  | { readonly kind: 'normalized'; readonly normalize: (value: string) => string; readonly detectNormalized: (n: string) => number }
  | { readonly kind: 'input'; readonly detect: (value: string) => number };

const plans = new WeakMap<PiType, DetectionPlan>();

/** The detection plan of a type built with {@link definePiType}. */
export function detectionPlan(type: PiType): DetectionPlan {
  return plans.get(type) ?? { kind: 'input', detect: type.detect };
}

/** Builds a {@link PiType} from its normalised-value primitives. */
export function definePiType(spec: PiTypeSpec): PiType {
  const { normalize, validateNormalized, maskNormalized, detectNormalized } = spec;
  const type: PiType = Object.freeze({
    id: spec.id,
    label: spec.label,
    defaultMask: Object.freeze({ ...spec.defaultMask }),
    normalize,
    validateNormalized,
    maskNormalized,
    detectNormalized,
    details: spec.details ?? noDetails,
    validate: (value: string) => validateNormalized(normalize(value)),
    mask: (value: string, options?: MaskOptions) => maskNormalized(normalize(value), options),
    detect: spec.detect ?? ((value: string) => detectNormalized(normalize(value))),
  });
  plans.set(type, spec.detect === undefined ? { kind: 'normalized', normalize, detectNormalized } : { kind: 'input', detect: spec.detect });
  return type;
}
