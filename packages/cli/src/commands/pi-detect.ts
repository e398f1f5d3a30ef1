/**
 * `custos pi detect`: reads values one per line and writes one JSON object per line with the
 * best-matching PI type, validity, reason code and display mask. The plain value is never
 * written unless `normalized` is requested. Streams line by line (constant memory).
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { detectPiType } from '@custos/core';

export interface PiDetectOptions {
  /** Also write the normalised (plain) value as `normalized`. */
  normalized?: boolean;
}

export interface PiDetectLine {
  value_index: number;
  type: string | null;
  valid: boolean;
  reason: string | null;
  masked: string | null;
  normalized?: string | null;
}

/** The output record for one input line (pure; exported for reuse and tests). */
export function piDetectLine(value: string, index: number, opts: PiDetectOptions = {}): PiDetectLine {
  const r = detectPiType(value);
  const line: PiDetectLine = {
    value_index: index,
    type: r.type,
    valid: r.valid,
    reason: r.valid ? null : (r.reason ?? null),
    masked: r.type === null ? null : (r.masked ?? null),
  };
  if (opts.normalized === true) line.normalized = r.type === null ? null : (r.normalized ?? null);
  return line;
}

export async function piDetect(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  opts: PiDetectOptions,
): Promise<{ lines: number }> {
  // crlfDelay: Infinity treats \r\n as one line break; a final line without a newline is still emitted.
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
  let lines = 0;
  try {
    for await (const raw of rl) {
      // A UTF-8 byte-order mark (files saved on Windows) is not part of the first value.
      const value = lines === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      const ok = output.write(`${JSON.stringify(piDetectLine(value, lines, opts))}\n`);
      lines++;
      if (!ok) await once(output, 'drain');
    }
  } finally {
    rl.close();
  }
  return { lines };
}
