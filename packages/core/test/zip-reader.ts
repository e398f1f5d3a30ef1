import { expect } from 'vitest';
import { crc32, inflateRawSync } from 'node:zlib';

/** Reads a ZIP's entries through its central directory (what a spreadsheet program does). */
export function readZip(zip: Buffer): Map<string, string> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let p = zip.readUInt32LE(end + 16);
  const out = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(p)).toBe(0x02014b50);
    const size = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const offset = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const localNameLen = zip.readUInt16LE(offset + 26);
    const start = offset + 30 + localNameLen;
    const data = inflateRawSync(zip.subarray(start, start + size));
    // A reader checks the CRC and size the central directory gives.
    expect(crc32(data)).toBe(zip.readUInt32LE(p + 16));
    expect(data.length).toBe(zip.readUInt32LE(p + 24));
    out.set(name, data.toString('utf8'));
    p += 46 + nameLen;
  }
  return out;
}
