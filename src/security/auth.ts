/**
 * Authentication (issue #10): signed bearer tokens (JWT) that name a role and a jurisdiction.
 *
 * Claims, beside the standard `sub`, `iss`, `aud`, `exp`:
 *
 * | role            | jurisdiction claims                                        |
 * |-----------------|------------------------------------------------------------|
 * | `caseworker`    | `county` (Pingdingshan county), optional `township` (9 digits in it) |
 * | `bureau`        | `department` (directory code, e.g. `jt-410402`), `county`  |
 * | `supervisor`    | `county`, or `410400` for the city                         |
 * | `procuratorate` | `department` (`jc-<region>`), `county`                     |
 * | `admin`         | none: the operator                                          |
 *
 * Keys: a local HS256 key derived from CAREFLOW_DATA_KEY (development, and small
 * deployments; `scripts/token.ts` mints tokens with it), or an identity provider's keys
 * (AUTH_JWKS_URL or AUTH_PUBLIC_KEY, with AUTH_ISSUER and AUTH_AUDIENCE). Which one is
 * used is decided once, from the configuration; the other is then refused.
 */
import { hkdfSync, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { ApiError } from '../api/errors';
import { publicKeyFrom, type Config } from '../config';
import { PINGDINGSHAN_CITY, PINGDINGSHAN_COUNTIES, PINGDINGSHAN_FUNCTIONAL_ZONES } from '../domain/regions';
import { dataKeyFrom } from './field-crypto';

export const ROLES = ['caseworker', 'bureau', 'supervisor', 'procuratorate', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The city's region code: a supervisor with this county supervises every county. */
export const CITY = PINGDINGSHAN_CITY;

/** Who is calling, as the token says. */
export interface Principal {
  /** The token's `sub`: a person or service account, as the issuer names it. */
  subject: string;
  role: Role;
  /** 6 digits; `410400` for the city supervisor. */
  county?: string;
  /** 9 digits, inside `county` (caseworkers of a township). */
  township?: string;
  /** Department code in the directory (bureaus, procuratorates). */
  department?: string;
}

/**
 * How the audit trail names who did something: role and token subject (a staff account,
 * never a child). `system` for writes made without a caller (start-up seeding, workflows).
 */
export function auditActor(principal: Principal | null): string {
  return principal ? `${principal.role}:${principal.subject}` : 'system';
}

/** The claims a token carries beside `sub`. */
export type TokenClaims = Omit<Principal, 'subject'>;

/** `iss` of tokens signed with the local key. */
export const LOCAL_ISSUER = 'careflow-local';

const isPingdingshanCounty = (code: string) => PINGDINGSHAN_COUNTIES.includes(code) || PINGDINGSHAN_FUNCTIONAL_ZONES.includes(code);
const county = z.string().regex(/^\d{6}$/).refine(isPingdingshanCounty, '不是平顶山市辖区内的县（市、区）');
const departmentCode = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/, '部门代码格式不正确').max(80);
/** The county a department code names: `jt-410402` → 410402, `xz-410402001` → 410402. */
export function regionOfDepartment(code: string): string | undefined {
  return /-(\d{6})(?:\d{3})?(?:-[a-z0-9]+)?$/.exec(code)?.[1];
}

const claimsSchema = z.discriminatedUnion('role', [
  z
    .object({ role: z.literal('caseworker'), county, township: z.string().regex(/^\d{9}$/).optional() })
    .refine((c) => !c.township || c.township.startsWith(c.county), { message: '乡镇（街道）不在该县（市、区）内', path: ['township'] }),
  z.object({ role: z.literal('bureau'), department: departmentCode, county: z.string().regex(/^\d{6}$/).optional() }),
  z.object({ role: z.literal('supervisor'), county: z.union([county, z.literal(CITY)]) }),
  z.object({ role: z.literal('procuratorate'), department: z.string().regex(/^jc-\d{6}$/, '检察院的部门代码应为 jc-<6 位区划代码>'), county: z.string().regex(/^\d{6}$/).optional() }),
  z.object({ role: z.literal('admin') }),
]);

/** The claims of a role, checked: what a token must carry and what `scripts/token.ts` accepts. */
export function checkClaims(claims: unknown): { ok: true; claims: TokenClaims } | { ok: false; problems: string[] } {
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'role'}: ${issue.message}`) };
  const c = parsed.data as TokenClaims;
  // The county of a bureau or procuratorate defaults to the region its code names.
  if ((c.role === 'bureau' || c.role === 'procuratorate') && !c.county && c.department) {
    const region = regionOfDepartment(c.department);
    if (region) c.county = region;
  }
  return { ok: true, claims: c };
}

export function unauthenticated(message: string): ApiError {
  return new ApiError(401, 'UNAUTHENTICATED', message, [{ path: 'headers.authorization', message }]);
}

export interface Authenticator {
  /** Which keys verify tokens, for the start-up log. */
  readonly description: string;
  /** The principal of a bearer token; an ApiError 401 when it is missing or invalid. */
  verify(token: string): Promise<Principal>;
}

export type AuthKeys =
  | { kind: 'local'; dataKey: Buffer; issuer?: string; audience: string }
  | { kind: 'public-key'; key: string | KeyObject; issuer: string; audience: string }
  | { kind: 'jwks'; url: string; issuer: string; audience: string };

/** The HS256 secret derived from the data key: never the data key itself. */
function localSecret(dataKey: Buffer): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'careflow:auth-token-hs256', 32));
}

const ASYMMETRIC = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];

/** The algorithms a public key can verify: never HS*, so a public key cannot be used as an HMAC secret. */
function algorithmsOf(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return ['ES256', 'ES384', 'ES512'];
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ed25519':
    case 'ed448':
      return ['EdDSA'];
    default:
      throw new Error(`unsupported public key type ${key.asymmetricKeyType ?? 'unknown'}`);
  }
}

/** The keys the configuration names (see the module comment). */
export function authKeysFromConfig(config: Pick<Config, 'AUTH_JWKS_URL' | 'AUTH_PUBLIC_KEY' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'CAREFLOW_DATA_KEY'>): AuthKeys {
  const audience = config.AUTH_AUDIENCE;
  if (config.AUTH_JWKS_URL) return { kind: 'jwks', url: config.AUTH_JWKS_URL, issuer: config.AUTH_ISSUER ?? '', audience };
  if (config.AUTH_PUBLIC_KEY) return { kind: 'public-key', key: config.AUTH_PUBLIC_KEY, issuer: config.AUTH_ISSUER ?? '', audience };
  return { kind: 'local', dataKey: dataKeyFrom(config.CAREFLOW_DATA_KEY), issuer: config.AUTH_ISSUER, audience };
}

export function createAuthenticator(keys: AuthKeys): Authenticator {
  let key: Uint8Array | KeyObject | JWTVerifyGetKey;
  let algorithms: string[];
  let description: string;
  const issuer = keys.issuer || LOCAL_ISSUER;
  switch (keys.kind) {
    case 'local':
      key = localSecret(keys.dataKey);
      algorithms = ['HS256'];
      description = 'local HS256 key derived from CAREFLOW_DATA_KEY (mint tokens with scripts/token.ts)';
      break;
    case 'public-key': {
      const publicKey = typeof keys.key === 'string' ? publicKeyFrom(keys.key) : keys.key;
      key = publicKey;
      algorithms = algorithmsOf(publicKey);
      description = `AUTH_PUBLIC_KEY (${algorithms.join('/')}), issuer ${issuer}`;
      break;
    }
    case 'jwks':
      key = createRemoteJWKSet(new URL(keys.url), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
      algorithms = ASYMMETRIC;
      description = `AUTH_JWKS_URL ${keys.url}, issuer ${issuer}`;
      break;
  }
  return {
    description,
    async verify(token) {
      let payload;
      try {
        // jose takes each key form through its own overload; the union needs one cast.
        ({ payload } = await jwtVerify(token, key as Uint8Array, { issuer, audience: keys.audience, algorithms, clockTolerance: 30 }));
      } catch {
        throw unauthenticated('登录令牌无效或已过期，请重新获取');
      }
      if (typeof payload.sub !== 'string' || !payload.sub || payload.sub.length > 200) throw unauthenticated('登录令牌缺少用户标识（sub）');
      const checked = checkClaims(payload);
      if (!checked.ok) throw unauthenticated(`登录令牌的角色或管辖范围无效：${checked.problems.join('；')}`);
      return { subject: payload.sub, ...checked.claims };
    },
  };
}

/** The token of an `Authorization: Bearer <token>` header; a 401 when there is none. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) throw unauthenticated('需要登录：请在 Authorization 请求头中提供 Bearer 令牌');
  return match[1];
}

export interface TokenMinter {
  /** A signed token for the claims; `subject` defaults to the role, `expiresIn` to 8 hours. */
  mint(claims: TokenClaims, options?: { subject?: string; expiresIn?: string | number }): Promise<string>;
}

/** Mints tokens with the local key (development, tests, small deployments). */
export function createLocalTokenMinter(dataKey: Buffer, options: { issuer?: string; audience?: string } = {}): TokenMinter {
  const secret = localSecret(dataKey);
  return {
    async mint(claims, { subject, expiresIn = '8h' } = {}) {
      const checked = checkClaims(claims);
      if (!checked.ok) throw new Error(`invalid claims: ${checked.problems.join('; ')}`);
      return new SignJWT({ ...checked.claims })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(subject ?? `${claims.role}${claims.department ? `:${claims.department}` : claims.county ? `:${claims.county}` : ''}`)
        .setIssuer(options.issuer ?? LOCAL_ISSUER)
        .setAudience(options.audience ?? 'careflow')
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(secret);
    },
  };
}

/** The local minter as the configuration sets it up; undefined when an identity provider's keys are configured. */
export function localTokenMinterFromConfig(config: Pick<Config, 'AUTH_JWKS_URL' | 'AUTH_PUBLIC_KEY' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'CAREFLOW_DATA_KEY'>): TokenMinter | undefined {
  const keys = authKeysFromConfig(config);
  if (keys.kind !== 'local') return undefined;
  return createLocalTokenMinter(keys.dataKey, { issuer: keys.issuer, audience: keys.audience });
}
