/**
 * API client for transfer campaigns (P6.1), public disclosure (P6.2) and the processing-records
 * register (P1.1). The contract is core's transfers-types.ts, disclosures-types.ts and
 * processing-records-types.ts (camelCase JSON).
 */
import { ApiProblem, request, type L10n } from './api';

interface ItemList<T> {
  items: T[];
}

export type CustomerScope = { kind: 'all' } | { kind: 'list'; ids: string[] };

// ---------------------------------------------------------------------------------------------
// Transfers

export const TRANSFER_REASONS = ['merger', 'division', 'acquisition', 'other'] as const;
export type TransferReason = (typeof TRANSFER_REASONS)[number];
export const NOTICE_CHANNELS = ['email', 'sms', 'letter'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];
export const CAMPAIGN_STATUSES = ['draft', 'approved', 'notifying', 'executed', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const TRANSFER_ANSWERS = ['consent', 'object', 'legal_basis'] as const;
export type TransferAnswer = (typeof TRANSFER_ANSWERS)[number];
export const DELIVERY_STATUSES = ['queued', 'delivered', 'failed', 'letter', 'no_address'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const RESPONSE_CHANNELS = ['reply_letter', 'email', 'phone', 'in_person', 'other'] as const;
export type ResponseChannel = (typeof RESPONSE_CHANNELS)[number];

export interface TransferCounts {
  inScope: number;
  notified: number;
  delivered: number;
  queued: number;
  failed: number;
  letters: number;
  noAddress: number;
  consented: number;
  objected: number;
  legalBasis: number;
  noAnswer: number;
  transferred: number;
  unavailable: number;
}

export interface TransferCampaign {
  id: string;
  title: string;
  reason: TransferReason;
  reasonDetail: string | null;
  receivingParty: { name: string; contact: string };
  purpose: string;
  fields: string[];
  customerScope: CustomerScope;
  noticeTemplate: L10n;
  channels: NoticeChannel[];
  responseDeadline: string | null;
  impactAssessmentId: string;
  status: CampaignStatus;
  createdBy: string;
  createdAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  noticesSentAt: string | null;
  executedBy: string | null;
  executedAt: string | null;
  counts: TransferCounts;
  packageHash: string | null;
  processingRecordId: string | null;
  letterBatches: { id: string; letters: number; documentHash: string; createdAt: string }[];
}

export interface NewTransferCampaign {
  title: string;
  reason: TransferReason;
  reasonDetail?: string;
  receivingParty: { name: string; contact: string };
  purpose: string;
  fields: string[];
  customerScope: CustomerScope;
  noticeTemplate?: L10n;
  channels: NoticeChannel[];
  responseDeadline?: string;
  impactAssessmentId: string;
}

export interface TransferNotice {
  customerId: string;
  reference: string;
  channel: NoticeChannel | 'none';
  delivery: DeliveryStatus;
  lastError: string | null;
  answer: TransferAnswer | null;
  answeredAt: string | null;
  answeredVia: 'staff' | 'portal' | null;
  outcome: 'transferred' | 'excluded_objected' | 'excluded_no_answer' | null;
}

export interface TransferResponseInput {
  customerId: string;
  answer: TransferAnswer;
  legalBasis?: string;
  channel: ResponseChannel;
  evidence: { documentHash: string };
  note?: string;
}

export interface LetterBatchDocument {
  batchId: string;
  letters: number;
  document: string;
  documentHash: string;
  matchesRecordedHash: boolean;
}

export interface TransferPackage {
  format: 'custos-transfer-package-v1';
  campaignId: string;
  customers: number;
  fields: string[];
  plainSha256: string;
  matchesRecordedHash: boolean;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  iv: string;
  tag: string;
  ciphertext: string;
}

const cid = (id: string) => `/api/v1/transfer-campaigns/${encodeURIComponent(id)}`;

export const transfersApi = {
  list: () => request<ItemList<TransferCampaign>>('GET', '/api/v1/transfer-campaigns').then((r) => r.items),
  get: (id: string) => request<TransferCampaign>('GET', cid(id)),
  create: (body: NewTransferCampaign) => request<TransferCampaign>('POST', '/api/v1/transfer-campaigns', { body }),
  approve: (id: string, comment?: string) => request<TransferCampaign>('POST', `${cid(id)}/approve`, { body: comment ? { comment } : {} }),
  sendNotices: (id: string) => request<TransferCampaign>('POST', `${cid(id)}/notices`),
  notices: (id: string, query: { delivery?: DeliveryStatus; answer?: TransferAnswer | 'none'; limit?: number; offset?: number } = {}) =>
    request<{ items: TransferNotice[]; total: number; limit: number; offset: number }>('GET', `${cid(id)}/notices`, { query }),
  recordResponse: (id: string, body: TransferResponseInput) => request<TransferNotice>('POST', `${cid(id)}/responses`, { body }),
  execute: (id: string) => request<TransferCampaign>('POST', `${cid(id)}/execute`),
  letters: (id: string, batchId: string) => request<LetterBatchDocument>('GET', `${cid(id)}/letter-batches/${encodeURIComponent(batchId)}`),
  package: (id: string, passphrase: string) => request<TransferPackage>('POST', `${cid(id)}/package`, { body: { passphrase } }),
};

// ---------------------------------------------------------------------------------------------
// Disclosures

export type DisclosureStatus = 'in_review' | 'rejected' | 'disclosed';
export type DisclosureOperator =
  | { kind: 'display_mask' }
  | { kind: 'mask'; keepFirst?: number; keepLast?: number }
  | { kind: 'redact' }
  | { kind: 'generalise'; hierarchy: string; level?: number };

export interface DisclosureCounts {
  inScope: number;
  included: number;
  excludedNoConsent: number;
  excludedNotInPurpose: number;
}

export interface DisclosureRequest {
  id: string;
  title: string;
  purposeCode: string;
  reason: string;
  audience: string;
  basis: { kind: 'law' | 'consent'; citation: string | null; target: string };
  fields: string[];
  operators: Record<string, DisclosureOperator>;
  customerScope: CustomerScope;
  impactAssessmentId: string;
  requesterId: string;
  requesterName: string;
  chain: string[];
  step: number;
  status: DisclosureStatus;
  preview: DisclosureCounts;
  report: DisclosureCounts | null;
  createdAt: string;
  decidedAt: string | null;
  reviews: {
    step: number;
    stepRole: string;
    reviewerName: string;
    decision: 'approve' | 'reject';
    comment: string | null;
    decidedAt: string;
  }[];
  content: { fields: string[]; rows: Record<string, string | null>[] } | null;
  contentHash: string | null;
  processingRecordId: string | null;
}

export interface NewDisclosureRequest {
  title: string;
  purposeCode: string;
  reason: string;
  audience: string;
  basis?: { kind: 'law'; citation: string } | { kind: 'consent'; target?: string };
  fields: string[];
  operators: Record<string, DisclosureOperator>;
  customerScope: CustomerScope;
  impactAssessmentId: string;
}

const did = (id: string) => `/api/v1/disclosure-requests/${encodeURIComponent(id)}`;

export const disclosuresApi = {
  list: () => request<ItemList<DisclosureRequest>>('GET', '/api/v1/disclosure-requests').then((r) => r.items),
  get: (id: string) => request<DisclosureRequest>('GET', did(id)),
  create: (body: NewDisclosureRequest) => request<DisclosureRequest>('POST', '/api/v1/disclosure-requests', { body }),
  review: (id: string, body: { decision: 'approve' | 'reject'; comment?: string }) =>
    request<DisclosureRequest>('POST', `${did(id)}/reviews`, { body }),
};

// ---------------------------------------------------------------------------------------------
// Processing records

export const PROCESSING_KINDS = ['share', 'transfer', 'disclosure', 'export'] as const;
export type ProcessingKind = (typeof PROCESSING_KINDS)[number];

export interface ProcessingRecord {
  id: string;
  seq: number;
  kind: ProcessingKind;
  subjectType: string;
  subjectId: string;
  actorId: string | null;
  actorName: string;
  purposeCode: string | null;
  fields: string[];
  customerCount: number;
  customerIdsHash: string | null;
  customerListRef: string | null;
  recipientId: string | null;
  recipientName: string;
  legalBasis: string;
  fileHash: string | null;
  clauses: string[];
  details: Record<string, unknown>;
  createdAt: string;
  keepUntil: string;
}

export interface ProcessingRecordFilter {
  kind?: ProcessingKind;
  from?: string;
  to?: string;
  recipient?: string;
}

export const processingRecordsApi = {
  list: (q: ProcessingRecordFilter & { limit?: number; offset?: number }) =>
    request<{ items: ProcessingRecord[]; total: number; limit: number; offset: number }>('GET', '/api/v1/processing-records', {
      query: { ...q },
    }),
  /** The CSV export as a Blob (the server sets the file name). */
  async exportCsv(q: ProcessingRecordFilter): Promise<Blob> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v) params.set(k, String(v));
    const res = await fetch(`/api/v1/processing-records/export${params.size ? `?${params.toString()}` : ''}`, {
      credentials: 'same-origin',
      headers: { Accept: 'text/csv, application/problem+json' },
    });
    if (!res.ok) {
      let body = {};
      try {
        body = (await res.json()) as object;
      } catch {
        // not a problem body
      }
      throw new ApiProblem(res.status, body);
    }
    return res.blob();
  },
};

/** Save a Blob or text as a file in the browser. */
export function saveFile(content: Blob | string, filename: string, type = 'text/plain;charset=utf-8'): void {
  const blob = typeof content === 'string' ? new Blob([content], { type }) : content;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
