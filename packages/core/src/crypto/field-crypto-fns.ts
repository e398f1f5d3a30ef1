/**
 * Field envelope helpers: a PI field value is encrypted under the customer's data key with
 * associated data naming the customer, the field and the data-key version, so a ciphertext copied
 * to another customer, another field, or presented under another key version does not decrypt.
 */
import type { CipherSuite } from './cipher-suites.js';
import { assertU32, encodeCanonical, utf8Strict } from './encoding-fns.js';

/** Domain-separation label, first part of every field AAD. */
export const FIELD_AAD_LABEL = 'custos.field.v1';

export interface FieldAadInput {
  /** The customer the value belongs to (a stable id, never PI). */
  customerId: string;
  /** The field name, e.g. 'phone' or 'idNumber'. */
  field: string;
  /** Version of the customer's data key the value is (to be) encrypted under; integer 0..2^32-1. */
  keyVersion: number;
}

/**
 * Canonical AAD: u32be(len) || utf8 for the label, customerId and field (in that order), then
 * keyVersion as u32be. Length prefixes make it unambiguous ('ab'+'c' differs from 'a'+'bc').
 */
export function fieldAad({ customerId, field, keyVersion }: FieldAadInput): Buffer {
  if (typeof customerId !== 'string' || customerId === '') throw new TypeError('customerId must be a non-empty string');
  if (typeof field !== 'string' || field === '') throw new TypeError('field must be a non-empty string');
  assertU32('keyVersion', keyVersion);
  return encodeCanonical([FIELD_AAD_LABEL, customerId, field, keyVersion]);
}

/**
 * Encrypt a string field value (UTF-8). Throws a TypeError for strings that are not well-formed
 * Unicode (lone surrogates), which could not round-trip.
 */
export function encryptField(suite: CipherSuite, dataKey: Buffer, value: string, aad: Buffer): Buffer {
  return suite.encrypt(dataKey, utf8Strict('value', value), aad);
}

/**
 * Decrypt a field value. Throws DecryptionError if the ciphertext was altered, belongs to another
 * suite, or was encrypted under another key or AAD (customer, field, key version). Use
 * `cipherSuiteOf(ciphertext)` to pick the suite from the stored format byte.
 */
export function decryptField(suite: CipherSuite, dataKey: Buffer, ciphertext: Buffer, aad: Buffer): string {
  const plaintext = suite.decrypt(dataKey, ciphertext, aad);
  const value = plaintext.toString('utf8');
  plaintext.fill(0);
  return value;
}
