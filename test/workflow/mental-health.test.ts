/**
 * W2 mental-health referral pathway on the time-skipping server, with the real activities,
 * Postgres and SMTP: each path of policy.md W2.1-W2.6 that issue #6 lists.
 *
 * County 410402 (新华区) has no providers until the first referral, which seeds its
 * defaults: tier medium mz-410402-mh1, mz-410402-mh2; tier high wj-410402-mh1, wj-410402-mh2.
 *
 * 2026 calendar used below (chinese-days): 10-01..07 National Day off, Saturday 10-10 a
 * make-up working day. From Tuesday 2026-09-29, 3 WD end on Friday 10-09 (24:00 China);
 * from Saturday 10-10, 3 WD end on Wednesday 10-14; +1 WD is 10-15, +3 WD Monday 10-19,
 * +5 WD 10-21.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { openCase, type CaseDeps } from '../../src/api/cases/service';
import { createChildBody } from '../../src/api/children/schemas';
import { registerChild } from '../../src/api/children/service';
import { chinaDateOf } from '../../src/domain/calendar-date';
import type { MentalHealthAction, MentalHealthSource, RiskTier } from '../../src/domain/mental-health';
import { createFieldCrypto } from '../../src/security/field-crypto';
import { bureauTaskWorkflowId, caseWorkflowId } from '../../src/temporal/workflow-ids';
import { caseStateQuery, completeTaskUpdate, mentalHealthActionUpdate } from '../../src/workflows/messages';
import { childBody } from '../support/fixtures';
import { recordHistoryIfAsked } from '../support/histories';
import { startWorkflowBed, TEST_CENTRAL_DISTRICTS, type WorkflowBed } from '../support/workflow-bed';

let bed: WorkflowBed | undefined;
afterEach(async () => {
  await bed?.stop();
  bed = undefined;
});

/** 09:00 China time on Monday 2026-03-02: every path ends within the calendar's 2026. */
const START = '2026-03-02T01:00:00Z';
/** 09:00 China time on Tuesday 2026-09-29, before National Day. */
const SEPT_29 = '2026-09-29T01:00:00Z';
const TOWNSHIP = '410402001';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** End of a China day, as an ISO instant. */
const endOfChinaDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 16 * HOUR).toISOString();
/** Within a minute: timers fire at their instant; the workflow reads the clock a moment later. */
const near = (actual: string | Date, expected: string | number) => Math.abs(new Date(actual).getTime() - new Date(expected).getTime()) < 60_000;

interface OpenOptions {
  riskTier: RiskTier;
  source?: MentalHealthSource;
  suspectedAbuse?: boolean;
  townshipCode?: string;
  params?: Record<string, number>;
}

async function openMentalHealth(options: OpenOptions) {
  const b = bed!;
  const today = chinaDateOf(await b.env.currentTimeMs());
  const registry = { pool: b.db.pool, temporal: b.env.client, taskQueue: b.taskQueue, crypto: createFieldCrypto(Buffer.alloc(32, 6)), eligibilityParams: { centralUrbanDistricts: TEST_CENTRAL_DISTRICTS }, today: () => today };
  const child = await registerChild(registry, createChildBody.parse(childBody({ arrivalDate: '2025-01-10' })), 'test');
  const deps: CaseDeps = { pool: b.db.pool, temporal: b.env.client, taskQueue: b.taskQueue };
  const body = {
    type: 'mental-health' as const,
    childId: child.id,
    townshipCode: options.townshipCode,
    intake: { source: options.source ?? 'children-director', riskTier: options.riskTier, suspectedAbuse: options.suspectedAbuse ?? false, reportedBy: '儿童主任王某' },
    params: options.params,
  };
  const { view } = await openCase(deps, body, undefined);
  return { caseId: view.id, handle: b.env.client.workflow.getHandle(caseWorkflowId('mental-health', view.id)) };
}

async function eventually(accept: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !accept(); i += 1) await new Promise((r) => setTimeout(r, 50));
  expect(accept()).toBe(true);
}

interface TaskRow {
  id: string;
  assignee_code: string;
  status: string;
  due_at: Date;
  created_at: Date;
  title: string;
}

/** The case's newest task of `kind` (and assignee) in `statuses`, once the workflow has created it. */
async function taskOf(caseId: string, kind: string, assignee?: string, statuses = ['open', 'acknowledged']): Promise<TaskRow> {
  for (let i = 0; i < 200; i += 1) {
    const row = (
      await bed!.db.pool.query<TaskRow>(
        `SELECT id, assignee_code, status, due_at, created_at, title FROM tasks
          WHERE case_id = $1 AND kind = $2 AND ($3::text IS NULL OR assignee_code = $3) AND status = ANY($4)
          ORDER BY created_at DESC LIMIT 1`,
        [caseId, kind, assignee ?? null, statuses],
      )
    ).rows[0];
    if (row) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${statuses.join('/')} ${kind} task${assignee ? ` of ${assignee}` : ''}`);
}

/**
 * The task once its assignment mail has gone out, so its workflow is idle on its timer.
 * Withdrawing a task whose activity is still running races the activity's completion, which
 * the time-skipping server answers with ACTIVITY_UNKNOWN and then stops skipping time.
 */
async function assigned(caseId: string, kind: string, assignee?: string): Promise<TaskRow> {
  const task = await taskOf(caseId, kind, assignee);
  await eventually(() => bed!.smtp.messages.some((m) => m.text.includes(`/api/v1/tasks/${task.id}`)));
  return task;
}

/** The guardian's decision, recorded once the talk task is in the 儿童主任's (or school's) inbox. */
async function decide(caseId: string, handle: WorkflowHandle, decision: 'consented' | 'refused', danger = false, date = '2026-03-03') {
  await assigned(caseId, 'mental-health.guardian-talk');
  return act(handle, { action: 'record-guardian-decision', decision, danger, date, by: '儿童主任王某' });
}

async function complete(caseId: string, kind: string, outcome: string, note?: string, assignee?: string): Promise<TaskRow> {
  const task = await taskOf(caseId, kind, assignee);
  await bed!.env.client.workflow.getHandle(bureauTaskWorkflowId(task.id)).executeUpdate(completeTaskUpdate, { args: [{ outcome, note, by: '经办人' }] });
  return task;
}

async function stageOf(handle: WorkflowHandle, expected: string) {
  for (let i = 0; i < 200; i += 1) {
    const state = await handle.query(caseStateQuery);
    if (state.stage === expected) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  return handle.query(caseStateQuery);
}

const act = (handle: WorkflowHandle, action: MentalHealthAction) => handle.executeUpdate(mentalHealthActionUpdate, { args: [action] });

async function timeline(caseId: string): Promise<Array<{ kind: string; summary: Record<string, unknown> }>> {
  return (await bed!.db.pool.query<{ kind: string; summary: Record<string, unknown> }>('SELECT kind, summary FROM case_events WHERE case_id = $1 ORDER BY at, id', [caseId])).rows;
}

/** Skips virtual time until the instant `iso`. */
async function skipTo(iso: string): Promise<void> {
  const now = await bed!.env.currentTimeMs();
  await bed!.env.sleep(Math.max(1, Date.parse(iso) - now));
}

const mailsTo = (code: string) => bed!.smtp.messages.filter((m) => m.to.includes(`${code}@pds.careflow.local`));

/** Words that would reveal a risk tier, a consent or a diagnosis. */
const SENSITIVE = [/\b(crisis|low|medium|high)\b/, '危机', '风险', '同意', '拒绝', '诊断', '精神障碍'];
function expectNoSensitiveMail(): void {
  for (const mail of bed!.smtp.messages) {
    const text = `${mail.subject}\n${mail.text}`;
    for (const word of SENSITIVE) expect(typeof word === 'string' ? text.includes(word) : word.test(text), `${mail.subject} mentions ${String(word)}`).toBe(false);
  }
}

describe('mentalHealth workflow (W2)', () => {
  it('W2.2: a crisis with suspected abuse puts guardian, police, hospital and the mandatory report on 2-hour deadlines, escalates a late one at once, and records the W3 need', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openMentalHealth({ riskTier: 'crisis', suspectedAbuse: true, source: 'hotline-12355', townshipCode: TOWNSHIP });

    const guardian = await taskOf(caseId, 'mental-health.urgent-guardian');
    const police = await taskOf(caseId, 'mental-health.urgent-police');
    const hospital = await taskOf(caseId, 'mental-health.urgent-hospital');
    const report = await taskOf(caseId, 'mental-health.mandatory-report');
    expect([guardian, police, hospital, report].map((t) => t.assignee_code)).toEqual([`xz-${TOWNSHIP}`, 'ga-410402', 'wj-410402-mh1', 'ga-410402']);
    for (const task of [guardian, police, hospital, report]) {
      expect(task.due_at.getTime() - task.created_at.getTime()).toBe(2 * HOUR);
      expect(task.created_at.getTime() - Date.parse(START)).toBeLessThan(HOUR);
    }
    expect((await handle.query(caseStateQuery)).stage).toBe('triage');

    await complete(caseId, 'mental-health.urgent-guardian', 'contacted');
    await complete(caseId, 'mental-health.urgent-hospital', 'received');
    await complete(caseId, 'mental-health.mandatory-report', 'investigating');
    // The police let the 2 hours pass: the county supervisor is told at once, the assignee reminded.
    await bed.env.sleep(2 * HOUR + 60_000);
    const supervisor = mailsTo('mz-410402').map((m) => m.subject);
    expect(supervisor).toContain('【案件通报】紧急协助任务逾期未办结（W2.2）');
    expect(supervisor).toContain('【案件通报】疑似侵害未成年人：请评估是否需要临时监护（W3）');
    expect(mailsTo('ga-410402').map((m) => m.subject)).toContain('【到期提醒】紧急协助：确保儿童及他人安全（W2.2）');
    const overdue = (await timeline(caseId)).filter((e) => e.kind === 'urgent-overdue');
    expect(overdue).toEqual([{ kind: 'urgent-overdue', summary: { taskId: police.id, kind: 'mental-health.urgent-police', assignee: 'ga-410402' } }]);

    await complete(caseId, 'mental-health.urgent-police', 'handled');
    const guardianStage = await stageOf(handle, 'guardian');
    expect(guardianStage.facts).toMatchObject({ riskTier: 'crisis', tier: 'high', mandatoryReport: true });
    const talk = await taskOf(caseId, 'mental-health.guardian-talk');
    expect(talk.assignee_code).toBe(`xz-${TOWNSHIP}`);
    expect(talk.due_at.getTime() - talk.created_at.getTime()).toBe(72 * HOUR);
    expect((await timeline(caseId)).map((e) => e.kind)).toEqual(expect.arrayContaining(['reported', 'guardianship-needed', 'urgent-overdue']));

    // Sensitive data: no tier in mails or search attributes.
    expectNoSensitiveMail();
    const description = await handle.describe();
    expect(description.searchAttributes).toMatchObject({ CaseType: ['mental-health'], County: ['410402'], Stage: ['guardian'] });
    expect(JSON.stringify(description.searchAttributes)).not.toMatch(/crisis|high/);
    await recordHistoryIfAsked('mentalHealth.crisis-response', handle);
    await handle.terminate('test over');
  });

  it('W2.4: re-routes a medium-tier referral the first provider declines to the next, which accepts', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openMentalHealth({ riskTier: 'medium', townshipCode: TOWNSHIP });
    await stageOf(handle, 'guardian');
    await decide(caseId, handle, 'consented');
    // The decision ends the talk: its task is withdrawn from the township's inbox.
    expect((await taskOf(caseId, 'mental-health.guardian-talk', undefined, ['cancelled'])).assignee_code).toBe(`xz-${TOWNSHIP}`);

    const first = await taskOf(caseId, 'mental-health.referral');
    expect(first.assignee_code).toBe('mz-410402-mh1');
    expect(first.due_at.toISOString()).toBe(endOfChinaDay('2026-03-05'));
    await complete(caseId, 'mental-health.referral', 'declined', '名额已满', 'mz-410402-mh1');
    const second = await taskOf(caseId, 'mental-health.referral', 'mz-410402-mh2');
    await complete(caseId, 'mental-health.referral', 'accepted', undefined, 'mz-410402-mh2');

    const state = await stageOf(handle, 'sessions');
    expect(state.facts).toMatchObject({ tier: 'medium', provider: 'mz-410402-mh2', providersTried: 2, consent: 'consented' });
    const events = await timeline(caseId);
    expect(events.filter((e) => ['provider-declined', 'provider-accepted'].includes(e.kind))).toEqual([
      { kind: 'provider-declined', summary: { provider: 'mz-410402-mh1' } },
      { kind: 'provider-accepted', summary: { provider: 'mz-410402-mh2' } },
    ]);
    expect(mailsTo('mz-410402-mh1').map((m) => m.subject)).toEqual(['【待办任务】心理健康服务转介：请确认是否接收（W2.4）']);
    expect(mailsTo('mz-410402-mh2').map((m) => m.subject)).toEqual(['【待办任务】心理健康服务转介：请确认是否接收（W2.4）']);
    expect(second.assignee_code).toBe('mz-410402-mh2');
    // The seeded providers are ordinary directory entries, with their tier and superior.
    const providers = (await bed.db.pool.query('SELECT code, kind, service_tier, superior_code FROM departments WHERE service_tier IS NOT NULL ORDER BY code')).rows;
    expect(providers).toEqual([
      { code: 'mz-410402-mh1', kind: 'mz', service_tier: 'medium', superior_code: 'mz-410402' },
      { code: 'mz-410402-mh2', kind: 'mz', service_tier: 'medium', superior_code: 'mz-410402' },
      { code: 'wj-410402-mh1', kind: 'wj', service_tier: 'high', superior_code: 'wj-410402' },
      { code: 'wj-410402-mh2', kind: 'wj', service_tier: 'high', superior_code: 'wj-410402' },
    ]);
    expectNoSensitiveMail();
    await handle.terminate('test over');
  });

  it('W2.4: a silent provider is replaced one hour after its 3 WD with its breach recorded; the last one silent climbs the ladder', async () => {
    bed = await startWorkflowBed({ startAt: SEPT_29 });
    const { caseId, handle } = await openMentalHealth({ riskTier: 'medium', townshipCode: TOWNSHIP });
    await stageOf(handle, 'guardian');
    await decide(caseId, handle, 'consented');
    const first = await taskOf(caseId, 'mental-health.referral', 'mz-410402-mh1');
    expect(first.due_at.toISOString()).toBe(endOfChinaDay('2026-10-09'));

    // Just before the deadline plus grace: still the first provider's.
    await skipTo('2026-10-09T16:30:00Z');
    expect((await handle.query(caseStateQuery)).openTasks.map((t) => t.assigneeCode)).toEqual(['mz-410402-mh1']);
    await skipTo('2026-10-09T17:00:30Z');
    const second = await taskOf(caseId, 'mental-health.referral', 'mz-410402-mh2');
    // Assigned on Saturday 10-10 (China), a make-up working day: due at the end of Wednesday 10-14.
    expect(second.due_at.toISOString()).toBe(endOfChinaDay('2026-10-14'));
    expect((await bed.db.pool.query('SELECT status FROM tasks WHERE id = $1', [first.id])).rows[0]).toEqual({ status: 'cancelled' });
    const firstBreaches = (await bed.db.pool.query('SELECT department_code, kind FROM breaches WHERE task_id = $1', [first.id])).rows;
    expect(firstBreaches).toEqual([{ department_code: 'mz-410402-mh1', kind: 'overdue' }]);
    expect(mailsTo('mz-410402-mh1').map((m) => m.subject)).toEqual(['【待办任务】心理健康服务转介：请确认是否接收（W2.4）', '【到期提醒】心理健康服务转介：请确认是否接收（W2.4）']);

    // The last provider is not replaced: its task walks the ladder at working-day instants.
    await skipTo('2026-10-21T16:01:00Z');
    const ladder = (await bed.db.pool.query<{ level: number; recipient: string; at: Date }>('SELECT level, recipient, at FROM escalations WHERE task_id = $1 ORDER BY level', [second.id])).rows;
    expect(ladder.map((r) => [r.level, r.recipient])).toEqual([
      [1, 'mz-410402-mh2'],
      [2, 'mz-410402-mh2'],
      [3, 'mz-410402'],
      [4, 'mz-410400'],
    ]);
    expect(ladder.map((r, i) => near(r.at, endOfChinaDay(['2026-10-14', '2026-10-15', '2026-10-19', '2026-10-21'][i]!)))).toEqual([true, true, true, true]);
    const state = await handle.query(caseStateQuery);
    expect(state).toMatchObject({ stage: 'referral', escalationLevel: 4, facts: { providersTried: 2 } });
    expect((await timeline(caseId)).filter((e) => e.kind === 'provider-silent')).toEqual([{ kind: 'provider-silent', summary: { provider: 'mz-410402-mh1', taskId: first.id } }]);

    // A late acceptance still counts: the case moves on to sessions.
    await complete(caseId, 'mental-health.referral', 'accepted', undefined, 'mz-410402-mh2');
    expect((await stageOf(handle, 'sessions')).facts.provider).toBe('mz-410402-mh2');
    await handle.terminate('test over');
  });

  it('W2.5: monthly reviews step a medium case down to school counselling and then close it', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openMentalHealth({ riskTier: 'medium', source: 'school-screening' });
    await stageOf(handle, 'guardian');
    expect((await taskOf(caseId, 'mental-health.guardian-talk')).assignee_code).toBe('jt-410402');
    await decide(caseId, handle, 'consented');
    await complete(caseId, 'mental-health.referral', 'accepted', undefined, 'mz-410402-mh1');
    await stageOf(handle, 'sessions');
    const acceptedAt = await bed.env.currentTimeMs();
    // An action the stage does not allow is refused with the reason, and changes nothing.
    await expect(act(handle, { action: 'record-discharge', date: '2026-03-10', by: '某人' })).rejects.toMatchObject({
      cause: { message: '当前阶段（服务与定期评估（W2.5））不允许此操作（record-discharge）' },
    });
    await expect(act(handle, { action: 'record-diagnosis', date: '2026-03-10', by: '某人' })).rejects.toMatchObject({
      cause: { message: '严重精神障碍的诊断应由承接转介的医疗机构作出' },
    });
    await act(handle, { action: 'record-session', date: '2026-03-10', attended: true, by: '心理咨询师' });
    await act(handle, { action: 'record-session', date: '2026-03-17', attended: false, by: '心理咨询师' });

    // Review 1 after 30 days: continue.
    await bed.env.sleep(30 * DAY + 60_000);
    const review1 = await taskOf(caseId, 'mental-health.review', 'mz-410402-mh1');
    expect(near(review1.created_at, acceptedAt + 30 * DAY)).toBe(true);
    const offered = (await bed.db.pool.query('SELECT accepted_outcomes FROM tasks WHERE id = $1', [review1.id])).rows[0].accepted_outcomes.map((o: { code: string }) => o.code);
    expect(offered).toEqual(['continue', 'step-up', 'step-down', 'close']);
    await complete(caseId, 'mental-health.review', 'continue');
    // Review 2: step down to the low tier, where the school that screened the child counsels.
    await bed.env.sleep(30 * DAY + 60_000);
    await complete(caseId, 'mental-health.review', 'step-down');
    await stageOf(handle, 'referral');
    const school = await taskOf(caseId, 'mental-health.referral', 'jt-410402');
    await complete(caseId, 'mental-health.referral', 'accepted', undefined, 'jt-410402');
    expect((await stageOf(handle, 'sessions')).facts).toMatchObject({ tier: 'low', provider: 'jt-410402' });
    // Review 3, at the low tier (no step down offered): close.
    await bed.env.sleep(30 * DAY + 60_000);
    const review3 = await taskOf(caseId, 'mental-health.review', 'jt-410402');
    expect((await bed.db.pool.query('SELECT accepted_outcomes FROM tasks WHERE id = $1', [review3.id])).rows[0].accepted_outcomes.map((o: { code: string }) => o.code)).toEqual(['continue', 'step-up', 'close']);
    await complete(caseId, 'mental-health.review', 'close');

    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'completed', facts: { tier: 'low', reviews: 3, sessions: 1 } });
    expect(school.assignee_code).toBe('jt-410402');
    const events = await timeline(caseId);
    expect(events.filter((e) => e.kind === 'review').map((e) => e.summary)).toEqual([
      { result: 'continue', tier: 'medium' },
      { result: 'step-down', tier: 'medium' },
      { result: 'close', tier: 'low' },
    ]);
    expect(events.filter((e) => e.kind === 'tier-changed').map((e) => e.summary)).toEqual([{ from: 'medium', to: 'low', reason: 'review' }]);
    expect(events.at(-1)?.kind).toBe('closed');
    expect((await bed.db.pool.query('SELECT status, stage, outcome FROM cases WHERE id = $1', [caseId])).rows[0]).toEqual({ status: 'closed', stage: 'closed', outcome: 'completed' });
    expectNoSensitiveMail();
    await recordHistoryIfAsked('mentalHealth.reviews-stepping-down-to-closure', handle);
  });

  it('W2.3: a refusal without danger keeps the 儿童主任 counselling and offers the referral again after 30 days', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openMentalHealth({ riskTier: 'low', townshipCode: TOWNSHIP });
    await stageOf(handle, 'guardian');
    await decide(caseId, handle, 'refused');
    const counselling = await stageOf(handle, 'sessions');
    expect(counselling.facts).toMatchObject({ consent: 'refused', reoffers: 1 });
    expect((await taskOf(caseId, 'mental-health.counselling')).assignee_code).toBe(`xz-${TOWNSHIP}`);
    await act(handle, { action: 'record-session', date: '2026-03-10', attended: true, by: '儿童主任王某' });
    await expect(act(handle, { action: 'request-review', by: '儿童主任王某' })).rejects.toMatchObject({ cause: { message: '尚未转介到服务机构，不能申请评估' } });

    await bed.env.sleep(30 * DAY + 60_000);
    await stageOf(handle, 'guardian');
    const again = await taskOf(caseId, 'mental-health.guardian-talk');
    expect(again.title).toBe('与监护人沟通服务安排（W2.3，第 2 次）');
    await decide(caseId, handle, 'consented', false, '2026-04-03');
    // Low tier: the 儿童主任's township first, the school second.
    expect((await taskOf(caseId, 'mental-health.referral')).assignee_code).toBe(`xz-${TOWNSHIP}`);
    expect((await stageOf(handle, 'referral')).facts).toMatchObject({ consent: 'consented', tier: 'low' });
    expect((await timeline(caseId)).filter((e) => e.kind === 'guardian-decision').map((e) => e.summary.decision)).toEqual(['refused', 'consented']);
    expectNoSensitiveMail();
    await handle.terminate('test over');
  });

  it('W2.3: refusals past the last re-offer end the case without a referral', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openMentalHealth({ riskTier: 'low', params: { maxReoffers: 0 } });
    await stageOf(handle, 'guardian');
    await decide(caseId, handle, 'refused');
    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'ended-without-referral' });
  });

  it('W2.3: a refusal with danger brings in the police and routes to a medical institution; all declining sends it up to the health commission', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openMentalHealth({ riskTier: 'medium', townshipCode: TOWNSHIP });
    await stageOf(handle, 'guardian');
    await decide(caseId, handle, 'refused', true);

    const police = await taskOf(caseId, 'mental-health.danger-response');
    expect(police.assignee_code).toBe('ga-410402');
    expect(police.due_at.getTime() - police.created_at.getTime()).toBe(2 * HOUR);
    await eventually(() => mailsTo('mz-410402').map((m) => m.subject).includes('【案件通报】心理健康转介案件需升级处置（W2.3）'));
    expect((await stageOf(handle, 'referral')).facts).toMatchObject({ tier: 'high', consent: 'refused' });
    expect((await timeline(caseId)).filter((e) => e.kind === 'tier-changed').map((e) => e.summary)).toEqual([{ from: 'medium', to: 'high', reason: 'danger' }]);

    await complete(caseId, 'mental-health.referral', 'declined', '无床位', 'wj-410402-mh1');
    await complete(caseId, 'mental-health.referral', 'declined', '无儿童精神科', 'wj-410402-mh2');
    const arrange = await taskOf(caseId, 'mental-health.arrange-provider');
    expect(arrange.assignee_code).toBe('wj-410402');
    await complete(caseId, 'mental-health.arrange-provider', 'arranged', '市精神卫生中心');
    expect((await stageOf(handle, 'sessions')).facts).toMatchObject({ provider: 'wj-410402', providersTried: 2 });
    await complete(caseId, 'mental-health.danger-response', 'handled');
    expectNoSensitiveMail();
    await handle.terminate('test over');
  });

  it('W2.6: a diagnosed severe mental disorder enrolls community rehabilitation and is followed up after discharge', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openMentalHealth({ riskTier: 'high', townshipCode: TOWNSHIP, params: { followUps: 2 } });
    await stageOf(handle, 'guardian');
    await decide(caseId, handle, 'consented');
    await complete(caseId, 'mental-health.referral', 'accepted', undefined, 'wj-410402-mh1');
    await stageOf(handle, 'sessions');
    await act(handle, { action: 'record-diagnosis', date: '2026-03-12', by: '精神科医师' });
    await stageOf(handle, 'aftercare');
    await expect(act(handle, { action: 'record-diagnosis', date: '2026-03-12', by: '精神科医师' })).rejects.toMatchObject({
      cause: { message: '当前阶段（社区康复与出院随访（W2.6））不允许此操作（record-diagnosis）' },
    });
    expect((await taskOf(caseId, 'mental-health.health-management')).assignee_code).toBe('wj-410402');
    expect((await taskOf(caseId, 'mental-health.community-rehabilitation')).assignee_code).toBe('mz-410402');
    await complete(caseId, 'mental-health.health-management', 'enrolled');
    await complete(caseId, 'mental-health.community-rehabilitation', 'enrolled');
    await act(handle, { action: 'record-discharge', date: '2026-04-20', by: '精神科医师' });

    const first = await complete(caseId, 'mental-health.follow-up', 'visited');
    expect(first.title).toBe('出院后随访（W2.6，第 1 次）');
    await bed.env.sleep(30 * DAY + 60_000);
    const second = await complete(caseId, 'mental-health.follow-up', 'visited');
    expect(second.title).toBe('出院后随访（W2.6，第 2 次）');
    expect(near(second.created_at, first.created_at.getTime() + 30 * DAY)).toBe(true);

    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'community-care', facts: { diagnosed: true, followUps: 2 } });
    expect((await timeline(caseId)).map((e) => e.kind)).toEqual(expect.arrayContaining(['diagnosis-recorded', 'discharged', 'closed']));
    expectNoSensitiveMail();
    await recordHistoryIfAsked('mentalHealth.community-rehabilitation', handle);
  });
});
