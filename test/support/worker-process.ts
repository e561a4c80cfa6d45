/**
 * A careflow worker in a process of its own, for tests (and benches) that must kill a
 * worker outright (SIGKILL) and start another one:
 *
 *   DATABASE_URL=... TEMPORAL_ADDRESS=... TASK_QUEUE=... SMTP_URL=... \
 *     node_modules/.bin/tsx test/support/worker-process.ts
 *
 * Optional: TEMPORAL_NAMESPACE (default `default`), PUBLIC_BASE_URL (default
 * http://careflow.test), MAIL_FROM, CENTRAL_URBAN_DISTRICTS (comma-separated). The
 * database must be migrated and seeded already (createTestDatabase does it). Prints
 * `worker ready` on stdout once the worker polls its task queue.
 *
 * To SIGKILL the worker itself, start it as `node --import tsx test/support/worker-process.ts`:
 * the `tsx` command runs the script in a child process of its own, which a SIGKILL of
 * the `tsx` process would leave running. Started with an IPC channel, the process exits
 * when its parent goes away, so a crashed test leaves no worker behind.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createSmtpMailer } from '../../src/activities/mailer';
import { createPool } from '../../src/db/pool';
import { createCareflowWorker } from '../../src/temporal/worker';
import { TEST_DATA_CONVERTER } from './data-converter';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`worker-process: ${name} is required`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const databaseUrl = required('DATABASE_URL');
  const address = required('TEMPORAL_ADDRESS');
  const taskQueue = required('TASK_QUEUE');
  const smtpUrl = required('SMTP_URL');
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  const centralUrbanDistricts = (process.env.CENTRAL_URBAN_DISTRICTS || '410402,410403,410411').split(',').map((c) => c.trim()).filter(Boolean);

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const orphaned = () => process.exit(1);
  if (process.send) process.on('disconnect', orphaned);

  const pool = createPool(databaseUrl);
  const mailer = createSmtpMailer(smtpUrl, process.env.MAIL_FROM || 'careflow <noreply@careflow.local>');
  const connection = await NativeConnection.connect({ address });
  const worker = await createCareflowWorker(
    { connection, namespace, taskQueue, dataConverter: TEST_DATA_CONVERTER },
    { pool, mailer, publicBaseUrl: process.env.PUBLIC_BASE_URL || 'http://careflow.test', centralUrbanDistricts },
  );
  const running = worker.run();
  while (worker.getState() === 'INITIALIZED') await new Promise((r) => setTimeout(r, 10));
  if (worker.getState() === 'RUNNING') console.log('worker ready');
  // SIGINT/SIGTERM: the SDK's default shutdown signals; run() resolves once in-flight
  // activities have finished or the grace time is over.
  await running;
  await connection.close();
  mailer.close();
  await pool.end();
  // The IPC channel would keep the process alive after a graceful shutdown.
  process.off('disconnect', orphaned);
  if (process.connected) process.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
