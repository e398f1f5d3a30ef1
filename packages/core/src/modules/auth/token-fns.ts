import { createHash, randomBytes } from 'node:crypto';

/** Session and API tokens are 256 random bits; only their SHA-256 is stored. */
export function newToken(prefix: 'cs' | 'cpat' | 'cpt'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Delay before answering the n-th consecutive failed login: grows, capped, so guessing slows down. */
export function failedLoginDelayMs(failures: number): number {
  if (failures < 3) return 0;
  return Math.min(250 * 2 ** (failures - 3), 4000);
}
