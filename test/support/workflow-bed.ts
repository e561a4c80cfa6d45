/**
 * A time-skipping server with a worker running the real workflows and activities against
 * a fresh Postgres database and a real SMTP server: what every workflow test needs.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createSmtpMailer, type Mailer } from '../../src/activities/mailer';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { createCareflowWorker } from '../../src/temporal/worker';
import { TEST_DATA_CONVERTER } from './data-converter';
import { createTestDatabase, type TestDatabase } from './database';
import { startTestSmtpServer, type TestSmtpServer } from './smtp';
import { timeSkippingEnvironment } from './temporal';

export const TEST_CENTRAL_DISTRICTS = ['410402', '410403', '410411'];

const INDEXED_VALUE_TYPES = { Keyword: 2, Int: 3, Bool: 5 } as const;

/** The time-skipping server has no start option for them, but takes them through the operator API. */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]])),
  });
}

export interface WorkflowBed {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  smtp: TestSmtpServer;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startWorkflowBed(options: { startAt?: string } = {}): Promise<WorkflowBed> {
  const [env, db, smtp] = await Promise.all([timeSkippingEnvironment(options), createTestDatabase(), startTestSmtpServer()]);
  await registerSearchAttributes(env);
  const taskQueue = `bed-${randomUUID()}`;
  const mailer: Mailer = createSmtpMailer(smtp.url, 'careflow <noreply@careflow.local>');
  const worker: Worker = await createCareflowWorker(
    { connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, dataConverter: TEST_DATA_CONVERTER },
    { pool: db.pool, mailer, publicBaseUrl: 'http://careflow.test', centralUrbanDistricts: TEST_CENTRAL_DISTRICTS },
  );
  const workerRun = worker.run();
  return {
    env,
    db,
    smtp,
    taskQueue,
    async stop() {
      worker.shutdown();
      await workerRun;
      mailer.close();
      await Promise.all([env.teardown(), db.drop(), smtp.stop()]);
    },
  };
}
