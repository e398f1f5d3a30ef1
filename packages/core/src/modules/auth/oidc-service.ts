import { and, eq, lt, sql } from 'drizzle-orm';
import * as client from 'openid-client';
import type { OidcConfig } from '../../config.js';
import { anonymousActor } from '../../context.js';
import { oidcPending, sessions, users } from '../../db/schema.js';
import { InvalidError, UnauthenticatedError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import type { AuditService } from '../../audit/audit-service.js';
import { newToken, tokenHash } from './token-fns.js';
import { actorForUser, toCurrentUser } from '../users/users-repo.js';
import type { LoginResult } from './auth-types.js';

const PENDING_TTL_MS = 10 * 60_000;
const OIDC_FAILED = 'single sign-on failed: no active Custos account for this identity';

/**
 * Optional single sign-on (authorization code flow with PKCE, state and nonce). The identity
 * provider proves who someone is; what they may do stays in Custos: a sign-in succeeds only
 * for an active, pre-provisioned Custos user (P1.2: every user has a department and roles),
 * matched by `preferred_username` on first sign-in and by the provider's subject after that.
 */
export function createOidcService(deps: { oidc: OidcConfig; runner: Runner; audit: AuditService; maxHours: number }) {
  const { oidc, runner, audit } = deps;
  let configuration: Promise<client.Configuration> | null = null;
  const discover = () =>
    (configuration ??= client
      .discovery(
        new URL(oidc.issuer),
        oidc.clientId,
        oidc.clientSecret,
        undefined,
        oidc.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((e: unknown) => {
        configuration = null;
        throw e;
      }));

  return {
    /** Returns the provider URL to send the browser to, and the state to remember in a cookie. */
    async begin(meta: { requestId?: string } = {}): Promise<{ redirectUrl: string; state: string }> {
      const config = await discover();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const codeVerifier = client.randomPKCECodeVerifier();
      const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
      await runner.run(anonymousActor(meta.requestId), OPERATIONS.startOidcLogin, async ({ tx }) => {
        await tx.delete(oidcPending).where(lt(oidcPending.createdAt, new Date(Date.now() - PENDING_TTL_MS)));
        await tx.insert(oidcPending).values({ state, nonce, codeVerifier });
      });
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: oidc.redirectUri,
        scope: 'openid profile email',
        state,
        nonce,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      });
      return { redirectUrl: url.href, state };
    },

    /** Finish the sign-in from the callback URL; the state must match the one this browser started. */
    async complete(callbackUrl: URL, browserState: string | undefined, meta: { requestId?: string } = {}): Promise<LoginResult> {
      const config = await discover();
      const state = callbackUrl.searchParams.get('state');
      if (!state || !browserState || state !== browserState) {
        throw new InvalidError('the sign-in state does not match this browser', [{ field: 'state', reason: 'mismatch' }]);
      }
      const anon = anonymousActor(meta.requestId);
      const pending = await runner.run(
        anon,
        OPERATIONS.completeOidcLogin,
        async ({ tx }) =>
          (
            await tx
              .delete(oidcPending)
              .where(and(eq(oidcPending.state, state), sql`${oidcPending.createdAt} > ${new Date(Date.now() - PENDING_TTL_MS)}`))
              .returning()
          )[0],
      );
      if (!pending) throw new InvalidError('the sign-in expired or was already used', [{ field: 'state', reason: 'expired' }]);
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      const subject = `${claims.iss}|${claims.sub}`;
      const preferred = typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined;

      const outcome = await runner.run(anon, OPERATIONS.completeOidcLogin, async ({ tx }) => {
        let user = (await tx.select().from(users).where(eq(users.oidcSubject, subject)))[0];
        let linked = false;
        if (!user && preferred) {
          const byName = (
            await tx
              .select()
              .from(users)
              .where(sql`lower(${users.username}) = lower(${preferred})`)
          )[0];
          if (byName && byName.oidcSubject === null) {
            user = (
              await tx.update(users).set({ oidcSubject: subject, updatedAt: new Date() }).where(eq(users.id, byName.id)).returning()
            )[0]!;
            linked = true;
          }
        }
        if (!user || user.status !== 'active') {
          await audit.append(tx, anon, {
            action: 'auth.login_failed',
            resourceType: user ? 'user' : null,
            resourceId: user?.id ?? null,
            clauses: ['P1.2', 'P2.3'],
            outcome: 'failure',
            details: { method: 'oidc', reason: user ? 'disabled' : 'no_account', issuer: claims.iss },
          });
          return null;
        }
        const token = newToken('cs');
        const expiresAt = new Date(Date.now() + deps.maxHours * 3_600_000);
        await tx.insert(sessions).values({ id: tokenHash(token), userId: user.id, authMethod: 'oidc', expiresAt });
        const actor = actorForUser(user, 'oidc', meta.requestId);
        if (linked)
          await audit.append(tx, actor, {
            action: 'user.oidc_linked',
            resourceType: 'user',
            resourceId: user.id,
            clauses: ['P1.2'],
            details: { issuer: claims.iss },
          });
        await audit.append(tx, actor, {
          action: 'auth.login_succeeded',
          resourceType: 'user',
          resourceId: user.id,
          clauses: ['P1.2', 'P2.3'],
          details: { method: 'oidc', issuer: claims.iss },
        });
        return { token, expiresAt, user, actor };
      });
      if (!outcome) throw new UnauthenticatedError(OIDC_FAILED);
      return {
        token: outcome.token,
        expiresAt: outcome.expiresAt.toISOString(),
        user: toCurrentUser(outcome.user, outcome.actor),
      };
    },
  };
}

export type OidcService = ReturnType<typeof createOidcService>;
