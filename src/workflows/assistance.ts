/**
 * W4: cross-jurisdiction determination of 低保 / 特困 / 孤儿 / 事实无人抚养 (policy.md W4.1-W4.8).
 *
 * application taken at the residence township with the scheme's documents (W4.1, checked by
 *   the API before the case opens)
 * → forwarding: the residence township forwards the file to the 户籍地 in 3 WD (W4.2)
 * → investigation by the 户籍地 (W4.3): 低保 start 3 WD, income check 3 WD, opinion; the other
 *   schemes investigation and opinion in 15 WD
 * → public notice of 7 days for 低保 and 特困 (none for 孤儿 and 事实无人抚养); an objection
 *   sends the file back to re-investigation in 15 WD and a new notice (W4.4)
 * → confirmation by the 户籍地 county bureau (W4.5: 低保 10 WD, the others 15 WD)
 * → notification: the residence township tells the applicant in 3 WD (W4.7); a refusal
 *   carries its written reasons and the appeal rights, and closes the case
 * → receiving: the benefit start is recorded and a timer opens each recheck (W4.8: yearly,
 *   every 6 months for a 低保 household with unstable income) as a task to the 户籍地.
 * For 低保 the whole process is watched in parallel (W4.6: 30 WD from the application, 45
 * when the caseworker marks it special).
 *
 * The 户籍地 bodies are one outside bureau (`outside-mz-<county>`, or the seeded county
 * bureau when the 户籍地 is in Pingdingshan): it gets its tasks by mail and answers through
 * the task API, itself or through the caseworker. Every step is a bureauTask, so a silent
 * 户籍地 goes up the ladder and collects breaches like any department.
 */
import { allHandlersFinished, ChildWorkflowFailure, condition, isCancellation, setHandler, TerminatedFailure } from '@temporalio/workflow';
import {
  appealRights,
  ASSISTANCE_DOCUMENTS,
  ASSISTANCE_SCHEME_LABELS,
  assistanceActionProblem,
  benefitStartOn,
  nextRecheckOn,
  noticeEndsOn,
  type AssistanceAction,
  type AssistanceDecision,
  type AssistanceStage,
} from '../domain/assistance';
import { addDays, chinaDateOf, chinaMidnight } from '../domain/calendar-date';
import type { CaseState } from '../domain/cases';
import type { OutcomeSpec, TaskCompletion, TaskDue } from '../domain/tasks';
import { activities, sendNotification } from './activity-proxies';
import { CaseKit, type CaseTaskSpec, type RunningTask } from './case-kit';
import { assistanceActionUpdate, type AssistanceInput, type BureauTaskState } from './messages';

const HOUR_MS = 60 * 60 * 1000;

/** A task workflow cancelled or terminated by an operator rather than by the case. */
const endedFromOutside = (error: unknown): boolean =>
  isCancellation(error) || (error instanceof ChildWorkflowFailure && error.cause instanceof TerminatedFailure);

type Completion = TaskCompletion & { at: string };

const OPINION_OUTCOMES: OutcomeSpec[] = [
  { code: 'eligible', label: '初审符合条件' },
  { code: 'ineligible', label: '初审不符合条件', requiresNote: true },
];

export async function assistance(input: AssistanceInput): Promise<CaseState> {
  const { params, scheme, caseId } = input;
  const kit = new CaseKit({ caseId, type: 'assistance', countyCode: input.countyCode, stage: 'forwarding', policy: input.policy });
  const stage = (): AssistanceStage => kit.state.stage as AssistanceStage;
  const schemeLabel = ASSISTANCE_SCHEME_LABELS[scheme];
  // W4.2, W4.7: the residence township that took the application; the county bureau when none was given.
  const residence = input.townshipCode ? `xz-${input.townshipCode}` : `mz-${input.countyCode}`;
  // W4.6 counts from the application (受理), not from when any one task starts.
  const appliedAtMs = Date.now();
  const appliedOn = chinaDateOf(appliedAtMs);
  const facts = kit.state.facts;
  facts.scheme = scheme;
  facts.appliedOn = appliedOn;

  // What caseworkers report; the main flow consumes it.
  let withdrawn: { reason: string; by: string } | undefined;
  let objection: { receivedOn: string; summary: string; by: string } | undefined;
  let benefitEnded: { date: string; reason: string; by: string } | undefined;
  let special = false;
  let noticeOpen = false;
  // Set when the 户籍地 county has decided: the application can no longer be withdrawn or extended.
  let decided = false;
  let watch: RunningTask | undefined;
  let hukou = '';
  const objectionRaised = () => objection;

  /**
   * What is left of a limit of `limitWorkingDays` counted from the application, as the period
   * of a task starting now: the working days not yet used (so the task's own calendar
   * arithmetic lands on the same day), or the plain hours to `dueAt` when the calendar cannot
   * count them (a year not yet published) or the limit has already passed.
   */
  const remainingOf = async (limitWorkingDays: number, dueAt: string): Promise<TaskDue> => {
    const hoursLeft = Math.max(0, (Date.parse(dueAt) - Date.now()) / HOUR_MS);
    if (hoursLeft === 0) return { hours: 0 };
    try {
      const used = await activities.workingDaysBetween(appliedOn, chinaDateOf(Date.now()));
      return { workingDays: Math.max(0, limitWorkingDays - used) };
    } catch {
      return { hours: hoursLeft };
    }
  };
  /** W4.6: a task on the deciding bureau due when the whole-process limit ends; withdrawn at the decision. */
  const startWatch = async (limitWorkingDays: number, actor: string): Promise<void> => {
    // Counted through the calendar from the application; the task runs for what is left.
    const due = await activities.computeDeadline(appliedAtMs, { workingDays: limitWorkingDays });
    const title = `低保审核确认总时限（W4.6）：受理之日起 ${limitWorkingDays} 个工作日`;
    const instructions = `该低保申请于 ${appliedOn} 受理（案件 ${caseId}），应在 ${limitWorkingDays} 个工作日内作出审核确认决定。决定作出后本任务由系统自动撤回，无需办结；逾期将按督办阶梯报送。`;
    const previous = watch;
    watch = undefined;
    if (previous) {
      previous.withdraw();
      await previous.result.catch(() => undefined);
    }
    const period = await remainingOf(limitWorkingDays, due.dueAt);
    watch = await kit.startTask({
      kind: 'assistance.whole-process',
      title,
      instructions,
      assigneeCode: hukou,
      due: period,
      // Nobody completes a watch: the decision ends it.
      acceptedOutcomes: [],
    });
    facts.wholeProcessDueAt = due.dueAt;
    await kit.event('whole-process-watch', { limitWorkingDays, dueAt: due.dueAt, beyondCalendar: due.beyondCalendar }, actor);
    if (due.beyondCalendar && 'hours' in period) {
      // Policy "Calendar": a limit past the published years is flagged to the county supervisor
      // (the task flags a working-day period itself, not a period in hours).
      await sendNotification({
        idempotencyKey: `assistance:${caseId}:whole-process-beyond-calendar:${limitWorkingDays}`,
        recipient: { departmentCode: `mz-${input.countyCode}` },
        template: 'calendar-not-covered',
        facts: { taskId: watch.taskId, title, instructions, dueAt: due.dueAt },
      });
    }
  };
  const withdrawWatch = async (): Promise<void> => {
    const current = watch;
    watch = undefined;
    if (!current) return;
    current.withdraw();
    await current.result.catch(() => undefined);
  };

  setHandler(
    assistanceActionUpdate,
    async (action: AssistanceAction) => {
      switch (action.action) {
        case 'mark-special':
          special = true;
          facts.special = true;
          await kit.event('marked-special', { reason: action.reason }, action.by);
          if (params.specialWholeProcessWorkingDays !== null) await startWatch(params.specialWholeProcessWorkingDays, action.by);
          break;
        case 'record-objection':
          objection = action;
          facts.objections = Number(facts.objections ?? 0) + 1;
          await kit.event('objection', { receivedOn: action.receivedOn, summary: action.summary }, action.by);
          break;
        case 'withdraw-application':
          withdrawn = action;
          await kit.event('application-withdrawn', { reason: action.reason }, action.by);
          break;
        case 'end-benefit':
          benefitEnded = action;
          await kit.event('benefit-ended', { date: action.date, reason: action.reason, note: action.note }, action.by);
          break;
      }
      return kit.state;
    },
    {
      validator: (action: AssistanceAction) => {
        const problem = assistanceActionProblem(stage(), action.action, { scheme, params });
        if (problem) throw new Error(problem);
        if (withdrawn) throw new Error('申请已撤回');
        if (decided && (action.action === 'mark-special' || action.action === 'withdraw-application')) throw new Error('户籍地已作出审核确认决定');
        if (action.action === 'mark-special' && special) throw new Error('已标记为特殊情况');
        if (action.action === 'record-objection' && (!noticeOpen || objection)) throw new Error(objection ? '本次公示的异议已登记，正在复查' : '公示期已结束');
        if (action.action === 'end-benefit' && benefitEnded) throw new Error('待遇终止已登记');
      },
    },
  );

  /**
   * Runs a department step to its completion; undefined when `interrupted` came first (the
   * task is then withdrawn). A task cancelled or terminated from outside the case (an
   * operator in the Temporal UI) is issued again; any other failure of the task fails the case.
   */
  const step = async (spec: CaseTaskSpec, interrupted: () => boolean): Promise<Completion | undefined> => {
    for (;;) {
      const task = await kit.startTask(spec);
      const settled: { state?: BureauTaskState; error?: unknown; done?: boolean } = {};
      void task.result.then(
        (state) => Object.assign(settled, { state, done: true }),
        (error: unknown) => Object.assign(settled, { error, done: true }),
      );
      await condition(() => Boolean(settled.done) || interrupted());
      if (!settled.done) {
        task.withdraw();
        await task.result.catch(() => undefined);
        return undefined;
      }
      if (settled.state?.completion) return settled.state.completion;
      if (interrupted()) return undefined;
      if (settled.error !== undefined && !endedFromOutside(settled.error)) throw settled.error;
    }
  };
  const beforeDecision = (spec: CaseTaskSpec) => step(spec, () => Boolean(withdrawn));
  const finish = async (outcome: string, actor?: string): Promise<CaseState> => {
    await condition(allHandlersFinished);
    await withdrawWatch();
    return kit.close(outcome, actor);
  };
  const tellHukou = async (key: string, title: string, text: string): Promise<void> => {
    await sendNotification({
      idempotencyKey: `assistance:${caseId}:${key}`,
      recipient: { departmentCode: hukou },
      template: 'case-notice',
      facts: { caseId, title, instructions: text },
    });
  };
  const closeWithdrawn = async (forwarded: boolean): Promise<CaseState> => {
    if (forwarded) await tellHukou('withdrawn', `申请人撤回${schemeLabel}申请`, `申请人已撤回案件 ${caseId} 的${schemeLabel}申请，请终止办理。`);
    return finish('withdrawn', withdrawn?.by);
  };

  // W4.1: the application, its checklist already complete (the API refuses a missing document).
  const documents = input.documents.map((code) => ASSISTANCE_DOCUMENTS[code]).join('、');
  await kit.event('application-taken', { scheme, documents: input.documents, townshipCode: input.townshipCode }, input.takenBy);
  hukou = await activities.hukouDepartment({ kind: 'mz', countyCode: input.hukouCountyCode });
  facts.hukouDepartment = hukou;
  await kit.enterStage('forwarding', input.takenBy);
  if (params.wholeProcessWorkingDays !== null) await startWatch(params.wholeProcessWorkingDays, 'workflow');

  // W4.2: the residence township forwards the file to the 户籍地.
  const forwarded = await beforeDecision({
    kind: 'assistance.forward',
    title: `将${schemeLabel}申请材料转交户籍地（W4.2）`,
    instructions: `贵单位受理了一名流动儿童的${schemeLabel}申请（案件 ${caseId}），材料：${documents}。请在 ${params.forwardWorkingDays} 个工作日内将申请材料转交户籍地民政部门（${hukou}）。`,
    assigneeCode: residence,
    due: { workingDays: params.forwardWorkingDays },
    acceptedOutcomes: [{ code: 'forwarded', label: '已转交户籍地' }],
  });
  if (!forwarded) return closeWithdrawn(false);

  // W4.3: the 户籍地 investigates and gives its initial opinion.
  await kit.enterStage('investigation', forwarded.by);
  const received = `平顶山市流动儿童的${schemeLabel}申请（案件 ${caseId}）已由居住地乡镇（街道）受理并转来，材料：${documents}。`;
  const noticeHint = params.noticeDays === null ? '' : `初审符合条件的，请在申请人所在村（社区）公示 ${params.noticeDays} 天，公示自办结本任务次日起算。`;
  let opinion: Completion | undefined;
  if (params.investigationStartWorkingDays !== null && params.incomeCheckWorkingDays !== null) {
    const started = await beforeDecision({
      kind: 'assistance.investigation-start',
      title: '启动家庭经济状况调查（W4.3）',
      instructions: `${received}请在 ${params.investigationStartWorkingDays} 个工作日内启动家庭经济状况调查。`,
      assigneeCode: hukou,
      due: { workingDays: params.investigationStartWorkingDays },
      acceptedOutcomes: [{ code: 'started', label: '已启动调查' }],
    });
    if (!started) return closeWithdrawn(true);
    const checked = await beforeDecision({
      kind: 'assistance.income-check',
      title: '家庭收入和财产状况核对（W4.3）',
      instructions: `请在 ${params.incomeCheckWorkingDays} 个工作日内完成案件 ${caseId} 申请家庭的收入和财产状况核对。`,
      assigneeCode: hukou,
      due: { workingDays: params.incomeCheckWorkingDays },
      acceptedOutcomes: [{ code: 'checked', label: '已完成核对' }],
    });
    if (!checked) return closeWithdrawn(true);
    opinion = await beforeDecision({
      kind: 'assistance.initial-opinion',
      title: '提出初审意见（W4.3）',
      instructions: `请在 ${params.opinionWorkingDays} 个工作日内就案件 ${caseId} 提出初审意见；不符合条件的须说明理由。${noticeHint}`,
      assigneeCode: hukou,
      due: { workingDays: params.opinionWorkingDays },
      acceptedOutcomes: OPINION_OUTCOMES,
    });
  } else {
    opinion = await beforeDecision({
      kind: 'assistance.investigation',
      title: '调查核实并提出初审意见（W4.3）',
      instructions: `${received}请在 ${params.opinionWorkingDays} 个工作日内调查核实并提出初审意见；不符合条件的须说明理由。${noticeHint}`,
      assigneeCode: hukou,
      due: { workingDays: params.opinionWorkingDays },
      acceptedOutcomes: OPINION_OUTCOMES,
    });
  }
  if (!opinion) return closeWithdrawn(true);

  // W4.3, W4.4: a favourable opinion is publicly noticed; an objection means re-investigation and a new notice.
  while (opinion.outcome === 'eligible' && params.noticeDays !== null) {
    const postedOn = chinaDateOf(Date.now());
    const lastDay = noticeEndsOn(postedOn, params.noticeDays);
    objection = undefined;
    noticeOpen = true;
    facts.noticeEndsOn = lastDay;
    await kit.enterStage('public-notice', 'workflow', { postedOn, lastDay });
    await condition(() => Boolean(objection || withdrawn), Math.max(1, chinaMidnight(addDays(lastDay, 1)) - Date.now()));
    noticeOpen = false;
    if (withdrawn) return closeWithdrawn(true);
    // Read through a function: the update handler sets it while this flow waits.
    const raised = objectionRaised();
    if (!raised) break;
    await kit.enterStage('re-investigation', raised.by);
    const again: Completion | undefined = await beforeDecision({
      kind: 'assistance.reinvestigation',
      title: '对公示异议重新调查核实（W4.4）',
      instructions: `案件 ${caseId} 公示期间收到异议（${raised.receivedOn}）。请在 ${params.reinvestigationWorkingDays} 个工作日内重新调查核实并提出审核意见；仍符合条件的将重新公示。`,
      assigneeCode: hukou,
      due: { workingDays: params.reinvestigationWorkingDays },
      acceptedOutcomes: OPINION_OUTCOMES,
    });
    if (!again) return closeWithdrawn(true);
    opinion = again;
  }

  // W4.5: the 户籍地 county bureau confirms or refuses; a refusal states its reasons in writing.
  await kit.enterStage('confirmation', 'workflow', { opinion: opinion.outcome });
  const confirmation = await beforeDecision({
    kind: 'assistance.confirmation',
    title: `${schemeLabel}审核确认（W4.5）`,
    instructions: `案件 ${caseId} 的初审意见为“${opinion.outcome === 'eligible' ? '符合条件' : '不符合条件'}”。请在 ${params.confirmationWorkingDays} 个工作日内作出审核确认决定；不予批准的，须在办理意见中书面说明理由。`,
    assigneeCode: hukou,
    due: { workingDays: params.confirmationWorkingDays },
    acceptedOutcomes: [
      { code: 'approved', label: '批准' },
      ...(scheme === 'dibao' ? [{ code: 'approved-unstable-income', label: '批准（收入不稳定，每半年复核）' }] : []),
      { code: 'refused', label: '不予批准', requiresNote: true },
    ],
  });
  if (!confirmation) return closeWithdrawn(true);
  decided = true;
  // A mark-special still running would start a new watch: let it finish, then withdraw.
  await condition(allHandlersFinished);
  await withdrawWatch();

  const decidedOn = chinaDateOf(Date.parse(confirmation.at));
  const decision: AssistanceDecision =
    confirmation.outcome === 'refused'
      ? { decision: 'refused', decidedOn, reasons: confirmation.note ?? '', appealRights: appealRights(params), by: confirmation.by }
      : { decision: 'approved', decidedOn, unstableIncome: confirmation.outcome === 'approved-unstable-income', benefitStartsOn: benefitStartOn(decidedOn), by: confirmation.by };
  facts.decision = decision.decision;
  facts.decidedOn = decidedOn;
  await kit.event('decision', { ...decision }, confirmation.by);

  /** W4.7: the residence township tells the applicant; a refusal or stop in writing, with the appeal rights. */
  const tellApplicant = async (what: 'approved' | 'refused' | 'stopped', on: string): Promise<Completion | undefined> => {
    await kit.enterStage('notification', 'workflow', { decision: what });
    const rights = appealRights(params);
    if (what !== 'approved') facts.appealRights = rights;
    const instructions =
      what === 'approved'
        ? `户籍地民政部门已于 ${on} 批准案件 ${caseId} 的${schemeLabel}申请，待遇自 ${String(facts.benefitStartsOn)} 起享受。请在 ${params.notifyWorkingDays} 个工作日内告知申请人。`
        : `户籍地民政部门已于 ${on} 作出${what === 'refused' ? '不予批准' : '停止享受待遇'}的决定（案件 ${caseId}，${schemeLabel}）。请在 ${params.notifyWorkingDays} 个工作日内书面告知申请人，载明案件记录中的书面理由，并告知救济途径：${rights}`;
    return step(
      {
        kind: 'assistance.notify-applicant',
        title: `告知申请人${what === 'approved' ? '批准' : what === 'refused' ? '不予批准' : '停止享受待遇'}决定（W4.7）`,
        instructions,
        assigneeCode: residence,
        due: { workingDays: params.notifyWorkingDays },
        acceptedOutcomes:
          what === 'approved' ? [{ code: 'told', label: '已告知申请人' }] : [{ code: 'served', label: '已书面告知（含理由和救济途径）' }],
      },
      () => false,
    );
  };

  if (decision.decision === 'refused') {
    await tellApplicant('refused', decidedOn);
    return finish('refused', confirmation.by);
  }

  // W4.8: the benefit runs; a timer opens each recheck.
  facts.benefitStartsOn = decision.benefitStartsOn;
  let unstableIncome = decision.unstableIncome;
  facts.unstableIncome = unstableIncome;
  await tellApplicant('approved', decidedOn);
  let recheckOn = nextRecheckOn(decision.benefitStartsOn, unstableIncome, params);
  for (let round = 1; ; round += 1) {
    facts.nextRecheckOn = recheckOn;
    await kit.enterStage('receiving', 'workflow', { nextRecheckOn: recheckOn });
    if (await condition(() => Boolean(benefitEnded), Math.max(1, chinaMidnight(recheckOn) - Date.now()))) break;

    await kit.enterStage('recheck', 'workflow', { round, due: recheckOn });
    const recheck = await step(
      {
        kind: 'assistance.recheck',
        title: `${schemeLabel}定期复核（W4.8，第 ${round} 次）`,
        instructions: `案件 ${caseId} 的${schemeLabel}应于 ${recheckOn} 复核。请在 ${params.recheckWorkingDays} 个工作日内核查家庭经济状况和人口状况，作出继续享受或停止享受的决定；停止的须书面说明理由。`,
        assigneeCode: hukou,
        due: { workingDays: params.recheckWorkingDays },
        acceptedOutcomes: [
          { code: 'continue', label: '继续享受' },
          ...(scheme === 'dibao' ? [{ code: 'continue-unstable-income', label: '继续享受（收入不稳定，每半年复核）' }] : []),
          { code: 'stop', label: '停止享受', requiresNote: true },
        ],
      },
      () => Boolean(benefitEnded),
    );
    if (!recheck) break;
    facts.rechecks = round;
    await kit.event('recheck', { round, outcome: recheck.outcome, note: recheck.note }, recheck.by);
    if (recheck.outcome === 'stop') {
      await tellApplicant('stopped', chinaDateOf(Date.parse(recheck.at)));
      return finish('benefit-stopped', recheck.by);
    }
    unstableIncome = recheck.outcome === 'continue-unstable-income';
    facts.unstableIncome = unstableIncome;
    recheckOn = nextRecheckOn(recheckOn, unstableIncome, params);
    if (round >= params.maxRechecks) {
      // Bounded history: a case runs at most maxRechecks rechecks (a childhood at 6 months).
      await sendNotification({
        idempotencyKey: `assistance:${caseId}:recheck-limit`,
        recipient: { departmentCode: `mz-${input.countyCode}` },
        template: 'case-notice',
        facts: { caseId, title: `${schemeLabel}复核跟踪已满 ${params.maxRechecks} 次`, instructions: `案件 ${caseId} 已完成 ${round} 次定期复核，本案结案。待遇如仍继续，请重新立案跟踪，下次复核日期为 ${recheckOn}。` },
      });
      return finish('recheck-limit-reached');
    }
  }
  await tellHukou('benefit-ended', `${schemeLabel}待遇终止登记`, `居住地已登记案件 ${caseId} 的${schemeLabel}待遇终止（${benefitEnded?.date ?? ''}，${benefitEnded?.reason ?? ''}），请核实并办理停发。`);
  return finish('benefit-ended', benefitEnded?.by);
}
