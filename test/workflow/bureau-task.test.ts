/**
 * Issue #3 on the time-skipping server: the escalation ladder at working-day instants
 * across the 2026 National Day holiday, the breach threshold, the procuratorate referral
 * and its reply timer, completion mid-ladder, and a refused outcome.
 *
 * 2026 calendar used below (chinese-days): 09-25..27 Mid-Autumn off, 10-01..07 National
 * Day off, Saturday 10-10 a make-up working day. From Monday 2026-09-28, 3 WD ends on
 * Thursday 10-08; +1 WD is 10-09; +3 WD is Monday 10-12 (via Saturday 10-10); +5 WD is
 * 10-14; +20 WD is 11-04.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { bureauTaskWorkflowId, referralWorkflowId } from '../../src/temporal/workflow-ids';
import {
  bureauTaskStateQuery,
  completeTaskUpdate,
  recordReplyUpdate,
  recordSuggestionUpdate,
  type BureauTaskInput,
} from '../../src/workflows/messages';
import { recordHistoryIfAsked } from '../support/histories';
import { startWorkflowBed, type WorkflowBed } from '../support/workflow-bed';

let bed: WorkflowBed | undefined;
afterEach(async () => {
  await bed?.stop();
  bed = undefined;
});

/** 09:00 China time on Monday 2026-09-28. */
const SEPT_28 = '2026-09-28T01:00:00Z';
/** End of a China day, as an ISO instant. */
const endOfChinaDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 16 * 3600_000).toISOString();

function verificationTask(overrides: Partial<BureauTaskInput> = {}): BureauTaskInput {
  return {
    taskId: randomUUID(),
    kind: 'dropout.verify',
    title: '核查辍学儿童并查找下落（W1.2）',
    instructions: '请会同乡镇、公安核实儿童是否辍学并查找其下落，3 个工作日内反馈。',
    assignee: { departmentCode: 'jt-410402' },
    countyCode: '410402',
    due: { workingDays: 3 },
    acceptedOutcomes: [
      { code: 'located', label: '已找到' },
      { code: 'not-dropped-out', label: '未辍学（误报）' },
      { code: 'not-found', label: '未找到', requiresNote: true },
    ],
    ...overrides,
  };
}

async function start(input: BureauTaskInput) {
  return bed!.env.client.workflow.start('bureauTask', { workflowId: bureauTaskWorkflowId(input.taskId), taskQueue: bed!.taskQueue, args: [input] });
}

/** Skips virtual time until the China-time instant `iso`. */
async function skipTo(iso: string): Promise<void> {
  const now = await bed!.env.currentTimeMs();
  await bed!.env.sleep(Math.max(1, Date.parse(iso) - now));
}

async function escalations(taskId: string) {
  const rows = await bed!.db.pool.query<{ level: number; recipient: string; at: Date }>('SELECT level, recipient, at FROM escalations WHERE task_id = $1 ORDER BY level', [taskId]);
  return rows.rows.map((r) => ({ level: r.level, recipient: r.recipient, at: r.at.toISOString() }));
}

const mailsTo = (address: string) => bed!.smtp.messages.filter((m) => m.to.includes(address));
/** Within a minute: timers fire at their instant; the workflow reads the clock a moment later. */
const near = (actual: string, expected: string) => Math.abs(Date.parse(actual) - Date.parse(expected)) < 60_000;

describe('bureauTask: the escalation ladder (R4)', () => {
  it('walks every rung at working-day instants across National Day and ends in a procuratorate referral whose reply timer escalates', async () => {
    bed = await startWorkflowBed({ startAt: SEPT_28 });
    const input = verificationTask();
    const handle = await start(input);
    await bed.smtp.waitForMessages(1);
    expect((await handle.query(bureauTaskStateQuery)).dueAt).toBe(endOfChinaDay('2026-10-08'));
    expect(mailsTo('jt-410402@pds.careflow.local').map((m) => m.subject)).toEqual(['【待办任务】核查辍学儿童并查找下落（W1.2）']);

    await skipTo('2026-11-05T01:00:00Z');

    const ladder = await escalations(input.taskId);
    expect(ladder.map((r) => [r.level, r.recipient])).toEqual([
      [1, 'jt-410402'],
      [2, 'jt-410402'],
      [3, 'mz-410402'],
      [4, 'mz-410400'],
    ]);
    const expectedInstants = ['2026-10-08', '2026-10-09', '2026-10-12', '2026-10-14'].map(endOfChinaDay);
    ladder.forEach((rung, i) => expect(near(rung.at, expectedInstants[i]!), `rung ${rung.level} at ${rung.at}`).toBe(true));
    expect(mailsTo('head.jt-410402@pds.careflow.local').map((m) => m.subject)).toEqual(['【逾期督办·第2级】核查辍学儿童并查找下落（W1.2）']);
    expect(mailsTo('mz-410400@pds.careflow.local')).toHaveLength(1);

    const breaches = await bed.db.pool.query<{ kind: string; at: Date }>('SELECT kind, at FROM breaches WHERE task_id = $1 ORDER BY at', [input.taskId]);
    expect(breaches.rows.map((b) => b.kind)).toEqual(['overdue', 'persistently-overdue']);
    expect(near(breaches.rows[1]!.at.toISOString(), endOfChinaDay('2026-11-04'))).toBe(true);

    const referral = (await bed.db.pool.query<{ id: string; status: string; procuratorate_code: string; dossier: { breaches: unknown[] } }>('SELECT * FROM referrals WHERE department_code = $1', ['jt-410402'])).rows;
    expect(referral).toHaveLength(1);
    expect(referral[0]).toMatchObject({ status: 'sent', procuratorate_code: 'jc-410402' });
    expect(referral[0]!.dossier.breaches).toHaveLength(2);
    expect(mailsTo('jc-410402@pds.careflow.local').map((m) => m.subject)).toEqual(['【移送检察机关】部门履职不力线索']);

    // The procuratorate issues a suggestion on 11-05; the reply is due at the end of 12-05.
    const referralHandle = bed.env.client.workflow.getHandle(referralWorkflowId(referral[0]!.id));
    const afterSuggestion = await referralHandle.executeUpdate(recordSuggestionUpdate, {
      args: [{ issued: true, issuedOn: '2026-11-05', addresseeCode: 'jt-410402', documentNo: '平新检建〔2026〕1号', by: '检察官甲' }],
    });
    expect(afterSuggestion.status).toBe('suggestion-issued');
    await skipTo('2026-12-06T01:00:00Z');

    const overdue = (await bed.db.pool.query<{ status: string; reply_due_at: Date; escalated_at: Date }>('SELECT * FROM referrals WHERE id = $1', [referral[0]!.id])).rows[0]!;
    expect(overdue.status).toBe('reply-overdue');
    expect(overdue.reply_due_at.toISOString()).toBe(endOfChinaDay('2026-12-05'));
    expect(near(overdue.escalated_at.toISOString(), endOfChinaDay('2026-12-05'))).toBe(true);
    // The department's superior (the city education bureau) is told.
    expect(mailsTo('jt-410400@pds.careflow.local').map((m) => m.subject)).toEqual(['【检察建议逾期未回复】请督促整改']);

    const replied = await referralHandle.executeUpdate(recordReplyUpdate, { args: [{ repliedOn: '2026-12-07', summary: '已整改，建立核查台账', by: '教体局办公室' }] });
    expect(replied.status).toBe('replied');
    expect(await referralHandle.result()).toMatchObject({ status: 'replied' });
    expect((await handle.query(bureauTaskStateQuery)).escalationLevel).toBe(4);
    await recordHistoryIfAsked('bureauTask.ladder-to-referral', handle);
    await recordHistoryIfAsked('procuratorateReferral.reply-overdue-then-replied', referralHandle);
  });

  it('stops at the second rung when the task is completed there', async () => {
    bed = await startWorkflowBed({ startAt: SEPT_28 });
    const input = verificationTask({ assignee: { departmentCode: 'ga-410402' } });
    const handle = await start(input);
    await skipTo('2026-10-10T02:00:00Z'); // after rung 2 (end of 10-09), before rung 3 (end of 10-12)
    expect((await escalations(input.taskId)).map((r) => r.level)).toEqual([1, 2]);

    const state = await handle.executeUpdate(completeTaskUpdate, { args: [{ outcome: 'located', by: '民警乙' }] });
    expect(state.status).toBe('completed');
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', escalationLevel: 2, completion: { outcome: 'located' } });

    await recordHistoryIfAsked('bureauTask.completed-at-rung-2', handle);
    await bed.env.sleep('40 days');
    expect((await escalations(input.taskId)).map((r) => r.level)).toEqual([1, 2]);
    expect((await bed.db.pool.query('SELECT * FROM referrals')).rowCount).toBe(0);
    const row = (await bed.db.pool.query<{ status: string; outcome: string }>('SELECT status, outcome FROM tasks WHERE id = $1', [input.taskId])).rows[0];
    expect(row).toEqual({ status: 'completed', outcome: 'located' });
  });

  it('rejects an outcome the step does not accept, with a reason, and changes nothing', async () => {
    bed = await startWorkflowBed();
    const input = verificationTask({ assignee: { departmentCode: 'mz-410403' }, countyCode: '410403' });
    const handle = await start(input);
    await bed.smtp.waitForMessages(1);
    const auditBefore = (await bed.db.pool.query('SELECT count(*) FROM audit_log')).rows[0];

    const refused = await handle.executeUpdate(completeTaskUpdate, { args: [{ outcome: 'ignored', by: '某人' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toContain('此任务不接受结果“ignored”');
    const noNote = await handle.executeUpdate(completeTaskUpdate, { args: [{ outcome: 'not-found', by: '某人' }] }).catch((e: unknown) => e);
    expect((noNote as WorkflowUpdateFailedError).cause?.message).toBe('结果“未找到”需要填写说明');

    expect((await handle.query(bureauTaskStateQuery)).status).toBe('open');
    expect((await bed.db.pool.query('SELECT status FROM tasks WHERE id = $1', [input.taskId])).rows[0]).toEqual({ status: 'open' });
    expect((await bed.db.pool.query('SELECT count(*) FROM audit_log')).rows[0]).toEqual(auditBefore);
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);

    const done = await handle.executeUpdate(completeTaskUpdate, { args: [{ outcome: 'not-found', note: '已迁出，去向不明', by: '某人' }] });
    expect(done.status).toBe('completed');
    await handle.result();
    // The workflow is closed now: a second completion cannot reach it (the API answers 409 from the row).
    await expect(handle.executeUpdate(completeTaskUpdate, { args: [{ outcome: 'located', by: '某人' }] })).rejects.toThrow();
  });

  it('refers a department after 3 overdue steps within 90 days, once', async () => {
    bed = await startWorkflowBed({ startAt: SEPT_28 });
    const department = { departmentCode: 'wj-410402' };
    const tasks = [verificationTask({ assignee: department }), verificationTask({ assignee: department }), verificationTask({ assignee: department })];
    const handles = [];
    for (const task of tasks) {
      handles.push(await start(task));
      await bed.env.sleep('2 days');
    }
    await skipTo('2026-10-15T01:00:00Z'); // all three overdue, none yet 20 WD overdue

    const referrals = (await bed.db.pool.query<{ status: string; reason: string }>('SELECT status, reason FROM referrals WHERE department_code = $1', ['wj-410402'])).rows;
    expect(referrals).toHaveLength(1);
    expect(referrals[0]!.reason).toBe('90 日内逾期 3 次（标准：3 次）');
    const states = await Promise.all(handles.map((h) => h.query(bureauTaskStateQuery)));
    // Tasks 2 and 3 fall due at the same instant: whichever records the third breach refers.
    expect(states.filter((s) => s.referralId)).toHaveLength(1);
  });

  it('flags a deadline beyond the published holiday calendar to the county supervisor', async () => {
    bed = await startWorkflowBed({ startAt: '2026-12-24T01:00:00Z' });
    const input = verificationTask({ due: { workingDays: 10 } });
    const handle = await start(input);
    await bed.smtp.waitForMessages(2);
    expect((await handle.query(bureauTaskStateQuery)).dueBeyondCalendar).toBe(true);
    expect(mailsTo('mz-410402@pds.careflow.local').map((m) => m.subject)).toEqual(['【时限核对】任务时限超出已公布的节假日安排：核查辍学儿童并查找下落（W1.2）']);
    expect((await bed.db.pool.query('SELECT due_beyond_calendar FROM tasks WHERE id = $1', [input.taskId])).rows[0]).toEqual({ due_beyond_calendar: true });
    await handle.terminate('test over');
  });
});
