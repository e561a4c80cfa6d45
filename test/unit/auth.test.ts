/**
 * Issue #10: bearer tokens — the local key and its minter, an identity provider's public
 * key and JWKS, the claims each role must carry, and configuration errors that name the
 * variable.
 */
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config';
import { authKeysFromConfig, bearerToken, checkClaims, createAuthenticator, createLocalTokenMinter, localTokenMinterFromConfig, type Authenticator } from '../../src/security/auth';
import { DEVELOPMENT_DATA_KEY } from '../../src/security/field-crypto';

const dataKey = Buffer.alloc(32, 7);
const local = createAuthenticator({ kind: 'local', dataKey, audience: 'careflow' });
const minter = createLocalTokenMinter(dataKey);

async function rejects(auth: Authenticator, token: string): Promise<void> {
  await expect(auth.verify(token)).rejects.toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
}

describe('local tokens (development, tests, scripts/token.ts)', () => {
  it('carry the role and jurisdiction of each role', async () => {
    for (const claims of [
      { role: 'caseworker', county: '410402', township: '410402001' },
      { role: 'bureau', department: 'jt-410402', county: '410402' },
      { role: 'supervisor', county: '410400' },
      { role: 'procuratorate', department: 'jc-410402', county: '410402' },
      { role: 'admin' },
    ] as const) {
      const principal = await local.verify(await minter.mint(claims, { subject: 'someone' }));
      expect(principal).toEqual({ subject: 'someone', ...claims });
    }
  });

  it('give a bureau or procuratorate the county its department code names', async () => {
    expect(await local.verify(await minter.mint({ role: 'bureau', department: 'xz-410402001' }))).toMatchObject({ county: '410402' });
    expect(await local.verify(await minter.mint({ role: 'procuratorate', department: 'jc-410421' }))).toMatchObject({ county: '410421' });
  });

  it('refuse claims that name no real jurisdiction', () => {
    for (const claims of [
      { role: 'caseworker' },
      { role: 'caseworker', county: '110101' },
      { role: 'caseworker', county: '410402', township: '410403001' },
      { role: 'supervisor', county: '4104' },
      { role: 'procuratorate', department: 'jt-410402' },
      { role: 'bureau' },
      { role: 'root' },
    ]) {
      expect(checkClaims(claims).ok, JSON.stringify(claims)).toBe(false);
    }
  });

  it('are refused when expired, signed with another key, for another audience or issuer, or unsigned', async () => {
    await rejects(local, await minter.mint({ role: 'admin' }, { expiresIn: '-1m' }));
    await rejects(local, await createLocalTokenMinter(Buffer.alloc(32, 8)).mint({ role: 'admin' }));
    await rejects(local, await createLocalTokenMinter(dataKey, { audience: 'other' }).mint({ role: 'admin' }));
    await rejects(local, await createLocalTokenMinter(dataKey, { issuer: 'someone-else' }).mint({ role: 'admin' }));
    const [, payload] = (await minter.mint({ role: 'admin' })).split('.');
    await rejects(local, `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`);
  });

  it('take the key from CAREFLOW_DATA_KEY, the development key when unset', async () => {
    const dev = localTokenMinterFromConfig(parseConfig({}))!;
    const devAuth = createAuthenticator(authKeysFromConfig(parseConfig({})));
    expect(await devAuth.verify(await dev.mint({ role: 'admin' }))).toMatchObject({ role: 'admin' });
    expect(await createAuthenticator({ kind: 'local', dataKey: DEVELOPMENT_DATA_KEY, audience: 'careflow' }).verify(await dev.mint({ role: 'admin' }))).toMatchObject({ role: 'admin' });
    const production = parseConfig({ CAREFLOW_DATA_KEY: dataKey.toString('base64') });
    await rejects(createAuthenticator(authKeysFromConfig(production)), await dev.mint({ role: 'admin' }));
  });

  it('read the Authorization header as Bearer only', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
    for (const header of [undefined, '', 'Basic abc', 'Bearer', 'Bearer a b']) expect(() => bearerToken(header)).toThrow();
  });
});

describe("an identity provider's keys (production)", () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const issue = (claims: Record<string, unknown>, options: { alg?: string; issuer?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: 'k1' })
      .setSubject('zhang.san')
      .setIssuer(options.issuer ?? 'https://idp.example')
      .setAudience('careflow')
      .setExpirationTime('1h')
      .sign(privateKey);
  let server: Server;
  let jwksUrl: string;

  beforeAll(async () => {
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server = createServer((_request, response) => response.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies tokens with a configured public key (PEM, \\n-escaped as in an env file)', async () => {
    const config = parseConfig({ AUTH_PUBLIC_KEY: pem.replaceAll('\n', '\\n'), AUTH_ISSUER: 'https://idp.example' });
    const auth = createAuthenticator(authKeysFromConfig(config));
    expect(await auth.verify(await issue({ role: 'supervisor', county: '410402' }))).toEqual({ subject: 'zhang.san', role: 'supervisor', county: '410402' });
    await rejects(auth, await issue({ role: 'supervisor', county: '410402' }, { issuer: 'https://evil.example' }));
    // The local key is not accepted once an identity provider's keys are configured.
    await rejects(auth, await createLocalTokenMinter(DEVELOPMENT_DATA_KEY).mint({ role: 'admin' }));
    expect(localTokenMinterFromConfig(config)).toBeUndefined();
    // Algorithm confusion: the public key used as an HMAC secret.
    const hmac = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('https://idp.example').setAudience('careflow').setExpirationTime('1h').sign(new TextEncoder().encode(pem));
    await rejects(auth, hmac);
  });

  it('verifies tokens with keys from a JWKS URL', async () => {
    const auth = createAuthenticator(authKeysFromConfig(parseConfig({ AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: 'https://idp.example' })));
    expect(await auth.verify(await issue({ role: 'procuratorate', department: 'jc-410402' }))).toMatchObject({ role: 'procuratorate', department: 'jc-410402', county: '410402' });
    // A valid signature over claims no role has.
    await rejects(auth, await issue({ role: 'procuratorate' }));
    await rejects(auth, await issue({ role: 'caseworker', county: '110101' }));
  });

  it('names the variable when the configuration is wrong', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ AUTH_PUBLIC_KEY: 'not a key', AUTH_ISSUER: 'x' }, /AUTH_PUBLIC_KEY:/],
      [{ AUTH_PUBLIC_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), AUTH_ISSUER: 'x' }, /AUTH_PUBLIC_KEY:/],
      [{ AUTH_JWKS_URL: 'ftp://idp.example/jwks', AUTH_ISSUER: 'x' }, /AUTH_JWKS_URL:/],
      [{ AUTH_JWKS_URL: jwksUrl }, /AUTH_ISSUER:/],
      [{ AUTH_JWKS_URL: jwksUrl, AUTH_PUBLIC_KEY: pem, AUTH_ISSUER: 'x' }, /AUTH_JWKS_URL, AUTH_PUBLIC_KEY:/],
      [{ CORS_ORIGINS: 'http://127.0.0.1:8233/ui' }, /CORS_ORIGINS:/],
      [{ RATE_LIMIT_PER_MINUTE: 'lots' }, /RATE_LIMIT_PER_MINUTE:/],
    ];
    for (const [env, message] of cases) {
      expect(() => parseConfig(env)).toThrow(ConfigError);
      expect(() => parseConfig(env)).toThrow(message);
    }
    expect(parseConfig({ CORS_ORIGINS: 'http://127.0.0.1:8233, https://ui.example' }).CORS_ORIGINS).toEqual(['http://127.0.0.1:8233', 'https://ui.example']);
    expect(parseConfig({}).CORS_ORIGINS).toEqual([]);
  });
});
