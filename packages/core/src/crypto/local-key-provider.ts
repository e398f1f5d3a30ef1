/**
 * The 'local' key provider: KEKs in a JSON key file, for development and tests.
 *
 * File `<dir>/custos-keys.json` (mode 0600, directory created 0700):
 *   { "format": "custos.local-keys.v1",
 *     "keys": [{ "version": 1, "createdAt": "<ISO>", "state": "current", "algorithm": "AES-256-GCM",
 *                "key": "<base64 of 32 bytes>" }, ...] }
 *
 * - Created on first use; the first creation is atomic (temp file + link, which fails if another
 *   process created the file meanwhile, in which case its keys are used).
 * - Updates (rotate, retire) hold an exclusive lock file `<file>.lock` across processes, re-read
 *   the file, write a temp file (0600, fsync) and rename it over the key file (then fsync the dir).
 * - Every operation re-reads the file if it changed on disk (inode/size/mtime), so a rotation done
 *   by another process (e.g. the CLI) is seen by a running server.
 * - A key file readable by group or others is refused, like ssh does for private keys.
 * - Wrap = AES-256-GCM (the 'aes-256-gcm' cipher suite format) with kekWrapAad(version, context).
 * - Refused in production mode unless explicitly allowed.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DecryptionError, getCipherSuite } from './cipher-suites.js';
import {
  assertKekVersion,
  assertWrapArgs,
  kekWrapAad,
  KeyProviderError,
  SerialQueue,
  type KekInfo,
  type KekState,
  type KeyProvider,
  type WrappedKey,
} from './key-provider.js';

export const LOCAL_KEY_FILE = 'custos-keys.json';
const FILE_FORMAT = 'custos.local-keys.v1';
const ALGORITHM = 'AES-256-GCM';
const KEK_LENGTH = 32;
const LOCK_TIMEOUT_MS = 10_000;

export interface LocalKeyProviderOptions {
  /** Directory of the key file; created (0700) if missing. */
  dir: string;
  mode: 'development' | 'production';
  /** Mirrors CUSTOS_KEYS_ALLOW_LOCAL_IN_PRODUCTION=true; required to use this provider in production. */
  allowInProduction?: boolean;
}

interface StoredKey {
  version: number;
  createdAt: string;
  state: KekState;
  algorithm: string;
  key: string;
}

interface LoadedKey {
  version: number;
  createdAt: string;
  state: KekState;
  algorithm: string;
  key: Buffer;
}

interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

const aes = getCipherSuite('aes-256-gcm');

export async function createLocalKeyProvider(options: LocalKeyProviderOptions): Promise<KeyProvider> {
  if (options.mode === 'production' && options.allowInProduction !== true) {
    throw new KeyProviderError(
      'The local key provider keeps key-encryption keys in a file on this machine and is refused in ' +
        'production mode. Configure the pkcs11 key provider (an HSM), or, to accept the risk ' +
        'explicitly, set CUSTOS_KEYS_ALLOW_LOCAL_IN_PRODUCTION=true.',
    );
  }
  const dir = path.resolve(options.dir);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const provider = new LocalKeyProvider(dir);
  await provider.init();
  return provider;
}

function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Not supported on every platform/file system; the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

function parseKeyFile(text: string, file: string): LoadedKey[] {
  const bad = (why: string) => new KeyProviderError(`key file ${file} is invalid: ${why}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (typeof data !== 'object' || data === null) throw bad('not an object');
  const { format, keys } = data as { format?: unknown; keys?: unknown };
  if (format !== FILE_FORMAT) throw bad(`format is not ${FILE_FORMAT}`);
  if (!Array.isArray(keys) || keys.length === 0) throw bad('no keys');
  const seen = new Set<number>();
  const loaded = keys.map((raw: unknown, i): LoadedKey => {
    const k = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<keyof StoredKey, unknown>>;
    const { version, createdAt, state, algorithm, key } = k;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || seen.has(version)) {
      throw bad(`keys[${i}].version`);
    }
    seen.add(version);
    if (typeof createdAt !== 'string') throw bad(`keys[${i}].createdAt`);
    if (state !== 'current' && state !== 'active' && state !== 'retired') throw bad(`keys[${i}].state`);
    if (algorithm !== ALGORITHM) throw bad(`keys[${i}].algorithm`);
    const bytes = typeof key === 'string' ? Buffer.from(key, 'base64') : Buffer.alloc(0);
    if (bytes.length !== KEK_LENGTH) throw bad(`keys[${i}].key is not ${KEK_LENGTH} bytes of base64`);
    return { version, createdAt, state, algorithm, key: bytes };
  });
  if (loaded.filter((k) => k.state === 'current').length !== 1) throw bad('exactly one key must be current');
  return loaded;
}

function serialize(keys: readonly LoadedKey[]): string {
  const stored: StoredKey[] = keys.map((k) => ({
    version: k.version,
    createdAt: k.createdAt,
    state: k.state,
    algorithm: k.algorithm,
    key: k.key.toString('base64'),
  }));
  return `${JSON.stringify({ format: FILE_FORMAT, keys: stored }, null, 2)}\n`;
}

function newKey(version: number): LoadedKey {
  return { version, createdAt: new Date().toISOString(), state: 'current', algorithm: ALGORITHM, key: randomBytes(KEK_LENGTH) };
}

/** How stale the key file may be for an unwrap of a known version (wraps always re-check). */
const UNWRAP_RECHECK_MS = 1000;

class LocalKeyProvider implements KeyProvider {
  readonly kind = 'local' as const;
  readonly #dir: string;
  readonly #file: string;
  readonly #queue = new SerialQueue();
  #keys: LoadedKey[] = [];
  #stamp: FileStamp | undefined;
  #checkedAt = 0;
  #closed = false;

  constructor(dir: string) {
    this.#dir = dir;
    this.#file = path.join(dir, LOCAL_KEY_FILE);
  }

  async init(): Promise<void> {
    try {
      await this.#reload(true);
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
      await this.#createFile();
      await this.#reload(true);
    }
  }

  async currentVersion(): Promise<number> {
    await this.#refresh();
    return this.#currentKey().version;
  }

  async wrap(dataKey: Buffer, context: Buffer): Promise<WrappedKey> {
    assertWrapArgs(dataKey, context);
    await this.#refresh();
    // Look the key up and use it without an await in between (a reload may zero replaced keys).
    const kek = this.#currentKey();
    return { kekVersion: kek.version, wrapped: aes.encrypt(kek.key, dataKey, kekWrapAad(kek.version, context)) };
  }

  async unwrap(wrapped: Buffer, kekVersion: number, context: Buffer): Promise<Buffer> {
    assertKekVersion(kekVersion);
    if (!Buffer.isBuffer(wrapped) || !Buffer.isBuffer(context)) throw new TypeError('wrapped and context must be Buffers');
    // Unwraps come in bursts (a million-customer export): the key file is re-checked at most once
    // a second, and at once when the version asked for is not known yet (a rotation elsewhere).
    if (this.#closed) throw new KeyProviderError('key provider is closed');
    if (Date.now() - this.#checkedAt >= UNWRAP_RECHECK_MS || !this.#keys.some((k) => k.version === kekVersion)) await this.#refresh();
    const kek = this.#keys.find((k) => k.version === kekVersion);
    if (kek === undefined) throw new KeyProviderError(`unknown KEK version ${kekVersion}`);
    if (kek.state === 'retired') throw new KeyProviderError(`KEK version ${kekVersion} is retired`);
    const dataKey = aes.decrypt(kek.key, wrapped, kekWrapAad(kekVersion, context));
    if (dataKey.length !== KEK_LENGTH) {
      dataKey.fill(0);
      throw new DecryptionError();
    }
    return dataKey;
  }

  rotate(): Promise<number> {
    return this.#update((keys) => {
      const next = Math.max(...keys.map((k) => k.version)) + 1;
      for (const k of keys) if (k.state === 'current') k.state = 'active';
      keys.push(newKey(next));
      return next;
    });
  }

  async retire(version: number): Promise<void> {
    assertKekVersion(version);
    await this.#update((keys) => {
      const k = keys.find((x) => x.version === version);
      if (k === undefined) throw new KeyProviderError(`unknown KEK version ${version}`);
      if (k.state === 'current') throw new KeyProviderError(`KEK version ${version} is current; rotate before retiring it`);
      k.state = 'retired';
    });
  }

  async listKeys(): Promise<KekInfo[]> {
    await this.#refresh();
    return this.#keys.map((k) => ({
      version: k.version,
      createdAt: k.createdAt,
      state: k.state,
      algorithm: k.algorithm,
      provider: `local:${this.#dir}`,
    }));
  }

  async close(): Promise<void> {
    await this.#queue.run(async () => {
      this.#closed = true;
      for (const k of this.#keys) k.key.fill(0);
      this.#keys = [];
    });
  }

  // -------------------------------------------------------------------------------------------

  #currentKey(): LoadedKey {
    const kek = this.#keys.find((k) => k.state === 'current');
    if (kek === undefined) throw new KeyProviderError('no current KEK'); // parseKeyFile guarantees one
    return kek;
  }

  async #refresh(): Promise<void> {
    if (this.#closed) throw new KeyProviderError('key provider is closed');
    await this.#reload(false);
  }

  /** Re-read the key file if it changed on disk (or always, with force). */
  async #reload(force: boolean): Promise<void> {
    const st = await fs.stat(this.#file);
    this.#checkedAt = Date.now();
    const stamp: FileStamp = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    const old = this.#stamp;
    if (!force && old && old.ino === stamp.ino && old.size === stamp.size && old.mtimeMs === stamp.mtimeMs) return;
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw new KeyProviderError(
        `key file ${this.#file} is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); ` +
          `run: chmod 600 ${this.#file}`,
      );
    }
    const keys = parseKeyFile(await fs.readFile(this.#file, 'utf8'), this.#file);
    for (const k of this.#keys) k.key.fill(0);
    this.#keys = keys;
    this.#stamp = stamp;
  }

  async #writeTemp(content: string): Promise<string> {
    const tmp = `${this.#file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await fs.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    try {
      await handle.chmod(0o600); // in case the umask is unusual; never wider than 0600
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return tmp;
  }

  /** First use: create the key file with version 1, unless another process just did. */
  async #createFile(): Promise<void> {
    const tmp = await this.#writeTemp(serialize([newKey(1)]));
    try {
      await fs.link(tmp, this.#file); // atomic create-if-absent
      await fsyncDir(this.#dir);
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  /** Read-modify-write of the key file under the in-process queue and the cross-process lock file. */
  #update<T>(change: (keys: LoadedKey[]) => T): Promise<T> {
    return this.#queue.run(async () => {
      if (this.#closed) throw new KeyProviderError('key provider is closed');
      const release = await this.#lock();
      try {
        await this.#reload(true);
        const keys = this.#keys.map((k) => ({ ...k, key: Buffer.from(k.key) }));
        try {
          const result = change(keys);
          const tmp = await this.#writeTemp(serialize(keys));
          try {
            await fs.rename(tmp, this.#file);
          } catch (e) {
            await fs.rm(tmp, { force: true });
            throw e;
          }
          await fsyncDir(this.#dir);
          await this.#reload(true);
          return result;
        } finally {
          for (const k of keys) k.key.fill(0);
        }
      } finally {
        await release();
      }
    });
  }

  async #lock(): Promise<() => Promise<void>> {
    const lockFile = `${this.#file}.lock`;
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    for (;;) {
      try {
        const handle = await fs.open(lockFile, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return () => fs.rm(lockFile, { force: true });
      } catch (e) {
        if (!isErrno(e, 'EEXIST')) throw e;
        if (Date.now() > deadline) {
          throw new KeyProviderError(
            `timed out waiting for the key file lock ${lockFile}; if no other Custos process is rotating ` +
              'keys, the lock is stale (a crash): remove it and retry',
          );
        }
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
      }
    }
  }
}
