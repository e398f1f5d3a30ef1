import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createExportInput,
  exportRecordSchema,
  OPERATIONS,
  previewInput,
  previewSchema,
  specTemplateSchema,
  type Core,
} from '@custos/core';
import { apiRoute, sendDownload } from '../route-def.js';

/** De-identified, risk-checked exports under an export grant (P5.3). */
export async function exportRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/exports/spec-template',
    operation: OPERATIONS.getExportSpecTemplate,
    summary: 'A starting dataset spec for a grant’s fields (identifiers masked, dates, addresses and resident IDs as quasi-identifiers)',
    tags: ['exports'],
    schema: { querystring: z.object({ grantId: z.uuid() }), response: { 200: specTemplateSchema } },
    handler: async (req) => core.exports.specTemplate(req.actor, req.query.grantId),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/exports/preview',
    operation: OPERATIONS.previewDeidentification,
    summary: 'Risk report (k, l, the least-loss generalisation meeting the target) and sample de-identified rows, before release',
    tags: ['exports'],
    schema: { body: previewInput, response: { 200: previewSchema } },
    handler: async (req) => core.exports.preview(req.actor, req.body),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/exports',
    operation: OPERATIONS.createExport,
    summary: 'Release a de-identified export (refused below the target k / l); answers with a one-time download link',
    tags: ['exports'],
    schema: { body: createExportInput, response: { 201: exportRecordSchema } },
    handler: async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const r = await core.exports.create(req.actor, req.body, typeof key === 'string' && key ? { idempotencyKey: key } : {});
      return reply.code(201).send(r);
    },
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/exports',
    operation: OPERATIONS.listExports,
    summary: 'Exports of your department (all of them with use.read)',
    tags: ['exports'],
    schema: { response: { 200: z.object({ items: z.array(exportRecordSchema) }) } },
    handler: async (req) => ({ items: await core.exports.list(req.actor) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/exports/:id',
    operation: OPERATIONS.getExportReport,
    summary: 'An export’s record: spec, generalisation, measured k and l, counts, recipient, file hash, download state',
    tags: ['exports'],
    schema: { params: z.object({ id: z.uuid() }), response: { 200: exportRecordSchema } },
    handler: async (req) => core.exports.report(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/exports/download/:token',
    operation: OPERATIONS.downloadExport,
    summary: 'Download an export once (its creator only); the link then stops working',
    tags: ['exports'],
    schema: { params: z.object({ token: z.string().max(100) }) },
    handler: async (req, reply) => sendDownload(reply, await core.exports.download(req.actor, req.params.token)),
  });
}
