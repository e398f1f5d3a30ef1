import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  certificateSchema,
  createMediumInput,
  dataSetLabel,
  dataSetSchema,
  decideDisposalInput,
  listMediaInput,
  mediumDetailSchema,
  mediumSchema,
  OPERATIONS,
  recordDestructionInput,
  recordInspectionInput,
  rejectDisposalInput,
  requestDisposalInput,
  updateDataSetInput,
  type Core,
} from '@custos/core';
import { apiRoute } from '../route-def.js';

const idParams = z.object({ id: z.uuid() });
const TAGS = ['storage-media'];

/** Storage media (P4.3): register, inspections, disposal with four eyes, destruction certificates. */
export async function mediaRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/storage-media',
    operation: OPERATIONS.createStorageMedium,
    summary: 'Register a storage medium holding customer PI',
    tags: TAGS,
    schema: { body: createMediumInput, response: { 201: mediumSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.media.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/storage-media',
    operation: OPERATIONS.listStorageMedia,
    summary: 'The storage-media register, with each medium’s next inspection due date',
    tags: TAGS,
    schema: { querystring: listMediaInput, response: { 200: z.object({ items: z.array(mediumSchema) }) } },
    handler: async (req) => ({ items: await core.media.list(req.actor, req.query) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/storage-media/data-sets',
    operation: OPERATIONS.listStorageDataSets,
    summary: 'Data sets held on media, whether each is still retained and how many live copies it has',
    tags: TAGS,
    schema: { response: { 200: z.object({ items: z.array(dataSetSchema) }) } },
    handler: async (req) => ({ items: await core.media.listDataSets(req.actor) }),
  });
  apiRoute(app, {
    method: 'PATCH',
    url: '/api/v1/storage-media/data-sets/:label',
    operation: OPERATIONS.updateStorageDataSet,
    summary: 'Mark a data set retained or not, or retained until a date',
    tags: TAGS,
    schema: { params: z.object({ label: dataSetLabel }), body: updateDataSetInput, response: { 200: dataSetSchema } },
    handler: async (req) => core.media.updateDataSet(req.actor, req.params.label, req.body),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/storage-media/:id',
    operation: OPERATIONS.getStorageMedium,
    summary: 'A medium with its inspection records and disposals',
    tags: TAGS,
    schema: { params: idParams, response: { 200: mediumDetailSchema } },
    handler: async (req) => core.media.get(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/storage-media/:id/inspections',
    operation: OPERATIONS.recordMediumInspection,
    summary: 'Record an inspection (checklist, result, findings); sets the next due date',
    tags: TAGS,
    schema: { params: idParams, body: recordInspectionInput, response: { 201: mediumDetailSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.media.recordInspection(req.actor, req.params.id, req.body)),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/storage-media/:id/disposal',
    operation: OPERATIONS.requestMediumDisposal,
    summary: 'Request disposal (refused while the medium holds the only copy of retained data)',
    tags: TAGS,
    schema: { params: idParams, body: requestDisposalInput, response: { 200: mediumDetailSchema } },
    handler: async (req) => core.media.requestDisposal(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/storage-media/:id/disposal/approve',
    operation: OPERATIONS.approveMediumDisposal,
    summary: 'Approve a requested disposal (not the requester)',
    tags: TAGS,
    schema: { params: idParams, body: decideDisposalInput.optional(), response: { 200: mediumDetailSchema } },
    handler: async (req) => core.media.approveDisposal(req.actor, req.params.id, req.body ?? {}),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/storage-media/:id/disposal/reject',
    operation: OPERATIONS.rejectMediumDisposal,
    summary: 'Reject a requested disposal with a comment; the medium returns to service',
    tags: TAGS,
    schema: { params: idParams, body: rejectDisposalInput, response: { 200: mediumDetailSchema } },
    handler: async (req) => core.media.rejectDisposal(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/storage-media/:id/destruction',
    operation: OPERATIONS.recordMediumDestruction,
    summary: 'Record the destruction (NIST SP 800-88 method, performer, witness, evidence hash); returns the certificate',
    tags: TAGS,
    schema: { params: idParams, body: recordDestructionInput, response: { 201: certificateSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.media.recordDestruction(req.actor, req.params.id, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/storage-media/:id/certificate',
    operation: OPERATIONS.getMediumDisposalCertificate,
    summary: 'The destruction certificate of a destroyed medium',
    tags: TAGS,
    schema: { params: idParams, response: { 200: certificateSchema } },
    handler: async (req) => core.media.getCertificate(req.actor, req.params.id),
  });
}
