import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { OperationDef } from '@custos/core';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The core operation this route performs; its requirement is checked by core before validation. */
    operation?: OperationDef;
    /** Routes outside the API (health, docs, console) say so explicitly. */
    publicRoute?: boolean;
  }
}

type Schema = {
  body?: z.ZodType;
  querystring?: z.ZodType;
  params?: z.ZodType;
  response?: Record<number, z.ZodType>;
};

type Req<S extends Schema> = FastifyRequest<{
  Body: S['body'] extends z.ZodType ? z.output<S['body']> : unknown;
  Querystring: S['querystring'] extends z.ZodType ? z.output<S['querystring']> : unknown;
  Params: S['params'] extends z.ZodType ? z.output<S['params']> : unknown;
}>;

/**
 * Declare an API route for a core operation: the operationId, the permission it needs and the
 * OpenAPI document all come from the operation and the zod schemas that validate the request.
 */
export function apiRoute<S extends Schema>(
  app: FastifyInstance,
  def: {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    url: string;
    operation: OperationDef;
    summary: string;
    tags: string[];
    schema: S;
    /** Responses carry customer PI: forces Cache-Control: no-store (the API default anyway). */
    handler: (req: Req<S>, reply: FastifyReply) => Promise<unknown>;
    config?: RouteOptions['config'];
  },
): void {
  app.withTypeProvider<ZodTypeProvider>().route({
    method: def.method,
    url: def.url,
    schema: {
      operationId: def.operation.id,
      summary: def.summary,
      tags: def.tags,
      ...(def.schema as object),
    },
    config: { ...(def.config ?? {}), operation: def.operation },
    handler: def.handler as never,
  });
}

/** Send a file handed out through a one-time link (exports, shares): attachment, its hash, never cached. */
export function sendDownload(
  reply: FastifyReply,
  f: { filename: string; contentType: string; bytes: number; sha256: string; stream: NodeJS.ReadableStream },
): FastifyReply {
  return reply
    .header('content-type', f.contentType)
    .header('content-disposition', `attachment; filename="${f.filename}"`)
    .header('content-length', String(f.bytes))
    .header('x-content-sha256', f.sha256)
    .header('cache-control', 'no-store')
    .send(f.stream);
}
