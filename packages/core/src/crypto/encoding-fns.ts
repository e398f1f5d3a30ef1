/**
 * Small canonical encodings shared by the crypto helpers (associated data, HMAC inputs).
 * Internal to the crypto folder; not re-exported from index.ts.
 */
import { randomFillSync } from 'node:crypto';

const MAX_U32 = 0xffff_ffff;

/** Throws a TypeError unless `n` is an integer in [min, 2^32 - 1]. */
export function assertU32(name: string, n: number, min = 0): void {
  if (!Number.isInteger(n) || n < min || n > MAX_U32) {
    throw new TypeError(`${name} must be an integer between ${min} and ${MAX_U32}`);
  }
}

/** A part of a canonical encoding: strings are UTF-8 with a 4-byte length prefix, numbers are u32 BE. */
export type CanonicalPart = string | number | Buffer;

/**
 * Encode parts unambiguously: every string/Buffer is `u32be(byteLength) || bytes`, every number
 * is a fixed 4-byte big-endian u32. Two different part lists of the same shape never encode to
 * the same bytes.
 */
export function encodeCanonical(parts: readonly CanonicalPart[]): Buffer {
  let size = 0;
  for (const p of parts) {
    if (typeof p === 'number') size += 4;
    else size += 4 + (typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length);
  }
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  for (const p of parts) {
    if (typeof p === 'number') {
      out.writeUInt32BE(p, off);
      off += 4;
    } else if (typeof p === 'string') {
      const n = out.write(p, off + 4, 'utf8');
      out.writeUInt32BE(n, off);
      off += 4 + n;
    } else {
      if (p.length > MAX_U32) throw new RangeError('part too long');
      out.writeUInt32BE(p.length, off);
      p.copy(out, off + 4);
      off += 4 + p.length;
    }
  }
  return out;
}

// Lone UTF-16 surrogates do not survive UTF-8 (they become U+FFFD), so they are refused.
const LONE_SURROGATE = /\p{Cs}/u;

/** UTF-8 bytes of `s`; throws a TypeError if `s` is not well-formed Unicode (lone surrogate). */
export function utf8Strict(name: string, s: string): Buffer {
  if (LONE_SURROGATE.test(s)) throw new TypeError(`${name} is not well-formed Unicode (lone surrogate)`);
  return Buffer.from(s, 'utf8');
}

// Random IVs come from a small pool filled from the OpenSSL CSPRNG: one RAND_bytes call per
// 4 KiB instead of one per field (a per-call randomFillSync costs more than the encryption of
// a short field). IVs are public values; the pool only batches the CSPRNG calls.
const POOL_SIZE = 4096;
let pool: Buffer | undefined;
let poolOffset = POOL_SIZE;

/** Copy `n` (<= 64) fresh random bytes from the CSPRNG pool into `target` at `offset`. */
export function fillRandom(target: Buffer, offset: number, n: number): void {
  if (poolOffset + n > POOL_SIZE || pool === undefined) {
    pool ??= Buffer.alloc(POOL_SIZE);
    randomFillSync(pool);
    poolOffset = 0;
  }
  pool.copy(target, offset, poolOffset, poolOffset + n);
  // Never hand out the same bytes twice.
  pool.fill(0, poolOffset, poolOffset + n);
  poolOffset += n;
}
