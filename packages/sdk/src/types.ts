/**
 * Request and response types of the Custos consent API (contract: issue #4, "consent-api").
 * Every type here describes JSON on the wire; timestamps are ISO 8601 strings.
 */

/** The two languages of every customer-facing text. */
export type Lang = 'zh-CN' | 'en';

/** Localised text. */
export interface L10n {
  'zh-CN': string;
  en: string;
}

export type LegalBasis =
  'consent' | 'contract' | 'hr_management' | 'legal_duty' | 'public_health' | 'news_reporting' | 'public_information' | 'other_law';

export type Sensitivity = 'general' | 'sensitive';

export type ConsentMethod = 'checkbox' | 'click' | 'e_signature' | 'paper_signature' | 'recorded_call';

export type ConsentStatus = 'granted' | 'withdrawn' | 'expired';

/** One reason a request was refused: `{ field: 'health', reason: 'separate_consent_required' }`. */
export interface ProblemItem {
  field: string;
  reason: string;
}

/** An `application/problem+json` body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId?: string;
  code: string;
  clauses?: string[];
  problems?: ProblemItem[];
}

// ---------------------------------------------------------------------------------------------
// Notices (shared by the public and the staff API)

/** Why a sensitive category is needed and what processing it means for the customer. */
export interface SensitiveNoticeElement {
  /** Category code. */
  field: string;
  necessity: string;
  impact: string;
}

/** The elements a notice must state, in one language. */
export interface NoticeElements {
  purpose: string;
  method: string;
  scope: string;
  retention: string;
  scenarios: string;
  controllerName: string;
  controllerContact: string;
  rights: string;
  sensitive: SensitiveNoticeElement[];
}

export interface NoticeContent {
  'zh-CN': NoticeElements;
  en: NoticeElements;
}

// ---------------------------------------------------------------------------------------------
// Public API

export interface PublishedPurposeField {
  /** Category code. */
  code: string;
  name: L10n;
  /** PI type that validates the value (`email`, `cn_mobile`, `date`, …), or null. */
  piType: string | null;
  sensitivity: Sensitivity;
}

/** `GET /api/v1/public/purposes/:code/notice` (getPublishedNotice). */
export interface PublishedNotice {
  purpose: {
    code: string;
    version: number;
    name: L10n;
    legalBasis: LegalBasis;
    fields: PublishedPurposeField[];
  };
  notice: {
    id: string;
    version: number;
    /** Hex SHA-256 of the notice content. */
    contentHash: string;
    publishedAt: string;
    content: NoticeContent;
  };
}

/** A separate consent: one per sensitive category ticked separately. */
export interface SeparateConsentRequest {
  type: 'sensitive';
  category: string;
}

export interface ConsentEvidence {
  /** Hex SHA-256 (64 characters) of the form as the customer saw and ticked it. */
  formSnapshotHash?: string;
  /** Hex SHA-256 (64 characters) of a signed document. */
  documentHash?: string;
}

/** `POST /api/v1/collections` (collectCustomerData) body. */
export interface CollectCustomerDataRequest {
  purposeCode: string;
  noticeId: string;
  /** Values by category code. */
  fields: Record<string, string>;
  consent: {
    method: ConsentMethod;
    /** Category codes consented to (general consent). */
    scope: string[];
    separate: SeparateConsentRequest[];
    evidence?: ConsentEvidence;
  };
}

export interface MaskedField {
  field: string;
  masked: string;
}

/** `POST /api/v1/collections` 201 response. */
export interface CollectCustomerDataResponse {
  collectionId: string;
  /** Null for channel (widget) callers. */
  customerId: string | null;
  created: boolean;
  consentIds: string[];
  fields: MaskedField[];
}

// ---------------------------------------------------------------------------------------------
// Portal (customer self-service)

export type PortalContactType = 'cn_mobile' | 'email';

/** `POST /api/v1/portal/challenges` (requestPortalCode). */
export interface RequestPortalCodeRequest {
  piType: PortalContactType;
  value: string;
}

export interface RequestPortalCodeResponse {
  challengeId: string;
}

/** `POST /api/v1/portal/sessions` (verifyPortalCode). */
export interface VerifyPortalCodeRequest {
  challengeId: string;
  /** Six digits. */
  code: string;
}

export interface VerifyPortalCodeResponse {
  token: string;
  expiresAt: string;
}

export interface PortalField {
  field: string;
  name: L10n;
  masked: string;
}

export interface PortalConsent {
  purposeCode: string;
  purposeName: L10n;
  purposeVersion: number;
  category: string;
  categoryName: L10n;
  separate: boolean;
  status: ConsentStatus;
  givenAt: string;
  withdrawnAt: string | null;
  noticeId: string;
  noticeHash: string;
}

/** `GET /api/v1/portal/me` (getPortalOverview). */
export interface PortalOverview {
  fields: PortalField[];
  consents: PortalConsent[];
}

/** `POST /api/v1/portal/withdrawals` (withdrawMyConsent). */
export interface WithdrawMyConsentRequest {
  purposeCode: string;
  /** Default: every category of the purpose. */
  categories?: string[];
}

export interface ConsentIdsResponse {
  consentIds: string[];
}

export type TransferReason = 'merger' | 'division' | 'acquisition' | 'other';
export type TransferAnswer = 'consent' | 'object' | 'legal_basis';

/** One item of `GET /api/v1/portal/transfer-notices` (listMyTransferNotices). */
export interface MyTransferNotice {
  campaignId: string;
  reference: string;
  title: string;
  receivingParty: { name: string; contact: string };
  reason: TransferReason;
  purpose: string;
  /** The fields transferred, by their catalogue names. */
  scope: L10n;
  notifiedAt: string;
  /** The notice as sent. */
  text: L10n;
  responseDeadline: string | null;
  /** Whether the transfer still takes answers (until it is executed). */
  open: boolean;
  /** The latest answer; `legal_basis` is recorded by staff. */
  answer: TransferAnswer | null;
  answeredAt: string | null;
}

/** `POST /api/v1/portal/transfer-notices/answers` (answerTransferNotice). */
export interface AnswerTransferNoticeRequest {
  campaignId: string;
  answer: 'consent' | 'object';
}

// ---------------------------------------------------------------------------------------------
// Staff API: purposes

export type PurposeStatus = 'draft' | 'submitted' | 'approved' | 'active' | 'retired';

export type RetentionTrigger = 'collection' | 'relationship_end' | 'last_activity' | 'consent_withdrawal';

export interface Retention {
  /** A positive integer. */
  days: number;
  trigger: RetentionTrigger;
}

/** `POST /api/v1/purposes` (createPurpose). Posting an existing code creates its next version as a draft. */
export interface CreatePurposeRequest {
  /** `^[a-z][a-z0-9_]{1,63}$` */
  code: string;
  name: L10n;
  description: L10n;
  businessLine: string;
  ownerDepartmentId: string;
  legalBasis: LegalBasis;
  /** Category codes. */
  fields: string[];
  /** Why each sensitive category is necessary. */
  necessity: Record<string, L10n>;
  scenarios: L10n[];
  retention: Retention;
}

/** One version of a purpose. */
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
  fields: string[];
  necessity: Record<string, L10n>;
  scenarios: L10n[];
  retention: Retention;
  /** The oldest version whose consents still count. */
  consentBaseline: number;
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

export interface ListPurposesQuery {
  status?: PurposeStatus;
  code?: string;
}

export interface ApprovePurposeRequest {
  comment?: string;
}

export interface RejectPurposeRequest {
  comment: string;
}

/** A list response: `{ items }`. */
export interface ItemsResponse<T> {
  items: T[];
}

// ---------------------------------------------------------------------------------------------
// Staff API: notices

export type NoticeStatus = 'draft' | 'published' | 'superseded';

/** `POST /api/v1/notices` (createNotice). A draft's elements may be partly empty. */
export interface CreateNoticeRequest {
  /** The id of a purpose version. */
  purposeId: string;
  content: NoticeContent;
}

/** `PUT /api/v1/notices/:id` (updateNotice), drafts only. */
export interface UpdateNoticeRequest {
  content: NoticeContent;
}

export interface Notice {
  id: string;
  purposeId: string;
  purposeCode: string;
  purposeVersion: number;
  version: number;
  status: NoticeStatus;
  content: NoticeContent;
  /** Null until published. */
  contentHash: string | null;
  createdBy: string;
  createdAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
}

export interface ListNoticesQuery {
  purposeCode?: string;
}

// ---------------------------------------------------------------------------------------------
// Staff API: channels

export type ChannelType = 'web_form' | 'online_registration' | 'contract_signing' | 'in_branch' | 'phone' | 'bulk_import';

export interface CreateChannelRequest {
  code: string;
  name: L10n;
  type: ChannelType;
  ownerDepartmentId: string;
  /** Origins the widget may post from (CORS). */
  allowedOrigins?: string[];
}

export interface Channel {
  id: string;
  code: string;
  name: L10n;
  type: ChannelType;
  ownerDepartmentId: string;
  allowedOrigins: string[];
  /** The widget's `channel-key`; web_form and online_registration channels only. */
  publicKey: string | null;
  status: 'active' | 'disabled';
  createdAt: string;
  createdBy: string;
}

// ---------------------------------------------------------------------------------------------
// Staff API: imports

export interface ImportRow {
  fields: Record<string, string>;
  consent?: {
    method: ConsentMethod;
    givenAt: string;
    evidenceHash?: string;
  };
}

/** `POST /api/v1/imports` (importCustomerData). */
export interface ImportCustomerDataRequest {
  channelId: string;
  purposeCode: string;
  lawfulSource: { description: string; basis: string };
  batchSize?: number;
  rows: ImportRow[];
}

export interface ImportCustomerDataResponse {
  importId: string;
  accepted: number;
  rejected: number;
  batches: number;
  /** `row` is 0-based. */
  rejectedRows: { row: number; problems: ProblemItem[] }[];
}

// ---------------------------------------------------------------------------------------------
// Staff API: consents

/** `POST /api/v1/customers/:id/consents` (recordConsent). */
export interface RecordConsentRequest {
  purposeCode: string;
  noticeId: string;
  scope: string[];
  separate: SeparateConsentRequest[];
  method: ConsentMethod;
  channelId?: string;
  evidence?: ConsentEvidence;
  expiresAt?: string;
}

/** `POST /api/v1/customers/:id/consents/withdraw` (withdrawConsent). */
export interface WithdrawConsentRequest {
  purposeCode: string;
  /** Default: every category of the purpose. */
  categories?: string[];
  method: ConsentMethod;
  evidence?: { documentHash?: string };
}

/** What a separate consent was given for, as recorded. */
export interface SeparateConsentInfo {
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
  separate: SeparateConsentInfo | null;
  method: ConsentMethod;
  channelId: string | null;
  evidence: { formSnapshotHash?: string; documentHash?: string; ipHash?: string; userAgentHash?: string };
  recordedBy: string | null;
  recordedAt: string;
  expiresAt: string | null;
}

/** The current state of one category of one purpose for a customer. */
export interface ConsentState {
  purposeCode: string;
  category: string;
  status: ConsentStatus;
  /** The contract leaves this shape open: a flag on the portal, possibly the recorded object here. */
  separate: boolean | SeparateConsentInfo | null;
  purposeVersion: number;
  consentId: string;
  givenAt: string;
  withdrawnAt: string | null;
  expiresAt: string | null;
}

/** `GET /api/v1/customers/:id/consents` (listCustomerConsents). */
export interface CustomerConsents {
  records: ConsentRecord[];
  current: ConsentState[];
}

/** `POST /api/v1/consent-checks` (checkConsent). */
export interface CheckConsentRequest {
  customerId: string;
  purposeCode: string;
  fields: string[];
}

export type ConsentDecisionReason =
  | 'consent'
  | `legal_basis:${LegalBasis}`
  | 'no_consent'
  | 'withdrawn'
  | 'expired'
  | 'separate_consent_required'
  | 'reconsent_required'
  | 'not_in_purpose'
  | 'purpose_not_active';

export interface ConsentDecision {
  field: string;
  allow: boolean;
  reason: ConsentDecisionReason;
}

export interface CheckConsentResponse {
  decisions: ConsentDecision[];
}

/** `GET /api/v1/consent-statistics` (getConsentStatistics). */
export interface ConsentStatistic {
  purposeCode: string;
  purposeName: L10n;
  granted: number;
  withdrawn: number;
  expired: number;
  customers: number;
}

export interface ConsentStatisticsResponse {
  items: ConsentStatistic[];
}
