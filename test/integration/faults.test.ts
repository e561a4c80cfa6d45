/**
 * Issue #11 item 2: faults of the servers careflow runs on, each on real components and
 * each ending with "nothing lost, nothing doubled": every task once, every breach and
 * escalation once, every mail received once (by Message-ID).
 *
 * - The Temporal dev server SIGKILLed and restarted on the same SQLite file and port while
 *   tasks wait on their due timers: the timers fire after the restart.
 * - The SMTP server down when the escalation ladder's first rung fires: the reminders wait
 *   in the outbox and go out once when it is back.
 * - Postgres stopped and started again while activities write: they fail, are retried,
 *   and write once.
 *
 * The worker runs in a process of its own (test/support/worker-process.ts), as deployed.
 * Time skipping is not possible here (the time-skipping server cannot be restarted on a
 * database file), so the tasks are due a few seconds after they start: the workflow's own
 * timer, never a sleep in the test.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { portNear, startEmbeddedPostgres, startTemporalDevServer, stopProcess, type LocalService, type TemporalDevServer } from '../../scripts/local-services';
import { messageIdFor } from '../../src/activities/notifications';
import { migrate } from '../../src/db/migrate';
import { createPool, type Pool } from '../../src/db/pool';
import { seedDirectory } from '../../src/db/seed';
import type { EscalationPolicy } from '../../src/domain/escalation';
import { connectClient } from '../../src/temporal/connection';
import { bureauTaskWorkflowId } from '../../src/temporal/workflow-ids';
import type { BureauTaskInput } from '../../src/workflows/messages';
import { bureauTaskInput, noPendingActivities, outboxRows, startBureauTasks } from '../support/bureau-tasks';
import { TEST_DATA_CONVERTER } from '../support/data-converter';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { outputOf, startWorkerProcess, stopWith, until } from '../support/processes';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

/** One rung, at the due instant: a reminder to the assignee. No referral within the test. */
const REMIND_AT_DUE: EscalationPolicy = {
  rungs: [{ level: 1, afterWorkingDays: 0, recipient: 'assignee', label: '到期提醒' }],
  referral: { breaches: 1_000, windowDays: 90, overdueWorkingDays: 20 },
  replyMonths: 1,
};

const dirs: string[] = [];
const workers: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(workers.map((w) => stopWith(w, 'SIGKILL')));
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Tasks due `dueInMs` from now, with the one-rung ladder. */
function dueSoon(count: number, dueInMs: number): BureauTaskInput[] {
  const at = new Date(Date.now() + dueInMs).toISOString();
  return Array.from({ length: count }, () => bureauTaskInput({ due: { at }, policy: REMIND_AT_DUE }));
}

const keysOf = (inputs: BureauTaskInput[], suffix: string) => inputs.map((i) => `${bureauTaskWorkflowId(i.taskId)}:${suffix}`);

/** True when each key has its outbox row and every row is marked sent. */
async function allSent(pool: Pool, keys: string[]): Promise<boolean> {
  const rows = await outboxRows(pool, keys);
  return rows.length === keys.length && rows.every((r) => r.sent_at !== null);
}

/** Rows per task in a table keyed by task: each task exactly once. */
async function rowsPerTask(pool: Pool, table: 'tasks' | 'escalations' | 'breaches', inputs: BureauTaskInput[]): Promise<number[]> {
  const column = table === 'tasks' ? 'id' : 'task_id';
  const result = await pool.query<{ id: string; n: string }>(`SELECT ${column}::text AS id, count(*) AS n FROM ${table} WHERE ${column} = ANY($1) GROUP BY ${column}`, [
    inputs.map((i) => i.taskId),
  ]);
  const byId = new Map(result.rows.map((r) => [r.id, Number(r.n)]));
  return inputs.map((i) => byId.get(i.taskId) ?? 0);
}

/** Every task's assignment and reminder mail sent, each received under one Message-ID, once. */
async function expectEachMailOnce(pool: Pool, smtp: TestSmtpServer, inputs: BureauTaskInput[]): Promise<void> {
  const keys = [...keysOf(inputs, 'assigned'), ...keysOf(inputs, 'escalation:1')];
  const rows = await outboxRows(pool, keys);
  expect(rows).toHaveLength(keys.length);
  expect(rows.every((r) => r.sent_at !== null)).toBe(true);
  const counts = smtp.messageIdCounts();
  for (const key of keys) expect(counts.get(messageIdFor(key))).toBe(1);
}

async function expectEachTaskOnceEscalatedOnce(pool: Pool, inputs: BureauTaskInput[]): Promise<void> {
  const ones = inputs.map(() => 1);
  expect(await rowsPerTask(pool, 'tasks', inputs)).toEqual(ones);
  expect(await rowsPerTask(pool, 'breaches', inputs)).toEqual(ones);
  expect(await rowsPerTask(pool, 'escalations', inputs)).toEqual(ones);
}

describe('Temporal dev server killed and restarted on its database file (issue #11)', () => {
  let server: TemporalDevServer;
  let client: Client;
  let db: TestDatabase;
  let smtp: TestSmtpServer;
  let taskQueue: string;
  let port: number;
  let uiPort: number;
  let dataDir: string;

  const startServer = async () => {
    server = await startTemporalDevServer(inject('temporalCliPath'), dataDir, { port, uiPort });
    return server;
  };

  beforeAll(async () => {
    dataDir = tempDir('careflow-fault-temporal-');
    [port, uiPort] = [await portNear(0), await portNear(0)];
    [db, smtp] = await Promise.all([createTestDatabase(), startTestSmtpServer(), startServer()]);
    cleanups.push(() => db.drop(), () => smtp.stop(), () => stopProcess(server.process, 2000));
    client = await connectClient({ address: server.address, namespace: 'default', dataConverter: TEST_DATA_CONVERTER });
    cleanups.push(() => client.connection.close());
    taskQueue = `faults-${randomUUID()}`;
    workers.push(await startWorkerProcess({ databaseUrl: db.url, temporalAddress: server.address, taskQueue, smtpUrl: smtp.url }));
  });

  it('timers pending at the kill fire after the restart; every task, escalation and mail once', async () => {
    const inputs = dueSoon(8, 15_000);
    await startBureauTasks(client, inputs, taskQueue);
    // Every task assigned and mailed: now each waits on its due timer.
    await until('all tasks assigned', () => allSent(db.pool, keysOf(inputs, 'assigned')), 20_000);
    expect(await rowsPerTask(db.pool, 'escalations', inputs)).toEqual(inputs.map(() => 0));

    await stopWith(server.process, 'SIGKILL');
    await startServer(); // same SQLite file, same port: the worker and the client reconnect

    await until('every task escalated', async () => (await rowsPerTask(db.pool, 'escalations', inputs)).every((n) => n === 1), 60_000);
    await until('every reminder sent', () => allSent(db.pool, keysOf(inputs, 'escalation:1')), 30_000);
    await until('no activity pending', () => noPendingActivities(client, inputs), 20_000);
    await expectEachTaskOnceEscalatedOnce(db.pool, inputs);
    await expectEachMailOnce(db.pool, smtp, inputs);
    // Still running, waiting on the next timer (the referral threshold), as undisturbed.
    const states = await Promise.all(inputs.map((i) => client.workflow.getHandle(bureauTaskWorkflowId(i.taskId)).describe()));
    expect(states.every((d) => d.status.name === 'RUNNING')).toBe(true);
  }, 120_000);

  it('SMTP down when the ladder fires: the reminders wait in the outbox and arrive once when it is back', async () => {
    const inputs = dueSoon(8, 6_000);
    await startBureauTasks(client, inputs, taskQueue);
    await until('all tasks assigned', () => allSent(db.pool, keysOf(inputs, 'assigned')), 20_000);
    smtp.setDown(true);
    const reminders = keysOf(inputs, 'escalation:1');
    await until('every reminder tried twice', async () => {
      const rows = await outboxRows(db.pool, reminders);
      return rows.length === inputs.length && rows.every((r) => r.attempts >= 2);
    }, 40_000);
    expect((await outboxRows(db.pool, reminders)).every((r) => r.sent_at === null)).toBe(true);
    expect(smtp.distinctMessageIds().filter((id) => reminders.map(messageIdFor).includes(id))).toEqual([]);
    smtp.setDown(false);

    await until('every reminder sent', () => allSent(db.pool, reminders), 40_000);
    await until('no activity pending', () => noPendingActivities(client, inputs), 20_000);
    await expectEachTaskOnceEscalatedOnce(db.pool, inputs);
    await expectEachMailOnce(db.pool, smtp, inputs);
  }, 120_000);
});

describe('Postgres restarted while activities write (issue #11)', () => {
  it('activities that failed on the dead connection are retried and write once', async () => {
    const dataDir = tempDir('careflow-fault-pg-');
    chmodSync(dataDir, 0o755); // as root, Postgres runs as 'postgres', which must enter it
    const pgPort = await portNear(0);
    let postgres: LocalService = await startEmbeddedPostgres(dataDir, pgPort);
    cleanups.push(() => postgres.stop());
    const pool = createPool(postgres.url);
    cleanups.push(() => pool.end());
    await migrate(pool);
    await seedDirectory(pool);
    const [temporal, smtp] = await Promise.all([
      startTemporalDevServer(inject('temporalCliPath'), tempDir('careflow-fault-pg-temporal-'), { port: await portNear(0), uiPort: await portNear(0) }),
      startTestSmtpServer(),
    ]);
    cleanups.push(() => smtp.stop(), () => stopProcess(temporal.process, 2000));
    const client = await connectClient({ address: temporal.address, namespace: 'default', dataConverter: TEST_DATA_CONVERTER });
    cleanups.push(() => client.connection.close());
    const taskQueue = `faults-pg-${randomUUID()}`;
    const worker = await startWorkerProcess({ databaseUrl: postgres.url, temporalAddress: temporal.address, taskQueue, smtpUrl: smtp.url });
    workers.push(worker);

    const inputs = dueSoon(20, 8_000);
    await startBureauTasks(client, inputs, taskQueue);
    // The first rows are in: the rest of the tasks are writing theirs now.
    await until('the first task rows', async () => (await rowsPerTask(pool, 'tasks', inputs)).some((n) => n === 1), 20_000);
    await postgres.stop();
    const writtenBeforeStop = (await client.workflow.getHandle(bureauTaskWorkflowId(inputs[0]!.taskId)).describe()).status.name;
    expect(writtenBeforeStop).toBe('RUNNING');
    postgres = await startEmbeddedPostgres(dataDir, pgPort); // same data, same port

    await until('every task escalated', async () => (await rowsPerTask(pool, 'escalations', inputs)).every((n) => n === 1), 60_000);
    await until('every mail sent', () => allSent(pool, [...keysOf(inputs, 'assigned'), ...keysOf(inputs, 'escalation:1')]), 40_000);
    await until('no activity pending', () => noPendingActivities(client, inputs), 20_000);
    await expectEachTaskOnceEscalatedOnce(pool, inputs);
    await expectEachMailOnce(pool, smtp, inputs);
    // The worker lived through it (it used to die of an unhandled pg 'error' event).
    expect(worker.exitCode, outputOf(worker)).toBeNull();
    const audit = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE entity_id = ANY($1) AND action = 'task.assigned'`, [inputs.map((i) => i.taskId)]);
    expect(Number(audit.rows[0]!.n)).toBe(inputs.length);
  }, 150_000);
});
