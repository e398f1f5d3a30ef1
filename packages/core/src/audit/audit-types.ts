import { z } from 'zod';

export const auditOutcome = z.enum(['success', 'denied', 'failure']);
export type AuditOutcome = z.infer<typeof auditOutcome>;

/** What a service says about an event; the actor, time and request id come from the context. */
export interface AuditEventInput {
  /** Dotted name, e.g. `department.created`. */
  action: string;
  resourceType?: string | null;
  resourceId?: string | null;
  /** Clause IDs this control serves (P2.3, P5.2, ...). */
  clauses: string[];
  purposeId?: string | null;
  outcome?: AuditOutcome;
  /** Never plain PI: ids, field names, counts, masks, HMACs. */
  details?: Record<string, unknown>;
}

/** An audit event as stored and listed. */
export const auditEventSchema = z.object({
  id: z.string(),
  seq: z.number().int().nullable(),
  occurredAt: z.iso.datetime(),
  actor: z.object({ type: z.enum(['user', 'system', 'channel', 'customer']), id: z.string().nullable(), name: z.string() }),
  action: z.string(),
  resourceType: z.string().nullable(),
  resourceId: z.string().nullable(),
  clauses: z.array(z.string()),
  purposeId: z.string().nullable(),
  outcome: auditOutcome,
  details: z.record(z.string(), z.unknown()),
  requestId: z.string().nullable(),
  prevHash: z.string().nullable(),
  hash: z.string().nullable(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const listAuditEventsQuery = z.object({
  action: z.string().max(200).optional(),
  outcome: auditOutcome.optional(),
  resourceType: z.string().max(100).optional(),
  resourceId: z.string().max(200).optional(),
  actorId: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Opaque: the id of the last event of the previous page. */
  cursor: z.string().regex(/^\d+$/).optional(),
});
export type ListAuditEventsQuery = z.input<typeof listAuditEventsQuery>;

export const verifyResultSchema = z.object({
  intact: z.boolean(),
  checkedEvents: z.number().int(),
  firstBrokenSeq: z.number().int().nullable(),
  reason: z.string().nullable(),
  pendingEvents: z.number().int(),
  checkpoints: z.object({
    checked: z.number().int(),
    failed: z.number().int(),
    latestSeq: z.number().int().nullable(),
  }),
});
export type VerifyResult = z.infer<typeof verifyResultSchema>;
