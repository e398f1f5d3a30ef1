/**
 * Blind index: a keyed, truncated hash of a normalized PI value so that "find the customer with
 * this phone number" works without decrypting every record.
 *
 *   blindIndex = hex( truncate_bits( HMAC-SHA256(key, label || 0x00 || piType || 0x00 || value) ) )
 *
 * - The key is a dedicated blind-index key (>= 32 bytes), separate from the data keys and KEKs.
 * - piType separates the index spaces ('phone', 'email', 'id_number', ...): the same string under
 *   another type gets an unrelated index. piType may not contain U+0000, so the encoding is
 *   unambiguous (the label is fixed, piType ends at the second 0x00, the value is the rest).
 * - The caller normalizes the value first (e.g. phone to E.164, e-mail lower-cased and trimmed).
 * - Truncation (default 32 bits) is deliberate: many possible values share each index (about 23
 *   of the 10^11 eleven-digit numbers per 32-bit index), so an index alone does not pin a value
 *   down, even for someone holding the key. The cost is false positives: with 1M customers and
 *   32 bits a lookup finds about 1M / 2^32 = 0.0002 wrong candidates on average.
 *
 * LOOKUP CONTRACT (caller's job): select candidates by index, decrypt each candidate's field and
 * compare it with the normalized search value; discard the non-matching candidates (false
 * positives). Never treat an index match alone as a match.
 *
 * Output: lowercase hex of the first bits/8 bytes (32 bits -> 8 hex characters).
 */
import { createHmac } from 'node:crypto';

export const BLIND_INDEX_LABEL = 'custos.blind-index.v1';
export const BLIND_INDEX_DEFAULT_BITS = 32;
/** Minimum blind-index key length in bytes. */
export const BLIND_INDEX_KEY_MIN_LENGTH = 32;

const LABEL = Buffer.from(BLIND_INDEX_LABEL, 'utf8');
const SEP = Buffer.from([0]);

/**
 * The blind index of `normalizedValue` of type `piType`, as lowercase hex of `bits` bits.
 * `bits` must be a multiple of 8 between 8 and 256.
 */
export function blindIndex(key: Buffer, piType: string, normalizedValue: string, bits: number = BLIND_INDEX_DEFAULT_BITS): string {
  if (!Buffer.isBuffer(key) || key.length < BLIND_INDEX_KEY_MIN_LENGTH) {
    throw new TypeError(`blind-index key must be a Buffer of at least ${BLIND_INDEX_KEY_MIN_LENGTH} bytes`);
  }
  if (typeof piType !== 'string' || piType === '' || piType.includes('\u0000')) {
    throw new TypeError('piType must be a non-empty string without U+0000');
  }
  if (typeof normalizedValue !== 'string') throw new TypeError('normalizedValue must be a string');
  if (!Number.isInteger(bits) || bits < 8 || bits > 256 || bits % 8 !== 0) {
    throw new TypeError('bits must be a multiple of 8 between 8 and 256');
  }
  const mac = createHmac('sha256', key)
    .update(LABEL)
    .update(SEP)
    .update(piType, 'utf8')
    .update(SEP)
    .update(normalizedValue, 'utf8')
    .digest();
  return mac.toString('hex', 0, bits / 8);
}
