import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import { sqlRows, type Database, type Tx } from '../../db/client.js';
import type { AuditService } from '../../audit/audit-service.js';
import type { VerifyResult } from '../../audit/audit-types.js';
import { ConflictError, CustosError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { KeyProviderError, type KeyProvider } from '../../crypto/index.js';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BACKUP_KEY_CONTEXT,
  BackupError,
  BackupIntegrityError,
  DEFAULT_FRAME_SIZE,
  DEFERRED_TABLE,
  FRAME_HEADER_LENGTH,
  MAC_LENGTH,
  MAX_FRAME_SIZE,
  PREFIX_BYTES,
  SEEDED_TABLES,
  TAG_LENGTH,
  applyDeferredSql,
  assertBackupable,
  createBodyConsumer,
  deriveArchiveKeys,
  encodeHeader,
  headerMac,
  insertPageSql,
  macMatches,
  openFrame,
  parseFrameHeader,
  parseHeader,
  parsePrefix,
  planTables,
  quoteIdent,
  sealFrame,
  selectPageSql,
  sha256Hex,
  stashDeferredSql,
  truncationSet,
  type BackupHeader,
  type ColumnSpec,
  type ForeignKeySpec,
  type MigrationRecord,
  type TableManifest,
  type TableSpec,
  KEY_TABLES,
  type BackupScope,
} from './backup-fns.js';

export {
  BackupError,
  BackupIntegrityError,
  BACKUP_KEY_CONTEXT,
  KEY_TABLES,
  type BackupHeader,
  type BackupScope,
  type TableManifest,
} from './backup-fns.js';

/** Rows read per page when writing; rows (or bytes) inserted per statement when restoring. */
const READ_PAGE = 1000;
const INSERT_ROWS = 500;
const INSERT_BYTES = 4 * 1024 * 1024;
const CLAUSES = ['P2.3', 'P4.1'];

export interface BackupServiceDeps {
  database: Database;
  /** The key provider core uses: the archive key is wrapped by its current KEK. */
  keyProvider: KeyProvider;
  audit: AuditService;
  runner: Runner;
}

export interface BackupProgress {
  phase: 'backup' | 'verify' | 'restore';
  table: string;
  /** Rows of this table handled so far. */
  rows: number;
  /** True once the table is complete. */
  done: boolean;
}

export interface BackupResult {
  file: string;
  scope: BackupScope;
  bytes: number;
  createdAt: string;
  kekVersion: number;
  manifestSha256: string;
  rows: number;
  tables: Array<{ name: string; rows: number }>;
}

export interface VerifiedArchive {
  file: string;
  header: BackupHeader;
  manifestSha256: string;
  rows: number;
}

export interface RestoreResult {
  file: string;
  backupCreatedAt: string;
  manifestSha256: string;
  rows: number;
  tables: Array<{ name: string; rows: number }>;
  /** The audit chain as verified after the restore (and after `backup.restored` was chained). */
  audit: VerifyResult;
}

type Query = <R extends Record<string, unknown>>(text: string, params?: unknown[]) => Promise<R[]>;

/** `$1`-style SQL text with parameters, as a drizzle SQL value (bound, never interpolated). */
function bind(text: string, params: unknown[] = []): SQL {
  const chunks: SQL[] = [];
  let last = 0;
  for (const m of text.matchAll(/\$(\d+)/g)) {
    chunks.push(sql.raw(text.slice(last, m.index)));
    chunks.push(sql`${params[Number(m[1]) - 1]}`);
    last = m.index + m[0].length;
  }
  chunks.push(sql.raw(text.slice(last)));
  return sql.join(chunks);
}

const txQuery =
  (tx: Tx): Query =>
  (text, params) =>
    sqlRows(tx, bind(text, params));

interface SchemaInfo {
  tables: TableSpec[];
  fks: ForeignKeySpec[];
  serials: Array<{ table: string; column: string; sequence: string }>;
}

/** Every application table of the current schema (not the migrations register), in dependency order. */
async function inspectSchema(q: Query): Promise<SchemaInfo> {
  const cols = await q<{ table: string; name: string; type: string; not_null: boolean; seq: string | null }>(
    `SELECT c.relname::text AS table, a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) AS seq
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        AND c.relname <> 'custos_schema_migrations'
      ORDER BY c.relname, a.attnum`,
  );
  const pks = await q<{ table: string; name: string }>(
    `SELECT c.relname::text AS table, a.attname::text AS name
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indisprimary AND n.nspname = current_schema()
      ORDER BY c.relname, k.ord`,
  );
  const fkRows = await q<{ name: string; table: string; ref_table: string; columns: string[] }>(
    `SELECT con.conname::text AS name, c.relname::text AS table, f.relname::text AS ref_table,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class f ON f.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE con.contype = 'f' AND n.nspname = current_schema()`,
  );
  const byTable = new Map<string, { columns: ColumnSpec[]; primaryKey: string[] }>();
  const serials: SchemaInfo['serials'] = [];
  for (const c of cols) {
    const t = byTable.get(c.table) ?? { columns: [], primaryKey: [] };
    t.columns.push({ name: c.name, type: c.type, notNull: c.not_null });
    byTable.set(c.table, t);
    if (c.seq) serials.push({ table: c.table, column: c.name, sequence: c.seq });
  }
  for (const p of pks) byTable.get(p.table)?.primaryKey.push(p.name);
  const specs = [...byTable].map(([name, t]) => ({ name, ...t }));
  for (const s of specs) assertBackupable(s);
  const fks = fkRows.map((r) => ({ name: r.name, table: r.table, refTable: r.ref_table, columns: r.columns }));
  return { tables: planTables(specs, fks), fks, serials };
}

async function appliedMigrations(q: Query): Promise<MigrationRecord[]> {
  const rows = await q<{ version: number; name: string; checksum: string }>(
    'SELECT version, name, checksum FROM custos_schema_migrations ORDER BY version',
  );
  return rows.map((r) => ({ version: Number(r.version), name: r.name, checksum: r.checksum }));
}

/** Splits the gzip stream into frames of `frameSize` plaintext bytes; the last one is marked final. */
class FrameSealer extends Transform {
  frames = 0;
  bytes = 0;
  #parts: Buffer[] = [];
  #size = 0;
  constructor(
    private readonly encKey: Buffer,
    private readonly frameSize: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#parts.push(chunk);
    this.#size += chunk.length;
    // Keep at least one byte back, so the final frame is never a frame that was already sent.
    while (this.#size > this.frameSize) {
      const all = Buffer.concat(this.#parts);
      this.#seal(all.subarray(0, this.frameSize), false);
      const rest = all.subarray(this.frameSize);
      this.#parts = [rest];
      this.#size = rest.length;
    }
    cb();
  }
  override _flush(cb: TransformCallback): void {
    this.#seal(Buffer.concat(this.#parts), true);
    this.#parts = [];
    cb();
  }
  #seal(plaintext: Buffer, final: boolean): void {
    const f = sealFrame(this.encKey, this.frames++, final, plaintext);
    this.bytes += f.length;
    this.push(f);
  }
}

function fileError(e: unknown, file: string): unknown {
  if (e instanceof CustosError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.syscall === 'string')
    return new BackupError(`${path.basename(file)}: ${err.code} (${err.syscall})`);
  return e;
}

async function removeQuietly(file: string): Promise<void> {
  await fsp.rm(file, { force: true }).catch(() => {});
}

/**
 * Encrypted, integrity-protected backups (P4.1, P2.3). An archive holds every application
 * table, row by row, encrypted under a per-archive key that the current KEK wraps: it can only
 * be restored where the same key provider (KEK) is available. Crypto-shredded customers stay
 * shredded: their wrapped data keys are already gone from the rows that are copied.
 */
export function createBackupService(deps: BackupServiceDeps) {
  const { database, keyProvider, audit, runner } = deps;

  /** Read and authenticate the header; returns the keys and where the body starts. */
  async function openArchive(fh: fsp.FileHandle, file: string) {
    const { size } = await fh.stat();
    const readAt = async (pos: number, len: number): Promise<Buffer> => {
      if (pos + len > size) throw new BackupIntegrityError('backup archive is truncated');
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      if (bytesRead !== len) throw new BackupIntegrityError('backup archive is truncated');
      return buf;
    };
    const prefix = await readAt(0, PREFIX_BYTES);
    const headerLength = parsePrefix(prefix);
    const json = await readAt(PREFIX_BYTES, headerLength);
    const mac = await readAt(PREFIX_BYTES + headerLength, MAC_LENGTH);
    const header = parseHeader(json);
    let archiveKey: Buffer;
    try {
      archiveKey = await keyProvider.unwrap(Buffer.from(header.wrappedKey, 'base64'), header.kekVersion, BACKUP_KEY_CONTEXT);
    } catch (e) {
      if (e instanceof KeyProviderError) {
        throw new BackupError(
          `the archive key cannot be unwrapped: ${e.message}. An archive can only be restored with the key provider (KEK) of the installation that wrote it`,
        );
      }
      throw new BackupIntegrityError(
        'the archive key cannot be unwrapped: the archive was altered, or it was written under another key provider (KEK); restore needs the KEK of the installation that wrote it',
      );
    }
    const { encKey, macKey } = deriveArchiveKeys(archiveKey);
    archiveKey.fill(0);
    const encoded = Buffer.concat([prefix, json]);
    if (!macMatches(macKey, encoded, mac)) throw new BackupIntegrityError('backup archive header or manifest was altered (MAC mismatch)');
    const bodyStart = PREFIX_BYTES + headerLength + MAC_LENGTH;
    if (size !== bodyStart + header.body.bytes) {
      throw new BackupIntegrityError(
        size < bodyStart + header.body.bytes ? 'backup archive is truncated' : 'backup archive has data after its end',
      );
    }
    if (header.frameSize > MAX_FRAME_SIZE) throw new BackupIntegrityError('backup archive frame size is too large');
    return { header, encKey, bodyStart, size, manifestSha256: sha256Hex(json), file };
  }

  type Opened = Awaited<ReturnType<typeof openArchive>>;

  /** Decrypted frames in order; every frame authenticated, the last one must be final and end the file. */
  async function* frames(fh: fsp.FileHandle, a: Opened): AsyncGenerator<Buffer> {
    let pos = a.bodyStart;
    for (let index = 0; ; index++) {
      if (index >= a.header.body.frames) throw new BackupIntegrityError('backup archive has more frames than its header lists');
      if (pos + FRAME_HEADER_LENGTH > a.size) throw new BackupIntegrityError('backup archive is truncated: the final frame is missing');
      const head = Buffer.alloc(FRAME_HEADER_LENGTH);
      await fh.read(head, 0, FRAME_HEADER_LENGTH, pos);
      const { final, length } = parseFrameHeader(head, a.header.frameSize);
      if (pos + FRAME_HEADER_LENGTH + length + TAG_LENGTH > a.size)
        throw new BackupIntegrityError('backup archive is truncated inside a frame');
      const body = Buffer.alloc(length + TAG_LENGTH);
      const { bytesRead } = await fh.read(body, 0, body.length, pos + FRAME_HEADER_LENGTH);
      if (bytesRead !== body.length) throw new BackupIntegrityError('backup archive is truncated inside a frame');
      yield openFrame(a.encKey, index, final, body.subarray(0, length), body.subarray(length));
      pos += FRAME_HEADER_LENGTH + length + TAG_LENGTH;
      if (final) {
        if (index + 1 !== a.header.body.frames) throw new BackupIntegrityError('backup archive frame count does not match its header');
        if (pos !== a.size) throw new BackupIntegrityError('backup archive has data after its final frame');
        return;
      }
    }
  }

  /** Stream the body through gunzip into the consumer; archive damage surfaces as BackupIntegrityError. */
  async function readBody(fh: fsp.FileHandle, a: Opened, consumer: ReturnType<typeof createBodyConsumer>): Promise<void> {
    await consumer.start();
    try {
      await pipeline(Readable.from(frames(fh, a)), createGunzip(), async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) await consumer.push(chunk);
      });
    } catch (e) {
      if (typeof (e as { code?: unknown }).code === 'string' && String((e as { code: string }).code).startsWith('Z_')) {
        throw new BackupIntegrityError('backup archive body cannot be decompressed');
      }
      throw e;
    }
    await consumer.end();
  }

  async function withArchive<T>(file: string, fn: (fh: fsp.FileHandle) => Promise<T>): Promise<T> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, 'r');
    } catch (e) {
      throw fileError(e, file);
    }
    try {
      return await fn(fh);
    } finally {
      await fh.close();
    }
  }

  /** Pass one: authenticate the header and every frame, and check every table's count and checksum. Writes nothing. */
  async function verifyArchive(file: string, opts: { onProgress?: (p: BackupProgress) => void } = {}): Promise<VerifiedArchive> {
    return withArchive(file, async (fh) => {
      const a = await openArchive(fh, file);
      try {
        let rows = 0;
        const counts = new Map<string, number>();
        await readBody(
          fh,
          a,
          createBodyConsumer(a.header.manifest.tables, {
            row: (t) => {
              const n = (counts.get(t.name) ?? 0) + 1;
              counts.set(t.name, n);
              if (n % 100_000 === 0) opts.onProgress?.({ phase: 'verify', table: t.name, rows: n, done: false });
            },
            tableDone: (t) => {
              rows += t.rows;
              opts.onProgress?.({ phase: 'verify', table: t.name, rows: t.rows, done: true });
            },
          }),
        );
        return { file: path.basename(file), header: a.header, manifestSha256: a.manifestSha256, rows };
      } finally {
        a.encKey.fill(0);
      }
    });
  }

  /** The tables an archive of this scope holds (all of them for archives of earlier releases). */
  function inScope<T extends { name: string }>(tables: T[], scope: BackupScope | undefined): T[] {
    if (scope === 'keys') return tables.filter((t) => KEY_TABLES.includes(t.name));
    if (scope === 'data') return tables.filter((t) => !KEY_TABLES.includes(t.name));
    return tables;
  }

  /** Tables (of the manifest) that hold rows showing use; seeded tables may hold only their seed. */
  async function tablesInUse(q: Query, tables: TableSpec[]): Promise<string[]> {
    const out: string[] = [];
    for (const t of tables) {
      const cond = SEEDED_TABLES[t.name] ?? 'true';
      const r = await q<{ used: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quoteIdent(t.name)} WHERE ${cond}) AS used`);
      if (r[0]?.used) out.push(t.name);
    }
    return out;
  }

  /** Same migrations, same tables and columns, and no data: otherwise restore refuses. */
  async function checkTarget(q: Query, header: BackupHeader): Promise<SchemaInfo> {
    const have = await appliedMigrations(q);
    const want = header.manifest.migrations;
    const key = (m: MigrationRecord) => `${m.version}:${m.name}:${m.checksum}`;
    if (have.length !== want.length || have.some((m, i) => key(m) !== key(want[i]!))) {
      const diff = [
        ...want.filter((m) => !have.some((h) => key(h) === key(m))).map((m) => `archive has ${m.name}`),
        ...have.filter((h) => !want.some((m) => key(h) === key(m))).map((h) => `database has ${h.name}`),
      ];
      throw new ConflictError(
        `the database's migrations differ from the archive's (${diff.join('; ')}); restore into a database at the same schema version`,
        CLAUSES,
      );
    }
    const schema = await inspectSchema(q);
    const sig = (t: { name: string; columns: ColumnSpec[] }) => `${t.name}(${t.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`;
    const wantSigs = new Set(header.manifest.tables.map(sig));
    const haveSigs = new Set(inScope(schema.tables, header.scope).map(sig));
    const differs = [...wantSigs].filter((s) => !haveSigs.has(s)).concat([...haveSigs].filter((s) => !wantSigs.has(s)));
    if (differs.length)
      throw new ConflictError(
        `the database's tables differ from the archive's: ${differs.map((s) => s.slice(0, s.indexOf('('))).join(', ')}`,
        CLAUSES,
      );
    if (header.scope === 'keys') {
      // Keys go into the database their data archive was restored into: only the key tables must be empty.
      const used = await tablesInUse(q, inScope(schema.tables, 'keys'));
      if (used.length)
        throw new ConflictError(
          `the database already holds customer keys (${used.join(', ')}); restore keys only once, after the data`,
          CLAUSES,
        );
      return schema;
    }
    const used = await tablesInUse(q, schema.tables);
    if (used.length) {
      throw new ConflictError(
        `the database is not empty (rows in ${used.join(', ')}); restore needs a freshly migrated database with no data`,
        CLAUSES,
      );
    }
    return schema;
  }

  return {
    verifyArchive,

    /**
     * Write an archive of every application table, read in one repeatable-read snapshot. The
     * file appears (renamed into place) only after `backup.created` has committed.
     */
    async create(
      actor: Actor,
      opts: { file: string; scope?: BackupScope; frameSize?: number; onProgress?: (p: BackupProgress) => void },
    ): Promise<BackupResult> {
      const scope: BackupScope = opts.scope ?? 'data';
      await runner.check(actor, OPERATIONS.createBackup);
      const frameSize = opts.frameSize ?? DEFAULT_FRAME_SIZE;
      if (!Number.isInteger(frameSize) || frameSize < 1 || frameSize > MAX_FRAME_SIZE)
        throw new BackupError(`frame size must be 1..${MAX_FRAME_SIZE} bytes`);
      const target = path.resolve(opts.file);
      const base = path.basename(target);
      if (fs.existsSync(target)) throw new ConflictError(`${base} already exists; back up into a new file`, CLAUSES);
      const tag = randomBytes(6).toString('hex');
      const bodyTmp = path.join(path.dirname(target), `.${base}.${tag}.body`);
      const partial = path.join(path.dirname(target), `.${base}.${tag}.partial`);
      // Chain what is committed, so the archive holds a chained log up to now.
      await audit.flush();
      const archiveKey = randomBytes(32);
      let wrapped;
      try {
        wrapped = await keyProvider.wrap(archiveKey, BACKUP_KEY_CONTEXT);
      } catch (e) {
        archiveKey.fill(0);
        throw new BackupError(`the archive key cannot be wrapped by the key provider: ${(e as Error).message}`);
      }
      const { encKey, macKey } = deriveArchiveKeys(archiveKey);
      archiveKey.fill(0);
      try {
        const result = await runner.run(actor, OPERATIONS.createBackup, async ({ tx, audit: write }) => {
          await tx.execute(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
          const q = txQuery(tx);
          const schema = await inspectSchema(q);
          const migrations = await appliedMigrations(q);
          const createdAt = new Date().toISOString();
          const tables: TableManifest[] = [];
          const archived = inScope(schema.tables, scope);
          async function* lines(): AsyncGenerator<Buffer> {
            for (const t of archived) {
              const hash = createHash('sha256');
              let rows = 0;
              let after: string[] | null = null;
              const first = selectPageSql(t, false, READ_PAGE);
              const next = selectPageSql(t, true, READ_PAGE);
              for (;;) {
                const page: Array<{ k: string[]; j: string }> = await q<{ k: string[]; j: string }>(after ? next : first, after ?? []);
                if (!page.length) break;
                const buf = Buffer.from(page.map((r) => r.j + '\n').join(''), 'utf8');
                hash.update(buf);
                rows += page.length;
                after = page[page.length - 1]!.k;
                yield buf;
                if (page.length < READ_PAGE) break;
                if (rows % 100_000 === 0) opts.onProgress?.({ phase: 'backup', table: t.name, rows, done: false });
              }
              tables.push({ ...t, rows, sha256: hash.digest('hex') });
              opts.onProgress?.({ phase: 'backup', table: t.name, rows, done: true });
            }
          }
          const sealer = new FrameSealer(encKey, frameSize);
          try {
            await pipeline(Readable.from(lines()), createGzip(), sealer, fs.createWriteStream(bodyTmp, { flags: 'wx', mode: 0o600 }));
          } catch (e) {
            throw fileError(e, target);
          }
          const header: BackupHeader = {
            format: BACKUP_FORMAT,
            version: BACKUP_FORMAT_VERSION,
            createdAt,
            databaseKind: database.kind,
            cipher: 'AES-256-GCM',
            compression: 'gzip',
            kdf: 'HKDF-SHA256',
            kekVersion: wrapped.kekVersion,
            wrappedKey: wrapped.wrapped.toString('base64'),
            frameSize,
            body: { frames: sealer.frames, bytes: sealer.bytes },
            manifest: { migrations, tables },
            scope,
          };
          const encoded = encodeHeader(header);
          const mac = headerMac(macKey, encoded);
          try {
            await pipeline(
              async function* () {
                yield encoded;
                yield mac;
                yield* fs.createReadStream(bodyTmp);
              },
              fs.createWriteStream(partial, { flags: 'wx', mode: 0o600 }),
            );
            const out = await fsp.open(partial, 'r');
            await out.sync();
            await out.close();
          } catch (e) {
            throw fileError(e, target);
          }
          const manifestSha256 = sha256Hex(encoded.subarray(PREFIX_BYTES));
          const rows = tables.reduce((n, t) => n + t.rows, 0);
          const bytes = encoded.length + mac.length + sealer.bytes;
          await write({
            action: 'backup.created',
            resourceType: 'backup',
            resourceId: manifestSha256,
            clauses: CLAUSES,
            details: {
              file: base,
              scope,
              tables: tables.length,
              rows,
              bytes,
              manifestSha256,
              kekVersion: wrapped.kekVersion,
              auditEvents: tables.find((t) => t.name === 'audit_events')?.rows ?? 0,
            },
          });
          return {
            file: target,
            scope,
            bytes,
            createdAt,
            kekVersion: wrapped.kekVersion,
            manifestSha256,
            rows,
            tables: tables.map((t) => ({ name: t.name, rows: t.rows })),
          };
        });
        try {
          await fsp.rename(partial, target);
        } catch (e) {
          throw fileError(e, target);
        }
        return result;
      } finally {
        encKey.fill(0);
        macKey.fill(0);
        await removeQuietly(bodyTmp);
        await removeQuietly(partial);
      }
    },

    /**
     * Restore an archive into an empty database (same migrations, no data). The whole archive is
     * verified first (header MAC, every frame, every table's checksum); then every row is
     * inserted as-is in one transaction, sequences are moved past the restored ids, and
     * `backup.restored` is recorded after the restored audit chain. Finally the chain is verified.
     *
     * Processes that had the database open before (including the caller's core) cache the
     * vault's blind-index key: restart them after a restore.
     */
    async restore(actor: Actor, opts: { file: string; onProgress?: (p: BackupProgress) => void }): Promise<RestoreResult> {
      await runner.check(actor, OPERATIONS.restoreBackup);
      const verified = await verifyArchive(opts.file, opts.onProgress ? { onProgress: opts.onProgress } : {});
      const { header } = verified;
      await checkTarget(database.query, header);
      await withArchive(opts.file, async (fh) => {
        const a = await openArchive(fh, opts.file);
        if (a.manifestSha256 !== verified.manifestSha256)
          throw new BackupIntegrityError('backup archive changed while it was being restored');
        try {
          await runner.run(actor, OPERATIONS.restoreBackup, async ({ tx, audit: write }) => {
            const q = txQuery(tx);
            const tables = a.header.manifest.tables;
            // Nobody else writes while we restore; then check again, inside the transaction.
            await q(`LOCK TABLE ${tables.map((t) => quoteIdent(t.name)).join(', ')} IN ACCESS EXCLUSIVE MODE`);
            const schema = await checkTarget(q, a.header);
            const seededWithRows: string[] = [];
            for (const name of Object.keys(SEEDED_TABLES)) {
              if (!tables.some((t) => t.name === name)) continue;
              const r = await q<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quoteIdent(name)}) AS any`);
              if (r[0]?.any) seededWithRows.push(name);
            }
            const truncate = truncationSet(seededWithRows, schema.fks);
            if (truncate.length) await q(`TRUNCATE ${truncate.map(quoteIdent).join(', ')}`);
            const withDeferred = tables.filter((t) => t.deferred.length);
            if (withDeferred.length) await q(`CREATE TEMP TABLE ${DEFERRED_TABLE} (tbl text NOT NULL, r jsonb NOT NULL) ON COMMIT DROP`);

            let page: Buffer[] = [];
            let pageBytes = 0;
            let inTable = 0;
            const flush = async (t: TableManifest) => {
              if (!page.length) return;
              const json = '[' + Buffer.concat(page.flatMap((l, i) => (i ? [Buffer.from(','), l] : [l]))).toString('utf8') + ']';
              page = [];
              pageBytes = 0;
              // A key whose customer is not in the restored data (made after the data archive) is left out.
              await q(
                insertPageSql(t, a.header.scope === 'keys' ? 'EXISTS (SELECT 1 FROM customers c WHERE c.id = p.customer_id)' : undefined),
                [json],
              );
              if (t.deferred.length) await q(stashDeferredSql(t), [json]);
            };
            await readBody(
              fh,
              a,
              createBodyConsumer(tables, {
                row: async (t, line) => {
                  page.push(Buffer.from(line));
                  pageBytes += line.length + 1;
                  inTable++;
                  if (page.length >= INSERT_ROWS || pageBytes >= INSERT_BYTES) await flush(t);
                  if (inTable % 100_000 === 0) opts.onProgress?.({ phase: 'restore', table: t.name, rows: inTable, done: false });
                },
                tableDone: async (t) => {
                  await flush(t);
                  inTable = 0;
                  opts.onProgress?.({ phase: 'restore', table: t.name, rows: t.rows, done: true });
                },
              }),
            );
            for (const t of withDeferred) await q(applyDeferredSql(t));
            for (const s of schema.serials) {
              await q(
                `SELECT setval($1::regclass, coalesce(max(${quoteIdent(s.column)}), 1), max(${quoteIdent(s.column)}) IS NOT NULL) FROM ${quoteIdent(s.table)}`,
                [s.sequence],
              );
            }
            await write({
              action: 'backup.restored',
              resourceType: 'backup',
              resourceId: a.manifestSha256,
              clauses: CLAUSES,
              details: {
                file: path.basename(opts.file),
                scope: a.header.scope ?? 'full',
                backupCreatedAt: a.header.createdAt,
                tables: tables.length,
                rows: verified.rows,
                manifestSha256: a.manifestSha256,
                kekVersion: a.header.kekVersion,
                auditEvents: tables.find((t) => t.name === 'audit_events')?.rows ?? 0,
              },
            });
          });
        } finally {
          a.encKey.fill(0);
        }
      });
      const result = await audit.verify();
      return {
        file: verified.file,
        backupCreatedAt: header.createdAt,
        manifestSha256: verified.manifestSha256,
        rows: verified.rows,
        tables: header.manifest.tables.map((t) => ({ name: t.name, rows: t.rows })),
        audit: result,
      };
    },
  };
}

export type BackupService = ReturnType<typeof createBackupService>;
