/** Bank card numbers: 12-19 digits, Luhn check; UnionPay cards start with 62. */
import { definePiType, invalid, VALID } from './define.js';
import { compactNormalize, isDigits, keepCount, maskMiddle } from './normalize-fns.js';
import type { MaskOptions, PiDetails, PiType, PiValidationResult } from './types.js';

/** True when the digit string passes the Luhn (mod 10) check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function validateCard(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  if (!isDigits(n)) return invalid('invalid_format');
  if (n.length < 12 || n.length > 19) return invalid('invalid_length');
  if (n.charCodeAt(0) === 48) return invalid('invalid_prefix');
  if (!luhnValid(n)) return invalid('check_digit_mismatch');
  return VALID;
}

export type CardBrand = 'unionpay' | 'visa' | 'mastercard' | 'amex' | 'jcb';

const brandDetails: Readonly<Record<CardBrand, PiDetails>> = {
  unionpay: Object.freeze({ brand: 'unionpay' }),
  visa: Object.freeze({ brand: 'visa' }),
  mastercard: Object.freeze({ brand: 'mastercard' }),
  amex: Object.freeze({ brand: 'amex' }),
  jcb: Object.freeze({ brand: 'jcb' }),
};

/** Card brand from the number prefix (normalised digits), or undefined when not recognised. */
export function cardBrand(n: string): CardBrand | undefined {
  if (n.length < 4 || !isDigits(n, 0, 4)) return undefined;
  const two = (n.charCodeAt(0) - 48) * 10 + (n.charCodeAt(1) - 48);
  if (two === 62) return 'unionpay';
  if (two >= 40 && two <= 49) return 'visa';
  if (two === 34 || two === 37) return 'amex';
  const four = two * 100 + (n.charCodeAt(2) - 48) * 10 + (n.charCodeAt(3) - 48);
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'mastercard';
  if (four >= 3528 && four <= 3589) return 'jcb';
  return undefined;
}

function detectCard(n: string): number {
  const r = validateCard(n);
  const common = n.length === 16 || n.length === 19;
  if (r.valid) return (common ? 0.88 : 0.8) + (n.startsWith('62') ? 0.04 : 0);
  if (r.reason === 'check_digit_mismatch') return common ? 0.55 : 0.4;
  return 0;
}

export const bankCardType: PiType = definePiType({
  id: 'bank_card',
  label: { 'zh-CN': '银行卡号', en: 'Bank card number' },
  defaultMask: { keepFirst: 6, keepLast: 4 },
  normalize: compactNormalize,
  validateNormalized: validateCard,
  detectNormalized: detectCard,
  maskNormalized: (n: string, o?: MaskOptions) => maskMiddle(n, keepCount(o?.keepFirst, 6), keepCount(o?.keepLast, 4)),
  details: (n: string) => {
    if (!validateCard(n).valid) return undefined;
    const brand = cardBrand(n);
    return brand === undefined ? undefined : brandDetails[brand];
  },
});
