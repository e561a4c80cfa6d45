/**
 * One W3 temporary-guardianship case end to end through the HTTP API only, as the
 * caseworker and the bureaus would drive it (police, county civil affairs, the 户籍地
 * bureau), with the mails each bureau received; and the bad requests it refuses.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDateOf } from '../../src/domain/calendar-date';
import { childBody } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { ART92_SITUATION_LABELS } from '../../src/domain/guardianship';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});


const TOWNSHIP = '410402001';
const HUKOU_BUREAU = 'outside-mz-410102';
const report = { situation: 'guardian-missing', source: 'police', reportedBy: '派出所民警刘某' };
const today = () => chinaDateOf(Date.now());
const panel = [
  { body: 'township', member: '新华路街道 赵主任' },
  { body: 'civil-affairs', member: '新华区民政局 王科长' },
  { body: 'police', member: '新华区公安局 刘警官' },
];

/** The open task of `kind` in `assignee`'s inbox for this case, once it is there. */
async function inboxTask(assignee: string, caseId: string, kind: string): Promise<{ id: string; kind: string; caseType: string }> {
  const inbox = await eventually(
    () => stack.request('GET', `/api/v1/tasks?assignee=${assignee}&status=open&caseId=${caseId}`),
    (r) => r.body.items.some((t: { kind: string }) => t.kind === kind),
  );
  return inbox.body.items.find((t: { kind: string }) => t.kind === kind);
}

async function completeTask(assignee: string, caseId: string, kind: string, outcome: string, by: string, note?: string) {
  const task = await inboxTask(assignee, caseId, kind);
  const done = await stack.request('POST', `/api/v1/tasks/${task.id}/complete`, { outcome, note, by });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
}

describe('case API: a temporary-guardianship case (W3) through HTTP', () => {
  it('runs from the report to the hand-off to the 户籍地, naming who holds the child at every step', async () => {
    const child = (await stack.request('POST', '/api/v1/children', childBody())).body;
    const created = await stack.request('POST', '/api/v1/cases', { type: 'guardianship', childId: child.id, townshipCode: TOWNSHIP, report });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'guardianship', stage: 'handover' });
    const caseId: string = created.body.id;
    const view = () => stack.request('GET', `/api/v1/cases/${caseId}`);
    const action = (body: Record<string, unknown>) => stack.request('POST', `/api/v1/cases/${caseId}/actions`, body);

    // W3.1-W3.2: the police hold the child until they hand over in writing.
    const reported = await eventually(view, (r) => r.body.facts.custodianKind === 'police');
    expect(reported.body).toMatchObject({ stageLabel: '公安带离与书面移交（W3.2）', facts: { custodian: '新华区公安局', custodianDepartment: 'ga-410402', situation: 'guardian-missing' } });
    // Issue #10: the Art. 92 situation is for the caseworker and the police holding the
    // child, not for the county supervisor (neither in the case nor in its tasks' texts).
    const supervisor = await stack.tokenFor('supervisor', { county: '410402' });
    const asSupervisor = await stack.request('GET', `/api/v1/cases/${caseId}`, undefined, {}, supervisor);
    expect(asSupervisor.body).toMatchObject({ stage: 'handover', facts: { custodianKind: 'police', custodianDepartment: 'ga-410402' } });
    expect(asSupervisor.body.withheld).toEqual(expect.arrayContaining(['facts', 'timeline']));
    const supervisorTasks = await stack.request('GET', `/api/v1/tasks?caseId=${caseId}`, undefined, {}, supervisor);
    for (const seen of [asSupervisor.body, supervisorTasks.body]) {
      expect(JSON.stringify(seen)).not.toContain('guardian-missing');
      expect(JSON.stringify(seen)).not.toContain(ART92_SITUATION_LABELS['guardian-missing']);
    }
    const policeToken = await stack.tokenFor('bureau', { department: 'ga-410402', county: '410402' });
    const police = await eventually(() => stack.request('GET', `/api/v1/tasks?caseId=${caseId}`, undefined, {}, policeToken), (r) => r.body.items?.length > 0);
    expect(police.body.items[0].instructions).toContain(ART92_SITUATION_LABELS['guardian-missing']);
    const tooEarly = await action({ action: 'record-placement', placement: 'relatives', holder: '外祖母', date: today(), by: '民政局王科长' });
    expect(tooEarly).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED', details: [{ path: 'body.action' }] } });
    expect(tooEarly.body.message).toContain('公安机关尚未书面移交儿童（W3.2）');
    const handover = await inboxTask('ga-410402', caseId, 'guardianship.police-handover');
    expect(handover.caseType).toBe('guardianship');
    await completeTask('ga-410402', caseId, 'guardianship.police-handover', 'handed-over', '派出所民警刘某');

    // W3.3-W3.4: county civil affairs opens temporary guardianship and places the child.
    const handed = await eventually(view, (r) => r.body.stage === 'opening' && r.body.facts.custodianKind === 'civil-affairs');
    expect(handed.body.facts.custodian).toBe('新华区民政局');
    await completeTask('mz-410402', caseId, 'guardianship.open', 'opened', '民政局王科长');
    await inboxTask('mz-410402', caseId, 'guardianship.placement');
    const placed = await action({ action: 'record-placement', placement: 'relatives', holder: '外祖母', date: today(), by: '民政局王科长' });
    expect(placed.status, JSON.stringify(placed.body)).toBe(200);
    expect(placed.body.facts).toMatchObject({ custodianKind: 'relatives', custodianKindLabel: '亲属抚养', custodian: '外祖母', custodianDepartment: 'mz-410402' });

    // Temporary guardianship runs: returning home before an assessment is refused, a panel of two is a field error.
    await eventually(view, (r) => r.body.stage === 'assessment' && r.body.facts.guardianship === 'temporary');
    const homeTooEarly = await action({ action: 'decide-return-home', date: today(), returnedTo: '母亲', by: '民政局王科长' });
    expect(homeTooEarly).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED' } });
    expect(homeTooEarly.body.message).toContain('尚未进行监护能力评估');
    const smallPanel = await action({ action: 'record-assessment', date: today(), panel: panel.slice(0, 2), finding: 'able', by: '民政局王科长' });
    expect(smallPanel).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', details: [{ path: 'body.panel' }] } });
    expect(smallPanel.body.details[0].message).toContain('至少需要 3 名');
    const noPolice = await action({ action: 'record-assessment', date: today(), panel: [...panel.slice(0, 2), { body: 'education', member: '教体局 李老师' }], finding: 'able', by: '民政局王科长' });
    expect(noPolice.body.details[0].message).toContain('缺少：公安机关');
    const strayField = await action({ action: 'decide-hukou-handoff', date: today(), by: '民政局王科长', escort: '王科长' });
    expect(strayField).toMatchObject({ status: 400, body: { details: [{ path: 'body.escort' }] } });
    const handoffTooEarly = await action({ action: 'decide-hukou-handoff', date: today(), by: '民政局王科长' });
    expect(handoffTooEarly).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED' } });
    expect(handoffTooEarly.body.message).toContain('户籍地民政部门尚未答复');

    // W3.5: the 户籍地 bureau (outside Pingdingshan, entered into the directory by the case) agrees.
    const position = await inboxTask(HUKOU_BUREAU, caseId, 'guardianship.hukou-position');
    expect(position.kind).toBe('guardianship.hukou-position');
    await completeTask(HUKOU_BUREAU, caseId, 'guardianship.hukou-position', 'accept', '中原区民政局张科长');
    await eventually(view, (r) => r.body.facts.hukouPosition === 'accept');
    const assessed = await action({ action: 'record-assessment', date: today(), panel, finding: 'unfit', by: '民政局王科长' });
    expect(assessed.body.facts).toMatchObject({ assessmentFinding: 'unfit', assessments: 1 });
    const decided = await action({ action: 'decide-hukou-handoff', date: today(), by: '民政局王科长' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);

    // W3.7b: written acceptance by the 户籍地 bureau ends the case.
    await eventually(view, (r) => r.body.stage === 'hukou-handoff');
    await completeTask(HUKOU_BUREAU, caseId, 'guardianship.hukou-acceptance', 'accepted', '中原区民政局张科长');
    const closed = await eventually(view, (r) => r.body.status === 'closed');
    expect(closed.body).toMatchObject({
      stage: 'closed',
      outcome: 'handed-off-to-hukou',
      openTasks: [],
      facts: { custodianKind: 'hukou-civil-affairs', custodian: '河南省郑州市中原区民政局', custodianDepartment: HUKOU_BUREAU, guardianship: 'transferred' },
    });
    const custody = closed.body.timeline.filter((e: { kind: string }) => e.kind === 'custody').map((e: { summary: { sequence: number; kind: string } }) => e.summary);
    expect(custody.sort((a: { sequence: number }, b: { sequence: number }) => a.sequence - b.sequence).map((c: { kind: string }) => c.kind)).toEqual(['police', 'civil-affairs', 'relatives', 'hukou-civil-affairs']);
    expect(closed.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['reported', 'stage', 'task-assigned', 'task-completed', 'task-withdrawn', 'assessment', 'decision', 'closed']));
    const afterClose = await action({ action: 'record-placement', placement: 'foster-family', holder: '寄养家庭 F-013', date: today(), reason: '变更', by: '民政局王科长' });
    expect(afterClose).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED' } });

    // Mails: each bureau got its own tasks and notices, by name of the step; none carries the child's name.
    const subjectsFor = (address: string) => stack.smtp.messages.filter((m) => m.to.includes(address)).map((m) => m.subject);
    await eventually(async () => subjectsFor(`${HUKOU_BUREAU}@hukou.careflow.local`), (s) => s.length === 2);
    expect(subjectsFor('ga-410402@pds.careflow.local')).toEqual(['【待办任务】将儿童带离至安全场所并书面移交民政部门（W3.2）', '【案件通报】参加监护能力评估（W3.6）']);
    expect(subjectsFor(`xz-${TOWNSHIP}@pds.careflow.local`)).toEqual(['【案件通报】辖区发生未成年人监护缺失（W3.2）', '【案件通报】参加监护能力评估（W3.6）']);
    // (Besides the register's own 【流动儿童登记】 mail for the new child, and its service-list referrals, issue #12.)
    expect(subjectsFor('mz-410402@pds.careflow.local').filter((s) => s.startsWith('【待办任务】') && !s.includes('服务清单')).sort()).toEqual(
      ['【待办任务】依法决定对儿童实施临时监护（W3.3）', '【待办任务】安置临时监护儿童并登记安置去向（W3.4）', '【待办任务】组织监护能力评估（W3.6）'].sort(),
    );
    expect(subjectsFor(`${HUKOU_BUREAU}@hukou.careflow.local`)).toEqual(['【待办任务】请答复：贵地户籍儿童在平顶山市临时监护（W3.5）', '【待办任务】接收临时监护儿童并出具书面接收意见（W3.7b）']);
    expect(stack.smtp.messages.some((m) => m.text.includes(child.name))).toBe(false);

    // Search attributes for the Temporal UI: type, county, stage, no personal data.
    const description = await stack.env.client.workflow.getHandle(`guardianship:${caseId}`).describe();
    expect(description.searchAttributes).toMatchObject({ CaseType: ['guardianship'], County: ['410402'], Stage: ['closed'] });
    expect(JSON.stringify(description.searchAttributes)).not.toContain(child.name);
  });

  it('refuses bad case requests with clear 4xx errors', async () => {
    const child = (await stack.request('POST', '/api/v1/children', childBody())).body;
    const cases = [
      { body: { type: 'guardianship', childId: child.id, townshipCode: TOWNSHIP }, status: 400, path: 'body.report' },
      { body: { type: 'guardianship', childId: child.id, townshipCode: TOWNSHIP, report: { ...report, situation: 'bad-grades' } }, status: 400, path: 'body.report.situation' },
      { body: { type: 'guardianship', childId: child.id, report }, status: 400, path: 'body.townshipCode' },
      { body: { type: 'guardianship', childId: child.id, townshipCode: '410421100', report }, status: 400, path: 'body.townshipCode' },
      { body: { type: 'guardianship', childId: child.id, townshipCode: TOWNSHIP, report: { ...report, situation: 'other-legal' } }, status: 400, path: 'body.report.legalBasis' },
      { body: { type: 'guardianship', childId: child.id, townshipCode: TOWNSHIP, report, params: { reviewDays: 7 } }, status: 400, path: 'body.params.reviewDays' },
      { body: { type: 'guardianship', childId: randomUUID(), townshipCode: TOWNSHIP, report }, status: 404, path: 'body.childId' },
    ];
    for (const { body, status, path } of cases) {
      const response = await stack.request('POST', '/api/v1/cases', body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await stack.db.pool.query('SELECT count(*) FROM cases WHERE child_id = $1', [child.id])).rows[0].count).toBe('0');

    // The OpenAPI document describes the new case type (its schemas convert to JSON Schema).
    const spec = await stack.request('GET', '/docs/json');
    expect(spec.status).toBe(200);
    expect(JSON.stringify(spec.body.paths['/api/v1/cases'])).toContain('guardian-neglect');

    const unknown = await stack.request('POST', `/api/v1/cases/${randomUUID()}/actions`, { action: 'decide-return-home', date: today(), returnedTo: '母亲', by: '民政局王科长' });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const created = await stack.request('POST', '/api/v1/cases', { type: 'guardianship', childId: child.id, townshipCode: TOWNSHIP, report: { ...report, situation: 'other-legal', legalBasis: '《民法典》第三十一条' } });
    expect(created.status).toBe(201);
    const act = (body: Record<string, unknown>) => stack.request('POST', `/api/v1/cases/${created.body.id}/actions`, body);
    expect(await act({ action: 'record-placement', placement: 'relatives', holder: '外祖母', date: '2026-02-30', by: '民政局' })).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', details: [{ path: 'body.date' }] } });
    expect(await act({ action: 'record-placement', placement: 'hotel', holder: '某宾馆', date: today(), by: '民政局' })).toMatchObject({ status: 400, body: { details: [{ path: 'body.placement' }] } });
    expect(await act({ action: 'adopt', by: '民政局' })).toMatchObject({ status: 400, body: { details: [{ path: 'body.action' }] } });
    // A dropout action is not a guardianship action.
    expect(await act({ action: 'record-return', date: today(), school: '某小学', by: '班主任' })).toMatchObject({ status: 400, body: { details: [{ path: 'body.action' }] } });
    const wrongStage = await act({ action: 'record-court-decision', date: today(), decision: 'revoked', court: '新华区人民法院', by: '民政局' });
    expect(wrongStage).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED' } });
    expect(wrongStage.body.message).toContain('当前阶段（公安带离与书面移交（W3.2））不允许此操作');
  });
});
