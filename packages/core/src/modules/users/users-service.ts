import { eq } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import { apiTokens, sessions } from '../../db/schema.js';
import { ConflictError, InvalidError, NotFoundError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { OperationContext, Runner } from '../../runner.js';
import { isUniqueViolation, parseInput } from '../../validation.js';
import { checkPasswordPolicy, hashPassword, PASSWORD_PROBLEM_MESSAGES, type KdfParams } from '../auth/password-fns.js';
import { departmentSubtreeIds, findDepartment } from '../departments/departments-repo.js';
import { findUserById, insertUser, listUsers, setUserStatus, toCurrentUser, toUser, type UserRow } from './users-repo.js';
import { createUserInput, type CreateUserInput, type CurrentUser, type User } from './users-types.js';

/** P1.2: the staff register. */
export function createUsersService(deps: { runner: Runner; kdf: KdfParams }) {
  const { runner } = deps;

  /** Data-level rule: department heads see their own department's subtree; others with user.read see all. */
  async function visibleDepartmentIds(ctx: OperationContext): Promise<string[] | undefined> {
    if (ctx.can('user.read')) return undefined;
    if (!ctx.actor.departmentId) return [];
    return departmentSubtreeIds(ctx.tx, ctx.actor.departmentId);
  }

  async function requireVisible(ctx: OperationContext, id: string): Promise<UserRow> {
    const row = await findUserById(ctx.tx, id);
    if (!row) throw new NotFoundError('user not found');
    const visible = await visibleDepartmentIds(ctx);
    if (visible && !(row.departmentId && visible.includes(row.departmentId))) {
      throw new NotFoundError('user not found', { resourceType: 'user', resourceId: id, permission: 'user.read' });
    }
    return row;
  }

  return {
    list(actor: Actor): Promise<User[]> {
      return runner.run(actor, OPERATIONS.listUsers, async (ctx) => (await listUsers(ctx.tx, await visibleDepartmentIds(ctx))).map(toUser));
    },

    get(actor: Actor, id: string): Promise<User> {
      return runner.run(actor, OPERATIONS.getUser, async (ctx) => toUser(await requireVisible(ctx, id)));
    },

    create(actor: Actor, input: CreateUserInput): Promise<User> {
      return runner.run(actor, OPERATIONS.createUser, async ({ tx, audit }) => {
        const data = parseInput(createUserInput, input);
        if (!(await findDepartment(tx, data.departmentId))) {
          throw new InvalidError('the department does not exist', [{ field: 'departmentId', reason: 'not_found' }]);
        }
        let passwordHash: string | null = null;
        if (data.password !== undefined) {
          const problem = checkPasswordPolicy(data.password, data.username);
          if (problem)
            throw new InvalidError(`the password ${PASSWORD_PROBLEM_MESSAGES[problem]}`, [{ field: 'password', reason: problem }]);
          passwordHash = await hashPassword(data.password, deps.kdf);
        }
        const row = await insertUser(tx, {
          username: data.username,
          displayName: data.displayName,
          email: data.email ?? null,
          departmentId: data.departmentId,
          roles: data.roles,
          passwordHash,
        }).catch((e: unknown) => {
          if (isUniqueViolation(e)) throw new ConflictError('a user with this username already exists');
          throw e;
        });
        await audit({
          action: 'user.created',
          resourceType: 'user',
          resourceId: row.id,
          details: { username: row.username, departmentId: row.departmentId, roles: row.roles, passwordSet: passwordHash !== null },
        });
        return toUser(row);
      });
    },

    /** Disabling ends the user's sessions and API tokens in the same transaction. */
    disable(actor: Actor, id: string): Promise<User> {
      return runner.run(actor, OPERATIONS.disableUser, async (ctx) => {
        const row = await requireVisible(ctx, id);
        if (row.id === ctx.actor.userId) throw new InvalidError('you cannot disable your own account', [{ field: 'id', reason: 'self' }]);
        const now = new Date();
        const updated = (await setUserStatus(ctx.tx, row.id, 'disabled'))!;
        const ended = await ctx.tx
          .update(sessions)
          .set({ revokedAt: now })
          .where(eq(sessions.userId, row.id))
          .returning({ id: sessions.id });
        const revoked = await ctx.tx
          .update(apiTokens)
          .set({ revokedAt: now })
          .where(eq(apiTokens.userId, row.id))
          .returning({ id: apiTokens.id });
        await ctx.audit({
          action: 'user.disabled',
          resourceType: 'user',
          resourceId: row.id,
          details: { username: row.username, sessionsEnded: ended.length, tokensRevoked: revoked.length },
        });
        return toUser(updated);
      });
    },

    current(actor: Actor): Promise<CurrentUser> {
      return runner.run(actor, OPERATIONS.getCurrentUser, async ({ tx }) => {
        const row = await findUserById(tx, actor.userId!);
        if (!row) throw new NotFoundError('user not found');
        return toCurrentUser(row, actor);
      });
    },
  };
}
