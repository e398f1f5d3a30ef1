import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  collapseSpaces,
  compactUpperNormalize,
  isValidYmd,
  latestTodayYmd,
  maskMiddle,
  removeSeparators,
  toHalfWidth,
} from './normalize-fns.js';

describe('toHalfWidth', () => {
  it('converts full-width digits, letters, punctuation and the ideographic space', () => {
    expect(toHalfWidth('１３８００１３８０００')).toBe('13800138000');
    expect(toHalfWidth('ＡＢＣｘｙｚ＠．－＋')).toBe('ABCxyz@.-+');
    expect(toHalfWidth('a\u3000b')).toBe('a b');
    expect(toHalfWidth('！～')).toBe('!~');
  });
  it('returns the same string when nothing changes and leaves CJK alone', () => {
    const s = '张三 abc 123';
    expect(toHalfWidth(s)).toBe(s);
    expect(toHalfWidth('北京市１号')).toBe('北京市1号');
  });
});

describe('separators and spaces', () => {
  it('removes whitespace and dash-like characters', () => {
    expect(removeSeparators(' 1 2-3\u20144\t5 ')).toBe('12345');
    expect(compactUpperNormalize('１１０１０５ １９４９１２３１ ００２ｘ')).toBe('11010519491231002X');
  });
  it('collapses whitespace runs', () => {
    expect(collapseSpaces('a  b\tc\u00a0d')).toBe('a b c d');
  });
});

describe('calendar', () => {
  it('knows leap years and month lengths', () => {
    expect(isValidYmd(2000, 2, 29)).toBe(true);
    expect(isValidYmd(1900, 2, 29)).toBe(false);
    expect(isValidYmd(2024, 2, 29)).toBe(true);
    expect(isValidYmd(2023, 2, 29)).toBe(false);
    expect(isValidYmd(2023, 4, 31)).toBe(false);
    expect(isValidYmd(2023, 13, 1)).toBe(false);
    expect(isValidYmd(2023, 0, 1)).toBe(false);
    expect(isValidYmd(0, 1, 1)).toBe(false);
  });
  it('computes today in UTC+14', () => {
    // 2024-03-01T09:59:59Z is 2024-03-01 23:59:59 in UTC+14; one second later it is 03-02 there.
    expect(latestTodayYmd(Date.UTC(2024, 2, 1, 9, 59, 59))).toBe(20240301);
    expect(latestTodayYmd(Date.UTC(2024, 2, 1, 10, 0, 0))).toBe(20240302);
    expect(latestTodayYmd(Date.UTC(2024, 1, 29, 10, 0, 0))).toBe(20240301);
    // Going back in time invalidates the cache.
    expect(latestTodayYmd(Date.UTC(2020, 0, 1, 0, 0, 0))).toBe(20200101);
  });
});

describe('maskMiddle', () => {
  it('keeps first and last and preserves length', () => {
    expect(maskMiddle('13800138000', 3, 4)).toBe('138****8000');
    expect(maskMiddle('abcdef', 0, 2)).toBe('****ef');
    expect(maskMiddle('abcdef', 2, 0)).toBe('ab****');
  });
  it('masks everything when the kept parts would cover the value', () => {
    expect(maskMiddle('abcd', 2, 2)).toBe('****');
    expect(maskMiddle('a', 1, 0)).toBe('*');
    expect(maskMiddle('', 1, 1)).toBe('');
  });
  it('counts code points, not UTF-16 units', () => {
    expect(maskMiddle('𠀀𠀁𠀂', 1, 0)).toBe('𠀀**');
    expect(codePointLength('𠀀a')).toBe(2);
  });
});
