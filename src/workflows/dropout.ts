/**
 * W1: drop-out return to school (控辍保学 / 劝返复学), policy.md W1.1-W1.8.
 *
 * verification (W1.2, 教体局 with township and police, 3 WD)
 *   → false alarm: closed · moved back to the 户籍地: hand-off (W1.8) · confirmed:
 * persuasion (W1.3, logged visits, back within 15 days)
 *   → order to return by a date (W1.4, 15 days) → administrative measures (W1.5: township
 *     fine, police reprimand, 妇联 family-education guidance order) → legal action (W1.6,
 *     suit with the procuratorate's support)
 * at any of these, the child back at school → follow-up for one term with a monthly check
 *   (W1.7); a relapse re-opens persuasion.
 * Every task runs the escalation ladder; a department's missed step is its breach.
 */
import { allHandlersFinished, condition, isCancellation, setHandler } from '@temporalio/workflow';
import { dropoutActionProblem, DROPOUT_STAGE_LABELS, type DropoutAction, type DropoutStage } from '../domain/dropout';
import type { CaseState } from '../domain/cases';
import { activities, sendNotification } from './activity-proxies';
import { CaseKit, type RunningTask } from './case-kit';
import { dropoutActionUpdate, type DropoutInput } from './messages';

const DAY_MS = 24 * 60 * 60 * 1000;

export async function dropout(input: DropoutInput): Promise<CaseState> {
  const kit = new CaseKit({ caseId: input.caseId, type: 'dropout', countyCode: input.countyCode, stage: 'verification', policy: input.policy });
  const { params } = input;
  const county = input.countyCode;
  const township = input.townshipCode ? `xz-${input.townshipCode}` : `jt-${county}`;
  const stage = (): DropoutStage => kit.state.stage as DropoutStage;

  // What caseworkers report, in the order it arrived; the main flow consumes it.
  let returned: { date: string; school: string; by: string } | undefined;
  let relapsed: { date: string; note: string; by: string } | undefined;
  let movedBack: { date: string; hukouCountyCode: string; by: string } | undefined;
  let courtOutcome: { date: string; result: string; by: string } | undefined;
  let persuasionVisits = 0;

  setHandler(
    dropoutActionUpdate,
    async (action: DropoutAction) => {
      switch (action.action) {
        case 'log-persuasion-visit':
          persuasionVisits += 1;
          kit.state.facts.persuasionVisits = persuasionVisits;
          await kit.event('persuasion-visit', { date: action.date, visitor: action.visitor, result: action.result, note: action.note }, action.by);
          break;
        case 'record-return':
          returned = action;
          await kit.event('returned-to-school', { date: action.date, school: action.school }, action.by);
          break;
        case 'record-relapse':
          relapsed = action;
          await kit.event('relapse', { date: action.date, note: action.note }, action.by);
          break;
        case 'record-moved-back':
          movedBack = action;
          await kit.event('moved-back-to-hukou', { date: action.date, hukouCountyCode: action.hukouCountyCode }, action.by);
          break;
        case 'record-court-outcome':
          courtOutcome = action;
          await kit.event('court-outcome', { date: action.date, result: action.result }, action.by);
          break;
      }
      return kit.state;
    },
    {
      validator: (action: DropoutAction) => {
        const problem = dropoutActionProblem(stage(), action.action);
        if (problem) throw new Error(problem);
        if (action.action === 'record-return' && returned) throw new Error('复学已登记');
        if (action.action === 'record-moved-back' && movedBack) throw new Error('返回户籍地已登记');
      },
    },
  );

  const reported = () => Boolean(returned || movedBack || courtOutcome);
  /** Waits up to `ms` for a caseworker report that ends the stage; true if one came. */
  const reportWithin = (ms: number) => condition(reported, Math.max(1, ms));
  /** Waits for all `tasks` unless `interrupted` first; then withdraws what is left. */
  const tasksOr = async (tasks: RunningTask[], interrupted: () => boolean): Promise<void> => {
    const done = Promise.all(tasks.map((task) => task.result.catch((error: unknown) => (isCancellation(error) ? undefined : Promise.reject(error)))));
    let finished = false;
    void done.then(() => (finished = true));
    await condition(() => finished || interrupted());
    if (!finished) tasks.forEach((task) => task.withdraw());
  };
  const tasksOrReport = (tasks: RunningTask[]) => tasksOr(tasks, reported);
  const finish = async (outcome: string, actor?: string): Promise<CaseState> => {
    await condition(allHandlersFinished);
    return kit.close(outcome, actor);
  };

  // The case opens in 'verification' (its read-model row was written with it).
  await kit.event('reported', { kind: input.report.kind, absenceDays: input.report.absenceDays, source: input.report.source }, input.report.reportedBy);

  // W1.2: 教体局 verifies with the township, police and village committee; they are told.
  const verification = await kit.startTask({
    kind: 'dropout.verify',
    title: '核查疑似辍学并查找儿童下落（W1.2）',
    instructions: `请会同乡镇（街道）、公安、村（居）委会在 ${params.verifyWorkingDays} 个工作日内核实儿童是否辍学并查找其下落，反馈核查结果。`,
    assigneeCode: `jt-${county}`,
    due: { workingDays: params.verifyWorkingDays },
    acceptedOutcomes: [
      { code: 'confirmed', label: '确认辍学' },
      { code: 'false-alarm', label: '未辍学（误报）' },
      { code: 'moved-back', label: '已返回户籍地', requiresNote: true },
    ],
  });
  for (const code of [township, `ga-${county}`]) {
    await sendNotification({
      idempotencyKey: `dropout:${input.caseId}:verify-notice:${code}`,
      recipient: { departmentCode: code },
      template: 'case-notice',
      facts: { caseId: input.caseId, title: '协助核查疑似辍学儿童（W1.2）', instructions: `教体局正在核查一名疑似辍学的流动儿童（案件 ${input.caseId}），请协助查找其下落。` },
    });
  }
  await tasksOrReport([verification]);
  if (!movedBack) {
    const verdict = (await verification.result).completion;
    if (verdict?.outcome === 'false-alarm') return finish('false-alarm');
    if (verdict?.outcome === 'moved-back') movedBack = { date: verdict.at.slice(0, 10), hukouCountyCode: input.hukouCountyCode, by: verdict.by };
  }

  // Persuasion, order, measures, legal action; a return leads to follow-up, a relapse back.
  while (!movedBack) {
    if (!returned) {
      await kit.enterStage('persuasion');
      if (!(await reportWithin(params.persuasionDays * DAY_MS))) {
        await kit.enterStage('order');
        const order = await kit.startTask({
          kind: 'dropout.order',
          title: '批评教育并责令限期复学（W1.4）',
          instructions: `劝返未果。请依据《义务教育法》第五十八条对监护人批评教育，书面责令其在 ${params.orderDays} 日内送子女复学。`,
          assigneeCode: township,
          due: { workingDays: 3 },
          acceptedOutcomes: [{ code: 'order-issued', label: '已书面责令' }],
        });
        await tasksOrReport([order]);
        if (!reported() && !(await reportWithin(params.orderDays * DAY_MS))) {
          await kit.enterStage('measures');
          const measures = await Promise.all([
            kit.startTask({ kind: 'dropout.fine', title: '依法对监护人予以处罚（W1.5）', instructions: '责令期满仍未复学，请依法对监护人作出处罚决定。', assigneeCode: township, due: { workingDays: params.measuresWorkingDays }, acceptedOutcomes: [{ code: 'done', label: '已处理' }, { code: 'not-applicable', label: '不适用', requiresNote: true }] }),
            kit.startTask({ kind: 'dropout.reprimand', title: '训诫监护人（W1.5，未保法第一百一十八条）', instructions: '请对未依法履行监护职责的监护人予以训诫。', assigneeCode: `ga-${county}`, due: { workingDays: params.measuresWorkingDays }, acceptedOutcomes: [{ code: 'done', label: '已训诫' }] }),
            kit.startTask({ kind: 'dropout.guidance', title: '责令接受家庭教育指导（W1.5，M7）', instructions: '请组织对监护人开展家庭教育指导。', assigneeCode: `fl-${county}`, due: { workingDays: params.measuresWorkingDays }, acceptedOutcomes: [{ code: 'done', label: '已开展指导' }] }),
          ]);
          await tasksOrReport(measures);
          if (!reported() && !(await reportWithin(params.orderDays * DAY_MS))) {
            await kit.enterStage('legal-action');
            const legal = await Promise.all([
              kit.startTask({ kind: 'dropout.lawsuit', title: '依法提起诉讼或申请强制执行（W1.6）', instructions: '行政措施后仍未复学，请依法提起诉讼或申请人民法院强制执行。', assigneeCode: `jt-${county}`, due: { workingDays: params.legalActionWorkingDays }, acceptedOutcomes: [{ code: 'filed', label: '已起诉/申请执行' }] }),
              kit.startTask({ kind: 'dropout.support-suit', title: '支持起诉（W1.6，未保法第一百零六条）', instructions: '请研究是否支持教育部门起诉。', assigneeCode: `jc-${county}`, due: { workingDays: params.legalActionWorkingDays }, acceptedOutcomes: [{ code: 'supported', label: '支持起诉' }, { code: 'declined', label: '不支持', requiresNote: true }] }),
            ]);
            await tasksOrReport(legal);
            await condition(reported);
            if (courtOutcome && !returned && !movedBack) return finish('court-decided', courtOutcome.by);
          }
        }
      }
    }
    if (movedBack) break;
    if (!returned) continue;

    // W1.7: back at school; one term of monthly checks. A relapse re-opens persuasion.
    await kit.enterStage('follow-up', returned.by, { school: returned.school });
    relapsed = undefined;
    for (let month = 1; month <= params.followUpMonths && !relapsed && !movedBack; month += 1) {
      if (await condition(() => Boolean(relapsed || movedBack), 30 * DAY_MS)) break;
      const check = await kit.startTask({
        kind: 'dropout.monthly-check',
        title: `复学跟踪第 ${month} 次月度检查（W1.7）`,
        instructions: '请核实该儿童本月在校就读情况。',
        assigneeCode: `jt-${county}`,
        due: { workingDays: 5 },
        acceptedOutcomes: [{ code: 'attending', label: '正常在校' }, { code: 'relapse', label: '再次辍学', requiresNote: true }],
      });
      await tasksOr([check], () => Boolean(relapsed || movedBack));
      const result = await check.result.catch(() => undefined);
      if (result?.completion?.outcome === 'relapse') relapsed = { date: result.completion.at.slice(0, 10), note: result.completion.note ?? '', by: result.completion.by };
    }
    if (movedBack) break;
    if (!relapsed) return finish('returned');
    returned = undefined;
    courtOutcome = undefined;
  }

  // W1.8: the child is back in the 户籍地; hand the file to its county education bureau.
  await kit.enterStage('handoff', movedBack.by, { hukouCountyCode: movedBack.hukouCountyCode });
  const receiver = await activities.hukouDepartment({ kind: 'jt', countyCode: movedBack.hukouCountyCode });
  const handoff = await kit.startTask({
    kind: 'dropout.handoff',
    title: '接收返回户籍地儿童的控辍保学档案（W1.8）',
    instructions: `一名流动儿童已返回贵地，现移交其控辍保学档案（${DROPOUT_STAGE_LABELS.handoff}），请接收并跟进其入学情况。`,
    assigneeCode: receiver,
    due: { workingDays: params.handoffWorkingDays },
    acceptedOutcomes: [{ code: 'accepted', label: '已接收' }],
  });
  await handoff.result;
  return finish('handed-off');
}
