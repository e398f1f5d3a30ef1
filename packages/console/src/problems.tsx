/**
 * Showing API failures: every failed call gets an AntD message with the problem's title and
 * detail; field problems (`errors: [{ field, reason }]`) go onto the matching form fields.
 */
import { App, type FormInstance } from 'antd';
import { useCallback } from 'react';
import { ApiProblem, NETWORK_ERROR_STATUS, type FieldProblem } from './api';
import { reasonLabel } from './format';
import { useI18n } from './i18n';

/** `body.roles[0]`, `/roles/0`, `roles.0` -> `roles`. */
export function fieldRoot(field: string): string {
  const parts = field
    .replace(/^\//, '')
    .split(/[./[\]]+/)
    .filter(Boolean);
  if (parts[0] === 'body' && parts.length > 1) parts.shift();
  return parts[0] ?? field;
}

/** A form field's name path, e.g. `['fields', 'mobile']`. */
export type FieldPath = (string | number)[];

export interface FieldProblemOptions {
  /**
   * Which form field a problem belongs to; `undefined` leaves it unmatched. By default the first
   * segment of the problem's field (`body.roles[0]` -> `roles`).
   */
  mapField?: (p: FieldProblem) => FieldPath | undefined;
  /** The text shown for a reason code (default: the code). */
  reasonText?: (reason: string) => string;
}

/**
 * Put field problems on the form's fields. Returns the problems that matched no field, which the
 * caller should show some other way.
 */
export function applyFieldProblems<T>(form: FormInstance<T>, problems: FieldProblem[], opts: FieldProblemOptions = {}): FieldProblem[] {
  const key = (path: FieldPath) => path.map(String).join('\u0000');
  const byField = new Map<string, { name: FieldPath; errors: string[] }>();
  const unmatched: FieldProblem[] = [];
  // getFieldsError() lists every registered field, whether or not it has a value.
  const known = new Set(form.getFieldsError().map((f) => key(f.name)));
  const mapField = opts.mapField ?? ((p: FieldProblem) => [fieldRoot(p.field)]);
  const text = opts.reasonText ?? ((r: string) => r);
  for (const p of problems) {
    const name = mapField(p);
    if (!name || !known.has(key(name))) {
      unmatched.push(p);
      continue;
    }
    const entry = byField.get(key(name)) ?? { name, errors: [] };
    entry.errors.push(text(p.reason));
    byField.set(key(name), entry);
  }
  if (byField.size > 0) {
    form.setFields([...byField.values()].map(({ name, errors }) => ({ name: name as never, errors })));
  }
  return unmatched;
}

export interface ReportOptions<T> {
  /** Put field problems on this form. */
  form?: FormInstance<T>;
  /** Which form field a problem belongs to (see {@link applyFieldProblems}). */
  mapField?: FieldProblemOptions['mapField'];
}

/** The message key of the problem on screen: one at a time, the newest wins. */
export const PROBLEM_MESSAGE_KEY = 'custos-problem';

/** Returns `report(err, { form })`: shows an AntD message for a failed call. */
export function useProblemReporter() {
  const { message } = App.useApp();
  const { t } = useI18n();
  return useCallback(
    <T,>(err: unknown, opts: ReportOptions<T> = {}) => {
      if (err instanceof DOMException && err.name === 'AbortError') return;
      if (!(err instanceof ApiProblem)) {
        void message.error({ key: PROBLEM_MESSAGE_KEY, content: err instanceof Error ? err.message : String(err) });
        return;
      }
      if (err.status === NETWORK_ERROR_STATUS) {
        void message.error({ content: t('common.networkError'), key: 'network-error' });
        return;
      }
      const reasonText = (r: string) => reasonLabel(r, t);
      const unmatched = opts.form ? applyFieldProblems(opts.form, err.errors, { mapField: opts.mapField, reasonText }) : err.errors;
      if (err.errors.length > 0 && unmatched.length === 0) {
        // Every problem is shown on its input; the message only points there.
        void message.error({
          key: PROBLEM_MESSAGE_KEY,
          content: (
            <span data-testid="problem-message" data-status={err.status} data-code={err.code ?? ''}>
              {t('common.checkFields')}
            </span>
          ),
        });
        return;
      }
      void message.error({
        key: PROBLEM_MESSAGE_KEY,
        duration: 6,
        content: (
          <span data-testid="problem-message" data-status={err.status} data-code={err.code ?? ''}>
            <strong>{err.title}</strong>
            {err.detail && err.detail !== err.title ? <span>: {err.detail}</span> : null}
            {unmatched.length > 0 ? <span> ({unmatched.map((p) => `${p.field}: ${reasonText(p.reason)}`).join('; ')})</span> : null}
          </span>
        ),
      });
    },
    [message, t],
  );
}

/** Returns `success(text)`: a success message that also clears the problem message on screen. */
export function useSuccess() {
  const { message } = App.useApp();
  return useCallback(
    (text: string) => {
      message.destroy(PROBLEM_MESSAGE_KEY);
      void message.success(text);
    },
    [message],
  );
}

/** `body.content.en.sensitive[0].necessity`, `/content/en/...` -> `['content', 'en', 'sensitive', 0, 'necessity']`. */
export function fieldSegments(field: string): FieldPath {
  const parts = field
    .replace(/^\//, '')
    .split(/[./[\]]+/)
    .filter(Boolean);
  if (parts[0] === 'body' && parts.length > 1) parts.shift();
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * For nested forms: a problem goes onto the longest registered form field its path starts with
 * (`retention.days` -> `['retention', 'days']`, `fields.3` -> `['fields']`). `rewrite` may adjust
 * the segments first (e.g. a category code in place of a list index).
 */
export function nestedFieldMapper<T>(form: FormInstance<T>, rewrite?: (segments: FieldPath) => FieldPath) {
  return (p: FieldProblem): FieldPath | undefined => {
    const key = (path: FieldPath) => path.map(String).join('\u0000');
    const known = new Set(form.getFieldsError().map((f) => key(f.name)));
    let segments = fieldSegments(p.field);
    if (rewrite) segments = rewrite(segments);
    for (let n = segments.length; n > 0; n--) {
      const candidate = segments.slice(0, n);
      if (known.has(key(candidate))) return candidate;
    }
    return undefined;
  };
}
