import { z } from 'zod';
import { codeSchema } from '../purposes/purposes-types.js';

/** P6.1, P6.3: a recipient's life: registered, approved after assessment and commitment, suspended (reinstatable), terminated. */
export const RECIPIENT_STATUSES = ['pending', 'approved', 'suspended', 'terminated'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export const RECIPIENT_ASSESSMENT_KINDS = ['initial', 'periodic', 'reinstatement'] as const;
export type RecipientAssessmentKind = (typeof RECIPIENT_ASSESSMENT_KINDS)[number];

export const FINDING_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

export const FINDING_STATUSES = ['open', 'remediating', 'closed'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export const DATA_DISPOSITIONS = ['deleted', 'returned'] as const;
export type DataDisposition = (typeof DATA_DISPOSITIONS)[number];

/** Why a recipient may not receive customer PI now (empty: it may). */
export const INELIGIBILITY_REASONS = [
  'unknown_recipient',
  'not_approved',
  'suspended',
  'terminated',
  'not_assessed',
  'assessment_failed',
  'no_commitment',
  'commitment_expired',
  'reassessment_overdue',
  'impact_assessment_missing',
] as const;
export type IneligibilityReason = (typeof INELIGIBILITY_REASONS)[number];

export const REASSESSMENT_STATES = ['overdue', 'due_soon', 'ok', 'none'] as const;

const l10nOut = z.object({ 'zh-CN': z.string(), en: z.string() });

export const capabilityQuestionSchema = z.object({
  id: z.string(),
  section: z.string(),
  weight: z.number().positive(),
  text: l10nOut,
  /** score is the share of the question's weight the answer earns (0..1); `fails` fails the assessment whatever the score. */
  options: z.array(z.object({ value: z.string(), score: z.number().min(0).max(1), fails: z.boolean().optional(), label: l10nOut })),
});
export type CapabilityQuestion = z.infer<typeof capabilityQuestionSchema>;

export const capabilityTemplateSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  title: l10nOut,
  /** Score (0-100) at or above which the assessment passes. */
  passThreshold: z.number().int().min(0).max(100),
  questions: z.array(capabilityQuestionSchema),
});
export type CapabilityTemplate = z.infer<typeof capabilityTemplateSchema>;

const text = (max: number) => z.string().trim().min(1).max(max);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex characters (SHA-256)');
const instant = z.iso.datetime({ offset: true });

export const createRecipientInput = z.object({
  legalName: text(300),
  /** Unified social credit code (GB 32100-2015), checked with its check character. */
  uscc: z.string().trim().min(1).max(40),
  /** The recipient's contact person (company staff contact data, not customer PI). */
  contact: z
    .object({
      name: text(100),
      email: z.string().trim().max(254).optional(),
      phone: z.string().trim().max(40).optional(),
    })
    .refine((c) => !!c.email || !!c.phone, { message: 'give an e-mail address or a phone number', path: ['email'] }),
  /** ISO 3166-1 alpha-2; anything but CN is cross-border. */
  country: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 code such as CN or SG')
    .default('CN'),
  region: text(200),
  /** Set when the data leaves mainland China even though the recipient is registered in CN (its storage abroad, say). */
  crossBorder: z.boolean().optional(),
  /** What they receive: codes from the PI catalogue. */
  dataCategories: z.array(codeSchema).min(1).max(64),
  /** Why they receive it. */
  purpose: text(2000),
  reassessmentIntervalDays: z.number().int().min(30).max(1095).default(365),
});
export type CreateRecipientInput = z.input<typeof createRecipientInput>;

export const listRecipientsInput = z.object({
  status: z.enum(RECIPIENT_STATUSES).optional(),
  crossBorder: z.boolean().optional(),
});
export type ListRecipientsInput = z.input<typeof listRecipientsInput>;

export const recipientEvidenceInput = z
  .object({
    filename: text(255),
    /** SHA-256 of the file; computed when the bytes are given instead. */
    sha256: sha256Hex.optional(),
    sizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    /** The file itself (at most about 10 MB); only its hash and size are kept. */
    contentBase64: z.base64().max(14_000_000).optional(),
  })
  .refine((e) => !!e.contentBase64 || (!!e.sha256 && e.sizeBytes !== undefined), {
    message: 'give the file (contentBase64) or its sha256 and sizeBytes',
    path: ['sha256'],
  });
export type RecipientEvidenceInput = z.input<typeof recipientEvidenceInput>;

export const assessRecipientInput = z.object({
  /** Defaults to the shipped capability template. */
  templateId: z.string().trim().min(1).max(64).optional(),
  answers: z
    .array(z.object({ questionId: text(64), value: text(200), note: z.string().trim().max(2000).optional() }))
    .min(1)
    .max(100),
  evidence: z.array(recipientEvidenceInput).max(50).default([]),
  comment: z.string().trim().max(4000).optional(),
});
export type AssessRecipientInput = z.input<typeof assessRecipientInput>;

export const recordCommitmentInput = z
  .object({
    /** SHA-256 of the signed agreement (data-processing / sharing agreement). */
    agreementSha256: sha256Hex,
    agreementFilename: z.string().trim().min(1).max(255).optional(),
    /** The recipient commits to this policy (P6.1); a record without it does not count toward eligibility. */
    committedToPolicy: z.boolean(),
    /** Version of the policy text committed to. */
    policyVersion: text(64),
    effectiveFrom: instant,
    expiresAt: instant,
  })
  .refine((c) => Date.parse(c.expiresAt) > Date.parse(c.effectiveFrom), { message: 'must be after effectiveFrom', path: ['expiresAt'] });
export type RecordCommitmentInput = z.input<typeof recordCommitmentInput>;

export const recipientDecisionInput = z.object({ comment: z.string().trim().max(2000).optional() });
export type RecipientDecisionInput = z.input<typeof recipientDecisionInput>;

export const suspendRecipientInput = z.object({ reason: text(2000) });
export type SuspendRecipientInput = z.input<typeof suspendRecipientInput>;

export const terminateRecipientInput = z.object({
  reason: text(2000),
  /** The recipient deleted the data, or returned it. */
  dataDisposition: z.enum(DATA_DISPOSITIONS),
  /** SHA-256 of the recipient's deletion certificate or return receipt. */
  evidenceSha256: sha256Hex,
  /** When the recipient confirmed it; defaults to now, never in the future. */
  confirmedAt: instant.optional(),
});
export type TerminateRecipientInput = z.input<typeof terminateRecipientInput>;

export const recordFindingInput = z.object({
  title: text(300),
  description: text(4000),
  severity: z.enum(FINDING_SEVERITIES),
  /** The member of staff who follows the remediation up. */
  ownerUserId: z.uuid(),
  dueAt: instant,
  /** The assessment that found it, if any. */
  assessmentId: z.uuid().optional(),
});
export type RecordFindingInput = z.input<typeof recordFindingInput>;

export const updateFindingInput = z.object({
  status: z.enum(FINDING_STATUSES),
  /** Remediation note: what was done or why the status changed. */
  note: text(4000),
});
export type UpdateFindingInput = z.input<typeof updateFindingInput>;

export const recipientEligibilitySchema = z.object({
  eligible: z.boolean(),
  reasons: z.array(z.enum(INELIGIBILITY_REASONS)),
});
export type RecipientEligibility = z.infer<typeof recipientEligibilitySchema>;

export const recipientSchema = z.object({
  id: z.uuid(),
  legalName: z.string(),
  uscc: z.string(),
  contact: z.object({ name: z.string(), email: z.string().nullable(), phone: z.string().nullable() }),
  country: z.string(),
  region: z.string(),
  crossBorder: z.boolean(),
  dataCategories: z.array(z.string()),
  purpose: z.string(),
  status: z.enum(RECIPIENT_STATUSES),
  reassessmentIntervalDays: z.number().int(),
  reassessmentDueAt: z.iso.datetime().nullable(),
  /** overdue: past due; due_soon: within 30 days; none: not assessed yet or terminated. */
  reassessmentState: z.enum(REASSESSMENT_STATES),
  remindedFor: z.iso.datetime().nullable(),
  latestAssessment: z
    .object({ id: z.uuid(), score: z.number().int(), passed: z.boolean(), assessedAt: z.iso.datetime(), reviewedBy: z.string() })
    .nullable(),
  /** Expiry of the commitment in force (with the policy commitment), if any. */
  commitmentExpiresAt: z.iso.datetime().nullable(),
  openFindings: z.number().int(),
  eligibility: recipientEligibilitySchema,
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  approvedBy: z.string().nullable(),
  approvedAt: z.iso.datetime().nullable(),
  suspendedAt: z.iso.datetime().nullable(),
  suspensionReason: z.string().nullable(),
  terminatedAt: z.iso.datetime().nullable(),
});
export type Recipient = z.infer<typeof recipientSchema>;

export const recipientAssessmentSchema = z.object({
  id: z.uuid(),
  recipientId: z.uuid(),
  kind: z.enum(RECIPIENT_ASSESSMENT_KINDS),
  templateId: z.string(),
  templateVersion: z.number().int(),
  answers: z.array(z.object({ questionId: z.string(), value: z.string(), note: z.string().optional() })),
  score: z.number().int(),
  passThreshold: z.number().int(),
  passed: z.boolean(),
  knockouts: z.array(z.string()),
  reviewedBy: z.string(),
  reviewerUserId: z.uuid().nullable(),
  comment: z.string().nullable(),
  assessedAt: z.iso.datetime(),
  nextDueAt: z.iso.datetime(),
  evidence: z.array(z.object({ sha256: z.string(), filename: z.string(), sizeBytes: z.number().int() })),
});
export type RecipientAssessment = z.infer<typeof recipientAssessmentSchema>;

export const recipientCommitmentSchema = z.object({
  id: z.uuid(),
  recipientId: z.uuid(),
  agreementSha256: z.string(),
  agreementFilename: z.string().nullable(),
  committedToPolicy: z.boolean(),
  policyVersion: z.string(),
  effectiveFrom: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  /** in_force, expired, or future (not yet effective). */
  state: z.enum(['in_force', 'expired', 'future']),
  recordedBy: z.string(),
  recordedAt: z.iso.datetime(),
});
export type RecipientCommitment = z.infer<typeof recipientCommitmentSchema>;

const userRefSchema = z.object({ id: z.uuid(), username: z.string(), displayName: z.string() });

export const recipientFindingSchema = z.object({
  id: z.uuid(),
  recipientId: z.uuid(),
  assessmentId: z.uuid().nullable(),
  title: z.string(),
  description: z.string(),
  severity: z.enum(FINDING_SEVERITIES),
  owner: userRefSchema,
  dueAt: z.iso.datetime(),
  overdue: z.boolean(),
  status: z.enum(FINDING_STATUSES),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  closedAt: z.iso.datetime().nullable(),
  updates: z.array(z.object({ status: z.enum(FINDING_STATUSES), note: z.string(), updatedBy: z.string(), updatedAt: z.iso.datetime() })),
});
export type RecipientFinding = z.infer<typeof recipientFindingSchema>;

export const recipientTerminationSchema = z.object({
  reason: z.string(),
  dataDisposition: z.enum(DATA_DISPOSITIONS),
  evidenceSha256: z.string(),
  confirmedAt: z.iso.datetime(),
  recordedBy: z.string(),
  recordedAt: z.iso.datetime(),
});
export type RecipientTermination = z.infer<typeof recipientTerminationSchema>;

export const recipientDetailSchema = z.object({
  recipient: recipientSchema,
  assessments: z.array(recipientAssessmentSchema),
  commitments: z.array(recipientCommitmentSchema),
  findings: z.array(recipientFindingSchema),
  termination: recipientTerminationSchema.nullable(),
  impactAssessments: z.array(
    z.object({
      id: z.uuid(),
      title: z.string(),
      status: z.enum(['draft', 'completed']),
      riskLevel: z.enum(['low', 'medium', 'high']),
      completedAt: z.iso.datetime().nullable(),
    }),
  ),
});
export type RecipientDetail = z.infer<typeof recipientDetailSchema>;

export const reassessmentReminderResultSchema = z.object({
  reminded: z.array(z.object({ recipientId: z.uuid(), dueAt: z.iso.datetime() })),
});
export type ReassessmentReminderResult = z.infer<typeof reassessmentReminderResultSchema>;
