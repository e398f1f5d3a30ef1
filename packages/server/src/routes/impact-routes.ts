import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  completeImpactAssessmentInput,
  createImpactAssessmentInput,
  impactAssessmentSchema,
  listImpactAssessmentsInput,
  OPERATIONS,
  piaTemplateSchema,
  updateImpactAssessmentInput,
  type Core,
} from '@custos/core';
import { apiRoute } from '../route-def.js';

const idParams = z.object({ id: z.uuid() });
const TAGS = ['impact-assessments'];

/** Impact assessments: completed before sharing, transfers, disclosures and cross-border recipients are approved (P6.1, P6.2). */
export async function impactRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/impact-assessments',
    operation: OPERATIONS.createImpactAssessment,
    summary: 'Draft an impact assessment for a share, transfer, disclosure or recipient',
    tags: TAGS,
    schema: { body: createImpactAssessmentInput, response: { 201: impactAssessmentSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.impact.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/impact-assessments',
    operation: OPERATIONS.listImpactAssessments,
    summary: 'Impact assessments, filtered by subject and status',
    tags: TAGS,
    schema: { querystring: listImpactAssessmentsInput, response: { 200: z.object({ items: z.array(impactAssessmentSchema) }) } },
    handler: async (req) => ({ items: await core.impact.list(req.actor, req.query) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/impact-assessments/templates',
    operation: OPERATIONS.listImpactAssessmentTemplates,
    summary: 'Impact assessment templates (questions, options and the risk floor each sets)',
    tags: TAGS,
    schema: { response: { 200: z.object({ items: z.array(piaTemplateSchema) }) } },
    handler: async (req) => ({ items: await core.impact.templates(req.actor) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/impact-assessments/:id',
    operation: OPERATIONS.getImpactAssessment,
    summary: 'An impact assessment',
    tags: TAGS,
    schema: { params: idParams, response: { 200: impactAssessmentSchema } },
    handler: async (req) => core.impact.get(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'PATCH',
    url: '/api/v1/impact-assessments/:id',
    operation: OPERATIONS.updateImpactAssessment,
    summary: 'Change a draft impact assessment (answers, risk level, title, subject reference)',
    tags: TAGS,
    schema: { params: idParams, body: updateImpactAssessmentInput, response: { 200: impactAssessmentSchema } },
    handler: async (req) => core.impact.update(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/impact-assessments/:id/complete',
    operation: OPERATIONS.completeImpactAssessment,
    summary: 'Complete (approve) a draft: every required answer, risk not below what the answers call for, not by the author',
    tags: TAGS,
    schema: { params: idParams, body: completeImpactAssessmentInput.optional(), response: { 200: impactAssessmentSchema } },
    handler: async (req) => core.impact.complete(req.actor, req.params.id, req.body ?? {}),
  });
}
