import nodemailer from 'nodemailer';
import { and, eq, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.js';
import { sqlRows } from '../../db/client.js';
import { outbox } from '../../db/schema.js';

/** Who gets a message: a reference, resolved to an address only at delivery (never stored plain). */
export type Recipient =
  | { kind: 'customer_field'; customerId: string; field: string }
  | { kind: 'staff'; userId: string }
  | { kind: 'webhook'; url: string }
  | { kind: 'log'; label: string };

export interface OutgoingMessage {
  topic: string;
  transport: 'email' | 'sms' | 'webhook' | 'log';
  recipient: Recipient;
  subject: string;
  text: string;
  /** Fields of the payload to erase once delivered (one-time codes). */
  secret?: boolean;
}

export interface Transport {
  send(to: string, message: { subject: string; text: string; topic: string }): Promise<void>;
}

export interface NotifierLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

const MAX_ATTEMPTS = 8;
/** Seconds before attempt n+1: 5 s, 10 s, 20 s, ... capped at an hour. */
const backoffSeconds = (attempts: number) => Math.min(3600, 5 * 2 ** Math.max(0, attempts - 1));
/** How long a claimed message is leased to one deliverer before another may retry it. */
const LEASE_SECONDS = 60;

function maskAddress(to: string): string {
  const at = to.indexOf('@');
  if (at > 0) return `${to[0]}***${to.slice(at)}`;
  return to.length > 4 ? `${'*'.repeat(to.length - 4)}${to.slice(-4)}` : '****';
}

/**
 * A transport's error can quote the address it failed to reach (SMTP servers echo rejected
 * recipients): keep e-mail addresses and phone-like digit runs out of the outbox and the log.
 */
export function redactDeliveryError(message: string): string {
  return message
    .replace(/[^\s<>"'()@,;:]+@[^\s<>"'()@,;:]+/g, '[address]')
    .replace(/\+?\d[\d\s-]{6,}\d/g, '[number]')
    .slice(0, 300);
}

/** Development transport: writes the message to the log, address masked (the text only in development). */
export function logTransport(logger: NotifierLogger, showText: boolean): Transport {
  return {
    async send(to, m) {
      logger.info(
        { topic: m.topic, to: maskAddress(to), subject: m.subject, text: showText ? m.text : '[hidden outside development]' },
        'notification (log notifier)',
      );
    },
  };
}

export function smtpTransport(url: string, from: string): Transport {
  const t = nodemailer.createTransport(url);
  return {
    async send(to, m) {
      await t.sendMail({ from, to, subject: m.subject, text: m.text });
    },
  };
}

/** An SMS gateway hook or any webhook: POST JSON { to, subject, text, topic }. */
export function webhookTransport(url: string | undefined): Transport {
  return {
    async send(to, m) {
      const target = url ?? to;
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: url ? to : undefined, subject: m.subject, text: m.text, topic: m.topic }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    },
  };
}

/**
 * The notifier shared by all modules (P3.4 portal codes, approvals, reminders): messages are
 * written to the outbox in the same transaction as the event they announce, and delivered at
 * least once, with retries and backoff, by whichever process claims them first.
 */
export function createNotifier(deps: {
  database: Database;
  logger: NotifierLogger;
  transports: Partial<Record<OutgoingMessage['transport'], Transport>>;
  /** Resolve a customer-field recipient to an address, in a transaction of its own (audited). */
  resolveCustomerField: (customerId: string, field: string) => Promise<string | null>;
}) {
  const { database, logger, transports } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let kicked = false;

  async function deliverDue(limit = 20): Promise<number> {
    const claimed = await database.transaction((tx) =>
      sqlRows<{
        id: number;
        topic: string;
        transport: OutgoingMessage['transport'];
        recipient: Recipient;
        payload: { subject: string; text: string; secret?: boolean };
        attempts: number;
      }>(
        tx,
        sql`UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ${LEASE_SECONDS})
            WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
            RETURNING id, topic, transport, recipient, payload, attempts`,
      ),
    );
    for (const m of claimed) {
      try {
        const transport = transports[m.transport] ?? transports.log;
        if (!transport) throw new Error(`no ${m.transport} transport configured`);
        const to = await address(m.recipient);
        if (!to) throw new Error('the recipient has no address');
        await transport.send(to, { subject: m.payload.subject, text: m.payload.text, topic: m.topic });
        await database.db
          .update(outbox)
          .set({
            status: 'delivered',
            deliveredAt: new Date(),
            lastError: null,
            ...(m.payload.secret ? { payload: { subject: m.payload.subject, text: '[erased after delivery]' } } : {}),
          })
          .where(eq(outbox.id, m.id));
      } catch (e) {
        const failed = m.attempts >= MAX_ATTEMPTS;
        const error = redactDeliveryError((e as Error).message);
        await database.db
          .update(outbox)
          .set({
            status: failed ? 'failed' : 'pending',
            lastError: error,
            nextAttemptAt: new Date(Date.now() + backoffSeconds(m.attempts) * 1000),
          })
          .where(and(eq(outbox.id, m.id), eq(outbox.status, 'pending')));
        logger.warn({ outboxId: m.id, topic: m.topic, attempts: m.attempts, failed, error }, 'notification delivery failed');
      }
    }
    return claimed.length;
  }

  async function address(r: Recipient): Promise<string | null> {
    if (r.kind === 'webhook') return r.url;
    if (r.kind === 'log') return r.label;
    // A member of staff (an approver): their work address, read at delivery.
    if (r.kind === 'staff') {
      const rows = await deps.database.query<{ email: string | null }>(`SELECT email FROM users WHERE id = $1 AND status = 'active'`, [
        r.userId,
      ]);
      return rows[0]?.email ?? null;
    }
    return deps.resolveCustomerField(r.customerId, r.field);
  }

  function drain(): Promise<number> {
    if (running) {
      kicked = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      try {
        do {
          kicked = false;
          let n: number;
          do {
            n = await deliverDue();
            total += n;
          } while (n > 0);
        } while (kicked);
      } catch (e) {
        logger.warn({ err: (e as Error).message }, 'outbox delivery pass failed; will retry');
      } finally {
        running = null;
      }
      return total;
    })();
    return running;
  }

  return {
    /** Write a message to the outbox inside the caller's transaction; returns its outbox id (for delivery status). */
    /** Is there a transport of this kind (e-mail needs CUSTOS_SMTP_URL)? */
    hasTransport(kind: OutgoingMessage['transport']): boolean {
      return Boolean(deps.transports[kind]);
    },
    async enqueue(tx: Tx, m: OutgoingMessage): Promise<number> {
      const [row] = await tx
        .insert(outbox)
        .values({
          topic: m.topic,
          transport: m.transport,
          recipient: m.recipient as unknown as Record<string, string>,
          payload: { subject: m.subject, text: m.text, ...(m.secret ? { secret: true } : {}) },
        })
        .returning({ id: outbox.id });
      return row!.id;
    },
    /** Deliver what is due now (after a commit that enqueued, and on a timer). */
    kick(): void {
      setImmediate(() => void drain());
    },
    drain,
    start(intervalMs = 2000): void {
      if (!timer) timer = setInterval(() => void drain(), intervalMs).unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      if (running) await running;
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
