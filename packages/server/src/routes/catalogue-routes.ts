import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createDataCategoryInput, dataCategorySchema, dataCategoryVersionSchema, OPERATIONS, type Core } from '@custos/core';
import { apiRoute } from '../route-def.js';

/** P1.2: the PI catalogue. */
export async function catalogueRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/data-categories',
    operation: OPERATIONS.listDataCategories,
    summary: 'The PI catalogue: categories with PI type and sensitivity',
    tags: ['catalogue'],
    schema: { response: { 200: z.object({ items: z.array(dataCategorySchema) }) } },
    handler: async (req) => ({ items: await core.catalogue.list(req.actor) }),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/data-categories',
    operation: OPERATIONS.createDataCategory,
    summary: 'Add a custom PI category',
    tags: ['catalogue'],
    schema: { body: createDataCategoryInput, response: { 201: dataCategorySchema } },
    handler: async (req, reply) => reply.code(201).send(await core.catalogue.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/data-categories/:id/versions',
    operation: OPERATIONS.listDataCategoryVersions,
    summary: 'Version history of a PI category',
    tags: ['catalogue'],
    schema: { params: z.object({ id: z.uuid() }), response: { 200: z.object({ items: z.array(dataCategoryVersionSchema) }) } },
    handler: async (req) => ({ items: await core.catalogue.versions(req.actor, req.params.id) }),
  });
}
