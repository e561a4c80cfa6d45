/**
 * One W1 case end to end through the HTTP API only, as the caseworker and the bureaus
 * would drive it, with the mails each bureau received; and the case API's bad input.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childBody } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});


const report = { kind: 'suspected', absenceDays: 5, source: 'school', reportedBy: '班主任李老师' };

describe('case API: a drop-out case (W1) through HTTP', () => {
  it('runs from report to hand-off to the 户籍地, with every bureau told', async () => {
    const child = (await stack.request('POST', '/api/v1/children', childBody())).body;
    const open = { type: 'dropout', childId: child.id, townshipCode: '410402001', report };

    const created = await stack.request('POST', '/api/v1/cases', open, { 'idempotency-key': `open-${child.id}` });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'dropout', stage: 'verification' });
    const caseId: string = created.body.id;
    const retried = await stack.request('POST', '/api/v1/cases', open, { 'idempotency-key': `open-${child.id}` });
    expect(retried).toMatchObject({ status: 201, body: { id: caseId } });
    const second = await stack.request('POST', '/api/v1/cases', open);
    expect(second).toMatchObject({ status: 409, body: { code: 'DUPLICATE_CASE', existingId: caseId } });

    // The county education bureau finds the verification task in its inbox and confirms.
    const inbox = await eventually(() => stack.request('GET', '/api/v1/tasks?assignee=jt-410402&status=open'), (r) => r.body.items.some((t: { caseId: string }) => t.caseId === caseId));
    const verify = inbox.body.items.find((t: { caseId: string }) => t.caseId === caseId);
    expect(verify).toMatchObject({ kind: 'dropout.verify', caseType: 'dropout' });
    expect((await stack.request('POST', `/api/v1/tasks/${verify.id}/complete`, { outcome: 'confirmed', by: '教体局张科长' })).status).toBe(200);

    // The caseworker logs persuasion; an action the stage does not allow is refused.
    const persuasion = await eventually(() => stack.request('GET', `/api/v1/cases/${caseId}`), (r) => r.body.stage === 'persuasion');
    expect(persuasion.body.stageLabel).toBe('劝返（W1.3）');
    const visit = await stack.request('POST', `/api/v1/cases/${caseId}/actions`, { action: 'log-persuasion-visit', date: '2026-11-20', visitor: '儿童主任王某', result: 'refused', by: '儿童主任王某' });
    expect(visit.status).toBe(200);
    expect(visit.body.facts).toEqual({ persuasionVisits: 1 });
    const wrongStage = await stack.request('POST', `/api/v1/cases/${caseId}/actions`, { action: 'record-relapse', date: '2026-11-21', note: '再次缺课', by: '班主任' });
    expect(wrongStage).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED', details: [{ path: 'body.action' }] } });
    expect(wrongStage.body.message).toContain('当前阶段（劝返（W1.3））不允许此操作');

    // The family has gone back to Zhengzhou: the file goes to the 户籍地 education bureau.
    const moved = await stack.request('POST', `/api/v1/cases/${caseId}/actions`, { action: 'record-moved-back', date: '2026-11-22', hukouCountyCode: '410102', by: '儿童主任王某' });
    expect(moved.status).toBe(200);
    const handoffInbox = await eventually(() => stack.request('GET', '/api/v1/tasks?assignee=outside-jt-410102&status=open'), (r) => r.body.total === 1);
    const handoff = handoffInbox.body.items[0];
    expect(handoff.kind).toBe('dropout.handoff');
    expect((await stack.request('POST', `/api/v1/tasks/${handoff.id}/complete`, { outcome: 'accepted', by: '中原区教体局' })).status).toBe(200);

    const closed = await eventually(() => stack.request('GET', `/api/v1/cases/${caseId}`), (r) => r.body.status === 'closed');
    expect(closed.body).toMatchObject({ stage: 'closed', outcome: 'handed-off', openTasks: [] });
    expect(closed.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['reported', 'stage', 'task-assigned', 'task-completed', 'persuasion-visit', 'moved-back-to-hukou', 'closed']),
    );
    const afterClose = await stack.request('POST', `/api/v1/cases/${caseId}/actions`, { action: 'record-return', date: '2026-11-25', school: '某小学', by: '班主任' });
    expect(afterClose).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED' } });

    // Mails: the education bureau's task, the township's and police's notices, the 户籍地 bureau's hand-off.
    const subjectsFor = (address: string) => stack.smtp.messages.filter((m) => m.to.includes(address)).map((m) => m.subject);
    await eventually(async () => subjectsFor('outside-jt-410102@hukou.careflow.local'), (s) => s.length === 1);
    expect(subjectsFor('jt-410402@pds.careflow.local')).toContain('【待办任务】核查疑似辍学并查找儿童下落（W1.2）');
    expect(subjectsFor('xz-410402001@pds.careflow.local')).toEqual(['【案件通报】协助核查疑似辍学儿童（W1.2）']);
    expect(subjectsFor('ga-410402@pds.careflow.local')).toEqual(['【案件通报】协助核查疑似辍学儿童（W1.2）']);
    expect(subjectsFor('outside-jt-410102@hukou.careflow.local')).toEqual(['【待办任务】接收返回户籍地儿童的控辍保学档案（W1.8）']);

    // Search attributes for the Temporal UI: type, county, stage, no personal data.
    const description = await stack.env.client.workflow.getHandle(`dropout:${caseId}`).describe();
    expect(description.searchAttributes).toMatchObject({ CaseType: ['dropout'], County: ['410402'], Stage: ['closed'] });
    expect(JSON.stringify(description.searchAttributes)).not.toContain(child.name);
  });

  it('refuses bad case requests with clear 4xx errors', async () => {
    const child = (await stack.request('POST', '/api/v1/children', childBody())).body;
    const cases = [
      { body: { type: 'burglary', childId: child.id, report }, status: 400, path: 'body.type' },
      { body: { type: 'dropout', childId: child.id }, status: 400, path: 'body.report' },
      { body: { type: 'dropout', childId: randomUUID(), report }, status: 404, path: 'body.childId' },
      { body: { type: 'dropout', childId: child.id, townshipCode: '410421100', report }, status: 400, path: 'body.townshipCode' },
      { body: { type: 'dropout', childId: child.id, report: { ...report, absenceDays: 1 } }, status: 422, path: 'body.report.absenceDays' },
    ];
    for (const { body, status, path } of cases) {
      const response = await stack.request('POST', '/api/v1/cases', body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await stack.db.pool.query('SELECT count(*) FROM cases WHERE child_id = $1', [child.id])).rows[0].count).toBe('0');

    const unknown = await stack.request('POST', `/api/v1/cases/${randomUUID()}/actions`, { action: 'record-return', date: '2026-11-25', school: '某小学', by: '班主任' });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const created = await stack.request('POST', '/api/v1/cases', { type: 'dropout', childId: child.id, report });
    const badAction = await stack.request('POST', `/api/v1/cases/${created.body.id}/actions`, { action: 'record-return', date: '2026-02-30', school: '某小学', by: '班主任' });
    expect(badAction).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', details: [{ path: 'body.date' }] } });
    const unknownAction = await stack.request('POST', `/api/v1/cases/${created.body.id}/actions`, { action: 'celebrate', by: '班主任' });
    expect(unknownAction).toMatchObject({ status: 400, body: { details: [{ path: 'body.action' }] } });
  });
});
