import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createDisclosureRequestInput, disclosureRequestSchema, OPERATIONS, reviewDisclosureRequestInput, type Core } from '@custos/core';
import { apiRoute } from '../route-def.js';

const idParams = z.object({ id: z.uuid() });

/** Public disclosure (P6.2): blocked by default; legal basis or separate consent, masked minimal fields, two approvals. */
export async function disclosureRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/disclosure-requests',
    operation: OPERATIONS.createDisclosureRequest,
    summary: 'Request a public disclosure: legal basis (law cited) or separate consent, minimal fields of a purpose, a mask per field',
    tags: ['disclosures'],
    schema: { body: createDisclosureRequestInput, response: { 201: disclosureRequestSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.disclosures.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/disclosure-requests',
    operation: OPERATIONS.listDisclosureRequests,
    summary: 'Disclosure requests (one’s own; all of them for reviewers, compliance and auditors)',
    tags: ['disclosures'],
    schema: { response: { 200: z.object({ items: z.array(disclosureRequestSchema) }) } },
    handler: async (req) => ({ items: await core.disclosures.list(req.actor) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/disclosure-requests/:id',
    operation: OPERATIONS.getDisclosureRequest,
    summary: 'A disclosure request with its reviews and, once approved, the disclosed (masked) content and its hash',
    tags: ['disclosures'],
    schema: { params: idParams, response: { 200: disclosureRequestSchema } },
    handler: async (req) => core.disclosures.get(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/disclosure-requests/:id/reviews',
    operation: OPERATIONS.reviewDisclosureRequest,
    summary: 'Approve or reject the current step (management, then the compliance officer; never one’s own request)',
    tags: ['disclosures'],
    schema: { params: idParams, body: reviewDisclosureRequestInput, response: { 200: disclosureRequestSchema } },
    handler: async (req) => core.disclosures.review(req.actor, req.params.id, req.body),
  });
}
