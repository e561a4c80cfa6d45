/**
 * The Temporal worker: runs careflow's workflows and activities against the Postgres,
 * SMTP server and Temporal server given in the environment (src/config.ts).
 */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from './src/config';
import { createPool } from './src/db/pool';
import { seedDirectory } from './src/db/seed';
import { migrate } from './src/db/migrate';
import { createSmtpMailer } from './src/activities/mailer';
import { careflowDataConverter, payloadKeysFrom } from './src/temporal/data-converter';
import { createCareflowWorker } from './src/temporal/worker';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS || !config.SMTP_URL) {
    console.error('worker.ts needs DATABASE_URL, TEMPORAL_ADDRESS and SMTP_URL (or run `npm start`).');
    process.exit(1);
  }
  const pool = createPool(config.DATABASE_URL);
  await migrate(pool);
  await seedDirectory(pool);
  const mailer = createSmtpMailer(config.SMTP_URL, config.MAIL_FROM);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createCareflowWorker(
    { connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, dataConverter: careflowDataConverter(payloadKeysFrom(config)) },
    {
      pool,
      mailer,
      publicBaseUrl: config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`,
      centralUrbanDistricts: config.CENTRAL_URBAN_DISTRICTS,
    },
  );
  // SIGINT/SIGTERM: the SDK's default shutdown signals; run() resolves once in-flight
  // activities have finished or the grace time is over.
  await worker.run();
  await connection.close();
  mailer.close();
  await pool.end();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
