/**
 * The 'pkcs11' key provider: KEKs are AES-256 secret keys inside a hardware security module,
 * reached over PKCS#11 with the `pkcs11js` binding (loaded lazily, so Custos runs without the
 * native addon as long as this provider is not configured).
 *
 * - KEK version N is the token object labelled `<labelPrefix>-vN` (default `custos-kek-v1`, ...):
 *   CKO_SECRET_KEY, CKK_AES, 32 bytes, CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, CKA_EXTRACTABLE=false,
 *   usable only for CKA_ENCRYPT/CKA_DECRYPT. The key value never leaves the HSM.
 * - Wrap/unwrap = CKM_AES_GCM encrypt/decrypt inside the HSM, 96-bit IV from node:crypto's CSPRNG,
 *   128-bit tag, AAD = kekWrapAad(version, context). Blob: 0x01 || iv(12) || ciphertext(32) || tag(16),
 *   the same layout as the 'local' provider and the aes-256-gcm field suite. SoftHSM2 2.6 supports
 *   GCM with caller-supplied IVs, so no AES-KWP + HMAC construction is needed.
 * - State lives in the token: the current version is the highest non-retired one; retired keys
 *   have CKA_ENCRYPT and CKA_DECRYPT set to false (CKA_EXTRACTABLE/CKA_SENSITIVE can never be
 *   relaxed by PKCS#11 rules). The creation time is recorded in CKA_ID
 *   (`custos-kek;v=N;created=<ISO>`), because pkcs11js cannot set CK_DATE attributes reliably.
 * - Token calls run one at a time per provider (one session; async C_Encrypt/C_Decrypt/
 *   C_GenerateKey run off the event loop). A lost session (HSM restart, CKR_SESSION_*,
 *   CKR_USER_NOT_LOGGED_IN, ...) is reopened and the call retried once; the PIN is kept in memory
 *   for that re-login. Errors name the PKCS#11 return code only, never the PIN or key bytes.
 * - Rotation (and the very first start) must be serialized by the caller across processes (an
 *   admin operation): two processes rotating at the same moment could both create version N+1;
 *   wrap then refuses with a clear error, and unwrap tries both keys, until an operator removes one.
 */
import { randomBytes } from 'node:crypto';
import { endianness } from 'node:os';
import type { PKCS11 } from 'pkcs11js';
import { DecryptionError } from './cipher-suites.js';
import {
  assertKekVersion,
  assertWrapArgs,
  kekWrapAad,
  KeyProviderError,
  SerialQueue,
  type KekInfo,
  type KeyProvider,
  type WrappedKey,
} from './key-provider.js';

type Pkcs11Js = typeof import('pkcs11js');
type Handle = Buffer;

export interface Pkcs11KeyProviderOptions {
  /** Path of the PKCS#11 library (.so), e.g. /usr/lib/softhsm/libsofthsm2.so */
  library: string;
  /** Slot ID, as printed by `softhsm2-util --show-slots` or `pkcs11-tool -L`. Give this or tokenLabel. */
  slot?: number;
  /** Token label (preferred: SoftHSM2 reassigns slot IDs). Give this or slot. */
  tokenLabel?: string;
  /** User PIN. */
  pin: string;
  /** Object label prefix of the KEKs; version N is `<prefix>-vN`. Default 'custos-kek'. */
  labelPrefix?: string;
}

const FORMAT = 0x01;
const IV = 12;
const KEY_LEN = 32;
const TAG = 16;
const WRAPPED_LEN = 1 + IV + KEY_LEN + TAG;
const ALGORITHM = 'AES-256-GCM';

// ---------------------------------------------------------------------------------------------
// One loaded + initialized library per path and process (C_Initialize/C_Finalize are global).

interface Library {
  readonly p11: Pkcs11Js;
  readonly module: PKCS11;
  refs: number;
  readonly finalize: boolean;
}

const libraries = new Map<string, Library>();

function codeOf(e: unknown): number | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

function errText(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0]?.slice(0, 200) ?? e.name;
  return 'unknown error';
}

function p11Error(what: string, e: unknown): KeyProviderError {
  return new KeyProviderError(`PKCS#11 ${what} failed: ${errText(e)}`);
}

async function acquireLibrary(path: string): Promise<Library> {
  const existing = libraries.get(path);
  if (existing) {
    existing.refs += 1;
    return existing;
  }
  let p11: Pkcs11Js;
  try {
    const imported = (await import('pkcs11js')) as Pkcs11Js & { default?: Pkcs11Js };
    p11 = imported.default ?? imported;
  } catch (e) {
    throw new KeyProviderError(`the pkcs11js package could not be loaded (is it installed and built?): ${errText(e)}`);
  }
  const again = libraries.get(path); // another caller may have loaded it while we awaited
  if (again) {
    again.refs += 1;
    return again;
  }
  const module = new p11.PKCS11();
  try {
    module.load(path);
  } catch (e) {
    throw p11Error(`loading library ${path}`, e);
  }
  let finalize = true;
  try {
    module.C_Initialize({ flags: p11.CKF_OS_LOCKING_OK });
  } catch (e) {
    if (codeOf(e) !== p11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      module.close();
      throw p11Error('C_Initialize', e);
    }
    finalize = false; // someone else in this process owns the initialization
  }
  const lib: Library = { p11, module, refs: 1, finalize };
  libraries.set(path, lib);
  return lib;
}

function releaseLibrary(path: string, lib: Library): void {
  lib.refs -= 1;
  if (lib.refs > 0) return;
  libraries.delete(path);
  try {
    if (lib.finalize) lib.module.C_Finalize();
  } catch {
    // already finalized
  }
  try {
    lib.module.close();
  } catch {
    // already closed
  }
}

// ---------------------------------------------------------------------------------------------

interface TokenKey {
  version: number;
  label: string;
  handle: Handle;
  createdAt: string | null;
  retired: boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function slotId(handle: Handle): bigint {
  if (handle.length >= 8) return endianness() === 'LE' ? handle.readBigUInt64LE(0) : handle.readBigUInt64BE(0);
  return BigInt(endianness() === 'LE' ? handle.readUInt32LE(0) : handle.readUInt32BE(0));
}

export async function createPkcs11KeyProvider(options: Pkcs11KeyProviderOptions): Promise<KeyProvider> {
  if (typeof options.library !== 'string' || options.library === '') throw new KeyProviderError('pkcs11: library path is required');
  if ((options.slot === undefined) === (options.tokenLabel === undefined)) {
    throw new KeyProviderError('pkcs11: give exactly one of slot or tokenLabel');
  }
  if (typeof options.pin !== 'string' || options.pin === '') throw new KeyProviderError('pkcs11: pin is required');
  const prefix = options.labelPrefix ?? 'custos-kek';
  if (!/^[A-Za-z0-9._-]{1,48}$/.test(prefix)) throw new KeyProviderError('pkcs11: labelPrefix must be 1-48 of A-Z a-z 0-9 . _ -');

  const lib = await acquireLibrary(options.library);
  try {
    const { slot, tokenLabel } = findSlot(lib, options);
    const provider = new Pkcs11KeyProvider(options.library, lib, slot, tokenLabel, options.pin, prefix);
    await provider.init();
    return provider;
  } catch (e) {
    releaseLibrary(options.library, lib);
    throw e;
  }
}

function findSlot(lib: Library, options: Pkcs11KeyProviderOptions): { slot: Handle; tokenLabel: string } {
  const { module } = lib;
  let slots: Handle[];
  try {
    slots = module.C_GetSlotList(true);
  } catch (e) {
    throw p11Error('C_GetSlotList', e);
  }
  const found: { slot: Handle; tokenLabel: string }[] = [];
  for (const slot of slots) {
    let label: string;
    try {
      label = module.C_GetTokenInfo(slot).label.trimEnd();
    } catch {
      continue;
    }
    if (options.tokenLabel !== undefined ? label === options.tokenLabel : slotId(slot) === BigInt(options.slot ?? -1)) {
      found.push({ slot, tokenLabel: label });
    }
  }
  const want = options.tokenLabel !== undefined ? `token labelled "${options.tokenLabel}"` : `slot ${options.slot}`;
  if (found.length === 0) throw new KeyProviderError(`pkcs11: no ${want} with a token present in ${options.library}`);
  if (found.length > 1) throw new KeyProviderError(`pkcs11: more than one ${want}; use slot to choose`);
  return found[0]!;
}

class Pkcs11KeyProvider implements KeyProvider {
  readonly kind = 'pkcs11' as const;
  readonly #libraryPath: string;
  readonly #lib: Library;
  readonly #slot: Handle;
  readonly #tokenLabel: string;
  readonly #pin: string;
  readonly #prefix: string;
  readonly #labelRe: RegExp;
  readonly #queue = new SerialQueue();
  #session: Handle | undefined;
  #keys: TokenKey[] = [];
  #closed = false;

  constructor(libraryPath: string, lib: Library, slot: Handle, tokenLabel: string, pin: string, prefix: string) {
    this.#libraryPath = libraryPath;
    this.#lib = lib;
    this.#slot = slot;
    this.#tokenLabel = tokenLabel;
    this.#pin = pin;
    this.#prefix = prefix;
    this.#labelRe = new RegExp(`^${escapeRegExp(prefix)}-v([1-9][0-9]{0,8})$`);
  }

  /** Open the session, log in, and create version 1 if the token has no KEK of this prefix yet. */
  init(): Promise<void> {
    return this.#op(async (s) => {
      this.#scan(s);
      if (this.#keys.length === 0) {
        await this.#generate(s, 1);
        this.#scan(s);
      }
    });
  }

  currentVersion(): Promise<number> {
    return this.#op(async (s) => {
      this.#scan(s);
      return this.#current().version;
    });
  }

  async wrap(dataKey: Buffer, context: Buffer): Promise<WrappedKey> {
    assertWrapArgs(dataKey, context);
    return this.#op(async (s) => {
      const { p11, module } = this.#lib;
      const attempt = async (): Promise<WrappedKey> => {
        const kek = this.#current();
        const iv = randomBytes(IV);
        module.C_EncryptInit(s, this.#gcm(iv, kekWrapAad(kek.version, context)), kek.handle);
        const out = await module.C_EncryptAsync(s, dataKey, Buffer.alloc(KEY_LEN + TAG));
        if (out.length !== KEY_LEN + TAG) throw new KeyProviderError('PKCS#11 C_Encrypt returned an unexpected length');
        return { kekVersion: kek.version, wrapped: Buffer.concat([Buffer.from([FORMAT]), iv, out]) };
      };
      try {
        return await attempt();
      } catch (e) {
        // The key may have been retired or replaced by another process: rescan and retry once.
        if (!this.#isStaleKey(e, p11)) throw e;
        this.#scan(s);
        return await attempt();
      }
    });
  }

  async unwrap(wrapped: Buffer, kekVersion: number, context: Buffer): Promise<Buffer> {
    assertKekVersion(kekVersion);
    if (!Buffer.isBuffer(wrapped) || !Buffer.isBuffer(context)) throw new TypeError('wrapped and context must be Buffers');
    return this.#op(async (s) => {
      let candidates = this.#keys.filter((k) => k.version === kekVersion);
      if (candidates.length === 0 || candidates.some((k) => k.retired)) {
        this.#scan(s);
        candidates = this.#keys.filter((k) => k.version === kekVersion);
      }
      if (candidates.length === 0) throw new KeyProviderError(`unknown KEK version ${kekVersion}`);
      if (candidates.some((k) => k.retired)) throw new KeyProviderError(`KEK version ${kekVersion} is retired`);
      if (wrapped.length !== WRAPPED_LEN || wrapped[0] !== FORMAT) throw new DecryptionError();
      const iv = wrapped.subarray(1, 1 + IV);
      const body = wrapped.subarray(1 + IV);
      const aad = kekWrapAad(kekVersion, context);
      const { module } = this.#lib;
      for (const kek of candidates) {
        let out: Buffer;
        try {
          module.C_DecryptInit(s, this.#gcm(iv, aad), kek.handle);
          out = await module.C_DecryptAsync(s, body, Buffer.alloc(body.length));
        } catch (e) {
          if (this.#isSessionLost(e)) throw e;
          if (this.#isStaleKey(e, this.#lib.p11)) {
            this.#scan(s);
            throw new KeyProviderError(`KEK version ${kekVersion} is not usable (retired or removed meanwhile)`);
          }
          continue; // authentication failure (SoftHSM2: CKR_GENERAL_ERROR; others CKR_ENCRYPTED_DATA_INVALID)
        }
        if (out.length === KEY_LEN) return out;
        out.fill(0);
      }
      throw new DecryptionError();
    });
  }

  rotate(): Promise<number> {
    return this.#op(async (s) => {
      this.#scan(s);
      const next = Math.max(0, ...this.#keys.map((k) => k.version)) + 1;
      await this.#generate(s, next);
      this.#scan(s);
      return next;
    });
  }

  async retire(version: number): Promise<void> {
    assertKekVersion(version);
    return this.#op(async (s) => {
      this.#scan(s);
      const keys = this.#keys.filter((k) => k.version === version);
      if (keys.length === 0) throw new KeyProviderError(`unknown KEK version ${version}`);
      if (this.#current().version === version) {
        throw new KeyProviderError(`KEK version ${version} is current; rotate before retiring it`);
      }
      const { p11, module } = this.#lib;
      for (const k of keys) {
        try {
          module.C_SetAttributeValue(s, k.handle, [
            { type: p11.CKA_ENCRYPT, value: false },
            { type: p11.CKA_DECRYPT, value: false },
          ]);
        } catch (e) {
          throw p11Error(`retiring ${k.label} (C_SetAttributeValue)`, e);
        }
      }
      this.#scan(s);
    });
  }

  listKeys(): Promise<KekInfo[]> {
    return this.#op(async (s) => {
      this.#scan(s);
      const current = this.#keys.length > 0 ? this.#current().version : undefined;
      return this.#keys.map((k) => ({
        version: k.version,
        createdAt: k.createdAt,
        state: k.retired ? 'retired' : k.version === current ? 'current' : 'active',
        algorithm: ALGORITHM,
        provider: `pkcs11:${this.#tokenLabel}/${k.label}`,
      }));
    });
  }

  close(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#closeSession();
      this.#keys = [];
      releaseLibrary(this.#libraryPath, this.#lib);
    });
  }

  // -------------------------------------------------------------------------------------------

  #gcm(iv: Buffer, aad: Buffer) {
    const { p11 } = this.#lib;
    return {
      mechanism: p11.CKM_AES_GCM,
      parameter: { type: p11.CK_PARAMS_AES_GCM, iv, aad, ivBits: IV * 8, tagBits: TAG * 8 },
    };
  }

  /** The current KEK: the highest non-retired version, which must be a single object. */
  #current(): TokenKey {
    const live = this.#keys.filter((k) => !k.retired);
    const top = Math.max(...live.map((k) => k.version));
    const keys = live.filter((k) => k.version === top);
    if (keys.length === 0) throw new KeyProviderError(`no usable KEK labelled ${this.#prefix}-vN in token ${this.#tokenLabel}`);
    if (keys.length > 1) {
      throw new KeyProviderError(
        `token ${this.#tokenLabel} holds ${keys.length} keys labelled ${this.#prefix}-v${top} ` +
          '(concurrent rotation?); remove the one that wrapped nothing, or rotate again',
      );
    }
    return keys[0]!;
  }

  /** Run a token operation: serialized, with an open logged-in session; reopen once if it was lost. */
  #op<T>(fn: (session: Handle) => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      if (this.#closed) throw new KeyProviderError('key provider is closed');
      try {
        return await fn(this.#ensureSession());
      } catch (e) {
        if (!this.#isSessionLost(e)) throw this.#wrapError(e);
        this.#closeSession();
        try {
          return await fn(this.#ensureSession());
        } catch (e2) {
          throw this.#wrapError(e2);
        }
      }
    });
  }

  #wrapError(e: unknown): unknown {
    if (e instanceof DecryptionError || e instanceof KeyProviderError || e instanceof TypeError) return e;
    return p11Error('operation', e);
  }

  #ensureSession(): Handle {
    if (this.#session !== undefined) return this.#session;
    const { p11, module } = this.#lib;
    let s: Handle;
    try {
      s = module.C_OpenSession(this.#slot, p11.CKF_SERIAL_SESSION | p11.CKF_RW_SESSION);
    } catch (e) {
      throw p11Error(`C_OpenSession on token ${this.#tokenLabel}`, e);
    }
    try {
      module.C_Login(s, p11.CKU_USER, this.#pin);
    } catch (e) {
      if (codeOf(e) !== p11.CKR_USER_ALREADY_LOGGED_IN) {
        try {
          module.C_CloseSession(s);
        } catch {
          // ignore
        }
        throw p11Error(`login to token ${this.#tokenLabel}`, e);
      }
    }
    this.#session = s;
    this.#scan(s); // object handles are re-read in the new session
    return s;
  }

  #closeSession(): void {
    const s = this.#session;
    this.#session = undefined;
    if (s === undefined) return;
    try {
      // No C_Logout: login state is per application and token, shared with other providers of
      // this process; closing the last session logs out.
      this.#lib.module.C_CloseSession(s);
    } catch {
      // the session is gone already
    }
  }

  #isSessionLost(e: unknown): boolean {
    const { p11 } = this.#lib;
    const code = codeOf(e);
    return (
      e instanceof Error &&
      e.name === 'Pkcs11Error' &&
      code !== undefined &&
      [
        p11.CKR_SESSION_HANDLE_INVALID,
        p11.CKR_SESSION_CLOSED,
        p11.CKR_USER_NOT_LOGGED_IN,
        p11.CKR_DEVICE_REMOVED,
        p11.CKR_DEVICE_ERROR,
        p11.CKR_TOKEN_NOT_PRESENT,
        p11.CKR_OPERATION_ACTIVE,
        p11.CKR_CRYPTOKI_NOT_INITIALIZED,
      ].includes(code)
    );
  }

  #isStaleKey(e: unknown, p11: Pkcs11Js): boolean {
    const code = codeOf(e);
    return (
      e instanceof Error &&
      e.name === 'Pkcs11Error' &&
      code !== undefined &&
      [p11.CKR_KEY_HANDLE_INVALID, p11.CKR_OBJECT_HANDLE_INVALID, p11.CKR_KEY_FUNCTION_NOT_PERMITTED].includes(code)
    );
  }

  /** Re-read the KEK objects of our prefix from the token. */
  #scan(s: Handle): void {
    const { p11, module } = this.#lib;
    const handles: Handle[] = [];
    try {
      module.C_FindObjectsInit(s, [
        { type: p11.CKA_CLASS, value: p11.CKO_SECRET_KEY },
        { type: p11.CKA_TOKEN, value: true },
      ]);
      try {
        for (;;) {
          const batch = module.C_FindObjects(s, 100);
          if (batch.length === 0) break;
          handles.push(...batch);
        }
      } finally {
        module.C_FindObjectsFinal(s);
      }
    } catch (e) {
      if (this.#isSessionLost(e)) throw e;
      throw p11Error('searching the token (C_FindObjects)', e);
    }
    const keys: TokenKey[] = [];
    for (const handle of handles) {
      let attrs;
      try {
        attrs = module.C_GetAttributeValue(s, handle, [
          { type: p11.CKA_LABEL },
          { type: p11.CKA_ID },
          { type: p11.CKA_ENCRYPT },
          { type: p11.CKA_DECRYPT },
        ]);
      } catch (e) {
        if (this.#isSessionLost(e)) throw e;
        continue; // an object we may not read is not ours
      }
      const label = attrs[0]?.value.toString('utf8') ?? '';
      const m = this.#labelRe.exec(label);
      if (!m) continue;
      const id = attrs[1]?.value.toString('utf8') ?? '';
      const created = /;created=([0-9T:.Z-]+)$/.exec(id)?.[1];
      const encrypt = attrs[2]?.value[0] === 1;
      const decrypt = attrs[3]?.value[0] === 1;
      keys.push({
        version: Number(m[1]),
        label,
        handle,
        createdAt: created !== undefined && !Number.isNaN(Date.parse(created)) ? created : null,
        retired: !encrypt && !decrypt,
      });
    }
    keys.sort((a, b) => a.version - b.version);
    this.#keys = keys;
  }

  async #generate(s: Handle, version: number): Promise<void> {
    const { p11, module } = this.#lib;
    const label = `${this.#prefix}-v${version}`;
    const id = Buffer.from(`custos-kek;v=${version};created=${new Date().toISOString()}`, 'utf8');
    try {
      await module.C_GenerateKeyAsync(s, { mechanism: p11.CKM_AES_KEY_GEN }, [
        { type: p11.CKA_CLASS, value: p11.CKO_SECRET_KEY },
        { type: p11.CKA_KEY_TYPE, value: p11.CKK_AES },
        { type: p11.CKA_VALUE_LEN, value: KEY_LEN },
        { type: p11.CKA_TOKEN, value: true },
        { type: p11.CKA_PRIVATE, value: true },
        { type: p11.CKA_SENSITIVE, value: true },
        { type: p11.CKA_EXTRACTABLE, value: false },
        { type: p11.CKA_MODIFIABLE, value: true }, // to retire (usage flags only; see header)
        { type: p11.CKA_ENCRYPT, value: true },
        { type: p11.CKA_DECRYPT, value: true },
        { type: p11.CKA_WRAP, value: false },
        { type: p11.CKA_UNWRAP, value: false },
        { type: p11.CKA_SIGN, value: false },
        { type: p11.CKA_VERIFY, value: false },
        { type: p11.CKA_DERIVE, value: false },
        { type: p11.CKA_LABEL, value: label },
        { type: p11.CKA_ID, value: id },
      ]);
    } catch (e) {
      if (this.#isSessionLost(e)) throw e;
      throw p11Error(`generating ${label} (C_GenerateKey)`, e);
    }
  }
}
