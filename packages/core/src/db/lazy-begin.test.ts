import { describe, expect, it } from 'vitest';
import { inlineParams, literalOf } from './lazy-begin.js';

describe('inlining parameters for the first statement of a transaction', () => {
  it('quotes values as node-postgres would send them', () => {
    expect(literalOf(null)).toBe('NULL');
    expect(literalOf("O'Brien")).toBe("'O''Brien'");
    expect(literalOf('a\\b')).toBe("E'a\\\\b'");
    expect(literalOf(Buffer.from([0, 255]))).toBe("E'\\\\x00ff'");
    expect(literalOf(['P1.2', 'P2.3'])).toBe(`'{"P1.2","P2.3"}'`);
    expect(literalOf({ a: "x'y" })).toBe(`'{"a":"x''y"}'`);
    expect(literalOf(42)).toBe("'42'");
  });

  it('replaces placeholders outside literals, identifiers and comments only', () => {
    expect(inlineParams(`select "$1", '$2', $1, $2 -- $1\nfrom t where x = $10`, ['a', 'b', 3, 4, 5, 6, 7, 8, 9, 'ten'])).toBe(
      `select "$1", '$2', 'a', 'b' -- $1\nfrom t where x = 'ten'`,
    );
    expect(() => inlineParams('select $3', ['a'])).toThrow(/\$3/);
  });
});
