import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createRetentionRuleInput,
  endRelationshipInput,
  expiriesSchema,
  getRetentionRunInput,
  legalHoldSchema,
  listExpiriesInput,
  listLegalHoldsInput,
  listRetentionRulesInput,
  listRetentionRunsInput,
  OPERATIONS,
  placeLegalHoldInput,
  previewResultSchema,
  previewRetentionInput,
  releaseLegalHoldInput,
  retentionRuleSchema,
  retentionRunReportSchema,
  retentionRunSchema,
  runRetentionInput,
  type Core,
} from '@custos/core';
import { apiRoute } from '../route-def.js';

const idParams = z.object({ id: z.uuid() });
const tags = ['retention'];

/** P4.2 retention: rules, the dry run and the sweep, runs with their records, legal holds. */
export async function retentionRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/retention/rules',
    operation: OPERATIONS.createRetentionRule,
    summary: 'Create a retention rule for a purpose, a data category or both (replaces the active rule for the same target)',
    tags,
    schema: { body: createRetentionRuleInput, response: { 201: retentionRuleSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.retention.createRule(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/retention/rules',
    operation: OPERATIONS.listRetentionRules,
    summary: 'Retention rules and each purpose’s own retention, with what is overridden or held',
    tags,
    schema: { querystring: listRetentionRulesInput, response: { 200: z.object({ items: z.array(retentionRuleSchema) }) } },
    handler: async (req) => ({ items: await core.retention.listRules(req.actor, req.query) }),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/retention/preview',
    operation: OPERATIONS.previewRetentionSweep,
    summary: 'Dry run: exactly what a sweep now would delete, anonymise or remove (counts over everything)',
    tags,
    schema: { body: previewRetentionInput.optional(), response: { 200: previewResultSchema } },
    handler: async (req) => core.retention.preview(req.actor, req.body ?? {}),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/retention/runs',
    operation: OPERATIONS.runRetentionSweep,
    summary: 'Run the retention sweep now (409 when one is already running, here or in another process)',
    tags,
    schema: { body: runRetentionInput.optional(), response: { 201: retentionRunSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.retention.run(req.actor, req.body ?? {})),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/retention/runs',
    operation: OPERATIONS.listRetentionRuns,
    summary: 'Sweep runs, newest first, with their counts',
    tags,
    schema: { querystring: listRetentionRunsInput, response: { 200: z.object({ items: z.array(retentionRunSchema) }) } },
    handler: async (req) => ({ items: await core.retention.listRuns(req.actor, req.query) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/retention/runs/:id',
    operation: OPERATIONS.getRetentionRun,
    summary: 'A sweep run’s report: counts and the destruction record of each customer',
    tags,
    schema: { params: idParams, querystring: getRetentionRunInput, response: { 200: retentionRunReportSchema } },
    handler: async (req) => core.retention.getRun(req.actor, req.params.id, req.query),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/retention/expiries',
    operation: OPERATIONS.listRetentionExpiries,
    summary: 'Upcoming expiries within a window: by rule, and the earliest customers',
    tags,
    schema: { querystring: listExpiriesInput, response: { 200: expiriesSchema } },
    handler: async (req) => core.retention.expiries(req.actor, req.query),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/retention/holds',
    operation: OPERATIONS.placeLegalHold,
    summary: 'Place a legal hold on a customer, a rule or a purpose’s own retention (stops the clock)',
    tags,
    schema: { body: placeLegalHoldInput, response: { 201: legalHoldSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.retention.placeHold(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/retention/holds',
    operation: OPERATIONS.listLegalHolds,
    summary: 'Legal holds in force (and released ones on request)',
    tags,
    schema: { querystring: listLegalHoldsInput, response: { 200: z.object({ items: z.array(legalHoldSchema) }) } },
    handler: async (req) => ({ items: await core.retention.listHolds(req.actor, req.query) }),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/retention/holds/:id/release',
    operation: OPERATIONS.releaseLegalHold,
    summary: 'Release a legal hold; the clock resumes, extended by the time it held',
    tags,
    schema: { params: idParams, body: releaseLegalHoldInput, response: { 200: legalHoldSchema } },
    handler: async (req) => core.retention.releaseHold(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/customers/:id/relationship-end',
    operation: OPERATIONS.endCustomerRelationship,
    summary: 'Record the end of the customer relationship (starts relationship_end retention clocks)',
    tags,
    schema: {
      params: idParams,
      body: endRelationshipInput,
      response: { 200: z.object({ customerId: z.uuid(), endedAt: z.iso.datetime() }) },
    },
    handler: async (req) => core.retention.endRelationship(req.actor, req.params.id, req.body),
  });
}
