/**
 * API client for third-party recipients (P6.1, P6.3) and impact assessments (issue #6). The
 * contract is core's recipients-types.ts and impact-types.ts (camelCase JSON).
 */
import { request, type L10n } from './api';

interface ItemList<T> {
  items: T[];
}

export const RECIPIENT_STATUSES = ['pending', 'approved', 'suspended', 'terminated'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];
export const FINDING_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];
export const FINDING_STATUSES = ['open', 'remediating', 'closed'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];
export type DataDisposition = 'deleted' | 'returned';
export type ReassessmentState = 'overdue' | 'due_soon' | 'ok' | 'none';

export interface Recipient {
  id: string;
  legalName: string;
  uscc: string;
  contact: { name: string; email: string | null; phone: string | null };
  country: string;
  region: string;
  crossBorder: boolean;
  dataCategories: string[];
  purpose: string;
  status: RecipientStatus;
  reassessmentIntervalDays: number;
  reassessmentDueAt: string | null;
  reassessmentState: ReassessmentState;
  remindedFor: string | null;
  latestAssessment: { id: string; score: number; passed: boolean; assessedAt: string; reviewedBy: string } | null;
  commitmentExpiresAt: string | null;
  openFindings: number;
  eligibility: { eligible: boolean; reasons: string[] };
  createdBy: string;
  createdAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  suspendedAt: string | null;
  suspensionReason: string | null;
  terminatedAt: string | null;
}

export interface Answer {
  questionId: string;
  value: string;
  note?: string;
}

export interface RecipientAssessment {
  id: string;
  recipientId: string;
  kind: 'initial' | 'periodic' | 'reinstatement';
  templateId: string;
  templateVersion: number;
  answers: Answer[];
  score: number;
  passThreshold: number;
  passed: boolean;
  knockouts: string[];
  reviewedBy: string;
  reviewerUserId: string | null;
  comment: string | null;
  assessedAt: string;
  nextDueAt: string;
  evidence: Array<{ sha256: string; filename: string; sizeBytes: number }>;
}

export interface Commitment {
  id: string;
  agreementSha256: string;
  agreementFilename: string | null;
  committedToPolicy: boolean;
  policyVersion: string;
  effectiveFrom: string;
  expiresAt: string;
  state: 'in_force' | 'expired' | 'future';
  recordedBy: string;
  recordedAt: string;
}

export interface Finding {
  id: string;
  assessmentId: string | null;
  title: string;
  description: string;
  severity: FindingSeverity;
  owner: { id: string; username: string; displayName: string };
  dueAt: string;
  overdue: boolean;
  status: FindingStatus;
  createdBy: string;
  createdAt: string;
  closedAt: string | null;
  updates: Array<{ status: FindingStatus; note: string; updatedBy: string; updatedAt: string }>;
}

export interface RecipientDetail {
  recipient: Recipient;
  assessments: RecipientAssessment[];
  commitments: Commitment[];
  findings: Finding[];
  termination: {
    reason: string;
    dataDisposition: DataDisposition;
    evidenceSha256: string;
    confirmedAt: string;
    recordedBy: string;
    recordedAt: string;
  } | null;
  impactAssessments: Array<{ id: string; title: string; status: ImpactStatus; riskLevel: RiskLevel; completedAt: string | null }>;
}

export interface CapabilityTemplate {
  id: string;
  version: number;
  title: L10n;
  passThreshold: number;
  questions: Array<{
    id: string;
    section: string;
    weight: number;
    text: L10n;
    options: Array<{ value: string; score: number; fails?: boolean; label: L10n }>;
  }>;
}

export interface NewRecipient {
  legalName: string;
  uscc: string;
  contact: { name: string; email?: string; phone?: string };
  country: string;
  region: string;
  crossBorder?: boolean;
  dataCategories: string[];
  purpose: string;
  reassessmentIntervalDays: number;
}

export interface EvidenceInput {
  filename: string;
  sha256?: string;
  sizeBytes?: number;
  contentBase64?: string;
}

export interface NewCommitment {
  agreementSha256: string;
  agreementFilename?: string;
  committedToPolicy: boolean;
  policyVersion: string;
  effectiveFrom: string;
  expiresAt: string;
}

export interface NewFinding {
  title: string;
  description: string;
  severity: FindingSeverity;
  ownerUserId: string;
  dueAt: string;
  assessmentId?: string;
}

export const IMPACT_SUBJECT_KINDS = ['share', 'transfer', 'disclosure', 'recipient'] as const;
export type ImpactSubjectKind = (typeof IMPACT_SUBJECT_KINDS)[number];
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export type ImpactStatus = 'draft' | 'completed';

export interface ImpactAssessment {
  id: string;
  subjectKind: ImpactSubjectKind;
  subjectRef: string | null;
  title: string;
  templateId: string;
  templateVersion: number;
  answers: Answer[];
  computedRiskLevel: RiskLevel;
  riskLevel: RiskLevel;
  status: ImpactStatus;
  missing: string[];
  createdBy: string;
  authorUserId: string | null;
  createdAt: string;
  updatedAt: string;
  completedBy: string | null;
  approverUserId: string | null;
  completedAt: string | null;
  approvalComment: string | null;
  keepUntil: string;
}

export interface PiaTemplate {
  id: string;
  version: number;
  title: L10n;
  questions: Array<{
    id: string;
    section: 'purpose' | 'impact' | 'security' | 'cross_border' | 'conclusion';
    kind: 'choice' | 'text';
    required: boolean;
    requiredWhenHighRisk?: boolean;
    text: L10n;
    options?: Array<{ value: string; risk: RiskLevel; label: L10n }>;
  }>;
}

export interface ImpactDraft {
  subjectKind: ImpactSubjectKind;
  subjectRef?: string;
  title: string;
  answers: Answer[];
  riskLevel?: RiskLevel;
}

const rid = (id: string) => `/api/v1/recipients/${encodeURIComponent(id)}`;
const iid = (id: string) => `/api/v1/impact-assessments/${encodeURIComponent(id)}`;

export const recipientsApi = {
  list: (query: { status?: RecipientStatus } = {}) =>
    request<ItemList<Recipient>>('GET', '/api/v1/recipients', { query }).then((r) => r.items),
  templates: () => request<ItemList<CapabilityTemplate>>('GET', '/api/v1/recipients/assessment-templates').then((r) => r.items),
  get: (id: string) => request<RecipientDetail>('GET', rid(id)),
  create: (body: NewRecipient) => request<RecipientDetail>('POST', '/api/v1/recipients', { body }),
  assess: (id: string, body: { answers: Answer[]; evidence: EvidenceInput[]; comment?: string }) =>
    request<RecipientDetail>('POST', `${rid(id)}/assessments`, { body }),
  recordCommitment: (id: string, body: NewCommitment) => request<RecipientDetail>('POST', `${rid(id)}/commitments`, { body }),
  approve: (id: string, comment?: string) => request<RecipientDetail>('POST', `${rid(id)}/approve`, { body: comment ? { comment } : {} }),
  suspend: (id: string, reason: string) => request<RecipientDetail>('POST', `${rid(id)}/suspend`, { body: { reason } }),
  reinstate: (id: string, comment?: string) =>
    request<RecipientDetail>('POST', `${rid(id)}/reinstate`, { body: comment ? { comment } : {} }),
  terminate: (id: string, body: { reason: string; dataDisposition: DataDisposition; evidenceSha256: string }) =>
    request<RecipientDetail>('POST', `${rid(id)}/terminate`, { body }),
  recordFinding: (id: string, body: NewFinding) => request<RecipientDetail>('POST', `${rid(id)}/findings`, { body }),
  updateFinding: (id: string, findingId: string, body: { status: FindingStatus; note: string }) =>
    request<RecipientDetail>('PATCH', `${rid(id)}/findings/${encodeURIComponent(findingId)}`, { body }),
};

export const impactApi = {
  list: (query: { subjectKind?: ImpactSubjectKind; status?: ImpactStatus; subjectRef?: string } = {}) =>
    request<ItemList<ImpactAssessment>>('GET', '/api/v1/impact-assessments', { query }).then((r) => r.items),
  templates: () => request<ItemList<PiaTemplate>>('GET', '/api/v1/impact-assessments/templates').then((r) => r.items),
  get: (id: string) => request<ImpactAssessment>('GET', iid(id)),
  create: (body: ImpactDraft) => request<ImpactAssessment>('POST', '/api/v1/impact-assessments', { body }),
  update: (id: string, body: Partial<Omit<ImpactDraft, 'subjectKind'>>) => request<ImpactAssessment>('PATCH', iid(id), { body }),
  complete: (id: string, comment?: string) =>
    request<ImpactAssessment>('POST', `${iid(id)}/complete`, { body: comment ? { comment } : {} }),
};
