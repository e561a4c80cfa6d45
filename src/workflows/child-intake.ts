/**
 * M1: a newly registered flowing child is announced to the county civil-affairs bureau
 * (which verifies it), then the profile comes up for re-verification every 6 months for as
 * long as the child stays eligible. One run per 6-month cycle: continue-as-new keeps the
 * history small however many years the child stays.
 */
import { continueAsNew, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { addMonths, chinaDateOf, millisUntilChinaMidnight } from '../domain/calendar-date';
import { activities, sendNotification } from './activity-proxies';
import { childIntakeStatusQuery, type ChildIntakeInput, type ChildIntakeStatus } from './messages';

const { getChildStatus } = activities;

export async function childIntake(input: ChildIntakeInput): Promise<ChildIntakeStatus> {
  const cycle = input.cycle ?? 0;
  const months = input.reverificationMonths ?? 6;
  const workflowId = workflowInfo().workflowId;
  const status: ChildIntakeStatus = { phase: 'notifying', cycle };
  setHandler(childIntakeStatusQuery, () => status);

  const today = chinaDateOf(Date.now());
  const child = await getChildStatus(input.childId, today);
  if (!child.registered) {
    // The API's transaction rolled back after starting this workflow: nothing to follow.
    return close(status, 'not-registered');
  }
  if (cycle === 0) {
    await sendNotification({
      idempotencyKey: `${workflowId}:registered`,
      recipient: { departmentCode: `mz-${child.countyCode}` },
      template: 'child-registered',
      facts: { childId: input.childId },
    });
  }

  const due = addMonths(today, months);
  status.phase = 'waiting-for-reverification';
  status.nextReverificationOn = due;
  await sleep(millisUntilChinaMidnight(Date.now(), due));

  const later = await getChildStatus(input.childId, due);
  if (!later.registered) return close(status, 'not-registered');
  if (!later.eligible) {
    await sendNotification({
      idempotencyKey: `${workflowId}:no-longer-eligible`,
      recipient: { departmentCode: `mz-${later.countyCode}` },
      template: 'child-no-longer-eligible',
      facts: { childId: input.childId, reason: later.reason },
    });
    return close(status, later.rule);
  }
  await sendNotification({
    idempotencyKey: `${workflowId}:reverification:${cycle + 1}`,
    recipient: { departmentCode: `mz-${later.countyCode}` },
    template: 'reverification-due',
    facts: { childId: input.childId },
  });
  return continueAsNew<typeof childIntake>({ ...input, cycle: cycle + 1 });
}

function close(status: ChildIntakeStatus, because: string): ChildIntakeStatus {
  status.phase = 'closed';
  status.closedBecause = because;
  delete status.nextReverificationOn;
  return status;
}
