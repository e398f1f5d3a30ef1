import { eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { users } from '../../db/schema.js';
import type { User } from './users-types.js';

export type UserRow = typeof users.$inferSelect;

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.displayName,
    email: r.email,
    departmentId: r.departmentId,
    roles: r.roles as User['roles'],
    status: r.status,
    createdAt: r.createdAt.toISOString(),
  };
}

export async function findUserById(tx: Tx, id: string): Promise<UserRow | undefined> {
  return (await tx.select().from(users).where(eq(users.id, id)))[0];
}

export async function findUserByUsername(tx: Tx, username: string): Promise<UserRow | undefined> {
  return (
    await tx
      .select()
      .from(users)
      .where(sql`lower(${users.username}) = lower(${username})`)
  )[0];
}

export async function listUsers(tx: Tx, departmentIds?: string[]): Promise<UserRow[]> {
  const q = tx.select().from(users);
  return departmentIds ? q.where(inArray(users.departmentId, departmentIds)).orderBy(users.username) : q.orderBy(users.username);
}

export async function insertUser(tx: Tx, values: typeof users.$inferInsert): Promise<UserRow> {
  return (await tx.insert(users).values(values).returning())[0]!;
}

export async function countUsers(tx: Tx): Promise<number> {
  const r = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
  return Number(r[0]?.n ?? 0);
}

export async function setUserStatus(tx: Tx, id: string, status: 'active' | 'disabled'): Promise<UserRow | undefined> {
  return (
    await tx
      .update(users)
      .set({ status, updatedAt: new Date(), disabledAt: status === 'disabled' ? new Date() : null })
      .where(eq(users.id, id))
      .returning()
  )[0];
}
