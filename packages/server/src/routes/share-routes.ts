import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createShareRequestInput,
  OPERATIONS,
  reviewShareRequestInput,
  shareExecutionSchema,
  shareRequestSchema,
  type Core,
} from '@custos/core';
import { apiRoute, sendDownload } from '../route-def.js';

const idParams = z.object({ id: z.uuid() });

/** Sharing customer PI with vetted third-party recipients (P6.1). */
export async function shareRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/share-requests',
    operation: OPERATIONS.createShareRequest,
    summary:
      'Request a share with a recipient: purpose, fields and their de-identification, customers, method, legal basis, impact assessment',
    tags: ['sharing'],
    schema: { body: createShareRequestInput, response: { 201: shareRequestSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.sharing.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/share-requests',
    operation: OPERATIONS.listShareRequests,
    summary: 'Share requests: your department’s, those awaiting your step, all with share.read',
    tags: ['sharing'],
    schema: { response: { 200: z.object({ items: z.array(shareRequestSchema) }) } },
    handler: async (req) => ({ items: await core.sharing.list(req.actor) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/share-requests/:id',
    operation: OPERATIONS.getShareRequest,
    summary: 'A share request with its reviews and execution',
    tags: ['sharing'],
    schema: { params: idParams, response: { 200: shareRequestSchema } },
    handler: async (req) => core.sharing.get(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/share-requests/:id/reviews',
    operation: OPERATIONS.reviewShareRequest,
    summary: 'Approve, reject or return the current step (the last approval needs an eligible recipient and a completed impact assessment)',
    tags: ['sharing'],
    schema: { params: idParams, body: reviewShareRequestInput, response: { 200: shareRequestSchema } },
    handler: async (req) => core.sharing.review(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/share-requests/:id/execute',
    operation: OPERATIONS.executeShare,
    summary:
      'Execute an approved share: only customers with a separate consent (or the recorded basis); answers with a one-time download link',
    tags: ['sharing'],
    schema: { params: idParams, response: { 201: shareExecutionSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.sharing.execute(req.actor, req.params.id)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/shares/download/:token',
    operation: OPERATIONS.downloadShareFile,
    summary: 'Download a share’s file once (whoever executed it); the link then stops working',
    tags: ['sharing'],
    schema: { params: z.object({ token: z.string().max(100) }) },
    handler: async (req, reply) => sendDownload(reply, await core.sharing.download(req.actor, req.params.token)),
  });
}
