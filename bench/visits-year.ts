/**
 * Bench of the key-care visit plans (issue #4, docs/visits.md):
 *
 *   npx tsx bench/visits-year.ts [children] [concurrency] [servers]   (defaults: 1000, 20, children / 200)
 *
 * `children` key-care children go through one simulated year (2026) on time-skipping test
 * servers, their clocks pinned to 2026-01-01 00:30 China time with libfaketime (as the
 * date-pinned workflow tests do) and skipped side by side. Starts everything itself in a
 * temporary folder it deletes afterwards: embedded Postgres and the servers; a careflow
 * worker per server runs in this process, so that their memory is what
 * `process.memoryUsage().rss` samples (every 250 ms). One server holds at most about 200
 * children by default: the test server slows with every execution it holds (bench/README.md).
 * Mail goes to a counting mailer in this process: the outbox rows are written as always,
 * but no SMTP server shares the process being measured.
 *
 * 1. registers the children through the register's service (the API's code, without HTTP),
 *    `concurrency` at a time, spread over Pingdingshan's townships: each gets its intake
 *    workflow and its visit plan;
 * 2. simulates the children's directors: on every due date of every quarter, each child is
 *    visited (the API's visit service, a Temporal update), one visit a quarter with a
 *    family guardianship capability assessment; on 8 July the county bureaus answer the
 *    6-monthly re-verification tasks of 1 July;
 *    the entitlement referral tasks of registration (issue #12) are served on 1 January;
 * 3. at 2027-01-01 10:00 counts what happened.
 *
 * Prints reminders fired (visit tasks assigned, and their mails) versus expected (every
 * planned visit: children × 24), visits recorded, quarters met, escalations and breaches
 * (0 when every visit is on time), the worker's peak RSS and the wall time of each phase.
 * Exits non-zero when a reminder is missing or the year does not end as expected.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, WorkflowNotFoundError, type ConnectionOptions } from '@temporalio/client';
// A test-service connection with its own keepalive (see skipTo): the option is SDK-internal.
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { msToTs } from '@temporalio/common/lib/time';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startEmbeddedPostgres } from '../scripts/local-services';
import { resolveFaketimeLibrary, resolveTestServer } from '../scripts/temporal-binaries';
import type { Mailer } from '../src/activities/mailer';
import { createChildBody } from '../src/api/children/schemas';
import { registerChild, type RegistryDeps } from '../src/api/children/service';
import { recordVisitBody } from '../src/api/visits/schemas';
import { recordVisit } from '../src/api/visits/service';
import { migrate } from '../src/db/migrate';
import { createPool, type Pool } from '../src/db/pool';
import { seedDirectory } from '../src/db/seed';
import { PINGDINGSHAN_COUNTIES, townshipsOf } from '../src/domain/regions';
import { residentIdCheckCharacter } from '../src/domain/resident-id';
import { nextQuarter, planQuarter, quarterOf, type Quarter } from '../src/domain/visits';
import { createFieldCrypto } from '../src/security/field-crypto';
import { careflowDataConverter } from '../src/temporal/data-converter';
import { derivedPayloadKey } from '../src/temporal/payload-codec';
import { bureauTaskWorkflowId } from '../src/temporal/workflow-ids';
import { createCareflowWorker } from '../src/temporal/worker';
import { completeTaskUpdate } from '../src/workflows/messages';

const CHILDREN = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 20);
/** Time-skipping servers the children are spread over (default: one per 200 children). */
const SERVERS = Number(process.argv[4] ?? Math.ceil(CHILDREN / 200));
const CENTRAL = ['410402', '410403', '410411'];
/** 00:30 China time on 2026-01-01: every plan starts with a whole quarter. */
const START = '2025-12-31T16:30:00Z';
const YEAR_START = '2026-01-01';
const REMINDER_SUBJECT = '【待办任务】重点关爱儿童入户走访';

if (!Number.isInteger(CHILDREN) || CHILDREN < 1 || CHILDREN > 20_000) throw new Error('children must be 1..20000');
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1 || CONCURRENCY > 200) throw new Error('concurrency must be 1..200');
if (!Number.isInteger(SERVERS) || SERVERS < 1 || SERVERS > 20) throw new Error('servers must be 1..20');
/**
 * Workflows each worker keeps cached (SDK option maxCachedWorkflows). The SDK's default on
 * this 24 GiB machine is thousands per worker, sized as if the worker had the machine to
 * itself: five of them filled 12 GiB before registration ended. A production worker sets
 * it too; an evicted workflow is replayed from its history when it next has work.
 */
const CACHE_PER_WORKER = Number(process.env.BENCH_MAX_CACHED_WORKFLOWS ?? 1000);

const say = (line: string) => console.log(`[bench] ${line}`);
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** Runs `work(0..count-1)` with at most `concurrency` at a time. */
async function pooled(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await work(next++);
  });
  await Promise.all(lanes);
}

/** A key-care child; `i` makes the ID number unique and picks a county and a township. */
function childBody(i: number) {
  const birth = new Date(Date.UTC(2012, 0, 1) + (i % 1400) * 86_400_000).toISOString().slice(0, 10);
  const sequence = String(Math.floor(i / 1400) * 2 + 101).padStart(3, '0');
  const first17 = `410102${birth.replaceAll('-', '')}${sequence}`;
  const county = PINGDINGSHAN_COUNTIES[i % PINGDINGSHAN_COUNTIES.length]!;
  const townships = townshipsOf(county);
  const township = townships[Math.floor(i / PINGDINGSHAN_COUNTIES.length) % townships.length]!;
  return createChildBody.parse({
    name: '张小明',
    gender: 'male',
    birthDate: birth,
    residentId: first17 + residentIdCheckCharacter(first17),
    hukouRegionCode: '410102',
    residence: { countyCode: county, township: township.name, village: '某村' },
    arrivalDate: '2025-01-10',
    guardians: [{ relation: 'mother', name: '李梅', phone: '13812345678', livesWithChild: true }],
    schoolingStatus: 'primary',
    healthInsurance: 'hukou-place',
    riskFlags: { familyHardship: true },
  });
}

const visitBody = (visitedOn: string, assessed: boolean) =>
  recordVisitBody.parse({
    visitedOn,
    visitor: '儿童主任',
    notes: '入户走访',
    livingSecurity: { level: 'good' },
    guardianship: { level: 'good' },
    medicalCare: { level: 'good' },
    schooling: { level: 'good' },
    ...(assessed ? { assessment: { scores: { dailyCare: 3, safety: 3, health: 3, education: 3, emotionalCare: 3 } } } : {}),
  });

/** Payloads encrypted, as in production (issue #10). */
const dataConverter = careflowDataConverter([derivedPayloadKey(Buffer.alloc(32, 5))]);

/** The time-skipping server under libfaketime, its clock starting at START. */
async function timeSkippingServer(dir: string): Promise<TestWorkflowEnvironment> {
  const server = resolveTestServer();
  const faketime = resolveFaketimeLibrary();
  if (!server || !faketime) throw new Error('Temporal test server or libfaketime missing: run `npm test` once');
  const wrapper = join(dir, 'temporal-test-server');
  writeFileSync(wrapper, `#!/bin/sh\nexport LD_PRELOAD='${faketime}'\nexport FAKETIME='@${START.replace('T', ' ').replace('Z', '')}'\nexport TZ=UTC\nexec '${server.path}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: wrapper } }, client: { dataConverter } });
}

interface Shard {
  env: TestWorkflowEnvironment;
  registry: RegistryDeps;
  visits: { pool: Pool; temporal: TestWorkflowEnvironment['client'] };
  /** Skips this server's clock to `iso`; resolves with how far it overshot (ms). */
  skipTo(iso: string): Promise<number>;
}

/**
 * One time-skipping server with its careflow worker (in this process, so that the sampled
 * RSS holds every worker). Children are spread over the servers: the test server keeps
 * every execution in one in-memory store on one thread, and its cost per operation grows
 * with how many it holds (bench/README.md); a real cluster shards histories anyway.
 */
async function startShard(dir: string, pool: Pool, mailer: Mailer): Promise<Shard> {
  const env = await timeSkippingServer(dir);
  stops.push(() => env.teardown());
  const taskQueue = 'bench-visits';
  const worker = await createCareflowWorker(
    { connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, dataConverter },
    { pool, mailer, publicBaseUrl: 'http://careflow.bench', centralUrbanDistricts: CENTRAL },
    { maxCachedWorkflows: CACHE_PER_WORKER },
  );
  const running = worker.run();
  stops.push(async () => {
    worker.shutdown();
    await running;
  });
  // Time is skipped through a connection of its own. A sleep that skips a day of a thousand
  // plans lasts minutes; on the environment's connection (gRPC keepalive every 30 s) the
  // test server answers the pings with GOAWAY ("excess pings", it permits one per 5 min),
  // the client retries the sleep, and the server's time-skipping lock count goes wrong:
  // the clock then overshoots or stops skipping.
  const clockOptions = {
    address: env.address,
    channelArgs: { 'grpc.keepalive_time_ms': 600_000, 'grpc.keepalive_permit_without_calls': 0 },
    [InternalConnectionOptionsSymbol]: { supportsTestService: true },
  };
  const clock = await Connection.connect(clockOptions as ConnectionOptions);
  stops.push(() => clock.close());
  const testService = clock.testService;
  if (!testService) throw new Error('no test service on the time-skipping server');
  const virtualNow = async () => {
    const { time } = await testService.getCurrentTime({});
    return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
  };
  return {
    env,
    registry: {
      pool,
      temporal: env.client,
      taskQueue,
      crypto: createFieldCrypto(Buffer.alloc(32, 5)),
      eligibilityParams: { centralUrbanDistricts: CENTRAL },
      today: () => YEAR_START,
    },
    visits: { pool, temporal: env.client },
    async skipTo(iso) {
      const target = Date.parse(iso);
      const now = await virtualNow();
      if (now < target) await testService.unlockTimeSkippingWithSleep({ duration: msToTs(target - now) });
      return (await virtualNow()) - target;
    },
  };
}

async function count(pool: Pool, sql: string, values: unknown[] = []): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql, values)).rows[0]?.n ?? 0);
}

const stops: Array<() => Promise<unknown>> = [];
let dir: string | undefined;

/** Stops what the bench started, newest first, and deletes its folder; once. */
async function cleanUp(): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => say(`stop failed: ${String(error)}`));
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

async function main(): Promise<number> {
  // Ctrl-C stops everything the bench started (not only the worker, the SDK's default).
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  dir = mkdtempSync(join(tmpdir(), 'careflow-bench-visits-'));
  chmodSync(dir, 0o755);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  try {
    say(`${CHILDREN} key-care children through 2026 on ${SERVERS} time-skipping server(s), ${CONCURRENCY} requests at a time, ${CACHE_PER_WORKER} cached workflows per worker; ${availableParallelism()} CPUs; Node ${process.version}`);
    const postgres = await startEmbeddedPostgres(dir, 0);
    stops.push(() => postgres.stop());
    const pool = createPool(postgres.url, 40);
    stops.push(() => pool.end());
    await migrate(pool);
    await seedDirectory(pool);
    const mails = new Map<string, number>();
    const mailer: Mailer = {
      async send(mail) {
        const kind = mail.subject.startsWith(REMINDER_SUBJECT) ? 'reminder' : mail.subject.replace(/[：:].*$/, '');
        mails.set(kind, (mails.get(kind) ?? 0) + 1);
      },
      close() {},
    };
    const shards: Shard[] = [];
    for (let k = 0; k < SERVERS; k += 1) shards.push(await startShard(dir, pool, mailer));
    const baselineRss = process.memoryUsage().rss;
    const shardOf = (i: number) => shards[i % shards.length]!;
    let overshootMs = 0;
    /** Every server's clock to the instant `iso`, side by side. */
    const skipTo = async (iso: string) => {
      const overshoots = await Promise.all(shards.map((shard) => shard.skipTo(iso)));
      overshootMs = Math.max(overshootMs, ...overshoots);
    };

    // 1. Register.
    const t0 = Date.now();
    const childIds: string[] = [];
    await pooled(CHILDREN, CONCURRENCY, async (i) => {
      childIds[i] = (await registerChild(shardOf(i).registry, childBody(i), 'bench')).id;
    });
    const registered = Date.now() - t0;
    say(`registered ${childIds.length} children in ${seconds(registered)} s`);
    // Their entitlement referrals (issue #12, about 9 a child) are served on the first day, so
    // that the year measures the visit plans, not every department's ladder.
    await skipTo(`${YEAR_START}T02:00:00Z`);
    await answerOpenTasks(pool, shards, 'entitlement.referral', 'served');

    // 2. The year: every child visited on every due date (all plans start together, so the
    //    due dates are the same for all); the re-verification tasks of 1 July are answered
    //    on Q3's first due date (8 July), within their 10 working days.
    const t1 = Date.now();
    let quarter: Quarter = quarterOf(YEAR_START);
    let visitsRecorded = 0;
    let expectedReminders = 0;
    for (let q = 0; q < 4; q += 1) {
      const plan = planQuarter(quarter, quarter.firstDay, 6);
      expectedReminders += plan.quota * childIds.length;
      for (const [index, dueOn] of plan.dueDates.entries()) {
        const skipStart = Date.now();
        await skipTo(`${dueOn}T02:00:00Z`); // 10:00 China time
        const skipped = Date.now() - skipStart;
        if (q === 2 && index === 0) await answerOpenTasks(pool, shards, 'key-care.reverify', 'still-eligible');
        const visitStart = Date.now();
        await pooled(childIds.length, CONCURRENCY, async (i) => {
          await recordVisit(shardOf(i).visits, childIds[i]!, visitBody(dueOn, index === 0));
          visitsRecorded += 1;
        });
        say(
          `${quarter.id} visit ${index + 1}/${plan.quota} (${dueOn}): time skipped in ${seconds(skipped)} s, ${childIds.length} visits in ${seconds(Date.now() - visitStart)} s; ` +
            `year so far ${seconds(Date.now() - t1)} s, RSS ${mib(process.memoryUsage().rss)}`,
        );
      }
      quarter = nextQuarter(quarter);
    }
    await skipTo(`${quarter.firstDay}T02:00:00Z`);
    // The last quarter's close and the next run's start, for every child.
    const closedQuarters = async () => count(pool, `SELECT count(*) AS n FROM visit_quarters WHERE closed_at IS NOT NULL`);
    const deadline = Date.now() + 600_000;
    while ((await closedQuarters()) < childIds.length * 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const year = Date.now() - t1;

    // 3. Count.
    const reminderTasks = await count(pool, `SELECT count(*) AS n FROM tasks WHERE kind = 'key-care.visit' AND created_at < '2027-01-01'`);
    const met = await count(pool, `SELECT count(*) AS n FROM visit_quarters WHERE outcome = 'met'`);
    const short = await count(pool, `SELECT count(*) AS n FROM visit_quarters WHERE outcome = 'short'`);
    const escalations = await count(pool, `SELECT count(*) AS n FROM escalations e JOIN tasks t ON t.id = e.task_id WHERE t.kind = 'key-care.visit'`);
    const breaches = await count(pool, `SELECT count(*) AS n FROM breaches`);
    const reverified = await count(pool, `SELECT count(*) AS n FROM tasks WHERE kind = 'key-care.reverify' AND outcome = 'still-eligible'`);
    const reminderMails = mails.get('reminder') ?? 0;

    console.log('');
    console.log(`key-care visits bench: ${childIds.length} children, one simulated year (2026), ${SERVERS} time-skipping server(s) with a worker each, ${availableParallelism()} CPUs`);
    console.log(`  reminders fired   ${reminderTasks} visit tasks assigned, ${reminderMails} reminder mails / ${expectedReminders} expected (children × 24)`);
    console.log(`  visits recorded   ${visitsRecorded} (updates)   quarters met ${met} / ${childIds.length * 4}, short ${short}`);
    console.log(`  escalations       ${escalations} of visit tasks, ${breaches} breaches   re-verifications answered ${reverified}`);
    console.log(`  worker memory     peak RSS ${mib(peakRss)} (after start-up ${mib(baselineRss)}), sampled every 250 ms; the workers (${CACHE_PER_WORKER} cached workflows each), clients and bench share the process`);
    console.log(`  virtual clock     overshot a target instant by at most ${seconds(overshootMs)} s (visits are recorded at 10:00 on their due dates)`);
    console.log(`  wall time         register ${seconds(registered)} s, year ${seconds(year)} s, total ${seconds(Date.now() - t0)} s`);
    console.log(`  mails by kind     ${JSON.stringify(Object.fromEntries(mails))}`);
    const ok = reminderTasks === expectedReminders && reminderMails === expectedReminders && met === childIds.length * 4 && escalations === 0 && overshootMs < 3_600_000;
    if (!ok) console.log('  FAILED: the year did not end as expected');
    return ok ? 0 : 1;
  } finally {
    clearInterval(sampler);
    await cleanUp();
  }
}

/** The departments answer every open task of `kind` with `outcome`, on whichever server runs it. */
async function answerOpenTasks(pool: Pool, shards: Shard[], kind: string, outcome: string): Promise<void> {
  const open = (await pool.query<{ id: string }>(`SELECT id FROM tasks WHERE kind = $1 AND status = 'open'`, [kind])).rows;
  await pooled(open.length, CONCURRENCY, async (i) => {
    const workflowId = bureauTaskWorkflowId(open[i]!.id);
    for (const [k, shard] of shards.entries()) {
      try {
        await shard.env.client.workflow.getHandle(workflowId).executeUpdate(completeTaskUpdate, { args: [{ outcome, by: '承办部门' }] });
        return;
      } catch (error) {
        // Not this server's task: the next one's (a task nobody runs is an error).
        if (!(error instanceof WorkflowNotFoundError) || k === shards.length - 1) throw error;
      }
    }
  });
  say(`answered ${open.length} ${kind} tasks: ${outcome}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
