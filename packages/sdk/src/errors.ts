import type { Problem, ProblemItem } from './types.js';

/**
 * A response other than 2xx. The fields come from the `application/problem+json` body; a body
 * that is not a problem (a proxy's HTML page, say) still gives `status`, with `code` 'http_<status>'.
 */
export class CustosApiError extends Error {
  override readonly name = 'CustosApiError';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string;
  readonly requestId: string | undefined;
  /** Policy clause IDs (`P2.3`, …) the refusal is based on; empty when none. */
  readonly clauses: string[];
  /** Field-level reasons; empty when none. */
  readonly problems: ProblemItem[];
  /** The problem as parsed (or as built from a body that was not one). */
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail ?? problem.title}`);
    this.problem = problem;
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.type = problem.type;
    this.requestId = problem.requestId;
    this.clauses = problem.clauses ?? [];
    this.problems = problem.problems ?? [];
  }
}

/** The request never got an HTTP response (offline, DNS, refused, CORS, aborted). Safe to retry with the same idempotency key. */
export class CustosNetworkError extends Error {
  override readonly name = 'CustosNetworkError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Builds a Problem from an error response's status and body text, tolerating bodies that are not
 * problem+json. Unknown members are dropped; malformed `clauses`/`problems` entries are skipped.
 */
export function parseProblem(status: number, statusText: string, bodyText: string): Problem {
  let body: unknown;
  try {
    body = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    body = undefined;
  }
  const o = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const problem: Problem = {
    type: str(o.type) ?? 'about:blank',
    title: str(o.title) ?? (statusText || `HTTP ${status}`),
    // The HTTP status is authoritative; a body's own `status` member could disagree.
    status,
    code: str(o.code) ?? `http_${status}`,
  };
  const detail = str(o.detail) ?? (body === undefined && bodyText ? bodyText.slice(0, 500) : undefined);
  if (detail !== undefined) problem.detail = detail;
  const requestId = str(o.requestId);
  if (requestId !== undefined) problem.requestId = requestId;
  if (Array.isArray(o.clauses)) problem.clauses = o.clauses.filter((c): c is string => typeof c === 'string');
  // The server names the list `errors` (problem+json extension); `problems` is accepted too.
  const items = Array.isArray(o.errors) ? o.errors : Array.isArray(o.problems) ? o.problems : null;
  if (items) {
    problem.problems = items
      .filter((p): p is Record<string, unknown> => !!p && typeof p === 'object')
      .map((p) => ({ field: str(p.field) ?? '', reason: str(p.reason) ?? '' }))
      .filter((p) => p.field !== '' || p.reason !== '');
  }
  return problem;
}
