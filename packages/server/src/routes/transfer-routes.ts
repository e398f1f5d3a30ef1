import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  answerTransferNoticeInput,
  approveTransferCampaignInput,
  createTransferCampaignInput,
  downloadTransferPackageInput,
  letterBatchDocumentSchema,
  listTransferNoticesQuery,
  myTransferNoticeSchema,
  OPERATIONS,
  recordTransferResponseInput,
  transferCampaignSchema,
  transferNoticePageSchema,
  transferNoticeSchema,
  transferPackageSchema,
  type Core,
} from '@custos/core';
import { apiRoute } from '../route-def.js';

const idParams = z.object({ id: z.uuid() });

/** Transfers on merger, division or acquisition (P6.1): campaigns, notices, answers, execution. */
export async function transferRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/transfer-campaigns',
    operation: OPERATIONS.createTransferCampaign,
    summary: 'Create a transfer campaign: reason, receiving party, purpose, fields, customers, notice template (a draft)',
    tags: ['transfers'],
    schema: { body: createTransferCampaignInput, response: { 201: transferCampaignSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.transfers.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/transfer-campaigns',
    operation: OPERATIONS.listTransferCampaigns,
    summary: 'Transfer campaigns with their progress counts',
    tags: ['transfers'],
    schema: { response: { 200: z.object({ items: z.array(transferCampaignSchema) }) } },
    handler: async (req) => ({ items: await core.transfers.list(req.actor) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/transfer-campaigns/:id',
    operation: OPERATIONS.getTransferCampaign,
    summary: 'A transfer campaign with every count (in scope, notified, delivered, failed, answers, transferred)',
    tags: ['transfers'],
    schema: { params: idParams, response: { 200: transferCampaignSchema } },
    handler: async (req) => core.transfers.get(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/transfer-campaigns/:id/approve',
    operation: OPERATIONS.approveTransferCampaign,
    summary: 'Approve a draft campaign (not one’s own); its impact assessment must be completed',
    tags: ['transfers'],
    schema: { params: idParams, body: approveTransferCampaignInput, response: { 200: transferCampaignSchema } },
    handler: async (req) => core.transfers.approve(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/transfer-campaigns/:id/notices',
    operation: OPERATIONS.sendTransferNotices,
    summary: 'Generate and send every customer’s notice (e-mail, SMS, or a printable letter batch)',
    tags: ['transfers'],
    schema: { params: idParams, response: { 200: transferCampaignSchema } },
    handler: async (req) => core.transfers.sendNotices(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/transfer-campaigns/:id/notices',
    operation: OPERATIONS.listTransferNotices,
    summary: 'The campaign’s customers: reference, channel, delivery status, answer and outcome (no PI)',
    tags: ['transfers'],
    schema: { params: idParams, querystring: listTransferNoticesQuery, response: { 200: transferNoticePageSchema } },
    handler: async (req) => core.transfers.listNotices(req.actor, req.params.id, req.query),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/transfer-campaigns/:id/responses',
    operation: OPERATIONS.recordTransferResponse,
    summary: 'Record a customer’s answer (consent, objection, or another legal basis) with the evidence’s hash',
    tags: ['transfers'],
    schema: { params: idParams, body: recordTransferResponseInput, response: { 201: transferNoticeSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.transfers.recordResponse(req.actor, req.params.id, req.body)),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/transfer-campaigns/:id/execute',
    operation: OPERATIONS.executeTransfer,
    summary: 'Execute the transfer for customers who consented or have another recorded legal basis; returns the report',
    tags: ['transfers'],
    schema: { params: idParams, response: { 200: transferCampaignSchema } },
    handler: async (req) => core.transfers.execute(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/transfer-campaigns/:id/letter-batches/:batchId',
    operation: OPERATIONS.downloadTransferLetters,
    summary: 'The printable letter batch (names and addresses read from the vault now; audited), with its hash check',
    tags: ['transfers'],
    schema: { params: z.object({ id: z.uuid(), batchId: z.uuid() }), response: { 200: letterBatchDocumentSchema } },
    handler: async (req) => core.transfers.downloadLetters(req.actor, req.params.id, req.params.batchId),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/transfer-campaigns/:id/package',
    operation: OPERATIONS.downloadTransferPackage,
    summary: 'The executed transfer’s handover package, encrypted under the given passphrase (scrypt + AES-256-GCM)',
    tags: ['transfers'],
    schema: { params: idParams, body: downloadTransferPackageInput, response: { 200: transferPackageSchema } },
    handler: async (req) => core.transfers.downloadPackage(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/portal/transfer-notices',
    operation: OPERATIONS.listMyTransferNotices,
    summary: 'The signed-in customer’s transfer notices and their answers',
    tags: ['portal'],
    schema: { response: { 200: z.object({ items: z.array(myTransferNoticeSchema) }) } },
    handler: async (req) => ({ items: await core.transfers.listMine(req.actor) }),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/portal/transfer-notices/answers',
    operation: OPERATIONS.answerTransferNotice,
    summary: 'Consent to or object to a transfer (the latest answer counts until the transfer is executed)',
    tags: ['portal'],
    schema: { body: answerTransferNoticeInput, response: { 200: myTransferNoticeSchema } },
    handler: async (req) => core.transfers.answerMine(req.actor, req.body),
  });
}
