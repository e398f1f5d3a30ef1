import { eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { users } from '../../db/schema.js';
import type { Actor } from '../../context.js';
import type { RoleId } from '../../authz/roles.js';
import { effectivePermissions } from '../../authz/authz-fns.js';
import type { CurrentUser, User } from './users-types.js';

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

/** The Actor of a signed-in user: password, OIDC and API-token sign-ins all build it here. */
export function actorForUser(
  u: UserRow,
  authMethod: Actor['authMethod'],
  requestId: string | undefined,
  extra: Partial<Actor> = {},
): Actor {
  return {
    type: 'user',
    userId: u.id,
    username: u.username,
    departmentId: u.departmentId,
    roles: u.roles as RoleId[],
    authMethod,
    requestId,
    ...extra,
  };
}

/** The signed-in user with the permissions this actor holds (a token's scopes narrow them). */
export function toCurrentUser(u: UserRow, actor: Actor): CurrentUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    departmentId: u.departmentId,
    roles: u.roles,
    permissions: [...effectivePermissions(actor)].sort(),
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
