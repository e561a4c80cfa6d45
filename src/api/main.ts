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
  const shutdown = async () => {
    // Fastify's close() stops accepting and waits for in-flight requests to finish.
    await app.close();
    await temporal.connection.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  await app.listen({ host: config.HOST, port: config.PORT });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
