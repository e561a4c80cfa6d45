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
import { createAuthenticator, createLocalTokenMinter, type Role, type TokenClaims } from '../../src/security/auth';
import { createFieldCrypto } from '../../src/security/field-crypto';
import { createCareflowWorker } from '../../src/temporal/worker';
import { TEST_DATA_CONVERTER } from './data-converter';
import { createTestDatabase, type TestDatabase } from './database';
import { startTestSmtpServer, type TestSmtpServer } from './smtp';
import { devServerEnvironment } from './temporal';

export const CENTRAL_DISTRICTS = ['410402', '410403', '410411'];
/** The stack's data key: field encryption, and the local key its tokens are signed with. */
const TEST_DATA_KEY = Buffer.alloc(32, 3);

export interface TestStack {
  baseUrl: string;
  app: FastifyInstance;
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  smtp: TestSmtpServer;
  taskQueue: string;
  /**
   * fetch() against the API with JSON in and out, as the operator (an admin token) unless
   * `token` names another (null: no token at all); an `authorization` header wins over both.
   */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>, token?: string | null): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test responses are checked field by field
  /** The admin token request() sends by default. */
  adminToken: string;
  /** A token of the role and jurisdiction, e.g. tokenFor('caseworker', { county: '410402' }). */
  tokenFor(role: Role, jurisdiction?: Omit<TokenClaims, 'role'>, subject?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  /**
   * false: no worker in this process; the test runs its own in processes it can SIGTERM or
   * SIGKILL (test/support/processes.ts), on `taskQueue` against `db.url` and `smtp.url`.
   */
  inProcessWorker?: boolean;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const [env, db, smtp] = await Promise.all([devServerEnvironment(), createTestDatabase(), startTestSmtpServer()]);
  const taskQueue = `careflow-${randomUUID()}`;
  const mailer: Mailer = createSmtpMailer(smtp.url, 'careflow <noreply@careflow.local>');
  const app = await buildApp({
    pool: db.pool,
    temporal: env.client,
    taskQueue,
    crypto: createFieldCrypto(TEST_DATA_KEY),
    eligibilityParams: { centralUrbanDistricts: CENTRAL_DISTRICTS },
    today: () => chinaDateOf(Date.now()),
    logLevel: 'silent',
    // Tests poll the API: a limit they never reach (test/unit/auth-http.test.ts covers 429).
    security: { auth: createAuthenticator({ kind: 'local', dataKey: TEST_DATA_KEY, audience: 'careflow' }), corsOrigins: [], rateLimitPerMinute: 1_000_000 },
  });
  const minter = createLocalTokenMinter(TEST_DATA_KEY);
  const tokenFor = (role: Role, jurisdiction: Omit<TokenClaims, 'role'> = {}, subject?: string) => minter.mint({ role, ...jurisdiction }, { subject });
  const adminToken = await tokenFor('admin', {}, 'test-operator');
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const worker: Worker | undefined =
    options.inProcessWorker === false
      ? undefined
      : await createCareflowWorker(
          { connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, dataConverter: TEST_DATA_CONVERTER },
          { pool: db.pool, mailer, publicBaseUrl: address, centralUrbanDistricts: CENTRAL_DISTRICTS },
        );
  const workerRun = worker?.run();
  return {
    baseUrl: address,
    app,
    env,
    db,
    smtp,
    taskQueue,
    adminToken,
    tokenFor,
    async request(method, path, body, headers = {}, token = adminToken) {
      const given = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
      const auth: Record<string, string> = token === null || given ? {} : { authorization: `Bearer ${token}` };
      const response = await fetch(`${address}${path}`, {
        method,
        headers: body === undefined ? { ...auth, ...headers } : { 'content-type': 'application/json', ...auth, ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      await app.close();
      worker?.shutdown();
      await workerRun;
      mailer.close();
      await Promise.all([env.teardown(), db.drop(), smtp.stop()]);
    },
  };
}
