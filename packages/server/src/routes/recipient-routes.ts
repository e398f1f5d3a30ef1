import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  assessRecipientInput,
  capabilityTemplateSchema,
  createRecipientInput,
  recipientDecisionInput,
  OPERATIONS,
  RECIPIENT_STATUSES,
  recipientDetailSchema,
  recipientSchema,
  recordCommitmentInput,
  recordFindingInput,
  suspendRecipientInput,
  terminateRecipientInput,
  updateFindingInput,
  type Core,
} from '@custos/core';
import { apiRoute } from '../route-def.js';

const idParams = z.object({ id: z.uuid() });
const TAGS = ['recipients'];
const listQuery = z.object({
  status: z.enum(RECIPIENT_STATUSES).optional(),
  crossBorder: z.enum(['true', 'false']).optional(),
});

/** Third-party recipients (P6.1) and their supervision (P6.3). */
export async function recipientRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/recipients',
    operation: OPERATIONS.createRecipient,
    summary: 'Register a third party that may receive customer PI (pending until assessed, committed and approved)',
    tags: TAGS,
    schema: { body: createRecipientInput, response: { 201: recipientDetailSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.recipients.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/recipients',
    operation: OPERATIONS.listRecipients,
    summary: 'The recipients register, with each recipient’s eligibility and re-assessment due date',
    tags: TAGS,
    schema: { querystring: listQuery, response: { 200: z.object({ items: z.array(recipientSchema) }) } },
    handler: async (req) => ({
      items: await core.recipients.list(req.actor, {
        ...(req.query.status ? { status: req.query.status } : {}),
        ...(req.query.crossBorder ? { crossBorder: req.query.crossBorder === 'true' } : {}),
      }),
    }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/recipients/assessment-templates',
    operation: OPERATIONS.listRecipientAssessmentTemplates,
    summary: 'Capability questionnaire templates (weighted questions, pass threshold)',
    tags: TAGS,
    schema: { response: { 200: z.object({ items: z.array(capabilityTemplateSchema) }) } },
    handler: async (req) => ({ items: await core.recipients.templates(req.actor) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/recipients/:id',
    operation: OPERATIONS.getRecipient,
    summary: 'A recipient with its assessments, commitments, findings, termination and impact assessments',
    tags: TAGS,
    schema: { params: idParams, response: { 200: recipientDetailSchema } },
    handler: async (req) => core.recipients.get(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/recipients/:id/assessments',
    operation: OPERATIONS.assessRecipient,
    summary: 'Record a capability assessment (not by the registrant); evidence by SHA-256. A failing one suspends an approved recipient',
    tags: TAGS,
    schema: { params: idParams, body: assessRecipientInput, response: { 201: recipientDetailSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.recipients.assess(req.actor, req.params.id, req.body)),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/recipients/:id/commitments',
    operation: OPERATIONS.recordCommitment,
    summary: 'Record the signed agreement (hash) and the commitment to this policy, with effective and expiry dates',
    tags: TAGS,
    schema: { params: idParams, body: recordCommitmentInput, response: { 201: recipientDetailSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.recipients.recordCommitment(req.actor, req.params.id, req.body)),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/recipients/:id/approve',
    operation: OPERATIONS.approveRecipient,
    summary: 'Approve a pending recipient (passing assessment, commitment in force, impact assessment if cross-border; not the registrant)',
    tags: TAGS,
    schema: { params: idParams, body: recipientDecisionInput.optional(), response: { 200: recipientDetailSchema } },
    handler: async (req) => core.recipients.approve(req.actor, req.params.id, req.body ?? {}),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/recipients/:id/suspend',
    operation: OPERATIONS.suspendRecipient,
    summary: 'Suspend a recipient: all sharing to it stops at once',
    tags: TAGS,
    schema: { params: idParams, body: suspendRecipientInput, response: { 200: recipientDetailSchema } },
    handler: async (req) => core.recipients.suspend(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/recipients/:id/reinstate',
    operation: OPERATIONS.reinstateRecipient,
    summary: 'Reinstate a suspended recipient once its findings are closed and it passed a re-assessment',
    tags: TAGS,
    schema: { params: idParams, body: recipientDecisionInput.optional(), response: { 200: recipientDetailSchema } },
    handler: async (req) => core.recipients.reinstate(req.actor, req.params.id, req.body ?? {}),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/recipients/:id/terminate',
    operation: OPERATIONS.terminateRecipient,
    summary: 'Terminate a recipient, recording that it deleted or returned the data (evidence hash)',
    tags: TAGS,
    schema: { params: idParams, body: terminateRecipientInput, response: { 200: recipientDetailSchema } },
    handler: async (req) => core.recipients.terminate(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/recipients/:id/findings',
    operation: OPERATIONS.recordFinding,
    summary: 'Record a supervision finding with severity, owner and due date',
    tags: TAGS,
    schema: { params: idParams, body: recordFindingInput, response: { 201: recipientDetailSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.recipients.recordFinding(req.actor, req.params.id, req.body)),
  });
  apiRoute(app, {
    method: 'PATCH',
    url: '/api/v1/recipients/:id/findings/:findingId',
    operation: OPERATIONS.updateFinding,
    summary: 'Move a finding through remediation (open, remediating, closed) with a note',
    tags: TAGS,
    schema: {
      params: z.object({ id: z.uuid(), findingId: z.uuid() }),
      body: updateFindingInput,
      response: { 200: recipientDetailSchema },
    },
    handler: async (req) => core.recipients.updateFinding(req.actor, req.params.id, req.params.findingId, req.body),
  });
}
