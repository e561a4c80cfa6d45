/**
 * One W2 mental-health referral end to end through the HTTP API only, as the caseworker,
 * the 儿童主任's township and the providers would drive it, with the mails each received;
 * and the case API's answers to bad W2 requests.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childBody } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { WITHHELD_TEXT } from '../../src/security/sensitive-fields';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});


interface InboxTask {
  id: string;
  caseId: string;
  kind: string;
  caseType: string;
}

/** The open task of `kind` for `caseId` in the inbox of `assignee`, once it is there. */
async function inboxTask(assignee: string, caseId: string, kind: string): Promise<InboxTask> {
  const inbox = await eventually(
    () => stack.request('GET', `/api/v1/tasks?assignee=${assignee}&status=open`),
    (r) => r.body.items.some((t: InboxTask) => t.caseId === caseId && t.kind === kind),
  );
  return inbox.body.items.find((t: InboxTask) => t.caseId === caseId && t.kind === kind);
}

const intake = { source: 'children-director', riskTier: 'medium', reportedBy: '儿童主任王某' };
const TOWNSHIP = '410402001';

describe('case API: a mental-health referral (W2) through HTTP', () => {
  it('runs from report to a provider, sessions and a closing review, with every bureau told and nothing sensitive in mails', async () => {
    const child = (await stack.request('POST', '/api/v1/children', childBody())).body;
    const open = { type: 'mental-health', childId: child.id, townshipCode: TOWNSHIP, intake };

    const created = await stack.request('POST', '/api/v1/cases', open, { 'idempotency-key': `mh-${child.id}` });
    expect(created).toMatchObject({ status: 201, body: { type: 'mental-health', stage: 'triage' } });
    const caseId: string = created.body.id;
    expect(await stack.request('POST', '/api/v1/cases', open, { 'idempotency-key': `mh-${child.id}` })).toMatchObject({ status: 201, body: { id: caseId } });
    expect(await stack.request('POST', '/api/v1/cases', open)).toMatchObject({ status: 409, body: { code: 'DUPLICATE_CASE', existingId: caseId } });
    const actOn = (body: Record<string, unknown>) => stack.request('POST', `/api/v1/cases/${caseId}/actions`, body);

    // W2.3: the township's 儿童主任 talks with the guardian and closes the task; the caseworker records the decision.
    const talk = await inboxTask(`xz-${TOWNSHIP}`, caseId, 'mental-health.guardian-talk');
    expect(talk.caseType).toBe('mental-health');
    expect((await stack.request('POST', `/api/v1/tasks/${talk.id}/complete`, { outcome: 'held', by: '儿童主任王某' })).status).toBe(200);
    const guardian = await stack.request('GET', `/api/v1/cases/${caseId}`);
    expect(guardian.body).toMatchObject({ stage: 'guardian', stageLabel: '监护人沟通（W2.3）' });
    const early = await actOn({ action: 'record-session', date: '2026-11-20', attended: true, by: '心理咨询师' });
    expect(early).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED', details: [{ path: 'body.action' }] } });
    expect(early.body.message).toBe('当前阶段（监护人沟通（W2.3））不允许此操作（record-session）');
    const consented = await actOn({ action: 'record-guardian-decision', decision: 'consented', danger: false, date: '2026-11-20', by: '儿童主任王某' });
    expect(consented.status).toBe(200);
    expect(consented.body.facts).toMatchObject({ consent: 'consented', tier: 'medium' });
    // Issue #10: the county supervisor sees where the case stands, not the tier, the consent
    // or what its tasks are about (in the case view and through the tasks API); the county
    // caseworker who carries it sees everything.
    const supervisor = await stack.tokenFor('supervisor', { county: '410402' });
    const asSupervisor = await stack.request('GET', `/api/v1/cases/${caseId}`, undefined, {}, supervisor);
    expect(asSupervisor.status).toBe(200);
    expect(asSupervisor.body).toMatchObject({ stageLabel: '转介（W2.4）', facts: {} });
    expect(asSupervisor.body.withheld).toEqual(expect.arrayContaining(['facts', 'timeline']));
    expect(asSupervisor.body.openTasks.every((t: { title: string; dueAt: string }) => t.title === WITHHELD_TEXT && t.dueAt)).toBe(true);
    expect(asSupervisor.body.timeline.every((e: { kind: string; summary: object }) => ['stage', 'task-assigned', 'task-completed', 'withheld'].includes(e.kind) && Object.keys(e.summary).length === 0)).toBe(true);
    const supervisorTasks = await stack.request('GET', `/api/v1/tasks?caseId=${caseId}`, undefined, {}, supervisor);
    expect(supervisorTasks.body.items.length).toBeGreaterThan(0);
    expect(supervisorTasks.body.items.every((t: { instructions: string; kind: string }) => t.instructions === WITHHELD_TEXT && t.kind === 'withheld')).toBe(true);
    for (const seen of [asSupervisor.body, supervisorTasks.body]) {
      expect(JSON.stringify(seen)).not.toMatch(/medium|consented|mental-health\.[a-z]/);
    }
    const asCaseworker = await stack.request('GET', `/api/v1/cases/${caseId}`, undefined, {}, await stack.tokenFor('caseworker', { county: '410402' }));
    expect(asCaseworker.body).toMatchObject({ facts: { consent: 'consented', tier: 'medium', riskTier: 'medium' }, withheld: [] });
    expect(asCaseworker.body.timeline.find((event: { kind: string }) => event.kind === 'reported').summary.riskTier).toBe('medium');

    // W2.4: the first psychosocial institution declines (a reason is required), the second accepts.
    const first = await inboxTask('mz-410402-mh1', caseId, 'mental-health.referral');
    const bare = await stack.request('POST', `/api/v1/tasks/${first.id}/complete`, { outcome: 'declined', by: '社会心理服务中心' });
    expect(bare).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED', message: '结果“不接收”需要填写说明' } });
    expect((await stack.request('POST', `/api/v1/tasks/${first.id}/complete`, { outcome: 'declined', note: '本月名额已满', by: '社会心理服务中心' })).status).toBe(200);
    const second = await inboxTask('mz-410402-mh2', caseId, 'mental-health.referral');
    expect((await stack.request('POST', `/api/v1/tasks/${second.id}/complete`, { outcome: 'accepted', by: '青少年心理辅导中心' })).status).toBe(200);

    // W2.5: sessions are recorded; the provider asks for a review early and closes the case.
    const sessions = await eventually(() => stack.request('GET', `/api/v1/cases/${caseId}`), (r) => r.body.stage === 'sessions');
    expect(sessions.body).toMatchObject({ stageLabel: '服务与定期评估（W2.5）', facts: { provider: 'mz-410402-mh2', providersTried: 2 } });
    expect((await actOn({ action: 'record-session', date: '2026-11-24', attended: true, by: '心理咨询师' })).body.facts.sessions).toBe(1);
    expect((await actOn({ action: 'request-review', by: '心理咨询师' })).status).toBe(200);
    expect(await actOn({ action: 'request-review', by: '心理咨询师' })).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED', message: '评估已在办理中' } });
    const review = await inboxTask('mz-410402-mh2', caseId, 'mental-health.review');
    expect((await stack.request('POST', `/api/v1/tasks/${review.id}/complete`, { outcome: 'close', by: '青少年心理辅导中心' })).status).toBe(200);

    const closed = await eventually(() => stack.request('GET', `/api/v1/cases/${caseId}`), (r) => r.body.status === 'closed');
    expect(closed.body).toMatchObject({ stage: 'closed', outcome: 'completed', openTasks: [] });
    expect(closed.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['reported', 'stage', 'task-assigned', 'task-completed', 'guardian-decision', 'provider-declined', 'provider-accepted', 'session', 'review', 'closed']),
    );
    expect(await actOn({ action: 'record-session', date: '2026-11-25', attended: true, by: '心理咨询师' })).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED' } });

    // Mails: each bureau got its own task, no more.
    const subjectsFor = (code: string) => stack.smtp.messages.filter((m) => m.to.includes(`${code}@pds.careflow.local`)).map((m) => m.subject);
    await eventually(async () => subjectsFor('mz-410402-mh2'), (s) => s.length === 2);
    expect(subjectsFor(`xz-${TOWNSHIP}`)).toEqual(['【待办任务】与监护人沟通服务安排（W2.3）']);
    expect(subjectsFor('mz-410402-mh1')).toEqual(['【待办任务】心理健康服务转介：请确认是否接收（W2.4）']);
    expect(subjectsFor('mz-410402-mh2')).toEqual(['【待办任务】心理健康服务转介：请确认是否接收（W2.4）', '【待办任务】服务评估（W2.5，第 1 次）']);
    // Risk tier, consent and diagnosis never reach a mail.
    for (const mail of stack.smtp.messages) {
      expect(`${mail.subject}\n${mail.text}`).not.toMatch(/\b(crisis|low|medium|high)\b|危机|风险|同意|拒绝|诊断|精神障碍/);
    }

    // Search attributes for the Temporal UI: type, county, stage; no tier, no consent.
    const description = await stack.env.client.workflow.getHandle(`mental-health:${caseId}`).describe();
    expect(description.searchAttributes).toMatchObject({ CaseType: ['mental-health'], County: ['410402'], Stage: ['closed'] });
    expect(JSON.stringify(description.searchAttributes)).not.toMatch(/medium|consent|张小明/);
  });

  it('refuses bad mental-health requests with clear 4xx errors and writes nothing', async () => {
    const child = (await stack.request('POST', '/api/v1/children', childBody())).body;
    const cases = [
      { body: { type: 'mental-health', childId: child.id }, status: 400, path: 'body.intake' },
      { body: { type: 'mental-health', childId: child.id, intake: { ...intake, riskTier: 'severe' } }, status: 400, path: 'body.intake.riskTier' },
      { body: { type: 'mental-health', childId: child.id, intake: { ...intake, source: 'newspaper' } }, status: 400, path: 'body.intake.source' },
      { body: { type: 'mental-health', childId: child.id, intake: { ...intake, diagnosis: 'x' } }, status: 400, path: 'body.intake.diagnosis' },
      { body: { type: 'mental-health', childId: child.id, intake, params: { crisisHours: 0 } }, status: 400, path: 'body.params.crisisHours' },
      { body: { type: 'mental-health', childId: randomUUID(), intake }, status: 404, path: 'body.childId' },
      { body: { type: 'mental-health', childId: child.id, townshipCode: '410421100', intake }, status: 400, path: 'body.townshipCode' },
    ];
    for (const { body, status, path } of cases) {
      const response = await stack.request('POST', '/api/v1/cases', body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await stack.db.pool.query('SELECT count(*) FROM cases WHERE child_id = $1', [child.id])).rows[0].count).toBe('0');

    const unknown = await stack.request('POST', `/api/v1/cases/${randomUUID()}/actions`, { action: 'request-review', by: '心理咨询师' });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });

    const created = await stack.request('POST', '/api/v1/cases', { type: 'mental-health', childId: child.id, intake: { ...intake, riskTier: 'low' } });
    expect(created.status).toBe(201);
    const actOn = (body: Record<string, unknown>) => stack.request('POST', `/api/v1/cases/${created.body.id}/actions`, body);
    expect(await actOn({ action: 'record-guardian-decision', decision: 'maybe', danger: false, date: '2026-11-20', by: '儿童主任' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', details: [{ path: 'body.decision' }] },
    });
    expect(await actOn({ action: 'record-guardian-decision', decision: 'consented', date: '2026-11-20', by: '儿童主任' })).toMatchObject({ status: 400, body: { details: [{ path: 'body.danger' }] } });
    expect(await actOn({ action: 'record-diagnosis', date: '2026-02-30', by: '医师' })).toMatchObject({ status: 400, body: { details: [{ path: 'body.date' }] } });
    expect(await actOn({ action: 'record-session', date: '2026-11-20', attended: true, by: '心理咨询师', notes: '谈话内容' })).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(await actOn({ action: 'prescribe', by: '医师' })).toMatchObject({ status: 400, body: { details: [{ path: 'body.action' }] } });
    // Allowed shape, wrong stage: the workflow's validator refuses it.
    const early = await eventually(() => actOn({ action: 'record-discharge', date: '2026-11-20', by: '医师' }), (r) => r.status !== 500);
    expect(early).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED' } });
    expect(early.body.message).toMatch(/^当前阶段（.+）不允许此操作（record-discharge）$/);
  });
});
