// Static validation of the deployment files (docker-compose.yml, Dockerfile, deploy/...).
// There is no Docker engine on the build machine, so the compose file is never run here;
// this test guards the properties that matter when it is run elsewhere.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));
const composePath = join(root, 'docker-compose.yml');
const dockerfilePath = join(root, 'Dockerfile');
const deploymentDocPath = join(root, 'docs', 'deployment.md');

/** Variables that must be provided by the operator (`${VAR:?message}`), and must be documented. */
const REQUIRED_VARS = ['CAREFLOW_DATA_KEY'];
/** Services that run once and exit (depended upon with service_completed_successfully). */
const ONE_SHOT = ['temporal-admin-tools'];
/** Services built from the repository's Dockerfile. */
const APP_SERVICES = ['worker', 'api'];

type Healthcheck = { test?: string | string[]; disable?: boolean; interval?: string; retries?: number };
type Service = {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | string[] | { path: string }[];
  ports?: (string | number | { published?: string | number })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
  container_name?: string;
  hostname?: string;
  restart?: string;
  deploy?: { replicas?: number };
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

const composeText = readFileSync(composePath, 'utf8');
// `merge: true` resolves the `<<: *anchor` merge keys used for the shared environment.
const compose = parse(composeText, { merge: true }) as Compose;
const services = compose?.services ?? {};
const serviceNames = Object.keys(services);

function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const i = entry.indexOf('=');
        return i < 0 ? [entry, ''] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

function dependsOnOf(service: Service): Record<string, { condition?: string }> {
  const deps = service.depends_on ?? {};
  return Array.isArray(deps) ? Object.fromEntries(deps.map((d) => [d, {}])) : deps;
}

/** Every string value (not key) in a parsed YAML tree. */
function allStrings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) node.forEach((n) => allStrings(n, out));
  else if (node && typeof node === 'object') Object.values(node).forEach((n) => allStrings(n, out));
  return out;
}

/** Host path of a bind mount, or undefined for named volumes. */
function bindSource(volume: NonNullable<Service['volumes']>[number]): string | undefined {
  if (typeof volume === 'string') {
    const source = volume.split(':')[0] ?? '';
    return /^(\.{1,2}\/|\/|~)/.test(source) || source === '.' ? source : undefined;
  }
  return volume.type === 'bind' ? volume.source : undefined;
}

function splitImage(ref: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = ref.split('@') as [string, string | undefined];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0
    ? { name: withoutDigest, digest }
    : { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
}

describe('docker-compose.yml', () => {
  it('parses and defines the expected services', () => {
    expect(compose).toBeTypeOf('object');
    expect(serviceNames.sort()).toEqual(
      ['api', 'mail', 'postgres', 'temporal', 'temporal-admin-tools', 'temporal-ui', 'worker'].sort(),
    );
  });

  it('pins every image to an explicit version (no latest, no untagged)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.image) {
        expect(service.build, `${name} has neither image nor build`).toBeDefined();
        continue;
      }
      const { tag, digest } = splitImage(service.image);
      expect(tag ?? digest, `${name}: ${service.image} is untagged`).toBeTruthy();
      expect(tag, `${name}: ${service.image} uses latest`).not.toBe('latest');
      if (!service.build) {
        // third-party image: the tag must carry an explicit version (x.y...)
        expect(tag ?? '', `${name}: ${service.image} is not pinned to a version`).toMatch(/^v?\d+\.\d+/);
      }
    }
  });

  it('uses the same Temporal server version for auto-setup and admin-tools', () => {
    const server = splitImage(services.temporal?.image ?? '').tag ?? '';
    const tools = splitImage(services['temporal-admin-tools']?.image ?? '').tag ?? '';
    expect(services.temporal?.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services['temporal-admin-tools']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(tools.startsWith(server)).toBe(true);
  });

  it('gives every long-running service a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      if (ONE_SHOT.includes(name)) continue;
      const hc = service.healthcheck;
      expect(hc, `${name} has no healthcheck`).toBeDefined();
      expect(hc?.disable, `${name} healthcheck is disabled`).not.toBe(true);
      const test = Array.isArray(hc?.test) ? hc.test : [hc?.test ?? ''];
      expect(test.length, `${name} healthcheck has no test`).toBeGreaterThan(0);
      expect(['CMD', 'CMD-SHELL'], `${name} healthcheck test must be CMD/CMD-SHELL`).toContain(test[0]);
      expect(test.slice(1).join(' ').trim(), `${name} healthcheck test is empty`).not.toBe('');
    }
  });

  it('runs one-shot services once (restart "no"), without a healthcheck', () => {
    for (const name of ONE_SHOT) {
      const service = services[name];
      expect(service, name).toBeDefined();
      expect(service?.restart ?? 'no').toBe('no');
      expect(service?.healthcheck).toBeUndefined();
    }
  });

  it('uses depends_on only on defined services, with health/completion conditions', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(Array.isArray(service.depends_on), `${name}: depends_on must use the long form with conditions`).toBe(
        false,
      );
      for (const [dep, { condition }] of Object.entries(dependsOnOf(service))) {
        expect(serviceNames, `${name} depends on undefined service ${dep}`).toContain(dep);
        expect(dep, `${name} depends on itself`).not.toBe(name);
        const expected = ONE_SHOT.includes(dep) ? 'service_completed_successfully' : 'service_healthy';
        expect(condition, `${name} -> ${dep}`).toBe(expected);
        if (expected === 'service_healthy') {
          expect(services[dep]?.healthcheck, `${name} waits for ${dep} to be healthy but it has no healthcheck`).toBeDefined();
        }
      }
    }
  });

  it('starts the app only after postgres, temporal, the search attributes and mail', () => {
    for (const name of APP_SERVICES) {
      const deps = dependsOnOf(services[name] ?? {});
      expect(Object.keys(deps).sort(), name).toEqual(['mail', 'postgres', 'temporal', 'temporal-admin-tools'].sort());
    }
    expect(Object.keys(dependsOnOf(services.temporal ?? {}))).toEqual(['postgres']);
    expect(Object.keys(dependsOnOf(services['temporal-admin-tools'] ?? {}))).toEqual(['temporal']);
  });

  it('builds worker and api from the repository Dockerfile with the right commands', () => {
    for (const name of APP_SERVICES) {
      const build = services[name]?.build;
      expect(build, `${name} must use build`).toBeDefined();
      const context = typeof build === 'string' ? build : (build?.context ?? '.');
      expect(resolve(root, context)).toBe(resolve(root));
      const dockerfile = typeof build === 'object' && build?.dockerfile ? build.dockerfile : 'Dockerfile';
      expect(existsSync(join(root, context, dockerfile)), `${dockerfile} is missing`).toBe(true);
    }
    const cmd = (s: Service | undefined) => (Array.isArray(s?.command) ? s.command.join(' ') : (s?.command ?? ''));
    expect(cmd(services.api)).toBe('npx tsx src/api/main.ts');
    // worker: either the Dockerfile default CMD or the same command spelled out
    expect(['', 'npx tsx worker.ts']).toContain(cmd(services.worker));
  });

  it('lets the worker scale (no container_name, hostname or host ports)', () => {
    const worker = services.worker ?? {};
    expect(worker.container_name).toBeUndefined();
    expect(worker.hostname).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);
    expect(worker.deploy?.replicas ?? 1).toBeGreaterThanOrEqual(1);
  });

  it('exposes the API on port 3000 and checks /healthz', () => {
    const api = services.api ?? {};
    expect((api.ports ?? []).map(String).some((p) => /(^|:)3000:3000$/.test(p))).toBe(true);
    expect(JSON.stringify(api.healthcheck?.test)).toContain('/healthz');
    expect(JSON.stringify(api.healthcheck?.test)).toContain(':3000');
  });

  it('publishes host ports at most once per service (no clashes)', () => {
    const published = new Map<string, string>();
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        const spec = typeof port === 'object' ? String(port.published ?? '') : String(port);
        const parts = spec.split(':');
        if (parts.length < 2) continue; // container-only port: random host port
        const hostPort = parts.slice(0, -1).join(':');
        expect(published.get(hostPort), `host port ${hostPort} published by ${name} and ${published.get(hostPort)}`).toBeUndefined();
        published.set(hostPort, name);
      }
    }
  });

  it('configures api and worker through the environment', () => {
    for (const name of APP_SERVICES) {
      const env = environmentOf(services[name] ?? {});
      for (const key of [
        'DATABASE_URL',
        'TEMPORAL_ADDRESS',
        'TEMPORAL_NAMESPACE',
        'SMTP_URL',
        'PUBLIC_BASE_URL',
        'CAREFLOW_DATA_KEY',
        'LOG_LEVEL',
      ]) {
        expect(env, `${name} lacks ${key}`).toHaveProperty(key);
        expect(env[key], `${name}: ${key} is empty`).not.toBe('');
      }
      expect(env.DATABASE_URL).toBe('postgres://careflow:${POSTGRES_PASSWORD:-careflow}@postgres:5432/careflow');
      expect(env.TEMPORAL_ADDRESS).toMatch(/temporal:7233/);
      expect(env.SMTP_URL).toMatch(/smtp:\/\/mail:1025/);
      expect(env.CAREFLOW_DATA_KEY).toMatch(/^\$\{CAREFLOW_DATA_KEY:\?.+\}$/);
    }
    const api = environmentOf(services.api ?? {});
    expect(api.HOST).toBe('0.0.0.0');
    expect(api.PORT).toBe('3000');
  });

  it('gives every ${VAR} a default unless it is a documented required variable', () => {
    const doc = existsSync(deploymentDocPath) ? readFileSync(deploymentDocPath, 'utf8') : '';
    const raw = parse(composeText) as unknown; // unmerged: every literal once
    const seen = new Set<string>();
    for (const value of allStrings(raw)) {
      const text = value.replaceAll('$$', ''); // $$ is an escaped literal $
      // bare $VAR (no braces) has no default and no error message: forbidden
      expect(text.match(/\$[A-Za-z_]\w*/g) ?? [], `bare variable in: ${value}`).toEqual([]);
      for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
        const expr = match[1] ?? '';
        const m = /^([A-Za-z_]\w*)(?:(:?-)(.*)|(:?\?)(.*))?$/s.exec(expr);
        expect(m, `malformed interpolation \${${expr}}`).not.toBeNull();
        const [, name = '', defaultOp, , requiredOp, message] = m ?? [];
        seen.add(name);
        if (defaultOp) continue;
        expect(requiredOp, `\${${name}} has neither a default nor is marked required`).toBeDefined();
        expect(REQUIRED_VARS, `\${${name}} is required but not in the documented list`).toContain(name);
        expect(message?.trim(), `\${${name}} needs an error message`).toBeTruthy();
        expect(doc, `${name} is not documented in docs/deployment.md`).toContain(name);
      }
    }
    for (const name of REQUIRED_VARS) expect(seen, `${name} is never used`).toContain(name);
  });

  it('documents every variable it reads in docs/deployment.md', () => {
    const doc = readFileSync(deploymentDocPath, 'utf8');
    const names = new Set<string>();
    for (const value of allStrings(parse(composeText) as unknown)) {
      for (const m of value.replaceAll('$$', '').matchAll(/\$\{([A-Za-z_]\w*)/g)) if (m[1]) names.add(m[1]);
    }
    expect(names.size).toBeGreaterThan(0);
    for (const name of names) expect(doc, `${name} is not documented`).toContain(`\`${name}\``);
  });

  it('references only files that exist in the repository', () => {
    const referenced = new Set<string>();
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = bindSource(volume);
        if (source) referenced.add(source);
      }
      const envFiles = service.env_file === undefined ? [] : [service.env_file].flat();
      for (const f of envFiles) referenced.add(typeof f === 'string' ? f : f.path);
    }
    // any other relative path mentioned in a value (./deploy/...)
    for (const value of allStrings(compose)) {
      for (const m of value.matchAll(/(?:^|[\s"'=,])(\.{1,2}\/[\w./-]+)/g)) if (m[1]) referenced.add(m[1]);
    }
    expect(referenced.size).toBeGreaterThan(0);
    for (const path of referenced) {
      expect(path.startsWith('/'), `${path}: absolute host paths are not portable`).toBe(false);
      const abs = resolve(root, path);
      expect(abs.startsWith(resolve(root)), `${path} is outside the repository`).toBe(true);
      expect(existsSync(abs), `${path} does not exist`).toBe(true);
    }
    expect(referenced).toContain('./deploy/postgres-init');
    expect(referenced).toContain('./deploy/temporal/dynamicconfig.yaml');
    expect(referenced).toContain('./deploy/temporal/register-search-attributes.sh');
  });

  it('declares the named volumes it uses', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        if (bindSource(volume)) continue;
        const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
        if (!source || (typeof volume === 'string' && !volume.includes(':'))) continue; // anonymous
        expect(declared, `${name} uses undeclared volume ${source}`).toContain(source);
      }
    }
  });
});

describe('postgres and temporal setup', () => {
  it('creates the careflow, temporal and temporal_visibility databases', () => {
    const sql = readFileSync(join(root, 'deploy/postgres-init/01-databases.sql'), 'utf8');
    for (const db of ['careflow', 'temporal', 'temporal_visibility']) {
      expect(sql).toMatch(new RegExp(`CREATE DATABASE ${db}\\b`));
    }
    const pg = services.postgres ?? {};
    expect((pg.volumes ?? []).map(String)).toContain('./deploy/postgres-init:/docker-entrypoint-initdb.d:ro');
    expect(JSON.stringify(pg.healthcheck?.test)).toContain('pg_isready');
    expect(pg.image).toMatch(/^postgres:16\.\d+-(bookworm|alpine)/);
  });

  it('points temporal at postgres and the mounted dynamic config', () => {
    const temporal = services.temporal ?? {};
    const env = environmentOf(temporal);
    expect(env.DB).toBe('postgres12');
    expect(env.DB_PORT).toBe('5432');
    expect(env.POSTGRES_SEEDS).toBe('postgres');
    expect(env.POSTGRES_USER).toBeTruthy();
    expect(env.POSTGRES_PWD).toBeTruthy();
    const mount = (temporal.volumes ?? []).map(String).find((v) => v.startsWith('./deploy/temporal/dynamicconfig.yaml:'));
    expect(mount).toBeDefined();
    const target = mount?.split(':')[1] ?? '';
    const configPath = env.DYNAMIC_CONFIG_FILE_PATH ?? '';
    expect(configPath.startsWith('/') ? configPath : `/etc/temporal/${configPath}`).toBe(target);
    expect(JSON.stringify(temporal.healthcheck?.test)).toMatch(/operator.*cluster.*health/);
  });

  it('has a valid dynamic config file', () => {
    const config = parse(readFileSync(join(root, 'deploy/temporal/dynamicconfig.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(config).toBeTypeOf('object');
    expect(Object.keys(config).length).toBeGreaterThan(0);
    for (const [key, entries] of Object.entries(config)) {
      expect(Array.isArray(entries), `${key} must be a list of {value, constraints}`).toBe(true);
      for (const entry of entries as Record<string, unknown>[]) expect(entry, key).toHaveProperty('value');
    }
  });

  it('registers the custom search attributes with a tolerant script', () => {
    const script = readFileSync(join(root, 'deploy/temporal/register-search-attributes.sh'), 'utf8');
    for (const pair of ['CaseType:Keyword', 'County:Keyword', 'Stage:Keyword', 'EscalationLevel:Int', 'Overdue:Bool']) {
      expect(script).toContain(pair);
    }
    expect(script).toContain('search-attribute create');
    expect(script).toMatch(/already exist/i);
    expect(() => execFileSync('sh', ['-n', join(root, 'deploy/temporal/register-search-attributes.sh')])).not.toThrow();
    const tools = services['temporal-admin-tools'] ?? {};
    const entry = [tools.entrypoint ?? [], tools.command ?? []].flat().join(' ');
    const mount = (tools.volumes ?? []).map(String).find((v) => v.startsWith('./deploy/temporal/register-search-attributes.sh:'));
    expect(mount).toBeDefined();
    expect(entry).toContain(mount?.split(':')[1]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = existsSync(dockerfilePath) ? readFileSync(dockerfilePath, 'utf8') : '';
  // Instructions with comments removed and line continuations joined.
  const instructions = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('exists', () => {
    expect(existsSync(dockerfilePath) && statSync(dockerfilePath).isFile()).toBe(true);
  });

  it('defaults to running the worker (CMD npx tsx worker.ts)', () => {
    const cmds = instructions.filter((l) => /^CMD\s/i.test(l));
    expect(cmds.length).toBeGreaterThan(0);
    const cmd = JSON.parse(cmds.at(-1)!.replace(/^CMD\s+/i, '')) as string[];
    expect(cmd).toEqual(['npx', 'tsx', 'worker.ts']);
  });

  it('uses node:20-bookworm-slim, npm ci, NODE_ENV=production and the node user', () => {
    const args = Object.fromEntries(
      instructions
        .filter((l) => /^ARG\s+\w+=/.test(l))
        .map((l) => l.replace(/^ARG\s+/, '').split('=') as [string, string]),
    );
    const bases = instructions
      .filter((l) => /^FROM\s/i.test(l))
      .map((l) => l.split(/\s+/)[1] ?? '')
      .map((b) => b.replace(/^\$\{?(\w+)\}?$/, (_, n: string) => args[n] ?? b));
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toBe('node:20-bookworm-slim');
    expect(instructions.some((l) => /^RUN\s.*\bnpm ci\b/.test(l))).toBe(true);
    expect(instructions.some((l) => /^ENV\s.*NODE_ENV=production/.test(l))).toBe(true);
    const users = instructions.filter((l) => /^USER\s/i.test(l));
    expect(users.at(-1)).toBe('USER node');
  });

  it('has a .dockerignore that keeps local state out of the build context', () => {
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim());
    for (const entry of ['node_modules', '.data', '.tools', 'dist', 'test-artifacts', '.git']) {
      expect(ignore, entry).toContain(entry);
    }
  });
});
