import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password-fns.js';

describe('password policy and KDF', () => {
  it.each([
    ['short-pass', 'too_short'],
    ['password1234', 'common'],
    ['Password2024!', 'common'],
    ['!!qwertyuiop!!', 'common'],
    ['zhangsan-is-great', 'contains_username'],
    ['aaaaaaaaaaaaaaaa', 'repetitive'],
    ['Tea-Garden-Lantern-42', null],
    ['长城脚下的一杯绿茶与好书相伴', null],
  ])('%s -> %s', (pw, expected) => {
    expect(checkPasswordPolicy(pw, 'zhangsan')).toBe(expected);
  });

  it('hashes with scrypt, salted, and verifies only the right password', async () => {
    const params = { N: 1024, r: 8, p: 1 };
    const a = await hashPassword('Tea-Garden-Lantern-42', params);
    const b = await hashPassword('Tea-Garden-Lantern-42', params);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('Tea-Garden-Lantern-42', a)).toBe(true);
    expect(await verifyPassword('Tea-Garden-Lantern-43', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });
});
