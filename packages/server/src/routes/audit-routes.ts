import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { auditEventSchema, listAuditEventsQuery, OPERATIONS, verifyResultSchema, type Core } from '@custos/core';
import { apiRoute } from '../route-def.js';

/** P2.3: the tamper-evident audit log. */
export async function auditRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/audit-events',
    operation: OPERATIONS.listAuditEvents,
    summary: 'Audit events, newest first, with filters and a cursor',
    tags: ['audit'],
    schema: {
      querystring: listAuditEventsQuery,
      response: { 200: z.object({ items: z.array(auditEventSchema), nextCursor: z.string().nullable() }) },
    },
    handler: async (req) => core.auditLog.list(req.actor, req.query),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/audit/verify',
    operation: OPERATIONS.verifyAuditChain,
    summary: 'Walk the hash chain and check every signed checkpoint; reports the first broken sequence number',
    tags: ['audit'],
    schema: { response: { 200: verifyResultSchema } },
    handler: async (req) => core.auditLog.verify(req.actor),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/audit/checkpoints',
    operation: OPERATIONS.createAuditCheckpoint,
    summary: 'Write a signed checkpoint of the chain head now',
    tags: ['audit'],
    schema: {
      response: {
        200: z.object({ seq: z.number().int(), hash: z.string(), at: z.string(), keyId: z.string() }).nullable(),
      },
    },
    handler: async (req) => {
      const c = await core.auditLog.checkpoint(req.actor);
      return c ? { seq: c.seq, hash: c.hash, at: c.at, keyId: c.keyId } : null;
    },
  });
}
