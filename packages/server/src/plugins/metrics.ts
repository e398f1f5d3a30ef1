import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import client from 'prom-client';
import type { RetentionMetrics } from '@custos/core';

/** Prometheus metrics at /metrics: process metrics plus request counts and latency by route. */
export const metricsPlugin = fp(
  async (app: FastifyInstance, opts: { retention?: () => RetentionMetrics }) => {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry, prefix: 'custos_' });
    // P4.2: the retention sweep's runs, what it destroyed and how long it took (this process).
    const retention = opts.retention;
    if (retention) {
      type Read = (m: RetentionMetrics) => Array<[Record<string, string>, number]>;
      // Values live in core (in-process counters); each scrape copies them.
      const counter = (name: string, help: string, labelNames: string[], read: Read) =>
        name.endsWith('_total')
          ? new client.Counter({
              name,
              help,
              labelNames,
              registers: [registry],
              collect() {
                this.reset();
                for (const [labels, v] of read(retention())) this.inc(labels, v);
              },
            })
          : new client.Gauge({
              name,
              help,
              labelNames,
              registers: [registry],
              collect() {
                this.reset();
                for (const [labels, v] of read(retention())) this.set(labels, v);
              },
            });
      counter('custos_retention_runs_total', 'Retention sweep runs in this process by outcome', ['status'], (m) =>
        Object.entries(m.runs).map(([status, v]) => [{ status }, v]),
      );
      counter('custos_retention_customers_total', 'Customers acted on by retention sweeps in this process, by action', ['action'], (m) =>
        Object.entries(m.customers).map(([action, v]) => [{ action }, v]),
      );
      counter('custos_retention_run_duration_seconds_total', 'Total time of retention sweeps in this process', [], (m) => [
        [{}, m.durationSecondsTotal],
      ]);
      counter('custos_retention_last_run_duration_seconds', 'Duration of the last retention sweep in this process', [], (m) => [
        [{}, m.lastDurationSeconds],
      ]);
      counter('custos_retention_running', '1 while this process runs a retention sweep', [], (m) => [[{}, m.running]]);
    }
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
