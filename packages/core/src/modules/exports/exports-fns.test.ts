import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readZip } from '../../../test/zip-reader.js';
import { createXlsxWriter, csvLine, escapeFormula, fileHeader, openFrames, sealFrame } from './exports-fns.js';

describe('export cells', () => {
  it('escapes cells that a spreadsheet would run as formulas', () => {
    for (const v of ['=1+1', '+86 138', '-2', '@SUM(A1)', '\t=x', '\r=x']) expect(escapeFormula(v)).toBe(`'${v}`);
    for (const v of ['张三', '138****5678', 'a=b', '']) expect(escapeFormula(v)).toBe(v);
  });

  it('writes CSV lines with quoting, formula escape and empty nulls', () => {
    expect(csvLine(['a', null, 'b,c', 'say "hi"', '=HYPERLINK("x")', 'line\nbreak'])).toBe(
      'a,,"b,c","say ""hi""","\'=HYPERLINK(""x"")","line\nbreak"\r\n',
    );
  });
});

describe('export files at rest', () => {
  const key = randomBytes(32);
  const frames = (parts: Buffer[]) =>
    Buffer.concat([fileHeader(), ...parts.map((p, i) => sealFrame(key, 'f1', i, i === parts.length - 1, p))]);
  const open = async (file: Buffer, k = key, id = 'f1') => {
    const chunks: Buffer[] = [];
    // Small reads, so frames are split across chunks.
    const src = Readable.from(Array.from({ length: Math.ceil(file.length / 7) }, (_, i) => file.subarray(i * 7, i * 7 + 7)));
    for await (const c of src.pipe(openFrames(k, id))) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  it('round-trips frames', async () => {
    expect(await open(frames([Buffer.from('one,'), Buffer.from('two,'), Buffer.from('three')]))).toBe('one,two,three');
  });

  it('refuses a truncated, reordered, tampered or foreign file', async () => {
    const parts = [Buffer.from('aaaa'), Buffer.from('bbbb'), Buffer.from('cccc')];
    const whole = frames(parts);
    const sealed = parts.map((p, i) => sealFrame(key, 'f1', i, i === 2, p));
    // Dropping the last frame: the new last frame was not sealed as last.
    await expect(open(Buffer.concat([fileHeader(), sealed[0]!, sealed[1]!]))).rejects.toThrow();
    await expect(open(Buffer.concat([fileHeader(), sealed[1]!, sealed[0]!, sealed[2]!]))).rejects.toThrow();
    const flipped = Buffer.from(whole);
    flipped[flipped.length - 20] ^= 1;
    await expect(open(flipped)).rejects.toThrow();
    await expect(open(whole, randomBytes(32))).rejects.toThrow();
    await expect(open(whole, key, 'f2')).rejects.toThrow();
    await expect(open(whole.subarray(0, whole.length - 3))).rejects.toThrow(/truncated/);
  });
});

describe('streaming XLSX', () => {
  it('writes a valid package whose sheet holds every row, escaped', async () => {
    const parts: Buffer[] = [];
    const x = createXlsxWriter(async (b) => void parts.push(b));
    await x.start(['name', 'note']);
    const n = 20_000; // several deflate pieces
    for (let i = 0; i < n; i++) await x.row([`张${i}`, i === 7 ? '=cmd|calc' : i % 2 ? null : `<&"${i}">`]);
    await x.finish();
    const zip = Buffer.concat(parts);
    const entries = readZip(zip);
    expect([...entries.keys()].sort()).toEqual(
      ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml'].sort(),
    );
    const sheet = entries.get('xl/worksheets/sheet1.xml')!;
    expect(sheet.match(/<row /g)).toHaveLength(n + 1);
    expect(sheet).toContain(`<c r="A${n + 1}" t="inlineStr"><is><t xml:space="preserve">张${n - 1}</t></is></c>`);
    expect(sheet).toContain("'=cmd|calc");
    expect(sheet).toContain('&lt;&amp;&quot;0&quot;&gt;');
    expect(sheet.endsWith('</sheetData></worksheet>')).toBe(true);
  });
});
