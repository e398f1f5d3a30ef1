import { z } from 'zod';

/** What an impact assessment is about: each needs a completed one before it is approved (issue 6 item 6). */
export const IMPACT_SUBJECT_KINDS = ['share', 'transfer', 'disclosure', 'recipient'] as const;
export type ImpactSubjectKind = (typeof IMPACT_SUBJECT_KINDS)[number];

export const IMPACT_RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type ImpactRiskLevel = (typeof IMPACT_RISK_LEVELS)[number];

export const IMPACT_STATUSES = ['draft', 'completed'] as const;
export type ImpactStatus = (typeof IMPACT_STATUSES)[number];

const l10nOut = z.object({ 'zh-CN': z.string(), en: z.string() });
export type Localized = z.infer<typeof l10nOut>;

export const PIA_SECTIONS = ['purpose', 'impact', 'security', 'cross_border', 'conclusion'] as const;
export type PiaSection = (typeof PIA_SECTIONS)[number];

export const piaQuestionSchema = z.object({
  id: z.string(),
  section: z.enum(PIA_SECTIONS),
  kind: z.enum(['choice', 'text']),
  required: z.boolean(),
  /** Required only when the assessment's risk is high (mitigations). */
  requiredWhenHighRisk: z.boolean().optional(),
  text: l10nOut,
  /** For choice questions: each option sets a floor on the assessment's risk level. */
  options: z.array(z.object({ value: z.string(), risk: z.enum(IMPACT_RISK_LEVELS), label: l10nOut })).optional(),
});
export type PiaQuestion = z.infer<typeof piaQuestionSchema>;

export const piaTemplateSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  title: l10nOut,
  questions: z.array(piaQuestionSchema),
});
export type PiaTemplate = z.infer<typeof piaTemplateSchema>;

export const impactAnswerSchema = z.object({
  questionId: z.string().trim().min(1).max(64),
  value: z.string().trim().min(1).max(4000),
  note: z.string().trim().max(2000).optional(),
});
export type ImpactAnswer = z.infer<typeof impactAnswerSchema>;

const subjectRef = z.string().trim().min(1).max(200);

export const createImpactAssessmentInput = z.object({
  subjectKind: z.enum(IMPACT_SUBJECT_KINDS),
  /** For `recipient`, the recipient's id; otherwise a reference to the share, transfer or disclosure (optional while it is planned). */
  subjectRef: subjectRef.optional(),
  title: z.string().trim().min(2).max(300),
  /** Defaults to the shipped template. */
  templateId: z.string().trim().min(1).max(64).optional(),
  /** A draft may be partial; completion needs every required answer. */
  answers: z.array(impactAnswerSchema).max(100).default([]),
  /** Defaults to the level the answers call for; never lower than that. */
  riskLevel: z.enum(IMPACT_RISK_LEVELS).optional(),
});
export type CreateImpactAssessmentInput = z.input<typeof createImpactAssessmentInput>;

export const updateImpactAssessmentInput = z.object({
  subjectRef: subjectRef.nullable().optional(),
  title: z.string().trim().min(2).max(300).optional(),
  answers: z.array(impactAnswerSchema).max(100).optional(),
  riskLevel: z.enum(IMPACT_RISK_LEVELS).nullable().optional(),
});
export type UpdateImpactAssessmentInput = z.input<typeof updateImpactAssessmentInput>;

export const completeImpactAssessmentInput = z.object({ comment: z.string().trim().max(2000).optional() });
export type CompleteImpactAssessmentInput = z.input<typeof completeImpactAssessmentInput>;

export const listImpactAssessmentsInput = z.object({
  subjectKind: z.enum(IMPACT_SUBJECT_KINDS).optional(),
  subjectRef: subjectRef.optional(),
  status: z.enum(IMPACT_STATUSES).optional(),
});
export type ListImpactAssessmentsInput = z.input<typeof listImpactAssessmentsInput>;

export const impactAssessmentSchema = z.object({
  id: z.uuid(),
  subjectKind: z.enum(IMPACT_SUBJECT_KINDS),
  subjectRef: z.string().nullable(),
  title: z.string(),
  templateId: z.string(),
  templateVersion: z.number().int(),
  answers: z.array(z.object({ questionId: z.string(), value: z.string(), note: z.string().optional() })),
  /** The lowest level the answers allow. */
  computedRiskLevel: z.enum(IMPACT_RISK_LEVELS),
  riskLevel: z.enum(IMPACT_RISK_LEVELS),
  status: z.enum(IMPACT_STATUSES),
  /** Required questions still unanswered (empty once completed). */
  missing: z.array(z.string()),
  createdBy: z.string(),
  authorUserId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  completedBy: z.string().nullable(),
  approverUserId: z.uuid().nullable(),
  completedAt: z.iso.datetime().nullable(),
  approvalComment: z.string().nullable(),
  keepUntil: z.iso.datetime(),
});
export type ImpactAssessment = z.infer<typeof impactAssessmentSchema>;
