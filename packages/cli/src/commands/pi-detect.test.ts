import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { piDetect, piDetectLine } from './pi-detect.js';

async function run(text: string | string[], opts: { normalized?: boolean } = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  const done = piDetect(input, output, opts);
  for (const part of Array.isArray(text) ? text : [text]) input.write(part);
  input.end();
  const result = await done;
  const out = Buffer.concat(chunks).toString('utf8');
  const records =
    out.length === 0
      ? []
      : out
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { result, out, records };
}

const VALUES = [
  '11010519491231002X',
  '13800138000',
  'zhangsan@example.com',
  '6228480402564890018',
  '110105194912310021',
  'hello',
  '',
  '张三丰',
];

describe('piDetect', () => {
  it('writes one JSON object per line with index, type, validity, reason and mask', async () => {
    const { result, records } = await run(VALUES.join('\n') + '\n');
    expect(result).toEqual({ lines: VALUES.length });
    expect(records).toEqual([
      { value_index: 0, type: 'cn_resident_id', valid: true, reason: null, masked: '1****************X' },
      { value_index: 1, type: 'cn_mobile', valid: true, reason: null, masked: '138****8000' },
      { value_index: 2, type: 'email', valid: true, reason: null, masked: 'z***@example.com' },
      { value_index: 3, type: 'bank_card', valid: true, reason: null, masked: '622848*********0018' },
      { value_index: 4, type: 'cn_resident_id', valid: false, reason: 'check_digit_mismatch', masked: '1****************1' },
      { value_index: 5, type: null, valid: false, reason: 'unrecognized', masked: null },
      { value_index: 6, type: null, valid: false, reason: 'empty', masked: null },
      { value_index: 7, type: 'person_name', valid: true, reason: null, masked: '张**' },
    ]);
  });

  it('never prints a plain value without --normalized', async () => {
    const { out } = await run(VALUES.join('\r\n'));
    for (const v of VALUES.filter((x) => x.length >= 3)) expect(out).not.toContain(v);
    expect(out).not.toContain('normalized');
  });

  it('adds the normalized value only when asked', async () => {
    const { records } = await run('１３８ ００１３ ８０００\nhello\n', { normalized: true });
    expect(records[0]).toEqual({
      value_index: 0,
      type: 'cn_mobile',
      valid: true,
      reason: null,
      masked: '138****8000',
      normalized: '13800138000',
    });
    expect(records[1]).toMatchObject({ type: null, normalized: null });
  });

  it('handles CRLF, a final line without newline, a BOM and lines split across chunks', async () => {
    const { result, records } = await run(['\ufeff1380013', '8000\r\n1391234', '5678\r\nE12345678']);
    expect(result.lines).toBe(3);
    expect(records.map((r) => r.type)).toEqual(['cn_mobile', 'cn_mobile', 'passport']);
    expect(records.map((r) => r.valid)).toEqual([true, true, true]);
  });

  it('handles empty input', async () => {
    const { result, out } = await run('');
    expect(result.lines).toBe(0);
    expect(out).toBe('');
  });

  it('streams large inputs with back-pressure', async () => {
    const n = 5_000;
    function* gen() {
      for (let i = 0; i < n; i++) yield i % 2 === 0 ? '13800138000\n' : 'zhangsan@example.com\n';
    }
    const input = Readable.from(gen());
    let count = 0;
    let bytes = 0;
    // A slow writer with a tiny buffer forces 'drain' waits.
    const output = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        count += chunk.toString('utf8').split('\n').length - 1;
        setImmediate(cb);
      },
    });
    const result = await piDetect(input, output, {});
    expect(result.lines).toBe(n);
    expect(count).toBe(n);
    expect(bytes).toBeGreaterThan(0);
  });

  it('piDetectLine is pure and reports reasons as codes', () => {
    expect(piDetectLine('4111111111111112', 7)).toEqual({
      value_index: 7,
      type: 'bank_card',
      valid: false,
      reason: 'check_digit_mismatch',
      masked: '411111******1112',
    });
  });
});
