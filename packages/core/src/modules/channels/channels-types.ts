import { z } from 'zod';
import { codeSchema, l10n } from '../purposes/purposes-types.js';

/** P3.3: the ways customer PI enters Custos. */
export const CHANNEL_TYPES = ['web_form', 'online_registration', 'contract_signing', 'in_branch', 'phone', 'bulk_import'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
/** Channels a customer uses directly from a browser; they get a publishable key for the widget. */
export const WEB_CHANNEL_TYPES: readonly ChannelType[] = ['web_form', 'online_registration'];

const origin = z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'an origin such as https://www.example.com');

export const createChannelInput = z.object({
  code: codeSchema,
  name: l10n,
  type: z.enum(CHANNEL_TYPES),
  ownerDepartmentId: z.uuid(),
  allowedOrigins: z.array(origin).max(20).default([]),
});
export type CreateChannelInput = z.input<typeof createChannelInput>;

export const channelSchema = z.object({
  id: z.uuid(),
  code: z.string(),
  name: l10n,
  type: z.enum(CHANNEL_TYPES),
  ownerDepartmentId: z.uuid(),
  allowedOrigins: z.array(z.string()),
  publicKey: z.string().nullable(),
  status: z.enum(['active', 'disabled']),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
});
export type Channel = z.infer<typeof channelSchema>;
