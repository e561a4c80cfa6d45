/**
 * The department directory (issue #3 item 1) through HTTP, on the whole stack: the seeded
 * Pingdingshan directory, admin create and change with audit, and bad input refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOutsideCivilAffairs } from '../../src/db/departments-repository';
import { seedDirectory } from '../../src/db/seed';
import { seedDepartments } from '../../src/domain/department-catalog';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function counts(): Promise<{ departments: number; audit: number }> {
  const result = await stack.db.pool.query<{ departments: string; audit: string }>(
    'SELECT (SELECT count(*) FROM departments) AS departments, (SELECT count(*) FROM audit_log) AS audit',
  );
  const row = result.rows[0]!;
  return { departments: Number(row.departments), audit: Number(row.audit) };
}

async function auditOf(code: string): Promise<Array<{ action: string; actor: string; summary: Record<string, unknown> }>> {
  const result = await stack.db.pool.query(
    "SELECT action, actor, summary FROM audit_log WHERE entity_type = 'department' AND entity_id = $1 ORDER BY id",
    [code],
  );
  return result.rows;
}

const SEEDED = seedDepartments().length;

describe('the seeded directory', () => {
  it('holds every seed department once', async () => {
    const all = await stack.request('GET', '/api/v1/admin/departments?pageSize=100');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(SEEDED);
    expect(all.body.items).toHaveLength(100);
    // City first, then the counties.
    expect(all.body.items[0]).toMatchObject({ level: 'city', regionCode: '410400' });
    const last = await stack.request('GET', `/api/v1/admin/departments?pageSize=100&page=${Math.ceil(SEEDED / 100)}`);
    expect(last.body.items).toHaveLength(SEEDED % 100 || 100);
  });

  it('shows one department with its names, mailboxes and superior', async () => {
    const read = await stack.request('GET', '/api/v1/admin/departments/mz-410402');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      code: 'mz-410402',
      kind: 'mz',
      kindName: '民政局',
      level: 'county',
      name: '新华区民政局',
      regionCode: '410402',
      regionName: '河南省平顶山市新华区',
      mailbox: 'mz-410402@pds.careflow.local',
      headMailbox: 'head.mz-410402@pds.careflow.local',
      superiorCode: 'mz-410400',
      serviceTier: null,
      active: true,
    });
    const city = await stack.request('GET', '/api/v1/admin/departments/tw-410400');
    expect(city.body).toMatchObject({ name: '共青团平顶山市委员会', kindName: '团市委', regionName: '平顶山市', superiorCode: null });
  });

  it('filters by level, kind and region (a county includes its townships)', async () => {
    const city = await stack.request('GET', '/api/v1/admin/departments?level=city&pageSize=100');
    expect(city.body.total).toBe(19);
    const countyMz = await stack.request('GET', '/api/v1/admin/departments?level=county&kind=mz&pageSize=100');
    expect(countyMz.body.items.map((d: { code: string }) => d.code)).toEqual([
      'mz-410402', 'mz-410403', 'mz-410404', 'mz-410411', 'mz-410421', 'mz-410422', 'mz-410423', 'mz-410425', 'mz-410481', 'mz-410482',
    ]);
    const xinhua = await stack.request('GET', '/api/v1/admin/departments?region=410402&pageSize=100');
    expect(xinhua.body.total).toBe(19 + 11);
    const townships = await stack.request('GET', '/api/v1/admin/departments?region=410402&level=township');
    expect(townships.body.total).toBe(11);
    expect(townships.body.items[0]).toMatchObject({ code: 'xz-410402001', name: '新华区曙光街街道办事处', superiorCode: 'mz-410402' });
    const oneTownship = await stack.request('GET', '/api/v1/admin/departments?region=410402001');
    expect(oneTownship.body.items.map((d: { code: string }) => d.code)).toEqual(['xz-410402001']);
  });

  it('is in the OpenAPI document', async () => {
    const spec = await stack.request('GET', '/docs/json');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/admin/departments', '/api/v1/admin/departments/{code}']),
    );
  });
});

describe('admin changes', () => {
  it('creates a 户籍地 bureau with the scheme code and name, and audits it', async () => {
    const created = await stack.request('POST', '/api/v1/admin/departments', {
      kind: 'jt',
      level: 'outside',
      regionCode: '410102',
      mailbox: 'JT-Zhongyuan@Example.org',
      headMailbox: 'head.jt@example.org',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      code: 'outside-jt-410102',
      name: '河南省郑州市中原区教育体育局',
      regionName: '河南省郑州市中原区',
      mailbox: 'jt-zhongyuan@example.org',
      superiorCode: null,
      active: true,
    });
    const audit = await auditOf('outside-jt-410102');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'department.created', actor: 'admin:test-operator' });
    expect(audit[0]!.summary.after).toMatchObject({ kind: 'jt', level: 'outside', mailbox: 'jt-zhongyuan@example.org' });
  });

  it('creates a mental-health provider with a code suffix and a service tier, under the default superior', async () => {
    const created = await stack.request('POST', '/api/v1/admin/departments', {
      code: 'wj-410402-xl',
      kind: 'wj',
      level: 'county',
      regionCode: '410402',
      name: '新华区心理健康服务中心',
      mailbox: 'xl@xinhua.example.org',
      headMailbox: 'head.xl@xinhua.example.org',
      serviceTier: 'medium',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'wj-410402-xl', superiorCode: 'wj-410400', serviceTier: 'medium' });
    const read = await stack.request('GET', '/api/v1/admin/departments/wj-410402-xl');
    expect(read.body).toEqual(created.body);
  });

  it('creates a functional zone bureau that the seed does not have', async () => {
    const created = await stack.request('POST', '/api/v1/admin/departments', {
      kind: 'mz',
      level: 'county',
      regionCode: '410471',
      mailbox: 'mz-410471@pds.careflow.local',
      headMailbox: 'head.mz-410471@pds.careflow.local',
      superiorCode: 'mz-410400',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'mz-410471', name: '平顶山高新技术产业开发区民政局', superiorCode: 'mz-410400' });
  });

  it('changes a department partly, audits before and after, and writes nothing for a no-op', async () => {
    const patched = await stack.request('PATCH', '/api/v1/admin/departments/jt-410421', {
      mailbox: 'jiaotiju@baofeng.example.org',
      serviceTier: 'low',
      active: false,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      code: 'jt-410421',
      name: '宝丰县教育体育局',
      mailbox: 'jiaotiju@baofeng.example.org',
      headMailbox: 'head.jt-410421@pds.careflow.local',
      serviceTier: 'low',
      active: false,
      superiorCode: 'jt-410400',
    });
    expect(patched.body.updatedAt > patched.body.createdAt).toBe(true);
    const audit = await auditOf('jt-410421');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'department.updated',
      summary: {
        fields: ['mailbox', 'serviceTier', 'active'],
        before: { mailbox: 'jt-410421@pds.careflow.local', serviceTier: null, active: true },
        after: { mailbox: 'jiaotiju@baofeng.example.org', serviceTier: 'low', active: false },
      },
    });
    const inactive = await stack.request('GET', '/api/v1/admin/departments?active=false');
    expect(inactive.body.items.map((d: { code: string }) => d.code)).toEqual(['jt-410421']);

    const before = await counts();
    const again = await stack.request('PATCH', '/api/v1/admin/departments/jt-410421', { active: false });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(patched.body);
    expect(await counts()).toEqual(before);

    const cleared = await stack.request('PATCH', '/api/v1/admin/departments/jt-410421', { superiorCode: null, serviceTier: null });
    expect(cleared.body).toMatchObject({ superiorCode: null, serviceTier: null });
    const moved = await stack.request('PATCH', '/api/v1/admin/departments/jt-410421', { superiorCode: 'jt-410400' });
    expect(moved.body.superiorCode).toBe('jt-410400');
    expect((await auditOf('jt-410421')).map((a) => a.action)).toEqual(['department.updated', 'department.updated', 'department.updated']);
  });

  it('inserts a 户籍地 civil-affairs bureau once, however often it is asked for', async () => {
    const first = await ensureOutsideCivilAffairs(stack.db.pool, '110101');
    const second = await ensureOutsideCivilAffairs(stack.db.pool, '110101');
    expect(first).toMatchObject({ code: 'outside-mz-110101', name: '北京市东城区民政局', mailbox: 'outside-mz-110101@hukou.careflow.local' });
    expect(second).toEqual(first);
    expect((await auditOf('outside-mz-110101')).map((a) => a.action)).toEqual(['department.created']);
    await expect(ensureOutsideCivilAffairs(stack.db.pool, '410402')).rejects.toThrow(RangeError);
  });
});

describe('seeding again', () => {
  it('keeps an admin edit and puts back only what is missing', async () => {
    const edited = await stack.request('PATCH', '/api/v1/admin/departments/mz-410403', {
      name: '卫东区民政局（社会事务）',
      headMailbox: 'chief@weidong.example.org',
    });
    expect(edited.status).toBe(200);
    await stack.db.pool.query("DELETE FROM departments WHERE code = 'xz-410482001'");
    const before = await counts();

    const inserted = await seedDirectory(stack.db.pool);

    expect(inserted).toEqual(['xz-410482001']);
    expect(await counts()).toEqual({ departments: before.departments + 1, audit: before.audit + 1 });
    const read = await stack.request('GET', '/api/v1/admin/departments/mz-410403');
    expect(read.body).toEqual(edited.body);
    expect(await seedDirectory(stack.db.pool)).toEqual([]);
    expect(await counts()).toEqual({ departments: before.departments + 1, audit: before.audit + 1 });
  });
});

describe('bad input to the directory gets a 4xx with a code and the field, and writes nothing', () => {
  const valid = (overrides: Record<string, unknown> = {}) => ({
    kind: 'mz',
    level: 'outside',
    regionCode: '410105',
    mailbox: 'mz@jinshui.example.org',
    headMailbox: 'head.mz@jinshui.example.org',
    ...overrides,
  });
  const post = (body: unknown) => stack.request('POST', '/api/v1/admin/departments', body);
  const patch = (code: string, body: unknown) => stack.request('PATCH', `/api/v1/admin/departments/${code}`, body);

  const cases: Array<{ name: string; send: () => ReturnType<TestStack['request']>; status: number; code: string; path: string }> = [
    { name: 'existing code', send: () => post(valid({ level: 'county', regionCode: '410402' })), status: 409, code: 'DUPLICATE_DEPARTMENT', path: 'body.code' },
    { name: 'bad mailbox', send: () => post(valid({ mailbox: 'not-a-mailbox' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.mailbox' },
    { name: 'bad head mailbox', send: () => post(valid({ headMailbox: 'head@' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.headMailbox' },
    { name: 'unknown kind', send: () => post(valid({ kind: 'zz' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.kind' },
    { name: 'unknown level', send: () => post(valid({ level: 'province' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.level' },
    { name: 'unknown region code', send: () => post(valid({ regionCode: '419999' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.regionCode' },
    { name: 'malformed region code', send: () => post(valid({ regionCode: '4101' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.regionCode' },
    { name: 'county level outside Pingdingshan', send: () => post(valid({ level: 'county' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.regionCode' },
    { name: 'outside level inside Pingdingshan', send: () => post(valid({ regionCode: '410423' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.regionCode' },
    { name: 'unknown township', send: () => post(valid({ kind: 'xz', level: 'township', regionCode: '410402999' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.regionCode' },
    { name: 'kind not at that level', send: () => post(valid({ level: 'township', regionCode: '410402001' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.kind' },
    { name: 'code off the scheme', send: () => post(valid({ code: 'ga-410105' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.code' },
    { name: 'unknown field', send: () => post(valid({ phone: '0371-1234567' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.phone' },
    { name: 'bad service tier', send: () => post(valid({ serviceTier: 'extreme' })), status: 400, code: 'VALIDATION_FAILED', path: 'body.serviceTier' },
    { name: 'unknown superior', send: () => post(valid({ superiorCode: 'mz-999999' })), status: 422, code: 'RULE_VIOLATION', path: 'body.superiorCode' },
    { name: 'unknown department', send: () => patch('mz-999999', { name: '某某局' }), status: 404, code: 'NOT_FOUND', path: 'params.code' },
    { name: 'unknown superior on change', send: () => patch('mz-410402', { superiorCode: 'mz-999999' }), status: 422, code: 'RULE_VIOLATION', path: 'body.superiorCode' },
    { name: 'own superior', send: () => patch('mz-410402', { superiorCode: 'mz-410402' }), status: 422, code: 'RULE_VIOLATION', path: 'body.superiorCode' },
    { name: 'superior cycle', send: () => patch('mz-410400', { superiorCode: 'xz-410402001' }), status: 422, code: 'RULE_VIOLATION', path: 'body.superiorCode' },
    { name: 'fixed field on change', send: () => patch('mz-410402', { kind: 'ga' }), status: 400, code: 'VALIDATION_FAILED', path: 'body.kind' },
    { name: 'bad mailbox on change', send: () => patch('mz-410402', { mailbox: 'mz at example' }), status: 400, code: 'VALIDATION_FAILED', path: 'body.mailbox' },
    { name: 'empty change', send: () => patch('mz-410402', {}), status: 400, code: 'VALIDATION_FAILED', path: 'body' },
    { name: 'bad code in the path', send: () => stack.request('GET', '/api/v1/admin/departments/MZ%20410402'), status: 400, code: 'VALIDATION_FAILED', path: 'params.code' },
    { name: 'unknown department read', send: () => stack.request('GET', '/api/v1/admin/departments/mz-999999'), status: 404, code: 'NOT_FOUND', path: 'params.code' },
    { name: 'bad query', send: () => stack.request('GET', '/api/v1/admin/departments?level=province&pageSize=1000'), status: 400, code: 'VALIDATION_FAILED', path: 'query.level' },
    { name: 'unknown query parameter', send: () => stack.request('GET', '/api/v1/admin/departments?county=410402'), status: 400, code: 'VALIDATION_FAILED', path: 'query.county' },
  ];

  it.each(cases)('$name → $status $code at $path', async ({ send, status, code, path }) => {
    const before = await counts();

    const response = await send();

    expect(response.status).toBe(status);
    expect(response.body.code).toBe(code);
    expect(response.body.message).toMatch(/[\u4e00-\u9fff]/);
    expect(response.body.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await counts()).toEqual(before);
  });

  it('leaves the refused departments unchanged', async () => {
    const read = await stack.request('GET', '/api/v1/admin/departments/mz-410402');
    expect(read.body).toMatchObject({ superiorCode: 'mz-410400', mailbox: 'mz-410402@pds.careflow.local', kind: 'mz' });
    expect((await stack.request('GET', '/api/v1/admin/departments/outside-mz-410105')).status).toBe(404);
  });
});
