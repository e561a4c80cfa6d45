/**
 * W1 drop-out return to school on the time-skipping server, with the real activities,
 * Postgres and SMTP: each path of policy.md W1.1-W1.8.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openCase, type CaseDeps } from '../../src/api/cases/service';
import { createChildBody } from '../../src/api/children/schemas';
import { registerChild } from '../../src/api/children/service';
import { chinaDateOf } from '../../src/domain/calendar-date';
import { createFieldCrypto } from '../../src/security/field-crypto';
import { bureauTaskWorkflowId, caseWorkflowId } from '../../src/temporal/workflow-ids';
import { caseStateQuery, completeTaskUpdate, dropoutActionUpdate } from '../../src/workflows/messages';
import type { DropoutAction } from '../../src/domain/dropout';
import { childBody } from '../support/fixtures';
import { recordHistoryIfAsked } from '../support/histories';
import { serveEntitlementReferrals, startWorkflowBed, TEST_CENTRAL_DISTRICTS, type WorkflowBed } from '../support/workflow-bed';

let bed: WorkflowBed | undefined;
afterEach(async () => {
  await bed?.stop();
  bed = undefined;
});

/** 09:00 China time on Monday 2026-03-02: far enough from the year end for every path. */
const START = '2026-03-02T01:00:00Z';

async function openDropout(report: { kind: 'suspected' | 'dropped-out' | 'at-risk'; absenceDays: number } = { kind: 'suspected', absenceDays: 4 }) {
  const b = bed!;
  const today = chinaDateOf(await b.env.currentTimeMs());
  const registry = { pool: b.db.pool, temporal: b.env.client, taskQueue: b.taskQueue, crypto: createFieldCrypto(Buffer.alloc(32, 5)), eligibilityParams: { centralUrbanDistricts: TEST_CENTRAL_DISTRICTS }, today: () => today };
  const child = await registerChild(registry, createChildBody.parse(childBody({ arrivalDate: '2025-01-10' })), 'test');
  expect(await serveEntitlementReferrals(b, child.id)).toBeGreaterThan(0);
  const deps: CaseDeps = { pool: b.db.pool, temporal: b.env.client, taskQueue: b.taskQueue };
  const { view } = await openCase(deps, { type: 'dropout', childId: child.id, report: { ...report, source: 'school', reportedBy: '班主任' } }, undefined);
  return { caseId: view.id, handle: b.env.client.workflow.getHandle(caseWorkflowId('dropout', view.id)) };
}

/** The case's open task of `kind`, once the workflow has created it. */
async function taskOf(caseId: string, kind: string): Promise<string> {
  for (let i = 0; i < 200; i += 1) {
    const row = (await bed!.db.pool.query<{ id: string }>(`SELECT id FROM tasks WHERE case_id = $1 AND kind = $2 AND status IN ('open', 'acknowledged') ORDER BY created_at DESC LIMIT 1`, [caseId, kind])).rows[0];
    if (row) return row.id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no open ${kind} task`);
}

async function complete(caseId: string, kind: string, outcome: string, note?: string) {
  const taskId = await taskOf(caseId, kind);
  await bed!.env.client.workflow.getHandle(bureauTaskWorkflowId(taskId)).executeUpdate(completeTaskUpdate, { args: [{ outcome, note, by: '经办人' }] });
}

async function stageOf(handle: Awaited<ReturnType<typeof openDropout>>['handle'], expected: string) {
  for (let i = 0; i < 200; i += 1) {
    const state = await handle.query(caseStateQuery);
    if (state.stage === expected) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  return handle.query(caseStateQuery);
}

const act = (handle: Awaited<ReturnType<typeof openDropout>>['handle'], action: DropoutAction) => handle.executeUpdate(dropoutActionUpdate, { args: [action] });

async function timelineKinds(caseId: string): Promise<string[]> {
  return (await bed!.db.pool.query<{ kind: string }>('SELECT kind FROM case_events WHERE case_id = $1 ORDER BY at, id', [caseId])).rows.map((r) => r.kind);
}

describe('dropout workflow (W1)', () => {
  it('closes a verified false alarm', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openDropout();
    await complete(caseId, 'dropout.verify', 'false-alarm');
    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'false-alarm' });
    const row = (await bed.db.pool.query('SELECT status, stage, outcome FROM cases WHERE id = $1', [caseId])).rows[0];
    expect(row).toEqual({ status: 'closed', stage: 'closed', outcome: 'false-alarm' });
    // Township (by county education bureau fallback) and police were told of the verification.
    expect(bed.smtp.messages.some((m) => m.to.includes('ga-410402@pds.careflow.local') && m.subject.startsWith('【案件通报】'))).toBe(true);
  });

  it('returns after persuasion visits, follows up for a term of monthly checks, then closes', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openDropout();
    await complete(caseId, 'dropout.verify', 'confirmed');
    await stageOf(handle, 'persuasion');
    await act(handle, { action: 'log-persuasion-visit', date: '2026-03-04', visitor: '儿童主任王某', result: 'refused', by: '儿童主任王某' });
    await act(handle, { action: 'log-persuasion-visit', date: '2026-03-06', visitor: '班主任', result: 'agreed', by: '班主任' });
    await act(handle, { action: 'record-return', date: '2026-03-09', school: '新华区第一小学', by: '班主任' });
    expect((await stageOf(handle, 'follow-up')).facts.persuasionVisits).toBe(2);

    for (let month = 1; month <= 4; month += 1) {
      await bed.env.sleep('31 days');
      await complete(caseId, 'dropout.monthly-check', 'attending');
    }
    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'returned' });
    const kinds = await timelineKinds(caseId);
    expect(kinds.filter((k) => k === 'persuasion-visit')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'task-completed')).toHaveLength(5);
    expect(kinds.at(-1)).toBe('closed');
    await recordHistoryIfAsked('dropout.returned-and-followed-up', handle);
  });

  it('goes back to persuasion when the child drops out again during follow-up', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openDropout();
    await complete(caseId, 'dropout.verify', 'confirmed');
    await stageOf(handle, 'persuasion');
    await act(handle, { action: 'record-return', date: '2026-03-05', school: '新华区第一小学', by: '班主任' });
    await stageOf(handle, 'follow-up');
    await bed.env.sleep('31 days');
    await complete(caseId, 'dropout.monthly-check', 'relapse', '连续一周未到校');

    expect((await stageOf(handle, 'persuasion')).stage).toBe('persuasion');
    // Persuasion works again: a second return is accepted.
    await act(handle, { action: 'record-return', date: '2026-04-20', school: '新华区第一小学', by: '班主任' });
    expect((await stageOf(handle, 'follow-up')).stage).toBe('follow-up');
    await handle.terminate('test over');
  });

  it('walks refusal through the order, administrative measures and legal action', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openDropout({ kind: 'dropped-out', absenceDays: 20 });
    await complete(caseId, 'dropout.verify', 'confirmed');
    await stageOf(handle, 'persuasion');
    await bed.env.sleep('16 days');
    expect((await stageOf(handle, 'order')).stage).toBe('order');
    await complete(caseId, 'dropout.order', 'order-issued');
    await bed.env.sleep('16 days');
    const measures = await stageOf(handle, 'measures');
    expect(measures.openTasks.map((t) => t.assigneeCode).sort()).toEqual(['fl-410402', 'ga-410402', 'jt-410402']);
    await complete(caseId, 'dropout.fine', 'done');
    await complete(caseId, 'dropout.reprimand', 'done');
    await complete(caseId, 'dropout.guidance', 'done');
    await bed.env.sleep('16 days');
    const legal = await stageOf(handle, 'legal-action');
    expect(legal.openTasks.map((t) => t.assigneeCode).sort()).toEqual(['jc-410402', 'jt-410402']);
    await complete(caseId, 'dropout.lawsuit', 'filed');
    await complete(caseId, 'dropout.support-suit', 'supported');
    // An action the stage does not allow is refused with the reason.
    await expect(act(handle, { action: 'record-relapse', date: '2026-05-01', note: 'x', by: '某人' })).rejects.toMatchObject({
      cause: { message: '当前阶段（法律途径（W1.6））不允许此操作（record-relapse）' },
    });
    await act(handle, { action: 'record-court-outcome', date: '2026-05-20', result: '法院判决监护人送子女入学', by: '教体局' });
    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'court-decided' });
    expect(await timelineKinds(caseId)).toEqual(expect.arrayContaining(['stage', 'task-assigned', 'task-completed', 'court-outcome', 'closed']));
  });

  it('escalates a verification never done up the ladder to a procuratorate referral', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openDropout();
    const taskId = await taskOf(caseId, 'dropout.verify');
    await bed.env.sleep('45 days');
    const state = await handle.query(caseStateQuery);
    expect(state.stage).toBe('verification');
    expect(state.escalationLevel).toBe(4);
    expect((await bed.db.pool.query('SELECT escalation_level FROM cases WHERE id = $1', [caseId])).rows[0]).toEqual({ escalation_level: 4 });
    // Mirrored for the Temporal UI: type, county, stage, level, overdue; no personal data.
    expect((await handle.describe()).searchAttributes).toMatchObject({ CaseType: ['dropout'], County: ['410402'], Stage: ['verification'], EscalationLevel: [4], Overdue: [true] });
    const referral = (await bed.db.pool.query<{ department_code: string; dossier: { triggeredBy: string } }>('SELECT department_code, dossier FROM referrals')).rows;
    expect(referral).toHaveLength(1);
    expect(referral[0]).toMatchObject({ department_code: 'jt-410402', dossier: { triggeredBy: taskId } });
    await handle.terminate('test over');
  });

  it('hands the file to the 户籍地 education bureau when the child has moved back, and closes', async () => {
    bed = await startWorkflowBed({ startAt: START });
    const { caseId, handle } = await openDropout();
    await complete(caseId, 'dropout.verify', 'confirmed');
    await stageOf(handle, 'persuasion');
    await act(handle, { action: 'record-moved-back', date: '2026-03-10', hukouCountyCode: '410102', by: '儿童主任' });
    await stageOf(handle, 'handoff');
    const handoff = await taskOf(caseId, 'dropout.handoff');
    const assignee = (await bed.db.pool.query('SELECT assignee_code FROM tasks WHERE id = $1', [handoff])).rows[0];
    expect(assignee).toEqual({ assignee_code: 'outside-jt-410102' });
    await complete(caseId, 'dropout.handoff', 'accepted');
    expect(await handle.result()).toMatchObject({ status: 'closed', outcome: 'handed-off' });
    expect(bed.smtp.messages.some((m) => m.to.includes('outside-jt-410102@hukou.careflow.local'))).toBe(true);
  });
});
