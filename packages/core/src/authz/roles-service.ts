import type { Actor } from '../context.js';
import { OPERATIONS } from '../operations.js';
import type { Runner } from '../runner.js';
import { ROLE_IDS, ROLES, type RoleDefinition } from './roles.js';

export function createRolesService(deps: { runner: Runner }) {
  return {
    list(actor: Actor): Promise<RoleDefinition[]> {
      return deps.runner.run(actor, OPERATIONS.listRoles, async () => ROLE_IDS.map((id) => ROLES[id]));
    },
  };
}
