/**
 * Issue #3 through HTTP: a bureau's inbox, acknowledging and completing a task (an outcome
 * the step refuses is a 409 with the reason and changes nothing), a procuratorate referral
 * recorded by the procuratorate, and county escalation policies as data.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ESCALATION_POLICY } from '../../src/domain/escalation';
import { bureauTaskWorkflowId } from '../../src/temporal/workflow-ids';
import type { BureauTaskInput } from '../../src/workflows/messages';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

function task(overrides: Partial<BureauTaskInput> = {}): BureauTaskInput {
  return {
    taskId: randomUUID(),
    kind: 'mental-health.provider-accept',
    title: '接收心理健康转介（W2.4）',
    instructions: '请在 3 个工作日内确认是否接收该儿童的转介。',
    assignee: { departmentCode: 'wj-410421' },
    countyCode: '410421',
    due: { workingDays: 3 },
    acceptedOutcomes: [
      { code: 'accepted', label: '接收' },
      { code: 'declined', label: '不接收', requiresNote: true },
    ],
    ...overrides,
  };
}

async function assign(input: BureauTaskInput): Promise<string> {
  await stack.env.client.workflow.start('bureauTask', { workflowId: bureauTaskWorkflowId(input.taskId), taskQueue: stack.taskQueue, args: [input] });
  const deadline = Date.now() + 20_000;
  while ((await stack.request('GET', `/api/v1/tasks/${input.taskId}`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('task row never appeared');
    await new Promise((r) => setTimeout(r, 100));
  }
  return input.taskId;
}

describe('tasks API', () => {
  it('lists a bureau inbox, acknowledges and completes a task with an accepted outcome', async () => {
    const id = await assign(task());
    const inbox = await stack.request('GET', '/api/v1/tasks?assignee=wj-410421&status=open');
    expect(inbox.body.items.map((t: { id: string }) => t.id)).toContain(id);
    expect(inbox.body.items[0]).toMatchObject({ status: 'open', overdue: false, escalationLevel: 0, dueBeyondCalendar: false });

    const acknowledged = await stack.request('POST', `/api/v1/tasks/${id}/acknowledge`, { by: '卫健委张医生' });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: '卫健委张医生' });

    const completed = await stack.request('POST', `/api/v1/tasks/${id}/complete`, { outcome: 'accepted', by: '卫健委张医生' }, { 'idempotency-key': 'k1' });
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ status: 'completed', outcome: 'accepted', completedBy: '卫健委张医生' });
    // The same request again (a client retry) is answered from the record.
    const retried = await stack.request('POST', `/api/v1/tasks/${id}/complete`, { outcome: 'accepted', by: '卫健委张医生' }, { 'idempotency-key': 'k1' });
    expect(retried.status).toBe(200);
    const different = await stack.request('POST', `/api/v1/tasks/${id}/complete`, { outcome: 'declined', note: 'x', by: '他人' });
    expect(different).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED' } });

    const result = await stack.env.client.workflow.getHandle(bureauTaskWorkflowId(id)).result();
    expect(result).toMatchObject({ status: 'completed', completion: { outcome: 'accepted' } });
    const mails = stack.smtp.messages.filter((m) => m.text.includes(id));
    expect(mails.map((m) => m.to[0])).toEqual(['wj-410421@pds.careflow.local']);
    expect(mails[0]?.text).toContain(`${stack.baseUrl}/api/v1/tasks/${id}`);
  });

  it('refuses an outcome the step does not accept with 409 and the reason, writing nothing', async () => {
    const id = await assign(task());
    const audit = async () => (await stack.db.pool.query('SELECT count(*) FROM audit_log WHERE entity_id = $1', [id])).rows[0].count;
    const before = await audit();

    const refused = await stack.request('POST', `/api/v1/tasks/${id}/complete`, { outcome: 'lost', by: '某人' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'ACTION_NOT_ALLOWED', details: [{ path: 'body.outcome' }] });
    expect(refused.body.message).toContain('此任务不接受结果“lost”');
    const noNote = await stack.request('POST', `/api/v1/tasks/${id}/complete`, { outcome: 'declined', by: '某人' });
    expect(noNote).toMatchObject({ status: 409, body: { message: '结果“不接收”需要填写说明' } });
    const badBody = await stack.request('POST', `/api/v1/tasks/${id}/complete`, { outcome: 'accepted' });
    expect(badBody).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', details: [{ path: 'body.by' }] } });
    const unknown = await stack.request('POST', `/api/v1/tasks/${randomUUID()}/complete`, { outcome: 'accepted', by: '某人' });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });

    expect((await stack.request('GET', `/api/v1/tasks/${id}`)).body.status).toBe('open');
    expect(await audit()).toBe(before);
  });

  it('opens a procuratorate referral when the threshold is reached, and records the suggestion and the reply', async () => {
    // A county policy with a threshold of one breach, and a task due at once.
    const policy = { ...DEFAULT_ESCALATION_POLICY, referral: { breaches: 1, windowDays: 90, overdueWorkingDays: 20 } };
    const id = await assign(task({ assignee: { departmentCode: 'fc-410422' }, countyCode: '410422', due: { hours: 0 }, policy }));
    let referrals = await stack.request('GET', '/api/v1/referrals?department=fc-410422');
    const deadline = Date.now() + 20_000;
    while (referrals.body.total === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      referrals = await stack.request('GET', '/api/v1/referrals?department=fc-410422');
    }
    expect(referrals.body.items).toHaveLength(1);
    const referral = referrals.body.items[0];
    expect(referral).toMatchObject({ status: 'sent', procuratorateCode: 'jc-410422', departmentCode: 'fc-410422' });
    expect(referral.dossier.triggeredBy).toBe(id);
    expect((await stack.request('GET', `/api/v1/tasks/${id}`)).body).toMatchObject({ overdue: true });

    const early = await stack.request('POST', `/api/v1/referrals/${referral.id}/reply`, { repliedOn: '2026-11-30', summary: '已整改', by: '房产中心' });
    expect(early).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED' } });
    const missingDate = await stack.request('POST', `/api/v1/referrals/${referral.id}/suggestion`, { issued: true, by: '检察官' });
    expect(missingDate.status).toBe(409);
    expect(missingDate.body.message).toContain('制发日期');

    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const issued = await stack.request('POST', `/api/v1/referrals/${referral.id}/suggestion`, { issued: true, issuedOn: today, documentNo: '叶检建〔2026〕3号', by: '检察官' });
    expect(issued.status).toBe(200);
    expect(issued.body.status).toBe('suggestion-issued');
    await waitUntil(async () => (await stack.request('GET', `/api/v1/referrals/${referral.id}`)).body.replyDueAt !== null);
    const again = await stack.request('POST', `/api/v1/referrals/${referral.id}/suggestion`, { issued: false, by: '检察官' });
    expect(again.status).toBe(409);

    const replied = await stack.request('POST', `/api/v1/referrals/${referral.id}/reply`, { repliedOn: today, summary: '已建立台账并整改', by: '房产中心' });
    expect(replied.status).toBe(200);
    expect(replied.body).toMatchObject({ status: 'replied', reply: { summary: '已建立台账并整改' } });
    expect(stack.smtp.messages.some((m) => m.to.includes('jc-410422@pds.careflow.local') && m.subject === '【移送检察机关】部门履职不力线索')).toBe(true);
    await waitUntil(() => stack.smtp.messages.some((m) => m.to.includes('fc-410422@pds.careflow.local') && m.subject === '【检察建议】请在时限内书面回复'));
  });

  it('keeps escalation policies per county as data, refusing a malformed ladder', async () => {
    const current = await stack.request('GET', '/api/v1/admin/counties/410423/escalation-policy');
    expect(current.body).toMatchObject({ countyCode: '410423', isDefault: true });
    const ladder = { ...DEFAULT_ESCALATION_POLICY, rungs: DEFAULT_ESCALATION_POLICY.rungs.slice(0, 2) };
    const set = await stack.request('PUT', '/api/v1/admin/counties/410423/escalation-policy', ladder);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ isDefault: false, policy: { rungs: [{ level: 1 }, { level: 2 }] } });

    const disordered = { ...DEFAULT_ESCALATION_POLICY, rungs: [{ ...DEFAULT_ESCALATION_POLICY.rungs[1]!, level: 1 }, { ...DEFAULT_ESCALATION_POLICY.rungs[0]!, level: 2 }] };
    const refused = await stack.request('PUT', '/api/v1/admin/counties/410423/escalation-policy', disordered);
    expect(refused).toMatchObject({ status: 422, body: { code: 'RULE_VIOLATION', details: [{ path: 'body.rungs' }] } });
    const outside = await stack.request('PUT', '/api/v1/admin/counties/410102/escalation-policy', ladder);
    expect(outside).toMatchObject({ status: 400, body: { details: [{ path: 'params.code' }] } });
    expect((await stack.request('GET', '/api/v1/admin/counties/410423/escalation-policy')).body.policy.rungs).toHaveLength(2);
  });
});

async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
