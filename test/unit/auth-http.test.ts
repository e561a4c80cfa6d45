/**
 * Issue #10 on the HTTP side, on a bare Fastify with the security hooks and a few of the
 * policy table's routes (no database: look-ups and the access log are stubs): security
 * headers and CSP, CORS closed by default, rate limits per token, log redaction, and
 * docs/security.md matching the policy table.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../../src/api/errors';
import { createAuthenticator, createLocalTokenMinter } from '../../src/security/auth';
import { registerSecurity, type SecurityOptions } from '../../src/security/http';
import type { AccessEntry } from '../../src/security/lookups';
import { loggerOptions, withoutSecrets } from '../../src/security/logging';
import { policyMarkdown } from '../../src/security/policy';

const dataKey = Buffer.alloc(32, 5);
const minter = createLocalTokenMinter(dataKey);
const CHILD = '11111111-1111-4111-8111-111111111111';
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(security: Partial<SecurityOptions> = {}, stream?: Writable): Promise<{ app: FastifyInstance; logged: AccessEntry[] }> {
  const logged: AccessEntry[] = [];
  const instance = Fastify(stream ? { logger: { ...loggerOptions('info'), stream } } : {});
  registerErrorHandling(instance);
  await registerSecurity(instance, {
    pool: undefined as never,
    security: {
      auth: createAuthenticator({ kind: 'local', dataKey, audience: 'careflow' }),
      corsOrigins: [],
      rateLimitPerMinute: 1000,
      lookup: async (kind, id) => (kind === 'child' && id === CHILD ? { county: '410402' } : undefined),
      accessLog: async (entry) => void logged.push(entry),
      ...security,
    },
  });
  instance.get('/healthz', async () => ({ status: 'ok' }));
  instance.get('/api/v1/stats', async () => ({ ok: true }));
  instance.get('/api/v1/children/:id', async (request) => {
    request.log.info({ body: { name: '张小明', residentId: '410102201503121230' }, child: { name: '张小明', guardians: [{ phone: '13812345678' }] } }, 'read a child');
    return { id: (request.params as { id: string }).id };
  });
  instance.get('/api/v1/unlisted', async () => ({ ok: true }));
  await instance.ready();
  app = instance;
  return { app: instance, logged };
}

const bearer = async (claims: Parameters<typeof minter.mint>[0], subject?: string) => ({ authorization: `Bearer ${await minter.mint(claims, { subject })}` });

describe('security hooks on a bare Fastify', () => {
  it('answers 401 with a challenge, 403 for a role or an unlisted route, 404 out of jurisdiction', async () => {
    const { app } = await build();
    const anonymous = await app.inject({ url: '/api/v1/stats' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED', details: [{ path: 'headers.authorization' }] });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);

    const bureau = await bearer({ role: 'bureau', department: 'jt-410402' });
    expect((await app.inject({ url: '/api/v1/stats', headers: bureau })).json()).toMatchObject({ code: 'FORBIDDEN', details: [{ path: 'url' }] });
    const admin = await bearer({ role: 'admin' });
    expect((await app.inject({ url: '/api/v1/unlisted', headers: admin })).json()).toMatchObject({ code: 'FORBIDDEN', details: [{ path: 'url', message: expect.stringContaining('policy.ts') }] });

    const own = await bearer({ role: 'caseworker', county: '410402' });
    const other = await bearer({ role: 'caseworker', county: '410403' });
    expect((await app.inject({ url: `/api/v1/children/${CHILD}`, headers: own })).statusCode).toBe(200);
    expect((await app.inject({ url: `/api/v1/children/${CHILD}`, headers: other })).json()).toEqual({ code: 'NOT_FOUND', message: '儿童不存在', details: [{ path: 'params.id', message: '未找到儿童' }] });
    // HEAD follows GET.
    expect((await app.inject({ method: 'HEAD', url: `/api/v1/children/${CHILD}`, headers: other })).statusCode).toBe(404);
  });

  it('sends security headers with a CSP the dashboard satisfies, and no CORS headers by default', async () => {
    const { app } = await build();
    const response = await app.inject({ url: '/healthz', headers: { origin: 'https://evil.example' } });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await app.inject({ method: 'OPTIONS', url: '/api/v1/stats', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows the configured origins only (the Temporal UI calling the codec endpoint)', async () => {
    const { app } = await build({ corsOrigins: ['http://127.0.0.1:8233'] });
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/stats',
      headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');
    const evil = await app.inject({ url: '/api/v1/stats', headers: { origin: 'https://evil.example', ...(await bearer({ role: 'admin' })) } });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('limits requests per token subject, with the error body', async () => {
    const { app } = await build({ rateLimitPerMinute: 3 });
    const first = await bearer({ role: 'supervisor', county: '410400' }, 'li.si');
    for (let i = 0; i < 3; i += 1) expect((await app.inject({ url: '/api/v1/stats', headers: first })).statusCode).toBe(200);
    const limited = await app.inject({ url: '/api/v1/stats', headers: first });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/[\u4e00-\u9fff]/) });
    expect(limited.headers['retry-after']).toBeDefined();
    // Another person is not held up by li.si's script, nor is a new token of li.si a way around it.
    expect((await app.inject({ url: '/api/v1/stats', headers: await bearer({ role: 'supervisor', county: '410400' }, 'wang.wu') })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/stats', headers: await bearer({ role: 'supervisor', county: '410400' }, 'li.si') })).statusCode).toBe(429);
  });

  it("logs each read of a child's record and each operator request to the access log", async () => {
    const { app, logged } = await build();
    await app.inject({ url: `/api/v1/children/${CHILD}`, headers: { ...(await bearer({ role: 'caseworker', county: '410402' }, 'zhao.liu')), 'x-access-purpose': encodeURIComponent('复核') } });
    await app.inject({ url: '/api/v1/stats', headers: await bearer({ role: 'admin' }, 'ops') });
    await app.inject({ url: '/api/v1/stats', headers: await bearer({ role: 'supervisor', county: '410402' }) });
    expect(logged.map((e) => ({ subject: e.principal.subject, action: e.action, route: e.route, childId: e.childId, purpose: e.purpose }))).toEqual([
      { subject: 'zhao.liu', action: 'child.read', route: 'GET /api/v1/children/:id', childId: CHILD, purpose: '复核' },
      { subject: 'ops', action: 'operator.request', route: 'GET /api/v1/stats', childId: undefined, purpose: undefined },
    ]);
  });

  it('keeps personal data and tokens out of the log', async () => {
    let output = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString();
        done();
      },
    });
    const { app } = await build({}, stream);
    const headers = await bearer({ role: 'caseworker', county: '410402' });
    const token = headers.authorization.slice('Bearer '.length);
    await app.inject({ url: `/api/v1/children/${CHILD}?token=${token}`, headers });
    expect(output).toContain('read a child');
    expect(output).toContain('/api/v1/children/:id');
    for (const secret of ['张小明', '410102201503121230', '13812345678', token]) expect(output).not.toContain(secret);
    expect(output).toContain('token=[REDACTED]');
    expect(withoutSecrets('/?a=1&token=abc&b=2')).toBe('/?a=1&token=[REDACTED]&b=2');
  });
});

describe('docs/security.md', () => {
  it('shows the policy table as src/security/policy.ts has it', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
    // On a mismatch, paste policyMarkdown() into the doc (npx tsx -e "import('./src/security/policy.ts').then((m) => console.log(m.policyMarkdown()))").
    expect(doc).toContain(policyMarkdown());
  });
});
