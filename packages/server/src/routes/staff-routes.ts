import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createDepartmentInput, createUserInput, departmentSchema, OPERATIONS, ROLE_IDS, userSchema, type Core } from '@custos/core';
import { apiRoute } from '../route-def.js';

const localized = z.object({ 'zh-CN': z.string(), en: z.string() });
const roleSchema = z.object({ id: z.enum(ROLE_IDS), name: localized, description: localized, permissions: z.array(z.string()) });

/** P1.2: staff, departments and roles. */
export async function staffRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  const idParams = z.object({ id: z.uuid() });

  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/users',
    operation: OPERATIONS.listUsers,
    summary: 'List staff users (department heads see their own department)',
    tags: ['staff'],
    schema: { response: { 200: z.object({ items: z.array(userSchema) }) } },
    handler: async (req) => ({ items: await core.users.list(req.actor) }),
  });

  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/users/:id',
    operation: OPERATIONS.getUser,
    summary: 'One staff user',
    tags: ['staff'],
    schema: { params: idParams, response: { 200: userSchema } },
    handler: async (req) => core.users.get(req.actor, req.params.id),
  });

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/users',
    operation: OPERATIONS.createUser,
    summary: 'Create a staff user in a department with roles',
    tags: ['staff'],
    schema: { body: createUserInput, response: { 201: userSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.users.create(req.actor, req.body)),
  });

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/users/:id/disable',
    operation: OPERATIONS.disableUser,
    summary: 'Disable a user; ends their sessions and API tokens at once',
    tags: ['staff'],
    schema: { params: idParams, response: { 200: userSchema } },
    handler: async (req) => core.users.disable(req.actor, req.params.id),
  });

  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/departments',
    operation: OPERATIONS.listDepartments,
    summary: 'The department tree (flat list with parent ids)',
    tags: ['staff'],
    schema: { response: { 200: z.object({ items: z.array(departmentSchema) }) } },
    handler: async (req) => ({ items: await core.departments.list(req.actor) }),
  });

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/departments',
    operation: OPERATIONS.createDepartment,
    summary: 'Create a department',
    tags: ['staff'],
    schema: { body: createDepartmentInput, response: { 201: departmentSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.departments.create(req.actor, req.body)),
  });

  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/roles',
    operation: OPERATIONS.listRoles,
    summary: 'Built-in roles and their permissions',
    tags: ['staff'],
    schema: { response: { 200: z.object({ items: z.array(roleSchema) }) } },
    handler: async (req) => ({ items: await core.roles.list(req.actor) }),
  });
}
