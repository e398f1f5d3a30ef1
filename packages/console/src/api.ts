/**
 * A small typed client for the Custos HTTP API.
 *
 * The session lives in an HTTP-only cookie set by the server, so every call is a same-origin
 * fetch with credentials; the UI never sees or stores the token. Non-2xx responses are turned
 * into an {@link ApiProblem} built from the `application/problem+json` body.
 */

export interface FieldProblem {
  field: string;
  reason: string;
}

/** The problem+json body (RFC 9457) the server returns on every error. */
export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  code?: string;
  errors?: FieldProblem[];
  /** The consent contract names the field problems `problems`; both are read. */
  problems?: FieldProblem[];
  clauses?: string[];
}

export class ApiProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly instance: string | undefined;
  readonly errors: FieldProblem[];
  readonly clauses: string[];

  constructor(status: number, body: ProblemBody) {
    const title = body.title ?? `HTTP ${status}`;
    super(body.detail ? `${title}: ${body.detail}` : title);
    this.name = 'ApiProblem';
    this.status = status;
    this.type = body.type ?? 'about:blank';
    this.title = title;
    this.detail = body.detail;
    this.code = body.code;
    this.requestId = body.requestId;
    this.instance = body.instance;
    this.errors = [...(Array.isArray(body.errors) ? body.errors : []), ...(Array.isArray(body.problems) ? body.problems : [])];
    this.clauses = Array.isArray(body.clauses) ? body.clauses : [];
  }
}

/** Status used for an ApiProblem when the request never got an HTTP answer. */
export const NETWORK_ERROR_STATUS = 0;

// ---------------------------------------------------------------------------------------------
// Resource types (the API contract, camelCase JSON)

export type PermissionName =
  | 'user.read'
  | 'user.manage'
  | 'department.read'
  | 'department.manage'
  | 'role.read'
  | 'catalogue.read'
  | 'catalogue.manage'
  | 'audit.read'
  | 'audit.verify'
  | 'customer.create'
  | 'customer.read'
  | 'customer.update'
  | 'customer.reveal'
  | 'customer.delete'
  | 'key.read'
  | 'key.manage'
  | 'department.purposes'
  | 'purpose.read'
  | 'purpose.manage'
  | 'purpose.approve'
  | 'notice.manage'
  | 'channel.read'
  | 'channel.manage'
  | 'consent.read'
  | 'consent.manage'
  | 'customer.collect'
  | 'medium.read'
  | 'medium.manage'
  | 'medium.approve'
  | 'retention.read'
  | 'retention.manage'
  | 'retention.hold';

export interface CurrentUser {
  id: string;
  username: string;
  displayName: string;
  departmentId: string | null;
  roles: string[];
  permissions: string[];
}

export interface LoginResponse {
  token: string;
  user: CurrentUser;
}

export type UserStatus = 'active' | 'disabled';

export interface User {
  id: string;
  username: string;
  displayName: string;
  /** Not in the written contract; the server returns it. */
  email?: string | null;
  departmentId: string | null;
  roles: string[];
  status: UserStatus;
  createdAt: string;
}

export interface NewUser {
  username: string;
  displayName: string;
  email?: string | null;
  password: string;
  /** The server requires it (P1.2: every staff member belongs to a department). */
  departmentId: string;
  roles: string[];
}

export interface Department {
  id: string;
  name: string;
  parentId: string | null;
  headUserId: string | null;
  createdAt: string;
}

export interface NewDepartment {
  name: string;
  parentId?: string | null;
  headUserId?: string | null;
}

export interface LocalizedText {
  'zh-CN': string;
  en: string;
}

export interface Role {
  id: string;
  name: LocalizedText;
  description: LocalizedText;
  permissions: string[];
}

export const PI_TYPES = [
  'cn_resident_id',
  'cn_mobile',
  'cn_landline',
  'email',
  'bank_card',
  'cn_uscc',
  'passport',
  'hk_macau_permit',
  'hk_macau_resident_permit',
  'taiwan_permit',
  'person_name',
  'address',
  'date',
  'text',
] as const;
export type PiType = (typeof PI_TYPES)[number];

export type Sensitivity = 'general' | 'sensitive';

export interface DataCategory {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  description: string | null;
  /** One of {@link PI_TYPES}; typed as string so an unknown future type still renders. */
  piType: string;
  sensitivity: Sensitivity;
  builtIn: boolean;
  version: number;
  updatedAt: string;
}

export interface NewDataCategory {
  code: string;
  nameZh: string;
  nameEn: string;
  piType: string;
  sensitivity: Sensitivity;
  description?: string;
}

export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditEvent {
  seq: number | null;
  id: string;
  occurredAt: string;
  actor: { type: 'user' | 'system'; id: string | null; name: string };
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  clauses: string[];
  purposeId: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
  requestId: string | null;
  prevHash: string | null;
  hash: string | null;
}

export interface AuditQuery {
  action?: string;
  outcome?: AuditOutcome;
  resourceType?: string;
  resourceId?: string;
  actorId?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

export interface VerifyResult {
  intact: boolean;
  checkedEvents: number;
  firstBrokenSeq: number | null;
  reason: string | null;
  pendingEvents: number;
  checkpoints: { checked: number; failed: number; latestSeq: number | null };
}

// Customer PI vault

/** The PI types a customer can be found by exactly (blind index). */
export const LOOKUP_PI_TYPES = ['cn_resident_id', 'cn_mobile', 'email'] as const;
export type LookupPiType = (typeof LOOKUP_PI_TYPES)[number];

/**
 * Why plain values are needed (P5.1): the code of a registered purpose. A reveal needs it active,
 * held by the user's department, covered by consent (or its other legal basis) and a live grant.
 */
export type UsePurpose = string;

/** An active registered purpose the user's department holds (GET /api/v1/me/purposes). */
export interface HeldPurpose {
  code: string;
  version: number;
  name: L10n;
  legalBasis: string;
  /** Catalogue category codes the purpose covers. */
  fields: string[];
}

/** One stored field as read: masked, never the plain value. */
export interface MaskedField {
  /** The catalogue category code. */
  field: string;
  piType: string;
  sensitivity: Sensitivity;
  masked: string;
  version: number;
  updatedAt: string;
}

export interface Customer {
  id: string;
  status: 'active' | 'deleted';
  createdAt: string;
  updatedAt: string;
  fields: MaskedField[];
}

export interface RevealRequest {
  fields: string[];
  purpose: UsePurpose;
  justification: string;
}

export interface RevealResult {
  customerId: string;
  purpose: UsePurpose;
  /** field code -> plain value. Keep only as long as it is on screen. */
  values: Record<string, string>;
}

export interface FieldHistoryEntry {
  version: number;
  masked: string;
  changedAt: string;
  changedBy: string;
  reason: string | null;
  current: boolean;
}

export type KekState = 'current' | 'active' | 'retired';

export interface KekInfo {
  version: number;
  createdAt: string | null;
  state: KekState;
  algorithm: string;
  provider: string;
  wrappedDataKeys: number;
}

export type RewrapJobStatus = 'running' | 'completed' | 'failed';

export interface RewrapJob {
  id: string;
  toVersion: number;
  status: RewrapJobStatus;
  total: number;
  done: number;
  startedAt: string;
  finishedAt: string | null;
}

export interface KeysOverview {
  keks: KekInfo[];
  rewrapJobs: RewrapJob[];
}

// Consent: processing purposes, privacy notices, collection channels, consent ledger (issue #4)

/** Localised text: `{ 'zh-CN': string, en: string }`. */
export type L10n = LocalizedText;

/** The legal bases of PIPL Art. 13 (1)–(7); `other_law` is item (7). */
export const LEGAL_BASES = [
  'consent',
  'contract',
  'hr_management',
  'legal_duty',
  'public_health',
  'news_reporting',
  'public_information',
  'other_law',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const RETENTION_TRIGGERS = ['collection', 'relationship_end', 'last_activity', 'consent_withdrawal'] as const;
export type RetentionTrigger = (typeof RETENTION_TRIGGERS)[number];

export interface Retention {
  days: number;
  trigger: RetentionTrigger;
}

export const PURPOSE_STATUSES = ['draft', 'submitted', 'approved', 'active', 'retired'] as const;
export type PurposeStatus = (typeof PURPOSE_STATUSES)[number];

/** One version of a processing purpose (a purpose is identified by `code`; each version has its own `id`). */
export interface Purpose {
  id: string;
  code: string;
  version: number;
  status: PurposeStatus;
  name: L10n;
  description: L10n;
  businessLine: string;
  ownerDepartmentId: string;
  legalBasis: LegalBasis;
  /** Catalogue category codes. */
  fields: string[];
  /** Per sensitive category code: why it is necessary. */
  necessity: Record<string, L10n>;
  scenarios: L10n[];
  retention: Retention;
  /** The oldest version whose consents still count. */
  consentBaseline: number | null;
  createdBy: string;
  createdAt: string;
  submittedBy: string | null;
  submittedAt: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  activatedAt: string | null;
  retiredAt: string | null;
  reviewComment: string | null;
}

export interface NewPurpose {
  code: string;
  name: L10n;
  description: L10n;
  businessLine: string;
  ownerDepartmentId: string;
  legalBasis: LegalBasis;
  fields: string[];
  necessity: Record<string, L10n>;
  scenarios: L10n[];
  retention: Retention;
}

export interface PurposeQuery {
  status?: PurposeStatus;
  code?: string;
}

export interface NoticeSensitiveElement {
  /** A sensitive category code of the purpose version. */
  field: string;
  necessity: string;
  impact: string;
}

/** The elements of a privacy notice in one language (PIPL Art. 17 and 30). */
export interface NoticeElements {
  purpose: string;
  method: string;
  scope: string;
  retention: string;
  scenarios: string;
  controllerName: string;
  controllerContact: string;
  rights: string;
  sensitive: NoticeSensitiveElement[];
}

/** The text elements of {@link NoticeElements}, in display order. */
export const NOTICE_TEXT_ELEMENTS = [
  'purpose',
  'method',
  'scope',
  'retention',
  'scenarios',
  'controllerName',
  'controllerContact',
  'rights',
] as const;
export type NoticeTextElement = (typeof NOTICE_TEXT_ELEMENTS)[number];

export interface NoticeContent {
  'zh-CN': NoticeElements;
  en: NoticeElements;
}

export type NoticeStatus = 'draft' | 'published' | 'superseded';

export interface Notice {
  id: string;
  /** The purpose version's id. */
  purposeId: string;
  purposeCode: string;
  purposeVersion: number;
  version: number;
  status: NoticeStatus;
  content: NoticeContent;
  /** Hex SHA-256 of the published content; null while a draft. */
  contentHash: string | null;
  createdBy: string;
  createdAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
}

export const CHANNEL_TYPES = ['web_form', 'online_registration', 'contract_signing', 'in_branch', 'phone', 'bulk_import'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
/** The channel types that embed the widget: they have allowed origins and a publishable key. */
export const WEB_CHANNEL_TYPES: readonly ChannelType[] = ['web_form', 'online_registration'];

export interface Channel {
  id: string;
  code: string;
  name: L10n;
  type: ChannelType;
  ownerDepartmentId: string;
  allowedOrigins: string[];
  /** The publishable key (web_form and online_registration only). */
  publicKey: string | null;
  status: 'active' | 'disabled';
  createdAt: string;
  createdBy: string;
}

export interface NewChannel {
  code: string;
  name: L10n;
  type: ChannelType;
  ownerDepartmentId: string;
  allowedOrigins?: string[];
}

export const CONSENT_METHODS = ['checkbox', 'click', 'e_signature', 'paper_signature', 'recorded_call'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];
/** The methods staff record on a customer's behalf (the others happen in the widget). */
export const STAFF_CONSENT_METHODS: readonly ConsentMethod[] = ['paper_signature', 'recorded_call', 'e_signature'];

export interface SeparateConsentRequest {
  type: 'sensitive';
  category: string;
}

export interface ConsentEvidence {
  formSnapshotHash?: string;
  documentHash?: string;
  ipHash?: string;
  userAgentHash?: string;
}

export interface RecordConsentRequest {
  purposeCode: string;
  noticeId: string;
  scope: string[];
  separate: SeparateConsentRequest[];
  method: ConsentMethod;
  channelId?: string;
  evidence?: { formSnapshotHash?: string; documentHash?: string };
  expiresAt?: string;
}

export interface WithdrawConsentRequest {
  purposeCode: string;
  /** Default: all categories of the purpose. */
  categories?: string[];
  method: ConsentMethod;
  evidence?: { documentHash?: string };
}

export interface ConsentIds {
  consentIds: string[];
}

export interface SeparateConsent {
  type: string;
  category?: string;
  recipient?: string;
}

export interface ConsentRecord {
  id: string;
  kind: 'grant' | 'withdrawal';
  purposeCode: string;
  purposeVersion: number;
  noticeId: string | null;
  noticeHash: string | null;
  scope: string[];
  separate: SeparateConsent | null;
  method: string;
  channelId: string | null;
  evidence: ConsentEvidence | null;
  recordedBy: string | null;
  recordedAt: string;
  expiresAt: string | null;
}

export type ConsentStatus = 'granted' | 'withdrawn' | 'expired';

export interface ConsentState {
  purposeCode: string;
  category: string;
  status: ConsentStatus;
  /** The contract does not type it: a flag (as in the portal) or the separate-consent object. */
  separate: boolean | SeparateConsent | null;
  purposeVersion: number;
  consentId: string;
  givenAt: string;
  withdrawnAt: string | null;
  expiresAt: string | null;
}

export interface CustomerConsents {
  records: ConsentRecord[];
  current: ConsentState[];
}

export interface ConsentCheckDecision {
  field: string;
  allow: boolean;
  reason: string;
}

export interface ConsentStatistic {
  purposeCode: string;
  /** The contract does not type it; localised text expected, a plain string tolerated. */
  purposeName: L10n | string;
  granted: number;
  withdrawn: number;
  expired: number;
  customers: number;
}

export interface ImportRequest {
  channelId: string;
  purposeCode: string;
  lawfulSource: { description: string; basis: string };
  batchSize?: number;
  rows: { fields: Record<string, string>; consent?: { method: ConsentMethod; givenAt: string; evidenceHash?: string } }[];
}

export interface ImportResult {
  importId: string;
  accepted: number;
  rejected: number;
  batches: number;
  rejectedRows: { row: number; problems: FieldProblem[] }[];
}

interface ItemList<T> {
  items: T[];
}

// ---------------------------------------------------------------------------------------------
// Storage media: register, inspections, disposal and destruction certificates (issue #7, P4.3)

export const MEDIUM_TYPES = ['server_disk', 'database_volume', 'cloud_bucket', 'backup_tape', 'removable_drive', 'paper_archive'] as const;
export type MediumType = (typeof MEDIUM_TYPES)[number];
export type MediumStatus = 'active' | 'disposal_requested' | 'disposal_approved' | 'destroyed';
export const DESTRUCTION_METHODS = ['clear', 'purge', 'destroy', 'crypto_erase'] as const;
export type DestructionMethod = (typeof DESTRUCTION_METHODS)[number];
export const INSPECTION_ITEMS = [
  'register_matches',
  'physical_security',
  'access_control',
  'encryption_verified',
  'integrity_verified',
  'environment',
] as const;
export type InspectionItem = (typeof INSPECTION_ITEMS)[number];
export type InspectionResult = 'passed' | 'passed_with_findings' | 'failed';

export interface UserRef {
  id: string;
  username: string;
  displayName: string;
}

export interface Medium {
  id: string;
  identifier: string;
  label: string;
  type: MediumType;
  location: string;
  custodian: UserRef;
  encryption: { encrypted: boolean; method: string | null };
  dataCategories: string[];
  dataSets: string[];
  backupOfMediumId: string | null;
  inspectionIntervalDays: number;
  lastInspectedAt: string | null;
  nextInspectionDueAt: string;
  inspectionState: 'overdue' | 'due_soon' | 'ok' | 'none';
  remindedFor: string | null;
  status: MediumStatus;
  destroyedAt: string | null;
  createdBy: string;
  createdAt: string;
}

export interface NewMedium {
  identifier: string;
  label: string;
  type: MediumType;
  location: string;
  custodianUserId: string;
  encryption: { encrypted: boolean; method?: string };
  dataCategories: string[];
  dataSets: string[];
  backupOfMediumId?: string;
  inspectionIntervalDays: number;
}

export interface Inspection {
  id: string;
  mediumId: string;
  inspectedAt: string;
  inspectedBy: string;
  checklist: { item: InspectionItem; passed: boolean; note?: string }[];
  result: InspectionResult;
  findings: string | null;
  dueAt: string;
  nextDueAt: string;
  recordedAt: string;
}

export interface NewInspection {
  inspectedAt?: string;
  checklist: { item: InspectionItem; passed: boolean; note?: string }[];
  result: InspectionResult;
  findings?: string;
}

export interface Disposal {
  id: string;
  mediumId: string;
  status: 'requested' | 'approved' | 'rejected' | 'completed';
  reason: string;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionComment: string | null;
  method: DestructionMethod | null;
  nistLevel: 'clear' | 'purge' | 'destroy' | null;
  performedBy: UserRef | null;
  witness: UserRef | null;
  destroyedAt: string | null;
  evidenceSha256: string | null;
  certificateNo: string | null;
  recordedBy: string | null;
  recordedAt: string | null;
}

export interface MediumDetail {
  medium: Medium;
  inspections: Inspection[];
  disposals: Disposal[];
}

export interface NewDestruction {
  method: DestructionMethod;
  performedByUserId?: string;
  witnessUserId: string;
  destroyedAt?: string;
  evidenceSha256: string;
}

export interface DisposalCertificate {
  certificateNo: string;
  disposalId: string;
  medium: {
    id: string;
    identifier: string;
    label: string;
    type: MediumType;
    location: string;
    encrypted: boolean;
    dataCategories: string[];
    dataSets: string[];
  };
  method: DestructionMethod;
  nistLevel: 'clear' | 'purge' | 'destroy';
  standard: string;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  approvedBy: string;
  approvedAt: string;
  performedBy: UserRef;
  witness: UserRef;
  destroyedAt: string;
  evidenceSha256: string;
  recordedBy: string;
  recordedAt: string;
  certificateHash: string;
  clauses: string[];
}

export interface StorageDataSet {
  label: string;
  description: string | null;
  retained: boolean;
  retainUntil: string | null;
  stillRetained: boolean;
  liveCopies: number;
  createdBy: string;
  createdAt: string;
}

// ---------------------------------------------------------------------------------------------
// Retention: rules, upcoming expiries, sweep runs with their destruction records, legal holds (issue #7, P4.2)

export const RETENTION_ACTIONS = ['delete', 'anonymise'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];
/** What a sweep does to one customer: the whole customer, or the fields no valid purpose needs. */
export type RetentionPlanAction = RetentionAction | 'remove_fields';

export interface RetentionRule {
  id: string;
  /** `rule:<id>` for an explicit rule, `purpose:<code>` for a purpose's own retention. */
  key: string;
  source: 'rule' | 'purpose';
  purposeCode: string | null;
  categoryCode: string | null;
  days: number;
  trigger: RetentionTrigger;
  action: RetentionAction;
  description: string;
  status: 'active' | 'retired';
  createdBy: string | null;
  createdAt: string | null;
  overridden: boolean;
  held: boolean;
}

export interface NewRetentionRule {
  purposeCode?: string;
  categoryCode?: string;
  days: number;
  trigger: RetentionTrigger;
  action: RetentionAction;
  description: string;
}

export interface SweepCounts {
  scanned: number;
  deleted: number;
  anonymised: number;
  customersWithFieldsRemoved: number;
  fieldsRemoved: number;
  held: number;
}

export interface RetentionPlanItem {
  customerId: string;
  action: RetentionPlanAction;
  fields: string[];
  rules: string[];
  expiredAt: string;
}

export interface RetentionPreview {
  asOf: string;
  counts: SweepCounts;
  items: RetentionPlanItem[];
  truncated: boolean;
}

export type RetentionRunStatus = 'running' | 'completed' | 'failed';

export interface RetentionRun {
  id: string;
  trigger: 'manual' | 'schedule';
  scheduledFor: string | null;
  status: RetentionRunStatus;
  asOf: string;
  batchSize: number;
  batches: number;
  counts: SweepCounts;
  resumes: number;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
}

export interface RetentionDestruction {
  customerId: string;
  action: RetentionPlanAction;
  method: 'crypto_shred' | 'crypto_shred_with_statistics' | 'field_removal';
  fields: string[];
  historyEntries: number;
  rules: string[];
  expiredAt: string;
  destroyedAt: string;
  keepUntil: string;
}

export interface RetentionRunReport {
  run: RetentionRun;
  destructions: RetentionDestruction[];
  totalDestructions: number;
}

export interface RetentionExpiries {
  asOf: string;
  until: string;
  byRule: { rule: string; customers: number }[];
  items: { customerId: string; at: string; rule: string; scope: 'customer' | 'fields'; fields: string[] }[];
  total: number;
  /** Already expired, waiting for the next sweep. */
  due: number;
  held: number;
}

export interface LegalHold {
  id: string;
  customerId: string | null;
  ruleId: string | null;
  purposeCode: string | null;
  reason: string;
  legalBasis: string;
  placedBy: string;
  placedAt: string;
  releasedBy: string | null;
  releasedAt: string | null;
  releaseReason: string | null;
}

/** Exactly one of customerId, ruleId, purposeCode. */
export interface NewLegalHold {
  customerId?: string;
  ruleId?: string;
  purposeCode?: string;
  reason: string;
  legalBasis: string;
}

// ---------------------------------------------------------------------------------------------
// Approved internal use: applications, reviews, grants, de-identified exports (issue #5, P5.1–P5.3)

export const USE_METHODS = ['view', 'api', 'export'] as const;
export type UseMethod = (typeof USE_METHODS)[number];
export type CustomerScope = { kind: 'all' } | { kind: 'list'; ids: string[]; segment?: { id: string; name: string } };
/** What an application may name: a scope, or a saved segment (stored as its list). */
export type CustomerScopeInput = CustomerScope | { kind: 'segment'; segmentId: string };

/** A saved, named list of customers of the department (P5.2). */
export interface Segment {
  id: string;
  name: string;
  description: string | null;
  departmentId: string;
  createdBy: string;
  size: number;
  createdAt: string;
}
export type UseApplicationStatus = 'draft' | 'in_review' | 'returned' | 'approved' | 'rejected' | 'withdrawn';
export type ReviewDecision = 'approve' | 'reject' | 'return';

export interface NewUseApplication {
  purposeCode: string;
  scenario: string;
  fields: string[];
  customerScope: CustomerScopeInput;
  method: UseMethod;
  validFrom: string;
  validUntil: string;
  justification: string;
}

export interface UseReview {
  step: number;
  stepRole: string;
  reviewerName: string;
  /** The reviewer acted for this user under a delegation. */
  onBehalfOf: string | null;
  decision: ReviewDecision;
  comment: string | null;
  decidedAt: string;
}

export interface UseApplication extends Omit<NewUseApplication, 'customerScope'> {
  customerScope: CustomerScope;
  id: string;
  applicantId: string;
  applicantName: string;
  departmentId: string;
  sensitive: boolean;
  /** Review roles in order (department_head, management_approver, compliance_officer). */
  chain: string[];
  /** Index of the current step in `chain`. */
  step: number;
  status: UseApplicationStatus;
  createdAt: string;
  submittedAt: string | null;
  decidedAt: string | null;
  reviews: UseReview[];
  grantId: string | null;
  /** In lists: the current step awaits the caller (also under a delegation). */
  awaitingMyReview?: boolean;
}

export type GrantStatus = 'active' | 'expired' | 'revoked';

export interface Grant {
  id: string;
  applicationId: string;
  departmentId: string;
  holderId: string;
  purposeCode: string;
  fields: string[];
  customerScope: CustomerScope;
  method: UseMethod | string;
  validFrom: string;
  validUntil: string;
  status: GrantStatus;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  accesses: number;
}

export interface GrantAccess {
  id: number;
  actorId: string | null;
  actorName: string;
  customerId: string | null;
  fields: string[];
  operation: string;
  accessedAt: string;
}

export interface NewDelegation {
  delegateId?: string;
  delegateUsername?: string;
  validFrom: string;
  validUntil: string;
  reason: string;
}

export const COLUMN_ROLES = ['identifier', 'quasi_identifier', 'sensitive', 'insensitive'] as const;
export type ColumnRole = (typeof COLUMN_ROLES)[number];
export const OPERATOR_KINDS = ['keep', 'mask', 'display_mask', 'redact', 'pseudonymise', 'generalise', 'suppress_column'] as const;
export type OperatorKind = (typeof OPERATOR_KINDS)[number];
/** The generalisation hierarchies core ships (P5.3). */
export const HIERARCHIES = ['date', 'age', 'cn_address', 'cn_city', 'cn_resident_id'] as const;

export type DeidentifyOperator =
  | { kind: 'keep' }
  | { kind: 'mask'; keepFirst?: number; keepLast?: number }
  | { kind: 'display_mask' }
  | { kind: 'redact' }
  | { kind: 'pseudonymise' }
  | { kind: 'generalise'; hierarchy: string; level?: number; minLevel?: number; maxLevel?: number }
  | { kind: 'suppress_column' };

export interface ColumnSpec {
  field: string;
  role: ColumnRole;
  piType?: string;
  operator: DeidentifyOperator;
  weight?: number;
}

export interface PrivacyModel {
  k: number;
  l?: number;
  maxSuppression: number;
}

export interface DatasetSpec {
  columns: ColumnSpec[];
  privacyModel: PrivacyModel;
}

/** The measurement of one generalisation against the privacy model. */
export interface NodeAssessment {
  levels: number[];
  levelsByField: Record<string, number>;
  satisfied: boolean;
  loss: number;
  records: number;
  classes: number;
  suppressedRecords: number;
  suppressedClasses: number;
  maxSuppressedRecords: number;
  releasedRecords: number;
  k: number | null;
  l: number | null;
  risk: { highest: number; average: number };
}

export interface ReleasePlan {
  privacyModel: PrivacyModel;
  quasiIdentifiers: { field: string; hierarchy: string; levelNames: string[]; minLevel: number; maxLevel: number }[];
  configured: NodeAssessment;
  /** The least-loss generalisation meeting the model; null when none does. */
  proposal: NodeAssessment | null;
  search: { algorithm: string; latticeSize: number; checked: number; ms: number };
}

export interface ExportPreview {
  grantId: string;
  fields: string[];
  sample: Record<string, string | null>[];
  plan: ReleasePlan;
  /** The assessment at the levels asked for (or configured): what a release now would be. */
  chosen: NodeAssessment;
  /** At those levels before any suppression: the smallest class (k) and the least diverse class (l). */
  measured: { k: number | null; l: number | null };
  population: { inScope: number; included: number; excludedNoConsent: number };
}

export type ExportFormat = 'csv' | 'xlsx';

export interface ExportRecord {
  id: string;
  grantId: string;
  purposeCode: string;
  recipient: string;
  format: ExportFormat;
  status: 'ready' | 'downloaded' | 'expired';
  spec: DatasetSpec;
  levelsByField: Record<string, number>;
  k: number | null;
  l: number | null;
  targetK: number;
  targetL: number | null;
  inScopeCount: number;
  rowCount: number;
  suppressedCount: number;
  excludedCount: number;
  fileSha256: string;
  fileBytes: number;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  downloadedAt: string | null;
  /** The one-time download path; only in the answer to the creation. */
  downloadPath?: string;
}

export interface NewExport {
  grantId: string;
  spec: DatasetSpec;
  levels?: Record<string, number>;
  format: ExportFormat;
  recipient: string;
}

// ---------------------------------------------------------------------------------------------
// Transport

let acceptLanguage = 'zh-CN';

/** The UI language, sent as Accept-Language so server messages can follow it. */
export function setApiLanguage(lang: string): void {
  acceptLanguage = lang;
}

type UnauthenticatedListener = () => void;
let onUnauthenticated: UnauthenticatedListener | null = null;

/**
 * Called when an authenticated call answers 401 (expired or revoked session), so the shell can
 * return to the login page. Login itself never triggers it.
 */
export function setUnauthenticatedListener(listener: UnauthenticatedListener | null): void {
  onUnauthenticated = listener;
}

interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  /** Do not notify the unauthenticated listener on 401 (used by login and the session probe). */
  quiet401?: boolean;
  signal?: AbortSignal;
}

function buildUrl(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function readProblem(res: Response): Promise<ProblemBody> {
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const body: unknown = await res.json();
      if (body && typeof body === 'object') return body as ProblemBody;
    } catch {
      // fall through to a synthetic problem
    }
  }
  return { title: res.statusText || `HTTP ${res.status}`, status: res.status };
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    'Accept-Language': acceptLanguage,
  };
  let body: string | undefined;
  // A JSON content type with an empty body is rejected by the server, so only send the header
  // when there is a body.
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiProblem(NETWORK_ERROR_STATUS, {
      title: 'Network error',
      detail: err instanceof Error ? err.message : String(err),
      code: 'network_error',
    });
  }
  if (!res.ok) {
    const problem = new ApiProblem(res.status, await readProblem(res));
    if (res.status === 401 && !opts.quiet401) onUnauthenticated?.();
    throw problem;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

// ---------------------------------------------------------------------------------------------
// Endpoints

export const api = {
  login: (username: string, password: string) =>
    request<LoginResponse>('POST', '/api/v1/auth/login', { body: { username, password }, quiet401: true }),
  logout: () => request<void>('POST', '/api/v1/auth/logout', { quiet401: true }),
  me: () => request<CurrentUser>('GET', '/api/v1/me', { quiet401: true }),

  listUsers: () => request<ItemList<User>>('GET', '/api/v1/users').then((r) => r.items),
  createUser: (u: NewUser) => request<User>('POST', '/api/v1/users', { body: u }),
  disableUser: (id: string) => request<User>('POST', `/api/v1/users/${encodeURIComponent(id)}/disable`),

  listDepartments: () => request<ItemList<Department>>('GET', '/api/v1/departments').then((r) => r.items),
  createDepartment: (d: NewDepartment) => request<Department>('POST', '/api/v1/departments', { body: d }),

  listRoles: () => request<ItemList<Role>>('GET', '/api/v1/roles').then((r) => r.items),

  listDataCategories: () => request<ItemList<DataCategory>>('GET', '/api/v1/data-categories').then((r) => r.items),
  createDataCategory: (c: NewDataCategory) => request<DataCategory>('POST', '/api/v1/data-categories', { body: c }),

  createCustomer: (fields: Record<string, string>) => request<Customer>('POST', '/api/v1/customers', { body: { fields } }),
  /** The value goes in the body, never in the URL. */
  searchCustomers: (piType: LookupPiType, value: string) =>
    request<ItemList<Customer>>('POST', '/api/v1/customers/search', { body: { piType, value } }).then((r) => r.items),
  getCustomer: (id: string) => request<Customer>('GET', `/api/v1/customers/${encodeURIComponent(id)}`),
  revealCustomer: (id: string, body: RevealRequest) =>
    request<RevealResult>('POST', `/api/v1/customers/${encodeURIComponent(id)}/reveal`, { body }),
  correctCustomerField: (id: string, field: string, value: string, reason: string) =>
    request<Customer>('PUT', `/api/v1/customers/${encodeURIComponent(id)}/fields/${encodeURIComponent(field)}`, {
      body: { value, reason },
    }),
  customerFieldHistory: (id: string, field: string) =>
    request<ItemList<FieldHistoryEntry>>(
      'GET',
      `/api/v1/customers/${encodeURIComponent(id)}/fields/${encodeURIComponent(field)}/history`,
    ).then((r) => r.items),
  deleteCustomer: (id: string, reason: string) =>
    request<void>('DELETE', `/api/v1/customers/${encodeURIComponent(id)}`, { body: { reason } }),

  listMyPurposes: () => request<ItemList<HeldPurpose>>('GET', '/api/v1/me/purposes').then((r) => r.items),
  getDepartmentPurposes: (id: string) =>
    request<{ purposes: UsePurpose[] }>('GET', `/api/v1/departments/${encodeURIComponent(id)}/purposes`).then((r) => r.purposes),
  setDepartmentPurposes: (id: string, purposes: UsePurpose[]) =>
    request<{ purposes: UsePurpose[] }>('PUT', `/api/v1/departments/${encodeURIComponent(id)}/purposes`, {
      body: { purposes },
    }).then((r) => r.purposes),

  listKeys: () => request<KeysOverview>('GET', '/api/v1/keys'),
  rotateKeys: () => request<RewrapJob>('POST', '/api/v1/keys/rotate'),

  listPurposes: (q: PurposeQuery = {}) => request<ItemList<Purpose>>('GET', '/api/v1/purposes', { query: { ...q } }).then((r) => r.items),
  /** A new code, or the next version (a draft) of an existing one. */
  createPurpose: (p: NewPurpose) => request<Purpose>('POST', '/api/v1/purposes', { body: p }),
  submitPurpose: (id: string) => request<Purpose>('POST', `/api/v1/purposes/${encodeURIComponent(id)}/submit`),
  approvePurpose: (id: string, comment?: string) =>
    request<Purpose>('POST', `/api/v1/purposes/${encodeURIComponent(id)}/approve`, { body: comment ? { comment } : {} }),
  rejectPurpose: (id: string, comment: string) =>
    request<Purpose>('POST', `/api/v1/purposes/${encodeURIComponent(id)}/reject`, { body: { comment } }),
  activatePurpose: (id: string) => request<Purpose>('POST', `/api/v1/purposes/${encodeURIComponent(id)}/activate`),
  retirePurpose: (id: string) => request<Purpose>('POST', `/api/v1/purposes/${encodeURIComponent(id)}/retire`),

  listNotices: (purposeCode?: string) =>
    request<ItemList<Notice>>('GET', '/api/v1/notices', { query: { purposeCode } }).then((r) => r.items),
  createNotice: (purposeId: string, content: NoticeContent) => request<Notice>('POST', '/api/v1/notices', { body: { purposeId, content } }),
  updateNotice: (id: string, content: NoticeContent) =>
    request<Notice>('PUT', `/api/v1/notices/${encodeURIComponent(id)}`, { body: { content } }),
  publishNotice: (id: string) => request<Notice>('POST', `/api/v1/notices/${encodeURIComponent(id)}/publish`),

  listChannels: () => request<ItemList<Channel>>('GET', '/api/v1/channels').then((r) => r.items),
  createChannel: (c: NewChannel) => request<Channel>('POST', '/api/v1/channels', { body: c }),

  importCustomerData: (body: ImportRequest) => request<ImportResult>('POST', '/api/v1/imports', { body }),

  listCustomerConsents: (customerId: string) =>
    request<CustomerConsents>('GET', `/api/v1/customers/${encodeURIComponent(customerId)}/consents`),
  recordConsent: (customerId: string, body: RecordConsentRequest) =>
    request<ConsentIds>('POST', `/api/v1/customers/${encodeURIComponent(customerId)}/consents`, { body }),
  withdrawConsent: (customerId: string, body: WithdrawConsentRequest) =>
    request<ConsentIds>('POST', `/api/v1/customers/${encodeURIComponent(customerId)}/consents/withdraw`, { body }),
  checkConsent: (customerId: string, purposeCode: string, fields: string[]) =>
    request<{ decisions: ConsentCheckDecision[] }>('POST', '/api/v1/consent-checks', {
      body: { customerId, purposeCode, fields },
    }).then((r) => r.decisions),
  getConsentStatistics: () => request<ItemList<ConsentStatistic>>('GET', '/api/v1/consent-statistics').then((r) => r.items),

  listAuditEvents: (q: AuditQuery) => request<AuditPage>('GET', '/api/v1/audit-events', { query: { ...q } }),
  verifyAudit: () => request<VerifyResult>('POST', '/api/v1/audit/verify'),

  listStorageMedia: () => request<ItemList<Medium>>('GET', '/api/v1/storage-media').then((r) => r.items),
  createStorageMedium: (m: NewMedium) => request<Medium>('POST', '/api/v1/storage-media', { body: m }),
  getStorageMedium: (id: string) => request<MediumDetail>('GET', `/api/v1/storage-media/${encodeURIComponent(id)}`),
  listStorageDataSets: () => request<ItemList<StorageDataSet>>('GET', '/api/v1/storage-media/data-sets').then((r) => r.items),
  updateStorageDataSet: (label: string, body: { retained?: boolean; retainUntil?: string | null; description?: string }) =>
    request<StorageDataSet>('PATCH', `/api/v1/storage-media/data-sets/${encodeURIComponent(label)}`, { body }),
  recordMediumInspection: (id: string, body: NewInspection) =>
    request<MediumDetail>('POST', `/api/v1/storage-media/${encodeURIComponent(id)}/inspections`, { body }),
  requestMediumDisposal: (id: string, reason: string) =>
    request<MediumDetail>('POST', `/api/v1/storage-media/${encodeURIComponent(id)}/disposal`, { body: { reason } }),
  approveMediumDisposal: (id: string, comment?: string) =>
    request<MediumDetail>('POST', `/api/v1/storage-media/${encodeURIComponent(id)}/disposal/approve`, { body: comment ? { comment } : {} }),
  rejectMediumDisposal: (id: string, comment: string) =>
    request<MediumDetail>('POST', `/api/v1/storage-media/${encodeURIComponent(id)}/disposal/reject`, { body: { comment } }),
  recordMediumDestruction: (id: string, body: NewDestruction) =>
    request<DisposalCertificate>('POST', `/api/v1/storage-media/${encodeURIComponent(id)}/destruction`, { body }),
  getMediumDisposalCertificate: (id: string) =>
    request<DisposalCertificate>('GET', `/api/v1/storage-media/${encodeURIComponent(id)}/certificate`),

  listRetentionRules: (includeRetired = false) =>
    request<ItemList<RetentionRule>>('GET', '/api/v1/retention/rules', {
      query: { includeRetired: includeRetired ? 'true' : undefined },
    }).then((r) => r.items),
  createRetentionRule: (body: NewRetentionRule) => request<RetentionRule>('POST', '/api/v1/retention/rules', { body }),
  listRetentionExpiries: (days = 30, limit = 100) =>
    request<RetentionExpiries>('GET', '/api/v1/retention/expiries', { query: { days, limit } }),
  previewRetentionSweep: (limit = 1000) => request<RetentionPreview>('POST', '/api/v1/retention/preview', { body: { limit } }),
  runRetentionSweep: () => request<RetentionRun>('POST', '/api/v1/retention/runs', { body: {} }),
  listRetentionRuns: () => request<ItemList<RetentionRun>>('GET', '/api/v1/retention/runs').then((r) => r.items),
  getRetentionRun: (id: string) =>
    request<RetentionRunReport>('GET', `/api/v1/retention/runs/${encodeURIComponent(id)}`, { query: { limit: 1000 } }),
  listLegalHolds: (includeReleased = true) =>
    request<ItemList<LegalHold>>('GET', '/api/v1/retention/holds', {
      query: { includeReleased: includeReleased ? 'true' : undefined },
    }).then((r) => r.items),
  placeLegalHold: (body: NewLegalHold) => request<LegalHold>('POST', '/api/v1/retention/holds', { body }),
  releaseLegalHold: (id: string, reason: string) =>
    request<LegalHold>('POST', `/api/v1/retention/holds/${encodeURIComponent(id)}/release`, { body: { reason } }),

  listUseApplications: () => request<ItemList<UseApplication>>('GET', '/api/v1/use-applications').then((r) => r.items),
  createUseApplication: (body: NewUseApplication) => request<UseApplication>('POST', '/api/v1/use-applications', { body }),
  submitUseApplication: (id: string) => request<UseApplication>('POST', `/api/v1/use-applications/${encodeURIComponent(id)}/submit`),
  reviewUseApplication: (id: string, decision: ReviewDecision, comment?: string) =>
    request<UseApplication>('POST', `/api/v1/use-applications/${encodeURIComponent(id)}/reviews`, {
      body: comment ? { decision, comment } : { decision },
    }),
  createApprovalDelegation: (body: NewDelegation) => request<{ id: string }>('POST', '/api/v1/approval-delegations', { body }),
  listGrants: () => request<ItemList<Grant>>('GET', '/api/v1/grants').then((r) => r.items),
  listSegments: () => request<ItemList<Segment>>('GET', '/api/v1/customer-segments').then((r) => r.items),
  createSegment: (body: { name: string; customerIds: string[]; description?: string }) =>
    request<Segment>('POST', '/api/v1/customer-segments', { body }),
  revokeGrant: (id: string, reason: string) =>
    request<Grant>('POST', `/api/v1/grants/${encodeURIComponent(id)}/revoke`, { body: { reason } }),
  listGrantAccesses: (id: string) =>
    request<ItemList<GrantAccess>>('GET', `/api/v1/grants/${encodeURIComponent(id)}/accesses`).then((r) => r.items),
  getExportSpecTemplate: (grantId: string) =>
    request<{ spec: DatasetSpec }>('GET', '/api/v1/exports/spec-template', { query: { grantId } }).then((r) => r.spec),
  previewExport: (body: { grantId: string; spec: DatasetSpec; levels?: Record<string, number>; sampleSize?: number }) =>
    request<ExportPreview>('POST', '/api/v1/exports/preview', { body }),
  createExport: (body: NewExport) => request<ExportRecord>('POST', '/api/v1/exports', { body }),
  listExports: () => request<ItemList<ExportRecord>>('GET', '/api/v1/exports').then((r) => r.items),
  getExport: (id: string) => request<ExportRecord>('GET', `/api/v1/exports/${encodeURIComponent(id)}`),
};
