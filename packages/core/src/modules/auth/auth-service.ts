import { createHash } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import { anonymousActor, systemActor } from '../../context.js';
import type { Database } from '../../db/client.js';
import { apiTokens, departments, loginThrottle, sessions, users } from '../../db/schema.js';
import { ForbiddenError, InvalidError, NotFoundError, UnauthenticatedError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import type { AuditService } from '../../audit/audit-service.js';
import { parseInput } from '../../validation.js';
import {
  checkPasswordPolicy,
  dummyPasswordHash,
  hashPassword,
  PASSWORD_PROBLEM_MESSAGES,
  verifyPassword,
  type KdfParams,
} from './password-fns.js';
import { failedLoginDelayMs, newToken, tokenHash } from './token-fns.js';
import {
  apiTokenSchema,
  createApiTokenInput,
  loginInput,
  type ApiToken,
  type CreateApiTokenInput,
  type LoginInput,
  type LoginResult,
} from './auth-types.js';
import { effectivePermissions } from '../../authz/authz-fns.js';
import { actorForUser, countUsers, findUserByUsername, toCurrentUser } from '../users/users-repo.js';

export interface AuthSettings {
  idleMinutes: number;
  maxHours: number;
  lockThreshold: number;
  lockMinutes: number;
  kdf: KdfParams;
  /** Tests shorten the failed-login delay; production keeps the default. */
  delay?: (ms: number) => Promise<void>;
}

/** One message for every failed login, so a failure does not reveal whether the user exists. */
const LOGIN_FAILED = 'invalid username or password, or the account is temporarily locked';
/** Write last-seen at most this often, so authenticated reads do not each cost a write. */
const TOUCH_EVERY_MS = 60_000;

const usernameKey = (u: string) => createHash('sha256').update(`custos.login.v1\0${u.trim().toLowerCase()}`).digest('hex');

export function createAuthService(deps: { database: Database; runner: Runner; audit: AuditService; settings: AuthSettings }) {
  const { database, runner, audit, settings } = deps;
  const sleep = settings.delay ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  return {
    /**
     * Password login (P1.2, P2.3). Failures are throttled per username whether or not it exists:
     * after a few the answer slows down, after `lockThreshold` the name is locked for a while.
     */
    async login(input: LoginInput, meta: { requestId?: string } = {}): Promise<LoginResult> {
      const data = parseInput(loginInput, input);
      const anon = anonymousActor(meta.requestId);
      const key = usernameKey(data.username);
      const now = new Date();
      const outcome = await runner.run(anon, OPERATIONS.login, async ({ tx }) => {
        const throttle = (await tx.select().from(loginThrottle).where(eq(loginThrottle.usernameKey, key)).for('update'))[0];
        const locked = throttle?.lockedUntil && throttle.lockedUntil > now;
        const user = await findUserByUsername(tx, data.username);
        // Always run the KDF so that unknown users, locked users and wrong passwords take the same time.
        const ok = await verifyPassword(data.password, user?.passwordHash ?? (await dummyPasswordHash(settings.kdf)));
        if (ok && user && user.passwordHash && user.status === 'active' && !locked) {
          if (throttle) await tx.delete(loginThrottle).where(eq(loginThrottle.usernameKey, key));
          const token = newToken('cs');
          const expiresAt = new Date(now.getTime() + settings.maxHours * 3_600_000);
          await tx.insert(sessions).values({ id: tokenHash(token), userId: user.id, authMethod: 'password', expiresAt });
          const actor = actorForUser(user, 'session', meta.requestId);
          await audit.append(tx, actor, {
            action: 'auth.login_succeeded',
            resourceType: 'user',
            resourceId: user.id,
            clauses: ['P1.2', 'P2.3'],
            details: { method: 'password' },
          });
          return { ok: true as const, token, expiresAt, user, actor };
        }
        const failures = (throttle?.failures ?? 0) + (locked ? 0 : 1);
        const lockedUntil = locked
          ? throttle!.lockedUntil
          : failures >= settings.lockThreshold
            ? new Date(now.getTime() + settings.lockMinutes * 60_000)
            : null;
        await tx
          .insert(loginThrottle)
          .values({ usernameKey: key, failures, lastFailedAt: now, lockedUntil })
          .onConflictDoUpdate({ target: loginThrottle.usernameKey, set: { failures, lastFailedAt: now, lockedUntil } });
        const reason = locked
          ? 'locked'
          : !user
            ? 'unknown_user'
            : user.status !== 'active'
              ? 'disabled'
              : !user.passwordHash
                ? 'no_password'
                : 'wrong_password';
        await audit.append(tx, anon, {
          action: 'auth.login_failed',
          resourceType: user ? 'user' : null,
          resourceId: user?.id ?? null,
          clauses: ['P1.2', 'P2.3'],
          outcome: 'failure',
          // The username typed is staff data, not customer PI; the password never leaves this function.
          details: { username: data.username.slice(0, 64), reason, failures, locked: lockedUntil !== null && lockedUntil > now },
        });
        return { ok: false as const, failures };
      });
      if (!outcome.ok) {
        await sleep(failedLoginDelayMs(outcome.failures));
        throw new UnauthenticatedError(LOGIN_FAILED);
      }
      return {
        token: outcome.token,
        expiresAt: outcome.expiresAt.toISOString(),
        user: toCurrentUser(outcome.user, outcome.actor),
      };
    },

    logout(actor: Actor): Promise<void> {
      return runner.run(actor, OPERATIONS.logout, async ({ tx, audit: write }) => {
        if (actor.sessionId) await tx.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.id, actor.sessionId));
        await write({ action: 'auth.logout', resourceType: 'user', resourceId: actor.userId });
      });
    },

    /**
     * Turn a bearer token or session cookie into an Actor, or null. Sessions end after the idle
     * time and the absolute lifetime; a disabled user's sessions and tokens stop at once.
     */
    async authenticate(token: string, meta: { requestId?: string } = {}): Promise<Actor | null> {
      if (!token || token.length > 200) return null;
      const hash = tokenHash(token);
      const now = new Date();
      if (token.startsWith('cpat_')) {
        const rows = await database.db
          .select({ t: apiTokens, u: users })
          .from(apiTokens)
          .innerJoin(users, eq(users.id, apiTokens.userId))
          .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)));
        const r = rows[0];
        if (!r || r.u.status !== 'active' || (r.t.expiresAt && r.t.expiresAt <= now)) return null;
        if (!r.t.lastUsedAt || now.getTime() - r.t.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
          await database.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, r.t.id));
        }
        return actorForUser(r.u, 'api_token', meta.requestId, { scopes: r.t.scopes });
      }
      const rows = await database.db
        .select({ s: sessions, u: users })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.id, hash), isNull(sessions.revokedAt)));
      const r = rows[0];
      if (!r || r.u.status !== 'active') return null;
      if (r.s.expiresAt <= now || now.getTime() - r.s.lastSeenAt.getTime() > settings.idleMinutes * 60_000) return null;
      if (now.getTime() - r.s.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
        await database.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, hash));
      }
      return actorForUser(r.u, r.s.authMethod === 'oidc' ? 'oidc' : 'session', meta.requestId, { sessionId: hash });
    },

    listApiTokens(actor: Actor): Promise<ApiToken[]> {
      return runner.run(actor, OPERATIONS.listApiTokens, async ({ tx }) => {
        const rows = await tx.select().from(apiTokens).where(eq(apiTokens.userId, actor.userId!)).orderBy(apiTokens.createdAt);
        return rows.map(toApiToken);
      });
    },

    /** The token is shown once; only its hash is kept. Scopes must be within the owner's permissions. */
    createApiToken(actor: Actor, input: CreateApiTokenInput): Promise<ApiToken & { token: string }> {
      return runner.run(actor, OPERATIONS.createApiToken, async ({ tx, audit: write }) => {
        const data = parseInput(createApiTokenInput, input);
        const mine = effectivePermissions(actor);
        const excess = data.scopes.filter((s) => !mine.has(s));
        if (excess.length)
          throw new ForbiddenError(`a token cannot hold permissions its owner lacks: ${excess.join(', ')}`, excess.join('|'));
        if (actor.authMethod === 'api_token')
          throw new InvalidError('API tokens cannot create API tokens', [{ field: 'authorization', reason: 'api_token' }]);
        const token = newToken('cpat');
        const row = (
          await tx
            .insert(apiTokens)
            .values({
              userId: actor.userId!,
              name: data.name,
              tokenHash: tokenHash(token),
              prefix: token.slice(0, 12),
              scopes: data.scopes,
              expiresAt: new Date(Date.now() + data.expiresInDays * 86_400_000),
            })
            .returning()
        )[0]!;
        await write({
          action: 'api_token.created',
          resourceType: 'api_token',
          resourceId: row.id,
          details: { name: row.name, scopes: row.scopes, prefix: row.prefix },
        });
        return { ...toApiToken(row), token };
      });
    },

    revokeApiToken(actor: Actor, id: string): Promise<void> {
      return runner.run(actor, OPERATIONS.revokeApiToken, async ({ tx, audit: write }) => {
        const rows = await tx
          .update(apiTokens)
          .set({ revokedAt: new Date() })
          .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, actor.userId!), isNull(apiTokens.revokedAt)))
          .returning({ id: apiTokens.id });
        if (!rows.length) throw new NotFoundError('API token not found');
        await write({ action: 'api_token.revoked', resourceType: 'api_token', resourceId: id });
      });
    },

    /**
     * First start only: create the first administrator (and an administration department) when
     * there are no users at all. Never overwrites an existing user.
     */
    async bootstrapAdmin(admin: { username: string; password: string }): Promise<'created' | 'skipped'> {
      const problem = checkPasswordPolicy(admin.password, admin.username);
      if (problem)
        throw new InvalidError(`CUSTOS_BOOTSTRAP_ADMIN: the password ${PASSWORD_PROBLEM_MESSAGES[problem]}`, [
          { field: 'CUSTOS_BOOTSTRAP_ADMIN', reason: problem },
        ]);
      const actor = systemActor();
      const passwordHash = await hashPassword(admin.password, settings.kdf);
      return runner.run(actor, OPERATIONS.createUser, async ({ tx, audit: write }) => {
        // Serialise concurrent first starts of several processes.
        await tx.execute(sql`SELECT pg_advisory_xact_lock(7370)`);
        if ((await countUsers(tx)) > 0) return 'skipped' as const;
        const dept = (await tx.insert(departments).values({ name: '系统管理部 / System administration' }).returning())[0]!;
        const user = (
          await tx
            .insert(users)
            .values({
              username: admin.username,
              displayName: admin.username,
              departmentId: dept.id,
              roles: ['administrator'],
              passwordHash,
            })
            .returning()
        )[0]!;
        await write({
          action: 'department.created',
          resourceType: 'department',
          resourceId: dept.id,
          details: { name: dept.name, bootstrap: true },
        });
        await write({
          action: 'user.created',
          resourceType: 'user',
          resourceId: user.id,
          details: { username: user.username, roles: user.roles, bootstrap: true },
        });
        return 'created' as const;
      });
    },
  };
}

function toApiToken(r: typeof apiTokens.$inferSelect): ApiToken {
  return apiTokenSchema.parse({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  });
}

export type AuthService = ReturnType<typeof createAuthService>;
