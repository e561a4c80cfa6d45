/**
 * Bench of the notification path (issue #3 item 6, docs/notifications.md):
 *
 *   npx tsx bench/notifications.ts [count] [concurrency]      (defaults: 1000, 20)
 *
 * Starts everything itself on loopback, in a temporary folder it deletes afterwards:
 * embedded Postgres, the Temporal CLI dev server, an SMTP sink (smtp-server) in this
 * process, a careflow worker in a process of its own (test/support/worker-process.ts) and
 * the HTTP API. Then:
 *
 * 1. careflow: registers `count` children through POST /api/v1/children, `concurrency`
 *    requests at a time. There is no public "assign task" endpoint yet, so the mail used
 *    is the intake mail each registration sends to the county civil-affairs bureau: the
 *    same sendNotification activity and outbox as every task mail. Timed from the first
 *    request until the sink holds `count` distinct Message-IDs and every outbox row is
 *    marked sent.
 * 2. bare: the same number of mails sent to the same sink by a plain nodemailer loop with
 *    the transport options careflow's mailer uses, `concurrency` sends at a time.
 *
 * Prints delivered mails, duplicates (same Message-ID received more than once: must be 0
 * when nothing crashes), wall time and throughput of each, and the ratio careflow/bare.
 * Exits non-zero when a mail is missing or duplicated, or when it runs out of time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { startEmbeddedPostgres, startTemporalDevServer, stopProcess, type LocalService } from '../scripts/local-services';
import { resolveTemporalCli } from '../scripts/temporal-binaries';
import { buildApp } from '../src/api/app';
import { migrate } from '../src/db/migrate';
import { createPool, type Pool } from '../src/db/pool';
import { seedDirectory } from '../src/db/seed';
import { chinaDateOf } from '../src/domain/calendar-date';
import { residentIdCheckCharacter } from '../src/domain/resident-id';
import { createAuthenticator, createLocalTokenMinter } from '../src/security/auth';
import { createFieldCrypto } from '../src/security/field-crypto';
import { messageIdFor } from '../src/activities/notifications';
import { connectClient } from '../src/temporal/connection';
import { childIntakeWorkflowId } from '../src/temporal/workflow-ids';
import { TEST_DATA_CONVERTER } from '../test/support/data-converter';

const COUNT = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 20);
/** Each phase must finish within this, or the bench stops and says so. */
const PHASE_TIMEOUT_MS = 300_000;
const CENTRAL = ['410402', '410403', '410411'];
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const workerScript = fileURLToPath(new URL('../test/support/worker-process.ts', import.meta.url));

if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 10_000) throw new Error('count must be 1..10000');
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1 || CONCURRENCY > 200) throw new Error('concurrency must be 1..200');

const say = (line: string) => console.log(`[bench] ${line}`);

// ---------------------------------------------------------------------------------------
// The SMTP sink: accepts everything, keeps only the Message-ID of each message.

interface Sink {
  url: string;
  /** Message-ID → how many times it arrived. */
  counts: Map<string, number>;
  received(): number;
  reset(): void;
  stop(): Promise<void>;
}

async function startSink(): Promise<Sink> {
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
function childBody(i: number): Record<string, unknown> {
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
async function pooled(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await work(next++);
  });
  await Promise.all(lanes);
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
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

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const rate = (count: number, ms: number) => (count / (ms / 1000)).toFixed(1);

// ---------------------------------------------------------------------------------------

const stops: Array<{ name: string; stop: () => Promise<unknown> }> = [];
let baseDir: string | undefined;

async function cleanUp(): Promise<void> {
  for (const { name, stop } of stops.reverse()) {
    await stop().catch((error: unknown) => say(`${name} did not stop cleanly: ${String(error)}`));
  }
  stops.length = 0;
  if (baseDir) rmSync(baseDir, { recursive: true, force: true });
  baseDir = undefined;
}

async function main(): Promise<number> {
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('No Temporal CLI: run `npm test` once, or set TEMPORAL_CLI_PATH');
  baseDir = mkdtempSync(join(tmpdir(), 'careflow-bench-'));
  // As root, Postgres runs as the 'postgres' user, which must be able to enter the folder.
  chmodSync(baseDir, 0o755);

  say(`${COUNT} mails, ${CONCURRENCY} at a time; ${availableParallelism()} CPUs; Node ${process.version}`);
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

  const taskQueue = 'careflow-bench';
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
  // A caseworker of the county the children live in, as in production (issue #10).
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${await createLocalTokenMinter(authKey).mint({ role: 'caseworker', county: '410402' })}` };

  // Warm-up: one registration end to end (workflow bundle loaded, connections open).
  const warm = await fetch(`${baseUrl}/api/v1/children`, { method: 'POST', headers, body: JSON.stringify(childBody(COUNT)) });
  if (warm.status !== 201) throw new Error(`warm-up registration answered ${warm.status}: ${await warm.text()}`);
  await until('the warm-up mail', () => sink.received() >= 1, 60_000);
  await new Promise((r) => setTimeout(r, 500));
  sink.reset();
  await pool.query('DELETE FROM notifications');

  // 1. careflow: through the API, the workflow, the outbox and SMTP.
  say(`careflow: registering ${COUNT} children through POST /api/v1/children (each sends one intake mail through sendNotification) ...`);
  const failures: string[] = [];
  const careflowStart = performance.now();
  const childIds: string[] = [];
  await pooled(COUNT, CONCURRENCY, async (i) => {
    const response = await fetch(`${baseUrl}/api/v1/children`, { method: 'POST', headers, body: JSON.stringify(childBody(i)) });
    if (response.status !== 201) failures.push(`${response.status} ${await response.text()}`);
    else childIds.push(((await response.json()) as { id: string }).id);
  });
  const apiMs = performance.now() - careflowStart;
  if (failures.length) throw new Error(`${failures.length} registrations failed, e.g. ${failures[0]}`);
  // The intake mails are the ones measured; each registration also refers the child's
  // service-list entitlements (issue #12), whose task mails share the worker meanwhile.
  const intakeIds = childIds.map((id) => messageIdFor(`${childIntakeWorkflowId(id)}:registered`));
  const intakeDelivered = () => intakeIds.filter((id) => sink.counts.has(id)).length;
  const outboxSent = async () =>
    Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM notifications WHERE sent_at IS NOT NULL AND message_id = ANY($1)', [intakeIds])).rows[0]!.n);
  await until(`${COUNT} intake mails delivered and marked sent`, async () => intakeDelivered() >= COUNT && (await outboxSent()) >= COUNT, PHASE_TIMEOUT_MS);
  const careflowMs = performance.now() - careflowStart;
  // Anything still to come (a retried send) would be a duplicate: give it a moment.
  await new Promise((r) => setTimeout(r, 2000));
  const outboxStats = (
    await pool.query<{ rows: string; sent: string; attempts: string }>('SELECT count(*) AS rows, count(sent_at) AS sent, coalesce(sum(attempts), 0) AS attempts FROM notifications')
  ).rows[0]!;
  const careflow = { delivered: intakeDelivered(), others: sink.counts.size - intakeDelivered(), received: sink.received(), duplicates: sink.received() - sink.counts.size, ms: careflowMs };

  // 2. bare nodemailer: a sink of its own (careflow's referral mails, issue #12, may still be
  // arriving at the first), same transport options, same concurrency.
  const bareSink = await startSink();
  stops.push({ name: 'bare sink', stop: bareSink.stop });
  say(`bare: sending ${COUNT} mails with a nodemailer loop, ${CONCURRENCY} at a time ...`);
  const transport = nodemailer.createTransport({ url: bareSink.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  const bareStart = performance.now();
  await pooled(COUNT, CONCURRENCY, async (i) => {
    await transport.sendMail({
      from: 'careflow <noreply@careflow.local>',
      to: 'mz-410402@pds.careflow.local',
      subject: '【流动儿童登记】新登记儿童待核实',
      text: `辖区新登记一名流动儿童（编号 bench-${i}），请按监测摸排要求（M1）核实其信息。`,
      messageId: `<bare-${i}@bench.careflow.local>`,
    });
  });
  await until(`${COUNT} bare mails`, () => bareSink.counts.size >= COUNT, PHASE_TIMEOUT_MS);
  const bareMs = performance.now() - bareStart;
  transport.close();
  const bare = { delivered: bareSink.counts.size, received: bareSink.received(), duplicates: bareSink.received() - bareSink.counts.size, ms: bareMs };

  console.log('');
  console.log(`careflow notifications bench: ${COUNT} mails, concurrency ${CONCURRENCY}, loopback, ${availableParallelism()} CPUs`);
  console.log(`  path measured: POST /api/v1/children -> childIntake workflow -> sendNotification (outbox) -> SMTP`);
  console.log(`  careflow  delivered ${careflow.delivered}/${COUNT}  duplicates ${careflow.duplicates}  wall ${seconds(careflow.ms)} s  ${rate(careflow.delivered, careflow.ms)} mails/s  (API answered all ${COUNT} in ${seconds(apiMs)} s)`);
  console.log(`            outbox: ${outboxStats.rows} rows, ${outboxStats.sent} sent, ${outboxStats.attempts} send attempts; meanwhile ${careflow.others} other mails (entitlement referrals, issue #12)`);
  console.log(`  bare      delivered ${bare.delivered}/${COUNT}  duplicates ${bare.duplicates}  wall ${seconds(bare.ms)} s  ${rate(bare.delivered, bare.ms)} mails/s  (nodemailer, same transport options)`);
  console.log(`  ratio     careflow/bare wall time ${(careflow.ms / bare.ms).toFixed(1)}x  (throughput ${(bare.ms / careflow.ms).toFixed(2)} of bare)`);
  const ok = careflow.delivered === COUNT && careflow.duplicates === 0 && bare.delivered === COUNT && bare.duplicates === 0;
  if (!ok) console.log('  FAILED: a mail is missing or duplicated');
  return ok ? 0 : 1;
}

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
