export * from './config.js';
export * from './context.js';
export * from './errors.js';
export * from './operations.js';
export * from './create-core.js';
export { openDatabase, type Database, type Db, type Tx, type DatabaseTarget } from './db/client.js';
export { migrate, pendingMigrations, readMigrations } from './db/migrate.js';
export * from './authz/permissions.js';
export * from './authz/roles.js';
export { allows, effectivePermissions } from './authz/authz-fns.js';
export * from './audit/audit-types.js';
export { GENESIS_HASH, chainHash, AUDIT_BODY_SQL } from './audit/audit-fns.js';
export { readCheckpoints, type Checkpoint } from './audit/checkpoint-fns.js';
export * from './modules/users/users-types.js';
export * from './modules/departments/departments-types.js';
export * from './modules/catalogue/catalogue-types.js';
export * from './modules/auth/auth-types.js';
export { checkPasswordPolicy, type KdfParams } from './modules/auth/password-fns.js';
export { parseInput } from './validation.js';
export * from './pi-types/index.js';
export * from './modules/customers/customers-types.js';
export { assertNoPlainPi } from './modules/customers/customers-fns.js';
export * from './crypto/index.js';
export * from './modules/backup/backup-service.js';
export * from './modules/purposes/purposes-types.js';
export * from './modules/notices/notices-types.js';
export { canonicalJson, noticeHash } from './modules/notices/notices-fns.js';
export * from './modules/channels/channels-types.js';
export * from './modules/consent/consent-types.js';
export {
  decide,
  replay,
  applyEntry,
  stateKey,
  type LedgerEntry,
  type StateRow,
  type Decision,
  type ActivePurposeView,
} from './modules/consent/consent-fns.js';
export * from './modules/collection/collection-types.js';
export * from './modules/portal/portal-types.js';
export * from './modules/media/media-types.js';
export { nistLevelOf, destructionMethodProblems, onlyCopies } from './modules/media/media-fns.js';
export * from './modules/retention/retention-types.js';
export { parseCron, nextCronTime, type CronSchedule } from './modules/retention/cron-fns.js';
export {
  planCustomer,
  planBatch,
  clockStart,
  expiryWithHolds,
  generalise,
  type PlanItem,
  type CustomerFacts,
  type PolicyView,
  type RuleView,
} from './modules/retention/retention-fns.js';
export { SWEEP_LOCK, type RetentionMetrics, type SweepHooks } from './modules/retention/retention-service.js';
export { channelActor, customerActor } from './context.js';
export * from './modules/deidentify/index.js';
export * from './modules/use/use-types.js';
export { approvalChain, grantRefusal, mayReview, type GrantRefusal } from './modules/use/use-fns.js';
export * from './modules/exports/exports-types.js';
export { escapeFormula, csvLine, openFrames } from './modules/exports/exports-fns.js';
export { ExportLinkGoneError } from './modules/exports/exports-service.js';
export * from './modules/sharing/sharing-types.js';
export { separateConsentsFor, shareChain } from './modules/sharing/sharing-service.js';
export * from './modules/impact/impact-types.js';
export { DEFAULT_PIA_TEMPLATE, computedRisk, missingAnswers } from './modules/impact/impact-fns.js';
export type { ImpactService } from './modules/impact/impact-service.js';
export * from './modules/recipients/recipients-types.js';
export { DEFAULT_CAPABILITY_TEMPLATE, scoreAssessment, ineligibility } from './modules/recipients/recipients-fns.js';
export type { RecipientsService, EligibleRecipient } from './modules/recipients/recipients-service.js';
export * from './modules/processing-records/processing-records-types.js';
export { customerIdsHash, processingRecordsCsv } from './modules/processing-records/processing-records-fns.js';
export type { ProcessingRecordsService } from './modules/processing-records/processing-records-service.js';
export * from './modules/transfers/transfers-types.js';
export { DEFAULT_NOTICE_TEMPLATE, decryptPackage, renderNotice, templateProblems } from './modules/transfers/transfers-fns.js';
export type { TransfersService } from './modules/transfers/transfers-service.js';
export * from './modules/disclosures/disclosures-types.js';
export { DISCLOSURE_CHAIN, operatorProblems } from './modules/disclosures/disclosures-fns.js';
export type { DisclosuresService } from './modules/disclosures/disclosures-service.js';
