import { z } from 'zod';
import path from 'node:path';
import { parseCron } from './modules/retention/cron-fns.js';

/**
 * The one typed configuration. Parsed once at start-up from the environment; nothing else in
 * Custos reads process.env. A bad value stops start-up with a message naming the variable.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const boolish = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const durationMinutes = z.coerce.number().int().positive();

const envSchema = z.object({
  CUSTOS_MODE: z.enum(['development', 'production']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  CUSTOS_DATA_DIR: z.string().min(1).default('./data'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  CUSTOS_BOOTSTRAP_ADMIN: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,64}:.+$/, 'must be user:password (user of 3-64 letters, digits, . _ -)')
    .optional(),
  CUSTOS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CUSTOS_SESSION_IDLE_MINUTES: durationMinutes.default(30),
  CUSTOS_SESSION_MAX_HOURS: z.coerce.number().int().positive().default(12),
  CUSTOS_LOGIN_LOCK_THRESHOLD: z.coerce.number().int().min(3).max(100).default(10),
  CUSTOS_LOGIN_LOCK_MINUTES: durationMinutes.default(15),
  CUSTOS_AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  CUSTOS_AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  CUSTOS_AUDIT_CHECKPOINT_SECONDS: z.coerce.number().int().min(0).default(300),
  CUSTOS_COOKIE_SECURE: boolish.optional(),
  CUSTOS_TRUST_PROXY: boolish.default(false),
  CUSTOS_OIDC_ISSUER: z.url().optional(),
  CUSTOS_OIDC_CLIENT_ID: z.string().min(1).optional(),
  CUSTOS_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  CUSTOS_OIDC_REDIRECT_URI: z.url().optional(),
  /** Development and tests only: an identity provider on plain HTTP. */
  CUSTOS_OIDC_ALLOW_HTTP: boolish.default(false),
  CUSTOS_CONSOLE_DIR: z.string().min(1).optional(),
  CUSTOS_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  CUSTOS_KEY_PROVIDER: z.enum(['local', 'pkcs11']).default('local'),
  CUSTOS_KEYS_DIR: z.string().min(1).optional(),
  CUSTOS_KEYS_ALLOW_LOCAL_IN_PRODUCTION: boolish.default(false),
  CUSTOS_PKCS11_LIBRARY: z.string().min(1).optional(),
  CUSTOS_PKCS11_TOKEN_LABEL: z.string().min(1).optional(),
  CUSTOS_PKCS11_SLOT: z.coerce.number().int().min(0).optional(),
  CUSTOS_PKCS11_PIN: z.string().min(1).optional(),
  CUSTOS_CIPHER_SUITE: z.enum(['aes-256-gcm', 'sm4-ctr-hmac-sm3']).default('aes-256-gcm'),
  /** Resident ID display mask: characters kept at the start and end, e.g. `1,1` or `6,4`. */
  CUSTOS_MASK_RESIDENT_ID_KEEP: z
    .string()
    .regex(/^\d{1,2},\d{1,2}$/, 'must be "first,last", e.g. 1,1 or 6,4')
    .default('1,1'),
  /** Notifier: `log` (development: writes messages to the log) or `smtp` (CUSTOS_SMTP_URL). */
  CUSTOS_NOTIFIER: z.enum(['log', 'smtp']).optional(),
  CUSTOS_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  CUSTOS_SMTP_FROM: z.string().min(3).optional(),
  /** SMS gateway hook: messages to mobiles are POSTed here as JSON { to, text }. */
  CUSTOS_SMS_WEBHOOK_URL: z.url().optional(),
  CUSTOS_CONSENT_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(5),
  CUSTOS_PORTAL_SESSION_MINUTES: durationMinutes.default(30),
  /** P4.2: when the retention sweep runs (5-field cron, local time), or `off`. */
  CUSTOS_RETENTION_CRON: z.string().min(1).default('30 2 * * *'),
  CUSTOS_RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10000).default(5000),
  /** P5.3: where export files rest (encrypted) until downloaded; default <data dir>/exports. */
  CUSTOS_EXPORT_DIR: z.string().min(1).optional(),
  /** How long an export's one-time download link works. */
  CUSTOS_EXPORT_LINK_MINUTES: durationMinutes.max(7 * 24 * 60).default(60),
});

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  redirectUri: string;
  allowHttp: boolean;
}

export interface Config {
  mode: 'development' | 'production';
  database: { kind: 'postgres'; url: string; poolSize: number } | { kind: 'pglite'; dataDir: string };
  dataDir: string;
  http: { host: string; port: number; trustProxy: boolean; cookieSecure: boolean };
  bootstrapAdmin: { username: string; password: string } | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  sessions: { idleMinutes: number; maxHours: number };
  login: { lockThreshold: number; lockMinutes: number };
  audit: { checkpointFile: string; signingKeyFile: string; checkpointSeconds: number };
  oidc: OidcConfig | undefined;
  consoleDir: string | undefined;
  keys:
    | { provider: 'local'; dir: string; allowInProduction: boolean }
    | { provider: 'pkcs11'; library: string; tokenLabel: string | undefined; slot: number | undefined; pin: string };
  cipherSuite: 'aes-256-gcm' | 'sm4-ctr-hmac-sm3';
  masks: { residentId: { keepFirst: number; keepLast: number } };
  notifier: { kind: 'log' | 'smtp'; smtpUrl: string | undefined; smtpFrom: string; smsWebhookUrl: string | undefined };
  consent: { cacheSeconds: number };
  portal: { sessionMinutes: number };
  /** P4.2: the sweep's schedule (null: off) and customers per batch transaction. */
  retention: { cron: string | null; batchSize: number };
  /** P5.3: export files' folder and how long download links work. */
  exports: { dir: string; linkMinutes: number };
}

/** Parse the environment into a Config; throws ConfigError naming the first bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as shells and .env files commonly produce them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, issue.message);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.CUSTOS_DATA_DIR);
  let bootstrapAdmin: Config['bootstrapAdmin'];
  if (e.CUSTOS_BOOTSTRAP_ADMIN) {
    const i = e.CUSTOS_BOOTSTRAP_ADMIN.indexOf(':');
    bootstrapAdmin = { username: e.CUSTOS_BOOTSTRAP_ADMIN.slice(0, i), password: e.CUSTOS_BOOTSTRAP_ADMIN.slice(i + 1) };
  }
  const oidcVars = [e.CUSTOS_OIDC_ISSUER, e.CUSTOS_OIDC_CLIENT_ID, e.CUSTOS_OIDC_REDIRECT_URI];
  if (oidcVars.some(Boolean) && !oidcVars.every(Boolean)) {
    const missing = (['CUSTOS_OIDC_ISSUER', 'CUSTOS_OIDC_CLIENT_ID', 'CUSTOS_OIDC_REDIRECT_URI'] as const).find((k) => !e[k])!;
    throw new ConfigError(missing, 'OIDC needs CUSTOS_OIDC_ISSUER, CUSTOS_OIDC_CLIENT_ID and CUSTOS_OIDC_REDIRECT_URI together');
  }
  const config: Config = {
    mode: e.CUSTOS_MODE,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.CUSTOS_DB_POOL_SIZE }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    dataDir,
    http: {
      host: e.HOST,
      port: e.PORT,
      trustProxy: e.CUSTOS_TRUST_PROXY,
      cookieSecure: e.CUSTOS_COOKIE_SECURE ?? e.CUSTOS_MODE === 'production',
    },
    bootstrapAdmin,
    logLevel: e.CUSTOS_LOG_LEVEL,
    sessions: { idleMinutes: e.CUSTOS_SESSION_IDLE_MINUTES, maxHours: e.CUSTOS_SESSION_MAX_HOURS },
    login: { lockThreshold: e.CUSTOS_LOGIN_LOCK_THRESHOLD, lockMinutes: e.CUSTOS_LOGIN_LOCK_MINUTES },
    audit: {
      checkpointFile: path.resolve(e.CUSTOS_AUDIT_CHECKPOINT_FILE ?? path.join(dataDir, 'audit-checkpoints.jsonl')),
      signingKeyFile: path.resolve(e.CUSTOS_AUDIT_SIGNING_KEY_FILE ?? path.join(dataDir, 'audit-signing-key.pem')),
      checkpointSeconds: e.CUSTOS_AUDIT_CHECKPOINT_SECONDS,
    },
    oidc: e.CUSTOS_OIDC_ISSUER
      ? {
          issuer: e.CUSTOS_OIDC_ISSUER,
          clientId: e.CUSTOS_OIDC_CLIENT_ID!,
          clientSecret: e.CUSTOS_OIDC_CLIENT_SECRET,
          redirectUri: e.CUSTOS_OIDC_REDIRECT_URI!,
          allowHttp: e.CUSTOS_OIDC_ALLOW_HTTP,
        }
      : undefined,
    consoleDir: e.CUSTOS_CONSOLE_DIR ? path.resolve(e.CUSTOS_CONSOLE_DIR) : undefined,
    keys: keysConfig(e, dataDir),
    cipherSuite: e.CUSTOS_CIPHER_SUITE,
    masks: {
      residentId: {
        keepFirst: Number(e.CUSTOS_MASK_RESIDENT_ID_KEEP.split(',')[0]),
        keepLast: Number(e.CUSTOS_MASK_RESIDENT_ID_KEEP.split(',')[1]),
      },
    },
    notifier: {
      kind: e.CUSTOS_NOTIFIER ?? (e.CUSTOS_SMTP_URL ? 'smtp' : 'log'),
      smtpUrl: e.CUSTOS_SMTP_URL,
      smtpFrom: e.CUSTOS_SMTP_FROM ?? 'custos@localhost',
      smsWebhookUrl: e.CUSTOS_SMS_WEBHOOK_URL,
    },
    consent: { cacheSeconds: e.CUSTOS_CONSENT_CACHE_SECONDS },
    portal: { sessionMinutes: e.CUSTOS_PORTAL_SESSION_MINUTES },
    retention: { cron: retentionCron(e.CUSTOS_RETENTION_CRON), batchSize: e.CUSTOS_RETENTION_BATCH_SIZE },
    exports: { dir: path.resolve(e.CUSTOS_EXPORT_DIR ?? path.join(dataDir, 'exports')), linkMinutes: e.CUSTOS_EXPORT_LINK_MINUTES },
  };
  if (config.notifier.kind === 'smtp' && !config.notifier.smtpUrl)
    throw new ConfigError('CUSTOS_SMTP_URL', 'the smtp notifier needs CUSTOS_SMTP_URL');
  if (config.mode === 'production') assertProductionSafe(config);
  return config;
}

function retentionCron(v: string): string | null {
  if (v.trim().toLowerCase() === 'off') return null;
  try {
    return parseCron(v).source;
  } catch (err) {
    throw new ConfigError('CUSTOS_RETENTION_CRON', `${(err as Error).message} (or 'off')`);
  }
}

function keysConfig(e: z.output<typeof envSchema>, dataDir: string): Config['keys'] {
  if (e.CUSTOS_KEY_PROVIDER === 'pkcs11') {
    if (!e.CUSTOS_PKCS11_LIBRARY)
      throw new ConfigError('CUSTOS_PKCS11_LIBRARY', 'the pkcs11 key provider needs the path of the PKCS#11 library');
    if (!e.CUSTOS_PKCS11_PIN) throw new ConfigError('CUSTOS_PKCS11_PIN', 'the pkcs11 key provider needs the token user PIN');
    if (e.CUSTOS_PKCS11_TOKEN_LABEL === undefined && e.CUSTOS_PKCS11_SLOT === undefined) {
      throw new ConfigError('CUSTOS_PKCS11_TOKEN_LABEL', 'name the token (CUSTOS_PKCS11_TOKEN_LABEL) or its slot (CUSTOS_PKCS11_SLOT)');
    }
    return {
      provider: 'pkcs11',
      library: e.CUSTOS_PKCS11_LIBRARY,
      tokenLabel: e.CUSTOS_PKCS11_TOKEN_LABEL,
      slot: e.CUSTOS_PKCS11_SLOT,
      pin: e.CUSTOS_PKCS11_PIN,
    };
  }
  return {
    provider: 'local',
    dir: path.resolve(e.CUSTOS_KEYS_DIR ?? path.join(dataDir, 'keys')),
    allowInProduction: e.CUSTOS_KEYS_ALLOW_LOCAL_IN_PRODUCTION,
  };
}

/** Production refuses settings that are fine on a laptop but unsafe with real customer PI. */
function assertProductionSafe(c: Config): void {
  if (c.database.kind !== 'postgres') {
    throw new ConfigError('DATABASE_URL', 'production mode needs PostgreSQL; the embedded PGlite database is for development');
  }
  if (!c.http.cookieSecure) {
    throw new ConfigError('CUSTOS_COOKIE_SECURE', 'production mode needs secure (HTTPS-only) session cookies');
  }
  if (c.keys.provider === 'local' && !c.keys.allowInProduction) {
    throw new ConfigError(
      'CUSTOS_KEY_PROVIDER',
      'production mode refuses the local key file: configure pkcs11 (an HSM), or accept the risk with CUSTOS_KEYS_ALLOW_LOCAL_IN_PRODUCTION=true',
    );
  }
  if (c.oidc?.allowHttp) {
    throw new ConfigError('CUSTOS_OIDC_ALLOW_HTTP', 'production mode needs an identity provider on HTTPS');
  }
  if (c.bootstrapAdmin && c.bootstrapAdmin.password.length < 12) {
    throw new ConfigError('CUSTOS_BOOTSTRAP_ADMIN', 'the bootstrap password must have at least 12 characters');
  }
}

/** Warnings that do not stop start-up but that an operator should see (`custos config check`). */
export function configWarnings(c: Config): string[] {
  const w: string[] = [];
  if (c.mode === 'development') w.push('CUSTOS_MODE is development: do not hold real customer PI in this mode');
  if (c.audit.checkpointFile.startsWith(c.dataDir + path.sep)) {
    w.push('CUSTOS_AUDIT_CHECKPOINT_FILE is inside the data folder: store checkpoints where database administrators cannot write');
  }
  if (c.notifier.kind === 'log')
    w.push('CUSTOS_NOTIFIER is log: messages (portal one-time codes included) go to the log, not to customers; configure CUSTOS_SMTP_URL');
  if (c.audit.checkpointSeconds === 0) w.push('CUSTOS_AUDIT_CHECKPOINT_SECONDS is 0: no periodic signed audit checkpoints');
  return w;
}
