/**
 * Pure parts of encrypted backups (P4.1, P2.3): the archive format, frame sealing, the table
 * plan (dependency order, cycle breaking) and the SQL that reads and writes one page of rows.
 *
 * Archive layout (all integers big-endian):
 *
 *   "CUSTOSBK1"                      9 bytes magic
 *   header length                    u32
 *   header                           UTF-8 JSON (BackupHeader: format, created time, KEK version,
 *                                    wrapped archive key, body size, manifest)
 *   header MAC                       32 bytes HMAC-SHA256(macKey, magic || length || header)
 *   frames                           repeated: flags u8 (bit 0 = final) || length u32 ||
 *                                    AES-256-GCM(encKey, iv, plaintext, aad) || 16-byte tag
 *
 * The body plaintext is gzip over JSON lines, one per row, tables in manifest order. The
 * archive key is random per archive and wrapped by the current KEK through the key provider;
 * encKey and macKey are derived from it with HKDF-SHA256. Each frame's IV is its index (a
 * counter, unique under the per-archive key) and its AAD is magic || index || final flag, so
 * reordered, dropped, duplicated or truncated frames fail authentication or the final-frame check.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { CustosError, type ClauseId } from '../../errors.js';

export const BACKUP_MAGIC = Buffer.from('CUSTOSBK1', 'ascii');
export const BACKUP_FORMAT = 'custos-backup';
export const BACKUP_FORMAT_VERSION = 1;
/** Context bound to the archive-key wrap: the KEK of the writing installation is needed to restore. */
export const BACKUP_KEY_CONTEXT = Buffer.from('custos.backup.v1', 'utf8');
export const DEFAULT_FRAME_SIZE = 1024 * 1024;
export const MAX_FRAME_SIZE = 16 * 1024 * 1024;
export const MAX_HEADER_LENGTH = 64 * 1024 * 1024;
export const MAC_LENGTH = 32;
export const TAG_LENGTH = 16;
export const FRAME_HEADER_LENGTH = 5;
const FINAL = 0x01;
const PREFIX_LENGTH = BACKUP_MAGIC.length + 4;

/** The archive is damaged, altered or not an archive at all; nothing was written. */
export class BackupIntegrityError extends CustosError {
  readonly status = 422;
  readonly code = 'backup_integrity';
  constructor(message: string, clauses: ClauseId[] = ['P2.3', 'P4.1']) {
    super(message, clauses);
  }
}

/** A backup or restore could not be carried out (file system, schema, key provider). */
export class BackupError extends CustosError {
  readonly status = 500;
  readonly code = 'backup_failed';
}

export interface ColumnSpec {
  name: string;
  /** format_type() of the column, e.g. 'uuid', 'text[]', 'timestamp with time zone', 'bytea'. */
  type: string;
  notNull: boolean;
}

export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  primaryKey: string[];
  /** Nullable foreign-key columns inserted as NULL and set after every table is in (cycles, self-references). */
  deferred: string[];
}

export interface ForeignKeySpec {
  name: string;
  table: string;
  columns: string[];
  refTable: string;
}

export interface TableManifest extends TableSpec {
  rows: number;
  /** SHA-256 (hex) over the table's lines, each followed by "\n". */
  sha256: string;
}

export interface MigrationRecord {
  version: number;
  name: string;
  checksum: string;
}

export interface BackupManifest {
  migrations: MigrationRecord[];
  tables: TableManifest[];
}

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  databaseKind: string;
  cipher: 'AES-256-GCM';
  compression: 'gzip';
  kdf: 'HKDF-SHA256';
  kekVersion: number;
  /** The archive key wrapped by the KEK (base64), context BACKUP_KEY_CONTEXT. */
  wrappedKey: string;
  frameSize: number;
  body: { frames: number; bytes: number };
  manifest: BackupManifest;
  /**
   * `data`: every table but the customers' data keys; `keys`: only those keys. They are written
   * and kept apart so that crypto-shredding reaches data archives made before it (their keys are
   * not in them) and key archives when they expire. Absent in archives of earlier releases
   * (which hold both).
   */
  scope?: BackupScope;
}

export type BackupScope = 'data' | 'keys';
/** The tables that hold per-customer data keys: only in key archives. */
export const KEY_TABLES: readonly string[] = ['customer_keys'];

// ---------------------------------------------------------------------------------------------
// Keys, header and frames

export function deriveArchiveKeys(archiveKey: Buffer): { encKey: Buffer; macKey: Buffer } {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', archiveKey, Buffer.alloc(0), Buffer.from(info, 'utf8'), 32));
  return { encKey: derive('custos.backup.v1 body'), macKey: derive('custos.backup.v1 header-mac') };
}

/** magic || u32 length || header JSON: the bytes the MAC covers. */
export function encodeHeader(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([BACKUP_MAGIC, len, json]);
}

export function headerMac(macKey: Buffer, encodedHeader: Buffer): Buffer {
  return createHmac('sha256', macKey).update(encodedHeader).digest();
}

export function macMatches(macKey: Buffer, encodedHeader: Buffer, mac: Buffer): boolean {
  const want = headerMac(macKey, encodedHeader);
  return mac.length === want.length && timingSafeEqual(mac, want);
}

/** Length of the header JSON from the first 13 bytes; throws on a wrong magic or absurd length. */
export function parsePrefix(prefix: Buffer): number {
  if (prefix.length < PREFIX_LENGTH || !prefix.subarray(0, BACKUP_MAGIC.length).equals(BACKUP_MAGIC)) {
    throw new BackupIntegrityError('not a Custos backup archive (bad magic)');
  }
  const len = prefix.readUInt32BE(BACKUP_MAGIC.length);
  if (len === 0 || len > MAX_HEADER_LENGTH) throw new BackupIntegrityError('backup archive header has an invalid length');
  return len;
}

export const PREFIX_BYTES = PREFIX_LENGTH;

/**
 * Parse the header JSON and check its shape. Called only after the MAC matched, but still
 * defensive: nothing later trusts a field that was not checked here.
 */
export function parseHeader(json: Buffer): BackupHeader {
  let h: unknown;
  try {
    h = JSON.parse(json.toString('utf8'));
  } catch {
    throw new BackupIntegrityError('backup archive header is not valid JSON');
  }
  const bad = (what: string): never => {
    throw new BackupIntegrityError(`backup archive header is invalid: ${what}`);
  };
  if (!h || typeof h !== 'object') bad('not an object');
  const o = h as Record<string, unknown>;
  if (o.format !== BACKUP_FORMAT) bad('format');
  if (o.version !== BACKUP_FORMAT_VERSION)
    throw new BackupIntegrityError(
      `unsupported backup format version ${String(o.version)} (this Custos reads version ${BACKUP_FORMAT_VERSION})`,
    );
  if (o.cipher !== 'AES-256-GCM' || o.compression !== 'gzip' || o.kdf !== 'HKDF-SHA256') bad('cipher, compression or kdf');
  if (o.scope !== undefined && o.scope !== 'data' && o.scope !== 'keys') bad('scope');
  if (!Number.isInteger(o.kekVersion) || (o.kekVersion as number) < 1) bad('kekVersion');
  if (typeof o.wrappedKey !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(o.wrappedKey)) bad('wrappedKey');
  if (!Number.isInteger(o.frameSize) || (o.frameSize as number) < 1 || (o.frameSize as number) > MAX_FRAME_SIZE) bad('frameSize');
  const body = o.body as Record<string, unknown> | undefined;
  if (!body || !Number.isInteger(body.frames) || (body.frames as number) < 1 || !Number.isInteger(body.bytes) || (body.bytes as number) < 0)
    bad('body');
  const m = o.manifest as Record<string, unknown> | undefined;
  if (!m || !Array.isArray(m.migrations) || !Array.isArray(m.tables)) bad('manifest');
  for (const t of m!.tables as unknown[]) {
    const tt = t as Record<string, unknown>;
    if (
      !tt ||
      typeof tt.name !== 'string' ||
      !Array.isArray(tt.columns) ||
      !Array.isArray(tt.primaryKey) ||
      !Array.isArray(tt.deferred) ||
      !Number.isInteger(tt.rows) ||
      (tt.rows as number) < 0 ||
      typeof tt.sha256 !== 'string'
    ) {
      bad('manifest table');
    }
  }
  return h as BackupHeader;
}

/** 96-bit IV: 4 zero bytes || u64 frame index. Unique per frame under the per-archive key. */
export function frameIv(index: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64BE(BigInt(index), 4);
  return iv;
}

export function frameAad(index: number, final: boolean): Buffer {
  const aad = Buffer.alloc(BACKUP_MAGIC.length + 9);
  BACKUP_MAGIC.copy(aad, 0);
  aad.writeBigUInt64BE(BigInt(index), BACKUP_MAGIC.length);
  aad[BACKUP_MAGIC.length + 8] = final ? 1 : 0;
  return aad;
}

/** flags || length || ciphertext || tag */
export function sealFrame(encKey: Buffer, index: number, final: boolean, plaintext: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', encKey, frameIv(index));
  c.setAAD(frameAad(index, final));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  const head = Buffer.alloc(FRAME_HEADER_LENGTH);
  head[0] = final ? FINAL : 0;
  head.writeUInt32BE(ct.length, 1);
  return Buffer.concat([head, ct, c.getAuthTag()]);
}

export function parseFrameHeader(head: Buffer, frameSize: number): { final: boolean; length: number } {
  const flags = head[0]!;
  if ((flags & ~FINAL) !== 0) throw new BackupIntegrityError('backup archive frame has unknown flags');
  const length = head.readUInt32BE(1);
  if (length > frameSize) throw new BackupIntegrityError('backup archive frame is larger than the frame size');
  return { final: (flags & FINAL) !== 0, length };
}

export function openFrame(encKey: Buffer, index: number, final: boolean, ciphertext: Buffer, tag: Buffer): Buffer {
  try {
    const d = createDecipheriv('aes-256-gcm', encKey, frameIv(index));
    d.setAAD(frameAad(index, final));
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ciphertext), d.final()]);
  } catch {
    throw new BackupIntegrityError(`backup archive frame ${index} failed authentication (altered, reordered or from another archive)`);
  }
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Table plan

/**
 * Order tables so that every referenced table comes before the tables that reference it.
 * Self-references and cycles are broken by deferring nullable foreign-key columns: those are
 * inserted as NULL and set once every table is in. Deterministic (by table name).
 */
export function planTables(tables: Array<Omit<TableSpec, 'deferred'>>, fks: ForeignKeySpec[]): TableSpec[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const deferred = new Map<string, Set<string>>(tables.map((t) => [t.name, new Set<string>()]));
  const deferredFks = new Set<ForeignKeySpec>();
  const nullable = (fk: ForeignKeySpec) =>
    fk.columns.every((c) => byName.get(fk.table)?.columns.find((x) => x.name === c)?.notNull === false);
  const defer = (fk: ForeignKeySpec) => {
    if (!nullable(fk))
      throw new BackupError(
        `cannot order tables for backup: foreign key ${fk.name} on ${fk.table} is part of a cycle through NOT NULL columns`,
      );
    deferredFks.add(fk);
    for (const c of fk.columns) deferred.get(fk.table)!.add(c);
  };
  const deps = new Map<string, ForeignKeySpec[]>(tables.map((t) => [t.name, []]));
  for (const fk of [...fks].sort((a, b) => a.table.localeCompare(b.table) || a.name.localeCompare(b.name))) {
    if (!byName.has(fk.table) || !byName.has(fk.refTable)) continue;
    if (fk.table === fk.refTable) defer(fk);
    else deps.get(fk.table)!.push(fk);
  }
  const remaining = new Set([...byName.keys()].sort());
  const blocking = (t: string) => deps.get(t)!.filter((fk) => remaining.has(fk.refTable) && !deferredFks.has(fk));
  const order: string[] = [];
  while (remaining.size) {
    const ready = [...remaining].filter((t) => blocking(t).length === 0);
    if (ready.length) {
      for (const t of ready) {
        order.push(t);
        remaining.delete(t);
      }
      continue;
    }
    // A cycle: defer the blocking keys of the first table (by name) whose blocking keys are all nullable.
    const breaker = [...remaining].find((t) => blocking(t).every(nullable));
    if (!breaker)
      throw new BackupError(
        `cannot order tables for backup: a foreign-key cycle through NOT NULL columns among ${[...remaining].join(', ')}`,
      );
    for (const fk of blocking(breaker)) defer(fk);
  }
  return order.map((name) => {
    const t = byName.get(name)!;
    return {
      name,
      columns: t.columns,
      primaryKey: t.primaryKey,
      deferred: t.columns.map((c) => c.name).filter((c) => deferred.get(name)!.has(c)),
    };
  });
}

/**
 * Tables the migrations or core's start-up fill before any use: a database is still "empty"
 * while these hold only such rows (the condition selects rows that show real use), and restore
 * replaces their contents with the archive's.
 */
export const SEEDED_TABLES: Readonly<Record<string, string>> = {
  data_categories: 'NOT built_in OR version <> 1',
  data_category_versions: 'version <> 1',
  // The blind-index key core creates when it starts; nothing is indexed with it while the rest is empty.
  vault_system_keys: 'false',
};

/** Tables that must be truncated before restore: seeded ones with rows, and every table referencing them. */
export function truncationSet(seededWithRows: string[], fks: ForeignKeySpec[]): string[] {
  const out = new Set(seededWithRows);
  let grew = true;
  while (grew) {
    grew = false;
    for (const fk of fks) {
      if (out.has(fk.refTable) && !out.has(fk.table)) {
        out.add(fk.table);
        grew = true;
      }
    }
  }
  return [...out].sort();
}

// ---------------------------------------------------------------------------------------------
// SQL

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const isBytea = (c: ColumnSpec) => c.type === 'bytea';

/**
 * One page of rows in primary-key order after the keyset `$1..$n` (omitted for the first page).
 * Returns `k` (the primary key as text[], for the next page) and `j` (the row as one JSON line:
 * bytea as {"$bytea": base64}, timestamps ISO-8601, arrays and jsonb as JSON, bigint exact).
 */
export function selectPageSql(t: TableSpec, after: boolean, limit: number): string {
  const pk = t.primaryKey.map((c) => `x.${quoteIdent(c)}`);
  const cols = t.columns.map((c) =>
    isBytea(c)
      ? `CASE WHEN x.${quoteIdent(c.name)} IS NULL THEN NULL ELSE jsonb_build_object('$bytea', translate(encode(x.${quoteIdent(c.name)}, 'base64'), E'\\n', '')) END AS ${quoteIdent(c.name)}`
      : `x.${quoteIdent(c.name)}`,
  );
  const typeOf = (name: string) => t.columns.find((c) => c.name === name)!.type;
  const where = after ? `WHERE (${pk.join(', ')}) > (${t.primaryKey.map((c, i) => `$${i + 1}::${typeOf(c)}`).join(', ')})` : '';
  return `SELECT ARRAY[${pk.map((p) => `${p}::text`).join(', ')}]::text[] AS k, to_jsonb(r)::text AS j
    FROM ${quoteIdent(t.name)} x, LATERAL (SELECT ${cols.join(', ')}) r
    ${where} ORDER BY ${pk.join(', ')} LIMIT ${Math.trunc(limit)}`;
}

/** Insert a page of JSON lines, given as one JSON array in $1. Deferred columns go in as NULL. */
export function insertPageSql(t: TableSpec, where?: string): string {
  const bytea = t.columns.filter(isBytea).map((c) => c.name);
  const strip = bytea.length ? ` - ARRAY[${bytea.map((c) => `'${c.replaceAll("'", "''")}'`).join(', ')}]::text[]` : '';
  const values = t.columns.map((c) => {
    if (t.deferred.includes(c.name)) return 'NULL';
    if (isBytea(c)) return `decode(e.r -> '${c.name.replaceAll("'", "''")}' ->> '$bytea', 'base64')`;
    return `p.${quoteIdent(c.name)}`;
  });
  return `INSERT INTO ${quoteIdent(t.name)} (${t.columns.map((c) => quoteIdent(c.name)).join(', ')}) OVERRIDING SYSTEM VALUE
    SELECT ${values.join(', ')}
    FROM jsonb_array_elements($1::jsonb) AS e(r), LATERAL jsonb_populate_record(NULL::${quoteIdent(t.name)}, e.r${strip}) AS p${where ? `\n    WHERE ${where}` : ''}`;
}

export const DEFERRED_TABLE = 'custos_restore_deferred';

/** Keep the rows whose deferred columns are set, to apply them at the end. */
export function stashDeferredSql(t: TableSpec): string {
  const any = t.deferred.map((c) => `e.r ->> '${c.replaceAll("'", "''")}' IS NOT NULL`).join(' OR ');
  return `INSERT INTO ${DEFERRED_TABLE} (tbl, r) SELECT '${t.name.replaceAll("'", "''")}', e.r FROM jsonb_array_elements($1::jsonb) AS e(r) WHERE ${any}`;
}

export function applyDeferredSql(t: TableSpec): string {
  const bytea = t.columns.filter(isBytea).map((c) => c.name);
  const strip = bytea.length ? ` - ARRAY[${bytea.map((c) => `'${c.replaceAll("'", "''")}'`).join(', ')}]::text[]` : '';
  return `UPDATE ${quoteIdent(t.name)} AS x SET ${t.deferred.map((c) => `${quoteIdent(c)} = p.${quoteIdent(c)}`).join(', ')}
    FROM ${DEFERRED_TABLE} AS d, LATERAL jsonb_populate_record(NULL::${quoteIdent(t.name)}, d.r${strip}) AS p
    WHERE d.tbl = '${t.name.replaceAll("'", "''")}' AND ${t.primaryKey.map((c) => `x.${quoteIdent(c)} = p.${quoteIdent(c)}`).join(' AND ')}`;
}

/** Checks the plan can be written and read back: a primary key, not bytea (keyset pagination). */
export function assertBackupable(t: Omit<TableSpec, 'deferred'>): void {
  if (!t.primaryKey.length) throw new BackupError(`table ${t.name} has no primary key: it cannot be backed up in pages`);
  for (const c of t.primaryKey) {
    const col = t.columns.find((x) => x.name === c);
    if (!col || isBytea(col)) throw new BackupError(`table ${t.name}: primary-key column ${c} cannot be used for paging`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the body back

/**
 * Splits the decompressed body into lines and assigns them to the manifest's tables by row
 * count, checking each table's SHA-256 as it completes. Handlers may be async (restore inserts).
 */
export function createBodyConsumer(
  tables: TableManifest[],
  handlers: { row?: (t: TableManifest, line: Buffer) => void | Promise<void>; tableDone?: (t: TableManifest) => void | Promise<void> } = {},
) {
  let ti = 0;
  let seen = 0;
  let hash = createHash('sha256');
  let rest: Buffer = Buffer.alloc(0);
  const NL = Buffer.from('\n');

  async function advance(): Promise<void> {
    while (ti < tables.length && seen === tables[ti]!.rows) {
      const t = tables[ti]!;
      if (hash.digest('hex') !== t.sha256)
        throw new BackupIntegrityError(`backup archive table ${t.name} does not match its manifest checksum`);
      await handlers.tableDone?.(t);
      ti++;
      seen = 0;
      hash = createHash('sha256');
    }
  }

  async function line(buf: Buffer): Promise<void> {
    if (ti >= tables.length) throw new BackupIntegrityError('backup archive has more rows than its manifest lists');
    const t = tables[ti]!;
    hash.update(buf);
    hash.update(NL);
    seen++;
    await handlers.row?.(t, buf);
    await advance();
  }

  return {
    async start(): Promise<void> {
      await advance();
    },
    async push(chunk: Buffer): Promise<void> {
      let data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      let i: number;
      while ((i = data.indexOf(0x0a)) !== -1) {
        await line(data.subarray(0, i));
        data = data.subarray(i + 1);
      }
      rest = Buffer.from(data);
    },
    async end(): Promise<void> {
      if (rest.length) throw new BackupIntegrityError('backup archive body ends in the middle of a row');
      await advance();
      if (ti < tables.length) throw new BackupIntegrityError(`backup archive ends before table ${tables[ti]!.name} is complete`);
    },
  };
}
