/**
 * Issue #4 through HTTP on the dev server: a key-care child registered gets its visit plan;
 * visits are recorded through the API (with an assessment and a need that opens a task);
 * refused visits and malformed requests get clear 4xx answers and leave nothing behind;
 * county visit parameters are data; cleared flags move the plan to its closing assessment.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, chinaDateOf } from '../../src/domain/calendar-date';
import { TEST_DATA_CONVERTER } from '../support/data-converter';
import { childBody } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let childId: string;
let today: string;

beforeAll(async () => {
  stack = await startTestStack();
  today = chinaDateOf(Date.now());
  const created = await stack.request(
    'POST',
    '/api/v1/children',
    childBody({ residence: { countyCode: '410402', township: '曙光街街道', village: '建设路社区' }, riskFlags: { familyHardship: true } }),
  );
  expect(created.status).toBe(201);
  childId = created.body.id;
});
afterAll(async () => {
  await stack?.stop();
});

function visitBody(overrides: Record<string, unknown> = {}) {
  return {
    visitedOn: today,
    visitor: '王主任',
    notes: '入户了解儿童生活、监护、就医和就学情况',
    livingSecurity: { level: 'good' },
    guardianship: { level: 'attention', note: '祖母照料' },
    medicalCare: { level: 'good' },
    schooling: { level: 'risk', note: '近两周未到校' },
    ...overrides,
  };
}

async function waitUntil<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface RawPayload {
  metadata?: Record<string, Uint8Array>;
  data?: Uint8Array;
}

function payloadsIn(value: unknown, found: RawPayload[] = []): RawPayload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const record = value as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && 'encoding' in record.metadata) found.push(record as RawPayload);
  for (const child of Object.values(record)) payloadsIn(child, found);
  return found;
}

/** Every payload of a workflow's history, decrypted: what its history holds. */
async function historyText(workflowId: string): Promise<string> {
  const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
  const decoded = await TEST_DATA_CONVERTER.payloadCodecs![0]!.decode(payloadsIn(history.events));
  return decoded.map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')).join('\n');
}

const plan = async () => (await stack.request('GET', `/api/v1/children/${childId}/visit-plan`)).body;
const pendingVisits = async () => Number((await stack.db.pool.query(`SELECT count(*) FROM visits WHERE status = 'pending'`)).rows[0].count);

describe('visits API', () => {
  it('starts the plan when a key-care child is registered, once', async () => {
    const current = await waitUntil(async () => {
      const answer = await stack.request('GET', `/api/v1/children/${childId}/visit-plan`);
      return answer.status === 200 && answer.body.quarter.quota > 0 ? answer.body : undefined;
    });
    expect(current).toMatchObject({ childId, phase: 'active', startedOn: today, countyCode: '410402', assigneeCode: 'xz-410402001', quarter: { from: today, done: 0 } });
    expect(current.quarter.due.length).toBe(current.quarter.quota);
    // A retried change of the child is the same plan (USE_EXISTING).
    expect((await stack.request('PATCH', `/api/v1/children/${childId}`, { schoolingStatus: 'junior-secondary' })).status).toBe(200);
    expect((await plan()).planId).toBe(current.planId);
    const runs = await stack.env.client.workflow.list({ query: `WorkflowId = "key-care-visits:${childId}"` });
    let count = 0;
    for await (const _run of runs) count += 1;
    expect(count).toBe(1);
  });

  it('records a visit with an assessment and a need that opens a task for the education bureau', async () => {
    const answer = await stack.request(
      'POST',
      `/api/v1/children/${childId}/visits`,
      visitBody({
        assessment: { scores: { dailyCare: 3, safety: 2, health: 3, education: 2, emotionalCare: 2 }, note: '祖母年迈' },
        needs: [
          { service: 'schooling', note: '需协调返校', openTask: true },
          { service: 'medical', note: '近视未配镜' },
        ],
      }),
    );
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      childId,
      visitedOn: today,
      visitor: '王主任',
      slot: 1,
      assessment: { total: 12, level: 'basic', levelLabel: '基本具备监护能力' },
      needs: [{ service: 'schooling', serviceLabel: '就学', openTask: true }, { service: 'medical', openTask: false }],
    });
    const taskId = answer.body.needs[0].taskId;
    expect(answer.body.needs[1].taskId).toBeUndefined();
    const task = await waitUntil(async () => {
      const found = await stack.request('GET', `/api/v1/tasks/${taskId}`);
      return found.status === 200 ? found.body : undefined;
    });
    expect(task).toMatchObject({ kind: 'key-care.need', assignee: { departmentCode: 'jt-410402' }, caseType: 'key-care-visits', status: 'open' });
    expect(task.instructions).toContain(`/api/v1/children/${childId}/visits/${answer.body.id}`);

    expect((await stack.request('GET', `/api/v1/children/${childId}/visits/${answer.body.id}`)).body).toMatchObject({ id: answer.body.id, notes: answer.body.notes });
    const list = await stack.request('GET', `/api/v1/children/${childId}/visits`);
    expect(list.body).toMatchObject({ total: 1, items: [{ id: answer.body.id }] });
    expect((await plan()).quarter).toMatchObject({ done: 1, assessed: true });
    // The findings stay in Postgres: the workflow's history (decrypted) holds the visit's id, not its notes.
    const history = await historyText(`key-care-visits:${childId}`);
    expect(history).toContain(answer.body.id);
    expect(history).not.toContain('近两周未到校');
    expect(history).not.toContain('祖母年迈');
  });

  it('answers a retried request with an Idempotency-Key with the same visit', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    const first = await stack.request('POST', `/api/v1/children/${childId}/visits`, visitBody({ visitor: '张社工' }), headers);
    const again = await stack.request('POST', `/api/v1/children/${childId}/visits`, visitBody({ visitor: '张社工' }), headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect((await plan()).quarter.done).toBe(2);
  });

  it('refuses a duplicate, a future visit and one before the plan with 409 and the reason, keeping nothing', async () => {
    const duplicate = await stack.request('POST', `/api/v1/children/${childId}/visits`, visitBody({ visitor: ' 王主任 ' }));
    expect(duplicate).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED', message: `${today} 王主任 的走访已登记，不能重复登记`, details: [{ path: 'body.visitedOn' }] } });
    const tomorrow = addDays(today, 1);
    const future = await stack.request('POST', `/api/v1/children/${childId}/visits`, visitBody({ visitedOn: tomorrow }));
    expect(future).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED', message: `走访日期 ${tomorrow} 晚于今天（${today}），不能登记尚未进行的走访` } });
    const early = await stack.request('POST', `/api/v1/children/${childId}/visits`, visitBody({ visitedOn: addDays(today, -1) }));
    expect(early.status).toBe(409);
    expect(early.body.message).toContain('早于走访计划开始的日期');
    expect(await pendingVisits()).toBe(0);
    expect((await plan()).quarter.done).toBe(2);
  });

  it('answers unknown children, children without a plan and malformed visits with clear 4xx', async () => {
    const unknown = await stack.request('POST', `/api/v1/children/${randomUUID()}/visits`, visitBody());
    expect(unknown).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', details: [{ path: 'params.id' }] } });
    expect((await stack.request('GET', `/api/v1/children/${randomUUID()}/visit-plan`)).status).toBe(404);
    expect((await stack.request('POST', '/api/v1/children/not-a-uuid/visits', visitBody())).body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'params.id' }] });

    const notKeyCare = await stack.request('POST', '/api/v1/children', childBody());
    const refused = await stack.request('POST', `/api/v1/children/${notKeyCare.body.id}/visits`, visitBody());
    expect(refused).toMatchObject({ status: 409, body: { code: 'ACTION_NOT_ALLOWED', message: '该儿童没有进行中的走访计划（不在重点关爱台账中，或计划已结束）' } });

    const paths = async (body: unknown) => {
      const answer = await stack.request('POST', `/api/v1/children/${childId}/visits`, body);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
      return answer.body.details.map((d: { path: string }) => d.path);
    };
    const { visitor: _visitor, ...withoutVisitor } = visitBody();
    expect(await paths(withoutVisitor)).toEqual(['body.visitor']);
    expect(await paths(visitBody({ visitedOn: '2026-02-30' }))).toEqual(['body.visitedOn']);
    expect(await paths(visitBody({ extra: 1 }))).toEqual(['body.extra']);
    expect(await paths(visitBody({ schooling: { level: 'fine' } }))).toEqual(['body.schooling.level']);
    expect(await paths(visitBody({ assessment: { scores: { dailyCare: 3, safety: 5, health: 3, education: 3, emotionalCare: 3 } } }))).toEqual(['body.assessment.scores.safety']);
    expect(await paths(visitBody({ needs: [{ service: 'schooling' }, { service: 'schooling' }] }))).toEqual(['body.needs']);
    expect(await paths(visitBody({ needs: [{ service: 'haircut' }] }))).toEqual(['body.needs.0.service']);
    expect(await pendingVisits()).toBe(0);
  });

  it('keeps county visit parameters as data, refusing a quota below the city base list', async () => {
    const current = await stack.request('GET', '/api/v1/admin/counties/410423/visit-policy');
    expect(current.body).toMatchObject({ countyCode: '410423', isDefault: true, policy: { quarterlyQuota: 6, reminderDaysBefore: 3 } });
    const lower = await stack.request('PUT', '/api/v1/admin/counties/410423/visit-policy', { ...current.body.policy, quarterlyQuota: 4 });
    expect(lower).toMatchObject({ status: 422, body: { code: 'RULE_VIOLATION', details: [{ path: 'body.quarterlyQuota' }] } });
    const more = await stack.request('PUT', '/api/v1/admin/counties/410423/visit-policy', { ...current.body.policy, quarterlyQuota: 8 });
    expect(more).toMatchObject({ status: 200, body: { isDefault: false, policy: { quarterlyQuota: 8 } } });
    expect((await stack.request('PUT', '/api/v1/admin/counties/410102/visit-policy', current.body.policy)).body.details[0].path).toBe('params.code');
  });

  it('moves the plan to its closing assessment when the flags clear', async () => {
    const patched = await stack.request('PATCH', `/api/v1/children/${childId}`, { riskFlags: { familyHardship: false } });
    expect(patched.body.keyCare.keyCare).toBe(false);
    const closing = await waitUntil(async () => {
      const current = await plan();
      return current.phase === 'closing' && current.closingTaskId ? current : undefined;
    });
    const task = await waitUntil(async () => {
      const found = await stack.request('GET', `/api/v1/tasks/${closing.closingTaskId}`);
      return found.status === 200 ? found.body : undefined;
    });
    expect(task).toMatchObject({ kind: 'key-care.closing-assessment', assignee: { departmentCode: 'xz-410402001', person: '儿童主任' } });
  });
});
