import { randomUUID } from 'node:crypto';
import type { Actor } from '../../context.js';
import { ConflictError, InvalidError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { findUserById } from '../users/users-repo.js';
import { findDepartment, listDepartments, toDepartment } from './departments-repo.js';
import { createDepartmentInput, type CreateDepartmentInput, type Department } from './departments-types.js';
import { parseInput, isUniqueViolation } from '../../validation.js';

/** P1.2: the department tree that every staff member belongs to. */
export function createDepartmentsService(deps: { runner: Runner }) {
  const { runner } = deps;
  return {
    list(actor: Actor): Promise<Department[]> {
      return runner.run(actor, OPERATIONS.listDepartments, async ({ tx }) => (await listDepartments(tx)).map(toDepartment));
    },

    create(actor: Actor, input: CreateDepartmentInput): Promise<Department> {
      return runner.run(actor, OPERATIONS.createDepartment, async ({ tx, audit, defer }) => {
        const data = parseInput(createDepartmentInput, input);
        if (data.parentId && !(await findDepartment(tx, data.parentId))) {
          throw new InvalidError('the parent department does not exist', [{ field: 'parentId', reason: 'not_found' }]);
        }
        if (data.headUserId) {
          const head = await findUserById(tx, data.headUserId);
          if (!head || head.status !== 'active') {
            throw new InvalidError('the department head must be an active user', [{ field: 'headUserId', reason: 'not_found' }]);
          }
        }
        // The row is made here and written with the commit (one round trip for the whole operation).
        const now = new Date();
        const row = {
          id: randomUUID(),
          name: data.name,
          parentId: data.parentId ?? null,
          headUserId: data.headUserId ?? null,
          createdAt: now,
          updatedAt: now,
        };
        defer(
          'INSERT INTO departments (id, name, parent_id, head_user_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)',
          [row.id, row.name, row.parentId, row.headUserId, now, now],
          (e) => (isUniqueViolation(e) ? new ConflictError('a department with this name already exists under the same parent') : undefined),
        );
        await audit({
          action: 'department.created',
          resourceType: 'department',
          resourceId: row.id,
          details: { name: row.name, parentId: row.parentId, headUserId: row.headUserId },
        });
        return toDepartment(row);
      });
    },
  };
}
