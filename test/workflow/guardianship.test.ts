/**
 * W3 temporary guardianship on the time-skipping server, with the real activities,
 * Postgres and SMTP: the outcomes a, b and c end to end, the 户籍地 bureau's silence, the
 * panel's overdue assessment, reviews past 90 days, and the custody timeline (policy.md
 * W3.1-W3.8).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { openCase, type CaseDeps } from '../../src/api/cases/service';
import { createChildBody } from '../../src/api/children/schemas';
import { registerChild } from '../../src/api/children/service';
import { chinaDateOf } from '../../src/domain/calendar-date';
import type { CaseState } from '../../src/domain/cases';
import type { GuardianshipAction, PanelMember } from '../../src/domain/guardianship';
import { createFieldCrypto } from '../../src/security/field-crypto';
import { bureauTaskWorkflowId, caseWorkflowId } from '../../src/temporal/workflow-ids';
import { caseStateQuery, completeTaskUpdate, guardianshipActionUpdate } from '../../src/workflows/messages';
import { childBody } from '../support/fixtures';
import { recordHistoryIfAsked } from '../support/histories';
import { startWorkflowBed, TEST_CENTRAL_DISTRICTS, type WorkflowBed } from '../support/workflow-bed';

let bed: WorkflowBed | undefined;
afterEach(async () => {
  await bed?.stop();
  bed = undefined;
});

/** 09:00 China time on Monday 2026-03-02; Qingming (2026-04-04..06) falls inside the assessment ladder. */
const START = '2026-03-02T01:00:00Z';
const TOWNSHIP = '410402001';
const HUKOU_BUREAU = 'outside-mz-410102';
/**
 * Events one 90-day review cycle may add to the case's history (W3.8); measured: 32 for a
 * review done in time, about 48 for one that walks the whole ladder. Temporary guardianship
 * of a minor ends at 18 at the latest: 73 cycles for a newborn, which must stay under
 * Temporal's 10,240-event warning with room for the rest of the case.
 */
const REVIEW_CYCLE_EVENT_BUDGET = 60;

type Handle = WorkflowHandle;

async function openGuardianship(situation: 'guardian-neglect' | 'guardian-harm' | 'guardian-missing' = 'guardian-neglect') {
  const b = bed!;
  const today = chinaDateOf(await b.env.currentTimeMs());
  const registry = { pool: b.db.pool, temporal: b.env.client, taskQueue: b.taskQueue, crypto: createFieldCrypto(Buffer.alloc(32, 5)), eligibilityParams: { centralUrbanDistricts: TEST_CENTRAL_DISTRICTS }, today: () => today };
  const child = await registerChild(registry, createChildBody.parse(childBody({ arrivalDate: '2025-01-10' })), 'test');
  const deps: CaseDeps = { pool: b.db.pool, temporal: b.env.client, taskQueue: b.taskQueue };
  const { view } = await openCase(deps, { type: 'guardianship', childId: child.id, townshipCode: TOWNSHIP, report: { situation, source: 'police', reportedBy: '派出所民警刘某' } }, undefined);
  return { caseId: view.id, handle: b.env.client.workflow.getHandle(caseWorkflowId('guardianship', view.id)) };
}

/** The case's newest open task of `kind`, once the workflow has created it. */
async function taskOf(caseId: string, kind: string): Promise<string> {
  for (let i = 0; i < 200; i += 1) {
    const row = (await bed!.db.pool.query<{ id: string }>(`SELECT id FROM tasks WHERE case_id = $1 AND kind = $2 AND status IN ('open', 'acknowledged') ORDER BY created_at DESC LIMIT 1`, [caseId, kind])).rows[0];
    if (row) return row.id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no open ${kind} task`);
}

/**
 * The case's open task of `kind`, once its creation is over (row written, assignment mailed).
 * A task withdrawn while its first activities run leaves a cancelled activity pending on the
 * time-skipping server, which then never skips time again: tests let creation finish first.
 */
async function assignedTask(caseId: string, kind: string): Promise<string> {
  const taskId = await taskOf(caseId, kind);
  for (let i = 0; i < 200; i += 1) {
    const row = (await bed!.db.pool.query('SELECT 1 FROM notifications WHERE idempotency_key = $1 AND sent_at IS NOT NULL', [`${bureauTaskWorkflowId(taskId)}:assigned`])).rows[0];
    if (row) return taskId;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${kind} task ${taskId} was never mailed`);
}

async function complete(caseId: string, kind: string, outcome: string, note?: string) {
  const taskId = await assignedTask(caseId, kind);
  await bed!.env.client.workflow.getHandle(bureauTaskWorkflowId(taskId)).executeUpdate(completeTaskUpdate, { args: [{ outcome, note, by: '经办人' }] });
  return taskId;
}

/** Polls the query until `accept` holds (the workflow moves on between activations). */
async function stateWhen(handle: Handle, accept: (state: CaseState) => boolean): Promise<CaseState> {
  for (let i = 0; i < 200; i += 1) {
    const state = await handle.query(caseStateQuery);
    if (accept(state)) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  return handle.query(caseStateQuery);
}
const stageOf = (handle: Handle, stage: string) => stateWhen(handle, (s) => s.stage === stage);

const act = (handle: Handle, action: GuardianshipAction) => handle.executeUpdate(guardianshipActionUpdate, { args: [action] });
/** The validator's refusal, as the caller sees it. */
const refused = (message: string) => ({ cause: { message: expect.stringContaining(message) } });

const PANEL: PanelMember[] = [
  { body: 'township', member: '新华路街道 赵主任' },
  { body: 'civil-affairs', member: '新华区民政局 王科长' },
  { body: 'police', member: '新华区公安局 刘警官' },
];

async function taskStatus(taskId: string) {
  return (await bed!.db.pool.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1', [taskId])).rows[0]?.status;
}

async function custodyEvents(caseId: string) {
  const rows = (await bed!.db.pool.query<{ actor: string; summary: { sequence: number; kind: string; holder: string; departmentCode: string; since: string; previous: { kind: string; until: string; since: string } | null } }>(
    `SELECT actor, summary FROM case_events WHERE case_id = $1 AND kind = 'custody'`,
    [caseId],
  )).rows;
  return rows.map((r) => ({ ...r.summary, actor: r.actor })).sort((a, b) => a.sequence - b.sequence);
}

/** W3.2-W3.4: police hand over, civil affairs opens temporary guardianship and places the child. */
async function intoTemporaryGuardianship(caseId: string, handle: Handle) {
  await complete(caseId, 'guardianship.police-handover', 'handed-over');
  await stageOf(handle, 'opening');
  await complete(caseId, 'guardianship.open', 'opened');
  await assignedTask(caseId, 'guardianship.placement');
  await act(handle, { action: 'record-placement', placement: 'relatives', holder: '外祖母', date: today(), by: '民政局王科长' });
  return stageOf(handle, 'assessment');
}

let todayCache = '';
const today = () => todayCache;
async function refreshToday() {
  todayCache = chinaDateOf(await bed!.env.currentTimeMs());
}

async function sleepUntil(iso: string) {
  const ms = Date.parse(iso) - (await bed!.env.currentTimeMs());
  if (ms > 0) await bed!.env.sleep(ms);
  await refreshToday();
}

async function escalationsOf(taskId: string) {
  const rows = (await bed!.db.pool.query<{ level: number; recipient: string; at: Date }>('SELECT level, recipient, at FROM escalations WHERE task_id = $1 ORDER BY level', [taskId])).rows;
  return rows.map((r) => ({ level: r.level, recipient: r.recipient, at: r.at.toISOString() }));
}

async function dueOf(taskId: string): Promise<string> {
  return (await bed!.db.pool.query<{ due_at: Date }>('SELECT due_at FROM tasks WHERE id = $1', [taskId])).rows[0]!.due_at.toISOString();
}

/** Within a minute: timers fire at their instant; the workflow reads the clock a moment later. */
const near = (actual: string | undefined, expected: string) => Math.abs(Date.parse(actual ?? '') - Date.parse(expected)) < 60_000;
const endOfChinaDay = (date: string) => new Date(Date.parse(`${date}T16:00:00Z`)).toISOString();

describe('guardianship workflow (W3)', () => {
  it('(a) returns the child home after an assessment, with guidance and four quarterly visits, then closes', async () => {
    bed = await startWorkflowBed({ startAt: START });
    await refreshToday();
    const { caseId, handle } = await openGuardianship();
    // W3.1: from the report on, the query names who holds the child: the police.
    const reported = await stateWhen(handle, (s) => s.facts.custodianKind === 'police');
    expect(reported.facts).toMatchObject({ custodianKind: 'police', custodian: '新华区公安局', custodianDepartment: 'ga-410402', guardianship: 'pending', situation: 'guardian-neglect' });
    const handover = await taskOf(caseId, 'guardianship.police-handover');
    expect(near(await dueOf(handover), '2026-03-02T03:00:00Z')).toBe(true); // W3.2: 2 hours
    await expect(act(handle, { action: 'record-placement', placement: 'relatives', holder: '外祖母', date: today(), by: '民政局' })).rejects.toMatchObject(refused('公安机关尚未书面移交'));

    await complete(caseId, 'guardianship.police-handover', 'handed-over');
    const opening = await stateWhen(handle, (s) => s.facts.custodianKind === 'civil-affairs');
    expect(opening.facts).toMatchObject({ custodian: '新华区民政局', custodianDepartment: 'mz-410402' });
    await complete(caseId, 'guardianship.open', 'opened');
    await assignedTask(caseId, 'guardianship.placement');
    await act(handle, { action: 'record-placement', placement: 'relatives', holder: '外祖母', date: today(), by: '民政局王科长' });
    const assessing = await stateWhen(handle, (s) => s.stage === 'assessment' && s.facts.hukouBureau !== undefined);
    expect(assessing.facts).toMatchObject({ custodianKind: 'relatives', custodian: '外祖母', guardianship: 'temporary', hukouBureau: HUKOU_BUREAU, hukouPosition: 'awaited' });

    // Returning a child home before the panel has assessed the guardian is refused; so is a panel of two.
    await expect(act(handle, { action: 'decide-return-home', date: today(), returnedTo: '母亲', by: '民政局王科长' })).rejects.toMatchObject(refused('尚未进行监护能力评估'));
    await expect(act(handle, { action: 'record-assessment', date: today(), panel: PANEL.slice(0, 2), finding: 'able', by: '民政局王科长' })).rejects.toMatchObject(refused('至少需要 3 名'));
    const assessment = await assignedTask(caseId, 'guardianship.assessment');
    await act(handle, { action: 'record-assessment', date: today(), panel: PANEL, finding: 'able', by: '民政局王科长' });
    const hukouTask = await assignedTask(caseId, 'guardianship.hukou-position');
    await act(handle, { action: 'decide-return-home', date: today(), returnedTo: '母亲', by: '民政局王科长' });

    const home = await stateWhen(handle, (s) => s.stage === 'return-home' && s.facts.custodianKind === 'family');
    expect(home.facts).toMatchObject({ custodian: '母亲', guardianship: 'ended', assessmentFinding: 'able' });
    // The assessment task was fulfilled by the record; the 户籍地's answer is moot once the child is home.
    expect(await taskStatus(assessment)).toBe('cancelled');
    await stateWhen(handle, (s) => !s.openTasks.some((t) => t.kind === 'guardianship.hukou-position'));
    expect(await taskStatus(hukouTask)).toBe('cancelled');

    await complete(caseId, 'guardianship.family-guidance', 'done');
    for (let visit = 1; visit <= 4; visit += 1) {
      await bed.env.sleep('91 days');
      await complete(caseId, 'guardianship.follow-up-visit', visit === 2 ? 'concern' : 'visited', visit === 2 ? '监护人外出务工，儿童由祖母照看' : undefined);
    }
    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'returned-home', facts: { followUpVisitsDone: 4, followUpConcerns: 1 } });
    const visits = (await bed.db.pool.query(`SELECT assignee_code FROM tasks WHERE case_id = $1 AND kind = 'guardianship.follow-up-visit'`, [caseId])).rows;
    expect(visits).toHaveLength(4);
    const guidance = (await bed.db.pool.query(`SELECT assignee_code FROM tasks WHERE case_id = $1 AND kind = 'guardianship.family-guidance'`, [caseId])).rows;
    expect(guidance).toEqual([{ assignee_code: 'fl-410402' }]);
    // Home within 90 days: no review was ever due (W3.8).
    expect((await bed.db.pool.query(`SELECT count(*) FROM tasks WHERE case_id = $1 AND kind = 'guardianship.review'`, [caseId])).rows[0].count).toBe('0');
    expect((await custodyEvents(caseId)).map((c) => c.kind)).toEqual(['police', 'civil-affairs', 'relatives', 'family']);
    // The township was told at once (W3.2) and asked onto the panel (W3.6).
    const township = bed.smtp.messages.filter((m) => m.to.includes(`xz-${TOWNSHIP}@pds.careflow.local`)).map((m) => m.subject);
    expect(township).toEqual(['【案件通报】辖区发生未成年人监护缺失（W3.2）', '【案件通报】参加监护能力评估（W3.6）']);
  });

  it('(b) hands the child off to the 户籍地 once it has agreed and accepted in writing', async () => {
    bed = await startWorkflowBed({ startAt: START });
    await refreshToday();
    const { caseId, handle } = await openGuardianship('guardian-missing');
    await intoTemporaryGuardianship(caseId, handle);
    await expect(act(handle, { action: 'decide-hukou-handoff', date: today(), by: '民政局王科长' })).rejects.toMatchObject(refused('尚未答复'));
    await complete(caseId, 'guardianship.hukou-position', 'accept');
    await stateWhen(handle, (s) => s.facts.hukouPosition === 'accept');
    await act(handle, { action: 'decide-hukou-handoff', date: today(), by: '民政局王科长' });
    await stageOf(handle, 'hukou-handoff');
    const acceptance = await taskOf(caseId, 'guardianship.hukou-acceptance');
    expect((await bed.db.pool.query('SELECT assignee_code FROM tasks WHERE id = $1', [acceptance])).rows[0]).toEqual({ assignee_code: HUKOU_BUREAU });
    await assignedTask(caseId, 'guardianship.assessment'); // withdrawn when the case closes
    await complete(caseId, 'guardianship.hukou-acceptance', 'accepted');

    const closed = await handle.result();
    expect(closed).toMatchObject({
      status: 'closed',
      outcome: 'handed-off-to-hukou',
      facts: { custodianKind: 'hukou-civil-affairs', custodian: '河南省郑州市中原区民政局', custodianDepartment: HUKOU_BUREAU, guardianship: 'transferred' },
    });
    // Nothing left open: the assessment was not needed for a hand-off.
    expect((await bed.db.pool.query(`SELECT kind, status FROM tasks WHERE case_id = $1 AND status IN ('open', 'acknowledged')`, [caseId])).rows).toEqual([]);
    const outside = bed.smtp.messages.filter((m) => m.to.includes(`${HUKOU_BUREAU}@hukou.careflow.local`)).map((m) => m.subject);
    expect(outside).toEqual(['【待办任务】请答复：贵地户籍儿童在平顶山市临时监护（W3.5）', '【待办任务】接收临时监护儿童并出具书面接收意见（W3.7b）']);
    await recordHistoryIfAsked('guardianship.handed-off-to-hukou', handle);
  });

  it('(c) petitions to revoke guardianship, takes a dismissal back to assessment, and arranges long-term guardianship when revoked', async () => {
    bed = await startWorkflowBed({ startAt: START });
    await refreshToday();
    const { caseId, handle } = await openGuardianship('guardian-harm');
    await intoTemporaryGuardianship(caseId, handle);
    await complete(caseId, 'guardianship.hukou-position', 'decline', '监护人系施害人，户籍地无其他亲属可接收');
    await stateWhen(handle, (s) => s.facts.hukouPosition === 'decline');
    await assignedTask(caseId, 'guardianship.assessment');
    await act(handle, { action: 'record-assessment', date: today(), panel: PANEL, finding: 'unfit', by: '民政局王科长' });
    await expect(act(handle, { action: 'decide-return-home', date: today(), returnedTo: '父亲', by: '民政局王科长' })).rejects.toMatchObject(refused('不能决定返家'));
    await expect(act(handle, { action: 'decide-hukou-handoff', date: today(), by: '民政局王科长' })).rejects.toMatchObject(refused('未同意接收'));
    await act(handle, { action: 'petition-revocation', date: today(), by: '民政局王科长' });
    const revocation = await stateWhen(handle, (s) => s.stage === 'revocation' && s.openTasks.length === 2);
    expect(revocation.openTasks.map((t) => t.assigneeCode).sort()).toEqual(['jc-410402', 'mz-410402']);

    const court = (decision: 'revoked' | 'dismissed'): GuardianshipAction => ({ action: 'record-court-decision', date: today(), decision, court: '新华区人民法院', documentNo: '（2026）豫0402民特1号', by: '民政局王科长' });
    await expect(act(handle, court('revoked'))).rejects.toMatchObject(refused('尚未向人民法院提出'));
    await complete(caseId, 'guardianship.file-petition', 'filed');
    await stateWhen(handle, (s) => s.facts.petitionFiled === true);
    await assignedTask(caseId, 'guardianship.urge-petition');
    await act(handle, court('dismissed'));
    // Dismissed: the guardian stays guardian; a new assessment is due before anything else.
    const again = await stateWhen(handle, (s) => s.stage === 'assessment' && s.facts.assessmentRounds === 2);
    expect(again.facts.assessmentFinding).toBeUndefined();
    expect(again.facts.guardianship).toBe('temporary');
    await expect(act(handle, { action: 'petition-revocation', date: today(), by: '民政局王科长' })).rejects.toMatchObject(refused('须经评估'));

    await assignedTask(caseId, 'guardianship.assessment');
    await act(handle, { action: 'record-assessment', date: today(), panel: [...PANEL, { body: 'women-federation', member: '区妇联 孙部长' }], finding: 'unfit', by: '民政局王科长' });
    await act(handle, { action: 'petition-revocation', date: today(), by: '民政局王科长' });
    await stageOf(handle, 'revocation');
    await complete(caseId, 'guardianship.urge-petition', 'urged');
    await complete(caseId, 'guardianship.file-petition', 'filed');
    await stateWhen(handle, (s) => s.facts.petitionFiled === true);
    await act(handle, court('revoked'));
    const longTerm = await stageOf(handle, 'long-term');
    expect(longTerm.facts).toMatchObject({ guardianship: 'long-term', courtDecision: 'revoked', custodianKind: 'relatives' });
    await complete(caseId, 'guardianship.long-term', 'arranged');
    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'long-term-guardianship' });
    const kinds = (await bed.db.pool.query<{ kind: string }>('SELECT kind FROM case_events WHERE case_id = $1', [caseId])).rows.map((r) => r.kind);
    expect(kinds.filter((k) => k === 'court-decision')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'assessment')).toHaveLength(2);
    await recordHistoryIfAsked('guardianship.revoked-after-dismissal', handle);
  });

  it('reminds a silent 户籍地 bureau at the deadline, has the city bureau contact its counterpart, and escalates (W3.5)', async () => {
    bed = await startWorkflowBed({ startAt: START });
    await refreshToday();
    const { caseId, handle } = await openGuardianship();
    await intoTemporaryGuardianship(caseId, handle);
    const position = await taskOf(caseId, 'guardianship.hukou-position');
    // 10 WD from Monday 2026-03-02: the end of Monday 2026-03-16 (China time).
    expect(await dueOf(position)).toBe(endOfChinaDay('2026-03-16'));

    await sleepUntil('2026-03-25T02:00:00Z');
    const ladder = await escalationsOf(position);
    expect(ladder.map((e) => [e.level, e.recipient])).toEqual([
      [1, HUKOU_BUREAU],
      [2, HUKOU_BUREAU],
      [3, 'mz-410402'],
      [4, 'mz-410400'],
    ]);
    const expected = ['2026-03-16', '2026-03-17', '2026-03-19', '2026-03-23'].map(endOfChinaDay);
    ladder.forEach((rung, i) => expect(near(rung.at, expected[i]!), `rung ${rung.level} at ${rung.at}`).toBe(true));
    // Still silent 1 WD after the reminder: the city bureau gets a task to contact its counterpart.
    const contact = (await bed.db.pool.query<{ id: string; assignee_code: string; created_at: Date }>(`SELECT id, assignee_code, created_at FROM tasks WHERE case_id = $1 AND kind = 'guardianship.city-contact'`, [caseId])).rows;
    expect(contact.map((c) => c.assignee_code)).toEqual(['mz-410400']);
    expect(near(contact[0]!.created_at.toISOString(), endOfChinaDay('2026-03-17'))).toBe(true);
    expect((await bed.db.pool.query(`SELECT department_code, kind FROM breaches WHERE task_id = $1`, [position])).rows).toEqual([{ department_code: HUKOU_BUREAU, kind: 'overdue' }]);
    const subjects = (to: string) => bed!.smtp.messages.filter((m) => m.to.includes(to)).map((m) => m.subject);
    expect(subjects(`${HUKOU_BUREAU}@hukou.careflow.local`)).toContain('【到期提醒】请答复：贵地户籍儿童在平顶山市临时监护（W3.5）');
    expect(subjects(`head.${HUKOU_BUREAU}@hukou.careflow.local`)).toEqual(['【逾期督办·第2级】请答复：贵地户籍儿童在平顶山市临时监护（W3.5）']);
    expect(subjects('mz-410400@pds.careflow.local')).toContain('【待办任务】联系对口民政部门督促答复临时监护儿童接收意见（W3.5）');
    expect((await handle.query(caseStateQuery)).facts.cityContacted).toBe(true);

    // The answer finally comes: the city's contact is no longer needed.
    await complete(caseId, 'guardianship.hukou-position', 'decline', '监护人已联系上，但暂无能力接回');
    const answered = await stateWhen(handle, (s) => s.facts.hukouPosition === 'decline' && !s.openTasks.some((t) => t.kind === 'guardianship.city-contact'));
    expect(answered.facts.hukouPosition).toBe('decline');
    expect(await taskStatus(contact[0]!.id)).toBe('cancelled');
    await handle.terminate('test over');
  });

  it('walks an overdue panel assessment up the ladder across Qingming, and still takes it late (W3.6)', async () => {
    bed = await startWorkflowBed({ startAt: START });
    await refreshToday();
    const { caseId, handle } = await openGuardianship();
    await intoTemporaryGuardianship(caseId, handle);
    await complete(caseId, 'guardianship.hukou-position', 'decline', '暂不接收');
    const assessment = await taskOf(caseId, 'guardianship.assessment');
    const due = await dueOf(assessment);
    expect(near(due, '2026-04-01T01:00:00Z')).toBe(true); // 30 days after the opening

    await sleepUntil('2026-04-10T02:00:00Z');
    const ladder = await escalationsOf(assessment);
    expect(ladder.map((e) => [e.level, e.recipient])).toEqual([
      [1, 'mz-410402'],
      [2, 'mz-410402'],
      [3, 'mz-410402'],
      [4, 'mz-410400'],
    ]);
    // At the due instant; +1 WD is Thursday 04-02; +3 WD skips Qingming (04-04..06) to Tuesday 04-07; +5 WD Thursday 04-09.
    const expected = [due, ...['2026-04-02', '2026-04-07', '2026-04-09'].map(endOfChinaDay)];
    ladder.forEach((rung, i) => expect(near(rung.at, expected[i]!), `rung ${rung.level} at ${rung.at}`).toBe(true));
    expect((await bed.db.pool.query(`SELECT department_code FROM breaches WHERE task_id = $1`, [assessment])).rows).toEqual([{ department_code: 'mz-410402' }]);
    expect((await handle.query(caseStateQuery)).escalationLevel).toBe(4);
    expect(bed.smtp.messages.some((m) => m.to.includes('head.mz-410402@pds.careflow.local') && m.subject === '【逾期督办·第2级】组织监护能力评估（W3.6）')).toBe(true);

    await act(handle, { action: 'record-assessment', date: today(), panel: PANEL, finding: 'able', by: '民政局王科长' });
    const assessed = await stateWhen(handle, (s) => s.facts.assessmentFinding === 'able' && !s.openTasks.some((t) => t.kind === 'guardianship.assessment'));
    expect(assessed.facts.assessedOn).toBe('2026-04-10');
    await handle.terminate('test over');
  });

  it('keeps issuing a review every 90 days while temporary guardianship lasts, with a bounded history (W3.8)', async () => {
    bed = await startWorkflowBed({ startAt: START });
    await refreshToday();
    const { caseId, handle } = await openGuardianship();
    await intoTemporaryGuardianship(caseId, handle);
    await complete(caseId, 'guardianship.hukou-position', 'decline', '暂不接收');
    await assignedTask(caseId, 'guardianship.assessment');
    await act(handle, { action: 'record-assessment', date: today(), panel: PANEL, finding: 'unfit', by: '民政局王科长' });
    expect((await stateWhen(handle, (s) => s.facts.nextReviewOn !== undefined)).facts.nextReviewOn).toBe('2026-05-31');

    const reviews = async () => (await bed!.db.pool.query<{ id: string; title: string; status: string }>(`SELECT id, title, status FROM tasks WHERE case_id = $1 AND kind = 'guardianship.review' ORDER BY created_at`, [caseId])).rows;
    const historyLength = async () => (await handle.describe()).historyLength;

    await bed.env.sleep('91 days');
    await taskOf(caseId, 'guardianship.review');
    await complete(caseId, 'guardianship.review', 'continue');
    await stateWhen(handle, (s) => s.facts.reviewsDone === 1);
    const afterFirst = await historyLength();

    await bed.env.sleep('90 days');
    await taskOf(caseId, 'guardianship.review');
    await complete(caseId, 'guardianship.review', 'change-needed', '拟申请撤销监护资格');
    await stateWhen(handle, (s) => s.facts.reviewsDone === 2);
    const afterSecond = await historyLength();
    expect(afterSecond - afterFirst).toBeLessThanOrEqual(REVIEW_CYCLE_EVENT_BUDGET);

    // A review left undone escalates, and the next one still comes on time.
    await bed.env.sleep('90 days');
    await stateWhen(handle, (s) => s.facts.reviewsIssued === 3);
    await bed.env.sleep('90 days');
    const state = await stateWhen(handle, (s) => s.facts.reviewsIssued === 4);
    const all = await reviews();
    expect(all.map((r) => r.title)).toEqual(['临时监护第 1 次定期评估（W3.8）', '临时监护第 2 次定期评估（W3.8）', '临时监护第 3 次定期评估（W3.8）', '临时监护第 4 次定期评估（W3.8）']);
    expect(all.map((r) => r.status)).toEqual(['completed', 'completed', 'open', 'open']);
    expect(state.facts.guardianship).toBe('temporary');
    // The worst case (a full escalation each cycle) stays within the budget per cycle.
    const afterFourth = await historyLength();
    expect((afterFourth - afterSecond) / 2).toBeLessThanOrEqual(REVIEW_CYCLE_EVENT_BUDGET);
    expect(73 * REVIEW_CYCLE_EVENT_BUDGET + afterFirst).toBeLessThan(10_240);

    // Temporary guardianship ends (a petition leads to long-term guardianship): open reviews are withdrawn, no more come.
    await act(handle, { action: 'petition-revocation', date: today(), by: '民政局王科长' });
    await complete(caseId, 'guardianship.file-petition', 'filed');
    await assignedTask(caseId, 'guardianship.urge-petition');
    await stateWhen(handle, (s) => s.facts.petitionFiled === true);
    await act(handle, { action: 'record-court-decision', date: today(), decision: 'revoked', court: '新华区人民法院', by: '民政局王科长' });
    await stateWhen(handle, (s) => s.stage === 'long-term' && !s.openTasks.some((t) => t.kind === 'guardianship.review'));
    expect((await reviews()).map((r) => r.status)).toEqual(['completed', 'completed', 'cancelled', 'cancelled']);
    expect((await handle.query(caseStateQuery)).facts.nextReviewOn).toBeUndefined();
    await handle.terminate('test over');
  });

  it('keeps a complete custody timeline through placement changes and a refused hand-off (W3.4, W3.7b)', async () => {
    bed = await startWorkflowBed({ startAt: START });
    await refreshToday();
    const { caseId, handle } = await openGuardianship();
    await complete(caseId, 'guardianship.police-handover', 'handed-over');
    await stageOf(handle, 'opening');
    // The bureau may also place the child by completing the W3.4 task: the placement is recorded the same way.
    await complete(caseId, 'guardianship.placement', 'protection-institution', '新华区未成年人救助保护中心');
    await complete(caseId, 'guardianship.open', 'opened');
    const placed = await stateWhen(handle, (s) => s.stage === 'assessment' && s.facts.custodianKind === 'protection-institution');
    expect(placed.facts.custodian).toBe('新华区未成年人救助保护中心');

    await expect(act(handle, { action: 'record-placement', placement: 'protection-institution', holder: '新华区未成年人救助保护中心', date: today(), reason: '无', by: '民政局王科长' })).rejects.toMatchObject(refused('与当前安置相同'));
    await expect(act(handle, { action: 'record-placement', placement: 'foster-family', holder: '寄养家庭 F-013', date: today(), by: '民政局王科长' })).rejects.toMatchObject(refused('须说明原因'));
    await expect(act(handle, { action: 'record-placement', placement: 'foster-family', holder: '寄养家庭 F-013', date: '2026-03-01', reason: '长期照料', by: '民政局王科长' })).rejects.toMatchObject(refused('不能早于案件受理日'));
    await bed.env.sleep('3 days');
    await refreshToday();
    await complete(caseId, 'guardianship.hukou-position', 'accept');
    await act(handle, { action: 'record-placement', placement: 'foster-family', holder: '寄养家庭 F-013', date: today(), reason: '需长期家庭照料', by: '民政局王科长' });
    expect((await handle.query(caseStateQuery)).facts).toMatchObject({ custodianKind: 'foster-family', custodian: '寄养家庭 F-013', custodyChanges: 4 });

    await stateWhen(handle, (s) => s.facts.hukouPosition === 'accept');
    await act(handle, { action: 'decide-hukou-handoff', date: today(), by: '民政局王科长' });
    await stageOf(handle, 'hukou-handoff');
    await act(handle, { action: 'record-placement', placement: 'relatives', holder: '舅舅（待护送返乡）', date: today(), reason: '寄养家庭临时无法照料', by: '民政局王科长' });
    await complete(caseId, 'guardianship.hukou-acceptance', 'refused', '户籍地监护人仍下落不明');
    // A refusal sends the case back: temporary guardianship goes on where the child is.
    const back = await stateWhen(handle, (s) => s.stage === 'assessment' && s.facts.hukouPosition === 'decline');
    expect(back.facts).toMatchObject({ custodianKind: 'relatives', custodian: '舅舅（待护送返乡）', guardianship: 'temporary', custodyChanges: 5 });

    const timeline = await custodyEvents(caseId);
    expect(timeline.map((c) => [c.kind, c.holder])).toEqual([
      ['police', '新华区公安局'],
      ['civil-affairs', '新华区民政局'],
      ['protection-institution', '新华区未成年人救助保护中心'],
      ['foster-family', '寄养家庭 F-013'],
      ['relatives', '舅舅（待护送返乡）'],
    ]);
    // Contiguous: each holder's period ends when the next one's begins; nobody is missing.
    timeline.forEach((entry, index) => {
      const before = timeline[index - 1];
      if (!before) expect(entry.previous).toBeNull();
      else expect(entry.previous).toMatchObject({ kind: before.kind, since: before.since, until: entry.since });
    });
    expect(timeline.at(-1)?.actor).toBe('民政局王科长');
    await handle.terminate('test over');
  });
});
