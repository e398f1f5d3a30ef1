import type { CustomerScope, UseMethod } from './use-types.js';

export type ReviewRole = 'department_head' | 'management_approver' | 'compliance_officer';

/**
 * P5.2: who reviews a use application, in order. The default chain is the applicant's department
 * head, then a management approver; sensitive fields add the compliance officer.
 */
export function approvalChain(sensitive: boolean): ReviewRole[] {
  return sensitive ? ['department_head', 'management_approver', 'compliance_officer'] : ['department_head', 'management_approver'];
}

/** The roles a configured chain may name, and what every chain must contain (P5.2). */
export const CHAIN_ROLES: readonly ReviewRole[] = ['department_head', 'management_approver', 'compliance_officer'];

/**
 * Why a configured chain is not acceptable (null when it is): P5.2 sets the floor — the
 * applicant's department head first, a management approver after it; each role once; and for
 * sensitive fields the compliance officer too. A deployment may add steps, never drop these.
 */
export function chainProblem(steps: readonly string[], sensitive: boolean): string | null {
  if (steps.some((s) => !(CHAIN_ROLES as readonly string[]).includes(s))) return 'unknown_role';
  if (new Set(steps).size !== steps.length) return 'role_repeated';
  if (steps[0] !== 'department_head') return 'department_head_first';
  if (!steps.includes('management_approver')) return 'management_approver_required';
  if (sensitive && !steps.includes('compliance_officer')) return 'compliance_officer_required';
  return null;
}

export type ReviewOutcome = 'rejected' | 'returned' | 'step_approved' | 'approved';

/**
 * Where one review decision takes a request on its chain (use applications, share requests):
 * rejected and returned end the round; an approval moves to the next step, or approves at the last.
 * The outcome is also the audit action's suffix (`use_application.step_approved`, ...).
 */
export function reviewOutcome(decision: 'approve' | 'reject' | 'return', step: number, chainLength: number): ReviewOutcome {
  if (decision === 'reject') return 'rejected';
  if (decision === 'return') return 'returned';
  return step + 1 < chainLength ? 'step_approved' : 'approved';
}

export interface Reviewer {
  userId: string;
  roles: readonly string[];
  departmentId: string | null;
}

/**
 * May this person review this step? The department-head step belongs to the head of the
 * applicant's department (or a department head of that department when none is set); the other
 * steps to holders of the role. Nobody reviews their own application.
 */
export function mayReview(
  role: string,
  reviewer: Reviewer,
  app: { applicantId: string; departmentId: string },
  departmentHeadId: string | null,
): boolean {
  if (reviewer.userId === app.applicantId) return false;
  if (role === 'department_head') {
    if (departmentHeadId) return reviewer.userId === departmentHeadId;
    return reviewer.roles.includes('department_head') && reviewer.departmentId === app.departmentId;
  }
  return reviewer.roles.includes(role);
}

export interface GrantView {
  status: 'active' | 'revoked';
  purposeCode: string;
  fields: readonly string[];
  customerScope: CustomerScope;
  method: string;
  validFrom: Date;
  validUntil: Date;
}

export type GrantRefusal =
  'revoked' | 'not_yet_valid' | 'expired' | 'other_purpose' | 'fields_outside_grant' | 'customer_outside_grant' | 'method_outside_grant';

/** Does this grant cover the access? Null when it does, else why not (deny by default). */
export function grantRefusal(
  g: GrantView,
  access: { purposeCode: string; fields: readonly string[]; customerId: string | null; method: UseMethod },
  now: number,
): GrantRefusal | null {
  if (g.status !== 'active') return 'revoked';
  if (now < g.validFrom.getTime()) return 'not_yet_valid';
  if (now >= g.validUntil.getTime()) return 'expired';
  if (g.purposeCode !== access.purposeCode) return 'other_purpose';
  if (!access.fields.every((f) => g.fields.includes(f))) return 'fields_outside_grant';
  if (g.customerScope.kind === 'list' && (access.customerId === null || !g.customerScope.ids.includes(access.customerId)))
    return 'customer_outside_grant';
  // An export grant also allows viewing; an API grant allows viewing; a view grant allows only viewing.
  const order: Record<string, number> = { view: 0, api: 1, export: 2 };
  if ((order[access.method] ?? 9) > (order[g.method] ?? -1)) return 'method_outside_grant';
  return null;
}
