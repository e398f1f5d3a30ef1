import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  currentUserSchema,
  loginInput,
  loginResult,
  apiTokenSchema,
  createApiTokenInput,
  NotFoundError,
  OPERATIONS,
  type Core,
} from '@custos/core';
import { apiRoute } from '../route-def.js';
import { SESSION_COOKIE } from '../plugins/auth.js';

export async function authRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  const cookieBase = { httpOnly: true, sameSite: 'strict' as const, secure: core.config.http.cookieSecure, path: '/' };

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/auth/login',
    operation: OPERATIONS.login,
    summary: 'Sign in with username and password; returns a token and sets the session cookie',
    tags: ['auth'],
    schema: { body: loginInput, response: { 200: loginResult } },
    // Per-address limit on top of core's per-username throttle.
    config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
    handler: async (req, reply) => {
      const result = await core.auth.login(req.body, { requestId: req.id });
      reply.setCookie(SESSION_COOKIE, result.token, { ...cookieBase, maxAge: core.config.sessions.maxHours * 3600 });
      return result;
    },
  });

  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/auth/methods',
    operation: OPERATIONS.listLoginMethods,
    summary: 'Which sign-in methods this deployment offers',
    tags: ['auth'],
    schema: { response: { 200: z.object({ password: z.boolean(), oidc: z.boolean() }) } },
    handler: async () => ({ password: true, oidc: core.oidc !== undefined }),
  });

  const OIDC_STATE_COOKIE = 'custos_oidc_state';
  const requireOidc = () => {
    if (!core.oidc) throw new NotFoundError('single sign-on is not configured');
    return core.oidc;
  };

  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/auth/oidc/login',
    operation: OPERATIONS.startOidcLogin,
    summary: 'Start single sign-on: redirects to the identity provider',
    tags: ['auth'],
    schema: {},
    config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
    handler: async (req, reply) => {
      const { redirectUrl, state } = await requireOidc().begin({ requestId: req.id });
      // Lax, not Strict: the provider's redirect back is a cross-site top-level navigation.
      reply.setCookie(OIDC_STATE_COOKIE, state, { ...cookieBase, sameSite: 'lax', maxAge: 600 });
      return reply.redirect(redirectUrl, 302);
    },
  });

  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/auth/oidc/callback',
    operation: OPERATIONS.completeOidcLogin,
    summary: 'The identity provider returns here; sets the session cookie and opens the console',
    tags: ['auth'],
    schema: {
      querystring: z
        .object({ code: z.string().max(2048).optional(), state: z.string().max(512).optional(), error: z.string().max(200).optional() })
        .loose(),
    },
    handler: async (req, reply) => {
      const oidc = requireOidc();
      const callbackUrl = new URL(req.url, core.config.oidc!.redirectUri);
      const result = await oidc.complete(callbackUrl, req.cookies[OIDC_STATE_COOKIE], { requestId: req.id });
      reply.clearCookie(OIDC_STATE_COOKIE, { ...cookieBase, sameSite: 'lax' });
      reply.setCookie(SESSION_COOKIE, result.token, { ...cookieBase, maxAge: core.config.sessions.maxHours * 3600 });
      return reply.redirect('/', 302);
    },
  });

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/auth/logout',
    operation: OPERATIONS.logout,
    summary: 'End the current session',
    tags: ['auth'],
    schema: {},
    handler: async (req, reply) => {
      await core.auth.logout(req.actor);
      reply.clearCookie(SESSION_COOKIE, cookieBase);
      return reply.code(204).send();
    },
  });

  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/me',
    operation: OPERATIONS.getCurrentUser,
    summary: 'The signed-in user with roles and effective permissions',
    tags: ['auth'],
    schema: { response: { 200: currentUserSchema } },
    handler: async (req) => core.users.current(req.actor),
  });

  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/api-tokens',
    operation: OPERATIONS.listApiTokens,
    summary: "List the caller's API tokens (never the tokens themselves)",
    tags: ['auth'],
    schema: { response: { 200: z.object({ items: z.array(apiTokenSchema) }) } },
    handler: async (req) => ({ items: await core.auth.listApiTokens(req.actor) }),
  });

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/api-tokens',
    operation: OPERATIONS.createApiToken,
    summary: 'Create a scoped API token for an integration; the token is shown once',
    tags: ['auth'],
    schema: { body: createApiTokenInput, response: { 201: apiTokenSchema.extend({ token: z.string() }) } },
    handler: async (req, reply) => reply.code(201).send(await core.auth.createApiToken(req.actor, req.body)),
  });

  apiRoute(app, {
    method: 'DELETE',
    url: '/api/v1/api-tokens/:id',
    operation: OPERATIONS.revokeApiToken,
    summary: 'Revoke one of your API tokens',
    tags: ['auth'],
    schema: { params: z.object({ id: z.uuid() }) },
    handler: async (req, reply) => {
      await core.auth.revokeApiToken(req.actor, req.params.id);
      return reply.code(204).send();
    },
  });
}
