import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { pendingMigrations, type Core } from '@custos/core';
import { problemPlugin } from './plugins/problem.js';
import { authPlugin } from './plugins/auth.js';
import { metricsPlugin } from './plugins/metrics.js';
import { authRoutes } from './routes/auth-routes.js';
import { staffRoutes } from './routes/staff-routes.js';
import { catalogueRoutes } from './routes/catalogue-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { customerRoutes } from './routes/customer-routes.js';
import { consentRoutes } from './routes/consent-routes.js';
import { useRoutes } from './routes/use-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { shareRoutes } from './routes/share-routes.js';
import { addWidgetCors, portalRoutes } from './routes/portal-routes.js';
import { mediaRoutes } from './routes/media-routes.js';
import { retentionRoutes } from './routes/retention-routes.js';
import { recipientRoutes } from './routes/recipient-routes.js';
import { impactRoutes } from './routes/impact-routes.js';
import { processingRecordRoutes } from './routes/processing-record-routes.js';
import { transferRoutes } from './routes/transfer-routes.js';
import { disclosureRoutes } from './routes/disclosure-routes.js';

export interface BuildAppOptions {
  core: Core;
  /** A pino logger (the server's); tests pass none. */
  logger?: FastifyBaseLogger;
  /** Folder of the built console; defaults to packages/console/dist when it exists. */
  consoleDir?: string | undefined;
  /** Folder of the built SDK (widget bundle and portal page); defaults to packages/sdk/dist. */
  sdkDir?: string | undefined;
}

export const DEFAULT_CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../console/dist');

/** Every route the app registered, for the authorization-matrix test and the docs. */
export interface RouteRecord {
  method: string;
  url: string;
  operationId: string | undefined;
  requires: unknown;
  publicRoute: boolean;
}

/**
 * The HTTP adapter: external plugins, then app plugins (errors, auth, metrics), then routes.
 * Routes only translate HTTP to core calls; every decision is core's.
 */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance & { routeTable: RouteRecord[] }> {
  const { core } = opts;
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: core.config.http.trustProxy,
    bodyLimit: 1024 * 1024,
  }) as unknown as FastifyInstance & { routeTable: RouteRecord[] };
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const routeTable: RouteRecord[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) {
      if (m === 'HEAD') continue;
      routeTable.push({
        method: m,
        url: r.url,
        operationId: r.config?.operation?.id,
        requires: r.config?.operation?.requires,
        // The SDK's static bundles (widget, portal page) are public files, like the console's.
        publicRoute: r.config?.publicRoute === true || /^\/(sdk|portal)\//.test(r.url),
      });
    }
  });

  // External plugins.
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Ant Design injects its CSS-in-JS styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        // Only behind HTTPS; on a plain-HTTP development server it would break the console.
        upgradeInsecureRequests: core.config.mode === 'production' ? [] : null,
      },
    },
    hsts: core.config.mode === 'production',
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Custos API',
        description: 'Customer personal-information protection: staff, catalogue, audit and the processing of customer PI.',
        version: '0.1.0',
        license: { name: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'custos_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { docExpansion: 'list' } });

  // App plugins.
  await app.register(problemPlugin);
  await app.register(authPlugin, { core });
  await app.register(metricsPlugin, { retention: () => core.retention.metrics() });

  // API responses may carry PI: never cache them anywhere.
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    reply.header('x-request-id', req.id);
  });

  addWidgetCors(app);

  // Routes.
  app.get('/openapi.json', { config: { publicRoute: true }, schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { config: { publicRoute: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { publicRoute: true }, schema: { hide: true } }, async (_req, reply) => {
    try {
      await core.database.query('SELECT 1');
      const pending = await pendingMigrations(core.database);
      if (pending.length) return reply.code(503).send({ status: 'migrations pending', pending });
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });
  await app.register(authRoutes, { core });
  await app.register(staffRoutes, { core });
  await app.register(catalogueRoutes, { core });
  await app.register(auditRoutes, { core });
  await app.register(customerRoutes, { core });
  await app.register(consentRoutes, { core });
  await app.register(useRoutes, { core });
  await app.register(exportRoutes, { core });
  await app.register(shareRoutes, { core });
  await app.register(mediaRoutes, { core });
  await app.register(retentionRoutes, { core });
  await app.register(recipientRoutes, { core });
  await app.register(impactRoutes, { core });
  await app.register(processingRecordRoutes, { core });
  await app.register(transferRoutes, { core });
  await app.register(disclosureRoutes, { core });
  await app.register(portalRoutes, { core, ...(opts.sdkDir ? { sdkDir: opts.sdkDir } : {}) });

  const consoleDir = opts.consoleDir ?? core.config.consoleDir ?? DEFAULT_CONSOLE_DIR;
  if (fs.existsSync(path.join(consoleDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: consoleDir, prefix: '/', wildcard: false, index: ['index.html'] });
  } else {
    app.get('/', { config: { publicRoute: true }, schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/plain; charset=utf-8').send('Custos API is running. The console is not built: run `npm run build`. API docs: /docs'),
    );
  }
  return app;
}
