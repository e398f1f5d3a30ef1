import { z } from 'zod';
import { codeSchema, l10n } from '../purposes/purposes-types.js';

export const requestCodeInput = z.object({ piType: z.enum(['cn_mobile', 'email']), value: z.string().min(3).max(320) });
export type RequestCodeInput = z.input<typeof requestCodeInput>;
export const verifyCodeInput = z.object({ challengeId: z.uuid(), code: z.string().regex(/^\d{6}$/, 'six digits') });
export type VerifyCodeInput = z.input<typeof verifyCodeInput>;
export const withdrawMineInput = z.object({ purposeCode: codeSchema, categories: z.array(z.string().min(1).max(120)).max(64).optional() });
export type WithdrawMineInput = z.input<typeof withdrawMineInput>;

export const portalOverviewSchema = z.object({
  fields: z.array(z.object({ field: z.string(), name: l10n, masked: z.string() })),
  consents: z.array(
    z.object({
      purposeCode: z.string(),
      purposeName: l10n,
      purposeVersion: z.number().int(),
      category: z.string(),
      categoryName: l10n,
      separate: z.boolean(),
      status: z.enum(['granted', 'withdrawn', 'expired']),
      givenAt: z.iso.datetime(),
      withdrawnAt: z.iso.datetime().nullable(),
      noticeId: z.uuid().nullable(),
      noticeHash: z.string().nullable(),
    }),
  ),
});
export type PortalOverview = z.infer<typeof portalOverviewSchema>;
