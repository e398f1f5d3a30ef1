import { z } from 'zod';
import { codeSchema } from '../purposes/purposes-types.js';

/** P4.3: the kinds of media that hold customer PI. */
export const MEDIUM_TYPES = ['server_disk', 'database_volume', 'cloud_bucket', 'backup_tape', 'removable_drive', 'paper_archive'] as const;
export type MediumType = (typeof MEDIUM_TYPES)[number];

export const MEDIUM_STATUSES = ['active', 'disposal_requested', 'disposal_approved', 'destroyed'] as const;
export type MediumStatus = (typeof MEDIUM_STATUSES)[number];

/** Destruction methods: the three NIST SP 800-88 levels, and cryptographic erase (a purge technique, for encrypted media only). */
export const DESTRUCTION_METHODS = ['clear', 'purge', 'destroy', 'crypto_erase'] as const;
export type DestructionMethod = (typeof DESTRUCTION_METHODS)[number];
export const NIST_LEVELS = ['clear', 'purge', 'destroy'] as const;
export type NistLevel = (typeof NIST_LEVELS)[number];

export const INSPECTION_RESULTS = ['passed', 'passed_with_findings', 'failed'] as const;
export type InspectionResult = (typeof INSPECTION_RESULTS)[number];

/** The standard inspection checklist (P4.3: security and integrity of the medium). */
export const INSPECTION_ITEMS = [
  'register_matches',
  'physical_security',
  'access_control',
  'encryption_verified',
  'integrity_verified',
  'environment',
] as const;
export type InspectionItem = (typeof INSPECTION_ITEMS)[number];

export const DISPOSAL_STATUSES = ['requested', 'approved', 'rejected', 'completed'] as const;
export type DisposalStatus = (typeof DISPOSAL_STATUSES)[number];

export const dataSetLabel = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'a data-set label such as customer-vault-primary');
const text = (max: number) => z.string().trim().min(1).max(max);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex characters (SHA-256)');
const instant = z.iso.datetime({ offset: true });

export const createMediumInput = z.object({
  /** Asset tag, serial number, volume id or bucket URI; unique in the register. */
  identifier: text(200),
  label: text(200),
  type: z.enum(MEDIUM_TYPES),
  location: text(500),
  custodianUserId: z.uuid(),
  encryption: z.object({ encrypted: z.boolean(), method: z.string().trim().min(1).max(200).optional() }),
  /** Codes from the PI catalogue. */
  dataCategories: z.array(codeSchema).max(64).default([]),
  /** The data sets it holds (a copy each); unknown labels are registered as still retained. */
  dataSets: z.array(dataSetLabel).max(64).default([]),
  /** Set when this medium holds a backup of another medium. */
  backupOfMediumId: z.uuid().optional(),
  inspectionIntervalDays: z.number().int().min(1).max(730).default(90),
});
export type CreateMediumInput = z.input<typeof createMediumInput>;

export const listMediaInput = z.object({
  status: z.enum(MEDIUM_STATUSES).optional(),
  type: z.enum(MEDIUM_TYPES).optional(),
});
export type ListMediaInput = z.input<typeof listMediaInput>;

export const checklistEntry = z.object({
  item: z.enum(INSPECTION_ITEMS),
  passed: z.boolean(),
  note: z.string().trim().max(1000).optional(),
});

export const recordInspectionInput = z.object({
  /** When the inspection took place; defaults to now, never in the future. */
  inspectedAt: instant.optional(),
  checklist: z.array(checklistEntry).min(1).max(INSPECTION_ITEMS.length),
  result: z.enum(INSPECTION_RESULTS),
  findings: z.string().trim().min(1).max(4000).optional(),
});
export type RecordInspectionInput = z.input<typeof recordInspectionInput>;

export const requestDisposalInput = z.object({ reason: text(2000) });
export type RequestDisposalInput = z.input<typeof requestDisposalInput>;

export const decideDisposalInput = z.object({ comment: z.string().trim().max(2000).optional() });
export const rejectDisposalInput = z.object({ comment: text(2000) });

export const recordDestructionInput = z.object({
  method: z.enum(DESTRUCTION_METHODS),
  /** Who carried out the destruction; defaults to the caller. */
  performedByUserId: z.uuid().optional(),
  /** A different person who saw it done. */
  witnessUserId: z.uuid(),
  destroyedAt: instant.optional(),
  /** SHA-256 of the evidence file (photo, video, vendor certificate); the file stays with the enterprise. */
  evidenceSha256: sha256Hex,
});
export type RecordDestructionInput = z.input<typeof recordDestructionInput>;

export const updateDataSetInput = z.object({
  description: z.string().trim().max(1000).optional(),
  retained: z.boolean().optional(),
  retainUntil: instant.nullable().optional(),
});
export type UpdateDataSetInput = z.input<typeof updateDataSetInput>;

export const dataSetSchema = z.object({
  label: z.string(),
  description: z.string().nullable(),
  retained: z.boolean(),
  retainUntil: z.iso.datetime().nullable(),
  /** Retained now: the flag is set and any retain-until date has not passed. */
  stillRetained: z.boolean(),
  /** Media holding a copy that still counts (not destroyed, not approved for disposal). */
  liveCopies: z.number().int(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
});
export type DataSet = z.infer<typeof dataSetSchema>;

export const userRefSchema = z.object({ id: z.uuid(), username: z.string(), displayName: z.string() });
export type UserRef = z.infer<typeof userRefSchema>;

export const mediumSchema = z.object({
  id: z.uuid(),
  identifier: z.string(),
  label: z.string(),
  type: z.enum(MEDIUM_TYPES),
  location: z.string(),
  custodian: userRefSchema,
  encryption: z.object({ encrypted: z.boolean(), method: z.string().nullable() }),
  dataCategories: z.array(z.string()),
  dataSets: z.array(z.string()),
  backupOfMediumId: z.uuid().nullable(),
  inspectionIntervalDays: z.number().int(),
  lastInspectedAt: z.iso.datetime().nullable(),
  nextInspectionDueAt: z.iso.datetime(),
  /** overdue: past due; due_soon: within 14 days; ok; none once destroyed. */
  inspectionState: z.enum(['overdue', 'due_soon', 'ok', 'none']),
  remindedFor: z.iso.datetime().nullable(),
  status: z.enum(MEDIUM_STATUSES),
  destroyedAt: z.iso.datetime().nullable(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
});
export type Medium = z.infer<typeof mediumSchema>;

export const inspectionSchema = z.object({
  id: z.uuid(),
  mediumId: z.uuid(),
  inspectedAt: z.iso.datetime(),
  inspectedBy: z.string(),
  checklist: z.array(z.object({ item: z.string(), passed: z.boolean(), note: z.string().optional() })),
  result: z.enum(INSPECTION_RESULTS),
  findings: z.string().nullable(),
  dueAt: z.iso.datetime(),
  nextDueAt: z.iso.datetime(),
  recordedAt: z.iso.datetime(),
});
export type Inspection = z.infer<typeof inspectionSchema>;

export const disposalSchema = z.object({
  id: z.uuid(),
  mediumId: z.uuid(),
  status: z.enum(DISPOSAL_STATUSES),
  reason: z.string(),
  requestedBy: z.string(),
  requestedAt: z.iso.datetime(),
  decidedBy: z.string().nullable(),
  decidedAt: z.iso.datetime().nullable(),
  decisionComment: z.string().nullable(),
  method: z.enum(DESTRUCTION_METHODS).nullable(),
  nistLevel: z.enum(NIST_LEVELS).nullable(),
  performedBy: userRefSchema.nullable(),
  witness: userRefSchema.nullable(),
  destroyedAt: z.iso.datetime().nullable(),
  evidenceSha256: z.string().nullable(),
  certificateNo: z.string().nullable(),
  recordedBy: z.string().nullable(),
  recordedAt: z.iso.datetime().nullable(),
});
export type Disposal = z.infer<typeof disposalSchema>;

export const mediumDetailSchema = z.object({
  medium: mediumSchema,
  inspections: z.array(inspectionSchema),
  disposals: z.array(disposalSchema),
});
export type MediumDetail = z.infer<typeof mediumDetailSchema>;

/** The destruction certificate (销毁证明): what was destroyed, how, by whom, seen by whom, with what evidence. */
export const certificateSchema = z.object({
  certificateNo: z.string(),
  disposalId: z.uuid(),
  medium: z.object({
    id: z.uuid(),
    identifier: z.string(),
    label: z.string(),
    type: z.enum(MEDIUM_TYPES),
    location: z.string(),
    encrypted: z.boolean(),
    dataCategories: z.array(z.string()),
    dataSets: z.array(z.string()),
  }),
  method: z.enum(DESTRUCTION_METHODS),
  nistLevel: z.enum(NIST_LEVELS),
  standard: z.literal('NIST SP 800-88 Rev. 1'),
  reason: z.string(),
  requestedBy: z.string(),
  requestedAt: z.iso.datetime(),
  approvedBy: z.string(),
  approvedAt: z.iso.datetime(),
  performedBy: userRefSchema,
  witness: userRefSchema,
  destroyedAt: z.iso.datetime(),
  evidenceSha256: z.string(),
  recordedBy: z.string(),
  recordedAt: z.iso.datetime(),
  /** SHA-256 over the canonical JSON of the fields above: the certificate's own fingerprint. */
  certificateHash: z.string(),
  clauses: z.array(z.string()),
});
export type DisposalCertificate = z.infer<typeof certificateSchema>;

export const reminderResultSchema = z.object({ reminded: z.array(z.object({ mediumId: z.uuid(), dueAt: z.iso.datetime() })) });
export type ReminderResult = z.infer<typeof reminderResultSchema>;
