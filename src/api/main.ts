/** The API process on its own (docker-compose); `npm start` runs it in-process instead. */
import { loadConfig } from '../config';
import { createPool } from '../db/pool';
import { seedDirectory } from '../db/seed';
import { migrate } from '../db/migrate';
import { chinaDateOf } from '../domain/calendar-date';
import { createFieldCrypto, dataKeyFrom } from '../security/field-crypto';
import { connectClient } from '../temporal/connection';
import { careflowDataConverter, payloadKeysFrom } from '../temporal/data-converter';
import { ensureSurveySchedules } from '../temporal/survey-schedules';
import { buildApp } from './app';
import { trackInFlight } from './in-flight';

/** Below the API's stop period (20 s) so that the exit is ours, not a SIGKILL. */
const API_SHUTDOWN_FORCE_MS = 15_000;

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    console.error('src/api/main.ts needs DATABASE_URL and TEMPORAL_ADDRESS (or run `npm start`).');
    process.exit(1);
  }
  const pool = createPool(config.DATABASE_URL);
  await migrate(pool);
  await seedDirectory(pool);
  const temporal = await connectClient({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, dataConverter: careflowDataConverter(payloadKeysFrom(config)) });
  // Issue #13: each county's half-yearly survey schedule (created once, then left alone).
  await ensureSurveySchedules(temporal, config.TEMPORAL_TASK_QUEUE);
  const app = await buildApp({
    pool,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    crypto: createFieldCrypto(dataKeyFrom(config.CAREFLOW_DATA_KEY)),
    eligibilityParams: { centralUrbanDistricts: config.CENTRAL_URBAN_DISTRICTS },
    today: () => chinaDateOf(Date.now()),
    logLevel: config.LOG_LEVEL,
  });
  // Graceful shutdown (issue #11, docs/reliability.md): close() stops accepting and answers
  // requests that arrive on kept-alive connections with 503; the requests in flight are
  // then awaited (src/api/in-flight.ts); only then do the Temporal connection and the pool
  // go. A request that hangs must not keep the process past the orchestrator's stop period
  // (docker-compose `stop_grace_period: 20s`): after API_SHUTDOWN_FORCE_MS it exits, non-zero.
  const inFlight = trackInFlight(app);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      console.error('shutdown: in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, API_SHUTDOWN_FORCE_MS).unref();
    await Promise.all([app.close(), inFlight.drained()]);
    await temporal.connection.close();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  await app.listen({ host: config.HOST, port: config.PORT });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
