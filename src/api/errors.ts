/**
 * One body for every error: {code, message, details: [{path, message}]}, `code` a stable
 * English identifier, `message` in Chinese for the person at the other end.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface ErrorDetail {
  path: string;
  message: string;
}

export const errorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })),
  /** On 409 for a duplicate: the record that already holds the value. */
  existingId: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string, path: string) => new ApiError(404, 'NOT_FOUND', `${what}不存在`, [{ path, message: `未找到${what}` }]);

/** Fastify's own errors, before our handlers run, mapped to our codes. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE', message: '请求体过大' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: '请求体必须是 JSON（Content-Type: application/json）' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'INVALID_BODY', message: '请求体长度与 Content-Length 不符' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'INVALID_JSON', message: '请求体为空，应为 JSON' },
  // RFC 10008: a QUERY request must name its content type; fastify refuses it before routing.
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: { status: 400, code: 'MISSING_CONTENT_TYPE', message: '请求缺少 Content-Type 头' },
};

function locationOf(context: string | undefined): string {
  switch (context) {
    case 'querystring':
      return 'query';
    case 'params':
      return 'params';
    case 'headers':
      return 'headers';
    default:
      return 'body';
  }
}

/** Zod issues as our details, an unknown field reported at its own path. */
export function issueDetails(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: unknown }>, where: string): ErrorDetail[] {
  return issues.flatMap((issue) => {
    const path = [where, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys' && Array.isArray(issue.keys) && issue.keys.length) {
      return issue.keys.map((key) => ({ path: [...path, String(key)].join('.'), message: issue.message }));
    }
    return [{ path: path.join('.'), message: issue.message }];
  });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.statusCode).send({ code: error.code, message: error.message, details: error.details, ...error.extra });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = locationOf(error.validationContext);
      const details = error.validation.flatMap((issue) => {
        const path = [where, ...issue.instancePath.split('/').filter(Boolean)];
        const message = issue.message ?? '无效的值';
        // An unknown field is reported at its own path, not at the object holding it.
        const keys = issue.keyword === 'unrecognized_keys' ? (issue.params as { keys?: unknown }).keys : undefined;
        if (Array.isArray(keys) && keys.length) return keys.map((key) => ({ path: [...path, String(key)].join('.'), message }));
        return [{ path: path.join('.'), message }];
      });
      return reply.code(400).send({ code: 'VALIDATION_FAILED', message: '请求参数不符合要求', details });
    }
    const known = error.code ? FASTIFY_ERRORS[error.code] : undefined;
    if (known) {
      return reply.code(known.status).send({ code: known.code, message: known.message, details: [{ path: 'body', message: known.message }] });
    }
    if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error.statusCode === 400 && /JSON/i.test(error.message))) {
      return reply.code(400).send({ code: 'INVALID_JSON', message: '请求体不是合法的 JSON', details: [{ path: 'body', message: '无法解析 JSON' }] });
    }
    if (error.statusCode === 429) {
      return reply.code(429).send({ code: 'RATE_LIMITED', message: '请求过于频繁，请稍后再试', details: [] });
    }
    // Any other refusal fastify makes itself is the client's fault, never a 500 (the API
    // fuzz test found QUERY requests answered 500, issue #11).
    if (error.code?.startsWith('FST_') && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ code: 'BAD_REQUEST', message: '请求无效', details: [{ path: 'request', message: error.message }] });
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response does not match its schema');
    } else {
      request.log.error({ err: error }, 'unhandled error');
    }
    // No stack trace or internal message in the body.
    return reply.code(500).send({ code: 'INTERNAL', message: '服务器内部错误，请稍后重试', details: [] });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ code: 'ROUTE_NOT_FOUND', message: '接口不存在', details: [{ path: 'url', message: `${request.method} ${request.url.split('?')[0]}` }] });
  });
}
