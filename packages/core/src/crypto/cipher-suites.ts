/**
 * Cipher suites for field encryption. Everything comes from node:crypto (OpenSSL).
 *
 * Ciphertext formats (the first byte names the suite and format version):
 *
 *   aes-256-gcm       0x01 || iv(12) || ciphertext(n) || tag(16)              n + 29 bytes
 *   sm4-ctr-hmac-sm3  0x02 || iv(16) || ciphertext(n) || hmac-sm3 tag(32)     n + 49 bytes
 *
 * aes-256-gcm is standard GCM (96-bit random IV, 128-bit tag, the caller's AAD as GCM AAD);
 * the format byte is checked explicitly on decrypt. sm4-ctr-hmac-sm3 is encrypt-then-MAC for
 * Chinese commercial cryptography (GB/T 32907 SM4, GB/T 32905 SM3): this OpenSSL has no SM4-GCM.
 */
import { createCipheriv, createDecipheriv, createHmac, getCiphers, getHashes, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { fillRandom } from './encoding-fns.js';

export type CipherSuiteId = 'aes-256-gcm' | 'sm4-ctr-hmac-sm3';

/** Length in bytes of a data key, for every suite. */
export const DATA_KEY_LENGTH = 32;

/**
 * A field cipher. Data keys are 32 random bytes (see `newDataKey()`) for every suite.
 *
 * Key handling: `encrypt`/`decrypt` take the raw data key on every call; there is no separate
 * prepare step. aes-256-gcm uses the data key directly (no derivation). sm4-ctr-hmac-sm3 derives
 * its SM4 and HMAC keys from the data key with HKDF-SM3 once and caches them in a WeakMap keyed
 * by the data key's Buffer object (the cache entry also holds a copy of the key and is checked
 * against it, so mutating a Buffer in place can never select stale keys). Keep the unwrapped data
 * key Buffer for as long as you use it; a fresh Buffer per call works but re-derives every time.
 *
 * `decrypt` throws `DecryptionError` (and nothing more specific) for any ciphertext that is
 * malformed, of another suite, tampered with, or encrypted under another key or AAD. A data key
 * of the wrong length is a programming error and throws a TypeError.
 */
export interface CipherSuite {
  readonly id: CipherSuiteId;
  /** First byte of every ciphertext of this suite. */
  readonly formatByte: number;
  /** Bytes the ciphertext adds to the plaintext (format byte, IV, tag). */
  readonly overhead: number;
  encrypt(dataKey: Buffer, plaintext: Buffer, aad: Buffer): Buffer;
  decrypt(dataKey: Buffer, ciphertext: Buffer, aad: Buffer): Buffer;
}

/** The one error for every decryption / authentication failure. Deliberately carries no detail. */
export class DecryptionError extends Error {
  readonly code = 'decryption_failed';
  constructor() {
    super('decryption failed');
    this.name = 'DecryptionError';
  }
}

/** 32 fresh random bytes from the OpenSSL CSPRNG. */
export function newDataKey(): Buffer {
  return randomBytes(DATA_KEY_LENGTH);
}

function assertDataKey(dataKey: Buffer): void {
  if (!Buffer.isBuffer(dataKey) || dataKey.length !== DATA_KEY_LENGTH) {
    throw new TypeError(`data key must be a ${DATA_KEY_LENGTH}-byte Buffer`);
  }
}

// ---------------------------------------------------------------------------------------------
// AES-256-GCM

const AES_FORMAT = 0x01;
const AES_IV = 12;
const AES_TAG = 16;
const AES_HEAD = 1 + AES_IV;

const aes256Gcm: CipherSuite = {
  id: 'aes-256-gcm',
  formatByte: AES_FORMAT,
  overhead: AES_HEAD + AES_TAG,

  encrypt(dataKey, plaintext, aad) {
    assertDataKey(dataKey);
    const n = plaintext.length;
    const out = Buffer.allocUnsafe(AES_HEAD + n + AES_TAG);
    out[0] = AES_FORMAT;
    fillRandom(out, 1, AES_IV);
    const cipher = createCipheriv('aes-256-gcm', dataKey, out.subarray(1, AES_HEAD), { authTagLength: AES_TAG });
    cipher.setAAD(aad);
    cipher.update(plaintext).copy(out, AES_HEAD);
    cipher.final(); // GCM: no output
    cipher.getAuthTag().copy(out, AES_HEAD + n);
    return out;
  },

  decrypt(dataKey, ciphertext, aad) {
    assertDataKey(dataKey);
    const len = ciphertext.length;
    if (len < AES_HEAD + AES_TAG || ciphertext[0] !== AES_FORMAT) throw new DecryptionError();
    let plaintext: Buffer | undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey, ciphertext.subarray(1, AES_HEAD), {
        authTagLength: AES_TAG,
      });
      decipher.setAuthTag(ciphertext.subarray(len - AES_TAG));
      decipher.setAAD(aad);
      plaintext = decipher.update(ciphertext.subarray(AES_HEAD, len - AES_TAG));
      decipher.final(); // throws if the tag does not verify
      return plaintext;
    } catch {
      plaintext?.fill(0); // never leave unauthenticated plaintext around
      throw new DecryptionError();
    }
  },
};

// ---------------------------------------------------------------------------------------------
// SM4-CTR + HMAC-SM3 (encrypt-then-MAC)

const SM_FORMAT = 0x02;
const SM_IV = 16;
const SM_TAG = 32;
const SM_HEAD = 1 + SM_IV;
const SM4_KEY = 16;
const SM_MAC_KEY = 32;
/** HKDF info; the output is split into the SM4 key (first 16 bytes) and the MAC key (next 32). */
const SM_HKDF_INFO = Buffer.from('custos.sm4-ctr-hmac-sm3.v1 key derivation', 'utf8');
const EMPTY = Buffer.alloc(0);

interface SmKeys {
  /** Copy of the data key the entry was derived from (guards against in-place mutation). */
  readonly source: Buffer;
  readonly encKey: Buffer;
  readonly macKey: Buffer;
}

const smKeyCache = new WeakMap<Buffer, SmKeys>();

/**
 * HKDF-SM3(ikm = data key, salt = empty, info = SM_HKDF_INFO) -> 48 bytes: SM4 key || MAC key.
 * SM3 is used as the HKDF hash unconditionally: the suite needs SM3 for its MAC anyway, so on an
 * OpenSSL without SM3 the whole suite is unavailable (no silent SHA-256 fallback, which would make
 * the derived keys, and so the ciphertexts, depend on the machine).
 */
function smKeys(dataKey: Buffer): SmKeys {
  assertDataKey(dataKey);
  const cached = smKeyCache.get(dataKey);
  if (cached !== undefined && timingSafeEqual(cached.source, dataKey)) return cached;
  const okm = Buffer.from(hkdfSync('sm3', dataKey, EMPTY, SM_HKDF_INFO, SM4_KEY + SM_MAC_KEY));
  const keys: SmKeys = {
    source: Buffer.from(dataKey),
    encKey: okm.subarray(0, SM4_KEY),
    macKey: okm.subarray(SM4_KEY),
  };
  smKeyCache.set(dataKey, keys);
  return keys;
}

/** HMAC-SM3(macKey, format || iv || u32be(aad length) || aad || ciphertext) */
function smTag(macKey: Buffer, head: Buffer, aad: Buffer, body: Buffer): Buffer {
  const aadLen = Buffer.allocUnsafe(4);
  aadLen.writeUInt32BE(aad.length, 0);
  return createHmac('sm3', macKey).update(head).update(aadLen).update(aad).update(body).digest();
}

const sm4CtrHmacSm3: CipherSuite = {
  id: 'sm4-ctr-hmac-sm3',
  formatByte: SM_FORMAT,
  overhead: SM_HEAD + SM_TAG,

  encrypt(dataKey, plaintext, aad) {
    const { encKey, macKey } = smKeys(dataKey);
    const n = plaintext.length;
    const out = Buffer.allocUnsafe(SM_HEAD + n + SM_TAG);
    out[0] = SM_FORMAT;
    fillRandom(out, 1, SM_IV);
    const cipher = createCipheriv('sm4-ctr', encKey, out.subarray(1, SM_HEAD));
    cipher.update(plaintext).copy(out, SM_HEAD);
    cipher.final(); // CTR: no output
    smTag(macKey, out.subarray(0, SM_HEAD), aad, out.subarray(SM_HEAD, SM_HEAD + n)).copy(out, SM_HEAD + n);
    return out;
  },

  decrypt(dataKey, ciphertext, aad) {
    const { encKey, macKey } = smKeys(dataKey);
    const len = ciphertext.length;
    if (len < SM_HEAD + SM_TAG || ciphertext[0] !== SM_FORMAT) throw new DecryptionError();
    const body = ciphertext.subarray(SM_HEAD, len - SM_TAG);
    const expected = smTag(macKey, ciphertext.subarray(0, SM_HEAD), aad, body);
    if (!timingSafeEqual(expected, ciphertext.subarray(len - SM_TAG))) throw new DecryptionError();
    try {
      const decipher = createDecipheriv('sm4-ctr', encKey, ciphertext.subarray(1, SM_HEAD));
      const plaintext = decipher.update(body);
      decipher.final();
      return plaintext;
    } catch {
      throw new DecryptionError();
    }
  },
};

// ---------------------------------------------------------------------------------------------
// Registry

const suites: Record<CipherSuiteId, CipherSuite> = {
  'aes-256-gcm': aes256Gcm,
  'sm4-ctr-hmac-sm3': sm4CtrHmacSm3,
};

export const CIPHER_SUITE_IDS: readonly CipherSuiteId[] = ['aes-256-gcm', 'sm4-ctr-hmac-sm3'];

/** The default suite for new ciphertexts. */
export const DEFAULT_CIPHER_SUITE: CipherSuiteId = 'aes-256-gcm';

const REQUIRED: Record<CipherSuiteId, { ciphers: string[]; hashes: string[] }> = {
  'aes-256-gcm': { ciphers: ['aes-256-gcm'], hashes: [] },
  'sm4-ctr-hmac-sm3': { ciphers: ['sm4-ctr'], hashes: ['sm3'] },
};
const availability = new Map<CipherSuiteId, boolean>();

/** Whether this Node/OpenSSL build offers the primitives of the suite. */
export function isCipherSuiteAvailable(id: CipherSuiteId): boolean {
  let ok = availability.get(id);
  if (ok === undefined) {
    const req = REQUIRED[id];
    const ciphers = new Set(getCiphers());
    const hashes = new Set(getHashes());
    ok = req.ciphers.every((c) => ciphers.has(c)) && req.hashes.every((h) => hashes.has(h));
    availability.set(id, ok);
  }
  return ok;
}

/** The suite with this id. Throws if the id is unknown or this OpenSSL lacks its primitives. */
export function getCipherSuite(id: CipherSuiteId): CipherSuite {
  const suite = Object.hasOwn(suites, id) ? suites[id] : undefined;
  if (suite === undefined) throw new TypeError(`unknown cipher suite: ${String(id)}`);
  if (!isCipherSuiteAvailable(id)) {
    throw new Error(`cipher suite ${id} is not available: this Node.js/OpenSSL build lacks its primitives`);
  }
  return suite;
}

/**
 * The suite that produced a ciphertext, from its format byte (for reading old ciphertexts after
 * the default suite changes). Throws DecryptionError for an unknown format byte.
 */
export function cipherSuiteOf(ciphertext: Buffer): CipherSuite {
  const b = ciphertext[0];
  for (const id of CIPHER_SUITE_IDS) {
    if (suites[id].formatByte === b) return getCipherSuite(id);
  }
  throw new DecryptionError();
}
