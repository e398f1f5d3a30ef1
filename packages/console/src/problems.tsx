/**
 * Showing API failures: every failed call gets an AntD message with the problem's title and
 * detail; field problems (`errors: [{ field, reason }]`) go onto the matching form fields.
 */
import { App, type FormInstance } from 'antd';
import { useCallback } from 'react';
import { ApiProblem, NETWORK_ERROR_STATUS, type FieldProblem } from './api';
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

/**
 * Put field problems on the form's fields. Returns the problems that matched no field, which the
 * caller should show some other way.
 */
export function applyFieldProblems<T>(form: FormInstance<T>, problems: FieldProblem[]): FieldProblem[] {
  const byField = new Map<string, string[]>();
  const unmatched: FieldProblem[] = [];
  // getFieldsError() lists every registered field, whether or not it has a value.
  const known = new Set(form.getFieldsError().map((f) => String(f.name[0])));
  for (const p of problems) {
    const root = fieldRoot(p.field);
    if (!known.has(root)) {
      unmatched.push(p);
      continue;
    }
    byField.set(root, [...(byField.get(root) ?? []), p.reason]);
  }
  if (byField.size > 0) {
    form.setFields([...byField].map(([name, errors]) => ({ name: name as never, errors })));
  }
  return unmatched;
}

export interface ReportOptions<T> {
  /** Put field problems on this form. */
  form?: FormInstance<T>;
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
      const unmatched = opts.form ? applyFieldProblems(opts.form, err.errors) : err.errors;
      void message.error({
        key: PROBLEM_MESSAGE_KEY,
        duration: 6,
        content: (
          <span data-testid="problem-message" data-status={err.status} data-code={err.code ?? ''}>
            <strong>{err.title}</strong>
            {err.detail && err.detail !== err.title ? <span>: {err.detail}</span> : null}
            {unmatched.length > 0 ? (
              <span>
                {' '}
                ({unmatched.map((p) => `${p.field}: ${p.reason}`).join('; ')})
              </span>
            ) : null}
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
