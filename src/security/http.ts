/**
 * Issue #10 on the HTTP side, registered once in app.ts before the routes:
 *
 * 1. security headers (@fastify/helmet, a CSP the dashboard satisfies: scripts and styles
 *    from this origin only, no inline script);
 * 2. CORS only for the configured origins (CORS_ORIGINS; none by default);
 * 3. `onRequest`: the bearer token (401 UNAUTHENTICATED) and whether its role may call the
 *    route at all (403 FORBIDDEN), from the policy table (src/security/policy.ts);
 * 4. rate limiting per token subject (@fastify/rate-limit; per address when anonymous);
 * 5. `preValidation`: the record's jurisdiction (404 when outside it, exactly like a missing
 *    record), list filters forced to the caller's jurisdiction, body fields naming a county;
 *    before validation, so nobody learns anything about a record it may not see;
 * 6. `preHandler`: the access log (reads of a child's record, every operator request).
 */
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, notFound } from '../api/errors';
import { parseConfig, type Config } from '../config';
import type { Pool } from '../db/pool';
import { authKeysFromConfig, bearerToken, createAuthenticator, type Authenticator, type Principal } from './auth';
import { sqlAccessLog, sqlScopeLookup, type AccessLogWriter, type ScopeLookup } from './lookups';
import { covers, forcedFilter, holdsEverything, mayCall, routeKey, ruleFor, type RecordKind, type RoutePolicy } from './policy';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; null on public routes. Set by the security hooks (src/security/http.ts). */
    principal: Principal | null;
  }
}

export interface SecurityOptions {
  auth: Authenticator;
  /** Browser origins allowed cross-origin; empty: no CORS headers at all. */
  corsOrigins: readonly string[];
  /** Requests per minute per token subject; false: no limit (benchmarks). */
  rateLimitPerMinute: number | false;
  /** Record jurisdiction look-ups; default SQL on the pool. */
  lookup?: ScopeLookup;
  /** Where access-log entries go; default the access_log table. */
  accessLog?: AccessLogWriter;
}

export function securityOptionsFromConfig(config: Config): SecurityOptions {
  return {
    auth: createAuthenticator(authKeysFromConfig(config)),
    corsOrigins: config.CORS_ORIGINS,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
  };
}

export function forbidden(path: string, message: string): ApiError {
  return new ApiError(403, 'FORBIDDEN', '无权执行此操作', [{ path, message }]);
}

/** The 404 a route gives for a missing record, given by the hook for a record outside the caller's jurisdiction. */
function hidden(kind: RecordKind, at: string): ApiError {
  if (at === 'body.childId') return new ApiError(404, 'NOT_FOUND', '儿童不存在', [{ path: 'body.childId', message: '未找到该儿童' }]);
  const what: Record<RecordKind, string> = { child: '儿童', case: '案件', task: '任务', referral: '移送记录', survey: '摸排' };
  return notFound(what[kind], at);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function valueAt(source: unknown, dotted: string): unknown {
  let value = source;
  for (const key of dotted.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function policyOf(request: FastifyRequest): RoutePolicy | undefined {
  const url = request.routeOptions.url;
  if (url === undefined) return undefined;
  const rule = ruleFor(request.method, url);
  return rule === 'public' ? undefined : rule;
}

const routeLists = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** Every route the app registered after the security hooks (all of the API), HEAD and OPTIONS aside. */
export function routesOf(app: FastifyInstance): ReadonlyArray<{ method: string; url: string }> {
  return routeLists.get(app) ?? [];
}

/** X-Access-Purpose: free text, percent-encoded when not ASCII (HTTP headers are bytes), at most 200 characters. */
function decodedPurpose(header: string): string {
  try {
    return decodeURIComponent(header).slice(0, 200);
  } catch {
    return header.slice(0, 200);
  }
}

const ROLE_NAMES: Record<Principal['role'], string> = {
  caseworker: '儿童工作人员',
  bureau: '职能部门',
  supervisor: '督导',
  procuratorate: '检察机关',
  admin: '运维管理员',
};

export async function registerSecurity(app: FastifyInstance, deps: { pool: Pool; security?: Partial<SecurityOptions> }): Promise<void> {
  let config: Config | undefined;
  const fromEnvironment = () => (config ??= parseConfig(process.env));
  const auth = deps.security?.auth ?? securityOptionsFromConfig(fromEnvironment()).auth;
  const corsOrigins = deps.security?.corsOrigins ?? fromEnvironment().CORS_ORIGINS;
  const rateLimitPerMinute = deps.security?.rateLimitPerMinute ?? fromEnvironment().RATE_LIMIT_PER_MINUTE;
  const lookup = deps.security?.lookup ?? sqlScopeLookup(deps.pool);
  const accessLog = deps.security?.accessLog ?? sqlAccessLog(deps.pool);

  app.decorateRequest('principal', null);
  app.log.info(`tokens verified with ${auth.description}`);
  if (!deps.security?.auth && fromEnvironment().NODE_ENV === 'production' && !fromEnvironment().AUTH_JWKS_URL && !fromEnvironment().AUTH_PUBLIC_KEY) {
    app.log.warn('tokens are verified with the local key derived from CAREFLOW_DATA_KEY: set AUTH_JWKS_URL or AUTH_PUBLIC_KEY to use an identity provider (docs/security.md)');
  }

  // The route list: the authorisation matrix test checks it against the policy table, and
  // a route without a rule is reported at start-up (and refused at run time).
  const routes: Array<{ method: string; url: string }> = [];
  routeLists.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD' && method !== 'OPTIONS') routes.push({ method, url: route.url });
    }
  });
  app.addHook('onReady', async () => {
    const missing = routes.filter(({ method, url }) => !ruleFor(method, url)).map(({ method, url }) => `${method} ${url}`);
    if (missing.length) app.log.warn(`routes without an authorisation rule, refused to everyone: ${missing.join(', ')} (add them to src/security/policy.ts)`);
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'"],
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'frame-ancestors': ["'none'"],
        // Served over plain HTTP on loopback by `npm start`; TLS is the proxy's business.
        'upgrade-insecure-requests': null,
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });

  if (corsOrigins.length) {
    await app.register(fastifyCors, {
      origin: [...corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-access-purpose'],
      maxAge: 600,
    });
  }

  // 3. Who is calling, and may its role call this route at all?
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    // No route: the not-found handler answers 404 (the API's routes are public in /docs anyway).
    if (url === undefined) return;
    const rule = ruleFor(request.method, url);
    if (rule === 'public') return;
    try {
      request.principal = await auth.verify(bearerToken(request.headers.authorization));
    } catch (error) {
      reply.header('www-authenticate', 'Bearer realm="careflow"');
      throw error;
    }
    const route = routeKey(request.method, url);
    if (!rule) throw forbidden('url', `${route} 尚未配置访问策略（src/security/policy.ts），一律拒绝`);
    if (!mayCall(request.principal, rule)) throw forbidden('url', `${ROLE_NAMES[request.principal.role]}（${request.principal.role}）不能调用 ${route}`);
  });

  // 4. After the token: the limit is per subject, so one user's script cannot starve the others.
  if (rateLimitPerMinute !== false) {
    await app.register(fastifyRateLimit, {
      max: rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => (request.principal ? `sub:${request.principal.role}:${request.principal.subject}` : `ip:${request.ip}`),
      errorResponseBuilder: (_request, context) => new ApiError(429, 'RATE_LIMITED', '请求过于频繁，请稍后再试', [{ path: 'headers.authorization', message: `每分钟最多 ${context.max} 次请求，${context.after}后再试` }]),
    });
  }

  // 5. Which records: before validation, so a record outside the jurisdiction is simply not there.
  app.addHook('preValidation', async (request) => {
    const principal = request.principal;
    const policy = policyOf(request);
    if (!principal || !policy || holdsEverything(principal)) return;

    if (policy.record) {
      const id = policy.record.at === 'params.id' ? (request.params as Record<string, unknown> | undefined)?.id : valueAt(request.body, 'childId');
      // A malformed id is the validator's to refuse, for everyone alike.
      if (typeof id === 'string' && UUID.test(id)) {
        const scope = await lookup(policy.record.kind, id.toLowerCase());
        // Missing and out of jurisdiction answer alike: the route's own 404.
        if (!scope || !covers(principal, scope)) throw hidden(policy.record.kind, policy.record.at);
      }
    }

    const forced = forcedFilter(principal, policy);
    if (forced) {
      const query = (request.query ?? {}) as Record<string, unknown>;
      const asked = query[forced.param];
      if (asked === undefined || asked === '') {
        query[forced.param] = forced.value;
        request.query = query;
      } else if (asked !== forced.value) {
        throw forbidden(`query.${forced.param}`, `只能查询本辖区的数据（${forced.param}=${forced.value}）`);
      }
    }

    if (policy.bodyCounty) {
      const county = valueAt(request.body, policy.bodyCounty);
      if (county !== undefined && !covers(principal, { county: String(county) })) {
        throw forbidden(`body.${policy.bodyCounty}`, `不能登记或转到本辖区（${principal.county ?? '无'}）以外的县（市、区）`);
      }
    }
  });

  // 6. The access log, written before the route reads anything.
  app.addHook('preHandler', async (request) => {
    const principal = request.principal;
    const policy = policyOf(request);
    if (!principal || !policy) return;
    if (!policy.logRead && principal.role !== 'admin') return;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const purpose = request.headers['x-access-purpose'];
    await accessLog({
      principal,
      action: policy.logRead ? 'child.read' : 'operator.request',
      route: routeKey(request.method, request.routeOptions.url ?? ''),
      childId: policy.logRead && typeof params.id === 'string' ? params.id : undefined,
      params,
      purpose: typeof purpose === 'string' && purpose ? decodedPurpose(purpose) : undefined,
      requestId: request.id,
    });
  });
}
