import type { DataCategory, L10n, Role } from './api';
import type { Lang, MessageKey, Translate } from './i18n';
import { zhCN } from './i18n/zh-CN';

/** `2025-01-31 14:05:09` in the viewer's time zone (the same ISO-like form in both languages). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A role id's display name: from GET /roles when loaded, else the built-in dictionary, else the id. */
export function roleLabel(id: string, lang: Lang, t: Translate, roles?: readonly Role[]): string {
  const role = roles?.find((r) => r.id === id);
  if (role) return role.name[lang] || role.name.en || id;
  const key = `role.${id}`;
  return isMessageKey(key) ? t(key) : id;
}

export function piTypeLabel(piType: string, t: Translate): string {
  const key = `piType.${piType}`;
  return isMessageKey(key) ? t(key) : piType;
}

/** Both dictionaries have the same keys, so the default one decides. */
function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zhCN, key);
}

/** A validation reason code (`check_digit_mismatch`) as text; unknown codes are shown as they are. */
export function reasonLabel(reason: string, t: Translate): string {
  const key = `reason.${reason}`;
  return isMessageKey(key) ? t(key) : reason;
}

/**
 * A purpose code as text when no registered purpose is loaded for it: the former built-in codes
 * (`customer_service`, …) keep their labels, e.g. in older audit events; any other code is shown as it is.
 */
export function purposeLabel(purpose: string, t: Translate): string {
  const key = `purpose.${purpose}`;
  return isMessageKey(key) ? t(key) : purpose;
}

/** A catalogue category's name in the UI language; the code when the category is not loaded. */
export function categoryLabel(code: string, lang: Lang, categories: ReadonlyMap<string, DataCategory>): string {
  const c = categories.get(code);
  if (!c) return code;
  return (lang === 'zh-CN' ? c.nameZh : c.nameEn) || code;
}

/** `3f2a9c1e-…` -> `3f2a9c1e`: enough to tell customers apart on screen. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** Localised text in the UI language, falling back to the other language; also accepts a plain string. */
export function localized(text: L10n | string | null | undefined, lang: Lang): string {
  if (!text) return '';
  if (typeof text === 'string') return text;
  return text[lang] || text[lang === 'zh-CN' ? 'en' : 'zh-CN'] || '';
}

/** A hex hash shortened for tables: the first 12 characters. */
export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}

/** A message key built from data (`legalBasis.consent`), or the raw value when the key is unknown. */
export function dataLabel(prefix: string, value: string, t: Translate): string {
  const key = `${prefix}.${value}`;
  return isMessageKey(key) ? t(key) : value;
}
