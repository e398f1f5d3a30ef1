import type { PiLocalizedText, PiReasonCode } from './reasons.js';

export type PiTypeId =
  | 'cn_resident_id'
  | 'cn_mobile'
  | 'cn_landline'
  | 'email'
  | 'bank_card'
  | 'cn_uscc'
  | 'passport'
  | 'hk_macau_permit'
  | 'hk_macau_resident_permit'
  | 'taiwan_permit'
  | 'person_name'
  | 'address'
  | 'date'
  | 'text';

export type PiValidationResult = { readonly valid: true } | { readonly valid: false; readonly reason: PiReasonCode };

/**
 * Display-mask options. Semantics per type (defaults in brackets):
 * - cn_resident_id [1,1], cn_mobile [3,4], bank_card [6,4], cn_uscc [2,2], passport and permits [2,2],
 *   text [1,0]: keep the first `keepFirst` and last `keepLast` characters, `*` for the rest (same length).
 * - cn_landline: area code always kept; `keepLast` digits of the subscriber number [2].
 * - email: `keepFirst` characters of the local part [1], then `***@domain`.
 * - person_name: Chinese names keep `keepFirst` characters [the surname]; Latin names ignore options.
 * - address: `keepFirst` characters then `****` [province + city].
 * - date: `keepFirst` characters [4, the year]; the other digits become `*`.
 * When the kept parts would cover the whole value, the value is masked completely.
 */
export interface MaskOptions {
  readonly keepFirst?: number;
  readonly keepLast?: number;
}

/** Per-deployment masking policy, e.g. `{ cn_resident_id: { keepFirst: 6, keepLast: 4 } }`. */
export type PiMaskPolicy = Readonly<Partial<Record<PiTypeId, MaskOptions>>>;

/** Type-specific facts about a valid value (e.g. bank card brand). Never contains the value itself. */
export type PiDetails = Readonly<Record<string, string>>;

export interface PiType {
  readonly id: PiTypeId;
  readonly label: PiLocalizedText;
  /** Default mask options (see {@link MaskOptions} for the per-type meaning). */
  readonly defaultMask: MaskOptions;
  /** Canonical form; idempotent. */
  normalize(value: string): string;
  /** Normalises, then validates. */
  validate(value: string): PiValidationResult;
  /** Validates a value that is already the output of `normalize` (skips normalisation). */
  validateNormalized(normalized: string): PiValidationResult;
  /** Normalises, then masks for display. */
  mask(value: string, options?: MaskOptions): string;
  /** Masks a value that is already the output of `normalize`. */
  maskNormalized(normalized: string, options?: MaskOptions): string;
  /** Confidence 0..1 that the value is of this type (structure + validity). */
  detect(value: string): number;
  /** `detect` for a value that is already the output of `normalize`. */
  detectNormalized(normalized: string): number;
  /** Type-specific details for a valid normalised value, if the type has any. */
  details(normalized: string): PiDetails | undefined;
}
