import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../src/db/schema.js';
import { migrate } from '../src/index.js';
import { createTestDatabase, DB_KINDS, reportSkip, type TestDb } from './helpers.js';

/** The committed SQL migrations are the schema; the drizzle definitions must name the same tables and columns. */
for (const { kind, skip } of DB_KINDS) {
  reportSkip(`schema suite on ${kind}`, skip);
  describe.skipIf(skip)(`drizzle schema matches the migrations on ${kind}`, () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      await migrate(db.database);
    });
    afterAll(async () => db?.drop());

    it('every drizzle table exists with exactly its columns and nullability', async () => {
      const tables = Object.values(schema).filter((v): v is PgTable => v instanceof PgTable);
      expect(tables.length).toBeGreaterThan(10);
      for (const table of tables) {
        const config = getTableConfig(table);
        const rows = await db.database.query<{ column_name: string; is_nullable: string }>(
          `SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name`,
          [config.name],
        );
        const inDb = rows.map((r) => `${r.column_name}${r.is_nullable === 'YES' ? '?' : ''}`).sort();
        const inDrizzle = config.columns.map((c) => `${c.name}${c.notNull ? '' : '?'}`).sort();
        expect({ table: config.name, columns: inDrizzle }).toEqual({ table: config.name, columns: inDb });
      }
    });
  });
}
