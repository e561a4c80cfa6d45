/**
 * S20, M2, M1 (issue #4): the quarterly home-visit plan of a key-care child, one workflow per
 * child (`key-care-visits:<childId>`), one run per quarter.
 *
 * Each run plans its quarter (the county's quota, due dates spread across it), assigns each
 * planned visit to the township's children's director as a `bureauTask` a few days before its
 * due date (that assignment is the reminder), and counts the visits recorded through the
 * `recordVisit` update: a visit completes the earliest open planned visit and its task. A
 * visit not made by its due date is an overdue task, so the task's escalation ladder fires.
 * At the quarter's end the open tasks are closed, a quarter short of its quota is a breach
 * of the township (R4), and the run continues-as-new with a compact state.
 *
 * Every 6 months the county civil-affairs bureau re-verifies the child (M1) through a task;
 * its outcome may hand the plan to the child's new township or county, or close it. When the
 * risk flags clear, the plan waits for a closing assessment visit, then ends.
 *
 * The plan's tasks are started by an activity, not as child workflows: a child belongs to
 * one run, and a task (a missed visit's ladder, a re-verification) may outlive its quarter.
 * Tasks the plan must hear back from report to it by signal (`reportTo`); tasks it finishes
 * itself are completed through their `completeTask` update, by an activity (docs/visits.md).
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { KeyCarePlanFacts } from '../activities/visits';
import { addMonths, chinaDateOf, chinaMidnight, isCalendarDate } from '../domain/calendar-date';
import type { OutcomeSpec } from '../domain/tasks';
import {
  DEFAULT_VISIT_POLICY,
  NEED_SERVICES,
  PAST_QUARTERS_KEPT,
  countyDepartmentCode,
  needDepartmentCode,
  nextQuarter,
  planQuarter,
  quarterEndsAt,
  quarterLabel,
  quarterOf,
  visitDueAt,
  visitReminderAt,
  type NeedServiceCode,
  type QuarterSummary,
  type VisitPolicy,
} from '../domain/visits';
import { referralWorkflowId } from '../temporal/workflow-ids';
import { activities, sendNotification } from './activity-proxies';
import {
  bureauTaskFinishedSignal,
  keyCareChangedSignal,
  keyCarePlanQuery,
  recordVisitUpdate,
  type BureauTaskInput,
  type KeyCarePlanCarry,
  type KeyCarePlanState,
  type KeyCareVisitsInput,
  type PlannedVisitView,
  type RecordVisitRequest,
} from './messages';
import { procuratorateReferral } from './procuratorate-referral';

/** Versioning marker: a re-verification that finds the child gone also marks the register. */
const RECORD_LEFT_PATCH = 'record-child-left';

/** `by` of the completions the plan makes itself. */
export const PLAN_ACTOR = 'careflow';
const CASE_TYPE = 'key-care-visits';
const CHILDRENS_DIRECTOR = '儿童主任';

/** A planned visit's task: completed by recording the visit; the other outcomes are the plan's. */
const VISIT_OUTCOMES: OutcomeSpec[] = [
  { code: 'visited', label: '已入户走访（登记走访记录后自动办结）' },
  { code: 'quarter-ended', label: '季度结束仍未走访（系统办结，计入季度走访不足）' },
  { code: 'plan-closing', label: '风险情形消除，转入结案评估（系统办结）' },
  { code: 'handed-over', label: '儿童迁居，计划已移交（系统办结）' },
  { code: 'plan-closed', label: '走访计划已结束（系统办结）' },
];
const REVERIFY_OUTCOMES: OutcomeSpec[] = [
  { code: 'still-eligible', label: '仍符合条件，继续关爱' },
  { code: 'moved-away', label: '已迁离（请先在登记系统中更新居住地）', requiresNote: true },
  { code: 'no-longer-eligible', label: '不再符合流动儿童认定条件', requiresNote: true },
];
const CLOSING_OUTCOMES: OutcomeSpec[] = [
  { code: 'assessed', label: '已完成结案评估（登记含评估的走访后自动办结）' },
  { code: 'reopened', label: '重新纳入重点关爱（系统办结）' },
  { code: 'plan-closed', label: '走访计划已结束（系统办结）' },
];
const NEED_OUTCOMES: OutcomeSpec[] = [
  { code: 'provided', label: '已提供服务' },
  { code: 'referred', label: '已转介其他单位', requiresNote: true },
  { code: 'not-needed', label: '经核实无需服务', requiresNote: true },
];

const CLOSE_REASONS: Record<string, string> = {
  'flags-cleared': '风险情形已消除，已完成结案评估',
  'age-16-or-over': '儿童已满十六周岁',
  'no-longer-eligible': '经复核不再符合流动儿童认定条件',
  'moved-away': '经复核儿童已迁离',
  'left-county': '经核实儿童已离开居住地（登记系统已记录）',
  'not-registered': '登记记录不存在',
  'not-key-care': '儿童不在重点关爱台账中',
};

interface Slot {
  index: number;
  dueOn: string;
  /** none → starting → open (task running) → closed (completed by the plan). */
  task: 'none' | 'starting' | 'open' | 'closed';
  taskId?: string;
  visitId?: string;
  visitor?: string;
}

type QuarterEnding = 'end' | 'closing' | 'handed-over' | 'closed';
const TASK_OUTCOME_ON: Record<QuarterEnding, string> = { end: 'quarter-ended', closing: 'plan-closing', 'handed-over': 'handed-over', closed: 'plan-closed' };

const nowIso = (): string => new Date(Date.now()).toISOString();
const normalisedVisitor = (visitor: string): string => visitor.trim().replace(/\s+/g, ' ');

export async function keyCareVisits(input: KeyCareVisitsInput): Promise<KeyCarePlanState> {
  const { childId, carry } = input;
  const workflowId = workflowInfo().workflowId;
  const today = chinaDateOf(Date.now());
  const quarter = quarterOf(today);
  const quarterEndMs = quarterEndsAt(quarter);
  const requestedFrom = carry?.from ?? today;
  let from = requestedFrom > quarter.firstDay ? requestedFrom : quarter.firstDay;

  const state: KeyCarePlanState = {
    planId: carry?.planId ?? uuid4(),
    childId,
    phase: carry?.phase ?? 'active',
    startedOn: carry?.startedOn ?? today,
    countyCode: carry?.countyCode ?? '',
    assigneeCode: '',
    quarter: { id: quarter.id, from, lastDay: quarter.lastDay, quota: 0, done: 0, overdue: 0, assessed: false, due: [] },
    past: carry?.past ?? [],
    nextReverificationOn: carry?.nextReverificationOn ?? '',
    reverificationTaskId: carry?.reverificationTaskId,
    closingTaskId: carry?.closingTaskId,
  };
  const { planId } = state;
  const caseRef = { caseId: planId, caseType: CASE_TYPE };
  let slots: Slot[] = [];
  /** The county's parameters, as loaded at the run's start (a quarter keeps them). */
  let policy: VisitPolicy = DEFAULT_VISIT_POLICY;
  /** Facts loaded and the quarter planned: an accepted visit can be counted. */
  let ready = false;
  let quarterOpen = false;
  /** The quarter is being closed: new visits wait for the next run. */
  let settling = false;
  /** The background loops (reminders, re-verification) are to stop at their next safe point. */
  let stopping = false;
  const background: Array<Promise<void>> = [];
  let recheck = false;
  let reverificationOutcome = carry?.reverificationOutcome;
  let closingFinished = false;
  const visitKeys = new Set<string>();

  // ------------------------------------------------------------------------------------
  // Messages
  // ------------------------------------------------------------------------------------
  const slotView =
    (now: number) =>
    (slot: Slot): PlannedVisitView => ({
      index: slot.index,
      dueOn: slot.dueOn,
      status: slot.visitId ? 'done' : now >= visitDueAt(slot.dueOn) ? 'overdue' : slot.task === 'none' ? 'upcoming' : 'assigned',
      ...(slot.taskId ? { taskId: slot.taskId } : {}),
      ...(slot.visitId ? { visitId: slot.visitId } : {}),
    });
  const view = (): KeyCarePlanState => {
    const due = slots.map(slotView(Date.now()));
    return { ...state, quarter: { ...state.quarter, due, overdue: due.filter((d) => d.status === 'overdue').length } };
  };
  setHandler(keyCarePlanQuery, view);
  setHandler(keyCareChangedSignal, () => {
    recheck = true;
  });
  setHandler(bureauTaskFinishedSignal, ({ taskId, state: task }) => {
    if (taskId === state.reverificationTaskId) reverificationOutcome = task.completion?.outcome ?? task.status;
    // The closing task completed by its bureau (the plan's own completions do not count).
    if (taskId === state.closingTaskId && task.completion && task.completion.by !== PLAN_ACTOR) closingFinished = true;
  });

  const completeTask = (taskId: string, outcome: string, by: string, note?: string) =>
    activities.completePlanTask({ taskId, completion: { outcome, by, ...(note ? { note } : {}) }, updateId: `${planId}:${taskId}:${outcome}` });

  setHandler(
    recordVisitUpdate,
    async (visit) => {
      // Noted synchronously, so that the same visit sent again while this one's activities
      // run is refused by the validator as a duplicate.
      visitKeys.add(`${visit.visitedOn}|${normalisedVisitor(visit.visitor)}`);
      await condition(() => ready || state.phase === 'closed');
      if (state.phase === 'closed') throw ApplicationFailure.nonRetryable('走访计划已结束，不能再登记走访', 'PlanClosed');
      state.quarter.done += 1;
      if (visit.assessed) state.quarter.assessed = true;
      const slot = slots.find((candidate) => !candidate.visitId);
      if (slot) {
        slot.visitId = visit.visitId;
        slot.visitor = visit.visitor;
      }
      const completesTask = slot?.task === 'open' ? slot : undefined;
      if (completesTask) completesTask.task = 'closed';
      const closesPlan = state.phase === 'closing' && visit.assessed;
      const needTasks = visit.taskNeeds.map((service) => ({ service, taskId: uuid4() }));

      await activities.acceptVisit({
        visitId: visit.visitId,
        childId,
        planId,
        quarter: quarter.id,
        slot: slot?.index ?? null,
        taskId: completesTask?.taskId ?? null,
        needTasks,
        at: nowIso(),
      });
      if (completesTask?.taskId) await completeTask(completesTask.taskId, 'visited', visit.visitor, `走访记录 ${visit.visitId}`);
      for (const need of needTasks) await activities.startPlanTask(needTask(need.service, need.taskId, visit));
      if (closesPlan) {
        if (state.closingTaskId) await completeTask(state.closingTaskId, 'assessed', visit.visitor, `走访记录 ${visit.visitId}`);
        closingFinished = true;
      }
      return {
        visitId: visit.visitId,
        quarter: quarter.id,
        slot: slot?.index ?? null,
        ...(completesTask?.taskId ? { completedTaskId: completesTask.taskId } : {}),
        needTaskIds: needTasks.map((need) => need.taskId),
        done: state.quarter.done,
        quota: state.quarter.quota,
      };
    },
    {
      validator: (visit) => {
        if (state.phase === 'closed') throw new Error('走访计划已结束，不能再登记走访');
        if (!isCalendarDate(visit.visitedOn)) throw new Error('走访日期应为 YYYY-MM-DD');
        if (!visit.visitor?.trim()) throw new Error('需要填写走访人');
        const now = chinaDateOf(Date.now());
        if (visit.visitedOn > now) throw new Error(`走访日期 ${visit.visitedOn} 晚于今天（${now}），不能登记尚未进行的走访`);
        if (visit.visitedOn < state.startedOn) throw new Error(`走访日期 ${visit.visitedOn} 早于走访计划开始的日期（${state.startedOn}），不在计划内`);
        if (visit.visitedOn < quarter.firstDay) throw new Error(`走访日期 ${visit.visitedOn} 所在的季度已结算，不能补登（本季度自 ${quarter.firstDay} 起）`);
        if (visit.visitedOn < state.quarter.from) throw new Error(`走访日期 ${visit.visitedOn} 早于本季度计划的起始日期（${state.quarter.from}，计划移交或重新纳入后重新计算），不能登记`);
        if (settling || visit.visitedOn > quarter.lastDay) throw new Error('本季度正在结算，请稍后重试');
        if (visitKeys.has(`${visit.visitedOn}|${normalisedVisitor(visit.visitor)}`)) {
          throw new Error(`${visit.visitedOn} ${visit.visitor.trim()} 的走访已登记，不能重复登记`);
        }
      },
    },
  );

  // ------------------------------------------------------------------------------------
  // Tasks
  // ------------------------------------------------------------------------------------
  const visitTask = (slot: Slot, taskId: string): BureauTaskInput => ({
    taskId,
    kind: 'key-care.visit',
    title: `重点关爱儿童入户走访：${quarterLabel(quarter.id)}第 ${slot.index}/${state.quarter.quota} 次（S20）`,
    instructions: `请儿童主任于 ${slot.dueOn} 前入户走访重点关爱儿童（编号 ${childId}），了解其生活保障、监护、医疗和就学情况，并在系统中登记走访记录（POST /api/v1/children/${childId}/visits）；登记后本任务自动办结。`,
    assignee: { departmentCode: state.assigneeCode, person: CHILDRENS_DIRECTOR },
    countyCode: state.countyCode,
    due: { at: new Date(visitDueAt(slot.dueOn)).toISOString() },
    acceptedOutcomes: VISIT_OUTCOMES,
    caseRef,
  });
  const needTask = (service: NeedServiceCode, taskId: string, visit: RecordVisitRequest): BureauTaskInput => {
    const need = NEED_SERVICES[service];
    return {
      taskId,
      kind: 'key-care.need',
      title: `重点关爱儿童走访发现需求：${need.label}（${need.services.join('、')}）`,
      instructions: `${visit.visitedOn} 入户走访重点关爱儿童（编号 ${childId}）时发现${need.label}方面的需求，请核实并按服务清单（${need.services.join('、')}）提供服务，办结时说明结果。走访记录：/api/v1/children/${childId}/visits/${visit.visitId}`,
      assignee: { departmentCode: needDepartmentCode(service, state.countyCode) },
      countyCode: state.countyCode,
      due: { workingDays: policy.needTaskWorkingDays },
      acceptedOutcomes: NEED_OUTCOMES,
      caseRef,
    };
  };

  // ------------------------------------------------------------------------------------
  // Background loops: the reminders (visit tasks) and the 6-monthly re-verification
  // ------------------------------------------------------------------------------------
  /** Waits until the instant `atMs`; false when told to stop first. */
  const waitUntil = async (atMs: number): Promise<boolean> => {
    const wait = atMs - Date.now();
    if (wait > 0) await condition(() => stopping, wait);
    return !stopping;
  };
  const remindLoop = async (visitPolicy: VisitPolicy): Promise<void> => {
    for (const slot of slots) {
      if (!(await waitUntil(visitReminderAt(slot.dueOn, visitPolicy.reminderDaysBefore)))) return;
      if (slot.visitId) continue; // visited ahead of the plan: no reminder needed
      const taskId = uuid4();
      slot.taskId = taskId;
      slot.task = 'starting';
      await activities.startPlanTask(visitTask(slot, taskId));
      slot.task = 'open';
      // A visit recorded while the task was being started completes it now.
      if (slot.visitId) {
        slot.task = 'closed';
        await completeTask(taskId, 'visited', slot.visitor ?? PLAN_ACTOR, `走访记录 ${slot.visitId}`);
      }
    }
  };
  const reverifyLoop = async (visitPolicy: VisitPolicy): Promise<void> => {
    if (!(await waitUntil(visitReminderAt(state.nextReverificationOn, 0)))) return;
    // The next one counts from this one's date (not from its answer); a date long past (a plan
    // reopened after months in 'closing') moves on to the first one after today.
    const now = chinaDateOf(Date.now());
    do {
      state.nextReverificationOn = addMonths(state.nextReverificationOn, visitPolicy.reverificationMonths);
    } while (state.nextReverificationOn <= now);
    // One at a time: an open one is climbing its own ladder.
    if (state.reverificationTaskId) return;
    const taskId = uuid4();
    state.reverificationTaskId = taskId;
    await activities.startPlanTask({
      taskId,
      kind: 'key-care.reverify',
      title: '重点关爱儿童信息半年复核（M1）',
      instructions: `请核实重点关爱儿童（编号 ${childId}）的登记信息是否准确、是否仍符合流动儿童认定条件。如已迁居，请先在登记系统中更新其居住地，再选择“已迁离”：迁入本市其他县（市、区）或乡镇的，走访计划随之移交；迁离本市的，走访计划结束并通知其户籍地民政部门。`,
      assignee: { departmentCode: countyDepartmentCode('mz', state.countyCode) },
      countyCode: state.countyCode,
      due: { workingDays: visitPolicy.reverificationWorkingDays },
      acceptedOutcomes: REVERIFY_OUTCOMES,
      caseRef,
      reportTo: workflowId,
    });
  };
  const stopBackground = async (): Promise<void> => {
    stopping = true;
    await Promise.all(background);
  };

  // ------------------------------------------------------------------------------------
  // The quarter
  // ------------------------------------------------------------------------------------
  const openQuarter = async (visitPolicy: VisitPolicy): Promise<void> => {
    const plan = planQuarter(quarter, from, visitPolicy.quarterlyQuota);
    slots = plan.dueDates.map((dueOn, i) => ({ index: i + 1, dueOn, task: 'none' }));
    state.quarter.from = plan.from;
    state.quarter.quota = plan.quota;
    await activities.openVisitQuarter({
      planId,
      childId,
      workflowId,
      quarter: quarter.id,
      countyCode: state.countyCode,
      assigneeCode: state.assigneeCode,
      from: plan.from,
      quota: plan.quota,
      dueDates: plan.dueDates,
      at: nowIso(),
      firstOfPlan: !carry,
    });
    quarterOpen = true;
    await sendNotification({
      idempotencyKey: `${workflowId}:${planId}:plan:${quarter.id}:${plan.from}`,
      recipient: { departmentCode: state.assigneeCode },
      template: 'visit-plan',
      facts: { childId, quarterLabel: quarterLabel(quarter.id), quota: String(plan.quota), dueDates: plan.dueDates.join('、'), reminderDaysBefore: String(visitPolicy.reminderDaysBefore) },
    });
    background.push(remindLoop(visitPolicy));
    if (state.nextReverificationOn <= quarter.lastDay) background.push(reverifyLoop(visitPolicy));
  };

  /** A quarter that ends short of its quota is a breach of the township (S20; R4). */
  const breachQuarterShort = async (missed: Slot[], at: string): Promise<void> => {
    // The breach is linked to the quarter's last missed visit, so a referral's dossier shows it.
    const taskId = [...missed].reverse().find((slot) => slot.taskId)?.taskId;
    if (!taskId) return; // every missed visit has its task by the quarter's end; a guard only
    const escalation = await activities.loadEscalationPolicy(state.countyCode);
    const breach = await activities.recordBreach({ taskId, departmentCode: state.assigneeCode, kind: 'quarter-short', at, threshold: escalation.referral });
    if (!breach.referralDue) return;
    const referral = await activities.openReferral({ referralId: uuid4(), departmentCode: state.assigneeCode, countyCode: state.countyCode, taskId, reason: breach.reason, at });
    if (!referral.created) return; // the department's open referral already has it
    await startChild(procuratorateReferral, {
      workflowId: referralWorkflowId(referral.referralId),
      args: [{ referralId: referral.referralId, departmentCode: state.assigneeCode, procuratorateCode: referral.procuratorateCode, policy: escalation }],
      // The referral outlives this quarter's run.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  };

  /** Closes the quarter's plan: its open tasks, its record, and at its end the breach. */
  const closeQuarter = async (ending: QuarterEnding): Promise<void> => {
    if (!quarterOpen) return;
    quarterOpen = false;
    settling = true;
    await stopBackground();
    const at = nowIso();
    const missed = slots.filter((slot) => !slot.visitId);
    for (const slot of missed) {
      if (slot.task !== 'open' || !slot.taskId) continue;
      slot.task = 'closed';
      await completeTask(slot.taskId, TASK_OUTCOME_ON[ending], PLAN_ACTOR);
    }
    const { quota, done, assessed } = state.quarter;
    const short = done < quota;
    const summary: QuarterSummary = { quarter: quarter.id, quota, done, assessed, outcome: ending === 'end' ? (short ? 'short' : 'met') : ending };
    await activities.closeVisitQuarter({ planId, childId, from: state.quarter.from, summary, at });
    if (ending === 'end') {
      if (short) await breachQuarterShort(missed, at);
      if (short || !assessed) {
        await sendNotification({
          idempotencyKey: `${workflowId}:${planId}:quarter-short:${quarter.id}:${state.quarter.from}`,
          recipient: { departmentCode: countyDepartmentCode('mz', state.countyCode) },
          template: 'visit-quarter-short',
          facts: { childId, quarterLabel: quarterLabel(quarter.id), quota: String(quota), done: String(done), assessed: String(assessed), assigneeCode: state.assigneeCode },
        });
      }
    }
    state.past = [summary, ...state.past].slice(0, PAST_QUARTERS_KEPT);
  };

  // ------------------------------------------------------------------------------------
  // Ways out of a run
  // ------------------------------------------------------------------------------------
  const carryFrom = (nextFrom: string): KeyCarePlanCarry => ({
    planId,
    startedOn: state.startedOn,
    from: nextFrom,
    countyCode: state.countyCode,
    nextReverificationOn: state.nextReverificationOn,
    ...(state.reverificationTaskId ? { reverificationTaskId: state.reverificationTaskId } : {}),
    ...(reverificationOutcome ? { reverificationOutcome } : {}),
    phase: state.phase === 'closing' ? 'closing' : 'active',
    ...(state.closingTaskId ? { closingTaskId: state.closingTaskId } : {}),
    past: state.past,
  });

  /** Ends the plan quietly: the register says there is nothing to follow. */
  const endQuietly = async (reason: string): Promise<KeyCarePlanState> => {
    state.phase = 'closed';
    state.closedBecause = reason;
    ready = true;
    await condition(allHandlersFinished);
    return view();
  };

  const closePlan = async (reason: string, handOff = false): Promise<KeyCarePlanState> => {
    await closeQuarter('closed');
    await stopBackground();
    if (state.closingTaskId && !closingFinished) await completeTask(state.closingTaskId, 'plan-closed', PLAN_ACTOR);
    state.phase = 'closed';
    state.closedBecause = reason;
    const facts = { childId, reason: CLOSE_REASONS[reason] ?? reason, handOff: String(handOff) };
    // The county bureau and the township stop; on a move away, the likely new home is told.
    const recipients = [countyDepartmentCode('mz', state.countyCode), state.assigneeCode];
    if (handOff) recipients.push((await activities.handOffRecipient(childId)).departmentCode);
    for (const departmentCode of new Set(recipients)) {
      await sendNotification({ idempotencyKey: `${workflowId}:${planId}:closed:${departmentCode}`, recipient: { departmentCode }, template: 'key-care-plan-closed', facts });
    }
    await activities.recordPlanEvent({ key: `${planId}:closed`, childId, action: 'key-care-plan.closed', summary: { after: { planId, reason } } });
    await condition(allHandlersFinished);
    return view();
  };

  /** A fresh run from today: the plan moves to another township or county, or is reopened. */
  const restart = async (ending: 'handed-over' | 'reopened'): Promise<KeyCarePlanState> => {
    if (ending === 'handed-over') await closeQuarter('handed-over');
    await stopBackground();
    await condition(allHandlersFinished);
    return continueAsNew<typeof keyCareVisits>({ childId, carry: carryFrom(chinaDateOf(Date.now())) });
  };

  const enterClosing = async (visitPolicy: VisitPolicy): Promise<void> => {
    await closeQuarter('closing');
    await stopBackground();
    settling = false;
    slots = [];
    state.phase = 'closing';
    state.quarter.quota = 0;
    const taskId = uuid4();
    state.closingTaskId = taskId;
    await activities.startPlanTask({
      taskId,
      kind: 'key-care.closing-assessment',
      title: '重点关爱儿童结案评估（M2）',
      instructions: `重点关爱儿童（编号 ${childId}）的风险情形已消除。请儿童主任入户走访并完成一次家庭监护能力评估，在系统中登记含评估的走访记录（POST /api/v1/children/${childId}/visits）；登记后走访计划结束，本任务自动办结。`,
      assignee: { departmentCode: state.assigneeCode, person: CHILDRENS_DIRECTOR },
      countyCode: state.countyCode,
      due: { workingDays: visitPolicy.closingAssessmentWorkingDays },
      acceptedOutcomes: CLOSING_OUTCOMES,
      caseRef,
      reportTo: workflowId,
    });
    await activities.recordPlanEvent({ key: `${planId}:closing:${taskId}`, childId, action: 'key-care-plan.closing', summary: { after: { planId, closingTaskId: taskId } } });
  };

  const readFacts = () => activities.getKeyCarePlanFacts(childId, chinaDateOf(Date.now()));
  const movedWithinPingdingshan = (facts: KeyCarePlanFacts) =>
    facts.registered && facts.keyCare && (facts.countyCode !== state.countyCode || facts.assigneeCode !== state.assigneeCode);

  // ------------------------------------------------------------------------------------
  // The run
  // ------------------------------------------------------------------------------------
  const facts = await activities.getKeyCarePlanFacts(childId, today);
  // The API's transaction rolled back after starting this workflow: nothing to follow.
  if (!facts.registered) return endQuietly('not-registered');
  if (!carry && !facts.keyCare) return endQuietly('not-key-care');
  policy = facts.policy;
  const handedOverFrom = carry && carry.countyCode !== facts.countyCode ? carry.countyCode : undefined;
  state.countyCode = facts.countyCode;
  state.assigneeCode = facts.assigneeCode;
  if (!state.nextReverificationOn) state.nextReverificationOn = addMonths(state.startedOn, policy.reverificationMonths);
  const ageLimitMs = chinaMidnight(facts.ageLimitOn);
  // A child already 16 when entering the ledger has no plan to close: nobody is told.
  if (Date.now() >= ageLimitMs) return carry ? closePlan('age-16-or-over') : endQuietly('age-16-or-over');
  // Found gone (a survey's answer, #13) while no signal reached the plan: nobody is left to visit.
  if (facts.leftOn) return carry ? closePlan('left-county', true) : endQuietly('left-county');
  if (handedOverFrom) {
    // M1: the child moved to another Pingdingshan county; both bureaus are told.
    const handover = { childId, fromCounty: handedOverFrom, toCounty: facts.countyCode, from, assigneeCode: facts.assigneeCode };
    for (const county of [facts.countyCode, handedOverFrom]) {
      const departmentCode = countyDepartmentCode('mz', county);
      await sendNotification({ idempotencyKey: `${workflowId}:${planId}:handover:${from}:${departmentCode}`, recipient: { departmentCode }, template: 'key-care-plan-handover', facts: handover });
    }
    await activities.recordPlanEvent({ key: `${planId}:handover:${from}`, childId, action: 'key-care-plan.handed-over', summary: { before: { county: handedOverFrom }, after: { county: facts.countyCode, assignee: facts.assigneeCode } } });
  }
  if (state.phase === 'closing' && facts.keyCare) {
    // Back in the ledger before the closing assessment: the plan resumes from today.
    if (state.closingTaskId) await completeTask(state.closingTaskId, 'reopened', PLAN_ACTOR);
    state.closingTaskId = undefined;
    state.phase = 'active';
    from = today > from ? today : from;
  }
  if (state.phase === 'active' && !facts.keyCare) {
    // The flags cleared while no signal reached the plan: it notices at its next run.
    await enterClosing(policy);
  } else if (state.phase === 'active') {
    await openQuarter(policy);
  }
  ready = true;

  for (;;) {
    const wait = Math.min(quarterEndMs, ageLimitMs) - Date.now();
    if (wait > 0) await condition(() => recheck || reverificationOutcome !== undefined || closingFinished, wait);
    if (Date.now() >= ageLimitMs) return closePlan('age-16-or-over');
    if (closingFinished) return closePlan('flags-cleared');
    if (reverificationOutcome !== undefined) {
      const outcome = reverificationOutcome;
      reverificationOutcome = undefined;
      state.reverificationTaskId = undefined;
      if (outcome === 'no-longer-eligible') return closePlan('no-longer-eligible');
      if (outcome === 'moved-away') {
        const now = await readFacts();
        // Moved within Pingdingshan (the register is updated first): the plan follows the child.
        if (state.phase === 'active' && movedWithinPingdingshan(now)) return restart('handed-over');
        // Gone from Pingdingshan: the register records it too, so that the child leaves the
        // county's figures (plans that closed before this step replay without it).
        // Only while the register still shows the plan's residence: a child re-registered
        // elsewhere in Pingdingshan (a plan already closing does not follow it) has not gone.
        const stillHere = now.registered && now.countyCode === state.countyCode && now.assigneeCode === state.assigneeCode;
        if (patched(RECORD_LEFT_PATCH) && stillHere) await activities.recordChildLeft({ childId, planId, onDate: chinaDateOf(Date.now()) });
        return closePlan('moved-away', true);
      }
      continue; // still eligible (or the task was withdrawn): the plan goes on
    }
    if (recheck) {
      recheck = false;
      const now = await readFacts();
      if (!now.registered) return closePlan('not-registered');
      if (now.leftOn) return closePlan('left-county', true);
      if (state.phase === 'active' && !now.keyCare) await enterClosing(now.policy);
      else if (state.phase === 'closing' && now.keyCare) return restart('reopened');
      else if (state.phase === 'active' && movedWithinPingdingshan(now)) return restart('handed-over');
      continue;
    }
    if (Date.now() >= quarterEndMs) break;
  }

  await closeQuarter('end');
  await stopBackground();
  await condition(allHandlersFinished);
  if (closingFinished) return closePlan('flags-cleared');
  return continueAsNew<typeof keyCareVisits>({ childId, carry: carryFrom(nextQuarter(quarter).firstDay) });
}
