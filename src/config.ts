/**
 * The environment, parsed once with zod. A wrong value stops start-up with a message that
 * names the variable (issue #2). Everything that differs between a laptop and production
 * is here; county policy parameters live in the domain with their defaults.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { z } from 'zod';

/** A PEM (SPKI) or JWK public key, as AUTH_PUBLIC_KEY holds it. */
export function publicKeyFrom(value: string) {
  const text = value.trim().replaceAll('\\n', '\n');
  return text.startsWith('{') ? createPublicKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' }) : createPublicKey(text);
}

function isPublicKey(value: string): boolean {
  // A private key would "work" (Node derives its public half) but must never sit in the API's environment.
  if (value.includes('PRIVATE KEY') || /"d"\s*:/.test(value)) return false;
  try {
    return publicKeyFrom(value).type === 'public';
  } catch {
    return false;
  }
}

const countyList = z
  .string()
  .transform((value) => value.split(',').map((code) => code.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^\d{6}$/, 'each entry must be a 6-digit GB/T 2260 code')));

const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), `must start with ${protocols.join('/')}://`);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_BASE_URL: url(['http', 'https']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: `npm start` runs embedded Postgres under .data/. */
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  /** Unset: `npm start` runs the Temporal CLI dev server under .data/. */
  TEMPORAL_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, 'must be host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('careflow'),
  /** Unset: `npm start` runs a local SMTP sink with a web inbox. */
  SMTP_URL: url(['smtp', 'smtps']).optional(),
  MAIL_FROM: z.string().min(3).default('careflow <noreply@careflow.local>'),
  /**
   * 32-byte key (base64) that encrypts resident ID numbers at rest and keys their look-up
   * hash. Required in production; development derives a fixed key and says so.
   */
  CAREFLOW_DATA_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  /**
   * Keys of the Temporal payload codec, `id:base64,id:base64` (32 bytes each); the first
   * encrypts, all decrypt (rotation: put the new key first, keep the old ones). Unset: one
   * key derived from CAREFLOW_DATA_KEY.
   */
  CAREFLOW_PAYLOAD_KEYS: z
    .string()
    .refine((value) => value.split(',').every((entry) => /^[\w.-]+:/.test(entry.trim()) && Buffer.from(entry.trim().split(':')[1] ?? '', 'base64').length === 32), 'must be "id:<32 bytes, base64>", comma-separated')
    .optional(),
  /**
   * Bearer tokens (issue #10, docs/security.md). Unset: tokens are signed and verified with
   * a local HS256 key derived from CAREFLOW_DATA_KEY (`scripts/token.ts` mints them). Set one
   * of these to verify the tokens of an identity provider instead (the local key is then
   * refused): a JWKS URL, or one public key (PEM "SPKI" or a JWK; `\n` escapes allowed).
   */
  AUTH_JWKS_URL: url(['https', 'http']).optional(),
  AUTH_PUBLIC_KEY: z.string().refine(isPublicKey, 'must be a public key: PEM (-----BEGIN PUBLIC KEY-----) or a JWK').optional(),
  /** Required `iss` of tokens; required with AUTH_JWKS_URL / AUTH_PUBLIC_KEY. */
  AUTH_ISSUER: z.string().min(1).optional(),
  /** Required `aud` of tokens. */
  AUTH_AUDIENCE: z.string().min(1).default('careflow'),
  /** Browser origins allowed to call the API cross-origin (e.g. the Temporal UI for /codec); unset: none. */
  CORS_ORIGINS: z
    .string()
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each entry must be an origin like https://host:port (no path)')))
    .default([]),
  /** Requests per minute per token (per address when anonymous) before 429. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(1200),
  /** M1: the central urban districts between which a move does not count. */
  CENTRAL_URBAN_DISTRICTS: countyList.default(['410402', '410403', '410411']),
  /** Where `npm start` keeps Postgres and Temporal data between runs. */
  DATA_DIR: z.string().min(1).default('.data'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const [variable, ...within] = issue.path;
        const where = within.length ? ` (at ${within.join('.')})` : '';
        return `${String(variable ?? '(environment)')}: ${issue.message}${where}`;
      }),
    );
  }
  if (result.data.NODE_ENV === 'production' && !result.data.CAREFLOW_DATA_KEY) {
    throw new ConfigError(['CAREFLOW_DATA_KEY: required when NODE_ENV=production']);
  }
  if (result.data.AUTH_JWKS_URL && result.data.AUTH_PUBLIC_KEY) {
    throw new ConfigError(['AUTH_JWKS_URL, AUTH_PUBLIC_KEY: set one of them, not both']);
  }
  if ((result.data.AUTH_JWKS_URL || result.data.AUTH_PUBLIC_KEY) && !result.data.AUTH_ISSUER) {
    throw new ConfigError(['AUTH_ISSUER: required with AUTH_JWKS_URL or AUTH_PUBLIC_KEY (the `iss` your identity provider puts in its tokens)']);
  }
  return result.data;
}

let cached: Config | undefined;

/** The process-wide configuration; exits with a message naming the variable when invalid. */
export function loadConfig(): Config {
  if (cached) return cached;
  try {
    cached = parseConfig();
    return cached;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
