/**
 * Mints a bearer token with the local key (issue #10, docs/security.md):
 *
 *   npx tsx scripts/token.ts admin
 *   npx tsx scripts/token.ts supervisor --county 410400          # the city
 *   npx tsx scripts/token.ts supervisor --county 410402
 *   npx tsx scripts/token.ts caseworker --county 410402 [--township 410402001]
 *   npx tsx scripts/token.ts bureau --department jt-410402 [--county 410402]
 *   npx tsx scripts/token.ts procuratorate --department jc-410402
 *
 * Options: --sub <who> (default: the role and jurisdiction), --ttl <8h|30m|1d> (default 8h).
 * The token goes to stdout alone (`TOKEN=$(npx tsx scripts/token.ts admin)`), notes to stderr.
 * The key is derived from CAREFLOW_DATA_KEY (the development key when unset), as the API
 * derives it; with AUTH_JWKS_URL or AUTH_PUBLIC_KEY set the API accepts only the identity
 * provider's tokens, so this script refuses.
 */
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from '../src/config';
import { checkClaims, localTokenMinterFromConfig, ROLES, type Role } from '../src/security/auth';

const USAGE = `usage: npx tsx scripts/token.ts <${ROLES.join('|')}> [--county <code>] [--township <code>] [--department <code>] [--sub <who>] [--ttl <8h>]`;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      county: { type: 'string' },
      township: { type: 'string' },
      department: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '8h' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 1) fail(USAGE);
  const role = positionals[0] as Role;
  if (!ROLES.includes(role)) fail(`unknown role "${role}"\n${USAGE}`);
  if (!/^\d+[smhd]$/.test(values.ttl)) fail('--ttl: a number with s, m, h or d, e.g. 8h');

  let config;
  try {
    config = parseConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const minter = localTokenMinterFromConfig(config);
  if (!minter) fail('AUTH_JWKS_URL or AUTH_PUBLIC_KEY is set: the API accepts only your identity provider\'s tokens; get one there.');

  const claims = { role, county: values.county, township: values.township, department: values.department };
  const checked = checkClaims(Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined)));
  if (!checked.ok) fail(`invalid ${role} token: ${checked.problems.join('; ')}\n${USAGE}`);

  const token = await minter.mint(checked.claims, { subject: values.sub, expiresIn: values.ttl });
  console.log(token);
  console.error(`${role} token, valid ${values.ttl}${config.CAREFLOW_DATA_KEY ? '' : ' (development key)'}. Use: curl -H "Authorization: Bearer $TOKEN" ...`);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
