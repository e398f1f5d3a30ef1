import type { Actor } from '../context.js';
import { OPERATIONS } from '../operations.js';
import type { Runner } from '../runner.js';
import { parseInput } from '../validation.js';
import type { AuditService } from './audit-service.js';
import { listAuditEventsQuery, type AuditEvent, type ListAuditEventsQuery, type VerifyResult } from './audit-types.js';
import { listAuditEvents } from './audit-repo.js';
import type { Checkpoint } from './checkpoint-fns.js';

/** The audit log as operations callers may perform (read, verify, checkpoint), authorized like any other. */
export function createAuditLogService(deps: { runner: Runner; audit: AuditService }) {
  const { runner, audit } = deps;
  return {
    async list(actor: Actor, query: ListAuditEventsQuery): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
      runner.authorize(actor, OPERATIONS.listAuditEvents);
      // Show just-committed events with their place in the chain.
      await audit.flush();
      return runner.run(actor, OPERATIONS.listAuditEvents, ({ tx }) => listAuditEvents(tx, parseInput(listAuditEventsQuery, query)));
    },

    /** Verification is itself recorded: who checked, and what they found. */
    async verify(actor: Actor, opts: { onProgress?: (checked: number) => void } = {}): Promise<VerifyResult> {
      runner.authorize(actor, OPERATIONS.verifyAuditChain);
      const result = await audit.verify(opts);
      await runner.run(actor, OPERATIONS.verifyAuditChain, ({ audit: write }) =>
        write({
          action: 'audit.verified',
          resourceType: 'audit_chain',
          outcome: result.intact ? 'success' : 'failure',
          details: { ...result },
        }),
      );
      return result;
    },

    async checkpoint(actor: Actor): Promise<Checkpoint | null> {
      return runner
        .run(actor, OPERATIONS.createAuditCheckpoint, async ({ audit: write }) => {
          await write({ action: 'audit.checkpoint_requested', resourceType: 'audit_chain' });
          return null;
        })
        .then(() => audit.checkpoint());
    },
  };
}
