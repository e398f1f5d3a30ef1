import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { createAuditService } from './audit/audit-service.js';
import { createAuditLogService } from './audit/audit-log-service.js';
import { createRunner } from './runner.js';
import { createAuthService } from './modules/auth/auth-service.js';
import { DEFAULT_KDF, type KdfParams } from './modules/auth/password-fns.js';
import { createUsersService } from './modules/users/users-service.js';
import { createDepartmentsService } from './modules/departments/departments-service.js';
import { createCatalogueService } from './modules/catalogue/catalogue-service.js';
import { createRolesService } from './authz/roles-service.js';
import { createOidcService } from './modules/auth/oidc-service.js';
import { createLocalKeyProvider, createPkcs11KeyProvider, type KeyProvider } from './crypto/index.js';
import { createKeyring } from './modules/customers/keyring.js';
import { createCustomersService } from './modules/customers/customers-service.js';
import { createKeysService } from './modules/customers/keys-service.js';
import { createHmac } from 'node:crypto';
import { systemActor } from './context.js';
import { OPERATIONS } from './operations.js';
import { createPolicyCache } from './modules/consent/consent-cache.js';
import { createConsentService } from './modules/consent/consent-service.js';
import { createPurposesService } from './modules/purposes/purposes-service.js';
import { createNoticesService } from './modules/notices/notices-service.js';
import { createChannelsService } from './modules/channels/channels-service.js';
import { createCollectionService } from './modules/collection/collection-service.js';
import { createPortalService } from './modules/portal/portal-service.js';
import { createRetentionService } from './modules/retention/retention-service.js';
import { parseCron } from './modules/retention/cron-fns.js';
import { createMediaService } from './modules/media/media-service.js';
import { createUseService } from './modules/use/use-service.js';
import { createExportsService } from './modules/exports/exports-service.js';
import { createSharingService } from './modules/sharing/sharing-service.js';
import { createImpactService } from './modules/impact/impact-service.js';
import { createRecipientsService } from './modules/recipients/recipients-service.js';
import { createProcessingRecordsService } from './modules/processing-records/processing-records-service.js';
import { createTransfersService } from './modules/transfers/transfers-service.js';
import { createDisclosuresService } from './modules/disclosures/disclosures-service.js';
import { createNotifier, logTransport, smtpTransport, webhookTransport, type Transport } from './modules/notifier/notifier-service.js';

/** What core logs through; the server passes its pino logger, the CLI a console one. Never plain PI. */
export interface CoreLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silentLogger: CoreLogger = { info() {}, warn() {}, error() {} };

export interface CoreOptions {
  config: Config;
  /** An already-open database (tests share one); otherwise opened from config. */
  database?: Database;
  /** Apply pending migrations on start (default true). */
  migrate?: boolean;
  logger?: CoreLogger;
  /** Tests lower the KDF cost; stored hashes carry their own parameters. */
  kdf?: KdfParams;
  /** Tests shorten the failed-login delay. */
  loginDelay?: (ms: number) => Promise<void>;
  /** An already-open key provider; otherwise opened from config (local key file or PKCS#11). */
  keyProvider?: KeyProvider;
}

/** Open the configured key provider. Production refuses the local file unless explicitly allowed (config). */
export async function openKeyProvider(config: Config): Promise<KeyProvider> {
  const k = config.keys;
  if (k.provider === 'pkcs11') {
    return createPkcs11KeyProvider({
      library: k.library,
      pin: k.pin,
      ...(k.tokenLabel ? { tokenLabel: k.tokenLabel } : {}),
      ...(k.slot !== undefined ? { slot: k.slot } : {}),
    });
  }
  return createLocalKeyProvider({ dir: k.dir, mode: config.mode, allowInProduction: k.allowInProduction });
}

/** The one composition root: config + database -> services. The server, CLI, worker and tests all use it. */
export async function createCore(opts: CoreOptions) {
  const { config } = opts;
  const logger = opts.logger ?? silentLogger;
  const ownsDatabase = !opts.database;
  const database =
    opts.database ??
    (await openDatabase(config.database.kind === 'postgres' ? config.database : { kind: 'pglite', dataDir: config.database.dataDir }));
  if (opts.migrate !== false) {
    const r = await migrate(database, (m) => logger.info({ migration: m }, 'migrating'));
    if (r.applied.length) logger.info({ applied: r.applied }, 'migrations applied');
  }
  const kdf = opts.kdf ?? DEFAULT_KDF;
  const audit = createAuditService({
    database,
    checkpointFile: config.audit.checkpointFile,
    signingKeyFile: config.audit.signingKeyFile,
    onChainError: (e) => logger.error({ err: e instanceof Error ? e.message : String(e) }, 'audit chaining failed; will retry'),
  });
  const runner = createRunner({ database, audit });
  const ownsKeyProvider = !opts.keyProvider;
  const keyProvider = opts.keyProvider ?? (await openKeyProvider(config));
  const keyring = createKeyring({ provider: keyProvider, database, suite: config.cipherSuite });
  // Load (or create) the blind-index key now, outside any transaction: PGlite has one connection.
  await keyring.blindIndexKey();
  const maskPolicy = { cn_resident_id: config.masks.residentId };
  const keys = createKeysService({
    runner,
    keyring,
    database,
    onError: (e) => logger.error({ err: (e as Error).message }, 'key re-wrap failed; it resumes on the next start'),
  });
  const auth = createAuthService({
    database,
    runner,
    audit,
    settings: { ...config.sessions, ...config.login, kdf, ...(opts.loginDelay ? { delay: opts.loginDelay } : {}) },
  });

  const policy = createPolicyCache({ ttlMs: config.consent.cacheSeconds * 1000 });
  // Late-bound: the use service (grants) is made after the vault, which asks it for grants.
  const grantsRef: { useGrant?: NonNullable<Parameters<typeof createCustomersService>[0]['useGrant']> } = {};
  const customers = createCustomersService({
    runner,
    keyring,
    maskPolicy,
    policy,
    useGrant: (tx, actor, access) => grantsRef.useGrant!(tx, actor, access),
  });
  const channels = createChannelsService({ runner, database });
  // Consent evidence (IP, user agent) is kept only as keyed hashes, under a key derived from the vault's index key.
  let evidenceKey: Buffer | null = null;
  const consent = createConsentService({
    runner,
    policy,
    evidenceKey: async () =>
      (evidenceKey ??= createHmac('sha256', await keyring.blindIndexKey())
        .update('custos-consent-evidence-v1')
        .digest()),
  });
  const transports: Partial<Record<'email' | 'sms' | 'webhook' | 'log', Transport>> = {
    log: logTransport(logger, config.mode === 'development'),
    webhook: webhookTransport(undefined),
  };
  if (config.notifier.kind === 'smtp' && config.notifier.smtpUrl)
    transports.email = smtpTransport(config.notifier.smtpUrl, config.notifier.smtpFrom);
  if (config.notifier.smsWebhookUrl) transports.sms = webhookTransport(config.notifier.smsWebhookUrl);
  const notifier = createNotifier({
    database,
    logger,
    transports,
    // Reading a customer's address to write to them is a read of plain PI: audited as such.
    resolveCustomerField: (customerId, field) =>
      runner.run(systemActor(), OPERATIONS.deliverNotification, async ({ tx, audit }) => {
        const to = await customers.internal.plainField(tx, customerId, field);
        await audit({ action: 'notification.address_read', resourceType: 'customer', resourceId: customerId, details: { field } });
        return to;
      }),
  });

  const media = createMediaService({ runner, audit, notifier });
  // P4.2: retention rules, legal holds and the sweep (scheduled by CUSTOS_RETENTION_CRON).
  const retention = createRetentionService({
    runner,
    database,
    customers,
    forget: (id) => keyring.forget(id),
    batchSize: config.retention.batchSize,
    schedule: config.retention.cron ? parseCron(config.retention.cron) : null,
    logger,
  });

  const use = createUseService({ runner, notifier });
  grantsRef.useGrant = use.useGrant;
  // Issue 6: impact assessments gate sharing, transfers, disclosures and cross-border recipients.
  const impact = createImpactService({ runner });
  // P6.1, P6.3: the third-party recipients register and its supervision.
  const recipients = createRecipientsService({ runner, audit, notifier });
  // P1.1, P6.1, P6.2: the processing-records register, transfer campaigns and public disclosure (impact-assessment gated).
  const processingRecords = createProcessingRecordsService({ runner });
  // P5.3: de-identified, risk-checked exports under export grants.
  const exports = createExportsService({
    runner,
    database,
    audit,
    keyring,
    policy,
    maskPolicy,
    exportDir: config.exports.dir,
    linkMinutes: config.exports.linkMinutes,
    processingRecords,
  });
  const impactGate = (tx: Parameters<typeof impact.internal.requireCompleted>[0], id: string, kind: 'transfer' | 'disclosure') =>
    impact.internal.requireCompleted(tx, id, kind);
  // P6.1: sharing with vetted recipients, through the review chain and the export pipeline.
  const sharing = createSharingService({ runner, exports, recipients, impact, processingRecords, notifier });
  const transfers = createTransfersService({ runner, notifier, customers, processingRecords, impactGate });
  const disclosures = createDisclosuresService({ runner, customers, processingRecords, impactGate, maskPolicy });

  const timers: NodeJS.Timeout[] = [];
  const core = {
    config,
    database,
    audit,
    runner,
    auth,
    users: createUsersService({ runner, kdf }),
    departments: createDepartmentsService({ runner }),
    roles: createRolesService({ runner }),
    catalogue: createCatalogueService({ runner }),
    auditLog: createAuditLogService({ runner, audit }),
    customers,
    policy,
    consent,
    channels,
    notifier,
    purposes: createPurposesService({ runner, policy }),
    use,
    exports,
    sharing,
    notices: createNoticesService({ runner, policy }),
    collection: createCollectionService({ runner, audit, customers, consent, policy, channels, maskPolicy }),
    portal: createPortalService({ runner, database, customers, consent, notifier, sessionMinutes: config.portal.sessionMinutes }),
    keys,
    media,
    retention,
    impact,
    recipients,
    processingRecords,
    transfers,
    disclosures,
    /** Present only when OIDC is configured. */
    oidc: config.oidc ? createOidcService({ oidc: config.oidc, runner, audit, maxHours: config.sessions.maxHours }) : undefined,

    /**
     * Background duties of a long-running process: chain events left pending by a process that
     * stopped between commit and chaining, and write signed checkpoints.
     */
    startBackground(): void {
      timers.push(setInterval(() => audit.kick(), 5_000).unref());
      notifier.start();
      retention.start();
      keys.resume().catch((e: unknown) => logger.error({ err: (e as Error).message }, 'could not resume key re-wrap jobs'));
      // P4.3: remind custodians of inspections that fell due (once per due date), at start and hourly.
      const remind = () =>
        void media
          .sendDueInspectionReminders()
          .catch((e: unknown) => logger.error({ err: (e as Error).message }, 'inspection reminders failed'));
      timers.push(setTimeout(remind, 10_000).unref(), setInterval(remind, 3_600_000).unref());
      // P5.3: files of one-time links that expired unused are removed.
      const sweepFiles = () =>
        void exports.sweepExpired().catch((e: unknown) => logger.error({ err: (e as Error).message }, 'export file sweep failed'));
      timers.push(setTimeout(sweepFiles, 30_000).unref(), setInterval(sweepFiles, 3_600_000).unref());
      // P6.3: remind registrants of third-party re-assessments falling due (once per due date).
      const remindRecipients = () =>
        void recipients
          .sendDueReassessmentReminders()
          .catch((e: unknown) => logger.error({ err: (e as Error).message }, 'recipient re-assessment reminders failed'));
      timers.push(setTimeout(remindRecipients, 12_000).unref(), setInterval(remindRecipients, 3_600_000).unref());
      if (config.audit.checkpointSeconds > 0) {
        timers.push(
          setInterval(() => {
            audit.checkpoint().catch((e: unknown) => logger.error({ err: (e as Error).message }, 'audit checkpoint failed'));
          }, config.audit.checkpointSeconds * 1000).unref(),
        );
      }
    },

    async close(): Promise<void> {
      for (const t of timers) clearInterval(t);
      await retention.stop();
      await keys.settle();
      await notifier.stop();
      await audit.flush().catch(() => {});
      if (config.audit.checkpointSeconds > 0) await audit.checkpoint().catch(() => {});
      audit.cancelScheduled();
      if (ownsDatabase) await database.close();
      if (ownsKeyProvider) await keyProvider.close();
    },
  };
  return core;
}

export type Core = Awaited<ReturnType<typeof createCore>>;
