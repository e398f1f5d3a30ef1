import { describe, expect, it } from 'vitest';
import { ConfigError, configWarnings, parseConfig } from './config.js';

describe('config', () => {
  it('defaults to the embedded database in ./data on 127.0.0.1:8080 in development mode', () => {
    const c = parseConfig({});
    expect(c.mode).toBe('development');
    expect(c.database.kind).toBe('pglite');
    expect(c.http).toMatchObject({ host: '127.0.0.1', port: 8080, cookieSecure: false });
    expect(c.sessions.idleMinutes).toBe(30);
    expect(c.bootstrapAdmin).toBeUndefined();
  });

  it('uses PostgreSQL when DATABASE_URL is given and parses the bootstrap admin', () => {
    const c = parseConfig({ DATABASE_URL: 'postgresql://u@h:5432/db', CUSTOS_BOOTSTRAP_ADMIN: 'root:pa:ss:word' });
    expect(c.database).toMatchObject({ kind: 'postgres', url: 'postgresql://u@h:5432/db' });
    expect(c.bootstrapAdmin).toEqual({ username: 'root', password: 'pa:ss:word' });
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['CUSTOS_MODE', { CUSTOS_MODE: 'staging' }],
    ['CUSTOS_BOOTSTRAP_ADMIN', { CUSTOS_BOOTSTRAP_ADMIN: 'no-colon' }],
    ['CUSTOS_OIDC_CLIENT_ID', { CUSTOS_OIDC_ISSUER: 'https://idp.example.com' }],
    ['CUSTOS_CIPHER_SUITE', { CUSTOS_CIPHER_SUITE: 'des' }],
    ['CUSTOS_MASK_RESIDENT_ID_KEEP', { CUSTOS_MASK_RESIDENT_ID_KEEP: 'all' }],
  ])('names %s when its value is bad', (variable, env) => {
    const e = (() => {
      try {
        parseConfig(env);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).variable).toBe(variable);
    expect((e as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
  });

  it('parses the notifier and warns when messages would only be logged', () => {
    expect(parseConfig({}).notifier.kind).toBe('log');
    expect(configWarnings(parseConfig({}))).toEqual(expect.arrayContaining([expect.stringMatching(/^CUSTOS_NOTIFIER is log/)]));
    expect(() => parseConfig({ CUSTOS_NOTIFIER: 'smtp' })).toThrow(/^CUSTOS_SMTP_URL/);
    expect(() => parseConfig({ CUSTOS_SMTP_URL: 'http://x' })).toThrow(/^CUSTOS_SMTP_URL/);
    expect(parseConfig({ CUSTOS_CONSENT_CACHE_SECONDS: '0' }).consent.cacheSeconds).toBe(0);
  });

  it('production mode refuses the embedded database and insecure cookies', () => {
    expect(() => parseConfig({ CUSTOS_MODE: 'production' })).toThrow(/^DATABASE_URL: production mode needs PostgreSQL/);
    expect(() => parseConfig({ CUSTOS_MODE: 'production', DATABASE_URL: 'postgres://h/db', CUSTOS_COOKIE_SECURE: 'false' })).toThrow(
      /^CUSTOS_COOKIE_SECURE/,
    );
    expect(() => parseConfig({ CUSTOS_MODE: 'production', DATABASE_URL: 'postgres://h/db' })).toThrow(
      /^CUSTOS_KEY_PROVIDER: production mode refuses the local key file/,
    );
    const hsm = {
      CUSTOS_KEY_PROVIDER: 'pkcs11',
      CUSTOS_PKCS11_LIBRARY: '/usr/lib/softhsm/libsofthsm2.so',
      CUSTOS_PKCS11_TOKEN_LABEL: 'custos',
      CUSTOS_PKCS11_PIN: '1234',
    };
    const c = parseConfig({
      CUSTOS_MODE: 'production',
      DATABASE_URL: 'postgres://h/db',
      CUSTOS_AUDIT_CHECKPOINT_FILE: '/var/lib/custos-audit/cp.jsonl',
      CUSTOS_SMTP_URL: 'smtps://mail.internal:465',
      ...hsm,
    });
    expect(c.notifier).toMatchObject({ kind: 'smtp', smtpUrl: 'smtps://mail.internal:465' });
    expect(c.http.cookieSecure).toBe(true);
    expect(c.keys).toMatchObject({ provider: 'pkcs11', tokenLabel: 'custos' });
    expect(configWarnings(c)).toEqual([]);
    expect(
      parseConfig({ CUSTOS_MODE: 'production', DATABASE_URL: 'postgres://h/db', CUSTOS_KEYS_ALLOW_LOCAL_IN_PRODUCTION: 'true' }).keys
        .provider,
    ).toBe('local');
    expect(() => parseConfig({ CUSTOS_KEY_PROVIDER: 'pkcs11' })).toThrow(/^CUSTOS_PKCS11_LIBRARY/);
  });

  it('warns when checkpoints are kept beside the database', () => {
    expect(configWarnings(parseConfig({})).join('\n')).toMatch(/CUSTOS_AUDIT_CHECKPOINT_FILE is inside the data folder/);
  });
});
