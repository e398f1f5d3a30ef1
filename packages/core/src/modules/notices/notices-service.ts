import { and, desc, eq, inArray, max } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { dataCategories, notices, purposes } from '../../db/schema.js';
import { ConflictError, NotFoundError, PolicyViolationError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { parseInput } from '../../validation.js';
import { noticeHash, noticeProblems } from './notices-fns.js';
import {
  createNoticeInput,
  listNoticesInput,
  updateNoticeInput,
  type CreateNoticeInput,
  type Notice,
  type NoticeContent,
  type PublishedNotice,
} from './notices-types.js';
import type { Purpose } from '../purposes/purposes-types.js';
import type { PolicyCache } from '../consent/consent-cache.js';

type Row = typeof notices.$inferSelect;

function toNotice(r: Row, purposeVersion: number): Notice {
  return {
    id: r.id,
    purposeId: r.purposeId,
    purposeCode: r.purposeCode,
    purposeVersion,
    version: r.version,
    status: r.status,
    content: r.content as NoticeContent,
    contentHash: r.contentHash,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    publishedBy: r.publishedBy,
    publishedAt: r.publishedAt ? r.publishedAt.toISOString() : null,
  };
}

/**
 * Privacy notices (P2.2, P3.4): versioned, in zh-CN and English, attached to a purpose version.
 * Publishing checks that every element is present, fixes the content hash, and makes the
 * notice immutable (a database trigger refuses later changes); a newer notice for the same
 * purpose version supersedes it.
 */
export function createNoticesService(deps: { runner: Runner; policy?: Pick<PolicyCache, 'invalidatePurposes'> }) {
  const { runner } = deps;

  async function purposeOf(tx: Tx, purposeId: string) {
    const p = (await tx.select().from(purposes).where(eq(purposes.id, purposeId)))[0];
    if (!p) throw new NotFoundError('purpose not found');
    return p;
  }

  async function sensitiveFields(tx: Tx, fields: string[]): Promise<string[]> {
    if (!fields.length) return [];
    const rows = await tx
      .select({ code: dataCategories.code, sensitivity: dataCategories.sensitivity })
      .from(dataCategories)
      .where(inArray(dataCategories.code, fields));
    return rows.filter((r) => r.sensitivity === 'sensitive').map((r) => r.code);
  }

  async function loadDraft(tx: Tx, id: string): Promise<Row> {
    const row = (await tx.select().from(notices).where(eq(notices.id, id)).for('update'))[0];
    if (!row) throw new NotFoundError('notice not found');
    return row;
  }

  return {
    create(actor: Actor, input: CreateNoticeInput): Promise<Notice> {
      return runner.run(actor, OPERATIONS.createNotice, async ({ tx, audit }) => {
        const data = parseInput(createNoticeInput, input);
        const p = await purposeOf(tx, data.purposeId);
        if (p.status === 'retired') throw new ConflictError('a retired purpose gets no new notices', ['P2.2']);
        const last =
          (
            await tx
              .select({ v: max(notices.version) })
              .from(notices)
              .where(eq(notices.purposeCode, p.code))
          )[0]?.v ?? 0;
        const [row] = await tx
          .insert(notices)
          .values({
            purposeId: p.id,
            purposeCode: p.code,
            version: last + 1,
            status: 'draft',
            content: data.content,
            createdBy: actor.username,
          })
          .returning();
        await audit({
          action: 'notice.created',
          resourceType: 'notice',
          resourceId: row!.id,
          details: { purposeCode: p.code, purposeVersion: p.version, version: row!.version },
        });
        return toNotice(row!, p.version);
      });
    },

    update(actor: Actor, id: string, input: { content: NoticeContent }): Promise<Notice> {
      return runner.run(actor, OPERATIONS.updateNotice, async ({ tx, audit }) => {
        const data = parseInput(updateNoticeInput, input);
        const row = await loadDraft(tx, id);
        if (row.status !== 'draft') throw new ConflictError('a published notice cannot change; create a new version', ['P2.2']);
        const p = await purposeOf(tx, row.purposeId);
        const [u] = await tx.update(notices).set({ content: data.content }).where(eq(notices.id, id)).returning();
        await audit({
          action: 'notice.updated',
          resourceType: 'notice',
          resourceId: id,
          details: { purposeCode: p.code, version: row.version },
        });
        return toNotice(u!, p.version);
      });
    },

    publish(actor: Actor, id: string): Promise<Notice> {
      // The current notice is cached for collection: drop it in the transaction and after commit.
      return runner
        .run(actor, OPERATIONS.publishNotice, async ({ tx, audit }) => {
          deps.policy?.invalidatePurposes();
          const row = await loadDraft(tx, id);
          if (row.status !== 'draft') throw new ConflictError('this notice is already published', ['P2.2']);
          const p = await purposeOf(tx, row.purposeId);
          if (p.status === 'retired') throw new ConflictError('the purpose version of this notice is retired', ['P2.2']);
          const content = row.content as NoticeContent;
          const problems = noticeProblems(content, await sensitiveFields(tx, p.fields));
          if (problems.length) throw new PolicyViolationError('the notice is missing required elements', problems, ['P2.2', 'P3.4']);
          const hash = noticeHash({ purposeCode: p.code, purposeVersion: p.version, version: row.version, content });
          const superseded = await tx
            .update(notices)
            .set({ status: 'superseded' })
            .where(and(eq(notices.purposeId, p.id), eq(notices.status, 'published')))
            .returning({ id: notices.id, version: notices.version });
          const [u] = await tx
            .update(notices)
            .set({ status: 'published', contentHash: hash, publishedBy: actor.username, publishedAt: new Date() })
            .where(eq(notices.id, id))
            .returning();
          await audit({
            action: 'notice.published',
            resourceType: 'notice',
            resourceId: id,
            details: {
              purposeCode: p.code,
              purposeVersion: p.version,
              version: row.version,
              contentHash: hash,
              superseded: superseded.map((s) => s.version),
            },
          });
          return toNotice(u!, p.version);
        })
        .finally(() => deps.policy?.invalidatePurposes());
    },

    list(actor: Actor, input: { purposeCode?: string } = {}): Promise<Notice[]> {
      return runner.run(actor, OPERATIONS.listNotices, async ({ tx }) => {
        const q = parseInput(listNoticesInput, input);
        const rows = await tx
          .select({ n: notices, v: purposes.version })
          .from(notices)
          .innerJoin(purposes, eq(purposes.id, notices.purposeId))
          .where(q.purposeCode ? eq(notices.purposeCode, q.purposeCode) : undefined)
          .orderBy(notices.purposeCode, desc(notices.version));
        return rows.map((r) => toNotice(r.n, r.v));
      });
    },

    /** Public: the active version of a purpose and its published notice, as the widget shows it. */
    getPublished(actor: Actor, code: string): Promise<PublishedNotice> {
      return runner.run(actor, OPERATIONS.getPublishedNotice, async ({ tx }) => {
        if (!/^[a-z][a-z0-9_]{1,63}$/.test(code)) throw new NotFoundError('no published notice for this purpose');
        const r = (
          await tx
            .select({ p: purposes, n: notices })
            .from(purposes)
            .innerJoin(notices, and(eq(notices.purposeId, purposes.id), eq(notices.status, 'published')))
            .where(and(eq(purposes.code, code), eq(purposes.status, 'active')))
        )[0];
        if (!r) throw new NotFoundError('no published notice for this purpose');
        const cats = await tx.select().from(dataCategories).where(inArray(dataCategories.code, r.p.fields));
        const byCode = new Map(cats.map((c) => [c.code, c]));
        return {
          purpose: {
            code: r.p.code,
            version: r.p.version,
            name: r.p.name,
            legalBasis: r.p.legalBasis as Purpose['legalBasis'],
            fields: r.p.fields.map((f) => {
              const c = byCode.get(f);
              return {
                code: f,
                name: c ? { 'zh-CN': c.nameZh, en: c.nameEn } : { 'zh-CN': f, en: f },
                piType: c?.piType ?? null,
                sensitivity: c?.sensitivity ?? 'sensitive',
              };
            }),
          },
          notice: {
            id: r.n.id,
            version: r.n.version,
            contentHash: r.n.contentHash!,
            publishedAt: r.n.publishedAt!.toISOString(),
            content: r.n.content as NoticeContent,
          },
        };
      });
    },
  };
}

export type NoticesService = ReturnType<typeof createNoticesService>;
