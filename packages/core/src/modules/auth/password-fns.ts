import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** scrypt parameters. N=2^15, r=8 costs ~32 MiB and tens of milliseconds per guess. */
export interface KdfParams {
  N: number;
  r: number;
  p: number;
}
export const DEFAULT_KDF: KdfParams = { N: 2 ** 15, r: 8, p: 1 };

function scrypt(password: string, salt: Buffer, p: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFKC'), salt, 32, { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, base64url: parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string, params: KdfParams = DEFAULT_KDF): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, N, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to verify against when the user does not exist, so both paths take the same time. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(params: KdfParams): Promise<string> {
  return (dummyHash ??= hashPassword(randomBytes(12).toString('hex'), params));
}

let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  if (!common) {
    const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../assets/common-passwords.txt');
    common = new Set(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean));
  }
  return common;
}

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'contains_username' | 'repetitive';

/**
 * Password policy: at least 12 characters, not a common password, not a common password with
 * digits or symbols stuck on, not the username, not one repeated character or a plain sequence.
 */
export function checkPasswordPolicy(password: string, username?: string): PasswordProblem | null {
  if ([...password].length < 12) return 'too_short';
  if (password.length > 256) return 'too_long';
  const lower = password.toLowerCase();
  const list = commonPasswords();
  if (list.has(lower)) return 'common';
  const core = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  if (core.length >= 6 && list.has(core)) return 'common';
  if (username && username.length >= 3 && lower.includes(username.toLowerCase())) return 'contains_username';
  if (/^(.)\1+$/.test(password) || '01234567890123456789'.includes(lower) || 'abcdefghijklmnopqrstuvwxyz'.includes(lower))
    return 'repetitive';
  return null;
}

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  too_short: 'must have at least 12 characters',
  too_long: 'must have at most 256 characters',
  common: 'is a commonly used password',
  contains_username: 'must not contain the username',
  repetitive: 'is a repeated character or a plain sequence',
};
