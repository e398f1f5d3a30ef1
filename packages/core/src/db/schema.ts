import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  customType,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import type { DatasetSpec } from '../modules/deidentify/deidentify-types.js';
/*
 * Drizzle table definitions used by the repositories. The database itself is created by the
 * committed SQL files in packages/core/migrations (the source of truth, including triggers);
 * test/schema.int.test.ts checks that these definitions and the migrated database agree.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** P1.2: the staff/department register. Departments form a tree; each may have a head. */
export const departments = pgTable('departments', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  name: text('name').notNull(),
  parentId: uuid('parent_id'),
  headUserId: uuid('head_user_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    email: text('email'),
    departmentId: uuid('department_id'),
    roles: text('roles')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    passwordHash: text('password_hash'),
    oidcSubject: text('oidc_subject'),
    status: text('status', { enum: ['active', 'disabled'] })
      .notNull()
      .default('active'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    disabledAt: ts('disabled_at'),
  },
  (t) => [uniqueIndex('users_username_lower_key').on(sql`lower(${t.username})`)],
);

export const loginThrottle = pgTable('login_throttle', {
  usernameKey: text('username_key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  lastFailedAt: ts('last_failed_at'),
  lockedUntil: ts('locked_until'),
});

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the session token: the token itself is never stored. */
    id: text('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    authMethod: text('auth_method').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    userId: uuid('user_id').notNull(),
    name: text('name').notNull(),
    /** SHA-256 of the token (the token is 256 random bits, so a fast hash is enough). */
    tokenHash: text('token_hash').notNull(),
    prefix: text('prefix').notNull(),
    scopes: text('scopes').array().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at'),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_key').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

/** P1.2: the PI catalogue; every change bumps version and writes a row to the history. */
export const dataCategories = pgTable(
  'data_categories',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    code: text('code').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    description: text('description'),
    piType: text('pi_type').notNull(),
    sensitivity: text('sensitivity', { enum: ['general', 'sensitive'] }).notNull(),
    builtIn: boolean('built_in').notNull().default(false),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('data_categories_code_key').on(t.code)],
);

export const dataCategoryVersions = pgTable(
  'data_category_versions',
  {
    categoryId: uuid('category_id').notNull(),
    version: integer('version').notNull(),
    snapshot: jsonb('snapshot').notNull(),
    changedBy: text('changed_by').notNull(),
    changedAt: ts('changed_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.categoryId, t.version] })],
);

/**
 * P2.3: the audit log. Rows are inserted inside the business transaction (seq/hash null);
 * the chainer then assigns the gap-free seq and the hash chain. Triggers refuse UPDATE
 * (except that one-time chaining) and DELETE/TRUNCATE.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    seq: bigint('seq', { mode: 'number' }),
    occurredAt: ts('occurred_at').notNull(),
    actorType: text('actor_type').notNull(),
    actorId: uuid('actor_id'),
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    resourceType: text('resource_type'),
    resourceId: text('resource_id'),
    clauses: text('clauses').array().notNull(),
    purposeId: text('purpose_id'),
    outcome: text('outcome', { enum: ['success', 'denied', 'failure'] }).notNull(),
    details: jsonb('details').notNull(),
    requestId: text('request_id'),
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [uniqueIndex('audit_events_seq_key').on(t.seq)],
);

/** OIDC sign-ins in progress (state -> nonce, PKCE verifier). */
export const oidcPending = pgTable('oidc_pending', {
  state: text('state').primaryKey(),
  nonce: text('nonce').notNull(),
  codeVerifier: text('code_verifier').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

/** P2.3, P4.1: customers of the vault; the row stays as the record after deletion (no PI in it). */
export const customers = pgTable('customers', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  status: text('status', { enum: ['active', 'deleted'] })
    .notNull()
    .default('active'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  createdBy: text('created_by').notNull(),
  deletedAt: ts('deleted_at'),
  deletedBy: text('deleted_by'),
});

export const customerKeys = pgTable('customer_keys', {
  customerId: uuid('customer_id').primaryKey(),
  dataKeyVersion: integer('data_key_version').notNull().default(1),
  suite: text('suite').notNull(),
  kekVersion: integer('kek_version'),
  wrappedKey: bytea('wrapped_key'),
  createdAt: ts('created_at').notNull().defaultNow(),
  rewrappedAt: ts('rewrapped_at'),
  destroyedAt: ts('destroyed_at'),
});

export const customerFields = pgTable(
  'customer_fields',
  {
    customerId: uuid('customer_id').notNull(),
    categoryCode: text('category_code').notNull(),
    piType: text('pi_type').notNull(),
    ciphertext: bytea('ciphertext').notNull(),
    dataKeyVersion: integer('data_key_version').notNull(),
    blindIndex: text('blind_index'),
    version: integer('version').notNull().default(1),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.categoryCode] })],
);

export const customerFieldHistory = pgTable('customer_field_history', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  customerId: uuid('customer_id').notNull(),
  categoryCode: text('category_code').notNull(),
  version: integer('version').notNull(),
  ciphertext: bytea('ciphertext').notNull(),
  dataKeyVersion: integer('data_key_version').notNull(),
  changedAt: ts('changed_at').notNull(),
  changedBy: text('changed_by').notNull(),
  reason: text('reason'),
});

export const vaultSystemKeys = pgTable('vault_system_keys', {
  name: text('name').primaryKey(),
  kekVersion: integer('kek_version').notNull(),
  wrappedKey: bytea('wrapped_key').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  rewrappedAt: ts('rewrapped_at'),
});

export const keyRewrapJobs = pgTable('key_rewrap_jobs', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  toVersion: integer('to_version').notNull(),
  status: text('status', { enum: ['running', 'completed', 'failed'] }).notNull(),
  total: integer('total').notNull().default(0),
  done: integer('done').notNull().default(0),
  startedBy: text('started_by').notNull(),
  startedAt: ts('started_at').notNull().defaultNow(),
  finishedAt: ts('finished_at'),
  error: text('error'),
});

export const departmentUsePurposes = pgTable(
  'department_use_purposes',
  {
    departmentId: uuid('department_id').notNull(),
    purpose: text('purpose').notNull(),
    assignedBy: text('assigned_by').notNull(),
    assignedAt: ts('assigned_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.departmentId, t.purpose] })],
);

/** P3.1, P2.1, P3.2: a purpose version (code + version); only an active version accepts collection. */
export const purposes = pgTable('purposes', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  code: text('code').notNull(),
  version: integer('version').notNull(),
  status: text('status', { enum: ['draft', 'submitted', 'approved', 'active', 'retired'] }).notNull(),
  name: jsonb('name').$type<{ 'zh-CN': string; en: string }>().notNull(),
  description: jsonb('description').$type<{ 'zh-CN': string; en: string }>().notNull(),
  businessLine: text('business_line').notNull(),
  ownerDepartmentId: uuid('owner_department_id').notNull(),
  legalBasis: text('legal_basis').notNull(),
  fields: text('fields').array().notNull(),
  necessity: jsonb('necessity').$type<Record<string, { 'zh-CN': string; en: string }>>().notNull(),
  scenarios: jsonb('scenarios').$type<Array<{ 'zh-CN': string; en: string }>>().notNull(),
  retentionDays: integer('retention_days').notNull(),
  retentionTrigger: text('retention_trigger').notNull(),
  consentBaseline: integer('consent_baseline').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  submittedBy: text('submitted_by'),
  submittedAt: ts('submitted_at'),
  approvedBy: text('approved_by'),
  approvedAt: ts('approved_at'),
  reviewComment: text('review_comment'),
  activatedAt: ts('activated_at'),
  retiredAt: ts('retired_at'),
});

/** P2.2, P3.4: versioned notices; published ones are immutable (trigger) and hashed. */
export const notices = pgTable('notices', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  purposeId: uuid('purpose_id').notNull(),
  purposeCode: text('purpose_code').notNull(),
  version: integer('version').notNull(),
  status: text('status', { enum: ['draft', 'published', 'superseded'] }).notNull(),
  content: jsonb('content').$type<Record<string, unknown>>().notNull(),
  contentHash: text('content_hash'),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  publishedBy: text('published_by'),
  publishedAt: ts('published_at'),
});

/** P3.3: collection channels. */
export const channels = pgTable('channels', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  code: text('code').notNull(),
  name: jsonb('name').$type<{ 'zh-CN': string; en: string }>().notNull(),
  type: text('type').notNull(),
  ownerDepartmentId: uuid('owner_department_id').notNull(),
  allowedOrigins: text('allowed_origins')
    .array()
    .notNull()
    .default(sql`'{}'`),
  publicKey: text('public_key'),
  status: text('status', { enum: ['active', 'disabled'] })
    .notNull()
    .default('active'),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** P3.4: the append-only consent ledger. */
export const consentRecords = pgTable('consent_records', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  seq: bigserial('seq', { mode: 'number' }).notNull(),
  customerId: uuid('customer_id').notNull(),
  kind: text('kind', { enum: ['grant', 'withdrawal'] }).notNull(),
  purposeId: uuid('purpose_id').notNull(),
  purposeCode: text('purpose_code').notNull(),
  purposeVersion: integer('purpose_version').notNull(),
  noticeId: uuid('notice_id'),
  noticeHash: text('notice_hash'),
  scope: text('scope').array().notNull(),
  separateType: text('separate_type'),
  separateTarget: text('separate_target'),
  method: text('method').notNull(),
  channelId: uuid('channel_id'),
  evidence: jsonb('evidence').$type<Record<string, string>>().notNull().default({}),
  recordedBy: text('recorded_by').notNull(),
  recordedAt: ts('recorded_at').notNull().defaultNow(),
  expiresAt: ts('expires_at'),
  keepUntil: ts('keep_until'),
});

/** The ledger's current-state projection, written with each ledger row. */
export const consentState = pgTable(
  'consent_state',
  {
    customerId: uuid('customer_id').notNull(),
    purposeCode: text('purpose_code').notNull(),
    category: text('category').notNull(),
    status: text('status', { enum: ['granted', 'withdrawn'] }).notNull(),
    separate: boolean('separate').notNull(),
    purposeVersion: integer('purpose_version').notNull(),
    consentId: uuid('consent_id').notNull(),
    givenAt: ts('given_at').notNull(),
    withdrawnAt: ts('withdrawn_at'),
    expiresAt: ts('expires_at'),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.purposeCode, t.category] })],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    response: jsonb('response').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

export const collectionImports = pgTable('collection_imports', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  channelId: uuid('channel_id').notNull(),
  purposeId: uuid('purpose_id').notNull(),
  lawfulSource: jsonb('lawful_source').notNull(),
  total: integer('total').notNull(),
  accepted: integer('accepted').notNull(),
  rejected: integer('rejected').notNull(),
  rejectedRows: jsonb('rejected_rows').notNull(),
  importedBy: text('imported_by').notNull(),
  importedAt: ts('imported_at').notNull().defaultNow(),
});

/** The notifier's outbox (at-least-once delivery). */
export const outbox = pgTable('outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  topic: text('topic').notNull(),
  transport: text('transport', { enum: ['email', 'sms', 'webhook', 'log'] }).notNull(),
  recipient: jsonb('recipient').$type<Record<string, string>>().notNull(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  status: text('status', { enum: ['pending', 'delivered', 'failed'] })
    .notNull()
    .default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
  lastError: text('last_error'),
  createdAt: ts('created_at').notNull().defaultNow(),
  deliveredAt: ts('delivered_at'),
});

export const portalChallenges = pgTable('portal_challenges', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  customerId: uuid('customer_id'),
  codeHash: text('code_hash').notNull(),
  attempts: integer('attempts').notNull().default(0),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const portalSessions = pgTable('portal_sessions', {
  tokenHash: text('token_hash').primaryKey(),
  customerId: uuid('customer_id').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
  endedAt: ts('ended_at'),
});

/** P4.3: named data sets held on storage media; one still retained may not lose its last copy. */
export const storageDataSets = pgTable('storage_data_sets', {
  label: text('label').primaryKey(),
  description: text('description'),
  retained: boolean('retained').notNull().default(true),
  retainUntil: ts('retain_until'),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedBy: text('updated_by'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** P4.3: the register of media holding customer PI. */
export const storageMedia = pgTable('storage_media', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  identifier: text('identifier').notNull(),
  label: text('label').notNull(),
  type: text('type').notNull(),
  location: text('location').notNull(),
  custodianUserId: uuid('custodian_user_id').notNull(),
  encrypted: boolean('encrypted').notNull(),
  encryptionMethod: text('encryption_method'),
  dataCategories: text('data_categories')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  backupOfMediumId: uuid('backup_of_medium_id'),
  inspectionIntervalDays: integer('inspection_interval_days').notNull(),
  lastInspectedAt: ts('last_inspected_at'),
  nextInspectionDueAt: ts('next_inspection_due_at').notNull(),
  remindedFor: ts('reminded_for'),
  status: text('status', { enum: ['active', 'disposal_requested', 'disposal_approved', 'destroyed'] })
    .notNull()
    .default('active'),
  destroyedAt: ts('destroyed_at'),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const storageMediumHoldings = pgTable(
  'storage_medium_holdings',
  {
    mediumId: uuid('medium_id').notNull(),
    dataSet: text('data_set').notNull(),
  },
  (t) => [primaryKey({ columns: [t.mediumId, t.dataSet] })],
);

export const storageMediumInspections = pgTable('storage_medium_inspections', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  mediumId: uuid('medium_id').notNull(),
  inspectedAt: ts('inspected_at').notNull(),
  inspectedBy: text('inspected_by').notNull(),
  inspectorUserId: uuid('inspector_user_id'),
  checklist: jsonb('checklist').$type<Array<{ item: string; passed: boolean; note?: string }>>().notNull(),
  result: text('result', { enum: ['passed', 'passed_with_findings', 'failed'] }).notNull(),
  findings: text('findings'),
  dueAt: ts('due_at').notNull(),
  nextDueAt: ts('next_due_at').notNull(),
  recordedAt: ts('recorded_at').notNull().defaultNow(),
});

export const storageMediumDisposals = pgTable('storage_medium_disposals', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  mediumId: uuid('medium_id').notNull(),
  status: text('status', { enum: ['requested', 'approved', 'rejected', 'completed'] }).notNull(),
  reason: text('reason').notNull(),
  requestedBy: text('requested_by').notNull(),
  requestedAt: ts('requested_at').notNull().defaultNow(),
  decidedBy: text('decided_by'),
  decidedAt: ts('decided_at'),
  decisionComment: text('decision_comment'),
  method: text('method', { enum: ['clear', 'purge', 'destroy', 'crypto_erase'] }),
  nistLevel: text('nist_level', { enum: ['clear', 'purge', 'destroy'] }),
  performedByUserId: uuid('performed_by_user_id'),
  witnessUserId: uuid('witness_user_id'),
  destroyedAt: ts('destroyed_at'),
  evidenceSha256: text('evidence_sha256'),
  certificateNo: text('certificate_no'),
  certificateHash: text('certificate_hash'),
  recordedBy: text('recorded_by'),
  recordedAt: ts('recorded_at'),
});

/** P4.2 retention (migration 0007): rules, relationship ends, legal holds, sweep runs and their records. */
export const retentionRules = pgTable('retention_rules', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  purposeCode: text('purpose_code'),
  categoryCode: text('category_code'),
  retentionDays: integer('retention_days').notNull(),
  retentionTrigger: text('retention_trigger', {
    enum: ['collection', 'relationship_end', 'last_activity', 'consent_withdrawal'],
  }).notNull(),
  action: text('action', { enum: ['delete', 'anonymise'] }).notNull(),
  description: text('description').notNull(),
  status: text('status', { enum: ['active', 'retired'] })
    .notNull()
    .default('active'),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  retiredBy: text('retired_by'),
  retiredAt: ts('retired_at'),
});

export const customerRelationships = pgTable('customer_relationships', {
  customerId: uuid('customer_id').primaryKey(),
  endedAt: ts('ended_at').notNull(),
  reason: text('reason').notNull(),
  recordedBy: text('recorded_by').notNull(),
  recordedAt: ts('recorded_at').notNull().defaultNow(),
});

export const legalHolds = pgTable('legal_holds', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  customerId: uuid('customer_id'),
  ruleId: uuid('rule_id'),
  purposeCode: text('purpose_code'),
  reason: text('reason').notNull(),
  legalBasis: text('legal_basis').notNull(),
  placedBy: text('placed_by').notNull(),
  placedAt: ts('placed_at').notNull().defaultNow(),
  releasedBy: text('released_by'),
  releasedAt: ts('released_at'),
  releaseReason: text('release_reason'),
});

export const retentionRuns = pgTable('retention_runs', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  trigger: text('trigger', { enum: ['manual', 'schedule'] }).notNull(),
  scheduledFor: ts('scheduled_for'),
  status: text('status', { enum: ['running', 'completed', 'failed'] }).notNull(),
  asOf: ts('as_of').notNull(),
  batchSize: integer('batch_size').notNull(),
  cursor: uuid('cursor'),
  batches: integer('batches').notNull().default(0),
  scanned: integer('scanned').notNull().default(0),
  deleted: integer('deleted').notNull().default(0),
  anonymised: integer('anonymised').notNull().default(0),
  fieldsRemoved: integer('fields_removed').notNull().default(0),
  customersWithFieldsRemoved: integer('customers_with_fields_removed').notNull().default(0),
  held: integer('held').notNull().default(0),
  resumes: integer('resumes').notNull().default(0),
  startedBy: text('started_by').notNull(),
  startedAt: ts('started_at').notNull().defaultNow(),
  finishedAt: ts('finished_at'),
  durationMs: integer('duration_ms'),
  error: text('error'),
});

export const retentionDestructions = pgTable('retention_destructions', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  runId: uuid('run_id').notNull(),
  customerId: uuid('customer_id').notNull(),
  action: text('action', { enum: ['delete', 'anonymise', 'remove_fields'] }).notNull(),
  method: text('method', { enum: ['crypto_shred', 'crypto_shred_with_statistics', 'field_removal'] }).notNull(),
  fields: text('fields').array().notNull(),
  historyEntries: integer('history_entries').notNull(),
  rules: text('rules').array().notNull(),
  expiredAt: ts('expired_at').notNull(),
  destroyedAt: ts('destroyed_at').notNull(),
  keepUntil: ts('keep_until').notNull(),
});

export const retentionStatistics = pgTable('retention_statistics', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  purposes: text('purposes').array().notNull(),
  birthYearBand: integer('birth_year_band'),
  provinceCode: text('province_code'),
  gender: text('gender'),
  collectedYear: integer('collected_year'),
  /** A date column (the day only), read as 'YYYY-MM-DD'. */
  anonymisedOn: text('anonymised_on').notNull(),
});

/** P4.2: the purposes a customer's data was collected for, with the legal basis and when. */
export const customerPurposes = pgTable(
  'customer_purposes',
  {
    customerId: uuid('customer_id').notNull(),
    purposeCode: text('purpose_code').notNull(),
    legalBasis: text('legal_basis').notNull(),
    firstCollectedAt: ts('first_collected_at').notNull().defaultNow(),
    lastCollectedAt: ts('last_collected_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.purposeCode] })],
);

/** P5.2: use applications, their reviews, delegations, grants and accesses under grants. */
export const useApplications = pgTable('use_applications', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  applicantId: uuid('applicant_id').notNull(),
  applicantName: text('applicant_name').notNull(),
  departmentId: uuid('department_id').notNull(),
  purposeCode: text('purpose_code').notNull(),
  scenario: text('scenario').notNull(),
  fields: text('fields').array().notNull(),
  customerScope: jsonb('customer_scope').$type<{ kind: 'all' } | { kind: 'list'; ids: string[] }>().notNull(),
  method: text('method', { enum: ['view', 'api', 'export'] }).notNull(),
  validFrom: ts('valid_from').notNull(),
  validUntil: ts('valid_until').notNull(),
  justification: text('justification').notNull(),
  sensitive: boolean('sensitive').notNull(),
  chain: text('chain').array().notNull(),
  step: integer('step').notNull().default(0),
  status: text('status', { enum: ['draft', 'in_review', 'returned', 'approved', 'rejected', 'withdrawn'] }).notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  submittedAt: ts('submitted_at'),
  decidedAt: ts('decided_at'),
  keepUntil: ts('keep_until')
    .notNull()
    .default(sql`now() + interval '3 years'`),
});

export const useApplicationReviews = pgTable('use_application_reviews', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  applicationId: uuid('application_id').notNull(),
  step: integer('step').notNull(),
  stepRole: text('step_role').notNull(),
  reviewerId: uuid('reviewer_id').notNull(),
  reviewerName: text('reviewer_name').notNull(),
  onBehalfOf: uuid('on_behalf_of'),
  decision: text('decision', { enum: ['approve', 'reject', 'return'] }).notNull(),
  comment: text('comment'),
  decidedAt: ts('decided_at').notNull().defaultNow(),
});

export const approvalDelegations = pgTable('approval_delegations', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  delegatorId: uuid('delegator_id').notNull(),
  delegateId: uuid('delegate_id').notNull(),
  validFrom: ts('valid_from').notNull(),
  validUntil: ts('valid_until').notNull(),
  reason: text('reason').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const grants = pgTable('grants', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  applicationId: uuid('application_id').notNull(),
  departmentId: uuid('department_id').notNull(),
  holderId: uuid('holder_id').notNull(),
  purposeCode: text('purpose_code').notNull(),
  fields: text('fields').array().notNull(),
  customerScope: jsonb('customer_scope').$type<{ kind: 'all' } | { kind: 'list'; ids: string[] }>().notNull(),
  method: text('method').notNull(),
  validFrom: ts('valid_from').notNull(),
  validUntil: ts('valid_until').notNull(),
  status: text('status', { enum: ['active', 'revoked'] })
    .notNull()
    .default('active'),
  revokedAt: ts('revoked_at'),
  revokedBy: text('revoked_by'),
  revokeReason: text('revoke_reason'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const grantAccesses = pgTable('grant_accesses', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  grantId: uuid('grant_id').notNull(),
  actorId: uuid('actor_id'),
  actorName: text('actor_name').notNull(),
  customerId: uuid('customer_id'),
  fields: text('fields').array().notNull(),
  operation: text('operation').notNull(),
  accessedAt: ts('accessed_at').notNull().defaultNow(),
});

/** P5.3: de-identified exports under a use grant (migration 0010). */
export const exportsTable = pgTable('exports', {
  id: uuid('id').primaryKey(),
  grantId: uuid('grant_id').notNull(),
  departmentId: uuid('department_id').notNull(),
  purposeCode: text('purpose_code').notNull(),
  createdById: uuid('created_by_id'),
  createdBy: text('created_by').notNull(),
  recipient: text('recipient').notNull(),
  format: text('format').$type<'csv' | 'xlsx'>().notNull(),
  spec: jsonb('spec').$type<DatasetSpec>().notNull(),
  levels: jsonb('levels').$type<Record<string, number>>().notNull(),
  k: integer('k'),
  l: integer('l'),
  targetK: integer('target_k').notNull(),
  targetL: integer('target_l'),
  inScopeCount: integer('in_scope_count').notNull(),
  excludedCount: integer('excluded_count').notNull(),
  suppressedCount: integer('suppressed_count').notNull(),
  rowCount: integer('row_count').notNull(),
  fileSha256: text('file_sha256').notNull(),
  fileBytes: bigint('file_bytes', { mode: 'number' }).notNull(),
  linkHash: text('link_hash').notNull(),
  expiresAt: ts('expires_at').notNull(),
  downloadedAt: ts('downloaded_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  keepUntil: ts('keep_until').notNull().defaultNow(),
});

/** P6.1, P6.3: third parties that may receive customer PI (migration 0011). */
export const recipients = pgTable('recipients', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  legalName: text('legal_name').notNull(),
  uscc: text('uscc').notNull(),
  contactName: text('contact_name').notNull(),
  contactEmail: text('contact_email'),
  contactPhone: text('contact_phone'),
  country: text('country').notNull(),
  region: text('region').notNull(),
  crossBorder: boolean('cross_border').notNull(),
  dataCategories: text('data_categories').array().notNull(),
  purpose: text('purpose').notNull(),
  status: text('status', { enum: ['pending', 'approved', 'suspended', 'terminated'] })
    .notNull()
    .default('pending'),
  reassessmentIntervalDays: integer('reassessment_interval_days').notNull(),
  reassessmentDueAt: ts('reassessment_due_at'),
  remindedFor: ts('reminded_for'),
  creatorUserId: uuid('creator_user_id'),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  approvedBy: text('approved_by'),
  approvedAt: ts('approved_at'),
  suspendedAt: ts('suspended_at'),
  suspensionReason: text('suspension_reason'),
  terminatedAt: ts('terminated_at'),
});

export const recipientAssessments = pgTable('recipient_assessments', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  recipientId: uuid('recipient_id').notNull(),
  kind: text('kind', { enum: ['initial', 'periodic', 'reinstatement'] }).notNull(),
  templateId: text('template_id').notNull(),
  templateVersion: integer('template_version').notNull(),
  answers: jsonb('answers').$type<Array<{ questionId: string; value: string; note?: string }>>().notNull(),
  score: integer('score').notNull(),
  passThreshold: integer('pass_threshold').notNull(),
  passed: boolean('passed').notNull(),
  knockouts: text('knockouts')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  reviewerUserId: uuid('reviewer_user_id'),
  reviewedBy: text('reviewed_by').notNull(),
  comment: text('comment'),
  assessedAt: ts('assessed_at').notNull().defaultNow(),
  nextDueAt: ts('next_due_at').notNull(),
});

export const recipientAssessmentEvidence = pgTable('recipient_assessment_evidence', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  assessmentId: uuid('assessment_id').notNull(),
  sha256: text('sha256').notNull(),
  filename: text('filename').notNull(),
  sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
});

export const recipientCommitments = pgTable('recipient_commitments', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  recipientId: uuid('recipient_id').notNull(),
  agreementSha256: text('agreement_sha256').notNull(),
  agreementFilename: text('agreement_filename'),
  committedToPolicy: boolean('committed_to_policy').notNull(),
  policyVersion: text('policy_version').notNull(),
  effectiveFrom: ts('effective_from').notNull(),
  expiresAt: ts('expires_at').notNull(),
  recordedBy: text('recorded_by').notNull(),
  recordedAt: ts('recorded_at').notNull().defaultNow(),
});

export const recipientFindings = pgTable('recipient_findings', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  recipientId: uuid('recipient_id').notNull(),
  assessmentId: uuid('assessment_id'),
  title: text('title').notNull(),
  description: text('description').notNull(),
  severity: text('severity', { enum: ['low', 'medium', 'high', 'critical'] }).notNull(),
  ownerUserId: uuid('owner_user_id').notNull(),
  dueAt: ts('due_at').notNull(),
  status: text('status', { enum: ['open', 'remediating', 'closed'] })
    .notNull()
    .default('open'),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  closedAt: ts('closed_at'),
});

export const recipientFindingUpdates = pgTable('recipient_finding_updates', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  findingId: uuid('finding_id').notNull(),
  status: text('status', { enum: ['open', 'remediating', 'closed'] }).notNull(),
  note: text('note').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const recipientTerminations = pgTable('recipient_terminations', {
  recipientId: uuid('recipient_id').primaryKey(),
  reason: text('reason').notNull(),
  dataDisposition: text('data_disposition', { enum: ['deleted', 'returned'] }).notNull(),
  evidenceSha256: text('evidence_sha256').notNull(),
  confirmedAt: ts('confirmed_at').notNull(),
  recordedBy: text('recorded_by').notNull(),
  recordedAt: ts('recorded_at').notNull().defaultNow(),
});

/** Impact assessments (issue 6 item 6): needed before sharing, transfer, disclosure and cross-border recipients. */
export const impactAssessments = pgTable('impact_assessments', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  subjectKind: text('subject_kind', { enum: ['share', 'transfer', 'disclosure', 'recipient'] }).notNull(),
  subjectRef: text('subject_ref'),
  title: text('title').notNull(),
  templateId: text('template_id').notNull(),
  templateVersion: integer('template_version').notNull(),
  answers: jsonb('answers').$type<Array<{ questionId: string; value: string; note?: string }>>().notNull(),
  computedRiskLevel: text('computed_risk_level', { enum: ['low', 'medium', 'high'] }).notNull(),
  riskLevel: text('risk_level', { enum: ['low', 'medium', 'high'] }).notNull(),
  status: text('status', { enum: ['draft', 'completed'] })
    .notNull()
    .default('draft'),
  authorUserId: uuid('author_user_id'),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  approverUserId: uuid('approver_user_id'),
  completedBy: text('completed_by'),
  completedAt: ts('completed_at'),
  approvalComment: text('approval_comment'),
  keepUntil: ts('keep_until')
    .notNull()
    .default(sql`now() + interval '3 years'`),
});

/** The processing-records register (P1.1, P6.1, P6.2): every share, transfer, disclosure and export; append-only. */
export const processingRecords = pgTable('processing_records', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  seq: bigserial('seq', { mode: 'number' }).notNull(),
  kind: text('kind', { enum: ['share', 'transfer', 'disclosure', 'export'] }).notNull(),
  subjectType: text('subject_type').notNull(),
  subjectId: text('subject_id').notNull(),
  actorId: uuid('actor_id'),
  actorName: text('actor_name').notNull(),
  purposeCode: text('purpose_code'),
  fields: text('fields').array().notNull(),
  customerCount: integer('customer_count').notNull(),
  customerIdsHash: text('customer_ids_hash'),
  customerListRef: text('customer_list_ref'),
  recipientId: uuid('recipient_id'),
  recipientName: text('recipient_name').notNull(),
  legalBasis: text('legal_basis').notNull(),
  fileHash: text('file_hash'),
  clauses: text('clauses').array().notNull(),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: ts('created_at').notNull().defaultNow(),
  keepUntil: ts('keep_until')
    .notNull()
    .default(sql`now() + interval '3 years'`),
});

/** P6.1: transfer campaigns on merger, division or acquisition, their notices, letter batches and answers. */
export const transferCampaigns = pgTable('transfer_campaigns', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  title: text('title').notNull(),
  reason: text('reason', { enum: ['merger', 'division', 'acquisition', 'other'] }).notNull(),
  reasonDetail: text('reason_detail'),
  receivingPartyName: text('receiving_party_name').notNull(),
  receivingPartyContact: text('receiving_party_contact').notNull(),
  purpose: text('purpose').notNull(),
  fields: text('fields').array().notNull(),
  customerScope: jsonb('customer_scope').$type<{ kind: 'all' } | { kind: 'list'; ids: string[] }>().notNull(),
  noticeTemplate: jsonb('notice_template').$type<{ 'zh-CN': string; en: string }>().notNull(),
  channels: text('channels').array().notNull(),
  responseDeadline: ts('response_deadline'),
  impactAssessmentId: uuid('impact_assessment_id').notNull(),
  status: text('status', { enum: ['draft', 'approved', 'notifying', 'executed', 'cancelled'] })
    .notNull()
    .default('draft'),
  creatorId: uuid('creator_id'),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  approverId: uuid('approver_id'),
  approvedBy: text('approved_by'),
  approvedAt: ts('approved_at'),
  approvalComment: text('approval_comment'),
  noticesSentAt: ts('notices_sent_at'),
  executedBy: text('executed_by'),
  executedAt: ts('executed_at'),
  report: jsonb('report').$type<Record<string, number>>(),
  packageHash: text('package_hash'),
  processingRecordId: uuid('processing_record_id'),
  keepUntil: ts('keep_until')
    .notNull()
    .default(sql`now() + interval '3 years'`),
});

export const transferLetterBatches = pgTable('transfer_letter_batches', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  campaignId: uuid('campaign_id').notNull(),
  letters: integer('letters').notNull(),
  documentHash: text('document_hash').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const transferNotices = pgTable(
  'transfer_notices',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    campaignId: uuid('campaign_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    reference: text('reference').notNull(),
    channel: text('channel', { enum: ['email', 'sms', 'letter', 'none'] }).notNull(),
    outboxId: bigint('outbox_id', { mode: 'number' }),
    letterBatchId: uuid('letter_batch_id'),
    text: jsonb('text').$type<{ 'zh-CN': string; en: string }>().notNull(),
    textHash: text('text_hash').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    outcome: text('outcome', { enum: ['transferred', 'excluded_objected', 'excluded_no_answer'] }),
  },
  (t) => [uniqueIndex('transfer_notices_campaign_id_customer_id_key').on(t.campaignId, t.customerId)],
);

export const transferResponses = pgTable('transfer_responses', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  campaignId: uuid('campaign_id').notNull(),
  customerId: uuid('customer_id').notNull(),
  answer: text('answer', { enum: ['consent', 'object', 'legal_basis'] }).notNull(),
  legalBasis: text('legal_basis'),
  method: text('method', { enum: ['staff', 'portal'] }).notNull(),
  channel: text('channel'),
  evidence: jsonb('evidence').$type<Record<string, string>>().notNull().default({}),
  note: text('note'),
  recordedBy: text('recorded_by').notNull(),
  recordedAt: ts('recorded_at').notNull().defaultNow(),
});

/** P6.2: public disclosure requests and their reviews. */
export const disclosureRequests = pgTable('disclosure_requests', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  title: text('title').notNull(),
  purposeCode: text('purpose_code').notNull(),
  reason: text('reason').notNull(),
  audience: text('audience').notNull(),
  basisKind: text('basis_kind', { enum: ['law', 'consent'] }).notNull(),
  lawCitation: text('law_citation'),
  consentTarget: text('consent_target').notNull().default('public'),
  fields: text('fields').array().notNull(),
  operators: jsonb('operators').$type<Record<string, Record<string, unknown> & { kind: string }>>().notNull(),
  customerScope: jsonb('customer_scope').$type<{ kind: 'all' } | { kind: 'list'; ids: string[] }>().notNull(),
  impactAssessmentId: uuid('impact_assessment_id').notNull(),
  requesterId: uuid('requester_id').notNull(),
  requesterName: text('requester_name').notNull(),
  departmentId: uuid('department_id'),
  chain: text('chain').array().notNull(),
  step: integer('step').notNull().default(0),
  status: text('status', { enum: ['in_review', 'rejected', 'disclosed'] })
    .notNull()
    .default('in_review'),
  preview: jsonb('preview').$type<Record<string, number>>().notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  decidedAt: ts('decided_at'),
  content: jsonb('content').$type<{ fields: string[]; rows: Array<Record<string, string | null>> }>(),
  contentHash: text('content_hash'),
  report: jsonb('report').$type<Record<string, number>>(),
  processingRecordId: uuid('processing_record_id'),
  keepUntil: ts('keep_until')
    .notNull()
    .default(sql`now() + interval '3 years'`),
});

export const disclosureReviews = pgTable('disclosure_reviews', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  requestId: uuid('request_id').notNull(),
  step: integer('step').notNull(),
  stepRole: text('step_role').notNull(),
  reviewerId: uuid('reviewer_id').notNull(),
  reviewerName: text('reviewer_name').notNull(),
  decision: text('decision', { enum: ['approve', 'reject'] }).notNull(),
  comment: text('comment'),
  decidedAt: ts('decided_at').notNull().defaultNow(),
});

/** P6.1: share requests to a third-party recipient, their reviews and executions (migration 0013). */
export const shareRequests = pgTable('share_requests', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  requesterId: uuid('requester_id').notNull(),
  requesterName: text('requester_name').notNull(),
  departmentId: uuid('department_id').notNull(),
  recipientId: uuid('recipient_id').notNull(),
  purposeCode: text('purpose_code').notNull(),
  fields: text('fields').array().notNull(),
  customerScope: jsonb('customer_scope').$type<{ kind: 'all' } | { kind: 'list'; ids: string[] }>().notNull(),
  method: text('method', { enum: ['file', 'api'] }).notNull(),
  spec: jsonb('spec').$type<DatasetSpec>().notNull(),
  levels: jsonb('levels').$type<Record<string, number>>().notNull().default({}),
  format: text('format', { enum: ['csv', 'xlsx'] }).notNull(),
  legalBasis: text('legal_basis', { enum: ['separate_consent', 'contract', 'legal_obligation', 'other'] }).notNull(),
  legalBasisNote: text('legal_basis_note'),
  impactAssessmentId: uuid('impact_assessment_id'),
  justification: text('justification').notNull(),
  sensitive: boolean('sensitive').notNull(),
  chain: text('chain').array().notNull(),
  step: integer('step').notNull().default(0),
  status: text('status', { enum: ['in_review', 'returned', 'approved', 'rejected', 'executed'] }).notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  decidedAt: ts('decided_at'),
  keepUntil: ts('keep_until').notNull().defaultNow(),
});

export const shareReviews = pgTable('share_reviews', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  shareRequestId: uuid('share_request_id').notNull(),
  step: integer('step').notNull(),
  stepRole: text('step_role').notNull(),
  reviewerId: uuid('reviewer_id').notNull(),
  reviewerName: text('reviewer_name').notNull(),
  decision: text('decision', { enum: ['approve', 'reject', 'return'] }).notNull(),
  comment: text('comment'),
  decidedAt: ts('decided_at').notNull().defaultNow(),
});

export const shareExecutions = pgTable('share_executions', {
  id: uuid('id').primaryKey(),
  shareRequestId: uuid('share_request_id').notNull(),
  recipientId: uuid('recipient_id').notNull(),
  executedById: uuid('executed_by_id'),
  executedBy: text('executed_by').notNull(),
  inScopeCount: integer('in_scope_count').notNull(),
  includedCount: integer('included_count').notNull(),
  excludedCount: integer('excluded_count').notNull(),
  suppressedCount: integer('suppressed_count').notNull(),
  rowCount: integer('row_count').notNull(),
  k: integer('k'),
  l: integer('l'),
  customerIdsHash: text('customer_ids_hash').notNull(),
  fileSha256: text('file_sha256').notNull(),
  fileBytes: bigint('file_bytes', { mode: 'number' }).notNull(),
  linkHash: text('link_hash').notNull(),
  expiresAt: ts('expires_at').notNull(),
  downloadedAt: ts('downloaded_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  keepUntil: ts('keep_until').notNull().defaultNow(),
});

/** P5.2: approval chains per purpose and sensitivity (migration 0014). */
export const approvalChains = pgTable(
  'approval_chains',
  {
    purposeCode: text('purpose_code').notNull(),
    sensitive: boolean('sensitive').notNull(),
    steps: text('steps').array().notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.purposeCode, t.sensitive] })],
);

/** P5.2: saved customer segments (migration 0015). */
export const customerSegments = pgTable('customer_segments', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  name: text('name').notNull(),
  description: text('description'),
  departmentId: uuid('department_id').notNull(),
  createdById: uuid('created_by_id'),
  createdBy: text('created_by').notNull(),
  customerIds: uuid('customer_ids').array().notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});
