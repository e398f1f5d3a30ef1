/** `Idempotency-Key` values the API accepts: 8-128 characters of [A-Za-z0-9_-]. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

/**
 * A fresh random idempotency key: 32 hex characters (128 bits) from `crypto.getRandomValues`,
 * which, unlike `crypto.randomUUID`, is also there on pages served over plain HTTP.
 */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
