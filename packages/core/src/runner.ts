import type { Actor } from './context.js';
import type { Database, Tx } from './db/client.js';
import type { AuditService } from './audit/audit-service.js';
import type { AuditEventInput } from './audit/audit-types.js';
import { auditInsertSql, type PendingAuditEvent } from './audit/audit-repo.js';
import { allows } from './authz/authz-fns.js';
import type { Permission, Requirement } from './authz/permissions.js';
import { CryptoError, CustosError, DatabaseError, ForbiddenError, NotFoundError, UnauthenticatedError } from './errors.js';
import { DecryptionError, KeyProviderError } from './crypto/index.js';
import type { OperationDef } from './operations.js';
import { inlineParams } from './db/lazy-begin.js';

export interface OperationContext {
  tx: Tx;
  actor: Actor;
  op: OperationDef;
  /** Append an audit event in this transaction; clauses default to the operation's. */
  audit(event: Omit<AuditEventInput, 'clauses'> & { clauses?: string[] }): Promise<void>;
  /** Does the caller hold this permission? For data-level rules inside an operation. */
  can(permission: Permission): boolean;
  /**
   * A write whose result the operation does not need, sent with the audit rows and COMMIT in the
   * same round trip (same transaction: if it fails, nothing commits). `mapError` turns its
   * failure (a unique violation, say) into the core error the caller should see.
   */
  defer(text: string, params: readonly unknown[], mapError?: (e: unknown) => CustosError | undefined): void;
}

/**
 * Runs every core operation: authorize (deny by default), then one transaction for the work and
 * its audit events, then chain. Denials are audited in a transaction of their own, because the
 * operation's own transaction never happened or was rolled back.
 */
export function createRunner(deps: { database: Database; audit: AuditService }) {
  const { database, audit } = deps;

  async function recordDenial(actor: Actor, op: OperationDef, e: ForbiddenError | NotFoundError): Promise<void> {
    const hidden = e instanceof NotFoundError ? e.hidden : undefined;
    await audit.appendStandalone(actor, {
      action: 'access.denied',
      resourceType: hidden?.resourceType ?? null,
      resourceId: hidden?.resourceId ?? null,
      clauses: [...op.clauses],
      outcome: 'denied',
      details: {
        operation: op.id,
        ...(e instanceof ForbiddenError && e.permission ? { permission: e.permission } : {}),
        ...(hidden?.permission ? { permission: hidden.permission } : {}),
      },
    });
  }

  function authorize(actor: Actor, op: OperationDef): void {
    const reqs: readonly Requirement[] = Array.isArray(op.requires) ? op.requires : [op.requires as Requirement];
    if (reqs.some((r) => allows(actor, r))) return;
    if (actor.userId === null && actor.type !== 'system') throw new UnauthenticatedError('sign in first');
    throw new ForbiddenError(`operation ${op.id} needs ${reqs.join(' or ')}`, reqs.join('|'), [...op.clauses]);
  }

  async function run<T>(actor: Actor, op: OperationDef, fn: (ctx: OperationContext) => Promise<T>): Promise<T> {
    let mappers: Array<(e: unknown) => CustosError | undefined> = [];
    try {
      authorize(actor, op);
      // Audit events are buffered and inserted with the commit, in the same transaction: one
      // round trip for all of them, and if their insert fails nothing commits (fail closed).
      const pending: PendingAuditEvent[] = [];
      const deferred: string[] = [];
      mappers = [];
      const result = await database.transaction(
        (tx) =>
          fn({
            tx,
            actor,
            op,
            audit: async (e) => {
              pending.push({ occurredAt: new Date(), actor, event: { ...e, clauses: e.clauses ?? [...op.clauses] } });
            },
            can: (p) => allows(actor, p),
            defer: (text, params, mapError) => {
              deferred.push(inlineParams(text, params));
              if (mapError) mappers.push(mapError);
            },
          }),
        () => {
          if (pending.length) deferred.push(auditInsertSql(pending));
          return deferred.length ? deferred.join(';\n') : null;
        },
      );
      audit.kick();
      return result;
    } catch (e) {
      for (const m of mappers) {
        const mapped = m(e);
        if (mapped) throw mapped;
      }
      if (e instanceof ForbiddenError || (e instanceof NotFoundError && e.hidden)) await recordDenial(actor, op, e);
      if (e instanceof CustosError) throw e;
      if (e instanceof DecryptionError || e instanceof KeyProviderError) throw new CryptoError(e.message);
      throw DatabaseError.from(e);
    }
  }

  /** Authorize without running: for adapters that must refuse before they even validate input. */
  async function check(actor: Actor, op: OperationDef): Promise<void> {
    try {
      authorize(actor, op);
    } catch (e) {
      if (e instanceof ForbiddenError) await recordDenial(actor, op, e);
      throw e;
    }
  }

  return { run, authorize, check };
}

export type Runner = ReturnType<typeof createRunner>;
