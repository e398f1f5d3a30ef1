import type { Actor } from '../context.js';
import type { Permission, Requirement } from './permissions.js';
import { permissionsOf } from './roles.js';

/** The caller's effective permissions: their roles', narrowed by an API token's scopes. */
export function effectivePermissions(actor: Actor): Set<Permission> {
  const perms = permissionsOf(actor.roles);
  if (actor.scopes) {
    const scopes = new Set(actor.scopes);
    for (const p of perms) if (!scopes.has(p)) perms.delete(p);
  }
  return perms;
}

/** Deny by default: true only for a requirement the actor demonstrably meets. */
export function allows(actor: Actor, req: Requirement): boolean {
  if (req === 'public') return true;
  if (actor.type === 'system') return true;
  // Channels and customers hold exactly one capability each, whatever else they claim.
  if (actor.type === 'channel') return req === 'customer.collect' && !!actor.channelId;
  if (actor.type === 'customer') return req === 'portal.self' && !!actor.customerId;
  if (actor.userId === null) return false;
  if (req === 'authenticated') return true;
  return effectivePermissions(actor).has(req);
}
