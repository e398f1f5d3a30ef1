/**
 * The API client against a real local HTTP server (node:http) that answers with canned,
 * contract-shaped responses and records what it was sent.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CustosApiError, CustosNetworkError, createCustosClient, type CollectCustomerDataRequest } from '../src/index.js';
import { NOTICE } from './fixtures.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  type?: string;
  body?: string;
  headers?: Record<string, string>;
}

const COLLECT_BODY: CollectCustomerDataRequest = {
  purposeCode: 'membership',
  noticeId: NOTICE.notice.id,
  fields: { email: 'a@example.com', health: 'ok' },
  consent: {
    method: 'checkbox',
    scope: ['email'],
    separate: [{ type: 'sensitive', category: 'health' }],
    evidence: { formSnapshotHash: 'b'.repeat(64) },
  },
};

const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  type: 'application/json; charset=utf-8',
  body: JSON.stringify(body),
  ...(headers ? { headers } : {}),
});
const problem = (status: number, body: unknown): Reply => ({ status, type: 'application/problem+json', body: JSON.stringify(body) });

let server: Server;
let baseUrl = '';
let seen: Seen[] = [];
/** The next replies, by `METHOD path`; the default is 200 `{}`. */
let replies = new Map<string, Reply>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      seen.push({ method: req.method ?? '', url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = replies.get(`${req.method} ${url.split('?')[0]}`) ?? json(200, {});
      const headers: Record<string, string> = { ...reply.headers };
      if (reply.type) headers['content-type'] = reply.type;
      res.writeHead(reply.status, headers);
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  replies = new Map();
});

const last = () => {
  const s = seen.at(-1);
  if (!s) throw new Error('the server saw no request');
  return s;
};

describe('createCustosClient', () => {
  it('fetches the published notice without credentials and parses it', async () => {
    replies.set('GET /api/v1/public/purposes/membership/notice', json(200, NOTICE));
    const client = createCustosClient({ baseUrl: `${baseUrl}/` });
    const notice = await client.getPublishedNotice('membership');
    expect(notice).toEqual(NOTICE);
    const req = last();
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/api/v1/public/purposes/membership/notice');
    expect(req.headers.accept).toContain('application/problem+json');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers['content-type']).toBeUndefined();
    expect(req.headers['x-custos-channel-key']).toBeUndefined();
  });

  it('sends Idempotency-Key and X-Custos-Channel-Key (and no Authorization) on a widget collection', async () => {
    const response = {
      collectionId: 'c1',
      customerId: null,
      created: true,
      consentIds: ['k1', 'k2'],
      fields: [{ field: 'email', masked: 'a***@example.com' }],
    };
    replies.set('POST /api/v1/collections', json(201, response));
    const client = createCustosClient({ baseUrl, channelKey: 'pk_live_abc123' });
    const result = await client.collectCustomerData(COLLECT_BODY, 'key_0123456789-abc');
    expect(result).toEqual(response);
    const req = last();
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/api/v1/collections');
    expect(req.headers['idempotency-key']).toBe('key_0123456789-abc');
    expect(req.headers['x-custos-channel-key']).toBe('pk_live_abc123');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers.cookie).toBeUndefined();
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual(COLLECT_BODY);
  });

  it('sends the bearer token when it has one, and no channel key when it has none', async () => {
    replies.set('POST /api/v1/collections', json(201, { collectionId: 'c', customerId: 'u', created: false, consentIds: [], fields: [] }));
    const client = createCustosClient({ baseUrl, token: 'tok_secret' });
    await client.collectCustomerData(COLLECT_BODY, 'abcdefgh');
    expect(last().headers.authorization).toBe('Bearer tok_secret');
    expect(last().headers['x-custos-channel-key']).toBeUndefined();

    client.setToken(undefined);
    await client.listChannels();
    expect(last().headers.authorization).toBeUndefined();
  });

  it('refuses an idempotency key outside 8-128 of [A-Za-z0-9_-] without sending anything', async () => {
    const client = createCustosClient({ baseUrl, channelKey: 'pk' });
    for (const key of ['short', 'has space in it', 'x'.repeat(129), 'ümlaut-key']) {
      await expect(client.collectCustomerData(COLLECT_BODY, key)).rejects.toBeInstanceOf(RangeError);
    }
    await expect(client.collectCustomerData(COLLECT_BODY, 'x'.repeat(128))).resolves.toBeDefined();
    expect(seen).toHaveLength(1);
  });

  it('turns application/problem+json into a CustosApiError with status, code, title, detail, clauses and problems', async () => {
    replies.set(
      'POST /api/v1/collections',
      problem(422, {
        type: 'https://custos.example/problems/policy_violation',
        title: 'Policy violation',
        status: 422,
        detail: 'Sensitive information needs separate consent',
        requestId: 'req-42',
        code: 'policy_violation',
        clauses: ['P3.2', 'P3.4'],
        problems: [
          { field: 'health', reason: 'separate_consent_required' },
          { field: 'consent', reason: 'consent_required' },
        ],
      }),
    );
    const client = createCustosClient({ baseUrl, channelKey: 'pk' });
    const err = await client.collectCustomerData(COLLECT_BODY, 'abcdefgh').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CustosApiError);
    const e = err as CustosApiError;
    expect(e.status).toBe(422);
    expect(e.code).toBe('policy_violation');
    expect(e.title).toBe('Policy violation');
    expect(e.detail).toBe('Sensitive information needs separate consent');
    expect(e.type).toBe('https://custos.example/problems/policy_violation');
    expect(e.requestId).toBe('req-42');
    expect(e.clauses).toEqual(['P3.2', 'P3.4']);
    expect(e.problems).toEqual([
      { field: 'health', reason: 'separate_consent_required' },
      { field: 'consent', reason: 'consent_required' },
    ]);
    expect(e.message).toBe('422 policy_violation: Sensitive information needs separate consent');
    expect(e.problem.code).toBe('policy_violation');
  });

  it('gives a 409 idempotency conflict and a 404 notice as CustosApiError with empty clauses and problems', async () => {
    replies.set('POST /api/v1/collections', problem(409, { type: 'about:blank', title: 'Conflict', status: 409, code: 'conflict' }));
    replies.set(
      'GET /api/v1/public/purposes/nope/notice',
      problem(404, { type: 'about:blank', title: 'Not Found', status: 404, code: 'not_found' }),
    );
    const client = createCustosClient({ baseUrl, channelKey: 'pk' });
    const conflict = (await client.collectCustomerData(COLLECT_BODY, 'abcdefgh').catch((e: unknown) => e)) as CustosApiError;
    expect(conflict.status).toBe(409);
    expect(conflict.clauses).toEqual([]);
    expect(conflict.problems).toEqual([]);
    const missing = (await client.getPublishedNotice('nope').catch((e: unknown) => e)) as CustosApiError;
    expect(missing).toBeInstanceOf(CustosApiError);
    expect(missing.status).toBe(404);
    expect(missing.code).toBe('not_found');
  });

  it('still gives a CustosApiError for an error body that is not a problem', async () => {
    replies.set('GET /api/v1/portal/me', { status: 502, type: 'text/html', body: '<h1>Bad gateway</h1>' });
    const client = createCustosClient({ baseUrl });
    const err = (await client.getPortalOverview().catch((e: unknown) => e)) as CustosApiError;
    expect(err).toBeInstanceOf(CustosApiError);
    expect(err.status).toBe(502);
    expect(err.code).toBe('http_502');
    expect(err.title).toBe('Bad Gateway');
    expect(err.detail).toBe('<h1>Bad gateway</h1>');
    expect(err.problems).toEqual([]);
  });

  it('returns undefined for 204 (portal logout)', async () => {
    replies.set('POST /api/v1/portal/logout', { status: 204 });
    const client = createCustosClient({ baseUrl });
    await expect(client.portalLogout()).resolves.toBeUndefined();
    expect(last().method).toBe('POST');
    expect(last().headers['content-type']).toBeUndefined();
    expect(last().body).toBe('');
  });

  it('throws CustosNetworkError when nothing answers', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = createCustosClient({ baseUrl: `http://127.0.0.1:${port}`, channelKey: 'pk' });
    const err = await client.collectCustomerData(COLLECT_BODY, 'abcdefgh').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CustosNetworkError);
    expect(err).not.toBeInstanceOf(CustosApiError);
  });

  it('uses a custom fetch when given one', async () => {
    const calls: string[] = [];
    const client = createCustosClient({
      baseUrl: 'https://custos.invalid',
      fetch: async (input, init) => {
        calls.push(`${init.method} ${input}`);
        return new Response(JSON.stringify({ items: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    await expect(client.listNotices({ purposeCode: 'a b' })).resolves.toEqual({ items: [] });
    expect(calls).toEqual(['GET https://custos.invalid/api/v1/notices?purposeCode=a+b']);
  });

  it('maps every operation to its method, path, query and body', async () => {
    const client = createCustosClient({ baseUrl, token: 't' });
    const id = 'a1/b';
    const cases: [() => Promise<unknown>, string, string, unknown][] = [
      [
        () => client.requestPortalCode({ piType: 'email', value: 'a@example.com' }),
        'POST',
        '/api/v1/portal/challenges',
        { piType: 'email', value: 'a@example.com' },
      ],
      [
        () => client.verifyPortalCode({ challengeId: 'ch', code: '123456' }),
        'POST',
        '/api/v1/portal/sessions',
        { challengeId: 'ch', code: '123456' },
      ],
      [() => client.getPortalOverview(), 'GET', '/api/v1/portal/me', undefined],
      [
        () => client.withdrawMyConsent({ purposeCode: 'p', categories: ['health'] }),
        'POST',
        '/api/v1/portal/withdrawals',
        { purposeCode: 'p', categories: ['health'] },
      ],
      [() => client.listPurposes({ status: 'active', code: 'p' }), 'GET', '/api/v1/purposes?status=active&code=p', undefined],
      [() => client.listPurposes(), 'GET', '/api/v1/purposes', undefined],
      [() => client.submitPurpose(id), 'POST', '/api/v1/purposes/a1%2Fb/submit', undefined],
      [() => client.approvePurpose(id), 'POST', '/api/v1/purposes/a1%2Fb/approve', {}],
      [() => client.approvePurpose(id, { comment: 'ok' }), 'POST', '/api/v1/purposes/a1%2Fb/approve', { comment: 'ok' }],
      [() => client.rejectPurpose(id, { comment: 'no' }), 'POST', '/api/v1/purposes/a1%2Fb/reject', { comment: 'no' }],
      [() => client.activatePurpose(id), 'POST', '/api/v1/purposes/a1%2Fb/activate', undefined],
      [() => client.retirePurpose(id), 'POST', '/api/v1/purposes/a1%2Fb/retire', undefined],
      [
        () => client.createNotice({ purposeId: 'v1', content: NOTICE.notice.content }),
        'POST',
        '/api/v1/notices',
        { purposeId: 'v1', content: NOTICE.notice.content },
      ],
      [
        () => client.updateNotice('n1', { content: NOTICE.notice.content }),
        'PUT',
        '/api/v1/notices/n1',
        { content: NOTICE.notice.content },
      ],
      [() => client.publishNotice('n1'), 'POST', '/api/v1/notices/n1/publish', undefined],
      [() => client.listNotices({ purposeCode: 'p' }), 'GET', '/api/v1/notices?purposeCode=p', undefined],
      [() => client.listChannels(), 'GET', '/api/v1/channels', undefined],
      [() => client.listCustomerConsents('c1'), 'GET', '/api/v1/customers/c1/consents', undefined],
      [
        () => client.checkConsent({ customerId: 'c1', purposeCode: 'p', fields: ['email'] }),
        'POST',
        '/api/v1/consent-checks',
        { customerId: 'c1', purposeCode: 'p', fields: ['email'] },
      ],
      [() => client.getConsentStatistics(), 'GET', '/api/v1/consent-statistics', undefined],
    ];
    const createPurpose = {
      code: 'membership',
      name: { 'zh-CN': '会员', en: 'Membership' },
      description: { 'zh-CN': '描述', en: 'Description' },
      businessLine: 'retail',
      ownerDepartmentId: '00000000-0000-4000-8000-000000000001',
      legalBasis: 'consent' as const,
      fields: ['email', 'health'],
      necessity: { health: { 'zh-CN': '必要', en: 'Needed' } },
      scenarios: [{ 'zh-CN': '场景', en: 'Scenario' }],
      retention: { days: 365, trigger: 'relationship_end' as const },
    };
    const channel = {
      code: 'web',
      name: { 'zh-CN': '官网', en: 'Website' },
      type: 'web_form' as const,
      ownerDepartmentId: 'd1',
      allowedOrigins: ['https://shop.example'],
    };
    const importBody = {
      channelId: 'ch1',
      purposeCode: 'p',
      lawfulSource: { description: 'legacy CRM', basis: 'consent' },
      rows: [{ fields: { email: 'a@example.com' }, consent: { method: 'paper_signature' as const, givenAt: '2024-01-01T00:00:00Z' } }],
    };
    const record = { purposeCode: 'p', noticeId: 'n1', scope: ['email'], separate: [], method: 'click' as const };
    const withdrawal = { purposeCode: 'p', method: 'paper_signature' as const, evidence: { documentHash: 'c'.repeat(64) } };
    cases.push(
      [() => client.createPurpose(createPurpose), 'POST', '/api/v1/purposes', createPurpose],
      [() => client.createChannel(channel), 'POST', '/api/v1/channels', channel],
      [() => client.importCustomerData(importBody), 'POST', '/api/v1/imports', importBody],
      [() => client.recordConsent('c1', record), 'POST', '/api/v1/customers/c1/consents', record],
      [() => client.withdrawConsent('c1', withdrawal), 'POST', '/api/v1/customers/c1/consents/withdraw', withdrawal],
    );
    for (const [call, method, url, body] of cases) {
      await call();
      const req = last();
      expect(`${req.method} ${req.url}`).toBe(`${method} ${url}`);
      expect(req.headers.authorization).toBe('Bearer t');
      if (body === undefined) {
        expect(req.body).toBe('');
        expect(req.headers['content-type']).toBeUndefined();
      } else {
        expect(JSON.parse(req.body)).toEqual(body);
        expect(req.headers['content-type']).toBe('application/json');
      }
    }
    expect(seen).toHaveLength(cases.length);
  });
});
