import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import {
  OPERATIONS,
  portalOverviewSchema,
  publishedNoticeSchema,
  requestCodeInput,
  verifyCodeInput,
  withdrawMineInput,
  type Core,
} from '@custos/core';
import { apiRoute } from '../route-def.js';
import { PORTAL_COOKIE } from '../plugins/auth.js';

/** Where the SDK's browser bundles are (the widget and the portal page). */
export const DEFAULT_SDK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../sdk/dist');

/** Routes a widget on another site calls: CORS-enabled (the channel's registered origins for collection). */
const WIDGET_PATHS = [/^\/api\/v1\/public\//, /^\/api\/v1\/collections$/];

/** Share widget responses cross-origin: public reads with anyone, collection with the channel's registered origins. Registered at the root. */
export function addWidgetCors(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply) => {
    const origin = req.headers.origin;
    if (!origin || !WIDGET_PATHS.some((p) => p.test(req.url.split('?')[0]!))) return;
    const shared = req.url.startsWith('/api/v1/public/') || (req.authVia === 'channel' && (req.channelOrigins ?? []).includes(origin));
    if (shared) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-expose-headers', 'idempotent-replay, x-request-id');
      reply.header('vary', 'Origin');
    }
  });
}

/**
 * The customer-facing side (P2.2, P3.4): the published notice for the widget, the self-service
 * portal API and page, and the SDK's browser bundles.
 */
export async function portalRoutes(app: FastifyInstance, opts: { core: Core; sdkDir?: string }) {
  const { core } = opts;
  const cookie = { httpOnly: true, sameSite: 'strict' as const, secure: core.config.http.cookieSecure, path: '/api/v1/portal' };

  // CORS for the widget: preflights are answered for any origin (they carry no data); real
  // responses are shared only with public reads or the channel's registered origins.
  for (const url of ['/api/v1/collections', '/api/v1/public/purposes/:code/notice']) {
    app.options(url, { config: { publicRoute: true }, schema: { hide: true } }, async (req, reply) => {
      const origin = req.headers.origin;
      if (origin) {
        reply.header('access-control-allow-origin', origin);
        reply.header('vary', 'Origin');
        reply.header('access-control-allow-methods', 'GET, POST');
        reply.header('access-control-allow-headers', 'content-type, idempotency-key, x-custos-channel-key');
        reply.header('access-control-max-age', '600');
      }
      return reply.code(204).send();
    });
  }

  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/public/purposes/:code/notice',
    operation: OPERATIONS.getPublishedNotice,
    summary: 'The published notice of a purpose’s active version, as the consent widget shows it',
    tags: ['public'],
    schema: { params: z.object({ code: z.string().max(64) }), response: { 200: publishedNoticeSchema } },
    handler: async (req) => core.notices.getPublished(req.actor, req.params.code),
  });

  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/portal/challenges',
    operation: OPERATIONS.requestPortalCode,
    summary: 'Send a one-time code to a customer’s own mobile or email (the same answer whether or not it is known)',
    tags: ['portal'],
    schema: { body: requestCodeInput, response: { 202: z.object({ challengeId: z.uuid() }) } },
    config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    handler: async (req, reply) => reply.code(202).send(await core.portal.requestCode(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/portal/sessions',
    operation: OPERATIONS.verifyPortalCode,
    summary: 'Exchange the one-time code for a portal session (cookie and token)',
    tags: ['portal'],
    schema: { body: verifyCodeInput, response: { 200: z.object({ token: z.string(), expiresAt: z.iso.datetime() }) } },
    config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
    handler: async (req, reply) => {
      const s = await core.portal.verifyCode(req.actor, req.body);
      reply.setCookie(PORTAL_COOKIE, s.token, { ...cookie, maxAge: core.config.portal.sessionMinutes * 60 });
      return s;
    },
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/portal/me',
    operation: OPERATIONS.getPortalOverview,
    summary: 'The signed-in customer’s masked data and consents',
    tags: ['portal'],
    schema: { response: { 200: portalOverviewSchema } },
    handler: async (req) => core.portal.overview(req.actor),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/portal/withdrawals',
    operation: OPERATIONS.withdrawMyConsent,
    summary: 'Withdraw consent for a purpose (all of it, or some categories)',
    tags: ['portal'],
    schema: { body: withdrawMineInput, response: { 200: z.object({ consentIds: z.array(z.uuid()) }) } },
    handler: async (req) => core.portal.withdraw(req.actor, req.body),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/portal/logout',
    operation: OPERATIONS.portalLogout,
    summary: 'End the portal session',
    tags: ['portal'],
    schema: {},
    handler: async (req, reply) => {
      const h = req.headers.authorization;
      const token = h?.startsWith('Bearer ') ? h.slice(7) : req.cookies[PORTAL_COOKIE];
      await core.portal.logout(req.actor, token);
      reply.clearCookie(PORTAL_COOKIE, cookie);
      return reply.code(204).send();
    },
  });

  const sdkDir = opts.sdkDir ?? DEFAULT_SDK_DIR;
  if (fs.existsSync(sdkDir)) {
    // The widget bundle is loaded by customers' pages on other sites.
    await app.register(fastifyStatic, {
      root: sdkDir,
      prefix: '/sdk/',
      decorateReply: false,
      setHeaders: (res) => {
        res.setHeader('access-control-allow-origin', '*');
        res.setHeader('cross-origin-resource-policy', 'cross-origin');
      },
    });
  }
  const portalDir = path.join(sdkDir, 'portal');
  if (fs.existsSync(path.join(portalDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: portalDir, prefix: '/portal/', decorateReply: false, index: ['index.html'] });
  }
}
