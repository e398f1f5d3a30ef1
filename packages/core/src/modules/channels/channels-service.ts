import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import type { Database, Tx } from '../../db/client.js';
import { channels, departments } from '../../db/schema.js';
import { ConflictError, InvalidError, PolicyViolationError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { isUniqueViolation, parseInput } from '../../validation.js';
import { createChannelInput, WEB_CHANNEL_TYPES, type Channel, type ChannelType, type CreateChannelInput } from './channels-types.js';

type Row = typeof channels.$inferSelect;

function toChannel(r: Row): Channel {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    type: r.type as ChannelType,
    ownerDepartmentId: r.ownerDepartmentId,
    allowedOrigins: r.allowedOrigins,
    publicKey: r.publicKey,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
  };
}

const KEY_TTL_MS = 10_000;

/**
 * Collection channels (P3.3). A web channel's publishable key identifies the channel to the
 * widget; it is not a secret (it is in the page), so it grants exactly one thing: collecting for
 * that channel, from its registered origins.
 */
export function createChannelsService(deps: { runner: Runner; database: Database }) {
  const { runner, database } = deps;
  // Channels change rarely (registration; disabling takes effect within KEY_TTL_MS).
  const byKey = new Map<string, { at: number; channel: Channel | null }>();
  const byId = new Map<string, { at: number; channel: Channel }>();

  return {
    create(actor: Actor, input: CreateChannelInput): Promise<Channel> {
      return runner.run(actor, OPERATIONS.createChannel, async ({ tx, audit }) => {
        const data = parseInput(createChannelInput, input);
        const dept = await tx.select({ id: departments.id }).from(departments).where(eq(departments.id, data.ownerDepartmentId));
        if (!dept.length)
          throw new InvalidError('the owning department does not exist', [{ field: 'ownerDepartmentId', reason: 'not_found' }]);
        const web = WEB_CHANNEL_TYPES.includes(data.type);
        const row = (
          await tx
            .insert(channels)
            .values({
              code: data.code,
              name: data.name,
              type: data.type,
              ownerDepartmentId: data.ownerDepartmentId,
              allowedOrigins: web ? data.allowedOrigins : [],
              publicKey: web ? `ck_${randomBytes(18).toString('base64url')}` : null,
              createdBy: actor.username,
            })
            .returning()
            .catch((e: unknown) => {
              throw isUniqueViolation(e) ? new ConflictError('a channel with this code exists', ['P3.3']) : e;
            })
        )[0]!;
        await audit({
          action: 'channel.created',
          resourceType: 'channel',
          resourceId: row.id,
          details: { code: row.code, type: row.type, allowedOrigins: row.allowedOrigins },
        });
        return toChannel(row);
      });
    },

    list(actor: Actor): Promise<Channel[]> {
      return runner.run(actor, OPERATIONS.listChannels, async ({ tx }) =>
        (await tx.select().from(channels).orderBy(channels.code)).map(toChannel),
      );
    },

    /** The active channel a publishable key belongs to (for the server's authentication); cached briefly. */
    async byPublicKey(key: string): Promise<Channel | null> {
      if (!/^ck_[A-Za-z0-9_-]{20,40}$/.test(key)) return null;
      const hit = byKey.get(key);
      if (hit && Date.now() - hit.at < KEY_TTL_MS) return hit.channel;
      const row = (await database.db.select().from(channels).where(eq(channels.publicKey, key)))[0];
      const channel = row && row.status === 'active' ? toChannel(row) : null;
      if (byKey.size > 1000) byKey.clear();
      byKey.set(key, { at: Date.now(), channel });
      return channel;
    },

    /** Inside an operation: the channel must exist and be active (P3.3). */
    async requireActive(tx: Tx, id: string): Promise<Channel> {
      const hit = byId.get(id);
      if (hit && Date.now() - hit.at < KEY_TTL_MS) return hit.channel;
      const row = (await tx.select().from(channels).where(eq(channels.id, id)))[0];
      if (!row || row.status !== 'active')
        throw new PolicyViolationError(
          'the channel is not registered or not active',
          [{ field: 'channelId', reason: 'channel_not_active' }],
          ['P3.3'],
        );
      return toChannel(row);
    },
  };
}

export type ChannelsService = ReturnType<typeof createChannelsService>;
