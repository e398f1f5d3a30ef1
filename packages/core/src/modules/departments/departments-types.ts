import { z } from 'zod';

export const departmentSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  parentId: z.uuid().nullable(),
  headUserId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
});
export type Department = z.infer<typeof departmentSchema>;

export const createDepartmentInput = z.object({
  name: z.string().trim().min(1).max(100),
  parentId: z.uuid().nullish(),
  headUserId: z.uuid().nullish(),
});
export type CreateDepartmentInput = z.input<typeof createDepartmentInput>;
