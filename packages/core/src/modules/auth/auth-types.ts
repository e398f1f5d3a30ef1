import { z } from 'zod';
import { PERMISSIONS } from '../../authz/permissions.js';
import { currentUserSchema } from '../users/users-types.js';

export const loginInput = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginInput = z.input<typeof loginInput>;

export const loginResult = z.object({
  token: z.string(),
  expiresAt: z.iso.datetime(),
  user: currentUserSchema,
});
export type LoginResult = z.infer<typeof loginResult>;

const permissionName = z.enum(Object.keys(PERMISSIONS) as [keyof typeof PERMISSIONS, ...(keyof typeof PERMISSIONS)[]]);

export const createApiTokenInput = z.object({
  name: z.string().trim().min(1).max(100),
  /** The token can do at most this, and never more than its owner. */
  scopes: z.array(permissionName).min(1),
  expiresInDays: z.number().int().min(1).max(365).default(90),
});
export type CreateApiTokenInput = z.input<typeof createApiTokenInput>;

export const apiTokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;
