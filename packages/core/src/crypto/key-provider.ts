/**
 * Key providers hold the key-encryption keys (KEKs) that wrap per-customer data keys.
 * Implementations: 'local' (key file, development) and 'pkcs11' (HSM). A HashiCorp Vault Transit
 * or cloud-KMS provider implements the same interface with the service's encrypt/decrypt, passing
 * `context` as its associated data / encryption context (see README.md).
 */
import { DATA_KEY_LENGTH } from './cipher-suites.js';
import { assertU32, encodeCanonical } from './encoding-fns.js';

export type KeyProviderKind = 'local' | 'pkcs11';
export type KekState = 'current' | 'active' | 'retired';

/** Metadata about one KEK version. Never contains key material. */
export interface KekInfo {
  version: number;
  /** ISO-8601 creation time, or null if the provider does not know it. */
  createdAt: string | null;
  /** 'current': new wraps use it; 'active': still unwraps; 'retired': refuses all use. */
  state: KekState;
  /** e.g. 'AES-256-GCM' */
  algorithm: string;
  /** Where the key lives, e.g. 'local:/var/lib/custos/keys' or 'pkcs11:custos-test/custos-kek-v2'. */
  provider: string;
}

export interface WrappedKey {
  kekVersion: number;
  wrapped: Buffer;
}

export interface KeyProvider {
  readonly kind: KeyProviderKind;
  /** The current key-encryption-key (KEK) version; new wraps use it. */
  currentVersion(): Promise<number>;
  /**
   * Wrap a 32-byte data key under the current KEK. `context` (e.g. the customer id, see
   * `kekWrapContext`) is bound as associated data: unwrap must present the same context.
   */
  wrap(dataKey: Buffer, context: Buffer): Promise<WrappedKey>;
  /**
   * Unwrap a data key. Throws DecryptionError if the blob was altered or the context/version does
   * not match; KeyProviderError if the version is unknown or retired, or the provider fails.
   */
  unwrap(wrapped: Buffer, kekVersion: number, context: Buffer): Promise<Buffer>;
  /** Create a new KEK version and make it current; old versions still unwrap. */
  rotate(): Promise<number>;
  /** Metadata only, never key material: version, created time, state, algorithm, provider label. */
  listKeys(): Promise<KekInfo[]>;
  /**
   * Retire a version once nothing is wrapped with it any longer (the caller checks that, e.g. by
   * re-wrapping every data key under the current version first). The current version cannot be
   * retired. A retired version refuses wrap and unwrap.
   */
  retire(version: number): Promise<void>;
  close(): Promise<void>;
}

/** Configuration, state or HSM failures of a key provider. Messages never contain key material or PINs. */
export class KeyProviderError extends Error {
  readonly code = 'key_provider_error';
  constructor(message: string) {
    super(message);
    this.name = 'KeyProviderError';
  }
}

/** Domain label of the associated data of a KEK wrap. */
export const KEK_WRAP_LABEL = 'custos.kek-wrap.v1';

/**
 * Associated data of a wrap: label, KEK version and caller context, length-prefixed. Binding the
 * version means a blob presented under another version label fails even if keys were confused.
 */
export function kekWrapAad(kekVersion: number, context: Buffer): Buffer {
  return encodeCanonical([KEK_WRAP_LABEL, kekVersion, context]);
}

/** A canonical wrap context for a customer's data key: label || customerId || data-key version. */
export function kekWrapContext(customerId: string, dataKeyVersion: number): Buffer {
  assertU32('dataKeyVersion', dataKeyVersion);
  return encodeCanonical(['custos.customer-data-key.v1', customerId, dataKeyVersion]);
}

/** Shared argument checks for wrap/unwrap. */
export function assertWrapArgs(dataKey: Buffer, context: Buffer): void {
  if (!Buffer.isBuffer(dataKey) || dataKey.length !== DATA_KEY_LENGTH) {
    throw new TypeError(`data key must be a ${DATA_KEY_LENGTH}-byte Buffer`);
  }
  if (!Buffer.isBuffer(context)) throw new TypeError('context must be a Buffer');
}

export function assertKekVersion(kekVersion: number): void {
  assertU32('kekVersion', kekVersion, 1);
}

/** Runs async tasks one at a time, in call order (a minimal mutex). */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
