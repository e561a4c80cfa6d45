/**
 * The Temporal worker: runs careflow's workflows and activities against the Postgres,
 * SMTP server and Temporal server given in the environment (src/config.ts).
 */
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { loadConfig } from './src/config';
import { createPool } from './src/db/pool';
import { seedDirectory } from './src/db/seed';
import { migrate } from './src/db/migrate';
import { createSmtpMailer } from './src/activities/mailer';
import { careflowDataConverter, payloadKeysFrom } from './src/temporal/data-converter';
import { createCareflowWorker } from './src/temporal/worker';

/** LOG_LEVEL (pino's names, as the API uses them) for the SDK's logger. */
const SDK_LOG_LEVELS: Record<string, LogLevel | undefined> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR' };

async function main(): Promise<void> {
  const config = loadConfig();
  // 'silent' has no SDK equivalent: errors are still worth a line.
  Runtime.install({ logger: new DefaultLogger(SDK_LOG_LEVELS[config.LOG_LEVEL] ?? 'ERROR') });
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
