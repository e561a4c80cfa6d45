/**
 * W2: the mental-health referral pathway (心理健康 转介), policy.md W2.1-W2.6 (M8, S8, S18).
 *
 * triage (W2.1 report with a risk tier; W2.2 a crisis → guardian, police and hospital tasks
 *   due in 2 hours, an overdue one told to the county civil-affairs supervisor at once;
 *   suspected abuse → mandatory report to the police, 未保法 Art. 11, and the W3 need recorded)
 * → guardian (W2.3 talk within 3 days; the caseworker records consent or refusal:
 *   refusal with danger → police act under 精神卫生法 Art. 28 and the case routes to a
 *   medical institution; without danger → counselling goes on and the referral is offered
 *   again after 30 days)
 * → referral (W2.4 low → school / 儿童主任, medium → psychosocial institution, high →
 *   medical institution; each provider accepts or declines in 3 WD; declined or silent →
 *   the next provider; all declined → the tier's county bureau arranges one; the last
 *   provider silent → its task climbs the ladder)
 * → sessions (W2.5 sessions recorded; a review every 30 days steps up, down or closes)
 * → aftercare (W2.6 a diagnosed severe mental disorder → health management and community
 *   rehabilitation, follow-ups after discharge) → closed.
 *
 * The risk tier, the consent and a diagnosis live in this workflow's state and the case
 * timeline only: never in task titles or instructions (mailed), stage names (a search
 * attribute) or outcomes.
 */
import { allHandlersFinished, condition, setHandler, sleep } from '@temporalio/workflow';
import type { CaseState } from '../domain/cases';
import type { ServiceTier } from '../domain/department-catalog';
import {
  mentalHealthActionProblem,
  mentalHealthDepartments,
  reviewOutcomes,
  routingTier,
  SILENT_PROVIDER_GRACE_MS,
  steppedTier,
  tierBureau,
  type MentalHealthAction,
  type MentalHealthOutcome,
  type MentalHealthStage,
} from '../domain/mental-health';
import { activities, sendNotification } from './activity-proxies';
import { CaseKit, type CaseTaskSpec, type RunningTask } from './case-kit';
import { mentalHealthActionUpdate, type MentalHealthInput } from './messages';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** A task's progress, kept current as its result settles. */
interface Tracked {
  task: RunningTask;
  spec: CaseTaskSpec;
  done: boolean;
  /** The completion's outcome code; undefined while open or when withdrawn. */
  outcome?: string;
}

function track(task: RunningTask, spec: CaseTaskSpec): Tracked {
  const tracked: Tracked = { task, spec, done: false };
  void task.result.then(
    (state) => {
      tracked.done = true;
      tracked.outcome = state.completion?.outcome;
    },
    () => {
      tracked.done = true;
    },
  );
  return tracked;
}

export async function mentalHealth(input: MentalHealthInput): Promise<CaseState> {
  const { params, intake, caseId } = input;
  const county = input.countyCode;
  const kit = new CaseKit({ caseId, type: 'mental-health', countyCode: county, stage: 'triage', policy: input.policy });
  const departments = mentalHealthDepartments(county, input.townshipCode, intake.source);
  const stage = (): MentalHealthStage => kit.state.stage as MentalHealthStage;
  const facts = kit.state.facts;

  /** The tier the case is served at (W2.4); a crisis is served by medical institutions. */
  let tier: ServiceTier = routingTier(intake.riskTier);
  facts.riskTier = intake.riskTier;
  facts.tier = tier;
  /** Steps the case must see done before it closes: the mandatory report, the police's response to danger. */
  const duties: Tracked[] = [];

  // What caseworkers report; the main flow consumes it.
  let decision: Extract<MentalHealthAction, { action: 'record-guardian-decision' }> | undefined;
  let diagnosis: { date: string; by: string } | undefined;
  let discharge: { date: string; by: string } | undefined;
  let reviewRequested = false;
  let reviewOpen = false;
  let abuseReported = false;
  let closing = false;
  /** In `sessions`: 'service' with an accepting provider, 'counselling' while a refusal stands (W2.3). */
  let mode: 'service' | 'counselling' = 'service';

  const task = async (spec: CaseTaskSpec): Promise<Tracked> => track(await kit.startTask(spec), spec);
  const notice = (step: string, title: string, instructions: string) =>
    sendNotification({
      idempotencyKey: `mental-health:${caseId}:${step}`,
      recipient: { departmentCode: departments.civilAffairs },
      template: 'case-notice',
      facts: { caseId, title, instructions },
    });

  /** W2.2, 未保法 Art. 11: suspected abuse is reported to the police; W3 may follow. */
  const raiseAbuse = async (by: string, date?: string): Promise<void> => {
    abuseReported = true;
    facts.mandatoryReport = true;
    if (date) await kit.event('abuse-reported', { date }, by);
    duties.push(
      await task({
        kind: 'mental-health.mandatory-report',
        title: '强制报告：未成年人疑似遭受侵害（未保法第十一条）',
        instructions: `发现一名流动儿童（案件 ${caseId}）疑似遭受侵害，依据《未成年人保护法》第十一条向贵局报告。请立即依法调查处置，并在 ${params.crisisHours} 小时内反馈受理情况。`,
        assigneeCode: departments.police,
        due: { hours: params.crisisHours },
        acceptedOutcomes: [
          { code: 'investigating', label: '已受理调查' },
          { code: 'unfounded', label: '经核查不属实', requiresNote: true },
        ],
      }),
    );
    // W3 (temporary guardianship) is a lifecycle of its own, not yet available to start from
    // here: the need is recorded on the timeline and the county civil-affairs bureau is told.
    await kit.event('guardianship-needed', { basis: '未保法第九十二条', lifecycle: 'W3' }, by);
    await notice(
      'guardianship-need',
      '疑似侵害未成年人：请评估是否需要临时监护（W3）',
      `案件 ${caseId} 中的流动儿童疑似遭受侵害，已向公安机关强制报告（未保法第十一条）。如监护人不能履行监护职责（未保法第九十二条），请评估并依法启动临时监护。`,
    );
  };

  setHandler(
    mentalHealthActionUpdate,
    async (action: MentalHealthAction) => {
      switch (action.action) {
        case 'record-guardian-decision':
          decision = action;
          facts.consent = action.decision;
          await kit.event('guardian-decision', { decision: action.decision, danger: action.danger, date: action.date }, action.by);
          break;
        case 'record-session':
          if (action.attended) facts.sessions = Number(facts.sessions ?? 0) + 1;
          await kit.event('session', { date: action.date, attended: action.attended }, action.by);
          break;
        case 'request-review':
          reviewRequested = true;
          await kit.event('review-requested', {}, action.by);
          break;
        case 'record-diagnosis':
          diagnosis = action;
          facts.diagnosed = true;
          await kit.event('diagnosis-recorded', { date: action.date }, action.by);
          break;
        case 'record-discharge':
          discharge = action;
          await kit.event('discharged', { date: action.date }, action.by);
          break;
        case 'report-suspected-abuse':
          await raiseAbuse(action.by, action.date);
          break;
      }
      return kit.state;
    },
    {
      validator: (action: MentalHealthAction) => {
        if (closing) throw new Error('案件正在结案，不能再登记');
        const problem = mentalHealthActionProblem(stage(), action.action);
        if (problem) throw new Error(problem);
        switch (action.action) {
          case 'record-guardian-decision':
            if (decision) throw new Error('本次沟通的监护人意见已登记');
            break;
          case 'request-review':
            if (mode !== 'service') throw new Error('尚未转介到服务机构，不能申请评估');
            if (reviewRequested || reviewOpen) throw new Error('评估已在办理中');
            break;
          case 'record-diagnosis':
            if (diagnosis) throw new Error('诊断已登记');
            if (mode !== 'service' || tier !== 'high') throw new Error('严重精神障碍的诊断应由承接转介的医疗机构作出');
            break;
          case 'record-discharge':
            if (discharge) throw new Error('出院已登记');
            break;
          case 'report-suspected-abuse':
            if (abuseReported) throw new Error('已发起强制报告');
            break;
          default:
            break;
        }
      },
    },
  );

  const changeTier = async (to: ServiceTier, reason: string): Promise<void> => {
    if (to === tier) return;
    await kit.event('tier-changed', { from: tier, to, reason });
    tier = to;
    facts.tier = to;
  };
  const finish = async (outcome: MentalHealthOutcome): Promise<CaseState> => {
    closing = true;
    await condition(allHandlersFinished);
    // A mandatory report or a police response outlives no case: wait for it (its ladder runs).
    await condition(() => duties.every((duty) => duty.done));
    return kit.close(outcome);
  };

  // W2.2: a crisis is acted on within hours by the 儿童主任, the police and a hospital.
  const crisisResponse = async (): Promise<void> => {
    const hospital = (await activities.mentalHealthProviders({ countyCode: county, tier: 'high' }))[0] ?? departments.health;
    const within = `请立即处置，并在 ${params.crisisHours} 小时内在系统中反馈。`;
    const urgent = await Promise.all([
      task({
        kind: 'mental-health.urgent-guardian',
        title: '紧急：联系监护人并确保儿童有人照护（W2.2）',
        instructions: `请立即联系该流动儿童（案件 ${caseId}）的监护人，确保儿童处于有人照护的安全状态。${within}`,
        assigneeCode: departments.childrenDirector,
        due: { hours: params.crisisHours },
        acceptedOutcomes: [{ code: 'contacted', label: '已联系监护人，儿童有人照护' }],
      }),
      task({
        kind: 'mental-health.urgent-police',
        title: '紧急协助：确保儿童及他人安全（W2.2）',
        instructions: `请立即出警，协助确保该流动儿童（案件 ${caseId}）及他人的安全，必要时护送就医。${within}`,
        assigneeCode: departments.police,
        due: { hours: params.crisisHours },
        acceptedOutcomes: [{ code: 'handled', label: '已出警处置' }],
      }),
      task({
        kind: 'mental-health.urgent-hospital',
        title: '紧急接诊（W2.2）',
        instructions: `请做好接诊准备，对该流动儿童（案件 ${caseId}）进行紧急评估和处置。${within}`,
        assigneeCode: hospital,
        due: { hours: params.crisisHours },
        acceptedOutcomes: [
          { code: 'received', label: '已接诊' },
          { code: 'not-needed', label: '经评估无需接诊', requiresNote: true },
        ],
      }),
    ]);
    // W2.2 "escalate at once": an urgent task still open at its deadline goes straight to the
    // county civil-affairs supervisor; its own ladder (reminder, head, ...) runs as well.
    if (!(await condition(() => urgent.every((t) => t.done), params.crisisHours * HOUR_MS))) {
      for (const late of urgent.filter((t) => !t.done)) {
        await kit.event('urgent-overdue', { taskId: late.task.taskId, kind: late.spec.kind, assignee: late.spec.assigneeCode });
        await notice(
          `urgent-overdue:${late.task.taskId}`,
          '紧急协助任务逾期未办结（W2.2）',
          `案件 ${caseId} 的紧急协助任务（${late.spec.title}，承办单位 ${late.spec.assigneeCode}）已超过 ${params.crisisHours} 小时未办结，请立即督办。`,
        );
      }
    }
    await condition(() => urgent.every((t) => t.done));
  };

  // W2.3: the talk with the guardian; the caseworker records the decision on the case.
  const guardianTalk = async (reoffer: number): Promise<NonNullable<typeof decision>> => {
    decision = undefined;
    await kit.enterStage('guardian', 'workflow', reoffer ? { reoffer } : {});
    const talk = await task({
      kind: 'mental-health.guardian-talk',
      title: reoffer ? `与监护人沟通服务安排（W2.3，第 ${reoffer + 1} 次）` : '与监护人沟通服务安排（W2.3）',
      instructions: `请在 ${params.guardianTalkDays} 日内与该流动儿童（案件 ${caseId}）的监护人面谈，说明评估情况和服务安排，并在案件中登记监护人的意见（操作 record-guardian-decision）。`,
      assigneeCode: departments.talker,
      due: { hours: params.guardianTalkDays * 24 },
      acceptedOutcomes: [{ code: 'held', label: '已面谈（意见已在案件中登记）' }],
    });
    await condition(() => decision !== undefined);
    // The decision is the step's result; a talk task still open is no longer needed.
    if (!talk.done) talk.task.withdraw();
    return decision as NonNullable<typeof decision>;
  };

  // W2.3, refusal with danger: the police act (精神卫生法 Art. 28) and a medical institution is sought.
  const dangerResponse = async (): Promise<void> => {
    duties.push(
      await task({
        kind: 'mental-health.danger-response',
        title: '依法处置：儿童存在现实危险（W2.3）',
        instructions: `该流动儿童（案件 ${caseId}）存在伤害自身或危害他人安全的危险。请依照《精神卫生法》第二十八条立即采取措施予以制止，必要时送医疗机构，并在 ${params.crisisHours} 小时内反馈。`,
        assigneeCode: departments.police,
        due: { hours: params.crisisHours },
        acceptedOutcomes: [
          { code: 'handled', label: '已处置' },
          { code: 'no-danger', label: '经核查无现实危险', requiresNote: true },
        ],
      }),
    );
    await kit.event('escalated', { reason: 'refusal-with-danger' });
    await notice(
      'escalated',
      '心理健康转介案件需升级处置（W2.3）',
      `案件 ${caseId} 需升级处置：已通知公安机关依法处置，并将转介医疗机构。请督促落实。`,
    );
    if (tier !== 'high') await changeTier('high', 'danger');
  };

  // W2.3, refusal without danger: counselling by the school or 儿童主任 goes on; offer again later.
  const counselThenReoffer = async (): Promise<void> => {
    mode = 'counselling';
    await kit.enterStage('sessions');
    await task({
      kind: 'mental-health.counselling',
      title: '继续开展心理辅导（W2.3）',
      instructions: `请继续为该流动儿童（案件 ${caseId}）开展心理辅导，辅导情况请在案件中登记（操作 record-session）。`,
      assigneeCode: departments.talker,
      due: { workingDays: params.acceptWorkingDays },
      acceptedOutcomes: [{ code: 'started', label: '已安排辅导' }],
    });
    await sleep(params.reofferDays * DAY_MS);
    mode = 'service';
  };

  // W2.4: find a provider of the tier that accepts; returns its department code.
  const route = async (): Promise<string> => {
    await kit.enterStage('referral');
    const directory = await activities.mentalHealthProviders({ countyCode: county, tier });
    const candidates = tier === 'low' ? [...new Set([...departments.lowTier, ...directory])] : directory;
    for (const [index, code] of candidates.entries()) {
      const last = index === candidates.length - 1;
      // The same deadline the task computes for itself (both from this instant's China date).
      const deadline = await activities.computeDeadline(Date.now(), { workingDays: params.acceptWorkingDays });
      const referral = await task({
        kind: 'mental-health.referral',
        title: '心理健康服务转介：请确认是否接收（W2.4）',
        instructions: `一名流动儿童（案件 ${caseId}）经评估需要贵机构提供心理健康服务。请在 ${params.acceptWorkingDays} 个工作日内确认是否接收；不能接收的请选择“不接收”并说明原因，系统将转介下一家机构。`,
        assigneeCode: code,
        due: { workingDays: params.acceptWorkingDays },
        acceptedOutcomes: [
          { code: 'accepted', label: '接收' },
          { code: 'declined', label: '不接收', requiresNote: true },
        ],
      });
      facts.providersTried = Number(facts.providersTried ?? 0) + 1;
      if (last) {
        // The last provider is not replaced: silent, its task climbs the ladder until it answers.
        await condition(() => referral.done);
      } else if (!(await condition(() => referral.done, Math.max(1, Date.parse(deadline.dueAt) + SILENT_PROVIDER_GRACE_MS - Date.now())))) {
        // Silent: the task has recorded its breach and reminded; the referral moves on.
        referral.task.withdraw();
        await kit.event('provider-silent', { provider: code, taskId: referral.task.taskId });
        continue;
      }
      if (referral.outcome === 'accepted') {
        facts.provider = code;
        await kit.event('provider-accepted', { provider: code });
        return code;
      }
      await kit.event('provider-declined', { provider: code });
    }
    // Every provider declined (or the county has none of the tier): up to the tier's bureau.
    const bureau = tierBureau(tier, county);
    await kit.event('providers-exhausted', { tried: candidates.length, bureau });
    const arrange = await task({
      kind: 'mental-health.arrange-provider',
      title: '协调落实心理健康服务机构（W2.4）',
      instructions: `案件 ${caseId} 的转介对象均未接收。请在 ${params.acceptWorkingDays} 个工作日内协调落实承接机构，办结时注明机构名称。`,
      assigneeCode: bureau,
      due: { workingDays: params.acceptWorkingDays },
      acceptedOutcomes: [{ code: 'arranged', label: '已落实承接机构', requiresNote: true }],
    });
    await condition(() => arrange.done);
    facts.provider = bureau;
    await kit.event('provider-accepted', { provider: bureau, arranged: true });
    return bureau;
  };

  // W2.5: sessions and a review every 30 days (or earlier, on request).
  const sessions = async (provider: string): Promise<'close' | 'aftercare' | ServiceTier> => {
    mode = 'service';
    await kit.enterStage('sessions', 'workflow', { provider });
    for (;;) {
      await condition(() => reviewRequested || diagnosis !== undefined, params.reviewDays * DAY_MS);
      if (diagnosis) return 'aftercare';
      reviewOpen = true;
      reviewRequested = false;
      facts.reviews = Number(facts.reviews ?? 0) + 1;
      const review = await task({
        kind: 'mental-health.review',
        title: `服务评估（W2.5，第 ${facts.reviews} 次）`,
        instructions: `请评估该流动儿童（案件 ${caseId}）接受服务的情况，选择维持、调整或结案，并在 ${params.reviewWorkingDays} 个工作日内反馈。`,
        assigneeCode: provider,
        due: { workingDays: params.reviewWorkingDays },
        acceptedOutcomes: reviewOutcomes(tier),
      });
      await condition(() => review.done || diagnosis !== undefined);
      reviewOpen = false;
      if (!review.done) review.task.withdraw();
      if (diagnosis) return 'aftercare';
      const result = review.outcome;
      await kit.event('review', { result, tier });
      if (result === 'close') return 'close';
      if (result === 'step-up' || result === 'step-down') return steppedTier(tier, result) ?? 'close';
    }
  };

  // W2.6: community rehabilitation (S8) and follow-ups after discharge.
  const aftercare = async (): Promise<void> => {
    await kit.enterStage('aftercare', diagnosis?.by);
    const enrolment = await Promise.all([
      task({
        kind: 'mental-health.health-management',
        title: '健康管理登记（W2.6）',
        instructions: `请为该流动儿童（案件 ${caseId}）办理健康管理登记，落实基层医疗卫生机构的随访责任，并在 ${params.enrolWorkingDays} 个工作日内反馈。`,
        assigneeCode: departments.health,
        due: { workingDays: params.enrolWorkingDays },
        acceptedOutcomes: [{ code: 'enrolled', label: '已登记' }],
      }),
      task({
        kind: 'mental-health.community-rehabilitation',
        title: '社区康复服务衔接（W2.6）',
        instructions: `请为该流动儿童（案件 ${caseId}）衔接社区康复服务，并在 ${params.enrolWorkingDays} 个工作日内反馈。`,
        assigneeCode: departments.civilAffairs,
        due: { workingDays: params.enrolWorkingDays },
        acceptedOutcomes: [{ code: 'enrolled', label: '已衔接' }],
      }),
    ]);
    await condition(() => enrolment.every((t) => t.done) && discharge !== undefined);
    for (let round = 1; round <= params.followUps; round += 1) {
      if (round > 1) await sleep(params.followUpIntervalDays * DAY_MS);
      const followUp = await task({
        kind: 'mental-health.follow-up',
        title: `出院后随访（W2.6，第 ${round} 次）`,
        instructions: `请对该流动儿童（案件 ${caseId}）进行出院后随访，并在 ${params.followUpWorkingDays} 个工作日内反馈。`,
        assigneeCode: departments.health,
        due: { workingDays: params.followUpWorkingDays },
        acceptedOutcomes: [{ code: 'visited', label: '已随访' }],
      });
      await condition(() => followUp.done);
      facts.followUps = round;
    }
  };

  // W2.1-W2.2
  await kit.event('reported', { source: intake.source, riskTier: intake.riskTier, suspectedAbuse: intake.suspectedAbuse }, intake.reportedBy);
  await kit.enterStage('triage', intake.reportedBy);
  if (intake.suspectedAbuse) await raiseAbuse(intake.reportedBy);
  if (intake.riskTier === 'crisis') await crisisResponse();

  // W2.3
  for (let reoffer = 0; ; reoffer += 1) {
    const { decision: answer, danger } = await guardianTalk(reoffer);
    if (answer === 'consented') break;
    if (danger) {
      await dangerResponse();
      break;
    }
    if (reoffer >= params.maxReoffers) return finish('ended-without-referral');
    facts.reoffers = reoffer + 1;
    await counselThenReoffer();
  }

  // W2.4-W2.5, again after each step up or down
  for (;;) {
    const next = await sessions(await route());
    if (next === 'close') return finish('completed');
    if (next === 'aftercare') break;
    await changeTier(next, 'review');
  }

  // W2.6
  await aftercare();
  return finish('community-care');
}
