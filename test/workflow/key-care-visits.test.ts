/**
 * Issue #4 on the time-skipping server, with the real activities, Postgres and SMTP: the
 * quarterly home-visit plan of a key-care child over whole quarters (S20), its escalation
 * and breaches (R4), the closing assessment (M2), re-verification and hand-over (M1), and
 * three simulated years with a bounded history per run.
 *
 * The server's clock starts at 00:30 China time on 2026-01-01, so each plan starts with a
 * whole quarter: Q1 2026 has 90 days, 6 visits due 01-08, 01-23, 02-07, 02-22, 03-09, 03-24.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { createChildBody } from '../../src/api/children/schemas';
import { registerChild, updateChild, type RegistryDeps } from '../../src/api/children/service';
import { recordVisitBody, type RecordVisitBody } from '../../src/api/visits/schemas';
import { recordVisit } from '../../src/api/visits/service';
import { addWorkingDays } from '../../src/calendar/working-days';
import { addDays, chinaDateOf } from '../../src/domain/calendar-date';
import { DEFAULT_VISIT_POLICY } from '../../src/domain/visits';
import { createFieldCrypto } from '../../src/security/field-crypto';
import { bureauTaskWorkflowId, keyCareVisitsWorkflowId } from '../../src/temporal/workflow-ids';
import { completeTaskUpdate, keyCarePlanQuery, type KeyCarePlanState } from '../../src/workflows/messages';
import { childBody } from '../support/fixtures';
import { recordHistoryIfAsked } from '../support/histories';
import { startWorkflowBed, TEST_CENTRAL_DISTRICTS, type WorkflowBed } from '../support/workflow-bed';

/** 00:30 China time on Thursday 2026-01-01. */
const NEW_YEAR_2026 = '2025-12-31T16:30:00Z';
const TOWNSHIP = 'xz-410402001'; // 新华区曙光街街道
const TOWNSHIP_MAIL = `${TOWNSHIP}@pds.careflow.local`;

let bed: WorkflowBed | undefined;
afterEach(async () => {
  await bed?.stop();
  bed = undefined;
});

function registry(): RegistryDeps {
  return {
    pool: bed!.db.pool,
    temporal: bed!.env.client,
    taskQueue: bed!.taskQueue,
    crypto: createFieldCrypto(Buffer.alloc(32, 9)),
    eligibilityParams: { centralUrbanDistricts: TEST_CENTRAL_DISTRICTS },
    today: () => '2026-01-01',
  };
}

/** A key-care child (family hardship) living in 曙光街街道, 新华区; its plan starts with it. */
async function registerKeyCareChild(overrides: Record<string, unknown> = {}): Promise<{ childId: string; handle: WorkflowHandle; firstRunId: string }> {
  const body = createChildBody.parse(
    childBody({ residence: { countyCode: '410402', township: '曙光街街道', village: '建设路社区' }, riskFlags: { familyHardship: true }, ...overrides }),
  );
  const child = await registerChild(registry(), body, 'test');
  const handle = bed!.env.client.workflow.getHandle(keyCareVisitsWorkflowId(child.id));
  const plan = await waitForPlan(handle, (p) => p.quarter.quota > 0 || p.phase !== 'active');
  expect(plan.childId).toBe(child.id);
  return { childId: child.id, handle, firstRunId: (await handle.describe()).runId };
}

const ASSESSED = { assessment: { scores: { dailyCare: 3, safety: 3, health: 3, education: 3, emotionalCare: 3 } } };

function visitBody(visitedOn: string, visitor = '王主任', extra: Record<string, unknown> = {}): RecordVisitBody {
  return recordVisitBody.parse({
    visitedOn,
    visitor,
    notes: '入户了解儿童生活、监护、就医和就学情况',
    livingSecurity: { level: 'good' },
    guardianship: { level: 'attention', note: '母亲外出务工，祖母照料' },
    medicalCare: { level: 'good' },
    schooling: { level: 'good' },
    ...extra,
  });
}

const visit = (childId: string, visitedOn: string, visitor = '王主任', extra: Record<string, unknown> = {}) =>
  recordVisit({ pool: bed!.db.pool, temporal: bed!.env.client }, childId, visitBody(visitedOn, visitor, extra));

/** Skips virtual time until the instant `iso`. */
async function skipTo(iso: string): Promise<void> {
  const now = await bed!.env.currentTimeMs();
  await bed!.env.sleep(Math.max(1, Date.parse(iso) - now));
}
/** 10:00 China time on `date`. */
const morningOf = (date: string) => `${date}T02:00:00Z`;
/** End of a China day, as an ISO instant. */
const endOfChinaDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 16 * 3600_000).toISOString();
const near = (actual: Date, expected: string) => Math.abs(actual.getTime() - Date.parse(expected)) < 60_000;

/** Polls the plan's query until `ready` holds: workflows move on a moment after the clock. */
async function waitForPlan(handle: WorkflowHandle, ready: (plan: KeyCarePlanState) => boolean, timeoutMs = 20_000): Promise<KeyCarePlanState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A query that reaches a run as it continues-as-new can go unanswered: ask again.
    const plan = await bed!.env.client.withDeadline(Date.now() + 2_000, () => handle.query(keyCarePlanQuery)).catch(() => undefined);
    if (plan && ready(plan)) return plan;
    if (Date.now() > deadline) throw new Error(`plan not ready in time: ${JSON.stringify(plan)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Visits on every due date of the current quarter (the first one with an assessment). */
async function visitWholeQuarter(childId: string, handle: WorkflowHandle, count = 6): Promise<KeyCarePlanState> {
  const plan = await handle.query(keyCarePlanQuery);
  for (const slot of plan.quarter.due.slice(0, count)) {
    await skipTo(morningOf(slot.dueOn));
    const recorded = await visit(childId, slot.dueOn, '王主任', slot.index === 1 ? ASSESSED : {});
    expect(recorded.visit).toMatchObject({ quarter: plan.quarter.id, slot: slot.index });
  }
  return plan;
}

async function planTasks(planId: string) {
  return (
    await bed!.db.pool.query<{ id: string; kind: string; status: string; outcome: string | null; assignee_code: string; due_at: Date }>(
      'SELECT id, kind, status, outcome, assignee_code, due_at FROM tasks WHERE case_id = $1 ORDER BY due_at, created_at',
      [planId],
    )
  ).rows;
}

/** Polls until the query returns a row: a task's workflow writes its row a moment after it starts. */
async function waitForRow(sql: string, values: unknown[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await bed!.db.pool.query(sql, values)).rowCount) {
    if (Date.now() > deadline) throw new Error(`no row for ${sql}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const mailsTo = (address: string) => bed!.smtp.messages.filter((m) => m.to.includes(address));

describe('keyCareVisits: the quarterly home-visit plan (S20, M2)', () => {
  it('six visits on time each quarter: every reminder goes out, nothing escalates, both quarters are met', async () => {
    bed = await startWorkflowBed({ startAt: NEW_YEAR_2026 });
    const { childId, handle } = await registerKeyCareChild();
    const first = await handle.query(keyCarePlanQuery);
    expect(first).toMatchObject({ phase: 'active', startedOn: '2026-01-01', countyCode: '410402', assigneeCode: TOWNSHIP, nextReverificationOn: '2026-07-01' });
    expect(first.quarter).toMatchObject({ id: '2026-Q1', from: '2026-01-01', lastDay: '2026-03-31', quota: 6, done: 0 });
    expect(first.quarter.due.map((d) => d.dueOn)).toEqual(['2026-01-08', '2026-01-23', '2026-02-07', '2026-02-22', '2026-03-09', '2026-03-24']);

    await visitWholeQuarter(childId, handle);
    await skipTo(morningOf('2026-04-01'));
    const second = await waitForPlan(handle, (p) => p.quarter.id === '2026-Q2');
    expect(second.past).toEqual([{ quarter: '2026-Q1', quota: 6, done: 6, assessed: true, outcome: 'met' }]);
    await visitWholeQuarter(childId, handle);
    await skipTo(morningOf('2026-07-01'));
    const third = await waitForPlan(handle, (p) => p.quarter.id === '2026-Q3');
    expect(third.past.map((q) => [q.quarter, q.done, q.outcome])).toEqual([
      ['2026-Q2', 6, 'met'],
      ['2026-Q1', 6, 'met'],
    ]);

    // Each planned visit became a task 3 days before its due date (the reminder), and the
    // visit completed it: no escalation, no breach.
    const tasks = (await planTasks(first.planId)).filter((t) => t.kind === 'key-care.visit');
    expect(tasks).toHaveLength(12);
    expect(tasks.every((t) => t.status === 'completed' && t.outcome === 'visited' && t.assignee_code === TOWNSHIP)).toBe(true);
    expect(mailsTo(TOWNSHIP_MAIL).filter((m) => m.subject.startsWith('【待办任务】重点关爱儿童入户走访'))).toHaveLength(12);
    expect(mailsTo(TOWNSHIP_MAIL).filter((m) => m.subject.startsWith('【重点关爱走访计划】')).map((m) => m.subject)).toEqual([
      '【重点关爱走访计划】2026年第一季度入户走访 6 次',
      '【重点关爱走访计划】2026年第二季度入户走访 6 次',
      '【重点关爱走访计划】2026年第三季度入户走访 6 次',
    ]);
    const taskIds = tasks.map((t) => t.id);
    expect((await bed.db.pool.query('SELECT * FROM escalations WHERE task_id = ANY($1)', [taskIds])).rowCount).toBe(0);
    expect((await bed.db.pool.query('SELECT * FROM breaches WHERE department_code = $1', [TOWNSHIP])).rowCount).toBe(0);
    const quarters = await bed.db.pool.query<{ quarter: string; done: number; assessed: boolean; outcome: string }>(
      'SELECT quarter, done, assessed, outcome FROM visit_quarters WHERE plan_id = $1 AND closed_at IS NOT NULL ORDER BY quarter',
      [first.planId],
    );
    expect(quarters.rows).toEqual([
      { quarter: '2026-Q1', done: 6, assessed: true, outcome: 'met' },
      { quarter: '2026-Q2', done: 6, assessed: true, outcome: 'met' },
    ]);
    await handle.terminate('test over');
  });

  it('four visits in a quarter: the two missed visits go overdue, the quarter is a recorded breach of the township, and R4 refers it', async () => {
    bed = await startWorkflowBed({ startAt: NEW_YEAR_2026 });
    const { childId, handle } = await registerKeyCareChild();
    const q1 = await visitWholeQuarter(childId, handle, 4);
    await skipTo(morningOf('2026-04-01'));
    const q2 = await waitForPlan(handle, (p) => p.quarter.id === '2026-Q2');
    expect(q2.past).toEqual([{ quarter: '2026-Q1', quota: 6, done: 4, assessed: true, outcome: 'short' }]);

    const tasks = (await planTasks(q1.planId)).filter((t) => t.kind === 'key-care.visit');
    expect(tasks.map((t) => t.outcome)).toEqual(['visited', 'visited', 'visited', 'visited', 'quarter-ended', 'quarter-ended']);
    const breaches = await bed.db.pool.query<{ kind: string; task_id: string; at: Date }>('SELECT kind, task_id, at FROM breaches WHERE department_code = $1 ORDER BY at', [TOWNSHIP]);
    expect(breaches.rows.map((b) => [b.kind, b.task_id])).toEqual([
      ['overdue', tasks[4]!.id],
      ['overdue', tasks[5]!.id],
      ['quarter-short', tasks[5]!.id],
    ]);
    expect(near(breaches.rows[2]!.at, '2026-03-31T16:00:00.000Z')).toBe(true);
    // Two overdue visits and a short quarter within 90 days: the R4 threshold (3) is reached.
    const referrals = await bed.db.pool.query<{ reason: string; procuratorate_code: string }>('SELECT reason, procuratorate_code FROM referrals WHERE department_code = $1', [TOWNSHIP]);
    expect(referrals.rows).toEqual([{ reason: '90 日内逾期或季度走访不足 3 次（标准：3 次）', procuratorate_code: 'jc-410402' }]);
    expect(mailsTo('mz-410402@pds.careflow.local').filter((m) => m.subject === '【重点关爱走访】2026年第一季度走访未达要求')).toHaveLength(1);
    const row = await bed.db.pool.query('SELECT done, outcome FROM visit_quarters WHERE plan_id = $1 AND quarter = $2', [q1.planId, '2026-Q1']);
    expect(row.rows).toEqual([{ done: 4, outcome: 'short' }]);

    // The next quarter starts afresh and, with six visits, is met.
    await visitWholeQuarter(childId, handle);
    await skipTo(morningOf('2026-07-01'));
    const q3 = await waitForPlan(handle, (p) => p.quarter.id === '2026-Q3');
    expect(q3.past.map((q) => q.outcome)).toEqual(['met', 'short']);
    expect((await bed.db.pool.query(`SELECT * FROM breaches WHERE department_code = $1 AND kind = 'quarter-short'`, [TOWNSHIP])).rowCount).toBe(1);
    await handle.terminate('test over');
  });

  it('no visits: every planned visit climbs the escalation ladder, and both quarters end short', async () => {
    bed = await startWorkflowBed({ startAt: NEW_YEAR_2026 });
    const { handle } = await registerKeyCareChild();
    const q1 = await handle.query(keyCarePlanQuery);
    // Mid-quarter, the first visit's ladder has fired at its working-day instants.
    await skipTo(morningOf('2026-01-20'));
    const firstTask = (await planTasks(q1.planId))[0]!;
    expect(firstTask.due_at.toISOString()).toBe(endOfChinaDay('2026-01-08'));
    const overdueNow = await waitForPlan(handle, (p) => p.quarter.overdue === 1);
    expect(overdueNow.quarter.due.map((d) => d.status)).toEqual(['overdue', 'assigned', 'upcoming', 'upcoming', 'upcoming', 'upcoming']);
    const ladder = await bed.db.pool.query<{ level: number; recipient: string; at: Date }>('SELECT level, recipient, at FROM escalations WHERE task_id = $1 ORDER BY level', [firstTask.id]);
    expect(ladder.rows.map((r) => [r.level, r.recipient])).toEqual([
      [1, TOWNSHIP],
      [2, TOWNSHIP],
      [3, 'mz-410402'],
      [4, 'mz-410400'],
    ]);
    const instants = [0, 1, 3, 5].map((n) => endOfChinaDay(n === 0 ? '2026-01-08' : addWorkingDays('2026-01-08', n).date));
    ladder.rows.forEach((rung, i) => expect(near(rung.at, instants[i]!), `rung ${rung.level}`).toBe(true));
    expect(mailsTo(`head.${TOWNSHIP_MAIL}`).map((m) => m.subject)).toEqual(['【逾期督办·第2级】重点关爱儿童入户走访：2026年第一季度第 1/6 次（S20）']);

    await skipTo(morningOf('2026-07-01'));
    const q3 = await waitForPlan(handle, (p) => p.quarter.id === '2026-Q3');
    expect(q3.past).toEqual([
      { quarter: '2026-Q2', quota: 6, done: 0, assessed: false, outcome: 'short' },
      { quarter: '2026-Q1', quota: 6, done: 0, assessed: false, outcome: 'short' },
    ]);
    const tasks = (await planTasks(q1.planId)).filter((t) => t.kind === 'key-care.visit');
    expect(tasks).toHaveLength(12);
    // Closed by the plan when their quarter ended, which stops their ladders.
    expect(tasks.every((t) => t.status === 'completed' && t.outcome === 'quarter-ended')).toBe(true);
    const kinds = await bed.db.pool.query<{ kind: string; count: string }>('SELECT kind, count(*) FROM breaches WHERE department_code = $1 GROUP BY kind ORDER BY kind', [TOWNSHIP]);
    expect(Object.fromEntries(kinds.rows.map((r) => [r.kind, Number(r.count)]))).toMatchObject({ overdue: 12, 'quarter-short': 2 });
    expect((await bed.db.pool.query('SELECT * FROM referrals WHERE department_code = $1', [TOWNSHIP])).rowCount).toBe(1);
    // The quarter's missing family guardianship assessment is on record.
    const quarters = await bed.db.pool.query('SELECT quarter, assessed FROM visit_quarters WHERE plan_id = $1 AND closed_at IS NOT NULL ORDER BY quarter', [q1.planId]);
    expect(quarters.rows).toEqual([
      { quarter: '2026-Q1', assessed: false },
      { quarter: '2026-Q2', assessed: false },
    ]);
    await handle.terminate('test over');
  });

  it('flags cleared: the plan stops visiting, asks for a closing assessment across the quarter boundary, and closes when it is recorded', async () => {
    bed = await startWorkflowBed({ startAt: NEW_YEAR_2026 });
    const { childId, handle } = await registerKeyCareChild();
    const q1 = await handle.query(keyCarePlanQuery);
    await skipTo(morningOf('2026-01-08'));
    await visit(childId, '2026-01-08', '王主任', ASSESSED);
    await skipTo(morningOf('2026-03-10'));

    await updateChild(registry(), childId, { riskFlags: { familyHardship: false } }, 'test');
    const closing = await waitForPlan(handle, (p) => p.phase === 'closing' && Boolean(p.closingTaskId));
    expect(closing.quarter.due).toEqual([]);
    expect(closing.past).toEqual([{ quarter: '2026-Q1', quota: 6, done: 1, assessed: true, outcome: 'closing' }]);
    await waitForRow('SELECT 1 FROM tasks WHERE id = $1', [closing.closingTaskId]);
    const tasks = await planTasks(q1.planId);
    const visitTasks = tasks.filter((t) => t.kind === 'key-care.visit');
    // The visit tasks assigned so far (slots 1-5) are closed: one visited, the rest by the plan.
    expect(visitTasks.map((t) => t.outcome)).toEqual(['visited', 'plan-closing', 'plan-closing', 'plan-closing', 'plan-closing']);
    const closingTask = tasks.find((t) => t.kind === 'key-care.closing-assessment');
    expect(closingTask).toMatchObject({ id: closing.closingTaskId, status: 'open', assignee_code: TOWNSHIP });

    // The closing assessment is still awaited after the quarter ends (a run in 'closing').
    await skipTo(morningOf('2026-04-02'));
    const waiting = await waitForPlan(handle, (p) => p.quarter.id === '2026-Q2');
    expect(waiting).toMatchObject({ phase: 'closing', closingTaskId: closing.closingTaskId, quarter: { quota: 0 } });
    await visit(childId, '2026-04-02', '王主任'); // no assessment: the plan goes on
    expect((await handle.query(keyCarePlanQuery)).phase).toBe('closing');
    const assessed = await visit(childId, '2026-04-02', '李主任', { assessment: { scores: { dailyCare: 4, safety: 4, health: 3, education: 3, emotionalCare: 3 } } });
    expect(assessed.visit.assessment).toMatchObject({ total: 17, level: 'adequate' });

    const result = (await handle.result()) as KeyCarePlanState;
    expect(result).toMatchObject({ phase: 'closed', closedBecause: 'flags-cleared' });
    const closedTask = (await planTasks(q1.planId)).find((t) => t.id === closing.closingTaskId);
    expect(closedTask).toMatchObject({ status: 'completed', outcome: 'assessed' });
    for (const address of ['mz-410402@pds.careflow.local', TOWNSHIP_MAIL]) {
      expect(mailsTo(address).filter((m) => m.subject === '【重点关爱走访】走访计划已结束')).toHaveLength(1);
    }
    await recordHistoryIfAsked('keyCareVisits.flags-cleared-closed', handle);
  });

  it('refuses a visit in the future, before the plan started, in a closed quarter or twice, with the reason, and keeps nothing of it', async () => {
    bed = await startWorkflowBed({ startAt: NEW_YEAR_2026 });
    const { childId, handle } = await registerKeyCareChild();
    const refused = (visitedOn: string, visitor = '王主任') => visit(childId, visitedOn, visitor).then(() => undefined, (error: unknown) => error);
    await skipTo(morningOf('2026-01-10'));

    expect(await refused('2026-01-11')).toMatchObject({ statusCode: 409, code: 'ACTION_NOT_ALLOWED', message: '走访日期 2026-01-11 晚于今天（2026-01-10），不能登记尚未进行的走访' });
    expect(await refused('2025-12-30')).toMatchObject({ statusCode: 409, message: '走访日期 2025-12-30 早于走访计划开始的日期（2026-01-01），不在计划内' });
    await visit(childId, '2026-01-10', '王主任');
    expect(await refused('2026-01-10', '  王主任 ')).toMatchObject({ statusCode: 409, message: '2026-01-10 王主任 的走访已登记，不能重复登记' });
    await visit(childId, '2026-01-10', '张社工'); // another visitor the same day counts
    expect((await handle.query(keyCarePlanQuery)).quarter).toMatchObject({ done: 2 });

    await skipTo(morningOf('2026-04-02'));
    await waitForPlan(handle, (p) => p.quarter.id === '2026-Q2');
    expect(await refused('2026-03-31')).toMatchObject({ statusCode: 409, message: '走访日期 2026-03-31 所在的季度已结算，不能补登（本季度自 2026-04-01 起）' });

    const rows = await bed.db.pool.query<{ status: string; count: string }>('SELECT status, count(*) FROM visits WHERE child_id = $1 GROUP BY status', [childId]);
    expect(rows.rows).toEqual([{ status: 'recorded', count: '2' }]);
    // Refused updates are not written to the workflow's history.
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
    await handle.terminate('test over');
  });

  it('M1: re-verifies on the county\'s schedule; a move within Pingdingshan hands the plan over; "no longer eligible" or a move away closes it (and the register records it until the child is found again); so does the 16th birthday', async () => {
    bed = await startWorkflowBed({ startAt: NEW_YEAR_2026 });
    // County parameters are data: 新华区 re-verifies key-care children monthly.
    await bed.db.pool.query('INSERT INTO county_visit_policies (county_code, policy) VALUES ($1, $2)', ['410402', JSON.stringify({ ...DEFAULT_VISIT_POLICY, reverificationMonths: 1 })]);
    const { childId, handle } = await registerKeyCareChild();
    const leaving = await registerKeyCareChild();
    const away = await registerKeyCareChild();
    const older = await registerKeyCareChild({ birthDate: '2010-01-20' });
    await skipTo(morningOf('2026-01-21'));
    expect(await older.handle.result()).toMatchObject({ phase: 'closed', closedBecause: 'age-16-or-over' });

    await skipTo(morningOf('2026-02-10'));
    const before = await waitForPlan(handle, (p) => Boolean(p.reverificationTaskId));
    expect(before.nextReverificationOn).toBe('2026-03-01');
    const reverifyId = before.reverificationTaskId!;
    await waitForRow('SELECT 1 FROM tasks WHERE id = $1', [reverifyId]);
    expect((await bed.db.pool.query('SELECT kind, assignee_code FROM tasks WHERE id = $1', [reverifyId])).rows).toEqual([{ kind: 'key-care.reverify', assignee_code: 'mz-410402' }]);

    // The child moved to 宝丰县城关镇: once the register says so, the plan follows.
    await updateChild(registry(), childId, { residence: { countyCode: '410421', township: '城关镇人民政府', village: '东街社区' } }, 'test');
    const moved = await waitForPlan(handle, (p) => p.countyCode === '410421' && p.quarter.quota > 0);
    // 50 of Q1's 90 days are left: 4 visits (6 × 50 / 90, rounded up), 宝丰县's default parameters.
    expect(moved).toMatchObject({ assigneeCode: 'xz-410421100', reverificationTaskId: reverifyId, quarter: { id: '2026-Q1', from: '2026-02-10', quota: 4 } });
    expect(moved.past[0]).toMatchObject({ quarter: '2026-Q1', outcome: 'handed-over' });
    for (const address of ['mz-410421@pds.careflow.local', 'mz-410402@pds.careflow.local']) {
      await waitForRow('SELECT 1 FROM notifications WHERE recipient = $1 AND subject = $2', [address, '【重点关爱走访】儿童迁居，走访计划移交']);
    }
    // The old township's visit tasks so far (due 01-08, 01-23, 02-07) were closed as handed over.
    const oldTasks = (await planTasks(before.planId)).filter((t) => t.kind === 'key-care.visit' && t.assignee_code === TOWNSHIP);
    expect(oldTasks.map((t) => [t.status, t.outcome])).toEqual(Array(3).fill(['completed', 'handed-over']));

    // The county bureau answers the re-verification started before the move: the plan hears it.
    await bed.env.client.workflow.getHandle(bureauTaskWorkflowId(reverifyId)).executeUpdate(completeTaskUpdate, { args: [{ outcome: 'still-eligible', by: '民政局甲' }] });
    const answered = await waitForPlan(handle, (p) => p.reverificationTaskId === undefined);
    expect(answered).toMatchObject({ phase: 'active', countyCode: '410421' });

    // The other child's re-verification finds it no longer eligible: its plan closes.
    const other = await waitForPlan(leaving.handle, (p) => Boolean(p.reverificationTaskId));
    const otherTask = bed.env.client.workflow.getHandle(bureauTaskWorkflowId(other.reverificationTaskId!));
    await waitForRow('SELECT 1 FROM tasks WHERE id = $1', [other.reverificationTaskId]);
    const noNote = await otherTask.executeUpdate(completeTaskUpdate, { args: [{ outcome: 'no-longer-eligible', by: '民政局乙' }] }).catch((e: unknown) => e);
    expect((noNote as WorkflowUpdateFailedError).cause?.message).toBe('结果“不再符合流动儿童认定条件”需要填写说明');
    await otherTask.executeUpdate(completeTaskUpdate, { args: [{ outcome: 'no-longer-eligible', note: '已随父母返回户籍地', by: '民政局乙' }] });
    expect(await leaving.handle.result()).toMatchObject({ phase: 'closed', closedBecause: 'no-longer-eligible' });
    expect(mailsTo(TOWNSHIP_MAIL).filter((m) => m.subject === '【重点关爱走访】走访计划已结束' && m.text.includes(leaving.childId))).toHaveLength(1);

    // The third moved away from Pingdingshan (the register still shows 新华区): the plan closes
    // and the 户籍地 civil-affairs bureau (郑州市中原区, added to the directory) is told.
    const gone = await waitForPlan(away.handle, (p) => Boolean(p.reverificationTaskId));
    await waitForRow('SELECT 1 FROM tasks WHERE id = $1', [gone.reverificationTaskId]);
    await bed.env.client.workflow
      .getHandle(bureauTaskWorkflowId(gone.reverificationTaskId!))
      .executeUpdate(completeTaskUpdate, { args: [{ outcome: 'moved-away', note: '随父母迁往郑州', by: '民政局乙' }] });
    expect(await away.handle.result()).toMatchObject({ phase: 'closed', closedBecause: 'moved-away' });
    const handOff = mailsTo('outside-mz-410102@hukou.careflow.local');
    expect(handOff.map((m) => m.subject)).toEqual(['【重点关爱走访】走访计划已结束']);
    expect(handOff[0]!.text).toContain('请与其迁入地（或户籍地）民政部门做好衔接');
    // The register records the departure (M1), as a survey's answer would.
    const leftOn = async () => (await bed!.db.pool.query('SELECT left_on FROM children WHERE id = $1', [away.childId])).rows;
    // (on the day the plan closed: awaiting a result lets the test server skip time)
    const goneRun = await away.handle.describe();
    expect(await leftOn()).toEqual([{ left_on: chinaDateOf(goneRun.closeTime!.getTime()) }]);
    await recordHistoryIfAsked('keyCareVisits.moved-away-recorded', bed.env.client.workflow.getHandle(keyCareVisitsWorkflowId(away.childId), goneRun.runId));

    // Found again, in 宝丰县: the new residence clears the mark and a new plan starts there.
    const found = await updateChild(registry(), away.childId, { residence: { countyCode: '410421', township: '城关镇人民政府', village: '西街社区' } }, 'test');
    expect(found.leftOn).toBeNull();
    expect(await leftOn()).toEqual([{ left_on: null }]);
    const again = await waitForPlan(away.handle, (p) => p.phase === 'active' && p.quarter.quota > 0);
    expect(again).toMatchObject({ countyCode: '410421', assigneeCode: 'xz-410421100' });
    expect(again.planId).not.toBe(gone.planId);
    await handle.terminate('test over');
    await away.handle.terminate('test over');
  });

  it('three simulated years: one run per quarter, each under a fixed number of history events', async () => {
    bed = await startWorkflowBed({ startAt: NEW_YEAR_2026 });
    const { childId, handle, firstRunId } = await registerKeyCareChild();
    let quarter = '2026-Q1';
    let firstDay = '2026-01-01';
    for (let q = 0; q < 12; q += 1) {
      const plan = await waitForPlan(handle, (p) => p.quarter.id === quarter);
      for (const slot of plan.quarter.due) {
        await skipTo(morningOf(slot.dueOn));
        if (slot.index === 1) await answerReverification(plan.planId);
        await visit(childId, slot.dueOn, '王主任', slot.index === 1 ? ASSESSED : {});
      }
      firstDay = addDays(plan.quarter.lastDay, 1);
      quarter = `${firstDay.slice(0, 4)}-Q${(Number(firstDay.slice(5, 7)) + 2) / 3}`;
      await skipTo(morningOf(firstDay));
    }
    const final = await waitForPlan(handle, (p) => p.quarter.id === '2029-Q1');
    expect(final.past).toHaveLength(8);
    expect(final.past.every((q) => q.outcome === 'met' && q.done === 6 && q.assessed)).toBe(true);
    expect((await bed.db.pool.query(`SELECT count(*)::int AS n FROM visit_quarters WHERE plan_id = $1 AND outcome = 'met'`, [final.planId])).rows[0]).toEqual({ n: 12 });
    // Re-verified every 6 months (M1): 5 answered, the sixth due on the day the test ends.
    expect((await bed.db.pool.query(`SELECT count(*)::int AS n FROM tasks WHERE case_id = $1 AND kind = 'key-care.reverify' AND outcome = 'still-eligible'`, [final.planId])).rows[0]).toEqual({ n: 5 });

    const runs = await runsOf(keyCareVisitsWorkflowId(childId), firstRunId);
    expect(runs).toHaveLength(13);
    const closed = runs.slice(0, -1);
    // Six visits (updates), six reminders (timers, task starts), the quarter's close and a
    // re-verification every other quarter: 200-220 events per run measured, whatever the year.
    expect(Math.max(...closed.map((r) => r.events)), JSON.stringify(closed.map((r) => r.events))).toBeLessThan(MAX_EVENTS_PER_RUN);
    await recordHistoryIfAsked('keyCareVisits.quarter-with-reverification', bed.env.client.workflow.getHandle(keyCareVisitsWorkflowId(childId), runs[2]!.runId));
    await handle.terminate('test over');
  });
});

/** A full quarter's run is far below Temporal's 10,240-event warning; this bound catches growth. */
const MAX_EVENTS_PER_RUN = 300;

/** Completes the plan's open re-verification task, if any, as "still eligible". */
async function answerReverification(planId: string): Promise<void> {
  const open = await bed!.db.pool.query<{ id: string }>(`SELECT id FROM tasks WHERE case_id = $1 AND kind = 'key-care.reverify' AND status = 'open'`, [planId]);
  for (const task of open.rows) {
    await bed!.env.client.workflow.getHandle(bureauTaskWorkflowId(task.id)).executeUpdate(completeTaskUpdate, { args: [{ outcome: 'still-eligible', by: '民政局' }] });
  }
}

/** Every run of a workflow from its first, following continue-as-new, with its event count. */
async function runsOf(workflowId: string, firstRunId: string): Promise<Array<{ runId: string; events: number }>> {
  const runs: Array<{ runId: string; events: number }> = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> = await bed!.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.push({ runId, events: events.length });
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

