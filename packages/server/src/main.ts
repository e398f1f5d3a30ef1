#!/usr/bin/env node
import { ConfigError, createCore, parseConfig } from '@custos/core';
import pino from 'pino';
import { buildApp } from './app.js';

/**
 * Process entry: the only place that reads the environment. Starts core (migrations under an
 * advisory lock), creates the bootstrap administrator on first start, serves API and console.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`custos: configuration error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const logger = pino({
    level: config.logLevel,
    // Credentials never reach the log; customer PI is never put in requests' URLs or headers.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    serializers: {
      // One-time export links are credentials too: their token is cut from logged URLs.
      req: (req: { method: string; url: string; host?: string; ip?: string }) => ({
        method: req.method,
        url: req.url.replace(/(\/(?:exports|shares)\/download\/)[^/?#]+/, '$1[redacted]'),
        host: req.host,
        remoteAddress: req.ip,
      }),
    },
  });
  const core = await createCore({ config, logger });
  if (config.bootstrapAdmin) {
    const r = await core.auth.bootstrapAdmin(config.bootstrapAdmin);
    logger.info({ username: config.bootstrapAdmin.username, result: r }, 'bootstrap administrator');
  }
  core.startBackground();
  const app = await buildApp({ core, logger });
  const close = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await app.close();
    await core.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void close('SIGINT'));
  process.once('SIGTERM', () => void close('SIGTERM'));
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ address, database: config.database.kind, mode: config.mode }, 'Custos is listening');
}

main().catch((e: unknown) => {
  console.error(`custos: failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
