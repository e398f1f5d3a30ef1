import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import client from 'prom-client';

/** Prometheus metrics at /metrics: process metrics plus request counts and latency by route. */
export const metricsPlugin = fp(
  async (app: FastifyInstance) => {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry, prefix: 'custos_' });
    const duration = new client.Histogram({
      name: 'custos_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    app.addHook('onResponse', async (req, reply) => {
      // The route template, never the concrete URL, so ids do not become label values.
      const route = req.routeOptions.url ?? 'unmatched';
      duration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
    app.get('/metrics', { config: { publicRoute: true }, schema: { hide: true } }, async (_req, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'custos-metrics' },
);
