import { z } from 'zod';
import { codeSchema } from '../purposes/purposes-types.js';
import { customerScopeSchema } from '../use/use-types.js';

/** Why customer PI moves to another party (P6.1, PIPL Art. 22). */
export const TRANSFER_REASONS = ['merger', 'division', 'acquisition', 'other'] as const;
export type TransferReason = (typeof TRANSFER_REASONS)[number];

/** How a notice reaches a customer, in order of preference: the first the customer has an address for. */
export const NOTICE_CHANNELS = ['email', 'sms', 'letter'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

export const CAMPAIGN_STATUSES = ['draft', 'approved', 'notifying', 'executed', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** A customer's answer: agrees, objects, or staff record another legal basis for this customer. */
export const TRANSFER_ANSWERS = ['consent', 'object', 'legal_basis'] as const;
export type TransferAnswer = (typeof TRANSFER_ANSWERS)[number];

/** Where a notice stands: queued in the outbox, delivered, failed, put in a printable letter batch, or no address at all. */
export const DELIVERY_STATUSES = ['queued', 'delivered', 'failed', 'letter', 'no_address'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest');
const template = z.string().trim().min(20).max(4000);

export const createTransferCampaignInput = z.object({
  title: z.string().trim().min(2).max(200),
  reason: z.enum(TRANSFER_REASONS),
  reasonDetail: z.string().trim().max(2000).optional(),
  /** The party that receives the data: its name and how customers reach it. */
  receivingParty: z.object({ name: z.string().trim().min(2).max(300), contact: z.string().trim().min(3).max(300) }),
  /** What the receiving party will process the data for. */
  purpose: z.string().trim().min(2).max(2000),
  fields: z.array(codeSchema).min(1).max(64),
  customerScope: customerScopeSchema,
  /**
   * The notice in both languages, with placeholders {recipientName}, {recipientContact},
   * {purpose}, {scope} and {objection} (all required), {reference} and {deadline} (optional).
   * Custos's standard notice when absent.
   */
  noticeTemplate: z.object({ 'zh-CN': template, en: template }).optional(),
  channels: z.array(z.enum(NOTICE_CHANNELS)).min(1).max(3).default(['email', 'sms', 'letter']),
  responseDeadline: z.iso.datetime({ offset: true }).optional(),
  /** A completed impact assessment about a transfer (checked at approval and execution). */
  impactAssessmentId: z.uuid(),
});
export type CreateTransferCampaignInput = z.input<typeof createTransferCampaignInput>;

export const approveTransferCampaignInput = z.object({ comment: z.string().trim().max(2000).optional() });
export type ApproveTransferCampaignInput = z.input<typeof approveTransferCampaignInput>;

export const recordTransferResponseInput = z
  .object({
    customerId: z.uuid(),
    answer: z.enum(TRANSFER_ANSWERS),
    /** For `legal_basis`: the basis other than consent (e.g. a contract the customer is party to). */
    legalBasis: z.string().trim().min(4).max(500).optional(),
    /** How the answer reached staff. */
    channel: z.enum(['reply_letter', 'email', 'phone', 'in_person', 'other']),
    /** The signed reply, e-mail or call recording, by hash (the file stays in the document store). */
    evidence: z.object({ documentHash: hex64 }),
    note: z.string().trim().max(1000).optional(),
  })
  .refine((r) => (r.answer === 'legal_basis') === !!r.legalBasis, {
    message: 'name the legal basis exactly when the answer is legal_basis',
    path: ['legalBasis'],
  });
export type RecordTransferResponseInput = z.input<typeof recordTransferResponseInput>;

export const answerTransferNoticeInput = z.object({ campaignId: z.uuid(), answer: z.enum(['consent', 'object']) });
export type AnswerTransferNoticeInput = z.input<typeof answerTransferNoticeInput>;

export const listTransferNoticesQuery = z.object({
  delivery: z.enum(DELIVERY_STATUSES).optional(),
  answer: z.enum([...TRANSFER_ANSWERS, 'none'] as const).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListTransferNoticesQuery = z.input<typeof listTransferNoticesQuery>;

export const downloadTransferPackageInput = z.object({
  /** The package is encrypted under this passphrase (give it to the receiving party another way). */
  passphrase: z.string().min(16, 'at least 16 characters').max(200),
});
export type DownloadTransferPackageInput = z.input<typeof downloadTransferPackageInput>;

const l10nOut = z.object({ 'zh-CN': z.string(), en: z.string() });

/** Every count of a campaign (P6.1 report). */
export const transferCountsSchema = z.object({
  inScope: z.number().int(),
  notified: z.number().int(),
  delivered: z.number().int(),
  queued: z.number().int(),
  failed: z.number().int(),
  letters: z.number().int(),
  noAddress: z.number().int(),
  consented: z.number().int(),
  objected: z.number().int(),
  legalBasis: z.number().int(),
  noAnswer: z.number().int(),
  transferred: z.number().int(),
  unavailable: z.number().int(),
});
export type TransferCounts = z.infer<typeof transferCountsSchema>;

export const transferCampaignSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  reason: z.enum(TRANSFER_REASONS),
  reasonDetail: z.string().nullable(),
  receivingParty: z.object({ name: z.string(), contact: z.string() }),
  purpose: z.string(),
  fields: z.array(z.string()),
  customerScope: customerScopeSchema,
  noticeTemplate: l10nOut,
  channels: z.array(z.enum(NOTICE_CHANNELS)),
  responseDeadline: z.iso.datetime().nullable(),
  impactAssessmentId: z.uuid(),
  status: z.enum(CAMPAIGN_STATUSES),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  approvedBy: z.string().nullable(),
  approvedAt: z.iso.datetime().nullable(),
  noticesSentAt: z.iso.datetime().nullable(),
  executedBy: z.string().nullable(),
  executedAt: z.iso.datetime().nullable(),
  counts: transferCountsSchema,
  packageHash: z.string().nullable(),
  processingRecordId: z.uuid().nullable(),
  letterBatches: z.array(z.object({ id: z.uuid(), letters: z.number().int(), documentHash: z.string(), createdAt: z.iso.datetime() })),
});
export type TransferCampaign = z.infer<typeof transferCampaignSchema>;

export const transferNoticeSchema = z.object({
  customerId: z.uuid(),
  reference: z.string(),
  channel: z.enum([...NOTICE_CHANNELS, 'none'] as const),
  delivery: z.enum(DELIVERY_STATUSES),
  lastError: z.string().nullable(),
  answer: z.enum(TRANSFER_ANSWERS).nullable(),
  answeredAt: z.iso.datetime().nullable(),
  answeredVia: z.enum(['staff', 'portal']).nullable(),
  outcome: z.enum(['transferred', 'excluded_objected', 'excluded_no_answer']).nullable(),
});
export type TransferNotice = z.infer<typeof transferNoticeSchema>;

export const transferNoticePageSchema = z.object({
  items: z.array(transferNoticeSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

/** What a signed-in customer sees of the transfers that concern them. */
export const myTransferNoticeSchema = z.object({
  campaignId: z.uuid(),
  reference: z.string(),
  title: z.string(),
  receivingParty: z.object({ name: z.string(), contact: z.string() }),
  reason: z.enum(TRANSFER_REASONS),
  /** The receiving party's purpose, and the fields transferred by their catalogue names. */
  purpose: z.string(),
  scope: l10nOut,
  notifiedAt: z.iso.datetime(),
  text: l10nOut,
  responseDeadline: z.iso.datetime().nullable(),
  open: z.boolean(),
  answer: z.enum(TRANSFER_ANSWERS).nullable(),
  answeredAt: z.iso.datetime().nullable(),
});
export type MyTransferNotice = z.infer<typeof myTransferNoticeSchema>;

export const letterBatchDocumentSchema = z.object({
  batchId: z.uuid(),
  letters: z.number().int(),
  document: z.string(),
  documentHash: z.string(),
  /** False when an address changed (or a customer was deleted) since the batch was made. */
  matchesRecordedHash: z.boolean(),
});

export const transferPackageSchema = z.object({
  format: z.literal('custos-transfer-package-v1'),
  campaignId: z.uuid(),
  customers: z.number().int(),
  fields: z.array(z.string()),
  /** SHA-256 of the plain package (canonical JSON lines); recorded at execution. */
  plainSha256: z.string(),
  matchesRecordedHash: z.boolean(),
  kdf: z.object({ name: z.literal('scrypt'), N: z.number().int(), r: z.number().int(), p: z.number().int(), salt: z.string() }),
  cipher: z.literal('aes-256-gcm'),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});
export type TransferPackage = z.infer<typeof transferPackageSchema>;
