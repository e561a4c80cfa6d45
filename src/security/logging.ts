/**
 * The API's logger (issue #10): no personal data and no credentials in logs.
 *
 * - Fastify never logs bodies; anything a handler logs under these keys is censored anyway
 *   (pino's `redact`): bodies, the Authorization header, and the fields of a child's record
 *   that identify a person (name, ID number, guardians, phone numbers, addresses).
 * - The request line keeps the method, the route pattern, the path and the query, with a
 *   `token` parameter (the dashboard's `?token=` link) censored.
 */
import type { FastifyRequest } from 'fastify';

export const REDACTED = '[REDACTED]';

const PERSONAL_FIELDS = ['name', 'residentId', 'guardians', 'phone', 'village', 'township', 'notes', 'summary', 'note'];

/** pino `redact` paths: exact keys at the top, one and two levels down (pino has no recursive wildcard). */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  'token',
  'body',
  'payload',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'request.body',
  '*.body',
  '*.authorization',
  ...PERSONAL_FIELDS,
  ...PERSONAL_FIELDS.map((field) => `*.${field}`),
  ...PERSONAL_FIELDS.map((field) => `*.*.${field}`),
];

/** A URL with the value of every `token` query parameter censored. */
export function withoutSecrets(url: string): string {
  return url.replace(/([?&](?:token|access_token)=)[^&#]*/gi, `$1${REDACTED}`);
}

export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: {
      req(request: FastifyRequest) {
        return {
          method: request.method,
          url: withoutSecrets(request.url),
          route: request.routeOptions?.url,
          remoteAddress: request.ip,
        };
      },
    },
  };
}
