/**
 * API client for share requests (P6.1, issue #6 item 3): sharing customer PI with a vetted
 * third-party recipient. The contract is core's sharing-types.ts (camelCase JSON).
 */
import { request, type DatasetSpec } from './api';

interface ItemList<T> {
  items: T[];
}

export const SHARE_LEGAL_BASES = ['separate_consent', 'contract', 'legal_obligation', 'other'] as const;
export type ShareLegalBasis = (typeof SHARE_LEGAL_BASES)[number];
export const SHARE_STATUSES = ['in_review', 'returned', 'approved', 'rejected', 'executed'] as const;
export type ShareStatus = (typeof SHARE_STATUSES)[number];
export type ShareDecision = 'approve' | 'reject' | 'return';
export type ShareMethod = 'file' | 'api';
export type ShareFormat = 'csv' | 'xlsx';
export type CustomerScope = { kind: 'all' } | { kind: 'list'; ids: string[] };

export interface ShareExecution {
  id: string;
  shareRequestId: string;
  recipientId: string;
  executedBy: string;
  inScopeCount: number;
  includedCount: number;
  /** Left out: no separate consent to this recipient (or the purpose's consent does not cover the fields). */
  excludedCount: number;
  suppressedCount: number;
  rowCount: number;
  k: number | null;
  l: number | null;
  customerIdsHash: string;
  fileSha256: string;
  fileBytes: number;
  createdAt: string;
  expiresAt: string;
  downloadedAt: string | null;
  /** The one-time download link: only in the answer to the execution. */
  downloadPath?: string;
}

export interface ShareReview {
  step: number;
  stepRole: string;
  reviewerName: string;
  decision: ShareDecision;
  comment: string | null;
  decidedAt: string;
}

export interface ShareRequest {
  id: string;
  requesterName: string;
  departmentId: string;
  recipientId: string;
  recipientName: string;
  purposeCode: string;
  fields: string[];
  customerScope: CustomerScope;
  method: ShareMethod;
  spec: DatasetSpec;
  levels: Record<string, number>;
  format: ShareFormat;
  legalBasis: ShareLegalBasis;
  legalBasisNote: string | null;
  impactAssessmentId: string | null;
  justification: string;
  sensitive: boolean;
  /** ['department_head', 'management_approver', 'compliance_officer'] */
  chain: string[];
  step: number;
  status: ShareStatus;
  createdAt: string;
  decidedAt: string | null;
  reviews: ShareReview[];
  execution: ShareExecution | null;
}

export interface NewShareRequest {
  recipientId: string;
  purposeCode: string;
  customerScope: CustomerScope;
  method: ShareMethod;
  spec: DatasetSpec;
  format: ShareFormat;
  legalBasis: ShareLegalBasis;
  legalBasisNote?: string;
  impactAssessmentId?: string;
  justification: string;
}

const sid = (id: string) => `/api/v1/share-requests/${encodeURIComponent(id)}`;

export const sharesApi = {
  list: () => request<ItemList<ShareRequest>>('GET', '/api/v1/share-requests').then((r) => r.items),
  get: (id: string) => request<ShareRequest>('GET', sid(id)),
  create: (body: NewShareRequest) => request<ShareRequest>('POST', '/api/v1/share-requests', { body }),
  review: (id: string, decision: ShareDecision, comment?: string) =>
    request<ShareRequest>('POST', `${sid(id)}/reviews`, { body: comment ? { decision, comment } : { decision } }),
  execute: (id: string) => request<ShareExecution>('POST', `${sid(id)}/execute`),
};
