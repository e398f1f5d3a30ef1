import { describe, expect, it } from 'vitest';
import { emailType as t } from './email.js';

describe('email', () => {
  it('normalizes: full-width, trim, lower-case domain only', () => {
    expect(t.normalize('  ZhangSan@Example.COM ')).toBe('ZhangSan@example.com');
    expect(t.normalize('ｚｈａｎｇ＠ＥＸＡＭＰＬＥ．ｃｏｍ')).toBe('zhang@example.com');
  });

  it('validates common addresses', () => {
    for (const v of ['a@b.cn', 'zhang.san+tag@mail.example.com.cn', "o'neil@example.org", 'x@例子.中国', 'a_b-c@sub-domain.co']) {
      expect(t.validate(v), v).toEqual({ valid: true });
    }
  });

  it.each([
    ['', 'empty'],
    ['zhang.example.com', 'missing_at'],
    ['a@b@example.com', 'missing_at'],
    ['@example.com', 'invalid_local_part'],
    ['.a@example.com', 'invalid_local_part'],
    ['a..b@example.com', 'invalid_local_part'],
    ['a b@example.com', 'invalid_local_part'],
    [`${'a'.repeat(65)}@example.com`, 'invalid_local_part'],
    ['a@', 'invalid_domain'],
    ['a@localhost', 'invalid_domain'],
    ['a@-example.com', 'invalid_domain'],
    ['a@example.c', 'invalid_domain'],
    ['a@example..com', 'invalid_domain'],
    [`a@${'b'.repeat(250)}.com`, 'too_long'],
  ])('%s -> %s', (value, reason) => {
    expect(t.validate(value)).toEqual({ valid: false, reason });
  });

  it('masks the local part after its first character and keeps the domain', () => {
    expect(t.mask('zhangsan@Example.com')).toBe('z***@example.com');
    expect(t.mask('a@example.com')).toBe('***@example.com');
    expect(t.mask('zhangsan@example.com', { keepFirst: 3 })).toBe('zha***@example.com');
    expect(t.mask('not-an-email')).toBe('n***********');
  });

  it('detects: valid > broken > unrelated', () => {
    expect(t.detect('a@example.com')).toBeGreaterThan(t.detect('a@localhost'));
    expect(t.detect('a@localhost')).toBeGreaterThan(0.5);
    expect(t.detect('a @ b')).toBe(0);
    expect(t.detect('13800138000')).toBe(0);
  });
});
