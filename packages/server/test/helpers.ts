import type { FastifyInstance } from 'fastify';
import { buildApp, type RouteRecord } from '../src/index.js';
import { createTestCore, type DbKind, type TestCore } from '../../core/test/helpers.js';

export interface TestApp extends TestCore {
  app: FastifyInstance & { routeTable: RouteRecord[] };
}

export async function createTestApp(kind: DbKind, configOverrides: Record<string, string> = {}): Promise<TestApp> {
  const t = await createTestCore(kind, configOverrides);
  const app = await buildApp({ core: t.core, consoleDir: '/nonexistent' });
  await app.ready();
  return {
    ...t,
    app,
    async close() {
      await app.close();
      await t.close();
    },
  };
}

export async function loginToken(app: FastifyInstance, username: string, password: string): Promise<string> {
  const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (r.statusCode !== 200) throw new Error(`login failed: ${r.statusCode} ${r.body}`);
  return (r.json() as { token: string }).token;
}
