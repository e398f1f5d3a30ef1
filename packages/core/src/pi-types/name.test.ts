import { describe, expect, it } from 'vitest';
import { personNameType as t } from './name.js';

describe('person_name', () => {
  it('normalizes Chinese names (spaces removed, middle dots unified) and Latin names (spaces collapsed)', () => {
    expect(t.normalize(' 张 三 ')).toBe('张三');
    expect(t.normalize('阿沛•阿旺晋美')).toBe('阿沛·阿旺晋美');
    expect(t.normalize('阿沛．阿旺晋美')).toBe('阿沛·阿旺晋美');
    expect(t.normalize('John   Ronald\tSmith')).toBe('John Ronald Smith');
    expect(t.normalize('Ｊｏｈｎ　Ｓｍｉｔｈ')).toBe('John Smith');
  });

  it('validates', () => {
    for (const v of [
      '张三',
      '欧阳娜娜',
      '阿沛·阿旺晋美',
      '买买提·艾力',
      'John Smith',
      "Mary-Jane O'Neil",
      'J. R. R. Tolkien',
      'José Álvarez',
    ]) {
      expect(t.validate(v), v).toEqual({ valid: true });
    }
  });

  it.each([
    ['', 'empty'],
    ['张', 'invalid_length'],
    ['张'.repeat(21), 'invalid_length'],
    ['张三1', 'invalid_character'],
    ['张三 Smith', 'invalid_character'],
    ['·张三', 'invalid_format'],
    ['张三·', 'invalid_format'],
    ['阿沛··阿旺', 'invalid_format'],
    ['J', 'invalid_length'],
    ['John3', 'invalid_character'],
    ['Иван', 'invalid_character'],
    ['-John', 'invalid_format'],
    ['John-', 'invalid_format'],
    ['a'.repeat(101), 'invalid_length'],
  ])('%s -> %s', (value, reason) => {
    expect(t.validate(value)).toEqual({ valid: false, reason });
  });

  it('masks: keeps the surname (double surnames whole), rest *', () => {
    expect(t.mask('张三')).toBe('张*');
    expect(t.mask('张三丰')).toBe('张**');
    expect(t.mask('欧阳娜娜')).toBe('欧阳**');
    expect(t.mask('诸葛亮')).toBe('诸葛*');
    expect(t.mask('司马')).toBe('司*'); // never reveals the whole name
    expect(t.mask('阿沛·阿旺晋美')).toBe('阿******');
    expect(t.mask('张三丰', { keepFirst: 0 })).toBe('***');
  });

  it('masks Latin names: initials for given names, surname (last word) kept', () => {
    expect(t.mask('John Smith')).toBe('J. Smith');
    expect(t.mask('John Ronald Reuel Tolkien')).toBe('J. R. R. Tolkien');
    expect(t.mask('Madonna')).toBe('M******');
  });

  it('detects: known surname > other Han names; capitalised Latin words', () => {
    expect(t.detect('张三')).toBeGreaterThan(0.5);
    expect(t.detect('欧阳娜娜')).toBeGreaterThan(0.5);
    expect(t.detect('阿沛·阿旺晋美')).toBeGreaterThan(0.5);
    expect(t.detect('John Smith')).toBeGreaterThan(0.5);
    expect(t.detect('john smith')).toBeLessThan(0.5);
    expect(t.detect('张三')).toBeGreaterThan(t.detect('亖三'));
    expect(t.detect('13800138000')).toBe(0);
  });
});
