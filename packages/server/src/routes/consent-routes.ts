import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  channelSchema,
  checkConsentInput,
  collectInput,
  collectResultSchema,
  consentRecordSchema,
  consentStateSchema,
  consentStatisticsSchema,
  createChannelInput,
  createNoticeInput,
  createPurposeInput,
  decisionSchema,
  importInput,
  importResultSchema,
  listNoticesInput,
  listPurposesInput,
  noticeSchema,
  OPERATIONS,
  purposeSchema,
  recordConsentInput,
  rejectInput,
  reviewInput,
  updateNoticeInput,
  withdrawConsentInput,
  type Core,
} from '@custos/core';
import { apiRoute } from '../route-def.js';

const idParams = z.object({ id: z.uuid() });
const consentIds = z.object({ consentIds: z.array(z.uuid()) });

/**
 * Purposes, notices, channels, collection and the consent ledger (P2.1, P2.2, P3.1-P3.4).
 * Collection is also the widget's entry point (a channel key instead of a staff login).
 */
export async function consentRoutes(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;

  // Purposes.
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/purposes',
    operation: OPERATIONS.createPurpose,
    summary: 'Draft a purpose, or the next version of an existing one (same code)',
    tags: ['purposes'],
    schema: { body: createPurposeInput, response: { 201: purposeSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.purposes.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/purposes',
    operation: OPERATIONS.listPurposes,
    summary: 'Purposes and their versions, newest version first per code',
    tags: ['purposes'],
    schema: { querystring: listPurposesInput, response: { 200: z.object({ items: z.array(purposeSchema) }) } },
    handler: async (req) => ({ items: await core.purposes.list(req.actor, req.query) }),
  });
  const transitions = [
    ['submit', OPERATIONS.submitPurpose, 'Submit a draft purpose for approval', null],
    ['approve', OPERATIONS.approvePurpose, 'Approve a submitted purpose (compliance officer; not its author)', reviewInput],
    ['reject', OPERATIONS.rejectPurpose, 'Return a submitted purpose to draft with a comment', rejectInput],
    ['activate', OPERATIONS.activatePurpose, 'Activate an approved version (the previous active version retires)', null],
    ['retire', OPERATIONS.retirePurpose, 'Retire the active version: it accepts no more collection', null],
  ] as const;
  for (const [verb, operation, summary, body] of transitions) {
    apiRoute(app, {
      method: 'POST',
      url: `/api/v1/purposes/:id/${verb}`,
      operation,
      summary,
      tags: ['purposes'],
      schema: { params: idParams, ...(body ? { body: body.optional() } : {}), response: { 200: purposeSchema } },
      handler: async (req) => {
        const b = (req.body ?? {}) as { comment?: string };
        switch (verb) {
          case 'submit':
            return core.purposes.submit(req.actor, req.params.id);
          case 'approve':
            return core.purposes.approve(req.actor, req.params.id, b);
          case 'reject':
            return core.purposes.reject(req.actor, req.params.id, b as { comment: string });
          case 'activate':
            return core.purposes.activate(req.actor, req.params.id);
          case 'retire':
            return core.purposes.retire(req.actor, req.params.id);
        }
      },
    });
  }

  // Notices.
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/notices',
    operation: OPERATIONS.createNotice,
    summary: 'Draft a privacy notice (zh-CN and English) for a purpose version',
    tags: ['notices'],
    schema: { body: createNoticeInput, response: { 201: noticeSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.notices.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'PUT',
    url: '/api/v1/notices/:id',
    operation: OPERATIONS.updateNotice,
    summary: 'Change a draft notice (published notices are immutable)',
    tags: ['notices'],
    schema: { params: idParams, body: updateNoticeInput, response: { 200: noticeSchema } },
    handler: async (req) => core.notices.update(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/notices/:id/publish',
    operation: OPERATIONS.publishNotice,
    summary: 'Publish a complete notice: fixes its content hash; it supersedes the previous one',
    tags: ['notices'],
    schema: { params: idParams, response: { 200: noticeSchema } },
    handler: async (req) => core.notices.publish(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/notices',
    operation: OPERATIONS.listNotices,
    summary: 'Notices and their versions',
    tags: ['notices'],
    schema: { querystring: listNoticesInput, response: { 200: z.object({ items: z.array(noticeSchema) }) } },
    handler: async (req) => ({ items: await core.notices.list(req.actor, req.query) }),
  });

  // Channels.
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/channels',
    operation: OPERATIONS.createChannel,
    summary: 'Register a collection channel (web channels get a publishable key for the widget)',
    tags: ['channels'],
    schema: { body: createChannelInput, response: { 201: channelSchema } },
    handler: async (req, reply) => reply.code(201).send(await core.channels.create(req.actor, req.body)),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/channels',
    operation: OPERATIONS.listChannels,
    summary: 'Registered collection channels',
    tags: ['channels'],
    schema: { response: { 200: z.object({ items: z.array(channelSchema) }) } },
    handler: async (req) => ({ items: await core.channels.list(req.actor) }),
  });

  // Collection and import.
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/collections',
    operation: OPERATIONS.collectCustomerData,
    summary:
      'Collect a customer’s PI for an active purpose with its consent (staff, or a widget with a channel key); needs an Idempotency-Key',
    tags: ['collection'],
    schema: { body: collectInput, response: { 201: collectResultSchema } },
    handler: async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const r = await core.collection.collect(req.actor, req.body, {
        idempotencyKey: typeof key === 'string' ? key : '',
        ip: req.ip,
        userAgent: req.headers['user-agent'],
      });
      const { replayed, ...result } = r;
      if (replayed) reply.header('idempotent-replay', 'true');
      return reply.code(201).send(result);
    },
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/imports',
    operation: OPERATIONS.importCustomerData,
    summary: 'Bulk-import customers from a declared lawful source; every row validated, rejected rows reported',
    tags: ['collection'],
    schema: { body: importInput, response: { 200: importResultSchema } },
    handler: async (req) => core.collection.import(req.actor, req.body),
  });

  // Consent ledger.
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/customers/:id/consents',
    operation: OPERATIONS.recordConsent,
    summary: 'Record a consent given outside Custos (paper, call), with its evidence hash',
    tags: ['consent'],
    schema: { params: idParams, body: recordConsentInput, response: { 201: consentIds } },
    handler: async (req, reply) =>
      reply
        .code(201)
        .send(await core.consent.record(req.actor, req.params.id, req.body, { ip: req.ip, userAgent: req.headers['user-agent'] })),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/customers/:id/consents/withdraw',
    operation: OPERATIONS.withdrawConsent,
    summary: 'Withdraw consent on the customer’s behalf (all of a purpose, or some categories)',
    tags: ['consent'],
    schema: { params: idParams, body: withdrawConsentInput, response: { 200: consentIds } },
    handler: async (req) => core.consent.withdraw(req.actor, req.params.id, req.body),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/customers/:id/consents',
    operation: OPERATIONS.listCustomerConsents,
    summary: 'A customer’s consent ledger and current consent state',
    tags: ['consent'],
    schema: {
      params: idParams,
      response: { 200: z.object({ records: z.array(consentRecordSchema), current: z.array(consentStateSchema) }) },
    },
    handler: async (req) => core.consent.list(req.actor, req.params.id),
  });
  apiRoute(app, {
    method: 'POST',
    url: '/api/v1/consent-checks',
    operation: OPERATIONS.checkConsent,
    summary: 'May these fields of this customer be processed for this purpose now? Allow or deny, with the reason',
    tags: ['consent'],
    schema: { body: checkConsentInput, response: { 200: z.object({ decisions: z.array(decisionSchema) }) } },
    handler: async (req) => core.consent.check(req.actor, req.body),
  });
  apiRoute(app, {
    method: 'GET',
    url: '/api/v1/consent-statistics',
    operation: OPERATIONS.getConsentStatistics,
    summary: 'Granted, withdrawn and expired consents per purpose',
    tags: ['consent'],
    schema: { response: { 200: consentStatisticsSchema } },
    handler: async (req) => core.consent.statistics(req.actor),
  });
}
