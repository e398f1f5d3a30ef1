import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './client.js';

/** Where the committed SQL migrations live (packages/core/migrations), from src/ or dist/. */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** One advisory-lock key for migrations, so two servers starting together do not race. */
const MIGRATION_LOCK = 0x637573746f73n; // "custos"

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Apply pending migrations, each in its own transaction, under an advisory lock. Refuses to
 * run if an already-applied migration file was edited (its checksum changed): committed
 * migrations are history, and a new change needs a new file.
 */
export async function migrate(database: Database, onProgress?: (msg: string) => void): Promise<MigrationResult> {
  const migrations = readMigrations();
  return database.withAdvisoryLock(MIGRATION_LOCK, async () => {
    await database.exec(`CREATE TABLE IF NOT EXISTS custos_schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const rows = await database.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM custos_schema_migrations ORDER BY version',
    );
    const applied = new Map(rows.map((r) => [Number(r.version), r]));
    for (const m of migrations) {
      const a = applied.get(m.version);
      if (a && a.checksum !== m.checksum) {
        throw new Error(`migration ${m.name} was changed after it was applied (checksum mismatch); add a new migration instead`);
      }
    }
    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      onProgress?.(`applying ${m.name}`);
      await database
        .exec(
          `BEGIN;\n${m.sql}\n;INSERT INTO custos_schema_migrations (version, name, checksum) VALUES (${m.version}, '${m.name}', '${m.checksum}');\nCOMMIT;`,
        )
        .catch(async (e: unknown) => {
          await database.exec('ROLLBACK').catch(() => {});
          throw new Error(`migration ${m.name} failed: ${(e as Error).message}`);
        });
      done.push(m.name);
    }
    return { applied: done, alreadyApplied: applied.size };
  });
}

/** For /readyz: are all committed migrations applied? */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const migrations = readMigrations();
  let rows: { version: number }[] = [];
  try {
    rows = await database.query<{ version: number }>('SELECT version FROM custos_schema_migrations');
  } catch {
    return migrations.map((m) => m.name);
  }
  const have = new Set(rows.map((r) => Number(r.version)));
  return migrations.filter((m) => !have.has(m.version)).map((m) => m.name);
}
