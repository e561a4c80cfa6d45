/**
 * The whole service in one test process on real components: the Temporal CLI dev server,
 * a worker, the HTTP API on a loopback port, a fresh Postgres database, a real SMTP server.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { createSmtpMailer, type Mailer } from '../../src/activities/mailer';
import { buildApp } from '../../src/api/app';
import { chinaDateOf } from '../../src/domain/calendar-date';
import { createFieldCrypto } from '../../src/security/field-crypto';
import { createCareflowWorker } from '../../src/temporal/worker';
import { TEST_DATA_CONVERTER } from './data-converter';
import { createTestDatabase, type TestDatabase } from './database';
import { startTestSmtpServer, type TestSmtpServer } from './smtp';
import { devServerEnvironment } from './temporal';

export const CENTRAL_DISTRICTS = ['410402', '410403', '410411'];

export interface TestStack {
  baseUrl: string;
  app: FastifyInstance;
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  smtp: TestSmtpServer;
  taskQueue: string;
  /** fetch() against the API with JSON in and out. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test responses are checked field by field
  stop(): Promise<void>;
}

export async function startTestStack(): Promise<TestStack> {
  const [env, db, smtp] = await Promise.all([devServerEnvironment(), createTestDatabase(), startTestSmtpServer()]);
  const taskQueue = `careflow-${randomUUID()}`;
  const mailer: Mailer = createSmtpMailer(smtp.url, 'careflow <noreply@careflow.local>');
  const app = await buildApp({
    pool: db.pool,
    temporal: env.client,
    taskQueue,
    crypto: createFieldCrypto(Buffer.alloc(32, 3)),
    eligibilityParams: { centralUrbanDistricts: CENTRAL_DISTRICTS },
    today: () => chinaDateOf(Date.now()),
    logLevel: 'silent',
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const worker: Worker = await createCareflowWorker(
    { connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, dataConverter: TEST_DATA_CONVERTER },
    { pool: db.pool, mailer, publicBaseUrl: address, centralUrbanDistricts: CENTRAL_DISTRICTS },
  );
  const workerRun = worker.run();
  return {
    baseUrl: address,
    app,
    env,
    db,
    smtp,
    taskQueue,
    async request(method, path, body, headers = {}) {
      const response = await fetch(`${address}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      await app.close();
      worker.shutdown();
      await workerRun;
      mailer.close();
      await Promise.all([env.teardown(), db.drop(), smtp.stop()]);
    },
  };
}
