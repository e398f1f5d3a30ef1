import { z } from 'zod';
import { l10n, LEGAL_BASES } from '../purposes/purposes-types.js';

const text = z.string().max(4000);

/** The structured elements of a notice in one language (P2.2). Drafts may leave some empty; publishing may not. */
export const noticeElements = z.object({
  purpose: text.default(''),
  method: text.default(''),
  scope: text.default(''),
  retention: text.default(''),
  scenarios: text.default(''),
  controllerName: text.default(''),
  controllerContact: text.default(''),
  rights: text.default(''),
  sensitive: z.array(z.object({ field: z.string(), necessity: text.default(''), impact: text.default('') })).default([]),
});
export type NoticeElements = z.infer<typeof noticeElements>;

export const NOTICE_LANGUAGES = ['zh-CN', 'en'] as const;
export const noticeContent = z.object({ 'zh-CN': noticeElements, en: noticeElements });
export type NoticeContent = z.infer<typeof noticeContent>;

export const createNoticeInput = z.object({ purposeId: z.uuid(), content: noticeContent });
export type CreateNoticeInput = z.input<typeof createNoticeInput>;
export const updateNoticeInput = z.object({ content: noticeContent });
export const listNoticesInput = z.object({ purposeCode: z.string().max(64).optional() });

export const noticeSchema = z.object({
  id: z.uuid(),
  purposeId: z.uuid(),
  purposeCode: z.string(),
  purposeVersion: z.number().int(),
  version: z.number().int(),
  status: z.enum(['draft', 'published', 'superseded']),
  content: noticeContent,
  contentHash: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  publishedBy: z.string().nullable(),
  publishedAt: z.iso.datetime().nullable(),
});
export type Notice = z.infer<typeof noticeSchema>;

/** What the widget shows a customer: the active purpose version and its published notice. */
export const publishedNoticeSchema = z.object({
  purpose: z.object({
    code: z.string(),
    version: z.number().int(),
    name: l10n,
    legalBasis: z.enum(LEGAL_BASES),
    fields: z.array(
      z.object({ code: z.string(), name: l10n, piType: z.string().nullable(), sensitivity: z.enum(['general', 'sensitive']) }),
    ),
  }),
  notice: z.object({
    id: z.uuid(),
    version: z.number().int(),
    contentHash: z.string(),
    publishedAt: z.iso.datetime(),
    content: noticeContent,
  }),
});
export type PublishedNotice = z.infer<typeof publishedNoticeSchema>;
