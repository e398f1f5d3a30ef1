import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createSegmentInput,
  segmentSchema,
  approvalChainSchema,
  setApprovalChainInput,
  createUseApplicationInput,
  delegationInput,
  grantAccessSchema,
  grantSchema,
  OPERATIONS,
  revokeGrantInput,
  reviewUseApplicationInput,
  useApplicationSchema,
  type Core,
} from '@custos/core';
import { apiRoute } from '../route-def.js';

const idParams = z.object({ id: z.uuid() });

/** Approved internal use (P5.1, P5.2): applications, their review chain, grants. */
export async function useRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/use-applications',
    operation: OPERATIONS.createUseApplication,
    summary: 'Apply to use customer PI for a purpose: fields, customers, method, period, justification (a draft)',
    tags: ['use'],
    schema: { body: createUseApplicationInput, response: { 201: useApplicationSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.use.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/use-applications/:id/submit',
    operation: OPERATIONS.submitUseApplication,
    summary: 'Submit a draft (or returned) application to its review chain',
    tags: ['use'],
    schema: { params: idParams, response: { 200: useApplicationSchema } },
    handler: async (req) => core.use.submit(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/use-applications/:id/reviews',
    operation: OPERATIONS.reviewUseApplication,
    summary: 'Approve, reject or return the current step (never one’s own application; a delegate acts on behalf)',
    tags: ['use'],
    schema: { params: idParams, body: reviewUseApplicationInput, response: { 200: useApplicationSchema } },
    handler: async (req) => core.use.review(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/use-applications',
    operation: OPERATIONS.listUseApplications,
    summary: 'Your applications and those awaiting your review (all of them with use.read)',
    tags: ['use'],
    schema: { response: { 200: z.object({ items: z.array(useApplicationSchema) }) } },
    handler: async (req) => ({ items: await core.use.list(req.actor) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/grants',
    operation: OPERATIONS.listGrants,
    summary: 'Grants (active, expired, revoked) with how many accesses were made under each',
    tags: ['use'],
    schema: { response: { 200: z.object({ items: z.array(grantSchema) }) } },
    handler: async (req) => ({ items: await core.use.listGrants(req.actor) }),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/grants/:id/revoke',
    operation: OPERATIONS.revokeGrant,
    summary: 'Revoke a grant: no access is allowed under it from now on',
    tags: ['use'],
    schema: { params: idParams, body: revokeGrantInput, response: { 200: grantSchema } },
    handler: async (req) => core.use.revokeGrant(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/grants/:id/accesses',
    operation: OPERATIONS.listGrantAccesses,
    summary: 'The access log of a grant (who, when, which customer, fields, operation); newest first',
    tags: ['use'],
    schema: {
      params: idParams,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(10_000).optional() }),
      response: { 200: z.object({ items: z.array(grantAccessSchema) }) },
    },
    handler: async (req) => ({ items: await core.use.listGrantAccesses(req.actor, req.params.id, { limit: req.query.limit }) }),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/approval-delegations',
    operation: OPERATIONS.createApprovalDelegation,
    summary: 'Delegate your reviews to a colleague for a period, with a reason (recorded on each review)',
    tags: ['use'],
    schema: { body: delegationInput, response: { 201: z.object({ id: z.uuid() }) } },
    handler: async (req, reply) => reply.code(201).send(await core.use.delegate(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'PUT',
    url: '/api/v1/approval-chains',
    operation: OPERATIONS.setApprovalChain,
    summary:
      'Set the review chain of a purpose (or * for all) and sensitivity: department head first, then management (and compliance for sensitive fields) at least',
    tags: ['use'],
    schema: { body: setApprovalChainInput, response: { 200: approvalChainSchema } },
    handler: async (req) => core.use.setApprovalChain(req.actor, req.body),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/approval-chains',
    operation: OPERATIONS.listApprovalChains,
    summary: 'The configured review chains (purposes without one use the default)',
    tags: ['use'],
    schema: { response: { 200: z.object({ items: z.array(approvalChainSchema) }) } },
    handler: async (req) => ({ items: await core.use.listApprovalChains(req.actor) }),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/customer-segments',
    operation: OPERATIONS.createCustomerSegment,
    summary: 'Save a named list of customers (up to 10,000) for your department to name as an application’s scope',
    tags: ['use'],
    schema: { body: createSegmentInput, response: { 201: segmentSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.use.createSegment(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/customer-segments',
    operation: OPERATIONS.listCustomerSegments,
    summary: 'Your department’s saved customer segments (all with use.read)',
    tags: ['use'],
    schema: { response: { 200: z.object({ items: z.array(segmentSchema) }) } },
    handler: async (req) => ({ items: await core.use.listSegments(req.actor) }),
  });
}
