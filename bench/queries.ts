/**
 * Bench of the supervisors' reads (issue #9):
 *
 *   npx tsx bench/queries.ts [children] [cases] [requests]     (defaults: 50000 10000 200)
 *
 * Starts embedded Postgres, the Temporal CLI dev server, a worker and the API on loopback,
 * in a temporary folder it deletes afterwards. Seeds `children` children and `cases` cases
 * (with tasks, a third of them overdue) and 9 entitlement referrals per child with their
 * tasks (issue #12, half served) straight into the read model with SQL — the list
 * and the statistics read only the read model — and opens 20 real drop-out cases through
 * the API for the live query. Then measures, `requests` requests each, 8 at a time:
 *
 *   - the case list (one county, open, newest first), the overdue list, the statistics;
 *   - one case's GET /api/v1/cases/:id (live workflow query + timeline + tasks), with the
 *     worker's workflow cache at 1 so every query replays the workflow from its history;
 *   - beside them, in the same run: a bare Temporal query of the same workflows and a bare
 *     Fastify route, and the ratios.
 */
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import Fastify from 'fastify';
import { SMTPServer } from 'smtp-server';
import { startEmbeddedPostgres, startTemporalDevServer, type LocalService } from '../scripts/local-services';
import { resolveTemporalCli } from '../scripts/temporal-binaries';
import { createSmtpMailer } from '../src/activities/mailer';
import { buildApp } from '../src/api/app';
import { migrate } from '../src/db/migrate';
import { createPool } from '../src/db/pool';
import { seedDirectory } from '../src/db/seed';
import { chinaDateOf } from '../src/domain/calendar-date';
import { residentIdCheckCharacter } from '../src/domain/resident-id';
import { createAuthenticator, createLocalTokenMinter } from '../src/security/auth';
import { createFieldCrypto } from '../src/security/field-crypto';
import { connectClient } from '../src/temporal/connection';
import { careflowDataConverter } from '../src/temporal/data-converter';
import { derivedPayloadKey } from '../src/temporal/payload-codec';
import { createCareflowWorker } from '../src/temporal/worker';
import { caseWorkflowId } from '../src/temporal/workflow-ids';
import { caseStateQuery } from '../src/workflows/messages';

const CHILDREN = Number(process.argv[2] ?? 50_000);
const CASES = Number(process.argv[3] ?? 10_000);
const REQUESTS = Number(process.argv[4] ?? 200);
const CONCURRENCY = 8;
const LIVE_CASES = 20;
const say = (line: string) => console.log(`[bench] ${line}`);

async function measure(name: string, request: (i: number) => Promise<unknown>): Promise<{ name: string; p50: number; p95: number }> {
  const times: number[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const start = performance.now();
      await request(i);
      times.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { name, p50: at(0.5), p95: at(0.95) };
}

const AUTH_KEY = Buffer.alloc(32, 2);
/** The city supervisor reads (no look-ups: holds every county); a caseworker writes (issue #10). */
const supervisor = { authorization: `Bearer ${await createLocalTokenMinter(AUTH_KEY).mint({ role: 'supervisor', county: '410400' })}` };
const caseworker = { 'content-type': 'application/json', authorization: `Bearer ${await createLocalTokenMinter(AUTH_KEY).mint({ role: 'caseworker', county: '410402' })}` };

async function getOk(url: string): Promise<void> {
  const response = await fetch(url, { headers: supervisor });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  await response.arrayBuffer();
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dataDir = mkdtempSync(join(tmpdir(), 'careflow-bench-queries-'));
  chmodSync(dataDir, 0o755);
  const stops: Array<() => Promise<unknown>> = [];
  try {
    say(`${availableParallelism()} CPUs; ${CHILDREN} children, ${CASES} cases, ${REQUESTS} requests per measure, ${CONCURRENCY} at a time`);
    const postgres: LocalService = await startEmbeddedPostgres(dataDir, 0);
    stops.push(postgres.stop);
    const pool = createPool(postgres.url, 20);
    stops.push(() => pool.end());
    await migrate(pool);
    await seedDirectory(pool);
    const cli = resolveTemporalCli();
    if (!cli) throw new Error('no Temporal CLI: run npm test once, or set TEMPORAL_CLI_PATH');
    const temporalServer = await startTemporalDevServer(cli.path, dataDir, { port: 0, uiPort: 0 });
    stops.push(temporalServer.stop);

    let started = performance.now();
    await pool.query(
      `INSERT INTO children (id, name, gender, birth_date, resident_id_cipher, resident_id_hash, resident_id_masked, hukou_region_code,
         residence_county, residence_township, residence_village, arrival_date, guardians, schooling_status, health_insurance,
         disability, risk_flags, help_requested, key_care, key_care_reasons, eligible_from, eligible_until)
       SELECT gen_random_uuid(), '儿童' || i, CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END,
              date '2011-01-01' + (i % 5400), 'sealed', md5(i::text), '410102********0000', '410102',
              (ARRAY['410402','410403','410404','410411','410421','410422','410423','410425','410481','410482'])[1 + i % 10],
              '某街道', '某社区', date '2024-01-01' + (i % 600),
              '[{"relation":"mother","name":"某","phone":"13800000000","livesWithChild":true}]'::jsonb,
              (ARRAY['not-school-age','kindergarten','primary','junior-secondary'])[1 + i % 4], 'residence',
              '{"hasDisability":false}'::jsonb, '{}'::jsonb, false, i % 7 = 0, '{}',
              date '2024-07-01' + (i % 600), date '2027-01-01' + (i % 5400)
         FROM generate_series(1, $1::int) AS i`,
      [CHILDREN],
    );
    await pool.query(
      `WITH picked AS (SELECT id, residence_county, row_number() OVER () AS n FROM children LIMIT $1::int)
       INSERT INTO cases (id, type, child_id, county_code, workflow_id, status, stage, escalation_level, opened_at)
       SELECT gen_random_uuid(), 'dropout', id, residence_county, 'seeded:' || n, CASE WHEN n % 5 = 0 THEN 'closed' ELSE 'open' END,
              (ARRAY['verification','persuasion','order','follow-up'])[1 + n % 4], (n % 5)::int, now() - (n || ' minutes')::interval
         FROM picked`,
      [CASES],
    );
    await pool.query(
      `INSERT INTO tasks (id, workflow_id, kind, title, instructions, assignee_code, county_code, case_id, accepted_outcomes, status, due_at, created_at)
       SELECT gen_random_uuid(), 'seeded-task:' || c.id, 'dropout.verify', '核查', '核查', 'jt-' || c.county_code, c.county_code, c.id, '[]'::jsonb,
              'open', now() + CASE WHEN random() < 0.33 THEN interval '-2 days' ELSE interval '3 days' END, now()
         FROM cases c WHERE c.status = 'open'`,
    );
    // Issue #12: every child's referrals of the every-child items and its schooling item,
    // with their tasks (half served), as registrations make them: the statistics' coverage.
    await pool.query(
      `INSERT INTO entitlement_referrals (child_id, item_id, county_code, list_version, reason, referral_mode, department_code, task_id, task_started)
       SELECT c.id, item, c.residence_county, 0, '所有流动儿童', 'task', 'wj-' || c.residence_county, gen_random_uuid(), true
         FROM children c CROSS JOIN unnest(ARRAY['S3', 'S6', 'S7', 'S16', 'S17', 'S18', 'S19', 'S22', 'S25']) AS item`,
    );
    await pool.query(
      `INSERT INTO tasks (id, workflow_id, kind, title, instructions, assignee_code, county_code, accepted_outcomes, status, outcome, due_at, created_at)
       SELECT e.task_id, 'seeded-referral:' || e.task_id, 'entitlement.referral', '转介', '转介', e.department_code, e.county_code, '[]'::jsonb,
              CASE WHEN served THEN 'completed' ELSE 'open' END, CASE WHEN served THEN 'served' END, now() + interval '10 days', now()
         FROM (SELECT *, hashtext(task_id::text) % 2 = 0 AS served FROM entitlement_referrals) e`,
    );
    await pool.query('ANALYZE');
    say(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // Mails are not measured here: a sink that accepts and discards them.
    const sink = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], disableReverseLookup: true, logger: false, onData: (stream, _session, done) => stream.on('end', () => done()).resume() });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise<void>((resolve) => sink.close(() => resolve())));
    const sinkAddress = sink.server.address();
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${typeof sinkAddress === 'object' && sinkAddress ? sinkAddress.port : 0}`, 'bench <bench@careflow.local>');
    const taskQueue = 'bench-queries';
    const dataConverter = careflowDataConverter([derivedPayloadKey(Buffer.alloc(32, 1))]);
    const connection = await NativeConnection.connect({ address: temporalServer.address });
    // A cache of one workflow: every live query below replays its workflow from history.
    const worker = await createCareflowWorker(
      { connection, namespace: 'default', taskQueue, dataConverter },
      { pool, mailer, publicBaseUrl: 'http://bench', centralUrbanDistricts: ['410402', '410403', '410411'] },
      { maxCachedWorkflows: 1 },
    );
    const workerRun = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await workerRun.catch(() => undefined);
      await connection.close();
    });
    const temporal = await connectClient({ address: temporalServer.address, namespace: 'default', dataConverter });
    stops.push(() => temporal.connection.close());
    const app = await buildApp({
      pool,
      temporal,
      taskQueue,
      crypto: createFieldCrypto(Buffer.alloc(32, 1)),
      eligibilityParams: { centralUrbanDistricts: ['410402', '410403', '410411'] },
      today: () => chinaDateOf(Date.now()),
      logLevel: 'silent',
      security: { auth: createAuthenticator({ kind: 'local', dataKey: AUTH_KEY, audience: 'careflow' }), corsOrigins: [], rateLimitPerMinute: false },
    });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    stops.push(() => app.close());
    const bare = Fastify();
    bare.get('/ping', async () => ({ ok: true }));
    const bareBase = await bare.listen({ host: '127.0.0.1', port: 0 });
    stops.push(() => bare.close());

    // Real cases for the live query, opened through the API.
    const liveCases: string[] = [];
    for (let i = 0; i < LIVE_CASES; i += 1) {
      const first17 = `41010220150312${String(100 + i).padStart(3, '0')}`;
      const child = await fetch(`${base}/api/v1/children`, {
        method: 'POST',
        headers: caseworker,
        body: JSON.stringify({ name: '测试', gender: i % 2 ? 'male' : 'female', birthDate: '2015-03-12', residentId: first17 + residentIdCheckCharacter(first17), hukouRegionCode: '410102', residence: { countyCode: '410402', township: '某街道', village: '某社区' }, arrivalDate: '2025-01-10', guardians: [], schoolingStatus: 'primary', healthInsurance: 'residence' }),
      });
      const childId = ((await child.json()) as { id: string }).id;
      const opened = await fetch(`${base}/api/v1/cases`, { method: 'POST', headers: caseworker, body: JSON.stringify({ type: 'dropout', childId, report: { kind: 'dropped-out', absenceDays: 10, source: 'school', reportedBy: '班主任' } }) });
      liveCases.push(((await opened.json()) as { id: string }).id);
    }
    await new Promise((r) => setTimeout(r, 2000)); // let the cases reach their first task

    started = performance.now();
    const results = [
      await measure('case list (county, open, 50 newest)', () => getOk(`${base}/api/v1/cases?county=410402&status=open&limit=50`)),
      await measure('case list (overdue, 50)', () => getOk(`${base}/api/v1/cases?overdue=true&limit=50`)),
      await measure('statistics (city)', () => getOk(`${base}/api/v1/stats`)),
      await measure('one case, live (cache 1: replayed)', (i) => getOk(`${base}/api/v1/cases/${liveCases[i % LIVE_CASES]}`)),
      await measure('bare Temporal query, same workflows', (i) => temporal.workflow.getHandle(caseWorkflowId('dropout', liveCases[i % LIVE_CASES]!)).query(caseStateQuery)),
      await measure('bare Fastify route', () => getOk(`${bareBase}/ping`)),
    ];
    const floor = results.at(-1)!;
    const query = results.at(-2)!;
    console.log('\nmeasure                                     p50 ms   p95 ms   p50 / bare route   p50 / bare query');
    for (const r of results) {
      console.log(
        `${r.name.padEnd(42)} ${r.p50.toFixed(1).padStart(7)}  ${r.p95.toFixed(1).padStart(7)}  ${(r.p50 / floor.p50).toFixed(1).padStart(16)}x  ${(r.p50 / query.p50).toFixed(1).padStart(15)}x`,
      );
    }
    say(`measured in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    mailer.close();
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
