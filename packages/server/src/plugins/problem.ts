import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { CustosError, InvalidError, TooManyRequestsError } from '@custos/core';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  code: string;
  errors?: Array<{ field: string; reason: string }>;
  clauses?: string[];
}

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Refused by policy',
  423: 'Locked',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

/**
 * The single error handler: core errors and framework errors become application/problem+json
 * with the request id. Messages come from core, which never puts plain PI in them; unknown
 * errors are logged by message only and answered with a generic body.
 */
export const problemPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err: FastifyError | Error, req, reply) => {
      let status = 500;
      let code = 'internal';
      let detail = 'an internal error occurred; quote the request id when reporting it';
      let errors: Problem['errors'];
      let clauses: string[] | undefined;
      if (err instanceof CustosError) {
        status = err.status;
        code = err.code;
        detail = err.message;
        if (err.clauses.length) clauses = err.clauses;
        if (err instanceof InvalidError && err.problems.length) errors = err.problems;
        if (err instanceof TooManyRequestsError) reply.header('retry-after', String(err.retryAfterSeconds));
        if (status >= 500) req.log.error({ code, sqlState: (err as { sqlState?: string }).sqlState, msg: err.message }, 'core error');
      } else if (hasZodFastifySchemaValidationErrors(err)) {
        status = 400;
        code = 'invalid';
        detail = 'the request is not valid';
        errors = err.validation.map((v) => ({
          field:
            [
              (err as FastifyError).validationContext === 'body' ? undefined : (err as FastifyError).validationContext,
              ...String(v.instancePath ?? '')
                .split('/')
                .filter(Boolean),
            ]
              .filter(Boolean)
              .join('.') || '(body)',
          reason: v.message ?? 'invalid',
        }));
      } else if (isResponseSerializationError(err)) {
        req.log.error({ issues: err.cause.issues.map((i) => ({ path: i.path, code: i.code })) }, 'response did not match its schema');
      } else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! < 500) {
        status = (err as FastifyError).statusCode!;
        code = (err as FastifyError).code ? String((err as FastifyError).code).toLowerCase() : 'bad_request';
        // Framework messages (bad JSON, body too large, rate limit) do not contain field values.
        detail = err.message;
      } else {
        req.log.error({ err: { name: err.name, message: err.message, stack: err.stack } }, 'unhandled error');
      }
      const body: Problem = {
        type: `urn:custos:problem:${code}`,
        title: TITLES[status] ?? 'Error',
        status,
        detail,
        instance: req.url.split('?')[0]!,
        requestId: req.id,
        code,
        ...(errors ? { errors } : {}),
        ...(clauses ? { clauses } : {}),
      };
      return reply.code(status).type('application/problem+json').header('cache-control', 'no-store').send(body);
    });

    app.setNotFoundHandler((req, reply) => {
      const body: Problem = {
        type: 'urn:custos:problem:not_found',
        title: 'Not found',
        status: 404,
        detail: 'no such route',
        instance: req.url.split('?')[0]!,
        requestId: req.id,
        code: 'not_found',
      };
      return reply.code(404).type('application/problem+json').send(body);
    });
  },
  { name: 'custos-problem' },
);
