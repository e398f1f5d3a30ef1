/**
 * Export files (P5.3): cell escaping against formula injection, CSV and streaming XLSX writers,
 * and the encrypted frame format export files rest in until their one-time download.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { constants as zconstants, crc32, deflateRawSync } from 'node:zlib';

/**
 * Spreadsheet programs run a cell that starts with `= + - @` (or a tab / carriage return that
 * they strip first) as a formula: such cells get a leading apostrophe, so they are shown as text.
 */
export function escapeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV line (RFC 4180): formula-escaped, quoted when it holds a comma, quote or line break; null is empty. */
export function csvLine(cells: readonly (string | null)[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i) line += ',';
    const v = cells[i];
    if (v === null || v === undefined || v === '') continue;
    const e = escapeFormula(v);
    line += /[",\r\n]/.test(e) ? `"${e.replace(/"/g, '""')}"` : e;
  }
  return `${line}\r\n`;
}

// XML 1.0 forbids most control characters; they are dropped from cells.
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
function xmlText(v: string): string {
  return v.replace(XML_INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function columnName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** One worksheet row of inline strings (no shared-strings table, so rows stream). */
export function xlsxRow(rowNumber: number, cells: readonly (string | null)[]): string {
  let xml = `<row r="${rowNumber}">`;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined || v === '') continue;
    xml += `<c r="${columnName(i)}${rowNumber}" t="inlineStr"><is><t xml:space="preserve">${xmlText(escapeFormula(v))}</t></is></c>`;
  }
  return `${xml}</row>`;
}

const XLSX_PARTS: ReadonlyArray<[string, string]> = [
  [
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
      '</Types>',
  ],
  [
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
      '</Relationships>',
  ],
  [
    'xl/workbook.xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="export" sheetId="1" r:id="rId1"/></sheets></workbook>',
  ],
  [
    'xl/_rels/workbook.xml.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
      '</Relationships>',
  ],
];
const SHEET_HEAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
const SHEET_TAIL = '</sheetData></worksheet>';

interface ZipEntry {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/**
 * A streaming ZIP (deflate) writer for the XLSX package: small parts are written whole; the
 * worksheet is deflated in pieces as rows arrive (sizes in a data descriptor), so memory does not
 * grow with the row count. No ZIP64: exports above 4 GiB are refused.
 */
export function createXlsxWriter(write: (chunk: Buffer) => Promise<void>) {
  const entries: ZipEntry[] = [];
  let offset = 0;
  const DOS_TIME = 0; // 1980-01-01 00:00: the archive's times carry no information
  const DOS_DATE = 0x21;
  async function out(b: Buffer) {
    offset += b.length;
    if (offset > 0xffffffff) throw new Error('the export is larger than 4 GiB');
    await write(b);
  }
  function localHeader(name: Buffer, flags: number, crc: number, compressed: number, size: number): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(flags, 6);
    h.writeUInt16LE(8, 8); // deflate
    h.writeUInt16LE(DOS_TIME, 10);
    h.writeUInt16LE(DOS_DATE, 12);
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(compressed, 18);
    h.writeUInt32LE(size, 22);
    h.writeUInt16LE(name.length, 26);
    h.writeUInt16LE(0, 28);
    return Buffer.concat([h, name]);
  }
  async function whole(nameStr: string, content: string) {
    const name = Buffer.from(nameStr, 'utf8');
    const data = Buffer.from(content, 'utf8');
    const z = deflateRawSync(data);
    const e: ZipEntry = { name, crc: crc32(data), compressed: z.length, size: data.length, offset };
    await out(localHeader(name, 0x0800, e.crc, e.compressed, e.size));
    await out(z);
    entries.push(e);
  }

  // The worksheet: deflated in pieces of ~256 KiB. Each piece is compressed on its own and ends
  // with a sync flush (a non-final block on a byte boundary), the last with the final block, so
  // the concatenation is one valid deflate stream.
  const sheetName = Buffer.from('xl/worksheets/sheet1.xml', 'utf8');
  let sheet: ZipEntry | null = null;
  let pending: string[] = [];
  let pendingBytes = 0;

  async function flushPiece(final: boolean) {
    const data = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingBytes = 0;
    sheet!.crc = crc32(data, sheet!.crc);
    sheet!.size += data.length;
    const z = final ? deflateRawSync(data) : deflateRawSync(data, { finishFlush: zconstants.Z_SYNC_FLUSH });
    sheet!.compressed += z.length;
    await out(z);
  }

  return {
    async start(header: readonly string[]) {
      for (const [n, c] of XLSX_PARTS) await whole(n, c);
      sheet = { name: sheetName, crc: 0, compressed: 0, size: 0, offset };
      await out(localHeader(sheetName, 0x0808, 0, 0, 0));
      pending.push(SHEET_HEAD, xlsxRow(1, header));
    },
    rows: 1,
    async row(cells: readonly (string | null)[]) {
      const xml = xlsxRow(++this.rows, cells);
      pending.push(xml);
      pendingBytes += xml.length;
      if (pendingBytes >= 256 * 1024) await flushPiece(false);
    },
    async finish() {
      pending.push(SHEET_TAIL);
      await flushPiece(true);
      const s = sheet!;
      const dd = Buffer.alloc(16);
      dd.writeUInt32LE(0x08074b50, 0);
      dd.writeUInt32LE(s.crc, 4);
      dd.writeUInt32LE(s.compressed, 8);
      dd.writeUInt32LE(s.size, 12);
      await out(dd);
      entries.push(s);
      const cdStart = offset;
      for (const e of entries) {
        const h = Buffer.alloc(46);
        h.writeUInt32LE(0x02014b50, 0);
        h.writeUInt16LE(20, 4);
        h.writeUInt16LE(20, 6);
        h.writeUInt16LE(e === s ? 0x0808 : 0x0800, 8);
        h.writeUInt16LE(8, 10);
        h.writeUInt16LE(DOS_TIME, 12);
        h.writeUInt16LE(DOS_DATE, 14);
        h.writeUInt32LE(e.crc, 16);
        h.writeUInt32LE(e.compressed, 20);
        h.writeUInt32LE(e.size, 24);
        h.writeUInt16LE(e.name.length, 28);
        h.writeUInt32LE(e.offset, 42);
        await out(Buffer.concat([h, e.name]));
      }
      const cdSize = offset - cdStart;
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(entries.length, 8);
      end.writeUInt16LE(entries.length, 10);
      end.writeUInt32LE(cdSize, 12);
      end.writeUInt32LE(cdStart, 16);
      await out(end);
    },
  };
}

/**
 * Export files rest encrypted until downloaded: a sequence of frames, each
 * `len(4) ‖ iv(12) ‖ AES-256-GCM(ciphertext) ‖ tag(16)`, with the frame number and a last-frame
 * flag in the associated data, so frames cannot be reordered, dropped or the file cut short.
 */
export const FRAME_BYTES = 64 * 1024;
const FRAME_MAGIC = Buffer.from('CUSTOSX1');

function frameAad(fileId: string, index: number, last: boolean): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt32BE(index, 0);
  b[4] = last ? 1 : 0;
  return Buffer.concat([Buffer.from(fileId, 'utf8'), Buffer.from([0]), b]);
}

export function sealFrame(key: Buffer, fileId: string, index: number, last: boolean, plain: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(frameAad(fileId, index, last));
  const body = Buffer.concat([c.update(plain), c.final()]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length, 0);
  return Buffer.concat([len, iv, body, c.getAuthTag()]);
}

/** The file header: magic bytes, so a wrong file is named as such before any decryption. */
export function fileHeader(): Buffer {
  return Buffer.from(FRAME_MAGIC);
}

/** Decrypts a frame stream back into the export file; throws on any tampering, reordering or truncation. */
export function openFrames(key: Buffer, fileId: string): Transform {
  let buf = Buffer.alloc(0);
  let index = 0;
  let headerSeen = false;
  let held: { iv: Buffer; body: Buffer; tag: Buffer } | null = null;
  function open(f: { iv: Buffer; body: Buffer; tag: Buffer }, last: boolean): Buffer {
    const d = createDecipheriv('aes-256-gcm', key, f.iv);
    d.setAAD(frameAad(fileId, index++, last));
    d.setAuthTag(f.tag);
    return Buffer.concat([d.update(f.body), d.final()]);
  }
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        buf = Buffer.concat([buf, chunk]);
        if (!headerSeen) {
          if (buf.length < FRAME_MAGIC.length) return cb();
          if (!buf.subarray(0, FRAME_MAGIC.length).equals(FRAME_MAGIC)) throw new Error('not an export file');
          buf = buf.subarray(FRAME_MAGIC.length);
          headerSeen = true;
        }
        // A frame is opened only once the next one is seen: the last frame is opened at the end.
        while (buf.length >= 4) {
          const len = buf.readUInt32BE(0);
          if (buf.length < 4 + 12 + len + 16) break;
          const f = { iv: buf.subarray(4, 16), body: buf.subarray(16, 16 + len), tag: buf.subarray(16 + len, 32 + len) };
          buf = buf.subarray(32 + len);
          if (held) this.push(open(held, false));
          held = { iv: Buffer.from(f.iv), body: Buffer.from(f.body), tag: Buffer.from(f.tag) };
        }
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        if (buf.length || !held) throw new Error('the export file is truncated');
        this.push(open(held, true));
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}
