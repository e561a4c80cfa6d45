/**
 * W3: temporary guardianship hand-off (临时监护), policy.md W3.1-W3.8.
 *
 * handover (W3.2: police take the child to safety, hand over in writing in 2 h; township told)
 * → opening (W3.3: county civil affairs opens temporary guardianship in 24 h; W3.4: places
 *   the child with relatives, a foster family, a protection or a welfare institution in 24 h)
 * → assessment (temporary guardianship runs: W3.5 the 户籍地 bureau is asked for its position
 *   in 10 WD, reminded, then the city bureau contacts its counterpart; W3.6 a panel of at
 *   least 3 (township, civil affairs, police) assesses the guardian in 30 days)
 * → (a) return home (W3.7a): family-education guidance by 妇联, a follow-up visit each
 *       quarter for a year;
 *   (b) hand-off to the 户籍地 (W3.7b): written acceptance in 10 WD (a refusal goes back);
 *   (c) petition to revoke guardianship (W3.7c): civil affairs files, the procuratorate may
 *       urge it, the court decides; revoked → long-term guardianship (Art. 94), dismissed →
 *       a new assessment.
 * While temporary guardianship lasts, a review every 90 days (W3.8) keeps it from lasting
 * indefinitely. At every moment the query names who holds the child (`facts.custodian*`),
 * and each change of hands is a `custody` event on the timeline.
 *
 * History size: one run for the whole case. The only unbounded part is W3.8 (one review
 * per 90 days); temporary guardianship of a minor cannot outlast the 18th birthday, so at
 * most 73 reviews, and the workflow test measures the events one review cycle adds
 * (REVIEW_CYCLE_EVENT_BUDGET in the test, docs/guardianship.md "History size").
 */
import { allHandlersFinished, condition, isCancellation, setHandler, sleep } from '@temporalio/workflow';
import { chinaDateOf } from '../domain/calendar-date';
import type { CaseState } from '../domain/cases';
import { CITY_CODE } from '../domain/escalation';
import {
  ART92_SITUATION_LABELS,
  ASSESSMENT_FINDING_LABELS,
  CUSTODIAN_KIND_LABELS,
  MIN_PANEL_MEMBERS,
  PLACEMENT_KINDS,
  guardianshipActionProblem,
  type AssessmentFinding,
  type Custody,
  type GuardianshipAction,
  type GuardianshipOutcome,
  type GuardianshipStage,
  type GuardianshipStatus,
  type HukouPosition,
  type PlacementKind,
} from '../domain/guardianship';
import { activities, sendNotification } from './activity-proxies';
import { CaseKit, type RunningTask } from './case-kit';
import { guardianshipActionUpdate, type GuardianshipInput } from './messages';

const DAY_MS = 24 * 60 * 60 * 1000;
const nowIso = (): string => new Date(Date.now()).toISOString();

type Decision =
  | { kind: 'return-home'; returnedTo: string; date: string; by: string }
  | { kind: 'hukou-handoff'; date: string; by: string }
  | { kind: 'revocation'; date: string; by: string };

export async function guardianship(input: GuardianshipInput): Promise<CaseState> {
  const kit = new CaseKit({ caseId: input.caseId, type: 'guardianship', countyCode: input.countyCode, stage: 'handover', policy: input.policy });
  const { params, caseId } = input;
  const county = input.countyCode;
  const civilAffairs = `mz-${county}`;
  const police = `ga-${county}`;
  const township = `xz-${input.townshipCode}`;
  const nameOf = (code: string): string => input.departmentNames[code] ?? code;
  const situation = ART92_SITUATION_LABELS[input.report.situation];
  const facts = kit.state.facts;
  const stage = (): GuardianshipStage => kit.state.stage as GuardianshipStage;
  const openedOn = chinaDateOf(Date.now());

  // Who holds the child, from the report on: the query reads `facts`, the timeline keeps
  // every change (`custody` events, each naming the previous holder and when it ended).
  let custody: Custody | undefined;
  let custodyChanges = 0;
  const handOver = async (next: Omit<Custody, 'since'>, summary: Record<string, unknown> = {}): Promise<void> => {
    const previous = custody;
    const since = nowIso();
    custody = { ...next, since };
    custodyChanges += 1;
    // Set before any await: a query at any instant names the current holder.
    Object.assign(facts, {
      custodianKind: next.kind,
      custodianKindLabel: CUSTODIAN_KIND_LABELS[next.kind],
      custodian: next.holder,
      custodianDepartment: next.departmentCode,
      custodianSince: since,
      custodyChanges,
    });
    await kit.event(
      'custody',
      {
        sequence: custodyChanges,
        kind: next.kind,
        kindLabel: CUSTODIAN_KIND_LABELS[next.kind],
        holder: next.holder,
        departmentCode: next.departmentCode,
        since,
        previous: previous ? { kind: previous.kind, holder: previous.holder, since: previous.since, until: since } : null,
        ...summary,
      },
      next.by,
    );
  };
  const setStatus = (status: GuardianshipStatus) => (facts.guardianship = status);

  // What caseworkers and bureaus have told the case so far.
  let placement: { kind: PlacementKind; holder: string } | undefined;
  let placementTask: RunningTask | undefined;
  let assessmentTask: RunningTask | undefined;
  let finding: AssessmentFinding | undefined;
  let hukouPosition: HukouPosition = 'awaited';
  let hukouBureau: string | undefined;
  let petitionFiled = false;
  let decision: Decision | undefined;
  let court: { decision: 'revoked' | 'dismissed'; by: string } | undefined;
  const courtDecision = () => court;
  /** Temporary guardianship is over (returned, handed off, long-term): W3.5 and W3.8 stop. */
  let temporaryEnded = false;
  /** Work running beside the main flow; the case closes only once it has finished. */
  const background: Array<Promise<void>> = [];

  const place = async (kind: PlacementKind, holder: string, by: string, summary: Record<string, unknown>): Promise<void> => {
    const change = placement !== undefined;
    placement = { kind, holder };
    // The W3.4 task is done once a placement is on record, however it got there.
    const task = placementTask;
    placementTask = undefined;
    task?.withdraw();
    await handOver({ kind, holder, departmentCode: civilAffairs, by }, { placement: true, change, ...summary });
  };

  setHandler(
    guardianshipActionUpdate,
    async (action: GuardianshipAction) => {
      switch (action.action) {
        case 'record-placement':
          await place(action.placement, action.holder.trim(), action.by, { effectiveOn: action.date, reason: action.reason });
          break;
        case 'record-assessment': {
          finding = action.finding;
          facts.assessmentFinding = action.finding;
          facts.assessedOn = action.date;
          facts.assessments = Number(facts.assessments ?? 0) + 1;
          const task = assessmentTask;
          assessmentTask = undefined;
          task?.withdraw();
          await kit.event('assessment', { date: action.date, finding: action.finding, findingLabel: ASSESSMENT_FINDING_LABELS[action.finding], panel: action.panel }, action.by);
          break;
        }
        case 'decide-return-home':
          decision = { kind: 'return-home', returnedTo: action.returnedTo.trim(), date: action.date, by: action.by };
          await kit.event('decision', { decision: 'return-home', date: action.date }, action.by);
          break;
        case 'decide-hukou-handoff':
          decision = { kind: 'hukou-handoff', date: action.date, by: action.by };
          await kit.event('decision', { decision: 'hukou-handoff', date: action.date, to: hukouBureau }, action.by);
          break;
        case 'petition-revocation':
          decision = { kind: 'revocation', date: action.date, by: action.by };
          await kit.event('decision', { decision: 'revocation', date: action.date }, action.by);
          break;
        case 'record-court-decision':
          court = { decision: action.decision, by: action.by };
          facts.courtDecision = action.decision;
          await kit.event('court-decision', { date: action.date, decision: action.decision, court: action.court, documentNo: action.documentNo }, action.by);
          break;
      }
      return kit.state;
    },
    {
      validator: (action: GuardianshipAction) => {
        const problem = guardianshipActionProblem(
          {
            stage: stage(),
            deciding: decision !== undefined || (stage() === 'revocation' && court !== undefined),
            placement,
            custodianKind: custody?.kind,
            finding,
            hukouPosition,
            petitionFiled,
            openedOn,
            today: chinaDateOf(Date.now()),
          },
          action,
        );
        if (problem) throw new Error(problem);
      },
    },
  );

  /** Resolves when the task has finished, completed or withdrawn. */
  const settled = (task: RunningTask): Promise<void> => task.result.then(
    () => undefined,
    (error: unknown) => (isCancellation(error) ? undefined : Promise.reject(error)),
  );
  const notify = (step: string, recipient: string, title: string, instructions: string) =>
    sendNotification({ idempotencyKey: `guardianship:${caseId}:${step}:${recipient}`, recipient: { departmentCode: recipient }, template: 'case-notice', facts: { caseId, title, instructions } });

  // W3.1: the report, with its Art. 92 situation. The police hold the child from now on.
  const reportedBy = input.report.reportedBy;
  setStatus('pending');
  facts.situation = input.report.situation;
  await handOver({ kind: 'police', holder: nameOf(police), departmentCode: police, by: reportedBy });
  await kit.event('reported', { situation: input.report.situation, situationLabel: situation, source: input.report.source, legalBasis: input.report.legalBasis }, reportedBy);
  await kit.enterStage('handover', reportedBy);

  // W3.2: police take the child to safety and hand over in writing within 2 hours; the township is told.
  const handover = await kit.startTask({
    kind: 'guardianship.police-handover',
    title: '将儿童带离至安全场所并书面移交民政部门（W3.2）',
    instructions: `接到未成年人监护缺失报告（${situation}）。请立即将儿童带离至安全场所，并在 ${params.handoverHours} 小时内以书面形式移交${nameOf(civilAffairs)}。`,
    assigneeCode: police,
    due: { hours: params.handoverHours },
    acceptedOutcomes: [{ code: 'handed-over', label: '已书面移交民政部门' }],
  });
  await notify(
    'handover-notice',
    township,
    '辖区发生未成年人监护缺失（W3.2）',
    `辖区内一名流动儿童（案件 ${caseId}）监护缺失（${situation}），公安机关正将其带离并移交${nameOf(civilAffairs)}。请知悉，并准备参加监护能力评估（W3.6）。`,
  );
  const handedOver = (await handover.result).completion;
  await handOver({ kind: 'civil-affairs', holder: nameOf(civilAffairs), departmentCode: civilAffairs, by: handedOver?.by ?? 'workflow' }, { writtenHandover: true });

  // W3.3 and W3.4: civil affairs where it happened opens temporary guardianship and places
  // the child, each within 24 hours. The placement is the caseworker's `record-placement`;
  // completing the W3.4 task with a placement kind (and the holder as note) records it too.
  await kit.enterStage('opening', handedOver?.by);
  const opening = await kit.startTask({
    kind: 'guardianship.open',
    title: '依法决定对儿童实施临时监护（W3.3）',
    instructions: `公安机关已书面移交一名监护缺失的流动儿童（${situation}）。请在 ${params.openHours} 小时内依《未成年人保护法》第九十二条决定实施临时监护。`,
    assigneeCode: civilAffairs,
    due: { hours: params.openHours },
    acceptedOutcomes: [{ code: 'opened', label: '已决定实施临时监护' }],
  });
  const placing = await kit.startTask({
    kind: 'guardianship.placement',
    title: '安置临时监护儿童并登记安置去向（W3.4）',
    instructions: `请在 ${params.placementHours} 小时内将儿童安置于亲属、家庭寄养、未成年人救助保护机构或儿童福利机构（未保法第九十三条），并在案件中登记安置（record-placement，登记后本任务即由案件收回）；也可直接以安置方式办结本任务，说明中写明接收的亲属或机构（不写儿童姓名）。`,
    assigneeCode: civilAffairs,
    due: { hours: params.placementHours },
    acceptedOutcomes: PLACEMENT_KINDS.map((kind) => ({ code: kind, label: `${CUSTODIAN_KIND_LABELS[kind]}（说明中写明接收人或机构）`, requiresNote: true })),
  });
  if (placement) placing.withdraw(); // recorded while the task was being created
  else placementTask = placing;
  background.push(
    placing.result.then(
      async (done) => {
        if (placement || !done.completion) return; // the caseworker recorded it first
        await place(done.completion.outcome as PlacementKind, done.completion.note?.trim() ?? '', done.completion.by, { viaTask: placing.taskId });
      },
      () => undefined,
    ),
  );
  await opening.result;
  setStatus('temporary');
  const temporarySince = Date.now();
  facts.temporarySince = nowIso();

  // W3.8: a review every 90 days for as long as temporary guardianship lasts.
  background.push(reviews(temporarySince));
  // W3.5: the 户籍地 bureau is told and asked for its position.
  background.push(consultHukou());

  for (;;) {
    await kit.enterStage('assessment');
    // A new assessment is owed unless one is on record or under way (e.g. back from a refused hand-off).
    if (!finding && !assessmentTask) await startAssessment();
    await condition(() => decision !== undefined);
    const chosen = decision;
    if (!chosen) continue;
    if (chosen.kind === 'return-home') {
      await enterDecided('return-home', chosen.by);
      await returnHome(chosen);
      return finish('returned-home', chosen.by);
    }
    if (chosen.kind === 'hukou-handoff') {
      await enterDecided('hukou-handoff', chosen.by, { to: hukouBureau });
      if (await handOffToHukou()) return finish('handed-off-to-hukou');
      continue;
    }
    await enterDecided('revocation', chosen.by);
    if (await revoke()) return finish('long-term-guardianship');
    // Dismissed: the guardian stays guardian; a new assessment decides what follows.
    finding = undefined;
    delete facts.assessmentFinding;
  }

  /**
   * Moves to a decision's stage. CaseKit.enterStage sets the stage before its first await, so
   * the decision is spent in the same instant: no action is refused as "moving on" meanwhile.
   */
  async function enterDecided(next: GuardianshipStage, actor: string, summary: Record<string, unknown> = {}): Promise<void> {
    const entering = kit.enterStage(next, actor, summary);
    decision = undefined;
    await entering;
  }

  /** W3.6: the panel's assessment within 30 days; the caseworker records it (`record-assessment`). */
  async function startAssessment(): Promise<void> {
    const round = Number(facts.assessmentRounds ?? 0) + 1;
    facts.assessmentRounds = round;
    const task = await kit.startTask({
      kind: 'guardianship.assessment',
      title: '组织监护能力评估（W3.6）',
      instructions: `请在 ${params.assessmentDays} 日内会同乡镇（街道）、公安机关组成不少于 ${MIN_PANEL_MEMBERS} 人的评估小组，评估监护人的监护能力，并在案件中登记评估小组成员与结论（record-assessment，登记后本任务即由案件收回）。`,
      assigneeCode: civilAffairs,
      due: { hours: params.assessmentDays * 24 },
      acceptedOutcomes: [{ code: 'assessed', label: '已评估（成员与结论须在案件中登记）' }],
    });
    if (finding) task.withdraw(); // recorded while the task was being created
    else assessmentTask = task;
    const forget = () => {
      if (assessmentTask === task) assessmentTask = undefined;
    };
    background.push(
      task.result.then(async () => {
        forget();
        // Completed in the inbox without the record: the case still needs the panel and its finding.
        if (finding) return;
        await notify(
          `assessment-unrecorded-${round}`,
          civilAffairs,
          '监护能力评估结论尚未登记（W3.6）',
          `评估任务已办结，但案件 ${caseId} 尚未登记评估小组成员与结论。请在案件中登记（record-assessment），否则无法作出返家或申请撤销监护资格的决定。`,
        );
      }, forget),
    );
    for (const member of [township, police]) {
      await notify(`assessment-${round}`, member, '参加监护能力评估（W3.6）', `${nameOf(civilAffairs)}正在组织对临时监护儿童（案件 ${caseId}）监护人的监护能力评估，请派员参加评估小组。`);
    }
  }

  /** W3.5: ask the 户籍地 bureau; silent past the deadline → reminded (ladder), then the city bureau contacts its counterpart. */
  async function consultHukou(): Promise<void> {
    if (input.hukouCountyCode === county) {
      hukouPosition = 'same-county';
      facts.hukouPosition = hukouPosition;
      return;
    }
    const bureau = await activities.hukouDepartment({ kind: 'mz', countyCode: input.hukouCountyCode });
    hukouBureau = bureau;
    facts.hukouBureau = bureau;
    facts.hukouPosition = hukouPosition;
    const asked = Date.now();
    const position = await kit.startTask({
      kind: 'guardianship.hukou-position',
      title: '请答复：贵地户籍儿童在平顶山市临时监护（W3.5）',
      instructions: `贵地户籍的一名流动儿童（案件 ${caseId}）因监护缺失（${situation}），已由${nameOf(civilAffairs)}依法实施临时监护。请在 ${params.hukouReplyWorkingDays} 个工作日内答复是否同意接收儿童返回户籍地，并告知其监护人情况。`,
      assigneeCode: bureau,
      due: { workingDays: params.hukouReplyWorkingDays },
      acceptedOutcomes: [
        { code: 'accept', label: '同意接收，由户籍地接回' },
        { code: 'decline', label: '暂不接收（请说明理由）', requiresNote: true },
      ],
    });
    let done = false;
    const answered = settled(position).then(() => {
      done = true;
    });
    // The ladder reminds the bureau at the deadline (rung 1); if it is still silent this many
    // WD later, the city bureau takes it up with its counterpart: a task of its own, so the
    // contact is owed, tracked and escalated like any other step.
    const contactAt = Date.parse((await activities.computeDeadline(asked, { workingDays: params.hukouReplyWorkingDays + params.cityContactAfterWorkingDays })).dueAt);
    let contact: RunningTask | undefined;
    if (!(await condition(() => done || temporaryEnded, Math.max(1, contactAt - Date.now())))) {
      contact = await kit.startTask({
        kind: 'guardianship.city-contact',
        title: '联系对口民政部门督促答复临时监护儿童接收意见（W3.5）',
        instructions: `${nameOf(bureau)}逾期未答复是否接收临时监护儿童（案件 ${caseId}），经提醒仍未答复。请与其所在地市级民政部门联系，督促其尽快答复，并在说明中记录联系情况。`,
        assigneeCode: `mz-${CITY_CODE}`,
        due: { workingDays: params.cityContactWorkingDays },
        acceptedOutcomes: [{ code: 'contacted', label: '已联系对方民政部门', requiresNote: true }],
      });
      facts.cityContacted = true;
    }
    await condition(() => done || temporaryEnded);
    position.withdraw();
    contact?.withdraw();
    await answered;
    const result = await position.result.catch(() => undefined);
    if (result?.completion) {
      hukouPosition = result.completion.outcome === 'accept' ? 'accept' : 'decline';
      facts.hukouPosition = hukouPosition;
    }
  }

  /** W3.8: review n falls due `reviewDays` × n after the opening, whatever happened to review n-1. */
  async function reviews(since: number): Promise<void> {
    const open = new Set<RunningTask>();
    for (let n = 1; ; n += 1) {
      const at = since + n * params.reviewDays * DAY_MS;
      facts.nextReviewOn = chinaDateOf(at);
      if (await condition(() => temporaryEnded, Math.max(1, at - Date.now()))) break;
      const review = await kit.startTask({
        kind: 'guardianship.review',
        title: `临时监护第 ${n} 次定期评估（W3.8）`,
        instructions: `临时监护已满 ${n * params.reviewDays} 日。请评估儿童安置与生活状况，研究返家、移交户籍地或申请撤销监护资格的条件是否具备，防止临时监护无限期延续。`,
        assigneeCode: civilAffairs,
        due: { workingDays: params.reviewWorkingDays },
        acceptedOutcomes: [
          { code: 'continue', label: '维持临时监护' },
          { code: 'change-needed', label: '需调整安置或去向（请说明）', requiresNote: true },
        ],
      });
      facts.reviewsIssued = n;
      open.add(review);
      void review.result.then(
        (done) => {
          open.delete(review);
          facts.reviewsDone = Number(facts.reviewsDone ?? 0) + 1;
          if (done.completion) facts.lastReviewOutcome = done.completion.outcome;
        },
        () => open.delete(review),
      );
    }
    delete facts.nextReviewOn;
    // Temporary guardianship has ended: a review still open has nothing left to review.
    open.forEach((review) => review.withdraw());
  }

  /** W3.7a: back with the family; 妇联 guides the guardian; a follow-up visit each quarter for a year. */
  async function returnHome(chosen: Extract<Decision, { kind: 'return-home' }>): Promise<void> {
    temporaryEnded = true;
    setStatus('ended');
    await handOver({ kind: 'family', holder: chosen.returnedTo, departmentCode: civilAffairs, by: chosen.by }, { effectiveOn: chosen.date });
    const tasks = [
      await kit.startTask({
        kind: 'guardianship.family-guidance',
        title: '对返家儿童的监护人开展家庭教育指导（W3.7a，M7）',
        instructions: `一名临时监护儿童（案件 ${caseId}）经评估返回家庭。请在 ${params.guidanceWorkingDays} 个工作日内对其监护人开展家庭教育指导。`,
        assigneeCode: `fl-${county}`,
        due: { workingDays: params.guidanceWorkingDays },
        acceptedOutcomes: [{ code: 'done', label: '已开展家庭教育指导' }],
      }),
    ];
    const returnedAt = Date.now();
    facts.followUpVisits = params.followUpVisits;
    for (let visit = 1; visit <= params.followUpVisits; visit += 1) {
      const at = returnedAt + visit * params.followUpIntervalDays * DAY_MS;
      facts.nextFollowUpOn = chinaDateOf(at);
      await sleep(Math.max(1, at - Date.now()));
      const task = await kit.startTask({
        kind: 'guardianship.follow-up-visit',
        title: `返家儿童第 ${visit} 次季度回访（W3.7a）`,
        instructions: `请在 ${params.visitWorkingDays} 个工作日内入户回访返家儿童（案件 ${caseId}），了解监护落实情况；发现问题请说明。`,
        assigneeCode: civilAffairs,
        due: { workingDays: params.visitWorkingDays },
        acceptedOutcomes: [
          { code: 'visited', label: '已回访，监护落实' },
          { code: 'concern', label: '已回访，发现问题（请说明）', requiresNote: true },
        ],
      });
      tasks.push(task);
      void task.result.then((done) => {
        facts.followUpVisitsDone = Number(facts.followUpVisitsDone ?? 0) + 1;
        if (done.completion?.outcome === 'concern') facts.followUpConcerns = Number(facts.followUpConcerns ?? 0) + 1;
      }, () => undefined);
    }
    delete facts.nextFollowUpOn;
    await Promise.all(tasks.map(settled));
  }

  /** W3.7b: the 户籍地 bureau accepts in writing within 10 WD; true once it has. */
  async function handOffToHukou(): Promise<boolean> {
    // The validator allows a hand-off only after the bureau's 'accept' (W3.5).
    const bureau = hukouBureau ?? '';
    const acceptance = await kit.startTask({
      kind: 'guardianship.hukou-acceptance',
      title: '接收临时监护儿童并出具书面接收意见（W3.7b）',
      instructions: `贵局已同意接收户籍地为贵地的一名临时监护儿童（案件 ${caseId}）。${nameOf(civilAffairs)}将护送儿童返回，请在 ${params.hukouAcceptanceWorkingDays} 个工作日内完成交接并出具书面接收意见。`,
      assigneeCode: bureau,
      due: { workingDays: params.hukouAcceptanceWorkingDays },
      acceptedOutcomes: [
        { code: 'accepted', label: '已书面接收' },
        { code: 'refused', label: '拒绝接收（请说明理由）', requiresNote: true },
      ],
    });
    const done = (await acceptance.result).completion;
    if (done?.outcome === 'accepted') {
      temporaryEnded = true;
      setStatus('transferred');
      await handOver({ kind: 'hukou-civil-affairs', holder: nameOf(bureau), departmentCode: bureau, by: done.by }, { writtenAcceptance: true });
      return true;
    }
    hukouPosition = 'decline';
    facts.hukouPosition = hukouPosition;
    return false;
  }

  /** W3.7c: petition, the procuratorate's urging, the court; true when revoked and long-term guardianship is arranged. */
  async function revoke(): Promise<boolean> {
    petitionFiled = false;
    court = undefined;
    delete facts.courtDecision;
    facts.petitionFiled = false;
    const filing = await kit.startTask({
      kind: 'guardianship.file-petition',
      title: '向人民法院申请撤销监护人资格（W3.7c，未保法第一百零八条）',
      instructions: `经评估，临时监护儿童（案件 ${caseId}）的监护人不具备或不宜继续履行监护职责。请在 ${params.petitionWorkingDays} 个工作日内向人民法院提出撤销监护人资格的申请。`,
      assigneeCode: civilAffairs,
      due: { workingDays: params.petitionWorkingDays },
      acceptedOutcomes: [{ code: 'filed', label: '已向人民法院提出申请' }],
    });
    const urging = await kit.startTask({
      kind: 'guardianship.urge-petition',
      title: '督促、支持民政部门申请撤销监护人资格（W3.7c）',
      instructions: `${nameOf(civilAffairs)}拟就临时监护儿童（案件 ${caseId}）申请撤销监护人资格。请依法监督，必要时督促其提出申请或支持起诉。`,
      assigneeCode: `jc-${county}`,
      due: { workingDays: params.urgeWorkingDays },
      acceptedOutcomes: [
        { code: 'urged', label: '已督促或支持申请' },
        { code: 'not-needed', label: '无需督促（请说明）', requiresNote: true },
      ],
    });
    void filing.result.then(() => {
      petitionFiled = true;
      facts.petitionFiled = true;
    }, () => undefined);
    await condition(() => court !== undefined);
    urging.withdraw();
    // Read through a function: TypeScript would keep `court` narrowed to the undefined set above.
    const decided = courtDecision();
    if (decided?.decision !== 'revoked') return false;
    temporaryEnded = true;
    setStatus('long-term');
    await kit.enterStage('long-term', decided.by);
    const longTerm = await kit.startTask({
      kind: 'guardianship.long-term',
      title: '依法实施长期监护（W3.7c，未保法第九十四条）',
      instructions: `人民法院已撤销临时监护儿童（案件 ${caseId}）监护人的资格。请在 ${params.longTermWorkingDays} 个工作日内依法办理长期监护，确定长期安置方式。`,
      assigneeCode: civilAffairs,
      due: { workingDays: params.longTermWorkingDays },
      acceptedOutcomes: [{ code: 'arranged', label: '已办理长期监护' }],
    });
    await longTerm.result;
    return true;
  }

  async function finish(outcome: GuardianshipOutcome, actor?: string): Promise<CaseState> {
    temporaryEnded = true;
    placementTask?.withdraw();
    assessmentTask?.withdraw();
    await Promise.all(background);
    await condition(allHandlersFinished);
    return kit.close(outcome, actor);
  }
}
