import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/index.js';
import { redactDeliveryError } from '../src/modules/notifier/notifier-service.js';
import { createTestCore, DB_KINDS, reportSkip, type TestCore } from './helpers.js';
import { seedPurpose, type PurposeFixture } from './consent-fixtures.js';

/** A minimal SMTP peer: accepts one message per connection and keeps what it received. */
function smtpPeer(received: string[]): TcpServer {
  return createTcpServer((socket) => {
    let buf = '';
    let inData = false;
    socket.write('220 localhost ESMTP test\r\n');
    socket.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          received.push(buf.slice(0, end));
          buf = buf.slice(end + 5);
          inData = false;
          socket.write('250 OK queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-localhost\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
          return;
        } else socket.write('250 OK\r\n');
      }
    });
  });
}

const listen = (s: HttpServer | TcpServer) =>
  new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)));

for (const { kind, skip } of DB_KINDS) {
  reportSkip(`notifier suite on ${kind}`, skip);
  describe.skipIf(skip)(`notifier: outbox delivery over SMTP and an SMS webhook on ${kind}`, () => {
    let t: TestCore;
    let f: PurposeFixture;
    const mails: string[] = [];
    const sms: Array<{ to: string; text: string }> = [];
    let failNext = 0;
    const smtp = smtpPeer(mails);
    const hook = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end();
          return;
        }
        sms.push(JSON.parse(body) as { to: string; text: string });
        res.writeHead(204).end();
      });
    });
    const anon: Actor = { type: 'user', userId: null, username: 'anonymous', departmentId: null, roles: [], authMethod: 'session' };
    const q = (sql: string, params?: unknown[]) => t.db.database.query(sql, params);

    beforeAll(async () => {
      const [smtpPort, hookPort] = await Promise.all([listen(smtp), listen(hook)]);
      t = await createTestCore(kind, {
        CUSTOS_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        CUSTOS_SMTP_FROM: 'privacy@example.com',
        CUSTOS_SMS_WEBHOOK_URL: `http://127.0.0.1:${hookPort}/sms`,
      });
      f = await seedPurpose(t.core, { fields: ['name', 'mobile', 'email'] });
    });
    afterAll(async () => {
      await t?.close();
      smtp.close();
      hook.close();
    });

    const customer = async () => {
      const mobile = `135${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
      const email = `c${randomBytes(3).toString('hex')}@example.com`;
      await t.core.collection.collect(
        f.staff,
        {
          purposeCode: f.code,
          noticeId: f.noticeId,
          channelId: f.channelId,
          fields: { name: '通知测试', mobile, email },
          consent: { method: 'checkbox', scope: ['name', 'mobile', 'email'], separate: [] },
        },
        { idempotencyKey: randomBytes(12).toString('hex') },
      );
      return { mobile, email };
    };

    it('retries a failed webhook delivery with backoff, then delivers it once, and erases the code', async () => {
      const { mobile } = await customer();
      failNext = 1;
      sms.length = 0;
      await t.core.portal.requestCode(anon, { piType: 'cn_mobile', value: mobile });
      await t.core.notifier.drain();
      const [pending] = await q(
        `SELECT status, attempts, last_error, next_attempt_at > now() AS later FROM outbox WHERE topic = 'portal.code' ORDER BY id DESC LIMIT 1`,
      );
      expect(pending).toMatchObject({ status: 'pending', attempts: 1, later: true });
      expect(String(pending!.last_error)).toMatch(/503/);
      expect(sms).toEqual([]);
      // Time passes: the retry is due.
      await q(`UPDATE outbox SET next_attempt_at = now() WHERE status = 'pending'`);
      await t.core.notifier.drain();
      expect(sms).toHaveLength(1);
      expect(sms[0]!.to).toBe(mobile);
      expect(sms[0]!.text).toMatch(/\d{6}/);
      const [done] = await q(
        `SELECT status, attempts, payload, recipient FROM outbox WHERE topic = 'portal.code' ORDER BY id DESC LIMIT 1`,
      );
      expect(done).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(JSON.stringify(done)).not.toContain(mobile);
      expect(JSON.stringify(done!.payload)).not.toMatch(/\d{6}/);
      await t.core.notifier.drain();
      expect(sms).toHaveLength(1); // delivered once
      await t.core.audit.flush();
      const [read] = await q(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'notification.address_read'`);
      expect(read!.n).toBeGreaterThanOrEqual(2);
    });

    it('sends email through SMTP to the customer’s own address', async () => {
      const { email } = await customer();
      await t.core.portal.requestCode(anon, { piType: 'email', value: email });
      await t.core.notifier.drain();
      expect(mails.at(-1)).toContain(`To: ${email}`);
      expect(mails.at(-1)).toContain('From: privacy@example.com');
      expect(mails.at(-1)).toMatch(/\d{6}/);
      const [row] = await q(`SELECT status FROM outbox WHERE topic = 'portal.code' ORDER BY id DESC LIMIT 1`);
      expect(row!.status).toBe('delivered');
    });

    it('keeps addresses out of recorded delivery errors', () => {
      expect(redactDeliveryError('550 5.1.1 <li.si@example.com>: Recipient address rejected')).toBe(
        '550 5.1.1 <[address]>: Recipient address rejected',
      );
      expect(redactDeliveryError('gateway refused 138 0013 8000')).toBe('gateway refused [number]');
      expect(redactDeliveryError('webhook answered 503')).toBe('webhook answered 503');
    });

    it('gives up after the last attempt and marks the message failed', async () => {
      const { mobile } = await customer();
      failNext = 100;
      await t.core.portal.requestCode(anon, { piType: 'cn_mobile', value: mobile });
      for (let i = 0; i < 8; i++) {
        await q(`UPDATE outbox SET next_attempt_at = now() WHERE status = 'pending'`);
        await t.core.notifier.drain();
      }
      failNext = 0;
      const [row] = await q(`SELECT status, attempts FROM outbox WHERE topic = 'portal.code' ORDER BY id DESC LIMIT 1`);
      expect(row).toMatchObject({ status: 'failed', attempts: 8 });
    });
  });
}
