/**
 * W4 low-income and child-welfare determination on the time-skipping server, with the real
 * activities, Postgres and SMTP: every scheme's statutory deadlines in working days
 * (policy.md W4.2-W4.8), asserted as exact due instants.
 *
 * The clock starts at 09:00 China time on Monday 2026-02-09, the week before the Spring
 * Festival. 2026 calendar (chinese-days): 02-15..02-23 off; Saturdays 02-14 and 02-28 are
 * make-up working days; 10-01..10-07 off (National Day). A deadline of n WD ends at 24:00
 * China time (16:00 UTC) on the n-th working day after the day the step started.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openCase, type CaseDeps } from '../../src/api/cases/service';
import { createChildBody } from '../../src/api/children/schemas';
import { registerChild } from '../../src/api/children/service';
import { appealRights, DEFAULT_ASSISTANCE_PARAMS, REQUIRED_DOCUMENTS, type AssistanceAction, type AssistanceScheme } from '../../src/domain/assistance';
import { chinaDateOf } from '../../src/domain/calendar-date';
import { createFieldCrypto } from '../../src/security/field-crypto';
import { bureauTaskWorkflowId, caseWorkflowId } from '../../src/temporal/workflow-ids';
import { assistanceActionUpdate, caseStateQuery, completeTaskUpdate } from '../../src/workflows/messages';
import { childBody } from '../support/fixtures';
import { recordHistoryIfAsked } from '../support/histories';
import { startWorkflowBed, TEST_CENTRAL_DISTRICTS, type WorkflowBed } from '../support/workflow-bed';

let bed: WorkflowBed | undefined;
afterEach(async () => {
  await bed?.stop();
  bed = undefined;
});

/** 09:00 China time on Monday 2026-02-09. */
const START = '2026-02-09T01:00:00Z';
/** The end of a China day (24:00 UTC+8), where an n-WD deadline falls. */
const endOfChinaDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 16 * 3600_000).toISOString();
/** Within a minute: timers fire at their instant; the workflow reads the clock a moment later. */
const near = (actual: string, expected: string) => Math.abs(Date.parse(actual) - Date.parse(expected)) < 60_000;

const HUKOU = 'outside-mz-410102';
const HUKOU_MAIL = 'outside-mz-410102@hukou.careflow.local';

async function openAssistance(scheme: AssistanceScheme, townshipCode?: string) {
  const b = bed!;
  const today = chinaDateOf(await b.env.currentTimeMs());
  const registry = { pool: b.db.pool, temporal: b.env.client, taskQueue: b.taskQueue, crypto: createFieldCrypto(Buffer.alloc(32, 5)), eligibilityParams: { centralUrbanDistricts: TEST_CENTRAL_DISTRICTS }, today: () => today };
  const child = await registerChild(registry, createChildBody.parse(childBody({ arrivalDate: '2025-01-10' })), 'test');
  const deps: CaseDeps = { pool: b.db.pool, temporal: b.env.client, taskQueue: b.taskQueue };
  const body = { type: 'assistance' as const, childId: child.id, scheme, townshipCode, documents: [...REQUIRED_DOCUMENTS[scheme]], takenBy: '新华路街道民政干事' };
  const { view } = await openCase(deps, body, undefined);
  return { caseId: view.id, handle: b.env.client.workflow.getHandle(caseWorkflowId('assistance', view.id)) };
}
type CaseHandle = Awaited<ReturnType<typeof openAssistance>>['handle'];

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = await read();
    if (accept(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface TaskRow {
  id: string;
  assignee: string;
  dueAt: string;
  createdAt: string;
  status: string;
  instructions: string;
}

async function tasksOf(caseId: string, kind: string): Promise<TaskRow[]> {
  const rows = await bed!.db.pool.query<{ id: string; assignee_code: string; due_at: Date; created_at: Date; status: string; instructions: string }>(
    'SELECT id, assignee_code, due_at, created_at, status, instructions FROM tasks WHERE case_id = $1 AND kind = $2 ORDER BY created_at',
    [caseId, kind],
  );
  return rows.rows.map((r) => ({ id: r.id, assignee: r.assignee_code, dueAt: r.due_at.toISOString(), createdAt: r.created_at.toISOString(), status: r.status, instructions: r.instructions }));
}

/** The case's open task of `kind`, once the workflow has created it. */
async function openTask(caseId: string, kind: string): Promise<TaskRow> {
  const open = await eventually(async () => (await tasksOf(caseId, kind)).filter((t) => t.status === 'open' || t.status === 'acknowledged'), (rows) => rows.length > 0, `an open ${kind} task`);
  return open.at(-1)!;
}

async function complete(task: TaskRow, outcome: string, note?: string) {
  return bed!.env.client.workflow.getHandle(bureauTaskWorkflowId(task.id)).executeUpdate(completeTaskUpdate, { args: [{ outcome, note, by: '经办人' }] });
}

const act = (handle: CaseHandle, action: AssistanceAction) => handle.executeUpdate(assistanceActionUpdate, { args: [action] });

async function stageOf(handle: CaseHandle, expected: string) {
  return eventually(() => handle.query(caseStateQuery), (state) => state.stage === expected, `stage ${expected}`);
}

/** Skips virtual time until the instant `iso`. */
async function skipTo(iso: string): Promise<void> {
  const now = await bed!.env.currentTimeMs();
  await bed!.env.sleep(Math.max(1, Date.parse(iso) - now));
}

async function timeline(caseId: string) {
  return (await bed!.db.pool.query<{ kind: string; summary: Record<string, unknown> }>('SELECT kind, summary FROM case_events WHERE case_id = $1 ORDER BY at, id', [caseId])).rows;
}

async function escalations(taskId: string) {
  const rows = await bed!.db.pool.query<{ level: number; recipient: string; at: Date }>('SELECT level, recipient, at FROM escalations WHERE task_id = $1 ORDER BY level', [taskId]);
  return rows.rows.map((r) => ({ level: r.level, recipient: r.recipient, at: r.at.toISOString() }));
}

async function breachesOf(departmentCode: string) {
  return (await bed!.db.pool.query<{ task_id: string; kind: string }>('SELECT task_id, kind FROM breaches WHERE department_code = $1 ORDER BY at', [departmentCode])).rows;
}

const subjectsTo = (address: string) => bed!.smtp.messages.filter((m) => m.to.includes(address)).map((m) => m.subject);

describe('assistance workflow (W4)', () => {
  it('低保 across the Spring Festival: each step due in working days, the 7-day notice, approval and the 6-month recheck on time', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openAssistance('dibao', '410402001');

    // W4.6: 30 WD from Monday 02-09 (5 before the holiday incl. Saturday 02-14, 02-24..27, Saturday 02-28, then 4 weeks) → Friday 03-27.
    const watch = await openTask(caseId, 'assistance.whole-process');
    expect(watch).toMatchObject({ assignee: HUKOU, dueAt: endOfChinaDay('2026-03-27') });
    // W4.2: the residence township forwards in 3 WD → Thursday 02-12.
    const forward = await openTask(caseId, 'assistance.forward');
    expect(forward).toMatchObject({ assignee: 'xz-410402001', dueAt: endOfChinaDay('2026-02-12') });
    await skipTo('2026-02-12T02:00:00Z');
    await complete(forward, 'forwarded');

    // W4.3 低保: start in 3 WD from Thursday 02-12: Friday 02-13, make-up Saturday 02-14, then past the holiday to Tuesday 02-24.
    const start = await openTask(caseId, 'assistance.investigation-start');
    expect(start).toMatchObject({ assignee: HUKOU, dueAt: endOfChinaDay('2026-02-24') });
    await skipTo('2026-02-24T02:00:00Z');
    await complete(start, 'started');
    // Income check in 3 WD from Tuesday 02-24 → Friday 02-27.
    const check = await openTask(caseId, 'assistance.income-check');
    expect(check.dueAt).toBe(endOfChinaDay('2026-02-27'));
    await skipTo('2026-02-25T02:00:00Z');
    await complete(check, 'checked');
    // Initial opinion in 5 WD [local] from Wednesday 02-25: 02-26, 02-27, make-up Saturday 02-28, 03-02 → Tuesday 03-03.
    const opinion = await openTask(caseId, 'assistance.initial-opinion');
    expect(opinion.dueAt).toBe(endOfChinaDay('2026-03-03'));
    await skipTo('2026-02-27T02:00:00Z');
    await complete(opinion, 'eligible');

    // The 7-day notice posted on 02-27 runs 02-28..03-06, to 24:00 China time on 03-06.
    expect((await stageOf(handle, 'public-notice')).facts.noticeEndsOn).toBe('2026-03-06');
    await skipTo('2026-03-06T15:59:00Z');
    expect((await handle.query(caseStateQuery)).stage).toBe('public-notice');
    await skipTo('2026-03-06T16:00:30Z');
    await stageOf(handle, 'confirmation');
    // W4.5 低保: the county confirms in 10 WD from Saturday 03-07 → Friday 03-20.
    const confirmation = await openTask(caseId, 'assistance.confirmation');
    expect(confirmation).toMatchObject({ assignee: HUKOU, dueAt: endOfChinaDay('2026-03-20') });
    await skipTo('2026-03-10T02:00:00Z');
    await complete(confirmation, 'approved-unstable-income');

    // W4.7: the residence township tells the applicant in 3 WD → Friday 03-13; the W4.6 watch is withdrawn, unbreached.
    const notify = await openTask(caseId, 'assistance.notify-applicant');
    expect(notify).toMatchObject({ assignee: 'xz-410402001', dueAt: endOfChinaDay('2026-03-13') });
    expect((await tasksOf(caseId, 'assistance.whole-process'))[0]?.status).toBe('cancelled');
    expect(await breachesOf(HUKOU)).toEqual([]);
    await complete(notify, 'told');

    // W4.8: benefit from the next month; unstable income → recheck after 6 months, 10-01.
    const receiving = await stageOf(handle, 'receiving');
    expect(receiving.facts).toMatchObject({ decision: 'approved', decidedOn: '2026-03-10', benefitStartsOn: '2026-04-01', unstableIncome: true, nextRecheckOn: '2026-10-01' });
    const historyBefore = (await handle.describe()).historyLength;
    await skipTo('2026-09-30T15:59:00Z');
    expect(await tasksOf(caseId, 'assistance.recheck')).toEqual([]);
    await skipTo('2026-09-30T16:00:30Z');
    const recheck = await openTask(caseId, 'assistance.recheck');
    // Opened at 00:00 China time on 10-01; 15 WD [local] across National Day → Tuesday 10-27.
    expect(near(recheck.createdAt, '2026-09-30T16:00:00Z')).toBe(true);
    expect(recheck).toMatchObject({ assignee: HUKOU, dueAt: endOfChinaDay('2026-10-27') });
    await complete(recheck, 'continue');
    // Income now stable: the next recheck is a year on.
    expect((await stageOf(handle, 'receiving')).facts).toMatchObject({ rechecks: 1, unstableIncome: false, nextRecheckOn: '2027-10-01' });
    // Bounded history: one recheck cycle costs about 60 events, so maxRechecks (36) cycles and the
    // determination (under 300) stay far below Temporal's 10,240-event warning.
    expect((await handle.describe()).historyLength - historyBefore).toBeLessThanOrEqual(80);
    expect(DEFAULT_ASSISTANCE_PARAMS.dibao.maxRechecks * 80 + historyBefore).toBeLessThan(10_240 / 2);

    await act(handle, { action: 'end-benefit', date: '2026-11-02', reason: 'moved', by: '新华路街道民政干事' });
    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'benefit-ended' });
    expect((await timeline(caseId)).map((e) => e.kind)).toEqual(expect.arrayContaining(['application-taken', 'whole-process-watch', 'decision', 'recheck', 'benefit-ended', 'closed']));

    await eventually(async () => subjectsTo(HUKOU_MAIL), (s) => s.some((x) => x.includes('待遇终止')), 'the 户籍地 told of the end');
    expect(subjectsTo('xz-410402001@pds.careflow.local')).toEqual([
      '【待办任务】将最低生活保障（低保）申请材料转交户籍地（W4.2）',
      '【待办任务】告知申请人批准决定（W4.7）',
    ]);
    expect(subjectsTo(HUKOU_MAIL)).toEqual(
      expect.arrayContaining([
        '【待办任务】启动家庭经济状况调查（W4.3）',
        '【待办任务】家庭收入和财产状况核对（W4.3）',
        '【待办任务】提出初审意见（W4.3）',
        '【待办任务】最低生活保障（低保）审核确认（W4.5）',
        '【待办任务】最低生活保障（低保）定期复核（W4.8，第 1 次）',
      ]),
    );
    await recordHistoryIfAsked('assistance.dibao-approved-rechecked', handle);
  });

  it('特困: an objection during the notice sends it to re-investigation in 15 WD; a refusal carries written reasons and appeal rights', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openAssistance('tekun');
    // No township given: the county civil-affairs bureau forwards and tells. No W4.6 watch for 特困.
    const forward = await openTask(caseId, 'assistance.forward');
    expect(forward.assignee).toBe('mz-410402');
    await complete(forward, 'forwarded');
    // W4.3 特困: 15 WD from Monday 02-09 across the holiday → Friday 03-06.
    const investigation = await openTask(caseId, 'assistance.investigation');
    expect(investigation.dueAt).toBe(endOfChinaDay('2026-03-06'));
    expect(await tasksOf(caseId, 'assistance.whole-process')).toEqual([]);
    await complete(investigation, 'eligible');
    // The notice counts calendar days, holidays included: 02-10..02-16.
    expect((await stageOf(handle, 'public-notice')).facts.noticeEndsOn).toBe('2026-02-16');
    await expect(act(handle, { action: 'mark-special', reason: '情况复杂', by: '民政干事' })).rejects.toMatchObject({
      cause: { message: '只有低保申请可以标记为特殊情况（W4.6），本案为特困人员救助供养申请' },
    });

    // W4.4: an objection on Thursday 02-12 → re-investigation in 15 WD → Wednesday 03-11.
    await skipTo('2026-02-12T02:00:00Z');
    await act(handle, { action: 'record-objection', receivedOn: '2026-02-12', summary: '村民反映申请人有赡养人', by: '户籍地乡镇干部' });
    await stageOf(handle, 're-investigation');
    await expect(act(handle, { action: 'record-objection', receivedOn: '2026-02-12', summary: '再次反映', by: '户籍地乡镇干部' })).rejects.toMatchObject({
      cause: { message: '当前阶段（异议复查（W4.4））不允许此操作（record-objection）' },
    });
    const again = await openTask(caseId, 'assistance.reinvestigation');
    expect(again).toMatchObject({ assignee: HUKOU, dueAt: endOfChinaDay('2026-03-11') });
    await skipTo('2026-02-26T02:00:00Z');
    await complete(again, 'eligible');
    // A new 7-day notice from 02-26 → 03-05; then the county confirms in 15 WD from Friday 03-06 → Friday 03-27.
    expect((await stageOf(handle, 'public-notice')).facts).toMatchObject({ noticeEndsOn: '2026-03-05', objections: 1 });
    await skipTo('2026-03-05T16:00:30Z');
    const confirmation = await openTask(caseId, 'assistance.confirmation');
    expect(confirmation.dueAt).toBe(endOfChinaDay('2026-03-27'));

    // W4.7: a refusal without written reasons is refused.
    await expect(complete(confirmation, 'refused')).rejects.toMatchObject({ cause: { message: '结果“不予批准”需要填写说明' } });
    const reasons = '经重新调查，申请人有具备抚养能力的法定抚养义务人，不符合特困人员认定条件。';
    await complete(confirmation, 'refused', reasons);
    const notify = await openTask(caseId, 'assistance.notify-applicant');
    // Decided on Friday 03-06 (China time): told within 3 WD → 03-09, 03-10, Wednesday 03-11.
    expect(notify).toMatchObject({ assignee: 'mz-410402', dueAt: endOfChinaDay('2026-03-11') });
    const rights = appealRights(DEFAULT_ASSISTANCE_PARAMS.tekun);
    expect(notify.instructions).toContain(rights);
    expect(rights).toContain('60 日内');
    expect(rights).toContain('6 个月内');
    await expect(complete(notify, 'told')).rejects.toMatchObject({ cause: { message: expect.stringContaining('此任务不接受结果“told”') } });
    await complete(notify, 'served');

    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'refused', facts: { decision: 'refused', appealRights: rights } });
    const decision = (await timeline(caseId)).find((e) => e.kind === 'decision');
    expect(decision?.summary).toMatchObject({ decision: 'refused', decidedOn: '2026-03-06', reasons, appealRights: rights });
    await eventually(async () => subjectsTo('mz-410402@pds.careflow.local'), (s) => s.includes('【待办任务】告知申请人不予批准决定（W4.7）'), 'the refusal mail');
    const mail = bed.smtp.messages.find((m) => m.subject === '【待办任务】告知申请人不予批准决定（W4.7）');
    expect(mail?.text).toContain('行政复议');
    // The mail links to the case for the reasons and carries no personal data.
    expect(mail?.text).not.toContain('张小明');
    await recordHistoryIfAsked('assistance.tekun-objection-refused', handle);
  });

  it('孤儿: no public notice; investigation and confirmation in 15 WD each; a yearly recheck that stops the benefit in writing', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openAssistance('orphan', '410402001');
    await complete(await openTask(caseId, 'assistance.forward'), 'forwarded');
    const investigation = await openTask(caseId, 'assistance.investigation');
    expect(investigation.dueAt).toBe(endOfChinaDay('2026-03-06'));
    await complete(investigation, 'eligible');
    // Straight to the county: 15 WD from Monday 02-09 → Friday 03-06.
    await stageOf(handle, 'confirmation');
    const confirmation = await openTask(caseId, 'assistance.confirmation');
    expect(confirmation.dueAt).toBe(endOfChinaDay('2026-03-06'));
    await expect(complete(confirmation, 'approved-unstable-income')).rejects.toMatchObject({ cause: { message: expect.stringContaining('此任务不接受结果') } });
    await skipTo('2026-02-10T02:00:00Z');
    await complete(confirmation, 'approved');
    await complete(await openTask(caseId, 'assistance.notify-applicant'), 'told');

    const receiving = await stageOf(handle, 'receiving');
    expect(receiving.facts).toMatchObject({ decision: 'approved', benefitStartsOn: '2026-03-01', nextRecheckOn: '2027-03-01', unstableIncome: false });
    const stages = (await timeline(caseId)).filter((e) => e.kind === 'stage').map((e) => e.summary.to);
    expect(stages).toEqual(['forwarding', 'investigation', 'confirmation', 'notification', 'receiving']);
    await expect(act(handle, { action: 'withdraw-application', reason: '不再需要', by: '民政干事' })).rejects.toMatchObject({
      cause: { message: '当前阶段（享受待遇（W4.8））不允许此操作（withdraw-application）' },
    });

    // W4.8: the yearly recheck opens on 2027-03-01, a year the calendar has not published: the
    // task's deadline is a weekends-only estimate, flagged to the county supervisor.
    await skipTo('2027-02-28T16:00:30Z');
    const recheck = await openTask(caseId, 'assistance.recheck');
    expect(near(recheck.createdAt, '2027-02-28T16:00:00Z')).toBe(true);
    expect((await bed.db.pool.query('SELECT due_beyond_calendar FROM tasks WHERE id = $1', [recheck.id])).rows[0]).toEqual({ due_beyond_calendar: true });
    await eventually(async () => subjectsTo('mz-410402@pds.careflow.local'), (s) => s.some((x) => x.startsWith('【时限核对】')), 'the calendar flag');
    await expect(complete(recheck, 'stop')).rejects.toMatchObject({ cause: { message: '结果“停止享受”需要填写说明' } });
    await complete(recheck, 'stop', '儿童已被依法收养');
    const notify = await openTask(caseId, 'assistance.notify-applicant');
    expect(notify.instructions).toContain(appealRights(DEFAULT_ASSISTANCE_PARAMS.orphan));
    await complete(notify, 'served');
    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'benefit-stopped', facts: { rechecks: 1 } });
  });

  it('事实无人抚养: a silent 户籍地 goes up the ladder at working-day instants and collects a breach', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openAssistance('unsupported-child', '410402001');
    await complete(await openTask(caseId, 'assistance.forward'), 'forwarded');
    const investigation = await openTask(caseId, 'assistance.investigation');
    expect(investigation).toMatchObject({ assignee: HUKOU, dueAt: endOfChinaDay('2026-03-06') });

    // Due 03-06: reminder; +1 WD (03-09) the bureau's head; +3 WD (03-11) the residence county supervisor; +5 WD (03-13) the city.
    await skipTo('2026-03-13T16:00:30Z');
    const ladder = await eventually(() => escalations(investigation.id), (rows) => rows.length === 4, 'four rungs');
    expect(ladder.map((r) => [r.level, r.recipient])).toEqual([
      [1, HUKOU],
      [2, HUKOU],
      [3, 'mz-410402'],
      [4, 'mz-410400'],
    ]);
    ['2026-03-06', '2026-03-09', '2026-03-11', '2026-03-13'].forEach((date, i) => expect(near(ladder[i]!.at, endOfChinaDay(date)), date).toBe(true));
    expect(await breachesOf(HUKOU)).toEqual([{ task_id: investigation.id, kind: 'overdue' }]);
    // The case mirrors the level (a signal from the task, then its read model).
    await eventually(() => handle.query(caseStateQuery), (state) => state.escalationLevel === 4, 'the case at level 4');
    await eventually(async () => (await bed!.db.pool.query('SELECT escalation_level FROM cases WHERE id = $1', [caseId])).rows[0], (row) => row?.escalation_level === 4, 'the read model at level 4');
    await eventually(async () => subjectsTo(`head.${HUKOU_MAIL}`), (s) => s.length > 0, 'the head mail');
    expect(subjectsTo(`head.${HUKOU_MAIL}`)).toEqual(['【逾期督办·第2级】调查核实并提出初审意见（W4.3）']);

    // The 户籍地 answers late; the case goes on to the county.
    await complete(investigation, 'ineligible', '儿童父亲已刑满释放并恢复抚养');
    await stageOf(handle, 'confirmation');
    await handle.terminate('test over');
  });

  it('低保: the 30 WD whole-process limit watched in parallel escalates when the 户籍地 sits on the confirmation', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openAssistance('dibao', '410402001');
    const watch = await openTask(caseId, 'assistance.whole-process');
    for (const [kind, outcome] of [
      ['assistance.forward', 'forwarded'],
      ['assistance.investigation-start', 'started'],
      ['assistance.income-check', 'checked'],
      ['assistance.initial-opinion', 'eligible'],
    ] as const) {
      await complete(await openTask(caseId, kind), outcome);
    }
    // Notice 02-10..02-16; the county's 10 WD from 02-17 (a holiday) → Friday 03-06.
    await skipTo('2026-02-16T16:00:30Z');
    const confirmation = await openTask(caseId, 'assistance.confirmation');
    expect(confirmation.dueAt).toBe(endOfChinaDay('2026-03-06'));

    await skipTo('2026-03-27T15:59:00Z');
    expect(await escalations(watch.id)).toEqual([]);
    await skipTo('2026-03-27T16:00:30Z');
    const [reminder] = await eventually(() => escalations(watch.id), (rows) => rows.length === 1, 'the watch reminder');
    expect(reminder).toMatchObject({ level: 1, recipient: HUKOU });
    expect(near(reminder!.at, endOfChinaDay('2026-03-27'))).toBe(true);
    // The confirmation's own breach and the whole process's: two breaches of the 户籍地 bureau.
    expect((await breachesOf(HUKOU)).map((b) => b.task_id)).toEqual([confirmation.id, watch.id]);
    await eventually(async () => subjectsTo(HUKOU_MAIL), (s) => s.includes('【到期提醒】低保审核确认总时限（W4.6）：受理之日起 30 个工作日'), 'the reminder mail');

    // The late decision ends the watch.
    await complete(confirmation, 'approved');
    await stageOf(handle, 'notification');
    await eventually(async () => (await tasksOf(caseId, 'assistance.whole-process'))[0]?.status, (s) => s === 'cancelled', 'the watch withdrawn');
    await handle.terminate('test over');
  });

  it('低保 marked special: the limit moves to 45 WD from the application; a withdrawn application closes the case and its tasks', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openAssistance('dibao', '410402001');
    await complete(await openTask(caseId, 'assistance.forward'), 'forwarded');
    await openTask(caseId, 'assistance.investigation-start');
    await expect(act(handle, { action: 'record-objection', receivedOn: '2026-02-09', summary: '异议', by: '某人' })).rejects.toMatchObject({
      cause: { message: '当前阶段（户籍地调查与初审（W4.3））不允许此操作（record-objection）' },
    });

    // Marked on Monday 03-02, 11 WD after the application: 34 WD remain → Monday 04-20, 45 WD from 02-09.
    await skipTo('2026-03-02T02:00:00Z');
    const state = await act(handle, { action: 'mark-special', reason: '申请家庭成员在外省务工，收入核对需跨省协查', by: '新华路街道民政干事' });
    expect(state.facts).toMatchObject({ special: true, wholeProcessDueAt: endOfChinaDay('2026-04-20') });
    const watches = await eventually(() => tasksOf(caseId, 'assistance.whole-process'), (rows) => rows.length === 2, 'the new watch');
    expect(watches.map((w) => [w.status, w.dueAt])).toEqual([
      ['cancelled', endOfChinaDay('2026-03-27')],
      ['open', endOfChinaDay('2026-04-20')],
    ]);
    await expect(act(handle, { action: 'mark-special', reason: '再次', by: '民政干事' })).rejects.toMatchObject({ cause: { message: '已标记为特殊情况' } });

    await act(handle, { action: 'withdraw-application', reason: '申请人主动撤回', by: '新华路街道民政干事' });
    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'withdrawn' });
    const open = await bed.db.pool.query(`SELECT kind FROM tasks WHERE case_id = $1 AND status IN ('open', 'acknowledged')`, [caseId]);
    expect(open.rows).toEqual([]);
    await eventually(async () => subjectsTo(HUKOU_MAIL), (s) => s.includes('【案件通报】申请人撤回最低生活保障（低保）申请'), 'the 户籍地 told');
  });
});
