/**
 * A time-skipping server with a worker running the real workflows and activities against
 * a fresh Postgres database and a real SMTP server: what every workflow test needs.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createSmtpMailer, type Mailer } from '../../src/activities/mailer';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { bureauTaskWorkflowId } from '../../src/temporal/workflow-ids';
import { createCareflowWorker } from '../../src/temporal/worker';
import { completeTaskUpdate } from '../../src/workflows/messages';
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

/**
 * The departments serve a registered child's entitlement referral tasks (issue #12) at
 * once, as a department doing its duty would: tests of other lifecycles then see only
 * their own tasks escalate (unanswered, these would breach and open referrals of their own).
 */
export async function serveEntitlementReferrals(bed: WorkflowBed, childId: string): Promise<number> {
  const tasks = (await bed.db.pool.query<{ taskId: string }>(
    'SELECT task_id AS "taskId" FROM entitlement_referrals WHERE child_id = $1 AND task_id IS NOT NULL AND task_started',
    [childId],
  )).rows;
  await Promise.all(
    tasks.map(({ taskId }) =>
      bed.env.client.workflow.getHandle(bureauTaskWorkflowId(taskId)).executeUpdate(completeTaskUpdate, { args: [{ outcome: 'served', by: '承办部门' }] }),
    ),
  );
  return tasks.length;
}
