/**
 * Test databases: every database test runs on PGlite and, when CUSTOS_TEST_DATABASE_URL is set
 * (CI sets it), on a real PostgreSQL too, each test file in a database of its own.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createCore, openDatabase, parseConfig, type Actor, type Config, type Core, type Database } from '../src/index.js';

export type DbKind = 'pglite' | 'postgres';

const PG_URL = process.env.CUSTOS_TEST_DATABASE_URL;

/** The kinds to run; a missing PostgreSQL is reported as a skipped suite, never silently dropped. */
export const DB_KINDS: Array<{ kind: DbKind; skip: string | false }> = [
  { kind: 'pglite', skip: false },
  { kind: 'postgres', skip: PG_URL ? false : 'CUSTOS_TEST_DATABASE_URL not set' },
];

export function reportSkip(suite: string, reason: string | false): void {
  // scripts/test.mjs counts these lines; .ci/run fails when there are any.
  if (reason) console.warn(`SKIPPED ${suite}: ${reason}`);
}

export interface TestDb {
  kind: DbKind;
  database: Database;
  url: string | null;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: DbKind): Promise<TestDb> {
  if (kind === 'pglite') {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    return { kind, database, url: null, drop: () => database.close() };
  }
  const name = `custos_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_URL!);
  u.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: u.toString(), poolSize: 12 });
  return {
    kind,
    database,
    url: u.toString(),
    async drop() {
      await database.close();
      const a = new pg.Client({ connectionString: PG_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-test-'));
  return parseConfig({ CUSTOS_DATA_DIR: dir, CUSTOS_AUDIT_CHECKPOINT_SECONDS: '0', ...overrides });
}

/** Cheap KDF for tests only; the stored hash records its parameters, so verification is real. */
export const TEST_KDF = { N: 2 ** 10, r: 8, p: 1 };

export interface TestCore {
  core: Core;
  db: TestDb;
  /** What core logged (info and above), for tests that read the development notifier's messages. */
  logs: Array<{ level: string; obj: Record<string, unknown>; msg: string | undefined }>;
  /** The text of the latest message the development (log) notifier delivered on a topic; waits for delivery. */
  lastNotification(topic: string): Promise<string>;
  close(): Promise<void>;
}

export async function createTestCore(kind: DbKind, configOverrides: Record<string, string> = {}): Promise<TestCore> {
  const db = await createTestDatabase(kind);
  const logs: TestCore['logs'] = [];
  const record = (level: string) => (obj: object, msg?: string) => void logs.push({ level, obj: obj as Record<string, unknown>, msg });
  const logger = { info: record('info'), warn: record('warn'), error: record('error') };
  const core = await createCore({
    config: testConfig(configOverrides),
    database: db.database,
    kdf: TEST_KDF,
    loginDelay: async () => {},
    logger,
  });
  return {
    core,
    db,
    logs,
    async lastNotification(topic: string) {
      await core.notifier.drain();
      const m = logs.filter((l) => l.msg === 'notification (log notifier)' && l.obj.topic === topic).at(-1);
      if (!m) throw new Error(`no ${topic} notification was delivered`);
      return String(m.obj.text);
    },
    async close() {
      await core.close();
      await db.drop();
    },
  };
}

export const SYSTEM: Actor = {
  type: 'system',
  userId: null,
  username: 'system',
  departmentId: null,
  roles: ['administrator'],
  authMethod: 'system',
};

export const STRONG_PASSWORD = 'Tea-Garden-Lantern-42';

/** Create a department and a user with the given roles; returns an Actor for them. */
export async function makeUser(core: Core, roles: Actor['roles'], opts: { departmentId?: string; username?: string } = {}): Promise<Actor> {
  const departmentId = opts.departmentId ?? (await core.departments.create(SYSTEM, { name: `dept-${randomBytes(4).toString('hex')}` })).id;
  const username = opts.username ?? `u${randomBytes(5).toString('hex')}`;
  const u = await core.users.create(SYSTEM, {
    username,
    displayName: username,
    password: STRONG_PASSWORD,
    departmentId,
    roles: roles as never,
  });
  return { type: 'user', userId: u.id, username, departmentId, roles, authMethod: 'session' };
}
