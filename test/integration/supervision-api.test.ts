/**
 * Issue #9 through HTTP: the case list (filters, sort, cursor pages, CSV) and the M3
 * statistics, on real data made through the API.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ESCALATION_POLICY } from '../../src/domain/escalation';
import { bureauTaskWorkflowId } from '../../src/temporal/workflow-ids';
import { eventually } from '../support/eventually';
import { childBody } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
const caseIds: string[] = [];
const report = { kind: 'dropped-out', absenceDays: 10, source: 'school', reportedBy: '班主任' };

beforeAll(async () => {
  stack = await startTestStack();
  const places = [
    { countyCode: '410402', township: '曙光街街道', village: '一社区' },
    { countyCode: '410402', township: '光明路街道', village: '二社区' },
    { countyCode: '410421', township: '城关镇', village: '三村' },
  ];
  for (const [i, residence] of places.entries()) {
    const child = await stack.request('POST', '/api/v1/children', childBody({
      residence,
      birthDate: ['2024-05-01', '2018-05-01', '2012-05-01'][i],
      gender: 'male',
      riskFlags: { familyHardship: i === 2 },
      guardians: i === 0 ? [{ relation: 'father', name: '张三', phone: '13800000001', livesWithChild: true }, { relation: 'mother', name: '李四', phone: '13800000002', livesWithChild: true }] : [{ relation: 'grandparent', name: '王五', phone: '13800000003', livesWithChild: true }],
      schoolingStatus: ['not-school-age', 'primary', 'junior-secondary'][i],
    }));
    expect(child.status).toBe(201);
    const opened = await stack.request('POST', '/api/v1/cases', { type: 'dropout', childId: child.body.id, report });
    caseIds.push(opened.body.id);
  }
  // One overdue task on the third case (宝丰县), due at once, escalating.
  const taskId = randomUUID();
  await stack.env.client.workflow.start('bureauTask', {
    workflowId: bureauTaskWorkflowId(taskId),
    taskQueue: stack.taskQueue,
    args: [{ taskId, kind: 'dropout.verify', title: '补充核查', instructions: '请立即核查。', assignee: { departmentCode: 'ga-410421' }, countyCode: '410421', due: { hours: 0 }, acceptedOutcomes: [{ code: 'done', label: '已办' }], caseRef: { caseId: caseIds[2]!, caseType: 'dropout' }, policy: DEFAULT_ESCALATION_POLICY }],
  });
  const deadline = Date.now() + 20_000;
  // Wait for the overdue task (and the breach its workflow records just after the due
  // instant) and for each case's verification task to be in the inbox.
  while (
    (await stack.request('GET', '/api/v1/cases?overdue=true')).body.items.length === 0 ||
    (await stack.request('GET', '/api/v1/tasks?assignee=jt-410402')).body.total < 2 ||
    (await stack.db.pool.query('SELECT 1 FROM breaches')).rowCount === 0
  ) {
    if (Date.now() > deadline) throw new Error('no overdue case appeared');
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  await stack?.stop();
});

describe('GET /api/v1/cases (supervisors)', () => {
  it('filters by county, type, status, overdue and assignee department', async () => {
    const xinhua = await stack.request('GET', '/api/v1/cases?county=410402&type=dropout&status=open');
    expect(xinhua.body.items.map((c: { id: string }) => c.id).sort()).toEqual([caseIds[0], caseIds[1]].sort());
    expect(xinhua.body.items[0]).toMatchObject({ typeLabel: '控辍保学（劝返复学）', countyName: '新华区', stageLabel: '核查与查找（W1.2）' });

    const overdue = await stack.request('GET', '/api/v1/cases?overdue=true');
    expect(overdue.body.items.map((c: { id: string }) => c.id)).toEqual([caseIds[2]]);
    expect(overdue.body.items[0].overdueTasks).toBe(1);
    const police = await stack.request('GET', '/api/v1/cases?assignee=ga-410421');
    expect(police.body.items.map((c: { id: string }) => c.id)).toEqual([caseIds[2]]);
    const education = await stack.request('GET', '/api/v1/cases?assignee=jt-410402');
    expect(education.body.items).toHaveLength(2);
    const notOverdue = await stack.request('GET', '/api/v1/cases?overdue=false');
    expect(notOverdue.body.items).toHaveLength(2);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect((await stack.request('GET', `/api/v1/cases?openedFrom=${today}&openedTo=${today}`)).body.items).toHaveLength(3);
    expect((await stack.request('GET', '/api/v1/cases?openedTo=2020-01-01')).body.items).toHaveLength(0);
  });

  it('pages with a cursor, in the order asked, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await stack.request('GET', `/api/v1/cases?limit=1&sort=openedAt${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(caseIds);
    const newestFirst = await stack.request('GET', '/api/v1/cases?limit=3');
    expect(newestFirst.body.items.map((c: { id: string }) => c.id)).toEqual([...caseIds].reverse());
    const bad = await stack.request('GET', '/api/v1/cases?cursor=not-a-cursor');
    expect(bad).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', details: [{ path: 'query.cursor' }] } });
  });

  it('exports the same query as CSV, in Chinese, safe to open in a spreadsheet', async () => {
    const response = await fetch(`${stack.baseUrl}/api/v1/cases?county=410402&format=csv&sort=openedAt`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the UTF-8 BOM
    const lines = new TextDecoder().decode(bytes).trim().split('\r\n');
    expect(lines[0]).toBe('案件编号,类型,县（市、区）,乡镇（街道）代码,阶段,状态,结果,督办级别,逾期任务,待办任务,立案时间,结案时间');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual([caseIds[0], caseIds[1]]);
    expect(lines[1]).toContain('新华区');
  });
});

describe('GET /api/v1/stats (M3)', () => {
  it('counts the register by county, age band, schooling and guardianship, and the casework', async () => {
    const stats = await stack.request('GET', '/api/v1/stats');
    expect(stats.status).toBe(200);
    const { register, casework } = stats.body;
    expect(register).toMatchObject({ children: 3, keyCare: 1 });
    expect(register.byCounty).toEqual([
      { county: '410402', children: 2, eligible: 2, keyCare: 0 },
      { county: '410421', children: 1, eligible: 1, keyCare: 1 },
    ]);
    expect(register.byAgeBand).toEqual({ '0-2': 1, '6-11': 1, '12-15': 1 });
    expect(register.bySchooling).toEqual({ 'not-school-age': 1, primary: 1, 'junior-secondary': 1 });
    expect(register.byGuardianship).toEqual({ 'both-parents': 1, 'other-guardian': 2 });
    expect(casework.casesByTypeAndStage).toEqual([{ type: 'dropout', stage: 'verification', stageLabel: '核查与查找（W1.2）', status: 'open', count: 3 }]);
    expect(casework.overdueByDepartment).toEqual([{ department: 'ga-410421', overdue: 1 }]);
    expect(casework.breachesByDepartment).toEqual([{ department: 'ga-410421', breaches: 1 }]);

    const baofeng = await stack.request('GET', '/api/v1/stats?county=410421');
    expect(baofeng.body.register.children).toBe(1);
    expect(baofeng.body.casework.casesByTypeAndStage[0].count).toBe(1);
    const bad = await stack.request('GET', '/api/v1/stats?county=4104&from=2026-13-01');
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['query.county', 'query.from']);
  });

  it('gives visit compliance per township: planned visits due against done, and short quarters (S20)', async () => {
    // The key-care child's plan (宝丰县城关镇) started today. Its township's record of the last
    // quarter is written as the plan's workflow writes it: 6 visits planned, 4 made, short.
    const [plan] = await eventually(
      async () => (await stack.db.pool.query<{ planId: string; childId: string; township: string }>(
        `SELECT plan_id AS "planId", child_id AS "childId", assignee_code AS township FROM visit_quarters WHERE county_code = '410421'`,
      )).rows,
      (rows) => rows.length === 1,
    );
    const dueDates = ['2026-07-08', '2026-07-23', '2026-08-08', '2026-08-23', '2026-09-08', '2026-09-23'];
    await stack.db.pool.query(
      `INSERT INTO visit_quarters (plan_id, quarter, child_id, workflow_id, county_code, assignee_code, planned_from, quota, due_dates, done, assessed, outcome, opened_at, closed_at)
       VALUES ($1, '2026-Q3', $2, 'key-care-visits:test', '410421', $3, '2026-07-01', 6, $4, 4, true, 'short', '2026-06-30T16:00:00Z', '2026-09-30T16:00:00Z')`,
      [plan!.planId, plan!.childId, plan!.township, dueDates],
    );
    for (const [slot, visitedOn] of dueDates.slice(0, 4).entries()) {
      await stack.db.pool.query(
        `INSERT INTO visits (id, child_id, status, visited_on, visitor, notes, living_security, guardianship, medical_care, schooling, needs, plan_id, quarter, slot, recorded_at)
         VALUES ($1, $2, 'recorded', $3, '王主任', '入户走访', '{"level":"good"}', '{"level":"good"}', '{"level":"good"}', '{"level":"good"}', '[]', $4, '2026-Q3', $5, now())`,
        [randomUUID(), plan!.childId, visitedOn, plan!.planId, slot + 1],
      );
    }
    // A visit beyond the quota (slot NULL) does not count.
    await stack.db.pool.query(
      `INSERT INTO visits (id, child_id, status, visited_on, visitor, notes, living_security, guardianship, medical_care, schooling, needs, plan_id, quarter, slot, recorded_at)
       VALUES ($1, $2, 'recorded', '2026-09-24', '王主任', '再次走访', '{"level":"good"}', '{"level":"good"}', '{"level":"good"}', '{"level":"good"}', '[]', $3, '2026-Q3', NULL, now())`,
      [randomUUID(), plan!.childId, plan!.planId],
    );

    // Another plan of the township, its two September visits never made: the first plan's
    // visits beyond its own slots (the slot-less one above) do not make up for them.
    await stack.db.pool.query(
      `INSERT INTO visit_quarters (plan_id, quarter, child_id, workflow_id, county_code, assignee_code, planned_from, quota, due_dates, done, assessed, outcome, opened_at, closed_at)
       VALUES ($1, '2026-Q3', $2, 'key-care-visits:other', '410421', $3, '2026-09-01', 2, $4, 0, false, 'short', '2026-08-31T16:00:00Z', '2026-09-30T16:00:00Z')`,
      [randomUUID(), plan!.childId, plan!.township, ['2026-09-10', '2026-09-25']],
    );

    const q3 = await stack.request('GET', '/api/v1/stats?from=2026-07-01&to=2026-09-30');
    expect(q3.status).toBe(200);
    expect(q3.body.visits.byTownship).toEqual([
      { township: plan!.township, townshipName: expect.stringContaining('城关镇'), county: '410421', due: 8, done: 4, rate: 4 / 8, quartersShort: 2 },
    ]);
    // August alone: 2 due, 2 done; the short quarter ended in September.
    const august = await stack.request('GET', '/api/v1/stats?from=2026-08-01&to=2026-08-31&county=410421');
    expect(august.body.visits.byTownship).toEqual([expect.objectContaining({ due: 2, done: 2, rate: 1, quartersShort: 0 })]);
    // Another county's townships are not in its figures.
    expect((await stack.request('GET', '/api/v1/stats?from=2026-07-01&to=2026-09-30&county=410402')).body.visits.byTownship).toEqual([]);
  });
});
