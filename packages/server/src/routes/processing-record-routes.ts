import type { FastifyInstance } from 'fastify';
import { listProcessingRecordsQuery, OPERATIONS, processingRecordPageSchema, type Core } from '@custos/core';
import { z } from 'zod';
import { apiRoute } from '../route-def.js';

/** The processing-records register (P1.1, P6.1, P6.2): read, filter and export for auditors. */
export async function processingRecordRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/processing-records',
    operation: OPERATIONS.listProcessingRecords,
    summary:
      'The processing-records register (shares, transfers, disclosures, exports), newest first; filter by kind, period and recipient',
    tags: ['processing-records'],
    schema: { querystring: listProcessingRecordsQuery, response: { 200: processingRecordPageSchema } },
    handler: async (req) => core.processingRecords.list(req.actor, req.query),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/processing-records/export',
    operation: OPERATIONS.exportProcessingRecords,
    summary: 'The filtered register as CSV (UTF-8 with BOM) for auditors; the export is audited',
    tags: ['processing-records'],
    schema: {
      querystring: z.object({
        kind: z.enum(['share', 'transfer', 'disclosure', 'export']).optional(),
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
        recipient: z.string().trim().min(1).max(200).optional(),
      }),
    },
    handler: async (req, reply) => {
      const { csv } = await core.processingRecords.exportCsv(req.actor, req.query);
      const name = `processing-records-${new Date().toISOString().slice(0, 10)}.csv`;
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(csv);
    },
  });
}
