/**
 * M1 re-verification, on the time-skipping server with the real activities, a real
 * Postgres and a real SMTP server: years of 6-month cycles run in seconds.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerChild, type RegistryDeps } from '../../src/api/children/service';
import { createChildBody } from '../../src/api/children/schemas';
import { addMonths, chinaDateOf } from '../../src/domain/calendar-date';
import { createFieldCrypto } from '../../src/security/field-crypto';
import { childIntakeWorkflowId } from '../../src/temporal/workflow-ids';
import { childIntakeStatusQuery, type ChildIntakeStatus } from '../../src/workflows/messages';
import { childBody } from '../support/fixtures';
import { recordHistoryIfAsked } from '../support/histories';
import type { TestSmtpServer } from '../support/smtp';
import { startWorkflowBed, TEST_CENTRAL_DISTRICTS, type WorkflowBed } from '../support/workflow-bed';

let bed: WorkflowBed;
let env: WorkflowBed['env'];
let smtp: TestSmtpServer;
let taskQueue: string;
let registry: RegistryDeps;
let startDate: string;

beforeAll(async () => {
  bed = await startWorkflowBed();
  ({ env, smtp, taskQueue } = bed);
  startDate = chinaDateOf(await env.currentTimeMs());
  registry = {
    pool: bed.db.pool,
    temporal: env.client,
    taskQueue,
    crypto: createFieldCrypto(Buffer.alloc(32, 7)),
    eligibilityParams: { centralUrbanDistricts: TEST_CENTRAL_DISTRICTS },
    today: () => startDate,
  };
});

afterAll(async () => {
  await bed?.stop();
});

/** The register's own mails about the child (its entitlement referrals, issue #12, have theirs). */
function mailsFor(childId: string) {
  return smtp.messages.filter((m) => m.text.includes(childId) && m.subject.startsWith('【流动儿童登记】'));
}

describe('childIntake workflow (M1)', () => {
  it('announces a new child once, asks for re-verification every 6 months, and closes at the 16th birthday', async () => {
    // 16 on a date 26 months from now: four re-verifications, then closed at the fifth.
    const sixteenthBirthday = addMonths(startDate, 26);
    const birthDate = `${Number(sixteenthBirthday.slice(0, 4)) - 16}${sixteenthBirthday.slice(4)}`;
    const body = createChildBody.parse(childBody({ birthDate, arrivalDate: addMonths(startDate, -12) }));
    const child = await registerChild(registry, body, 'test');
    const handle = env.client.workflow.getHandle(childIntakeWorkflowId(child.id));

    const result = (await handle.result()) as ChildIntakeStatus;

    expect(result).toMatchObject({ phase: 'closed', cycle: 4, closedBecause: 'age-16-or-over' });
    await recordHistoryIfAsked('childIntake.closed-at-16', handle);
    const subjects = mailsFor(child.id).map((m) => m.subject);
    expect(subjects).toEqual([
      '【流动儿童登记】新登记儿童待核实',
      ...Array(4).fill('【流动儿童登记】儿童信息半年复核到期'),
      '【流动儿童登记】儿童经复核不再符合认定条件',
    ]);
    const ids = mailsFor(child.id).map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(mailsFor(child.id).every((m) => m.to.includes('mz-410402@pds.careflow.local'))).toBe(true);
    // Virtual time advanced by the five 6-month timers, not by waiting.
    expect(chinaDateOf(await env.currentTimeMs()) >= addMonths(startDate, 30)).toBe(true);
  });

  it('reports the next re-verification date while it waits', async () => {
    const body = createChildBody.parse(childBody({ arrivalDate: addMonths(startDate, -12) }));
    const child = await registerChild(registry, body, 'test');
    const handle = env.client.workflow.getHandle(childIntakeWorkflowId(child.id));
    await waitFor(() => mailsFor(child.id).length === 1);
    // The mail arrives before the activity reports back: wait for the workflow to move on.
    let status = await handle.query(childIntakeStatusQuery);
    for (let tries = 0; status.phase === 'notifying' && tries < 100; tries += 1) {
      await new Promise((r) => setTimeout(r, 50));
      status = await handle.query(childIntakeStatusQuery);
    }

    expect(status.phase).toBe('waiting-for-reverification');
    expect(status.cycle).toBe(0);
    expect(status.nextReverificationOn).toBe(addMonths(chinaDateOf(await env.currentTimeMs()), 6));
    await recordHistoryIfAsked('childIntake.first-cycle-waiting', handle);
    await handle.terminate('test over');
  });

  it('closes without mail when the child is not in the register', async () => {
    const childId = randomUUID();
    const result = await env.client.workflow.execute('childIntake', {
      workflowId: childIntakeWorkflowId(childId),
      taskQueue,
      args: [{ childId }],
    });
    expect(result).toMatchObject({ phase: 'closed', closedBecause: 'not-registered' });
    expect(mailsFor(childId)).toHaveLength(0);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
