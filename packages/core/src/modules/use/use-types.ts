import { z } from 'zod';
import { codeSchema } from '../purposes/purposes-types.js';

export const USE_METHODS = ['view', 'api', 'export'] as const;
export type UseMethod = (typeof USE_METHODS)[number];

export const customerScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({
    kind: z.literal('list'),
    ids: z.array(z.uuid()).min(1).max(10_000),
    /** Set when the list came from a saved segment (its customers as they were then). */
    segment: z.object({ id: z.uuid(), name: z.string() }).optional(),
  }),
]);
export type CustomerScope = z.infer<typeof customerScopeSchema>;

/** What an application may name: all, a list of ids, or a saved segment (stored as its list). */
export const customerScopeInput = z.union([customerScopeSchema, z.object({ kind: z.literal('segment'), segmentId: z.uuid() })]);

export const createSegmentInput = z.object({
  name: z.string().trim().min(2).max(100),
  description: z.string().trim().max(500).optional(),
  customerIds: z.array(z.uuid()).min(1).max(10_000),
});
export type CreateSegmentInput = z.input<typeof createSegmentInput>;

export const segmentSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  departmentId: z.uuid(),
  createdBy: z.string(),
  size: z.number().int(),
  createdAt: z.iso.datetime(),
});
export type Segment = z.infer<typeof segmentSchema>;

export const createUseApplicationInput = z
  .object({
    purposeCode: codeSchema,
    scenario: z.string().trim().min(2).max(500),
    fields: z.array(codeSchema).min(1).max(64),
    customerScope: customerScopeInput,
    method: z.enum(USE_METHODS),
    validFrom: z.iso.datetime(),
    validUntil: z.iso.datetime(),
    justification: z.string().trim().min(4).max(2000),
  })
  .refine((a) => Date.parse(a.validUntil) > Date.parse(a.validFrom), {
    message: 'the period must end after it starts',
    path: ['validUntil'],
  });
export type CreateUseApplicationInput = z.input<typeof createUseApplicationInput>;

export const reviewUseApplicationInput = z.object({
  decision: z.enum(['approve', 'reject', 'return']),
  comment: z.string().trim().max(2000).optional(),
});
export type ReviewUseApplicationInput = z.input<typeof reviewUseApplicationInput>;

export const delegationInput = z
  .object({
    delegateId: z.uuid().optional(),
    /** Instead of the id (a reviewer without access to the staff register names the colleague). */
    delegateUsername: z.string().trim().min(1).max(128).optional(),
    validFrom: z.iso.datetime(),
    validUntil: z.iso.datetime(),
    reason: z.string().trim().min(2).max(500),
  })
  .refine((d) => (d.delegateId === undefined) !== (d.delegateUsername === undefined), {
    message: 'name the delegate by id or by username',
    path: ['delegateId'],
  })
  .refine((d) => Date.parse(d.validUntil) > Date.parse(d.validFrom), {
    message: 'the period must end after it starts',
    path: ['validUntil'],
  });
export type DelegationInput = z.input<typeof delegationInput>;

export const revokeGrantInput = z.object({ reason: z.string().trim().min(2).max(500) });

export const reviewSchema = z.object({
  step: z.number().int(),
  stepRole: z.string(),
  reviewerName: z.string(),
  onBehalfOf: z.uuid().nullable(),
  decision: z.enum(['approve', 'reject', 'return']),
  comment: z.string().nullable(),
  decidedAt: z.iso.datetime(),
});

export const useApplicationSchema = z.object({
  id: z.uuid(),
  applicantId: z.uuid(),
  applicantName: z.string(),
  departmentId: z.uuid(),
  purposeCode: z.string(),
  scenario: z.string(),
  fields: z.array(z.string()),
  customerScope: customerScopeSchema,
  method: z.enum(USE_METHODS),
  validFrom: z.iso.datetime(),
  validUntil: z.iso.datetime(),
  justification: z.string(),
  sensitive: z.boolean(),
  chain: z.array(z.string()),
  step: z.number().int(),
  status: z.enum(['draft', 'in_review', 'returned', 'approved', 'rejected', 'withdrawn']),
  createdAt: z.iso.datetime(),
  submittedAt: z.iso.datetime().nullable(),
  decidedAt: z.iso.datetime().nullable(),
  reviews: z.array(reviewSchema),
  grantId: z.uuid().nullable(),
  /** In lists: the current step awaits the caller (themselves or under a delegation in force). */
  awaitingMyReview: z.boolean().optional(),
});
export type UseApplication = z.infer<typeof useApplicationSchema>;

export const grantSchema = z.object({
  id: z.uuid(),
  applicationId: z.uuid(),
  departmentId: z.uuid(),
  holderId: z.uuid(),
  purposeCode: z.string(),
  fields: z.array(z.string()),
  customerScope: customerScopeSchema,
  method: z.string(),
  validFrom: z.iso.datetime(),
  validUntil: z.iso.datetime(),
  status: z.enum(['active', 'expired', 'revoked']),
  revokedAt: z.iso.datetime().nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
  accesses: z.number().int(),
});
export type Grant = z.infer<typeof grantSchema>;

/** One access made under a grant (P5.2 access log): who, when, which customer, which fields, which operation. */
export const grantAccessSchema = z.object({
  id: z.number().int(),
  actorId: z.uuid().nullable(),
  actorName: z.string(),
  customerId: z.uuid().nullable(),
  fields: z.array(z.string()),
  operation: z.string(),
  accessedAt: z.iso.datetime(),
});
export type GrantAccess = z.infer<typeof grantAccessSchema>;

export const setApprovalChainInput = z.object({
  /** A registered purpose's code, or '*' for every purpose without its own chain. */
  purposeCode: z.union([codeSchema, z.literal('*')]),
  sensitive: z.boolean(),
  steps: z
    .array(z.enum(['department_head', 'management_approver', 'compliance_officer']))
    .min(2)
    .max(3),
});
export type SetApprovalChainInput = z.input<typeof setApprovalChainInput>;

export const approvalChainSchema = z.object({
  purposeCode: z.string(),
  sensitive: z.boolean(),
  steps: z.array(z.string()),
  updatedBy: z.string(),
  updatedAt: z.iso.datetime(),
});
export type ApprovalChain = z.infer<typeof approvalChainSchema>;
