import type { RoleId } from './authz/roles.js';

/** How the caller proved who they are. */
export type AuthMethod = 'session' | 'api_token' | 'oidc' | 'cli' | 'system';

/**
 * The caller of every core operation. Built by the server from a session or token, by the CLI
 * for a local operator, or as the system actor for jobs. Core decides authorization from this
 * alone.
 */
export interface Actor {
  type: 'user' | 'system';
  userId: string | null;
  username: string;
  departmentId: string | null;
  roles: RoleId[];
  /** For API tokens: the scopes the token was limited to (a subset of the roles' permissions). */
  scopes?: string[] | undefined;
  authMethod: AuthMethod;
  requestId?: string | undefined;
  sessionId?: string | undefined;
}

/** The worker and start-up tasks act as this; it holds every permission and is audited as 'system'. */
export function systemActor(requestId?: string): Actor {
  return {
    type: 'system',
    userId: null,
    username: 'system',
    departmentId: null,
    roles: ['administrator'],
    authMethod: 'system',
    requestId,
  };
}

/** An unauthenticated caller (login, health): has no permissions. */
export function anonymousActor(requestId?: string): Actor {
  return { type: 'user', userId: null, username: 'anonymous', departmentId: null, roles: [], authMethod: 'session', requestId };
}
