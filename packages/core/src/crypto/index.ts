/** Custos crypto: field cipher suites, field envelopes, blind indexes and KEK providers. See README.md. */
export {
  CIPHER_SUITE_IDS,
  DATA_KEY_LENGTH,
  DEFAULT_CIPHER_SUITE,
  DecryptionError,
  cipherSuiteOf,
  getCipherSuite,
  isCipherSuiteAvailable,
  newDataKey,
  type CipherSuite,
  type CipherSuiteId,
} from './cipher-suites.js';
export { FIELD_AAD_LABEL, decryptField, encryptField, fieldAad, type FieldAadInput } from './field-crypto-fns.js';
export { BLIND_INDEX_DEFAULT_BITS, BLIND_INDEX_KEY_MIN_LENGTH, BLIND_INDEX_LABEL, blindIndex } from './blind-index-fns.js';
export {
  KEK_WRAP_LABEL,
  KeyProviderError,
  kekWrapAad,
  kekWrapContext,
  type KekInfo,
  type KekState,
  type KeyProvider,
  type KeyProviderKind,
  type WrappedKey,
} from './key-provider.js';
export { LOCAL_KEY_FILE, createLocalKeyProvider, type LocalKeyProviderOptions } from './local-key-provider.js';
export { createPkcs11KeyProvider, type Pkcs11KeyProviderOptions } from './pkcs11-key-provider.js';
