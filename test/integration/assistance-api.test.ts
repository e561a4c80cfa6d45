/**
 * W4 through the HTTP API only: a 事实无人抚养 application from the residence township to the
 * 户籍地 bureau (an outside bureau answering through the task API) and back to a refusal
 * served on the applicant, with the mails each bureau received; a 低保 application marked
 * special and withdrawn; and bad requests getting clear 4xx answers.
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


const UNSUPPORTED_DOCUMENTS = ['application-form', 'id-documents', 'hukou-booklet', 'parents-situation-proof', 'caregiver-id'];
const DIBAO_DOCUMENTS = ['application-form', 'id-documents', 'hukou-booklet', 'income-statement', 'check-authorization'];
const HUKOU = 'outside-mz-410102';

/** The open task of `kind` in `assignee`'s inbox for the case. */
async function inboxTask(assignee: string, caseId: string, kind: string): Promise<{ id: string; kind: string; instructions: string }> {
  const inbox = await eventually(
    () => stack.request('GET', `/api/v1/tasks?assignee=${assignee}&status=open&caseId=${caseId}`),
    (r) => r.body.items.some((t: { kind: string }) => t.kind === kind),
  );
  return inbox.body.items.find((t: { kind: string }) => t.kind === kind);
}

const caseOf = (id: string) => stack.request('GET', `/api/v1/cases/${id}`);

describe('case API: a W4 assistance case through HTTP', () => {
  it('runs a 事实无人抚养 application to a refusal served with reasons and appeal rights, every bureau told', async () => {
    const child = (await stack.request('POST', '/api/v1/children', childBody())).body;
    const open = { type: 'assistance', childId: child.id, scheme: 'unsupported-child', townshipCode: '410402001', documents: UNSUPPORTED_DOCUMENTS, takenBy: '新华路街道民政干事' };
    const created = await stack.request('POST', '/api/v1/cases', open, { 'idempotency-key': `assist-${child.id}` });
    expect(created).toMatchObject({ status: 201, body: { type: 'assistance', stage: 'forwarding' } });
    const caseId: string = created.body.id;
    expect(await stack.request('POST', '/api/v1/cases', open, { 'idempotency-key': `assist-${child.id}` })).toMatchObject({ status: 201, body: { id: caseId } });
    // One open assistance case per child (the (child_id, type) index): a second scheme waits.
    const second = await stack.request('POST', '/api/v1/cases', { ...open, scheme: 'orphan', documents: ['application-form', 'id-documents', 'hukou-booklet', 'parents-death-proof', 'caregiver-id'] });
    expect(second).toMatchObject({ status: 409, body: { code: 'DUPLICATE_CASE', existingId: caseId } });

    // W4.2: the residence township forwards the file.
    const forward = await inboxTask('xz-410402001', caseId, 'assistance.forward');
    expect((await stack.request('POST', `/api/v1/tasks/${forward.id}/complete`, { outcome: 'forwarded', by: '新华路街道民政干事' })).status).toBe(200);

    // W4.3: the 户籍地 bureau, an outside bureau created for the case, answers with its own account.
    const investigation = await inboxTask(HUKOU, caseId, 'assistance.investigation');
    expect(investigation.instructions).toContain('15 个工作日');
    const department = await stack.request('GET', `/api/v1/admin/departments/${HUKOU}`);
    expect(department.body).toMatchObject({ level: 'outside', name: '河南省郑州市中原区民政局' });
    expect((await stack.request('POST', `/api/v1/tasks/${investigation.id}/complete`, { outcome: 'eligible', by: '中原区民政局' })).status).toBe(200);

    // No public notice for 事实无人抚养: straight to the county's confirmation.
    const confirming = await eventually(() => caseOf(caseId), (r) => r.body.stage === 'confirmation');
    expect(confirming.body).toMatchObject({ stageLabel: '户籍地县级审核确认（W4.5）', facts: { scheme: 'unsupported-child', hukouDepartment: HUKOU } });
    const confirmation = await inboxTask(HUKOU, caseId, 'assistance.confirmation');
    // W4.7: a refusal needs its written reasons; the caseworker enters the bureau's answer for it.
    const bare = await stack.request('POST', `/api/v1/tasks/${confirmation.id}/complete`, { outcome: 'refused', by: '新华路街道民政干事（代录）' });
    expect(bare).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED', message: '结果“不予批准”需要填写说明' } });
    const reasons = '经核实，儿童母亲具备抚养能力并实际履行抚养义务，不属于事实无人抚养儿童。';
    expect((await stack.request('POST', `/api/v1/tasks/${confirmation.id}/complete`, { outcome: 'refused', note: reasons, by: '新华路街道民政干事（代录）' })).status).toBe(200);

    // The residence township serves the written decision.
    const notify = await inboxTask('xz-410402001', caseId, 'assistance.notify-applicant');
    expect(notify.instructions).toContain('行政复议');
    const told = await stack.request('POST', `/api/v1/tasks/${notify.id}/complete`, { outcome: 'told', by: '新华路街道民政干事' });
    expect(told).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED' } });
    expect((await stack.request('POST', `/api/v1/tasks/${notify.id}/complete`, { outcome: 'served', by: '新华路街道民政干事' })).status).toBe(200);

    const closed = await eventually(() => caseOf(caseId), (r) => r.body.status === 'closed');
    expect(closed.body).toMatchObject({ stage: 'closed', outcome: 'refused', openTasks: [], facts: { decision: 'refused' } });
    expect(closed.body.facts.appealRights).toContain('60 日内');
    const decision = closed.body.timeline.find((e: { kind: string }) => e.kind === 'decision');
    expect(decision.summary).toMatchObject({ decision: 'refused', reasons });
    expect(closed.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['application-taken', 'stage', 'task-assigned', 'task-completed', 'decision', 'closed']));
    const afterClose = await stack.request('POST', `/api/v1/cases/${caseId}/actions`, { action: 'withdraw-application', reason: '撤回', by: '民政干事' });
    expect(afterClose).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED' } });

    // Mails: the township's two tasks, the 户籍地 bureau's two; nobody else.
    const subjectsFor = (address: string) => stack.smtp.messages.filter((m) => m.to.includes(address)).map((m) => m.subject);
    await eventually(async () => subjectsFor('xz-410402001@pds.careflow.local'), (s) => s.length === 2);
    expect(subjectsFor('xz-410402001@pds.careflow.local')).toEqual([
      '【待办任务】将事实无人抚养儿童基本生活保障申请材料转交户籍地（W4.2）',
      '【待办任务】告知申请人不予批准决定（W4.7）',
    ]);
    expect(subjectsFor(`${HUKOU}@hukou.careflow.local`)).toEqual(['【待办任务】调查核实并提出初审意见（W4.3）', '【待办任务】事实无人抚养儿童基本生活保障审核确认（W4.5）']);
    expect(stack.smtp.messages.every((m) => !m.text.includes(child.name))).toBe(true);

    const description = await stack.env.client.workflow.getHandle(`assistance:${caseId}`).describe();
    expect(description.searchAttributes).toMatchObject({ CaseType: ['assistance'], County: ['410402'], Stage: ['closed'] });
  });

  it('marks a 低保 application special and closes it when withdrawn', async () => {
    const child = (await stack.request('POST', '/api/v1/children', childBody())).body;
    const created = await stack.request('POST', '/api/v1/cases', { type: 'assistance', childId: child.id, scheme: 'dibao', documents: DIBAO_DOCUMENTS, takenBy: '民政局窗口' });
    expect(created.status).toBe(201);
    const caseId: string = created.body.id;
    // No township given: the county civil-affairs bureau forwards.
    await inboxTask('mz-410402', caseId, 'assistance.forward');

    const objection = await stack.request('POST', `/api/v1/cases/${caseId}/actions`, { action: 'record-objection', receivedOn: '2026-03-01', summary: '异议', by: '民政干事' });
    expect(objection).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED', details: [{ path: 'body.action' }] } });
    expect(objection.body.message).toBe('当前阶段（转交户籍地（W4.2））不允许此操作（record-objection）');

    const special = await stack.request('POST', `/api/v1/cases/${caseId}/actions`, { action: 'mark-special', reason: '需跨省协查收入', by: '民政干事' });
    expect(special.status).toBe(200);
    expect(special.body.facts).toMatchObject({ scheme: 'dibao', special: true });
    const watches = await eventually(
      () => stack.request('GET', `/api/v1/tasks?caseId=${caseId}&assignee=${HUKOU}`),
      (r) => r.body.items.filter((t: { kind: string }) => t.kind === 'assistance.whole-process').length === 2,
    );
    expect(watches.body.items.filter((t: { kind: string }) => t.kind === 'assistance.whole-process').map((t: { status: string }) => t.status).sort()).toEqual(['cancelled', 'open']);

    const withdrawn = await stack.request('POST', `/api/v1/cases/${caseId}/actions`, { action: 'withdraw-application', reason: '申请人撤回', by: '民政干事' });
    expect(withdrawn.status).toBe(200);
    const closed = await eventually(() => caseOf(caseId), (r) => r.body.status === 'closed');
    expect(closed.body).toMatchObject({ outcome: 'withdrawn', openTasks: [] });
  });

  it('refuses bad applications and actions with clear 4xx errors', async () => {
    const child = (await stack.request('POST', '/api/v1/children', childBody())).body;
    const base = { type: 'assistance', childId: child.id, scheme: 'dibao', documents: DIBAO_DOCUMENTS, takenBy: '民政干事' };
    const cases = [
      { body: { ...base, scheme: 'pension' }, status: 400, paths: ['body.scheme'] },
      { body: { ...base, documents: ['application-form', 'selfie'] }, status: 400, paths: ['body.documents.1'] },
      { body: { ...base, takenBy: undefined }, status: 400, paths: ['body.takenBy'] },
      { body: { ...base, townshipCode: '410421100' }, status: 400, paths: ['body.townshipCode'] },
      { body: { ...base, childId: randomUUID() }, status: 404, paths: ['body.childId'] },
      { body: { ...base, scheme: 'orphan', documents: ['application-form', 'id-documents', 'hukou-booklet', 'parents-death-proof', 'caregiver-id'], params: { noticeDays: 5 } }, status: 422, paths: ['body.params.noticeDays'] },
      // W4.1: the checklist is incomplete; every missing item is named.
      { body: { ...base, documents: ['application-form', 'hukou-booklet'] }, status: 422, paths: ['body.documents', 'body.documents', 'body.documents'] },
    ];
    for (const { body, status, paths } of cases) {
      const response = await stack.request('POST', '/api/v1/cases', body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.details.map((d: { path: string }) => d.path), JSON.stringify(body)).toEqual(paths);
    }
    const incomplete = await stack.request('POST', '/api/v1/cases', { ...base, documents: ['application-form', 'hukou-booklet'] });
    expect(incomplete.body).toMatchObject({ code: 'RULE_VIOLATION', message: '最低生活保障（低保）申请材料不齐全，缺少：申请人及家庭成员（儿童）身份证件、家庭收入和财产状况声明、家庭经济状况核对授权书' });
    expect(incomplete.body.details.map((d: { message: string }) => d.message)).toEqual(['缺少申请人及家庭成员（儿童）身份证件（id-documents）', '缺少家庭收入和财产状况声明（income-statement）', '缺少家庭经济状况核对授权书（check-authorization）']);
    expect((await stack.db.pool.query('SELECT count(*) FROM cases WHERE child_id = $1', [child.id])).rows[0].count).toBe('0');

    const unknown = await stack.request('POST', `/api/v1/cases/${randomUUID()}/actions`, { action: 'mark-special', reason: 'x', by: '民政干事' });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const orphan = await stack.request('POST', '/api/v1/cases', { ...base, scheme: 'orphan', documents: ['application-form', 'id-documents', 'hukou-booklet', 'parents-death-proof', 'caregiver-id'] });
    expect(orphan.status).toBe(201);
    const id = orphan.body.id;
    const actions = [
      { body: { action: 'record-objection', receivedOn: '2026-02-30', summary: '异议', by: '民政干事' }, path: 'body.receivedOn' },
      { body: { action: 'end-benefit', date: '2026-03-01', reason: 'bored', by: '民政干事' }, path: 'body.reason' },
      { body: { action: 'mark-special', reason: '复杂', by: '民政干事', extra: 1 }, path: 'body.extra' },
      { body: { action: 'approve', by: '民政干事' }, path: 'body.action' },
    ];
    for (const { body, path } of actions) {
      const response = await stack.request('POST', `/api/v1/cases/${id}/actions`, body);
      expect(response, JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
      expect(response.body.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const special = await stack.request('POST', `/api/v1/cases/${id}/actions`, { action: 'mark-special', reason: '复杂', by: '民政干事' });
    expect(special).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED', message: '只有低保申请可以标记为特殊情况（W4.6），本案为孤儿基本生活保障申请' } });
  });
});
