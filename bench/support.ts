/**
 * What the benches share (bench/README.md): an SMTP sink that counts Message-IDs, valid
 * children, a bounded pool of concurrent work, and the whole stack on loopback in a
 * temporary folder (embedded Postgres, the Temporal CLI dev server, a worker in a process
 * of its own, the HTTP API in this process), stopped and deleted by cleanUp().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { startEmbeddedPostgres, startTemporalDevServer, stopProcess, type LocalService, type TemporalDevServer } from '../scripts/local-services';
import { resolveTemporalCli } from '../scripts/temporal-binaries';
import { buildApp } from '../src/api/app';
import { migrate } from '../src/db/migrate';
import { createPool, type Pool } from '../src/db/pool';
import { seedDirectory } from '../src/db/seed';
import { chinaDateOf } from '../src/domain/calendar-date';
import { residentIdCheckCharacter } from '../src/domain/resident-id';
import { createAuthenticator, createLocalTokenMinter, type Role, type TokenClaims } from '../src/security/auth';
import { createFieldCrypto } from '../src/security/field-crypto';
import { connectClient } from '../src/temporal/connection';
import { TEST_DATA_CONVERTER } from '../test/support/data-converter';

const CENTRAL = ['410402', '410403', '410411'];
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const workerScript = fileURLToPath(new URL('../test/support/worker-process.ts', import.meta.url));

export const say = (line: string) => console.log(`[bench] ${line}`);
export const seconds = (ms: number) => (ms / 1000).toFixed(2);
export const rate = (count: number, ms: number) => (count / (ms / 1000)).toFixed(1);

// ---------------------------------------------------------------------------------------
// The SMTP sink: accepts everything, keeps only the Message-ID of each message.

export interface Sink {
  url: string;
  /** Message-ID → how many times it arrived. */
  counts: Map<string, number>;
  received(): number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  let counts = new Map<string, number>();
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    maxClients: 1000,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 16_384 && !head.includes('\r\n\r\n')) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const headers = head.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
        const id = /^message-id:\s*(\S+)/im.exec(headers)?.[1] ?? '(none)';
        counts.set(id, (counts.get(id) ?? 0) + 1);
        received += 1;
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    get counts() {
      return counts;
    },
    received: () => received,
    reset() {
      counts = new Map();
      received = 0;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------------------

/** A valid child for POST /api/v1/children; `i` makes the resident ID number unique. */
export function childBody(i: number): Record<string, unknown> {
  const birth = new Date(Date.UTC(2013, 0, 1) + (i % 1500) * 86_400_000).toISOString().slice(0, 10);
  const sequence = String(Math.floor(i / 1500) * 2 + 101).padStart(3, '0'); // odd: male
  const first17 = `410102${birth.replaceAll('-', '')}${sequence}`;
  return {
    name: '张小明',
    gender: 'male',
    birthDate: birth,
    residentId: first17 + residentIdCheckCharacter(first17),
    hukouRegionCode: '410102',
    residence: { countyCode: '410402', township: '新华路街道', village: '建设路社区' },
    arrivalDate: '2025-01-10',
    guardians: [{ relation: 'mother', name: '李梅', phone: '13812345678', livesWithChild: true }],
    schoolingStatus: 'primary',
    healthInsurance: 'hukou-place',
  };
}

/** Runs `work(0..count-1)` with at most `concurrency` at a time. */
export async function pooled(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await work(next++);
  });
  await Promise.all(lanes);
}

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 60 s:\n${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
  return child;
}


// ---------------------------------------------------------------------------------------

const stops: Array<{ name: string; stop: () => Promise<unknown> }> = [];
let baseDir: string | undefined;

/** Stops everything startBenchStack started, last first, and deletes its folder. */
export async function cleanUp(): Promise<void> {
  for (const { name, stop } of stops.reverse()) {
    await stop().catch((error: unknown) => say(`${name} did not stop cleanly: ${String(error)}`));
  }
  stops.length = 0;
  if (baseDir) rmSync(baseDir, { recursive: true, force: true });
  baseDir = undefined;
}

export interface BenchStack {
  pool: Pool;
  temporal: TemporalDevServer;
  client: Client;
  sink: Sink;
  app: FastifyInstance;
  baseUrl: string;
  taskQueue: string;
  /** JSON headers with a bearer token of the role (e.g. a caseworker of 410402). */
  headersFor(role: Role, jurisdiction?: Omit<TokenClaims, 'role'>): Promise<Record<string, string>>;
}

export async function startBenchStack(options: { taskQueue?: string } = {}): Promise<BenchStack> {
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('No Temporal CLI: run `npm test` once, or set TEMPORAL_CLI_PATH');
  baseDir = mkdtempSync(join(tmpdir(), 'careflow-bench-'));
  // As root, Postgres runs as the 'postgres' user, which must be able to enter the folder.
  chmodSync(baseDir, 0o755);
  say('starting embedded Postgres, the Temporal dev server, the SMTP sink ...');
  const [pg, temporal, sink] = await Promise.all([
    startEmbeddedPostgres(join(baseDir, 'pg'), 0) as Promise<LocalService>,
    startTemporalDevServer(cli.path, join(baseDir, 'temporal'), { port: 0, uiPort: 0 }),
    startSink(),
  ]);
  stops.push({ name: 'Postgres', stop: pg.stop }, { name: 'Temporal', stop: temporal.stop }, { name: 'sink', stop: sink.stop });
  const pool: Pool = createPool(pg.url, 20);
  stops.push({ name: 'pool', stop: () => pool.end() });
  await migrate(pool);
  await seedDirectory(pool);

  const taskQueue = options.taskQueue ?? 'careflow-bench';
  say('starting a worker (own process) and the API ...');
  const worker = await startWorkerProcess({ DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: 'default', TASK_QUEUE: taskQueue, SMTP_URL: sink.url });
  stops.push({ name: 'worker', stop: () => stopProcess(worker, 10_000) });
  // The worker process uses the test key (test/support/worker-process.ts): the same here.
  const client = await connectClient({ address: temporal.address, namespace: 'default', dataConverter: TEST_DATA_CONVERTER });
  stops.push({ name: 'Temporal client', stop: () => client.connection.close() });
  const authKey = randomBytes(32);
  const app: FastifyInstance = await buildApp({
    pool,
    temporal: client,
    taskQueue,
    crypto: createFieldCrypto(randomBytes(32)),
    eligibilityParams: { centralUrbanDistricts: CENTRAL },
    today: () => chinaDateOf(Date.now()),
    logLevel: 'silent',
    security: { auth: createAuthenticator({ kind: 'local', dataKey: authKey, audience: 'careflow' }), corsOrigins: [], rateLimitPerMinute: false },
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  stops.push({ name: 'API', stop: () => app.close() });
  const minter = createLocalTokenMinter(authKey);
  return {
    pool,
    temporal,
    client,
    sink,
    app,
    baseUrl,
    taskQueue,
    headersFor: async (role, jurisdiction = {}) => ({ 'content-type': 'application/json', authorization: `Bearer ${await minter.mint({ role, ...jurisdiction })}` }),
  };
}

/** Runs `main`, cleans up, exits with its code; Ctrl-C cleans up too. */
export function runBench(main: () => Promise<number>): void {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      say(`${signal}: cleaning up ...`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  main()
    .then(async (code) => {
      await cleanUp();
      process.exit(code);
    })
    .catch(async (error: unknown) => {
      console.error(error);
      await cleanUp();
      process.exit(1);
    });
}
