import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { anonymousActor, channelActor, ForbiddenError, UnauthenticatedError, type Actor, type Core } from '@custos/core';

export const SESSION_COOKIE = 'custos_session';
/** The customer portal's session cookie (HTTP-only, SameSite=Strict, scoped to the portal API). */
export const PORTAL_COOKIE = 'custos_portal';
export const CHANNEL_KEY_HEADER = 'x-custos-channel-key';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    /** How the actor was authenticated on this request, for the CSRF rule. */
    authVia: 'cookie' | 'bearer' | 'channel' | 'none';
    /** Set when a channel key authenticated the request: the origins its widget may call from. */
    channelOrigins?: string[];
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

/**
 * Turns the session cookie or bearer token into the core Actor, then lets core decide whether
 * the route's operation is allowed before the body is even validated (so an unauthorized
 * caller learns nothing from validation errors). Core decides again inside the operation.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { core: Core }) => {
    const { core } = opts;
    app.decorateRequest('actor', null as unknown as Actor);
    app.decorateRequest('authVia', 'none');

    app.addHook('onRequest', async (req) => {
      // A collection widget: the channel's publishable key, from the channel's registered origins only.
      const channelKey = req.headers[CHANNEL_KEY_HEADER];
      if (typeof channelKey === 'string') {
        const channel = await core.channels.byPublicKey(channelKey);
        if (!channel) throw new UnauthenticatedError('unknown or disabled channel key');
        const origin = req.headers.origin;
        if (origin && !channel.allowedOrigins.includes(origin) && new URL(origin).host !== req.headers.host)
          throw new ForbiddenError('this origin is not registered for the channel');
        req.actor = channelActor(channel, req.id);
        req.authVia = 'channel';
        req.channelOrigins = channel.allowedOrigins;
        return;
      }
      const fromHeader = bearer(req);
      const portalToken = fromHeader?.startsWith('cpt_')
        ? fromHeader
        : req.url.startsWith('/api/v1/portal/')
          ? req.cookies[PORTAL_COOKIE]
          : undefined;
      if (portalToken) {
        const customer = await core.portal.actorForToken(portalToken, req.id);
        req.actor = customer ?? anonymousActor(req.id);
        req.authVia = customer ? (fromHeader ? 'bearer' : 'cookie') : 'none';
        if (req.authVia === 'cookie' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
          const origin = req.headers.origin;
          if (origin && new URL(origin).host !== req.headers.host) throw new ForbiddenError('cross-origin request refused');
        }
        return;
      }
      const fromCookie = req.cookies[SESSION_COOKIE];
      const token = fromHeader ?? fromCookie;
      const actor = token ? await core.auth.authenticate(token, { requestId: req.id }) : null;
      req.actor = actor ?? anonymousActor(req.id);
      req.authVia = actor ? (fromHeader ? 'bearer' : 'cookie') : 'none';
      // Cookie-authenticated writes must come from our own origin (SameSite=Strict is the first line).
      if (req.authVia === 'cookie' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
        const origin = req.headers.origin;
        if (origin && new URL(origin).host !== req.headers.host) throw new ForbiddenError('cross-origin request refused');
      }
    });

    app.addHook('preValidation', async (req) => {
      const op = req.routeOptions.config.operation;
      if (op) await core.runner.check(req.actor, op);
    });
  },
  { name: 'custos-auth', dependencies: ['@fastify/cookie'] },
);
