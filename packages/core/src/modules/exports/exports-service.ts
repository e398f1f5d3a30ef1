import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { and, desc, eq, or } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import { decryptField, fieldAad } from '../../crypto/index.js';
import { rawRows, type Database, type Tx } from '../../db/client.js';
import { departmentUsePurposes, exportsTable, grantAccesses, grants } from '../../db/schema.js';
import { CustosError, ForbiddenError, NotFoundError, PolicyViolationError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { PiMaskPolicy } from '../../pi-types/types.js';
import type { Runner } from '../../runner.js';
import { parseInput } from '../../validation.js';
import type { AuditService } from '../../audit/audit-service.js';
import { decide, stateKey, type StateRow } from '../consent/consent-fns.js';
import type { CachedPurpose, PolicyCache } from '../consent/consent-cache.js';
import { priorResponse, recordIdempotencyKey, requestHash } from '../collection/idempotency-repo.js';
import type { Keyring } from '../customers/keyring.js';
import type { ProcessingRecordsService } from '../processing-records/processing-records-service.js';
import {
  applyOperator,
  assessNode,
  configuredLevels,
  encodeForSpec,
  planEncodedRelease,
  releaseColumns,
  suppressedRecords,
  type DataRecord,
  type DatasetSpec,
  type NodeAssessment,
  type ReleaseColumn,
} from '../deidentify/index.js';
import { grantRefusal } from '../use/use-fns.js';
import type { CustomerScope } from '../use/use-types.js';
import { createXlsxWriter, csvLine, fileHeader, FRAME_BYTES, openFrames, sealFrame } from './exports-fns.js';
import {
  createExportInput,
  previewInput,
  type CreateExportInput,
  type ExportPreview,
  type ExportRecord,
  type PreviewInput,
} from './exports-types.js';

type GrantRow = typeof grants.$inferSelect;
type ExportRow = typeof exportsTable.$inferSelect;

export interface ExportsDeps {
  runner: Runner;
  database: Database;
  audit: AuditService;
  keyring: Keyring;
  policy: PolicyCache;
  maskPolicy: PiMaskPolicy;
  /** Where export files rest (encrypted) until their one-time download. */
  exportDir: string;
  /** How long a download link works. */
  linkMinutes: number;
  /** Customers read per query while streaming (memory stays flat). */
  batchSize?: number;
  /** The processing-records register (P6.1): every file that leaves the vault is entered there. */
  processingRecords?: ProcessingRecordsService;
}

/** Another request with the same Idempotency-Key committed first: roll back, then answer with its response. */
class IdempotentReplay extends CustosError {
  readonly status = 409;
  readonly code = 'idempotent_replay';
  constructor() {
    super('replay');
  }
}

/** A file handed out through a one-time link. */
export interface DownloadedFile {
  filename: string;
  contentType: string;
  bytes: number;
  sha256: string;
  stream: Readable;
}

/** A one-time link that was used, or has expired (410). */
export class ExportLinkGoneError extends CustosError {
  readonly status = 410;
  constructor(
    message: string,
    readonly code: 'export_link_used' | 'export_link_expired',
  ) {
    super(message, ['P5.3']);
  }
}

interface Included {
  customerId: string;
  values: Record<string, string | null>;
}

interface Counts {
  inScope: number;
  included: number;
  excludedNoConsent: number;
  /** SHA-256 over the included customers' ids, in id order (the processing record's customer list). */
  idsHash?: ReturnType<typeof createHash>;
}

/** Who is read: the purpose's customers in a scope, with the separate consents each must hold. */
export interface Population {
  purposeCode: string;
  customerScope: CustomerScope;
  /** Each group: one of these separate-consent categories (e.g. `sharing:<recipient id>`) must be granted. */
  requireSeparate?: string[][];
}

/** A de-identified file written by `internal.produce`. */
export interface ProducedFile {
  counts: { inScope: number; included: number; excludedNoConsent: number };
  customerIdsHash: string;
  assessment: NodeAssessment;
  rows: number;
  sha256: string;
  bytes: number;
}

const sha256hex = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
/** A driver's bytea value as a Buffer, without copying it. */
const asBuffer = (u: Uint8Array) => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/**
 * Risk-checked exports (P5.3) under a use grant (P5.1, P5.2): the population is the grant's
 * customers whose consent (or the purpose's other legal basis) covers every exported field; the
 * spec's operators de-identify each value; k-anonymity and l-diversity are measured over the whole
 * population before anything is released, and the release is refused below the target. Files are
 * written in constant memory, rest encrypted, and are downloaded once through a link that expires.
 */
export function createExportsService(deps: ExportsDeps) {
  const { runner, keyring, policy, maskPolicy } = deps;
  const batchSize = deps.batchSize ?? 2000;
  mkdirSync(deps.exportDir, { recursive: true, mode: 0o700 });

  // Keys derived from the vault's index key: one for pseudonyms, one per export file.
  let derived: Promise<{ pseudonym: Buffer; files: Buffer }> | null = null;
  function keys() {
    return (derived ??= keyring.blindIndexKey().then((k) => ({
      pseudonym: createHmac('sha256', k).update('custos-export-pseudonym-v1').digest(),
      files: createHmac('sha256', k).update('custos-export-file-v1').digest(),
    })));
  }
  const fileKey = async (exportId: string) =>
    createHmac('sha256', (await keys()).files)
      .update(exportId)
      .digest();
  const filePath = (exportId: string) => path.join(deps.exportDir, `${exportId}.cxf`);

  /** The grant, if the caller may use it for an export of these fields (404 when it is not theirs to see). */
  async function exportGrant(tx: Tx, actor: Actor, grantId: string, fields: readonly string[]): Promise<GrantRow> {
    const g = (await tx.select().from(grants).where(eq(grants.id, grantId)))[0];
    const mine = g && actor.departmentId !== null && (g.departmentId === actor.departmentId || g.holderId === actor.userId);
    if (!g || !mine) throw new NotFoundError('grant not found', g ? { resourceType: 'grant', resourceId: grantId } : undefined);
    // P5.1: the department must still hold the purpose the grant was given for.
    const held = await tx
      .select()
      .from(departmentUsePurposes)
      .where(and(eq(departmentUsePurposes.departmentId, g.departmentId), eq(departmentUsePurposes.purpose, g.purposeCode)));
    if (!held.length) throw new ForbiddenError(`the department is not assigned the purpose ${g.purposeCode}`, 'purpose', ['P5.1']);
    const outside = fields.filter((f) => !g.fields.includes(f));
    if (outside.length)
      throw new PolicyViolationError(
        'fields outside the grant',
        outside.map((field) => ({ field, reason: 'fields_outside_grant' })),
        ['P5.1', 'P5.2'],
      );
    // The export's customers are the grant's own scope, so only status, period and method are checked here.
    const why = grantRefusal(
      { ...g, status: g.status, customerScope: { kind: 'all' } },
      { purposeCode: g.purposeCode, fields, customerId: null, method: 'export' },
      Date.now(),
    );
    if (why) throw new ForbiddenError(`the grant does not allow this export (${why})`, 'grant', ['P5.1', 'P5.2']);
    return g;
  }

  async function activePurpose(tx: Tx, code: string): Promise<CachedPurpose> {
    const p = (await policy.activePurposes(tx)).get(code);
    if (!p) throw new PolicyViolationError('the purpose is not active', [{ field: 'purposeCode', reason: 'purpose_not_active' }], ['P5.1']);
    return p;
  }

  /**
   * The grant's active customers in id order, a batch at a time, decrypted for `fields`, keeping
   * only those whose consent (or the purpose's other legal basis) covers every field.
   */
  async function* population(tx: Tx, g: Population, purpose: CachedPurpose, fields: readonly string[], counts: Counts) {
    const list = g.customerScope.kind === 'list' ? g.customerScope.ids : null;
    const separate = g.requireSeparate ?? [];
    const needsConsent = purpose.legalBasis === 'consent' || separate.length > 0;
    const categories = [...fields, ...separate.flat()];
    let after = '00000000-0000-0000-0000-000000000000';
    const now = Date.now();
    for (;;) {
      const keyRows = await rawRows<{
        id: string;
        data_key_version: number;
        suite: string;
        kek_version: number | null;
        wrapped_key: Uint8Array | null;
      }>(
        tx,
        `SELECT c.id, k.data_key_version, k.suite, k.kek_version, k.wrapped_key
           FROM customers c JOIN customer_keys k ON k.customer_id = c.id
          WHERE c.status = 'active' AND c.id > $1 AND k.customer_id > $1${list ? ' AND c.id = ANY($3::uuid[])' : ''}
          ORDER BY c.id LIMIT $2`,
        list ? [after, batchSize, list] : [after, batchSize],
      );
      if (!keyRows.length) return;
      after = keyRows[keyRows.length - 1]!.id;
      counts.inScope += keyRows.length;
      let ids = keyRows.map((r) => r.id);
      if (needsConsent) {
        const stateRows = await rawRows<{
          customer_id: string;
          category: string;
          status: 'granted' | 'withdrawn';
          separate: boolean;
          purpose_version: number;
          expires_at: Date | string | null;
        }>(
          tx,
          `SELECT customer_id, category, status, separate, purpose_version, expires_at FROM consent_state
            WHERE customer_id = ANY($1::uuid[]) AND purpose_code = $2 AND category = ANY($3::text[])`,
          [ids, g.purposeCode, categories],
        );
        const byKey = new Map<string, StateRow>();
        for (const s of stateRows)
          byKey.set(`${s.customer_id}\u0000${stateKey(g.purposeCode, s.category)}`, {
            purposeCode: g.purposeCode,
            category: s.category,
            status: s.status,
            separate: s.separate,
            purposeVersion: s.purpose_version,
            consentId: '',
            givenAt: new Date(0),
            withdrawnAt: null,
            expiresAt: s.expires_at === null ? null : new Date(s.expires_at),
          });
        const state = (id: string, category: string) => byKey.get(`${id}\u0000${stateKey(g.purposeCode, category)}`);
        // A separate consent (sharing / cross-border, PIPL Art. 23, 39) counts while granted and unexpired.
        const separateHeld = (id: string, category: string) => {
          const r = state(id, category);
          return r !== undefined && r.status === 'granted' && (!r.expiresAt || r.expiresAt.getTime() > now);
        };
        ids = ids.filter(
          (id) =>
            fields.every((f) => decide(purpose, state(id, f), f, now).allow) &&
            separate.every((group) => group.some((category) => separateHeld(id, category))),
        );
      }
      counts.excludedNoConsent += keyRows.length - ids.length;
      counts.included += ids.length;
      for (const id of ids) counts.idsHash?.update(id);
      if (!ids.length) continue;
      const fieldRows = await rawRows<{ customer_id: string; category_code: string; ciphertext: Uint8Array; data_key_version: number }>(
        tx,
        `SELECT customer_id, category_code, ciphertext, data_key_version FROM customer_fields
          WHERE customer_id = ANY($1::uuid[]) AND category_code = ANY($2::text[])`,
        [ids, fields],
      );
      const byCustomer = new Map<string, typeof fieldRows>();
      for (const r of fieldRows) {
        const l = byCustomer.get(r.customer_id);
        if (l) l.push(r);
        else byCustomer.set(r.customer_id, [r]);
      }
      const keyOf = new Map(keyRows.map((k) => [k.id, k]));
      const batch: Included[] = [];
      for (const id of ids) {
        const k = keyOf.get(id)!;
        const values: Record<string, string | null> = {};
        for (const f of fields) values[f] = null;
        const rows = byCustomer.get(id);
        if (rows) {
          const dataKey = await keyring.customerKey({
            customerId: id,
            dataKeyVersion: k.data_key_version,
            suite: k.suite,
            kekVersion: k.kek_version,
            wrappedKey: k.wrapped_key ? asBuffer(k.wrapped_key) : null,
          });
          if (!dataKey) continue;
          for (const r of rows) {
            const ct = asBuffer(r.ciphertext);
            values[r.category_code] = decryptField(
              keyring.suiteFor(ct),
              dataKey,
              ct,
              fieldAad({ customerId: id, field: r.category_code, keyVersion: r.data_key_version }),
            );
          }
        }
        batch.push({ customerId: id, values });
      }
      yield batch;
    }
  }

  const specFields = (spec: DatasetSpec) => spec.columns.map((c) => c.field);
  const measured = (spec: DatasetSpec) => spec.columns.filter((c) => c.role === 'quasi_identifier' || c.role === 'sensitive');
  const qiFields = (spec: DatasetSpec) => spec.columns.filter((c) => c.role === 'quasi_identifier').map((c) => c.field);

  /** Levels per quasi-identifier: those asked for, else the spec's configured ones; unknown fields refused. */
  function chosenLevels(spec: DatasetSpec, asked: Record<string, number> | undefined): Record<string, number> {
    const qis = qiFields(spec);
    const configured = configuredLevels(spec);
    const unknown = Object.keys(asked ?? {}).filter((f) => !qis.includes(f));
    if (unknown.length)
      throw new PolicyViolationError(
        'levels for fields that are not quasi-identifiers',
        unknown.map((field) => ({ field, reason: 'not_quasi_identifier' })),
        ['P5.3'],
      );
    return Object.fromEntries(qis.map((f, i) => [f, asked?.[f] ?? configured[i] ?? 0]));
  }

  /** The measurement of a release with no quasi-identifiers: one class of every released record. */
  function trivialAssessment(n: number, spec: DatasetSpec): NodeAssessment {
    return assessNode(
      encodeForSpec(new Array<DataRecord>(n).fill({}), { ...spec, columns: spec.columns.filter((c) => c.role !== 'sensitive') }),
      [],
      spec.privacyModel,
    );
  }

  /** Smallest class and least diversity at these levels before any suppression (what the data is). */
  function rawMeasure(
    encoded: ReturnType<typeof encodeForSpec>,
    levels: number[],
    spec: DatasetSpec,
  ): { k: number | null; l: number | null } {
    const a = assessNode(encoded, levels, { k: 1, maxSuppression: 0, ...(spec.privacyModel.l !== undefined ? { l: 1 } : {}) });
    return { k: a.k, l: a.l };
  }

  function refusal(a: NodeAssessment, raw: { k: number | null; l: number | null }, spec: DatasetSpec): PolicyViolationError {
    const m = spec.privacyModel;
    const problems = [];
    if (raw.k === null || raw.k < m.k) problems.push({ field: 'privacyModel.k', reason: 'k_not_met' });
    if (m.l !== undefined && (raw.l === null || raw.l < m.l)) problems.push({ field: 'privacyModel.l', reason: 'l_not_met' });
    return new PolicyViolationError(
      `the release does not meet k=${m.k}${m.l ? ` / l=${m.l}` : ''}: the smallest class has ${raw.k ?? 0} records${raw.l !== null ? `, the least diverse ${raw.l} values` : ''}; ` +
        `${a.suppressedRecords} records would have to be suppressed, ${a.maxSuppressedRecords} are allowed`,
      problems,
      ['P5.3'],
    );
  }

  function view(r: ExportRow, downloadPath?: string): ExportRecord {
    const status = r.downloadedAt ? 'downloaded' : r.expiresAt.getTime() <= Date.now() ? 'expired' : 'ready';
    return {
      id: r.id,
      grantId: r.grantId,
      purposeCode: r.purposeCode,
      recipient: r.recipient,
      format: r.format,
      status,
      spec: r.spec,
      levelsByField: r.levels,
      k: r.k,
      l: r.l,
      targetK: r.targetK,
      targetL: r.targetL,
      inScopeCount: r.inScopeCount,
      excludedCount: r.excludedCount,
      suppressedCount: r.suppressedCount,
      rowCount: r.rowCount,
      fileSha256: r.fileSha256,
      fileBytes: r.fileBytes,
      createdAt: r.createdAt.toISOString(),
      createdBy: r.createdBy,
      expiresAt: r.expiresAt.toISOString(),
      downloadedAt: r.downloadedAt ? r.downloadedAt.toISOString() : null,
      ...(downloadPath ? { downloadPath } : {}),
    };
  }

  /** An encrypted frame file being written; the plain bytes are hashed as they pass. */
  function openSealedFile(file: string, key: Buffer, fileId: string) {
    const stream: WriteStream = createWriteStream(file, { mode: 0o600 });
    const failed = new Promise<never>((_, reject) => stream.once('error', reject));
    failed.catch(() => {});
    const hash = createHash('sha256');
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let index = 0;
    let bytes = 0;
    let started = false;
    async function put(b: Buffer) {
      if (!stream.write(b)) await Promise.race([new Promise<void>((r) => stream.once('drain', () => r())), failed]);
    }
    async function frame(last: boolean) {
      if (!started) {
        started = true;
        await put(fileHeader());
      }
      const plain = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      await put(sealFrame(key, fileId, index++, last, plain));
    }
    return {
      async write(b: Buffer) {
        hash.update(b);
        bytes += b.length;
        pending.push(b);
        pendingBytes += b.length;
        if (pendingBytes >= FRAME_BYTES) await frame(false);
      },
      async close(): Promise<{ sha256: string; bytes: number }> {
        await frame(true);
        await Promise.race([new Promise<void>((r) => stream.end(r)), failed]);
        return { sha256: hash.digest('hex'), bytes };
      },
      destroy() {
        stream.destroy();
      },
    };
  }

  /** Reads an encrypted frame file back as plain bytes. */
  function openSealed(file: string, key: Buffer, fileId: string): Readable {
    const src = createReadStream(file);
    const out = openFrames(key, fileId);
    src.on('error', (e) => out.destroy(e));
    return src.pipe(out);
  }

  /** Writes rows as CSV or XLSX into a sink. */
  function tableWriter(format: 'csv' | 'xlsx', sink: { write(b: Buffer): Promise<void> }) {
    if (format === 'csv') {
      let buf = '';
      const flush = async () => {
        if (buf) await sink.write(Buffer.from(buf, 'utf8'));
        buf = '';
      };
      return {
        // The UTF-8 byte order mark makes spreadsheet programs read Chinese text correctly.
        start: async (header: readonly string[]) => {
          buf = `\uFEFF${csvLine(header)}`;
        },
        row: async (cells: readonly (string | null)[]) => {
          buf += csvLine(cells);
          if (buf.length >= 32 * 1024) await flush();
        },
        finish: flush,
      };
    }
    const x = createXlsxWriter((b) => sink.write(b));
    return { start: (h: readonly string[]) => x.start(h), row: (c: readonly (string | null)[]) => x.row(c), finish: () => x.finish() };
  }

  const apply = (columns: readonly ReleaseColumn[], values: Record<string, string | null>) =>
    columns.map((c) => applyOperator(c.op, values[c.field], c.ctx) ?? null);

  /** Records for the measurement: only the quasi-identifiers and sensitive attributes, interned per column. */
  function measurementRecorder(spec: DatasetSpec) {
    const cols = measured(spec).map((c) => c.field);
    const intern = new Map<string, string>();
    const records: DataRecord[] = [];
    return {
      records,
      add(values: Record<string, string | null>) {
        const r: Record<string, string | null> = {};
        for (const f of cols) {
          const v = values[f];
          if (v === null || v === undefined) r[f] = null;
          else {
            let s = intern.get(v);
            if (s === undefined) {
              s = v;
              if (intern.size < 1_000_000) intern.set(v, v);
            }
            r[f] = s;
          }
        }
        records.push(r);
      },
    };
  }

  /**
   * Reads the population, measures the privacy model (refusing below the target), and writes the
   * de-identified file `<fileId>.cxf` (encrypted at rest), inside the caller's transaction. The
   * caller records the release (export record, share execution) and issues the link.
   */
  async function produce(
    tx: Tx,
    p: {
      fileId: string;
      population: Population;
      purpose: CachedPurpose;
      spec: DatasetSpec;
      levels: Record<string, number>;
      format: 'csv' | 'xlsx';
      pseudonymContext: string;
    },
  ): Promise<ProducedFile> {
    const { spec, levels, fileId: id } = p;
    const fields = specFields(spec);
    const file = filePath(id);
    const spool = path.join(deps.exportDir, `${id}.spool`);
    const { pseudonym } = await keys();
    const columns = releaseColumns(spec, { maskPolicy, key: pseudonym, context: p.pseudonymContext }, new Map(Object.entries(levels)));
    const counts: Counts = { inScope: 0, included: 0, excludedNoConsent: 0, idsHash: createHash('sha256') };
    const sealed = openSealedFile(file, await fileKey(id), id);
    const table = tableWriter(p.format, sealed);
    await table.start(columns.map((c) => c.field));
    let assessment: NodeAssessment;
    let rows = 0;
    try {
      if (measured(spec).length) {
        // Two passes: the first measures the whole population (and spools the rows, encrypted
        // under a key that lives only in this call); the second releases the records that
        // the chosen generalisation does not suppress.
        const spoolKey = randomBytes(32);
        const spoolFile = openSealedFile(spool, spoolKey, `${id}/spool`);
        const rec = measurementRecorder(spec);
        for await (const batch of population(tx, p.population, p.purpose, fields, counts)) {
          let lines = '';
          for (const c of batch) {
            rec.add(c.values);
            lines += `${JSON.stringify(fields.map((f) => c.values[f]))}\n`;
          }
          await spoolFile.write(Buffer.from(lines, 'utf8'));
        }
        await spoolFile.close();
        const encoded = encodeForSpec(rec.records, spec, { maskPolicy });
        const s = suppressedRecords(
          encoded,
          encoded.qis.map((q) => levels[q.field] ?? 0),
          spec.privacyModel,
        );
        assessment = s.assessment;
        if (!assessment.satisfied)
          throw refusal(
            assessment,
            rawMeasure(
              encoded,
              encoded.qis.map((q) => levels[q.field] ?? 0),
              spec,
            ),
            spec,
          );
        rec.records.length = 0;
        let i = 0;
        let rest = '';
        for await (const chunk of openSealed(spool, spoolKey, `${id}/spool`)) {
          const text = rest + (chunk as Buffer).toString('utf8');
          const lines = text.split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) {
            if (s.suppressed[i++] === 1) continue;
            const arr = JSON.parse(line) as (string | null)[];
            const values: Record<string, string | null> = {};
            fields.forEach((f, j) => (values[f] = arr[j] ?? null));
            await table.row(apply(columns, values));
            rows++;
          }
        }
      } else {
        for await (const batch of population(tx, p.population, p.purpose, fields, counts)) {
          for (const c of batch) {
            await table.row(apply(columns, c.values));
            rows++;
          }
        }
        assessment = trivialAssessment(rows, spec);
        if (!assessment.satisfied) throw refusal(assessment, { k: rows || null, l: null }, spec);
      }
      await table.finish();
    } catch (e) {
      sealed.destroy();
      await rm(file, { force: true });
      throw e;
    } finally {
      await rm(spool, { force: true });
    }
    const { sha256, bytes } = await sealed.close();
    return {
      counts: { inScope: counts.inScope, included: counts.included, excludedNoConsent: counts.excludedNoConsent },
      customerIdsHash: counts.idsHash!.digest('hex'),
      assessment,
      rows,
      sha256,
      bytes,
    };
  }

  /** A downloaded file: decrypted as it streams, removed once the stream closes. */
  async function openForDownload(fileId: string): Promise<Readable> {
    const file = filePath(fileId);
    const stream = openSealed(file, await fileKey(fileId), fileId);
    stream.once('close', () => void rm(file, { force: true }));
    return stream;
  }

  const linkHashOf = (token: string) => (/^cxl_[A-Za-z0-9_-]{32}$/.test(token) ? sha256hex(token) : null);

  /** A one-time link token and the hash that is stored for it. */
  function newLink(): { token: string; hash: string } {
    const token = `cxl_${randomBytes(24).toString('base64url')}`;
    return { token, hash: sha256hex(token) };
  }

  /**
   * Whether a one-time link row may be spent now by `actor`: it exists and belongs to them (else
   * 404, the link does not exist for anyone else), is unused and unexpired (else 410).
   */
  function requireSpendable(row: { ownerId: string | null; downloadedAt: Date | null; expiresAt: Date } | undefined, actor: Actor): void {
    if (!row || row.ownerId !== actor.userId) throw new NotFoundError('download link not found');
    if (row.downloadedAt) throw new ExportLinkGoneError('this download link was already used', 'export_link_used');
    if (row.expiresAt.getTime() <= Date.now()) throw new ExportLinkGoneError('this download link has expired', 'export_link_expired');
  }

  /** The file behind a spent link, decrypted as it streams (and removed afterwards). */
  async function downloadOf(
    kind: 'export' | 'share',
    f: { id: string; format: 'csv' | 'xlsx'; bytes: number; sha256: string },
  ): Promise<DownloadedFile> {
    return {
      filename: `custos-${kind}-${f.id.slice(0, 8)}.${f.format}`,
      contentType: f.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      bytes: f.bytes,
      sha256: f.sha256,
      stream: await openForDownload(f.id),
    };
  }

  /** For other releases of de-identified files (sharing, P6.1): the same pipeline, their own records. */
  const internal = {
    produce,
    activePurpose,
    chosenLevels,
    newLink,
    linkHashOf,
    requireSpendable,
    downloadOf,
    removeFile: (fileId: string) => rm(filePath(fileId), { force: true }),
    linkMinutes: deps.linkMinutes,
  };

  return {
    internal,

    /** A starting spec for a grant: identifiers masked, dates / addresses / resident IDs as quasi-identifiers, k = 5. */
    specTemplate(actor: Actor, grantId: string): Promise<{ spec: DatasetSpec }> {
      return runner.run(actor, OPERATIONS.getExportSpecTemplate, async ({ tx }) => {
        const g = (await tx.select().from(grants).where(eq(grants.id, grantId)))[0];
        const mine = g && (g.departmentId === actor.departmentId || g.holderId === actor.userId);
        if (!g || !mine) throw new NotFoundError('grant not found', g ? { resourceType: 'grant', resourceId: grantId } : undefined);
        const cats = await rawRows<{ code: string; pi_type: string; sensitivity: string }>(
          tx,
          `SELECT code, pi_type, sensitivity FROM data_categories WHERE code = ANY($1::text[])`,
          [g.fields],
        );
        const byCode = new Map(cats.map((c) => [c.code, c]));
        const columns = g.fields.map((field) => {
          const c = byCode.get(field);
          const piType = (c?.pi_type ?? 'text') as DatasetSpec['columns'][number]['piType'];
          if (piType === 'date')
            return { field, role: 'quasi_identifier' as const, piType, operator: { kind: 'generalise' as const, hierarchy: 'date' } };
          if (piType === 'address')
            return { field, role: 'quasi_identifier' as const, piType, operator: { kind: 'generalise' as const, hierarchy: 'cn_address' } };
          if (piType === 'cn_resident_id')
            return {
              field,
              role: 'quasi_identifier' as const,
              piType,
              operator: { kind: 'generalise' as const, hierarchy: 'cn_resident_id', minLevel: 1 },
            };
          if (piType === 'text')
            return {
              field,
              role: c?.sensitivity === 'sensitive' ? ('sensitive' as const) : ('insensitive' as const),
              piType,
              operator: { kind: 'keep' as const },
            };
          return { field, role: 'identifier' as const, piType, operator: { kind: 'display_mask' as const } };
        });
        return { spec: parseInput(createExportInput.shape.spec, { columns, privacyModel: { k: 5, maxSuppression: 0.05 } }) };
      });
    },

    /**
     * The risk report and a sample of de-identified rows, before anything is released: the
     * configured generalisation, the least-loss one meeting the model (search), and the one asked for.
     */
    preview(actor: Actor, input: PreviewInput): Promise<ExportPreview> {
      return runner.run(actor, OPERATIONS.previewDeidentification, async ({ tx, audit }) => {
        const data = parseInput(previewInput, input);
        const spec = data.spec;
        const fields = specFields(spec);
        const g = await exportGrant(tx, actor, data.grantId, fields);
        const purpose = await activePurpose(tx, g.purposeCode);
        const levels = chosenLevels(spec, data.levels);
        const counts: Counts = { inScope: 0, included: 0, excludedNoConsent: 0 };
        const rec = measurementRecorder(spec);
        const sampleValues: Record<string, string | null>[] = [];
        for await (const batch of population(tx, g, purpose, fields, counts)) {
          for (const c of batch) {
            rec.add(c.values);
            if (sampleValues.length < data.sampleSize * 4) sampleValues.push(c.values);
          }
        }
        const { pseudonym } = await keys();
        const encoded = encodeForSpec(rec.records, spec, { maskPolicy });
        const plan = planEncodedRelease(encoded, spec);
        const lv = encoded.qis.map((q) => levels[q.field] ?? 0);
        const { suppressed, assessment } = suppressedRecords(encoded, lv, spec.privacyModel);
        const columns = releaseColumns(spec, { maskPolicy, key: pseudonym, context: `preview:${g.id}` }, new Map(Object.entries(levels)));
        const sample: Record<string, string | null>[] = [];
        for (let i = 0; i < sampleValues.length && sample.length < data.sampleSize; i++) {
          if (suppressed[i] === 1) continue;
          const cells = apply(columns, sampleValues[i]!);
          sample.push(Object.fromEntries(columns.map((c, j) => [c.field, cells[j] ?? null])));
        }
        await tx.insert(grantAccesses).values({
          grantId: g.id,
          actorId: actor.userId,
          actorName: actor.username,
          customerId: null,
          fields,
          operation: 'previewDeidentification',
        });
        await audit({
          action: 'export.previewed',
          resourceType: 'grant',
          resourceId: g.id,
          purposeId: g.purposeCode,
          clauses: ['P5.1', 'P5.3'],
          details: { fields, levels, ...counts, k: assessment.k, l: assessment.l, sampleRows: sample.length },
        });
        return {
          grantId: g.id,
          fields: columns.map((c) => c.field),
          sample,
          plan,
          chosen: assessment,
          measured: rawMeasure(encoded, lv, spec),
          population: counts,
        };
      });
    },

    /**
     * Measure, then release: the file is written (encrypted at rest) only when the model is met;
     * the export record keeps the spec, the levels, the measured k and l, the counts and the
     * file's SHA-256. The answer carries the one-time download path.
     */
    async create(actor: Actor, input: CreateExportInput, opts: { idempotencyKey?: string } = {}): Promise<ExportRecord> {
      const data = parseInput(createExportInput, input);
      const scope = `createExport:${actor.userId ?? actor.username}`;
      const hash = requestHash(data);
      const id = randomUUID();
      const file = filePath(id);
      const run = () =>
        runner.run(actor, OPERATIONS.createExport, async ({ tx, audit }) => {
          if (opts.idempotencyKey) {
            const prior = await priorResponse(tx, scope, opts.idempotencyKey, hash);
            if (prior) return prior as ExportRecord;
          }
          const spec = data.spec;
          const fields = specFields(spec);
          const g = await exportGrant(tx, actor, data.grantId, fields);
          const purpose = await activePurpose(tx, g.purposeCode);
          const levels = chosenLevels(spec, data.levels);
          const produced = await produce(tx, {
            fileId: id,
            population: g,
            purpose,
            spec,
            levels,
            format: data.format,
            pseudonymContext: `recipient:${data.recipient}/export:${id}`,
          });
          const { counts, assessment, rows, sha256 } = produced;
          const { token, hash: linkHash } = newLink();
          const [row] = await tx
            .insert(exportsTable)
            .values({
              id,
              grantId: g.id,
              departmentId: g.departmentId,
              purposeCode: g.purposeCode,
              createdById: actor.userId,
              createdBy: actor.username,
              recipient: data.recipient,
              format: data.format,
              spec,
              levels,
              k: assessment.k,
              l: assessment.l,
              targetK: spec.privacyModel.k,
              targetL: spec.privacyModel.l ?? null,
              inScopeCount: counts.inScope,
              excludedCount: counts.excludedNoConsent,
              suppressedCount: assessment.suppressedRecords,
              rowCount: rows,
              fileSha256: sha256,
              fileBytes: produced.bytes,
              linkHash,
              expiresAt: new Date(Date.now() + deps.linkMinutes * 60_000),
            })
            .returning();
          await tx.insert(grantAccesses).values({
            grantId: g.id,
            actorId: actor.userId,
            actorName: actor.username,
            customerId: null,
            fields,
            operation: 'createExport',
          });
          await deps.processingRecords?.internal.record(tx, {
            kind: 'export',
            subjectType: 'export',
            subjectId: id,
            actor: { userId: actor.userId, username: actor.username },
            purposeCode: g.purposeCode,
            fields,
            customerCount: rows,
            customerIdsHash: produced.customerIdsHash,
            customerListRef: `grant:${g.id}`,
            recipientName: data.recipient,
            legalBasis: `use grant ${g.id} (${purpose.legalBasis})`,
            fileHash: sha256,
            clauses: ['P5.2', 'P5.3'],
            details: {
              grantId: g.id,
              k: assessment.k,
              l: assessment.l,
              included: counts.included,
              suppressed: assessment.suppressedRecords,
              excluded: counts.excludedNoConsent,
              format: data.format,
            },
          });
          await audit({
            action: 'export.created',
            resourceType: 'export',
            resourceId: id,
            purposeId: g.purposeCode,
            clauses: ['P5.2', 'P5.3'],
            details: {
              grantId: g.id,
              recipient: data.recipient,
              format: data.format,
              fields,
              levels,
              k: assessment.k,
              l: assessment.l,
              targetK: spec.privacyModel.k,
              targetL: spec.privacyModel.l ?? null,
              inScope: counts.inScope,
              excluded: counts.excludedNoConsent,
              suppressed: assessment.suppressedRecords,
              rows,
              fileSha256: sha256,
            },
          });
          const answer = view(row!, `/api/v1/exports/download/${token}`);
          if (opts.idempotencyKey && !(await recordIdempotencyKey(tx, scope, opts.idempotencyKey, hash, answer)))
            throw new IdempotentReplay();
          return answer;
        });
      try {
        return await run();
      } catch (e) {
        await rm(file, { force: true });
        if (e instanceof IdempotentReplay) {
          const prior = await runner.run(actor, OPERATIONS.createExport, ({ tx }) => priorResponse(tx, scope, opts.idempotencyKey!, hash));
          if (prior) return prior as ExportRecord;
        }
        // A refused release is recorded with what was measured (P5.3), in its own transaction.
        if (e instanceof PolicyViolationError && e.problems.some((p) => p.field.startsWith('privacyModel'))) {
          await deps.audit.appendStandalone(actor, {
            action: 'export.refused',
            resourceType: 'grant',
            resourceId: data.grantId,
            clauses: ['P5.3'],
            details: {
              reasons: e.problems.map((p) => p.reason),
              targetK: data.spec.privacyModel.k,
              targetL: data.spec.privacyModel.l ?? null,
            },
          });
        }
        throw e;
      }
    },

    /** Exports of the caller's department (all of them with use.read). */
    list(actor: Actor): Promise<ExportRecord[]> {
      return runner.run(actor, OPERATIONS.listExports, async ({ tx, can }) => {
        const rows = await tx
          .select()
          .from(exportsTable)
          .where(
            can('use.read')
              ? undefined
              : or(
                  eq(exportsTable.departmentId, actor.departmentId ?? '00000000-0000-0000-0000-000000000000'),
                  eq(exportsTable.createdById, actor.userId ?? '00000000-0000-0000-0000-000000000000'),
                ),
          )
          .orderBy(desc(exportsTable.createdAt))
          .limit(500);
        return rows.map((r) => view(r));
      });
    },

    /** The export record: spec, levels, measured k and l, counts, recipient, file hash, download state. */
    report(actor: Actor, id: string): Promise<ExportRecord> {
      return runner.run(actor, OPERATIONS.getExportReport, async ({ tx, can }) => {
        const r = (await tx.select().from(exportsTable).where(eq(exportsTable.id, id)))[0];
        const visible = r && (can('use.read') || r.departmentId === actor.departmentId || r.createdById === actor.userId);
        if (!r || !visible) throw new NotFoundError('export not found', r ? { resourceType: 'export', resourceId: id } : undefined);
        return view(r);
      });
    },

    /**
     * The file, once: the link is spent in the same transaction as its audit event, then the
     * file is decrypted as it streams and removed afterwards. Only the export's creator may use it.
     */
    async download(actor: Actor, token: string): Promise<DownloadedFile> {
      const r = await runner.run(actor, OPERATIONS.downloadExport, async ({ tx, audit }) => {
        const h = linkHashOf(token);
        const row = h ? (await tx.select().from(exportsTable).where(eq(exportsTable.linkHash, h)).for('update'))[0] : undefined;
        requireSpendable(row && { ownerId: row.createdById, downloadedAt: row.downloadedAt, expiresAt: row.expiresAt }, actor);
        await tx.update(exportsTable).set({ downloadedAt: new Date() }).where(eq(exportsTable.id, row!.id));
        await audit({
          action: 'export.downloaded',
          resourceType: 'export',
          resourceId: row!.id,
          purposeId: row!.purposeCode,
          clauses: ['P5.3'],
          details: { grantId: row!.grantId, rows: row!.rowCount, fileSha256: row!.fileSha256 },
        });
        return row!;
      });
      return downloadOf('export', { id: r.id, format: r.format, bytes: r.fileBytes, sha256: r.fileSha256 });
    },

    /** Remove the files of export and share links that expired unused (an hourly background duty). */
    async sweepExpired(): Promise<number> {
      const rows = (await deps.database.query(
        `SELECT id FROM exports WHERE downloaded_at IS NULL AND expires_at <= now() AND expires_at > now() - interval '30 days'
         UNION ALL
         SELECT id FROM share_executions WHERE downloaded_at IS NULL AND expires_at <= now() AND expires_at > now() - interval '30 days'`,
      )) as { id: string }[];
      for (const r of rows) await rm(filePath(r.id), { force: true });
      return rows.length;
    },
  };
}

export type ExportsService = ReturnType<typeof createExportsService>;
