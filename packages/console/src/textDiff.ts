/**
 * A small word diff for comparing notice versions (no dependency): the texts are split into
 * tokens (a Latin word or number, a run of white space, or any other single character, so each
 * Chinese character is a token) and the longest common subsequence marks what was kept. Long
 * texts fall back to a line diff to bound the work.
 */

export type DiffOp = 'equal' | 'added' | 'removed';

export interface DiffPart {
  op: DiffOp;
  text: string;
}

/** Above this many LCS cells, diff by line instead of by word. */
const MAX_CELLS = 2_000_000;

export function tokenize(text: string): string[] {
  return text.match(/\p{Script=Han}|(?:(?!\p{Script=Han})[\p{L}\p{N}_])+|\s+|[\s\S]/gu) ?? [];
}

function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Diff two token lists by LCS; adjacent parts of the same kind are merged. */
export function diffTokens(a: readonly string[], b: readonly string[]): DiffPart[] {
  // Trim the common prefix and suffix first: versions usually differ in a few places.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const parts: DiffPart[] = [];
  const push = (op: DiffOp, text: string) => {
    if (!text) return;
    const last = parts[parts.length - 1];
    if (last && last.op === op) last.text += text;
    else parts.push({ op, text });
  };
  push('equal', a.slice(0, start).join(''));

  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  const n = x.length;
  const m = y.length;
  if (n * m > MAX_CELLS) {
    push('removed', x.join(''));
    push('added', y.join(''));
  } else {
    // lcs[i][j]: LCS length of x[i..] and y[j..], in one flat array.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = x[i] === y[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (x[i] === y[j]) {
        push('equal', x[i]!);
        i++;
        j++;
      } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) {
        push('removed', x[i]!);
        i++;
      } else {
        push('added', y[j]!);
        j++;
      }
    }
    while (i < n) push('removed', x[i++]!);
    while (j < m) push('added', y[j++]!);
  }

  push('equal', a.slice(endA).join(''));
  return parts;
}

/** Word diff of two texts (line diff when they are long). */
export function diffText(before: string, after: string): DiffPart[] {
  if (before === after) return before ? [{ op: 'equal', text: before }] : [];
  const ta = tokenize(before);
  const tb = tokenize(after);
  if (ta.length * tb.length > MAX_CELLS) return diffTokens(lines(before), lines(after));
  return diffTokens(ta, tb);
}
