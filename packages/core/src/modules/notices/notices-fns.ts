import { createHash } from 'node:crypto';
import type { FieldProblem } from '../../errors.js';
import { NOTICE_LANGUAGES, type NoticeContent } from './notices-types.js';

const REQUIRED = ['purpose', 'method', 'scope', 'retention', 'scenarios', 'controllerName', 'controllerContact', 'rights'] as const;

/**
 * P2.2: a notice may be published only with every element present in both languages, and for
 * each sensitive field of its purpose version the necessity and the impact (PIPL Art. 30).
 */
export function noticeProblems(content: NoticeContent, sensitiveFields: readonly string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const lang of NOTICE_LANGUAGES) {
    const el = content[lang];
    for (const k of REQUIRED) if (!el[k].trim()) problems.push({ field: `content.${lang}.${k}`, reason: 'missing' });
    for (const f of sensitiveFields) {
      const s = el.sensitive.find((x) => x.field === f);
      if (!s || !s.necessity.trim()) problems.push({ field: `content.${lang}.sensitive.${f}.necessity`, reason: 'missing' });
      if (!s || !s.impact.trim()) problems.push({ field: `content.${lang}.sensitive.${f}.impact`, reason: 'missing' });
    }
    for (const s of el.sensitive)
      if (!sensitiveFields.includes(s.field))
        problems.push({ field: `content.${lang}.sensitive.${s.field}`, reason: 'not_sensitive_in_purpose' });
  }
  return problems;
}

/** JSON with object keys sorted at every level, so equal content always hashes the same. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** The hash a consent records as "what was shown": SHA-256 over the canonical content and its identity. */
export function noticeHash(n: { purposeCode: string; purposeVersion: number; version: number; content: NoticeContent }): string {
  return createHash('sha256')
    .update(canonicalJson({ purposeCode: n.purposeCode, purposeVersion: n.purposeVersion, version: n.version, content: n.content }))
    .digest('hex');
}
