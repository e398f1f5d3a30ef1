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
