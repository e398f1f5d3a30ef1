import type { RoleId } from './authz/roles.js';

/** How the caller proved who they are. */
export type AuthMethod = 'session' | 'api_token' | 'oidc' | 'cli' | 'system' | 'channel_key' | 'portal';

/**
 * The caller of every core operation. Built by the server from a session or token, by the CLI
 * for a local operator, or as the system actor for jobs. Core decides authorization from this
 * alone.
 */
export interface Actor {
  /** `channel`: a collection channel's widget (publishable key); `customer`: a customer signed in to the portal. */
  type: 'user' | 'system' | 'channel' | 'customer';
  userId: string | null;
  username: string;
  departmentId: string | null;
  roles: RoleId[];
  /** For API tokens: the scopes the token was limited to (a subset of the roles' permissions). */
  scopes?: string[] | undefined;
  authMethod: AuthMethod;
  requestId?: string | undefined;
  sessionId?: string | undefined;
  /** Set for `channel` actors: the channel whose key was presented. */
  channelId?: string | undefined;
  /** Set for `customer` actors: the customer who proved who they are. */
  customerId?: string | undefined;
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

/** A collection channel's widget: may only collect, through that channel (P3.3). */
export function channelActor(channel: { id: string; code: string }, requestId?: string): Actor {
  return {
    type: 'channel',
    userId: null,
    username: `channel:${channel.code}`,
    departmentId: null,
    roles: [],
    authMethod: 'channel_key',
    requestId,
    channelId: channel.id,
  };
}

/** A customer signed in to the self-service portal: may see and withdraw only their own consents. */
export function customerActor(customerId: string, requestId?: string): Actor {
  return {
    type: 'customer',
    userId: null,
    username: 'customer',
    departmentId: null,
    roles: [],
    authMethod: 'portal',
    requestId,
    customerId,
  };
}
