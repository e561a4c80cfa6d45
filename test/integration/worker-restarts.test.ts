/**
 * Issue #11 items 1 and 5: workers stopped while W1 drop-out cases run through the API, on
 * real components (dev server, Postgres, SMTP, workers in processes of their own).
 *
 * - SIGTERM drains: a worker told to stop while it holds a mail at the SMTP server waits
 *   for the server's answer, marks the mail sent and exits 0; the mail is never sent again.
 * - A rolling restart (start the next worker, SIGTERM the previous one, three times while
 *   cases are opened and advanced) loses and doubles nothing.
 * - SIGKILL in the middle of a case: the new worker retries what the dead one held; every
 *   case ends as an undisturbed one does, and each mail is received under one Message-ID.
 *
 * "As an undisturbed one does" is checked against a baseline case run first, field by
 * field (test/support/case-shape.ts): tasks, timeline, audit rows, outbox rows.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseShape, comparable, confirmVerification, openDropoutCase, settledShape, type CaseShape, type OpenedCase } from '../support/case-shape';
import { exited, startWorkerProcess, stopWith, until } from '../support/processes';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
const workers: ChildProcess[] = [];
let baseline: Omit<CaseShape, 'messageIds'>;

beforeAll(async () => {
  stack = await startTestStack({ inProcessWorker: false });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => stopWith(w, 'SIGKILL')));
  await stack?.stop();
});

async function startWorker(): Promise<ChildProcess> {
  const worker = await startWorkerProcess({
    databaseUrl: stack.db.url,
    temporalAddress: stack.env.address,
    namespace: stack.env.namespace,
    taskQueue: stack.taskQueue,
    smtpUrl: stack.smtp.url,
  });
  workers.push(worker);
  return worker;
}

/** Each case as the baseline, and each of its mails received under exactly one Message-ID. */
async function expectAsUndisturbed(cases: OpenedCase[]): Promise<Map<string, number>> {
  const shapes = [];
  for (const opened of cases) shapes.push(await settledShape(stack, opened));
  // Counted once all have settled: a mail may arrive while a later case settles.
  const counts = stack.smtp.messageIdCounts();
  for (const shape of shapes) {
    expect(comparable(shape)).toEqual(baseline);
    for (const id of shape.messageIds) expect(counts.get(id) ?? 0).toBeGreaterThanOrEqual(1);
  }
  return counts;
}

let current: ChildProcess;

describe('workers stopped while cases run (issue #11)', () => {
  it('an undisturbed case: the baseline', async () => {
    current = await startWorker();
    const opened = await openDropoutCase(stack);
    await confirmVerification(stack, opened.caseId);
    const shape = await settledShape(stack, opened);
    baseline = comparable(shape);
    expect(baseline).toMatchObject({ stage: 'persuasion', status: 'open', tasks: ['dropout.verify:completed'] });
    expect(baseline.mails.length).toBeGreaterThanOrEqual(3);
    expect(baseline.audit).toEqual(expect.arrayContaining(['child.registered', 'case.opened', 'task.assigned', 'task.completed']));
    for (const id of shape.messageIds) expect(stack.smtp.messageIdCounts().get(id)).toBe(1);
  });

  it('SIGTERM: the worker finishes the mail it holds, exits 0, and the mail is sent once', async () => {
    let heldId: string | undefined;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = new Promise<void>((resolve) => {
      stack.smtp.onMessage = async (mail) => {
        if (heldId) return;
        heldId = mail.messageId;
        resolve();
        await released; // stored, not yet acknowledged: the send activity is in flight
      };
    });
    const opened = await openDropoutCase(stack);
    await held;
    const draining = current;
    draining.kill('SIGTERM');
    // The next worker of the rolling restart takes over the rest of the case meanwhile.
    current = await startWorker();
    expect(draining.exitCode).toBeNull(); // still waiting for the SMTP server's answer
    release();
    expect(await exited(draining)).toBe(0);
    stack.smtp.onMessage = undefined;

    await confirmVerification(stack, opened.caseId);
    const counts = await expectAsUndisturbed([opened]);
    expect(counts.get(heldId!)).toBe(1);
    const row = (await stack.db.pool.query<{ attempts: number }>('SELECT attempts FROM notifications WHERE message_id = $1', [heldId])).rows[0];
    expect(row?.attempts).toBe(1); // finished by the draining worker, never retried
  });

  it('a rolling restart of workers while cases are opened and advanced loses and doubles nothing', async () => {
    const cases: OpenedCase[] = [];
    for (let generation = 0; generation < 3; generation += 1) {
      cases.push(...(await Promise.all([openDropoutCase(stack), openDropoutCase(stack)])));
      const next = await startWorker();
      const previous = current;
      current = next;
      expect(await stopWith(previous, 'SIGTERM')).toBe(0);
    }
    await Promise.all(cases.map((c) => confirmVerification(stack, c.caseId)));
    const counts = await expectAsUndisturbed(cases);
    for (const opened of cases) {
      for (const id of (await caseShape(stack, opened)).messageIds) expect(counts.get(id)).toBe(1);
    }
  }, 120_000);

  it('SIGKILL mid-case: the next worker retries what the dead one held; every case ends as undisturbed', async () => {
    let killedId: string | undefined;
    const killed = new Promise<void>((resolve) => {
      stack.smtp.onMessage = async (mail) => {
        if (killedId) return;
        killedId = mail.messageId;
        await stopWith(current, 'SIGKILL'); // dies before the server's 250
        resolve();
      };
    });
    const cases = await Promise.all([openDropoutCase(stack), openDropoutCase(stack), openDropoutCase(stack)]);
    await killed;
    stack.smtp.onMessage = undefined;
    current = await startWorker();
    await until('each case has its verification task', async () => {
      const rows = await stack.db.pool.query(`SELECT 1 FROM tasks WHERE case_id = ANY($1) AND kind = 'dropout.verify'`, [cases.map((c) => c.caseId)]);
      return rows.rowCount === cases.length;
    }, 90_000);
    await Promise.all(cases.map((c) => confirmVerification(stack, c.caseId, 90_000)));
    const counts = await expectAsUndisturbed(cases);
    // Received once per Message-ID; the mail the dead worker held came twice, same ID.
    expect(counts.get(killedId!)).toBeLessThanOrEqual(2);
  }, 180_000);
});
