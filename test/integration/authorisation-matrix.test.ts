/**
 * Issue #10: every route × every role × own / other jurisdiction, generated from the policy
 * table (src/security/policy.ts) and checked against the app's own route list, so a route
 * added without a rule fails here. Expectations come from the table; the spot checks below
 * them pin what the table must say (a bureau never reads the register, a county sees only
 * itself ...), so a wrong table cannot pass by agreeing with itself.
 *
 * Requests carry just enough to name a jurisdiction (an id, a filter, a county in the body):
 * an allowed request may then fail validation (400) — what matters is that the policy let it
 * through (not 401, not 403, not the 404 that hides a record).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surveyPeriodOf } from '../../src/domain/survey-period';
import { chinaDateOf } from '../../src/domain/calendar-date';
import type { Principal, TokenClaims } from '../../src/security/auth';
import { routesOf } from '../../src/security/http';
import { holdsEverything, mayCall, POLICY, ruleFor, type RecordKind, type RoutePolicy } from '../../src/security/policy';
import { bureauTaskWorkflowId } from '../../src/temporal/workflow-ids';
import { childBody } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/stack';

const OWN = '410402';
const OTHER = '410403';

interface Caller {
  name: string;
  claims: TokenClaims;
}

const CALLERS: Caller[] = [
  { name: 'caseworker 410402', claims: { role: 'caseworker', county: OWN } },
  { name: 'township caseworker 410402001', claims: { role: 'caseworker', county: OWN, township: '410402001' } },
  { name: 'supervisor 410402', claims: { role: 'supervisor', county: OWN } },
  { name: 'city supervisor', claims: { role: 'supervisor', county: '410400' } },
  { name: 'bureau jt-410402', claims: { role: 'bureau', department: `jt-${OWN}`, county: OWN } },
  { name: 'procuratorate jc-410402', claims: { role: 'procuratorate', department: `jc-${OWN}`, county: OWN } },
  { name: 'admin', claims: { role: 'admin' } },
];

type Where = 'own' | 'other';
const fixtures: Record<RecordKind, Record<Where, string>> = {
  child: { own: '', other: '' },
  case: { own: '', other: '' },
  task: { own: '', other: '' },
  referral: { own: '', other: '' },
  survey: { own: '', other: '' },
};
const tokens = new Map<string, string>();
let stack: TestStack;

const principalOf = (caller: Caller): Principal => ({ subject: caller.name, ...caller.claims });

beforeAll(async () => {
  stack = await startTestStack();
  for (const caller of CALLERS) tokens.set(caller.name, await stack.tokenFor(caller.claims.role, caller.claims, caller.name));
  for (const [where, county] of [['own', OWN], ['other', OTHER]] as const) {
    const child = await stack.request('POST', '/api/v1/children', childBody({ residence: { countyCode: county, township: '某街道', village: '某社区' } }));
    expect(child.status).toBe(201);
    fixtures.child[where] = child.body.id;
    const opened = await stack.request('POST', '/api/v1/cases', { type: 'dropout', childId: child.body.id, report: { kind: 'dropped-out', absenceDays: 10, source: 'school', reportedBy: '班主任' } });
    expect(opened.status).toBe(201);
    fixtures.case[where] = opened.body.id;
    const taskId = randomUUID();
    await stack.env.client.workflow.start('bureauTask', {
      workflowId: bureauTaskWorkflowId(taskId),
      taskQueue: stack.taskQueue,
      args: [{ taskId, kind: 'matrix.check', title: '核查', instructions: '请核查。', assignee: { departmentCode: `jt-${county}` }, countyCode: county, due: { workingDays: 30 }, acceptedOutcomes: [{ code: 'done', label: '已办' }] }],
    });
    fixtures.task[where] = taskId;
    const referralId = randomUUID();
    await stack.db.pool.query(
      `INSERT INTO referrals (id, workflow_id, department_code, procuratorate_code, status, reason, dossier, opened_at)
       VALUES ($1, $2, $3, $4, 'sent', 'matrix', '{}', now())`,
      [referralId, `procuratorate-referral:${referralId}`, `jt-${county}`, `jc-${county}`],
    );
    fixtures.referral[where] = referralId;
    const survey = await stack.request('POST', '/api/v1/surveys', { county, period: surveyPeriodOf(chinaDateOf(Date.now())) });
    expect(survey.status).toBe(201);
    fixtures.survey[where] = survey.body.id;
  }
  const deadline = Date.now() + 20_000;
  while ((await stack.db.pool.query('SELECT 1 FROM tasks WHERE id = ANY($1)', [[fixtures.task.own, fixtures.task.other]])).rowCount !== 2) {
    if (Date.now() > deadline) throw new Error('task rows never appeared');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/** The 404 of a record that does not exist, which a record out of jurisdiction must equal. */
function hiddenBody(record: NonNullable<RoutePolicy['record']>) {
  if (record.at === 'body.childId') return { code: 'NOT_FOUND', message: '儿童不存在', details: [{ path: 'body.childId', message: '未找到该儿童' }] };
  const what = { child: '儿童', case: '案件', task: '任务', referral: '移送记录', survey: '摸排' }[record.kind];
  return { code: 'NOT_FOUND', message: `${what}不存在`, details: [{ path: 'params.id', message: `未找到${what}` }] };
}

function otherFilterValue(value: string, caller: Caller): string {
  if (value === 'county') return OTHER;
  if (value === 'county-procuratorate') return `jc-${OTHER}`;
  return caller.claims.role === 'procuratorate' ? `jc-${OTHER}` : `jt-${OTHER}`;
}

function setAt(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}

/** The request of a route that names the caller's own or the other jurisdiction. */
function sample(key: string, rule: RoutePolicy, caller: Caller, where: Where): { method: string; path: string; body?: Record<string, unknown> } {
  const [method, pattern] = key.split(' ') as [string, string];
  let path = pattern.replace(/:(\w+)/g, (_match, name: string) => {
    if (name === 'id' && rule.record?.at === 'params.id') return fixtures[rule.record.kind][where];
    if (name === 'visitId' || name === 'uploadId') return randomUUID();
    if (name === 'code') return pattern.includes('/departments/') ? `mz-${OWN}` : OWN;
    throw new Error(`${key}: no sample value for :${name} (teach test/integration/authorisation-matrix.test.ts)`);
  });
  const filter = caller.claims.role === 'admin' ? undefined : rule.filter?.[caller.claims.role];
  if (filter && where === 'other') path += `?${filter.param}=${otherFilterValue(filter.value, caller)}`;
  if (method === 'GET') return { method, path };
  const body: Record<string, unknown> = {};
  if (rule.record?.at === 'body.childId') body.childId = fixtures.child[where];
  if (rule.bodyCounty) setAt(body, rule.bodyCounty, where === 'own' ? OWN : OTHER);
  return { method, path, body };
}

type Expectation = { allowed: true } | { allowed: false; status: number; body: { code: string; message?: string; details: Array<{ path: string; message?: string }> } };

/** What the table says the answer is. */
function expectation(rule: RoutePolicy, caller: Caller, where: Where): Expectation {
  const principal = principalOf(caller);
  if (!mayCall(principal, rule)) return { allowed: false, status: 403, body: { code: 'FORBIDDEN', details: [{ path: 'url' }] } };
  if (where === 'own' || holdsEverything(principal)) return { allowed: true };
  if (rule.record) return { allowed: false, status: 404, body: hiddenBody(rule.record) };
  const filter = caller.claims.role === 'admin' ? undefined : rule.filter?.[caller.claims.role];
  if (filter) return { allowed: false, status: 403, body: { code: 'FORBIDDEN', details: [{ path: `query.${filter.param}` }] } };
  if (rule.bodyCounty) return { allowed: false, status: 403, body: { code: 'FORBIDDEN', details: [{ path: `body.${rule.bodyCounty}` }] } };
  return { allowed: true };
}

const ROUTES = Object.entries(POLICY).filter((entry): entry is [string, RoutePolicy] => entry[1] !== 'public');

describe('the policy table and the app', () => {
  it('has a rule for every route of the app, and a route for every rule', () => {
    const appRoutes = routesOf(stack.app).map(({ method, url }) => `${method} ${url}`);
    expect(appRoutes.length).toBeGreaterThan(30);
    const missing = routesOf(stack.app).filter(({ method, url }) => !ruleFor(method, url)).map(({ method, url }) => `${method} ${url}`);
    expect(missing, 'routes without a rule: add them to src/security/policy.ts').toEqual([]);
    const stale = Object.keys(POLICY).filter((key) => !appRoutes.includes(key));
    expect(stale, 'rules without a route').toEqual([]);
  });
});

describe('authorisation matrix: route × role × own/other jurisdiction', () => {
  it.each(ROUTES)('%s', async (key, rule) => {
    const failures: string[] = [];
    const [method, pattern] = key.split(' ') as [string, string];

    // No token: 401, and a challenge.
    const anonymous = sample(key, rule, CALLERS[CALLERS.length - 1]!, 'own');
    const bare = await stack.request(anonymous.method, anonymous.path, anonymous.body, {}, null);
    if (bare.status !== 401 || bare.body?.code !== 'UNAUTHENTICATED') failures.push(`no token → ${bare.status} ${bare.body?.code}`);

    for (const caller of CALLERS) {
      for (const where of ['own', 'other'] as const) {
        const request = sample(key, rule, caller, where);
        const expected = expectation(rule, caller, where);
        const response = await stack.request(request.method, request.path, request.body, {}, tokens.get(caller.name));
        const label = `${caller.name} / ${where}: ${request.method} ${request.path}`;
        if (expected.allowed) {
          const hidden = rule.record && response.status === 404 && JSON.stringify(response.body) === JSON.stringify(hiddenBody(rule.record));
          if ([401, 403].includes(response.status) || response.status >= 500 || hidden) failures.push(`${label} → ${response.status} ${JSON.stringify(response.body)}; expected allowed`);
        } else {
          const matches =
            response.status === expected.status &&
            (expected.status === 404 ? JSON.stringify(response.body) === JSON.stringify(expected.body) : response.body?.code === expected.body.code && response.body?.details?.[0]?.path === expected.body.details[0]?.path);
          if (!matches) failures.push(`${label} → ${response.status} ${JSON.stringify(response.body)}; expected ${expected.status} ${JSON.stringify(expected.body)}`);
          if (response.status === 403 && !/[\u4e00-\u9fff]/.test(String(response.body?.message))) failures.push(`${label}: 403 without a Chinese message`);
        }
      }
    }
    expect(failures, `${method} ${pattern}`).toEqual([]);
  });

  it('leaves the public routes open', async () => {
    for (const path of ['/healthz', '/', '/docs', '/docs/json', '/dashboard/app.js', '/dashboard/style.css', '/assets/chart.umd.min.js']) {
      expect((await fetch(`${stack.baseUrl}${path}`)).status, path).toBe(200);
    }
  });
});

describe('what the table must say (spot checks)', () => {
  const as = (name: string) => tokens.get(name)!;

  it('limits a county caseworker to its county: its list filtered, another county refused, another child hidden', async () => {
    const list = await stack.request('GET', '/api/v1/children?pageSize=100', undefined, {}, as('caseworker 410402'));
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(new Set(list.body.items.map((c: { residence: { countyCode: string } }) => c.residence.countyCode))).toEqual(new Set([OWN]));
    expect(await stack.request('GET', `/api/v1/children?county=${OTHER}`, undefined, {}, as('caseworker 410402'))).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', details: [{ path: 'query.county' }] } });
    // Out of jurisdiction and non-existent answer alike.
    const other = await stack.request('GET', `/api/v1/children/${fixtures.child.other}`, undefined, {}, as('caseworker 410402'));
    const missing = await stack.request('GET', `/api/v1/children/${randomUUID()}`, undefined, {}, as('caseworker 410402'));
    expect(other).toEqual(missing);
    expect(other.status).toBe(404);
    // Moving an own child to another county is refused at the field.
    expect(await stack.request('PATCH', `/api/v1/children/${fixtures.child.own}`, { residence: { countyCode: OTHER, township: '某街道', village: '某社区' } }, {}, as('caseworker 410402'))).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN', details: [{ path: 'body.residence.countyCode' }] },
    });
    // Even an invalid body reveals nothing about another county's child.
    expect((await stack.request('PATCH', `/api/v1/children/${fixtures.child.other}`, { nickname: 1 }, {}, as('caseworker 410402'))).status).toBe(404);
  });

  it('lets a county supervisor read its county only, and change nothing', async () => {
    expect((await stack.request('GET', `/api/v1/cases/${fixtures.case.own}`, undefined, {}, as('supervisor 410402'))).status).toBe(200);
    expect((await stack.request('GET', `/api/v1/cases/${fixtures.case.other}`, undefined, {}, as('supervisor 410402'))).status).toBe(404);
    const cases = await stack.request('GET', '/api/v1/cases', undefined, {}, as('supervisor 410402'));
    expect(new Set(cases.body.items.map((c: { countyCode: string }) => c.countyCode))).toEqual(new Set([OWN]));
    const stats = await stack.request('GET', '/api/v1/stats', undefined, {}, as('supervisor 410402'));
    expect(stats.body.register.byCounty.map((row: { county: string }) => row.county)).toEqual([OWN]);
    expect((await stack.request('PATCH', `/api/v1/children/${fixtures.child.own}`, { helpRequested: true }, {}, as('supervisor 410402'))).status).toBe(403);
    expect((await stack.request('POST', `/api/v1/cases/${fixtures.case.own}/actions`, { action: 'x' }, {}, as('supervisor 410402'))).status).toBe(403);
  });

  it('lets the city supervisor see every county', async () => {
    const list = await stack.request('GET', '/api/v1/children?pageSize=100', undefined, {}, as('city supervisor'));
    expect(new Set(list.body.items.map((c: { residence: { countyCode: string } }) => c.residence.countyCode))).toEqual(new Set([OWN, OTHER]));
    expect((await stack.request('GET', `/api/v1/children/${fixtures.child.other}`, undefined, {}, as('city supervisor'))).status).toBe(200);
  });

  it('gives a bureau its own inbox and nothing of the register', async () => {
    const inbox = await stack.request('GET', '/api/v1/tasks?pageSize=100', undefined, {}, as('bureau jt-410402'));
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.length).toBeGreaterThan(0);
    expect(new Set(inbox.body.items.map((t: { assignee: { departmentCode: string } }) => t.assignee.departmentCode))).toEqual(new Set([`jt-${OWN}`]));
    expect((await stack.request('GET', `/api/v1/tasks?assignee=jt-${OTHER}`, undefined, {}, as('bureau jt-410402'))).status).toBe(403);
    expect((await stack.request('GET', `/api/v1/tasks/${fixtures.task.other}`, undefined, {}, as('bureau jt-410402'))).status).toBe(404);
    expect((await stack.request('POST', `/api/v1/tasks/${fixtures.task.other}/complete`, { outcome: 'done', by: '某人' }, {}, as('bureau jt-410402'))).status).toBe(404);
    for (const path of ['/api/v1/children', `/api/v1/children/${fixtures.child.own}`, '/api/v1/cases', `/api/v1/cases/${fixtures.case.own}`, '/api/v1/stats']) {
      expect((await stack.request('GET', path, undefined, {}, as('bureau jt-410402'))).status, path).toBe(403);
    }
    // A caseworker does not complete a bureau's task.
    expect((await stack.request('POST', `/api/v1/tasks/${fixtures.task.own}/complete`, { outcome: 'done', by: '某人' }, {}, as('caseworker 410402'))).status).toBe(403);
  });

  it('shows a procuratorate the referrals sent to it, with their dossiers, and nothing else', async () => {
    const list = await stack.request('GET', '/api/v1/referrals', undefined, {}, as('procuratorate jc-410402'));
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([fixtures.referral.own]);
    expect(await stack.request('GET', `/api/v1/referrals/${fixtures.referral.own}`, undefined, {}, as('procuratorate jc-410402'))).toMatchObject({ status: 200, body: { procuratorateCode: `jc-${OWN}`, dossier: {} } });
    expect((await stack.request('GET', `/api/v1/referrals/${fixtures.referral.other}`, undefined, {}, as('procuratorate jc-410402'))).status).toBe(404);
    expect((await stack.request('GET', `/api/v1/children/${fixtures.child.own}`, undefined, {}, as('procuratorate jc-410402'))).status).toBe(403);
    const county = await stack.request('GET', '/api/v1/referrals', undefined, {}, as('supervisor 410402'));
    expect(county.body.items.map((r: { id: string }) => r.id)).toEqual([fixtures.referral.own]);
  });

  it('keeps administration to the operator', async () => {
    for (const caller of CALLERS.filter((c) => c.claims.role !== 'admin')) {
      expect((await stack.request('POST', '/codec/decode', { payloads: [] }, {}, as(caller.name))).status, caller.name).toBe(403);
      expect((await stack.request('PUT', `/api/v1/admin/counties/${OWN}/escalation-policy`, {}, {}, as(caller.name))).status, caller.name).toBe(403);
      expect((await stack.request('GET', '/api/v1/admin/departments?pageSize=1', undefined, {}, as(caller.name))).status, caller.name).toBe(200);
    }
    expect((await stack.request('POST', '/codec/decode', { payloads: [] })).status).toBe(200);
  });

  it("writes every read of a child's record, and every operator request, to the access log", async () => {
    const count = async (where: string, values: unknown[]) => Number((await stack.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM access_log WHERE ${where}`, values)).rows[0]!.n);
    const before = await count("action = 'child.read' AND child_id = $1 AND subject = $2", [fixtures.child.own, 'caseworker 410402']);
    const read = await stack.request('GET', `/api/v1/children/${fixtures.child.own}`, undefined, { 'x-access-purpose': encodeURIComponent('入户走访前核对') }, as('caseworker 410402'));
    expect(read.status).toBe(200);
    // The ID number stays masked.
    expect(read.body.residentIdMasked).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
    expect(JSON.stringify(read.body)).not.toMatch(/\d{17}[\dX]/);
    expect(await count("action = 'child.read' AND child_id = $1 AND subject = $2", [fixtures.child.own, 'caseworker 410402'])).toBe(before + 1);
    const row = (await stack.db.pool.query('SELECT role, jurisdiction, route, purpose FROM access_log WHERE child_id = $1 AND subject = $2 ORDER BY id DESC LIMIT 1', [fixtures.child.own, 'caseworker 410402'])).rows[0];
    expect(row).toEqual({ role: 'caseworker', jurisdiction: OWN, route: 'GET /api/v1/children/:id', purpose: '入户走访前核对' });
    // A refused read is not a read.
    await stack.request('GET', `/api/v1/children/${fixtures.child.other}`, undefined, {}, as('caseworker 410402'));
    expect(await count('child_id = $1 AND subject = $2', [fixtures.child.other, 'caseworker 410402'])).toBe(0);
    // The operator: every request.
    const operatorBefore = await count("action = 'operator.request' AND subject = 'test-operator'", []);
    await stack.request('GET', '/api/v1/stats');
    expect(await count("action = 'operator.request' AND subject = 'test-operator'", [])).toBe(operatorBefore + 1);
    // Append-only.
    await expect(stack.db.pool.query('DELETE FROM access_log')).rejects.toThrow(/append-only/);
  });

  it('refuses tokens that are missing, malformed, forged, expired or claim a jurisdiction that does not exist', async () => {
    const forged = `${stack.adminToken.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${stack.adminToken.split('.')[1]}.`;
    for (const authorization of ['', 'Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer not-a-jwt', `Bearer ${forged}`, `Bearer ${none}`]) {
      const response = await stack.request('GET', '/api/v1/stats', undefined, authorization ? { authorization } : {}, null);
      expect(response, authorization).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED', details: [{ path: 'headers.authorization' }] } });
      expect(response.body.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
