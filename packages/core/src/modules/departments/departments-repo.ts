import { eq, sql } from 'drizzle-orm';
import { sqlRows, type Tx } from '../../db/client.js';
import { departments } from '../../db/schema.js';
import type { Department } from './departments-types.js';

export type DepartmentRow = typeof departments.$inferSelect;

export function toDepartment(r: DepartmentRow): Department {
  return { id: r.id, name: r.name, parentId: r.parentId, headUserId: r.headUserId, createdAt: r.createdAt.toISOString() };
}

export async function listDepartments(tx: Tx): Promise<DepartmentRow[]> {
  return tx.select().from(departments).orderBy(departments.name);
}

export async function findDepartment(tx: Tx, id: string): Promise<DepartmentRow | undefined> {
  return (await tx.select().from(departments).where(eq(departments.id, id)))[0];
}

/** A department and everything below it in the tree. */
export async function departmentSubtreeIds(tx: Tx, rootId: string): Promise<string[]> {
  const r = await sqlRows<{ id: string }>(
    tx,
    sql`WITH RECURSIVE t(id) AS (
      SELECT id FROM departments WHERE id = ${rootId}
      UNION SELECT d.id FROM departments d JOIN t ON d.parent_id = t.id)
    SELECT id FROM t`,
  );
  return r.map((x) => x.id);
}
