/**
 * Core errors. Each maps to one HTTP status and problem type in the server's single error
 * handler; the CLI maps them to exit codes. Messages never carry plain PI: callers pass field
 * names and reasons, never values.
 */
export type ClauseId = string;

export interface FieldProblem {
  field: string;
  reason: string;
}

export abstract class CustosError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly clauses: ClauseId[];
  constructor(message: string, clauses: ClauseId[] = []) {
    super(message);
    this.name = new.target.name;
    this.clauses = clauses;
  }
}

/** Input that fails validation; nothing was written. */
export class InvalidError extends CustosError {
  readonly status: number = 400;
  readonly code: string = 'invalid';
  constructor(
    message: string,
    readonly problems: FieldProblem[] = [],
    clauses: ClauseId[] = [],
  ) {
    super(message, clauses);
  }
}

/**
 * Well-formed input that the policy refuses (a field outside the purpose, a missing separate
 * consent, an inactive purpose): 422, naming the fields and the clauses; nothing was written.
 */
export class PolicyViolationError extends InvalidError {
  override readonly status: number = 422;
  override readonly code: string = 'policy_violation';
}

export class UnauthenticatedError extends CustosError {
  readonly status = 401;
  readonly code = 'unauthenticated';
}

/** The caller may not perform this kind of operation at all (no record is involved). */
export class ForbiddenError extends CustosError {
  readonly status = 403;
  readonly code = 'forbidden';
  constructor(
    message: string,
    readonly permission?: string,
    clauses: ClauseId[] = [],
  ) {
    super(message, clauses);
  }
}

/** The record does not exist, or the caller may not see it (the two are indistinguishable). */
export class NotFoundError extends CustosError {
  readonly status = 404;
  readonly code = 'not_found';
  /**
   * Set when the record exists but the caller may not see it: the caller still gets 404, and
   * core audits the attempt as denied.
   */
  readonly hidden: { resourceType: string; resourceId: string; permission?: string } | undefined;
  constructor(message: string, hidden?: { resourceType: string; resourceId: string; permission?: string }, clauses: ClauseId[] = []) {
    super(message, clauses);
    this.hidden = hidden;
  }
}

export class ConflictError extends CustosError {
  readonly status = 409;
  readonly code = 'conflict';
}

export class LockedError extends CustosError {
  readonly status = 423;
  readonly code = 'locked';
}

export class TooManyRequestsError extends CustosError {
  readonly status = 429;
  readonly code = 'too_many_requests';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export function isCustosError(e: unknown): e is CustosError {
  return e instanceof CustosError;
}

/**
 * A database failure, with the driver's query text and parameters stripped: those can hold
 * plain PI, and this message reaches logs and problem bodies.
 */
export class DatabaseError extends CustosError {
  readonly status = 500;
  readonly code = 'database_error';
  constructor(
    message: string,
    readonly sqlState: string | undefined,
  ) {
    super(message);
  }

  static from(e: unknown): DatabaseError {
    let cur: unknown = e;
    // drizzle wraps the driver error (whose message is the server's, without values) as `cause`.
    while (cur && typeof cur === 'object' && (cur as { cause?: unknown }).cause) cur = (cur as { cause?: unknown }).cause;
    const inner = cur as { message?: unknown; code?: unknown };
    const msg =
      typeof inner.message === 'string' && !inner.message.startsWith('Failed query') ? inner.message : 'database operation failed';
    return new DatabaseError(msg, typeof inner.code === 'string' ? inner.code : undefined);
  }
}

/** A key could not be unwrapped or a ciphertext failed authentication: integrity or key-provider trouble. */
export class CryptoError extends CustosError {
  readonly status = 500;
  readonly code = 'crypto_error';
}
