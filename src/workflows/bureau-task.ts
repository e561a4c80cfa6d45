/**
 * The reusable piece of every lifecycle (issue #3): assign a task to a department, wait for
 * it until it is due, then walk the escalation ladder; an overdue task is a breach of the
 * department, and breaches past the R4 threshold open a procuratorate referral. Completion
 * at any moment, through the `completeTask` update, stops it.
 *
 * Case workflows run it as a child workflow (`task:<taskId>`) and await its result.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { activities, sendNotification } from './activity-proxies';
import { rungDepartment, type EscalationPolicy, type LadderRung } from '../domain/escalation';
import { outcomeProblem } from '../domain/tasks';
import { referralWorkflowId } from '../temporal/workflow-ids';
import {
  acknowledgeTaskUpdate,
  bureauTaskStateQuery,
  bureauTaskFinishedSignal,
  completeTaskUpdate,
  taskEscalatedSignal,
  type BureauTaskInput,
  type BureauTaskState,
} from './messages';
import { procuratorateReferral } from './procuratorate-referral';


const nowIso = (): string => new Date(Date.now()).toISOString();

export async function bureauTask(input: BureauTaskInput): Promise<BureauTaskState> {
  try {
    return await runBureauTask(input);
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // The owning case moved on (a later stage, or closed): the task is withdrawn, recorded
    // as cancelled rather than left open in the bureau's inbox.
    await CancellationScope.nonCancellable(() => activities.markTaskCancelled({ taskId: input.taskId, at: nowIso() }));
    return { taskId: input.taskId, status: 'cancelled', dueBeyondCalendar: false, overdue: false, escalationLevel: 0 };
  }
}

async function runBureauTask(input: BureauTaskInput): Promise<BureauTaskState> {
  const workflowId = workflowInfo().workflowId;
  const state: BureauTaskState = {
    taskId: input.taskId,
    status: 'open',
    dueBeyondCalendar: false,
    overdue: false,
    escalationLevel: 0,
  };
  // Set synchronously by the first accepted completion, so that a second one arriving
  // while the first one's activity runs is refused by the validator.
  let completing = false;

  setHandler(bureauTaskStateQuery, () => state);
  setHandler(
    acknowledgeTaskUpdate,
    async ({ by }) => {
      const at = nowIso();
      await activities.markTaskAcknowledged({ taskId: input.taskId, by, at });
      if (state.status === 'open') state.status = 'acknowledged';
      return state;
    },
    {
      validator: ({ by }) => {
        if (!by?.trim()) throw new Error('需要填写确认人');
        if (state.status !== 'open' || completing) throw new Error('任务已确认或已完成，不能再次确认');
      },
    },
  );
  setHandler(
    completeTaskUpdate,
    async (completion) => {
      completing = true;
      const at = nowIso();
      await activities.markTaskCompleted({ taskId: input.taskId, completion, at });
      state.status = 'completed';
      state.completion = { ...completion, at };
      return state;
    },
    {
      validator: (completion) => {
        if (state.status === 'completed' || completing) throw new Error('任务已完成，不能重复提交');
        if (!completion.by?.trim()) throw new Error('需要填写办理人');
        const problem = outcomeProblem(input.acceptedOutcomes, completion);
        if (problem) throw new Error(problem);
      },
    },
  );

  const isDone = () => state.status === 'completed';
  /** Waits for completion until the instant `untilMs`; true when completed. */
  const completedBefore = async (untilMs: number): Promise<boolean> => {
    const remaining = untilMs - Date.now();
    if (remaining <= 0) return isDone();
    return condition(isDone, remaining);
  };
  const finish = async (): Promise<BureauTaskState> => {
    await condition(allHandlersFinished);
    if (input.reportTo) await reportFinished(input.reportTo, input.kind, state);
    return state;
  };

  // Setting up (the row in the inbox, the mail) is not interrupted by a withdrawal: a task
  // withdrawn meanwhile is then recorded as cancelled on a row that exists, never left open.
  const { policy, deadline, facts } = await CancellationScope.nonCancellable(async () => {
    const policy: EscalationPolicy = input.policy ?? (await activities.loadEscalationPolicy(input.countyCode));
    const createdAt = Date.now();
    // An absolute due instant (a planned home visit, issue #4) needs no calendar arithmetic.
    const deadline = 'at' in input.due ? { dueAt: input.due.at, beyondCalendar: false } : await activities.computeDeadline(createdAt, input.due);
    state.dueAt = deadline.dueAt;
    state.dueBeyondCalendar = deadline.beyondCalendar;
    await activities.createTask({ ...input, workflowId, dueAt: deadline.dueAt, dueBeyondCalendar: deadline.beyondCalendar, createdAt: new Date(createdAt).toISOString() });
    const facts = { taskId: input.taskId, title: input.title, instructions: input.instructions, dueAt: deadline.dueAt, assigneeCode: input.assignee.departmentCode };
    await sendNotification({ idempotencyKey: `${workflowId}:assigned`, recipient: { departmentCode: input.assignee.departmentCode }, template: 'task-assigned', facts });
    if (deadline.beyondCalendar) {
      // Issue #3: a deadline past the calendar's known years is flagged to the supervisor.
      await sendNotification({ idempotencyKey: `${workflowId}:beyond-calendar`, recipient: { departmentCode: `mz-${input.countyCode}` }, template: 'calendar-not-covered', facts });
    }
    return { policy, deadline, facts };
  });

  const dueMs = Date.parse(deadline.dueAt);
  if (await completedBefore(dueMs)) return finish();

  const refer = async (reason: string): Promise<void> => {
    const referral = await activities.openReferral({
      referralId: uuid4(),
      departmentCode: input.assignee.departmentCode,
      countyCode: input.countyCode,
      taskId: input.taskId,
      reason,
      at: nowIso(),
    });
    state.referralId = referral.referralId;
    if (!referral.created) return; // an open referral of the department already has it
    await startChild(procuratorateReferral, {
      workflowId: referralWorkflowId(referral.referralId),
      args: [{ referralId: referral.referralId, departmentCode: input.assignee.departmentCode, procuratorateCode: referral.procuratorateCode, policy }],
      // The referral outlives the task: the procuratorate's process has its own pace.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  };

  // Overdue: a breach of the assignee's department (义务教育法 Art. 53; R4).
  state.overdue = true;
  const breach = await activities.recordBreach({ taskId: input.taskId, departmentCode: input.assignee.departmentCode, kind: 'overdue', at: nowIso(), threshold: policy.referral });
  if (breach.referralDue) await refer(breach.reason);

  const escalate = async (rung: LadderRung): Promise<void> => {
    const target = rungDepartment(rung.recipient, input.assignee.departmentCode, input.countyCode);
    await activities.recordEscalation({ taskId: input.taskId, level: rung.level, label: rung.label, recipientCode: target.code, at: nowIso() });
    state.escalationLevel = rung.level;
    const parent = workflowInfo().parent;
    if (parent) {
      // The owning case mirrors the level in its search attributes and read model.
      await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(taskEscalatedSignal, { taskId: input.taskId, level: rung.level });
    }
    await sendNotification({
      idempotencyKey: `${workflowId}:escalation:${rung.level}`,
      recipient: { departmentCode: target.code, head: target.head },
      template: rung.level === 1 ? 'task-reminder' : 'task-escalated',
      facts: { ...facts, level: String(rung.level), levelLabel: rung.label },
    });
  };
  // The instant `workingDays` after the due date (the due instant is the end of that day).
  const afterDue = async (workingDays: number): Promise<number> =>
    workingDays === 0 ? dueMs : Date.parse((await activities.computeDeadline(dueMs - 1, { workingDays })).dueAt);

  for (const rung of policy.rungs) {
    if (await completedBefore(await afterDue(rung.afterWorkingDays))) return finish();
    await escalate(rung);
  }
  if (await completedBefore(await afterDue(policy.referral.overdueWorkingDays))) return finish();
  const persistent = await activities.recordBreach({ taskId: input.taskId, departmentCode: input.assignee.departmentCode, kind: 'persistently-overdue', at: nowIso(), threshold: policy.referral });
  if (persistent.referralDue) await refer(persistent.reason);

  await condition(isDone);
  return finish();
}

/** Tells the owner named in `reportTo` that the task finished (issue #4). */
async function reportFinished(ownerWorkflowId: string, kind: string, state: BureauTaskState): Promise<void> {
  try {
    await getExternalWorkflowHandle(ownerWorkflowId).signal(bureauTaskFinishedSignal, { taskId: state.taskId, kind, state });
  } catch {
    // The owner closed before the task finished (a plan that has ended): nobody to tell.
  }
}
