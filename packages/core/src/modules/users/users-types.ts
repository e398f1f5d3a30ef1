import { z } from 'zod';
import { ROLE_IDS } from '../../authz/roles.js';

export const roleId = z.enum(ROLE_IDS);

export const userSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  departmentId: z.uuid().nullable(),
  roles: z.array(roleId),
  status: z.enum(['active', 'disabled']),
  createdAt: z.iso.datetime(),
});
export type User = z.infer<typeof userSchema>;

export const createUserInput = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{3,64}$/, 'use 3-64 letters, digits, dot, underscore or dash'),
  displayName: z.string().trim().min(1).max(100),
  email: z.email().max(254).nullish(),
  password: z.string().max(256).optional(),
  /** P1.2: every staff member belongs to a department. */
  departmentId: z.uuid(),
  roles: z.array(roleId).min(1).max(ROLE_IDS.length),
});
export type CreateUserInput = z.input<typeof createUserInput>;

export const currentUserSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  departmentId: z.uuid().nullable(),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
});
export type CurrentUser = z.infer<typeof currentUserSchema>;
