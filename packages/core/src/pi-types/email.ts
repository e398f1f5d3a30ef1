/** E-mail addresses (dot-atom local part, DNS domain; internationalised domains allowed). */
import { definePiType, invalid, VALID } from './define.js';
import { baseNormalize, keepCount, maskMiddle } from './normalize-fns.js';
import type { MaskOptions, PiType, PiValidationResult } from './types.js';

const MAX_EMAIL = 254;
const MAX_LOCAL = 64;
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/iu;
const WHITESPACE = /\s/;

/** Lower-cases the domain (after the last `@`); the local part is kept as is. */
function normalizeEmail(value: string): string {
  const s = baseNormalize(value);
  const at = s.lastIndexOf('@');
  if (at < 0) return s;
  const domain = s.slice(at + 1);
  const lower = domain.toLowerCase();
  return lower === domain ? s : s.slice(0, at + 1) + lower;
}

function validateEmail(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  if (n.length > MAX_EMAIL) return invalid('too_long');
  const at = n.indexOf('@');
  if (at < 0 || n.indexOf('@', at + 1) >= 0) return invalid('missing_at');
  if (at === 0 || at > MAX_LOCAL || !LOCAL_PART.test(n.slice(0, at))) return invalid('invalid_local_part');
  if (!DOMAIN.test(n.slice(at + 1))) return invalid('invalid_domain');
  return VALID;
}

function detectEmail(n: string): number {
  if (validateEmail(n).valid) return 0.95;
  const at = n.indexOf('@');
  // One '@' and no whitespace: looks like an e-mail address with a bad local part or domain.
  return at >= 0 && n.indexOf('@', at + 1) < 0 && n.length <= MAX_EMAIL && !WHITESPACE.test(n) ? 0.6 : 0;
}

/** `z***@example.com`: the first `keepFirst` characters of the local part, a fixed `***`, the domain. */
function maskEmail(n: string, o?: MaskOptions): string {
  const at = n.lastIndexOf('@');
  if (at < 0) return maskMiddle(n, 1, 0);
  const local = Array.from(n.slice(0, at));
  // Never reveal the whole local part.
  const keep = Math.min(keepCount(o?.keepFirst, 1), Math.max(local.length - 1, 0));
  return `${local.slice(0, keep).join('')}***${n.slice(at)}`;
}

export const emailType: PiType = definePiType({
  id: 'email',
  label: { 'zh-CN': '电子邮箱', en: 'E-mail address' },
  defaultMask: { keepFirst: 1 },
  normalize: normalizeEmail,
  validateNormalized: validateEmail,
  detectNormalized: detectEmail,
  maskNormalized: maskEmail,
});
