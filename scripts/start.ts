/**
 * `npm start`: the whole service on one machine. Uses DATABASE_URL, TEMPORAL_ADDRESS and
 * SMTP_URL when set; otherwise starts embedded Postgres, the Temporal dev server and a
 * local mail inbox, keeping data under DATA_DIR (.data/) between runs. Ctrl-C stops all.
 */
import { resolve } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { buildApp } from '../src/api/app';
import { trackInFlight } from '../src/api/in-flight';
import { createSmtpMailer } from '../src/activities/mailer';
import { loadConfig } from '../src/config';
import { migrate } from '../src/db/migrate';
import { createPool } from '../src/db/pool';
import { seedDirectory } from '../src/db/seed';
import { chinaDateOf } from '../src/domain/calendar-date';
import { localTokenMinterFromConfig } from '../src/security/auth';
import { createFieldCrypto, dataKeyFrom } from '../src/security/field-crypto';
import { connectClient } from '../src/temporal/connection';
import { ensureSurveySchedules } from '../src/temporal/survey-schedules';
import { careflowDataConverter, payloadKeysFrom } from '../src/temporal/data-converter';
import { createCareflowWorker } from '../src/temporal/worker';
import { startEmbeddedPostgres, startMailInbox, startTemporalDevServer, type LocalService } from './local-services';
import { resolveTemporalCli } from './temporal-binaries';

interface Stoppable {
  name: string;
  stop: () => Promise<unknown>;
  /** A server careflow started (Postgres, Temporal, mail): stopped last, in parallel. */
  server?: boolean;
}
const stops: Stoppable[] = [];
const say = (line: string) => console.log(`[careflow] ${line}`);

let shuttingDown = false;

async function shutdown(code: number): Promise<void> {
  // `on`, not `once`, below: a second Ctrl-C (or a signal relayed by npm/tsx) must not
  // fall back to Node's default handler and kill the process mid-shutdown.
  if (shuttingDown) return;
  shuttingDown = true;
  say('stopping ...');
  // A ref'd timer: it keeps the event loop alive between stops (closing the last socket
  // would otherwise end the process mid-shutdown) and bounds shutdown to the 10 s promised.
  setTimeout(() => process.exit(code), 9000);
  const stopOne = async ({ name, stop }: Stoppable) => {
    if (process.env.CAREFLOW_DEBUG_SHUTDOWN) say(`stopping ${name}`);
    await stop().catch((error: unknown) => say(`${name} did not stop cleanly: ${String(error)}`));
  };
  // Our own parts first, newest first (API, client, worker, pool); then the servers they
  // used, side by side, so a slow one does not hold up the others within the 10 s.
  for (const entry of stops.filter((s) => !s.server).reverse()) await stopOne(entry);
  await Promise.all(stops.filter((s) => s.server).map(stopOne));
  say('stopped.');
  process.exit(code);
}

async function main(): Promise<void> {
  const config = loadConfig();
  // This script owns the shutdown order (API, worker, then servers), so the SDK must not
  // act on Ctrl-C by itself; its own log is kept to warnings.
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
  const dataDir = resolve(config.DATA_DIR);
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    say(`starting embedded Postgres (data in ${dataDir}/postgres) ...`);
    const pg: LocalService = await startEmbeddedPostgres(dataDir);
    stops.push({ name: 'Postgres', stop: pg.stop, server: true });
    databaseUrl = pg.url;
  }
  const pool = createPool(databaseUrl);
  stops.push({ name: 'pool', stop: () => pool.end() });
  const applied = await migrate(pool);
  if (applied.length) say(`database migrations applied: ${applied.join(', ')}`);
  const seeded = await seedDirectory(pool);
  if (seeded.length) say(`department directory: ${seeded.length} departments seeded`);

  let temporalAddress = config.TEMPORAL_ADDRESS;
  let temporalUi: string | undefined;
  if (!temporalAddress) {
    const cli = resolveTemporalCli();
    if (!cli) throw new Error('No Temporal CLI found: set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS (see README).');
    say(`starting the Temporal dev server (${cli.path}, data in ${dataDir}/temporal.sqlite) ...`);
    const server = await startTemporalDevServer(cli.path, dataDir);
    stops.push({ name: 'Temporal', stop: server.stop, server: true });
    temporalAddress = server.address;
    temporalUi = server.uiUrl;
  }

  let smtpUrl = config.SMTP_URL;
  let inboxUrl: string | undefined;
  if (!smtpUrl) {
    const inbox = await startMailInbox();
    stops.push({ name: 'mail inbox', stop: inbox.stop, server: true });
    smtpUrl = inbox.url;
    inboxUrl = inbox.inboxUrl;
  }

  const apiUrl = config.PUBLIC_BASE_URL ?? `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
  const mailer = createSmtpMailer(smtpUrl, config.MAIL_FROM);
  // Payloads encrypted before they reach Temporal: the same keys for the worker and the API.
  const dataConverter = careflowDataConverter(payloadKeysFrom(config));
  const workerConnection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await createCareflowWorker(
    { connection: workerConnection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, dataConverter },
    { pool, mailer, publicBaseUrl: apiUrl, centralUrbanDistricts: config.CENTRAL_URBAN_DISTRICTS },
  );
  const workerRun = worker.run();
  stops.push({
    name: 'worker',
    stop: async () => {
      worker.shutdown();
      await workerRun;
      await workerConnection.close();
      mailer.close();
    },
  });

  const temporal = await connectClient({ address: temporalAddress, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  stops.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
  // Issue #13: each county's half-yearly survey schedule, as the API process creates them.
  await ensureSurveySchedules(temporal, config.TEMPORAL_TASK_QUEUE);
  const app = await buildApp({
    pool,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    crypto: createFieldCrypto(dataKeyFrom(config.CAREFLOW_DATA_KEY)),
    eligibilityParams: { centralUrbanDistricts: config.CENTRAL_URBAN_DISTRICTS },
    today: () => chinaDateOf(Date.now()),
    logLevel: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
  });
  const inFlight = trackInFlight(app);
  await app.listen({ host: config.HOST, port: config.PORT });
  // Answer the requests in flight before the pool and the client go (src/api/in-flight.ts).
  stops.push({ name: 'API', stop: async () => void (await Promise.all([app.close(), inFlight.drained()])) });

  if (!config.CAREFLOW_DATA_KEY) say('CAREFLOW_DATA_KEY is not set: using the development key (never in production).');
  // Every API call needs a bearer token (docs/security.md): how to get one for each role.
  const minter = localTokenMinterFromConfig(config);
  const tokens = minter
    ? `  Dashboard      ${apiUrl}/?token=${await minter.mint({ role: 'supervisor', county: '410400' }, { subject: 'npm-start' })}
Every API call needs a bearer token (docs/security.md). Mint one per role from the ${config.CAREFLOW_DATA_KEY ? 'CAREFLOW_DATA_KEY' : 'development'} key:
  npx tsx scripts/token.ts admin                                  the operator: everything, every request logged
  npx tsx scripts/token.ts supervisor --county 410400             the city's supervisor (or a county: --county 410402)
  npx tsx scripts/token.ts caseworker --county 410402             a county's caseworker (--township 410402001 optional)
  npx tsx scripts/token.ts bureau --department jt-410402          a bureau: its own task inbox
  npx tsx scripts/token.ts procuratorate --department jc-410402   a procuratorate: its referrals
  curl -H "Authorization: Bearer $(npx tsx scripts/token.ts admin)" ${apiUrl}/api/v1/children`
    : 'Every API call needs a bearer token from your identity provider (AUTH_JWKS_URL / AUTH_PUBLIC_KEY).';
  console.log(`
careflow is running.
  API            ${apiUrl}/api/v1/children
  OpenAPI docs   ${apiUrl}/docs
  Health         ${apiUrl}/healthz
  Temporal UI    ${temporalUi ?? '(external Temporal at ' + temporalAddress + ')'}
  Mail inbox     ${inboxUrl ?? '(external SMTP at ' + smtpUrl + ')'}
${tokens}
Press Ctrl-C to stop.`);
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await shutdown(1);
});
