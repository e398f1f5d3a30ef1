import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createCustomerInput,
  customerSchema,
  deleteCustomerInput,
  departmentPurposesInput,
  fieldHistoryEntrySchema,
  findCustomersInput,
  heldPurposeSchema,
  kekInfoSchema,
  OPERATIONS,
  revealInput,
  revealResultSchema,
  rewrapJobSchema,
  updateFieldInput,
  type Core,
} from '@custos/core';
import { apiRoute } from '../route-def.js';

/**
 * The customer PI vault (P2.3, P2.4, P4.1, P5.1). Values travel only in request and response
 * bodies, never in URLs: the search value is POSTed.
 */
export async function customerRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  const idParams = z.object({ id: z.uuid() });
  const fieldParams = z.object({ id: z.uuid(), field: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/) });

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/customers',
    operation: OPERATIONS.createCustomer,
    summary: 'Store a customer’s PI (each value validated, normalised and encrypted); returns masked values',
    tags: ['vault'],
    schema: { body: createCustomerInput, response: { 201: customerSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.customers.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/customers/search',
    operation: OPERATIONS.findCustomers,
    summary: 'Find customers by exact resident ID, mobile or email (blind index); masked results',
    tags: ['vault'],
    schema: { body: findCustomersInput, response: { 200: z.object({ items: z.array(customerSchema) }) } },
    handler: async (req) => ({ items: await core.customers.find(req.actor, req.body) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/customers/:id',
    operation: OPERATIONS.getCustomer,
    summary: 'A customer with masked values',
    tags: ['vault'],
    schema: { params: idParams, response: { 200: customerSchema } },
    handler: async (req) => core.customers.get(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/customers/:id/reveal',
    operation: OPERATIONS.revealCustomerFields,
    summary:
      'Plain values of some fields, for an active registered purpose your department holds, covered by consent (or its legal basis) and a live grant (audited with purpose and fields)',
    tags: ['vault'],
    schema: { params: idParams, body: revealInput, response: { 200: revealResultSchema } },
    handler: async (req) => core.customers.reveal(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'PUT',
    url: '/api/v1/customers/:id/fields/:field',
    operation: OPERATIONS.updateCustomerField,
    summary: 'Correct one field; the previous value is kept, encrypted, in the history',
    tags: ['vault'],
    schema: { params: fieldParams, body: updateFieldInput, response: { 200: customerSchema } },
    handler: async (req) => core.customers.updateField(req.actor, req.params.id, req.params.field, req.body),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/customers/:id/fields/:field/history',
    operation: OPERATIONS.listCustomerFieldHistory,
    summary: 'Correction history of one field (masked values, who, when, why)',
    tags: ['vault'],
    schema: { params: fieldParams, response: { 200: z.object({ items: z.array(fieldHistoryEntrySchema) }) } },
    handler: async (req) => ({ items: await core.customers.history(req.actor, req.params.id, req.params.field) }),
  });
  apiRoute(app, {
    method: 'DELETE',
    url: '/api/v1/customers/:id',
    operation: OPERATIONS.deleteCustomer,
    summary: 'Delete a customer by destroying their data key (crypto-shredding)',
    tags: ['vault'],
    schema: { params: idParams, body: deleteCustomerInput },
    handler: async (req, reply) => {
      await core.customers.delete(req.actor, req.params.id, req.body);
      return reply.code(204).send();
    },
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/keys',
    operation: OPERATIONS.listKeys,
    summary: 'Key-encryption keys (metadata only) with how many data keys each wraps, and re-wrap jobs',
    tags: ['keys'],
    schema: { response: { 200: z.object({ keks: z.array(kekInfoSchema), rewrapJobs: z.array(rewrapJobSchema) }) } },
    handler: async (req) => core.keys.list(req.actor),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/keys/rotate',
    operation: OPERATIONS.rotateKeys,
    summary: 'Create a new key-encryption key version and re-wrap every data key under it in the background',
    tags: ['keys'],
    schema: { response: { 202: rewrapJobSchema } },
    handler: async (req, reply) => reply.code(202).send(await core.keys.rotate(req.actor)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/me/purposes',
    operation: OPERATIONS.listMyPurposes,
    summary: 'The active registered purposes your department holds (what a reveal can name)',
    tags: ['vault'],
    schema: { response: { 200: z.object({ items: z.array(heldPurposeSchema) }) } },
    handler: async (req) => ({ items: await core.customers.listMyPurposes(req.actor) }),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/departments/:id/purposes',
    operation: OPERATIONS.listDepartmentPurposes,
    summary: 'The registered purposes a department may read customer PI for',
    tags: ['staff'],
    schema: { params: idParams, response: { 200: z.object({ purposes: z.array(z.string()) }) } },
    handler: async (req) => ({ purposes: await core.customers.listDepartmentPurposes(req.actor, req.params.id) }),
  });
  apiRoute(app, {
    method: 'PUT',
    url: '/api/v1/departments/:id/purposes',
    operation: OPERATIONS.setDepartmentPurposes,
    summary: 'Set the registered purposes (codes) a department may read customer PI for (P5.1)',
    tags: ['staff'],
    schema: { params: idParams, body: departmentPurposesInput, response: { 200: z.object({ purposes: z.array(z.string()) }) } },
    handler: async (req) => ({ purposes: await core.customers.setDepartmentPurposes(req.actor, req.params.id, req.body) }),
  });
}
