/**
 * Issue #12 through HTTP on the dev server: a registered child's entitlements (M3) become
 * referral tasks at the right departments of its county; a profile change adds only the new
 * ones, a retried change none; serving one closes it and shows in the coverage statistics;
 * county lists (R2) are published as versions, weakened ones refused with the items at fault,
 * and a child is matched against the list in force for its county.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_CATALOGUE } from '../../src/domain/catalogue/base-catalogue';
import type { CatalogueItem } from '../../src/domain/catalogue/items';
import { addDays, chinaDateOf } from '../../src/domain/calendar-date';
import { eventually } from '../support/eventually';
import { childBody } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let today: string;

beforeAll(async () => {
  stack = await startTestStack();
  today = chinaDateOf(Date.now());
});
afterAll(async () => {
  await stack?.stop();
});

interface EntitlementItem {
  id: string;
  reason: string;
  departments: Array<{ code: string; lead: boolean }>;
  referral: { mode: string; status: string; taskId: string | null; departmentCode: string | null; outcomeNote: string | null };
}

/** A child of `years` (its birthday a month ago) at primary school in 新华区. */
function pupil(years: number, overrides: Record<string, unknown> = {}) {
  const birthDate = addDays(`${Number(today.slice(0, 4)) - years}${today.slice(4)}`, -30);
  return childBody({ birthDate, arrivalDate: addDays(today, -400), ...overrides });
}

const entitlements = async (childId: string) => (await stack.request('GET', `/api/v1/children/${childId}/entitlements`)).body;

/** The entitlements once every task item's referral task is in its department's inbox. */
async function referred(childId: string, count: number): Promise<EntitlementItem[]> {
  const view = await eventually(
    () => entitlements(childId),
    (body) => body.items.filter((i: EntitlementItem) => i.referral.status === 'referred').length === count,
  );
  return view.items;
}

const taskRows = async (childId: string) =>
  (await stack.db.pool.query<{ item_id: string; task_id: string }>('SELECT item_id, task_id FROM entitlement_referrals WHERE child_id = $1 AND task_id IS NOT NULL ORDER BY item_id', [childId])).rows;

describe('entitlements of a registered child (M3)', () => {
  let childId: string;
  let first: EntitlementItem[];

  it('become referral tasks at the lead department of each item in the child’s county', async () => {
    const created = await stack.request('POST', '/api/v1/children', pupil(8));
    expect(created.status).toBe(201);
    childId = created.body.id;
    expect(created.body).toMatchObject({ heightCm: null, circumstances: {} });

    // An 8-year-old pupil with nothing else: compulsory schooling, the bus card, and every-child items.
    first = await referred(childId, 9);
    expect(first.map((i) => i.id)).toEqual(['S3', 'S6', 'S7', 'S16', 'S17', 'S18', 'S19', 'S22', 'S23', 'S24', 'S25']);
    const lead = Object.fromEntries(first.filter((i) => i.referral.mode === 'task').map((i) => [i.id, i.referral.departmentCode]));
    expect(lead).toEqual({
      S3: 'jt-410402', S6: 'wj-410402', S7: 'yb-410402', S16: 'jtys-410402', S17: 'fl-410402',
      S18: 'wj-410402', S19: 'jt-410402', S22: 'jt-410402', S25: 'mz-410402',
    });
    expect(first.find((i) => i.id === 'S23')!.referral).toMatchObject({ mode: 'collective', status: 'collective', taskId: null });
    expect(first.find((i) => i.id === 'S3')!.reason).toBe('就学状况为小学在读或初中在读');
    expect(first.find((i) => i.id === 'S17')!.departments.map((d) => d.code)).toEqual(['fy-410402', 'jc-410402', 'jt-410402', 'ga-410402', 'fl-410402']);

    // Each task is a bureauTask in its department's inbox, with the three outcomes, and mailed.
    for (const item of first.filter((i) => i.referral.taskId)) {
      const task = await stack.request('GET', `/api/v1/tasks/${item.referral.taskId}`);
      expect(task.status).toBe(200);
      expect(task.body).toMatchObject({ kind: 'entitlement.referral', status: 'open', assignee: { departmentCode: item.referral.departmentCode } });
      expect(task.body.acceptedOutcomes.map((o: { code: string }) => o.code)).toEqual(['served', 'not-applicable', 'refused-by-family']);
      expect(task.body.title).toContain(item.id);
    }
    const mails = await eventually(async () => stack.smtp.messages.filter((m) => m.text.includes(`儿童（编号 ${childId}）享有`)), (found) => found.length >= 9);
    expect(new Set(mails.flatMap((m) => m.to))).toEqual(new Set(Object.values(lead).map((code) => `${code}@pds.careflow.local`)));
    // Mailed: the item, never why the child has it (a matched condition can be a disability or an illness).
    expect(mails.some((m) => m.text.includes(first.find((i) => i.id === 'S3')!.reason))).toBe(false);
  });

  it('a profile change adds only the new entitlements; the same change again adds nothing', async () => {
    const before = await taskRows(childId);
    const change = { disability: { hasDisability: true, category: 'physical', grade: 3, certified: true }, circumstances: { dibao: true } };
    expect((await stack.request('PATCH', `/api/v1/children/${childId}`, change)).status).toBe(200);

    const after = await referred(childId, 13);
    const added = (await taskRows(childId)).filter((row) => !before.some((b) => b.item_id === row.item_id));
    expect(added.map((row) => row.item_id).sort()).toEqual(['S11', 'S12', 'S13', 'S21']);
    // The earlier referrals keep their tasks.
    expect((await taskRows(childId)).filter((row) => before.some((b) => b.task_id === row.task_id))).toHaveLength(before.length);
    const leads = Object.fromEntries(after.filter((i) => added.some((a) => a.item_id === i.id)).map((i) => [i.id, i.referral.departmentCode]));
    expect(leads).toEqual({ S11: 'cl-410402', S12: 'jt-410402', S13: 'mz-410402', S21: 'fl-410402' });

    expect((await stack.request('PATCH', `/api/v1/children/${childId}`, change)).status).toBe(200);
    expect(await taskRows(childId)).toHaveLength(13);
    const tasks = await stack.db.pool.query("SELECT count(*)::int AS n FROM tasks WHERE kind = 'entitlement.referral' AND instructions LIKE '%' || $1 || '%'", [childId]);
    expect(tasks.rows[0].n).toBe(13);
  });

  it('serving one closes it; not applicable needs a reason; the coverage statistics count both', async () => {
    const items = (await entitlements(childId)).items as EntitlementItem[];
    const s3 = items.find((i) => i.id === 'S3')!;
    const bureau = await stack.tokenFor('bureau', { department: 'jt-410402' });
    const served = await stack.request('POST', `/api/v1/tasks/${s3.referral.taskId}/complete`, { outcome: 'served', by: '新华区教体局学籍科' }, {}, bureau);
    expect(served.status).toBe(200);

    const s7 = items.find((i) => i.id === 'S7')!;
    const bare = await stack.request('POST', `/api/v1/tasks/${s7.referral.taskId}/complete`, { outcome: 'not-applicable', by: '新华区医保局' });
    expect(bare.status).toBeGreaterThanOrEqual(400);
    expect(bare.body.message).toMatch(/[\u4e00-\u9fff]/);
    const reasoned = await stack.request('POST', `/api/v1/tasks/${s7.referral.taskId}/complete`, { outcome: 'not-applicable', note: '已在户籍地参保并开通异地就医备案', by: '新华区医保局' });
    expect(reasoned.status).toBe(200);

    const view = await eventually(() => entitlements(childId), (body) => body.items.find((i: EntitlementItem) => i.id === 'S7').referral.status === 'not-applicable');
    const byId = (id: string) => (view.items as EntitlementItem[]).find((i) => i.id === id)!;
    expect(byId('S3').referral.status).toBe('served');
    expect(byId('S7').referral).toMatchObject({ status: 'not-applicable', outcomeNote: '已在户籍地参保并开通异地就医备案' });
    expect((await stack.request('GET', `/api/v1/tasks/${s3.referral.taskId}`)).body.status).toBe('completed');

    const stats = await stack.request('GET', '/api/v1/stats?county=410402');
    expect(stats.status).toBe(200);
    const row = (item: string) => stats.body.coverage.find((r: { county: string; item: string }) => r.county === '410402' && r.item === item);
    expect(row('S3')).toMatchObject({ entitled: 1, served: 1 });
    expect(row('S7')).toMatchObject({ entitled: 1, served: 0, notApplicable: 1 });
    expect(row('S13')).toMatchObject({ entitled: 1, served: 0 });
  });

  it('is readable by the county’s caseworker, not another county’s', async () => {
    const own = await stack.request('GET', `/api/v1/children/${childId}/entitlements`, undefined, {}, await stack.tokenFor('caseworker', { county: '410402' }));
    expect(own.status).toBe(200);
    const other = await stack.request('GET', `/api/v1/children/${childId}/entitlements`, undefined, {}, await stack.tokenFor('caseworker', { county: '410421' }));
    expect(other.status).toBe(404);
  });
});

describe('county service lists (R2)', () => {
  const COUNTY = '410421';
  const ownItem: CatalogueItem = {
    referral: 'task', id: 'BF-1', category: '发展保障', name: '暑期托管服务', who: '小学阶段流动儿童', content: '暑期在学校或儿童之家提供免费托管',
    eligibility: { anyOf: [{ schooling: ['primary'] }] }, departments: ['jt', 'fl'], lead: 'jt',
  };
  const wider = (): { label: string; referralWorkingDays: number; items: CatalogueItem[] } => ({
    label: '宝丰县流动儿童在居住地享有关爱服务清单',
    referralWorkingDays: 8,
    items: [...structuredClone(BASE_CATALOGUE.items).map((item) => (item.id === 'S1' ? { ...item, eligibility: { anyOf: [{ ageYears: { min: 0, max: 8 } }] } } : item)), ownItem],
  });

  it('shows the base list until a county publishes its own', async () => {
    const inForce = await stack.request('GET', `/api/v1/admin/counties/${COUNTY}/service-list`);
    expect(inForce.status).toBe(200);
    expect(inForce.body).toMatchObject({ countyCode: null, version: 0 });
    expect(inForce.body.items).toHaveLength(25);
    expect((await stack.request('GET', '/api/v1/admin/service-catalogue')).body.items.map((i: { id: string }) => i.id)[24]).toBe('S25');
  });

  it('refuses every kind of weakening with the items at fault, and publishes nothing', async () => {
    const weakened = wider();
    weakened.items = weakened.items
      .filter((item) => item.id !== 'S9')
      .map((item) => {
        if (item.id === 'S2') return { ...item, eligibility: { anyOf: [{ ageYears: { min: 4, max: 6 } }] } };
        if (item.id === 'S19') return { ...item, departments: ['jt', 'ga', 'fl'] };
        if (item.id === 'S6') return { ...item, referral: 'collective' };
        return item;
      });
    const refused = await stack.request('POST', `/api/v1/admin/counties/${COUNTY}/service-list`, { ...weakened, referralWorkingDays: 20 });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('SERVICE_LIST_BELOW_BASE');
    expect(refused.body.message).toMatch(/不得低于市级基础清单/);
    expect([...refused.body.items].sort()).toEqual(['*', 'S19', 'S2', 'S6', 'S9']);
    expect(refused.body.problems.map((p: { kind: string }) => p.kind).sort()).toEqual(['deadline-longer', 'department-removed', 'eligibility-narrowed', 'item-dropped', 'referral-weakened']);
    expect(refused.body.details.map((d: { path: string }) => d.path)).toContain('body.items.1.eligibility');
    expect((await stack.db.pool.query('SELECT count(*)::int AS n FROM service_lists WHERE county_code = $1', [COUNTY])).rows[0].n).toBe(0);

    const backdated = await stack.request('POST', `/api/v1/admin/counties/${COUNTY}/service-list`, { ...wider(), effectiveFrom: addDays(today, -1) });
    expect(backdated.status).toBe(422);
    expect(backdated.body.details[0].path).toBe('body.effectiveFrom');
    const malformed = await stack.request('POST', `/api/v1/admin/counties/${COUNTY}/service-list`, { ...wider(), items: [{ ...ownItem, eligibility: { anyOf: [{ ageYears: { min: 9, max: 3 } }] } }] });
    expect(malformed.status).toBe(400);
    expect((await stack.request('POST', `/api/v1/admin/counties/${COUNTY}/service-list`, wider(), {}, await stack.tokenFor('supervisor', { county: COUNTY }))).status).toBe(403);
  });

  it('publishes a wider list as a new version, once however often it is sent, and matches the county’s children against it', async () => {
    const published = await stack.request('POST', `/api/v1/admin/counties/${COUNTY}/service-list`, wider());
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ countyCode: COUNTY, version: 1, effectiveFrom: today, referralWorkingDays: 8 });
    const again = await stack.request('POST', `/api/v1/admin/counties/${COUNTY}/service-list`, wider());
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(1);
    expect((await stack.request('GET', `/api/v1/admin/counties/${COUNTY}/service-list`)).body.version).toBe(1);
    expect((await stack.request('GET', `/api/v1/admin/counties/${COUNTY}/service-list?on=${addDays(today, -1)}`)).body.version).toBe(0);

    // A 7-year-old pupil in 宝丰县: S1 by the county's wider age band, and the county's own item.
    const birthDate = addDays(`${Number(today.slice(0, 4)) - 7}${today.slice(4)}`, -30);
    const created = await stack.request('POST', '/api/v1/children', childBody({
      birthDate, arrivalDate: addDays(today, -400),
      residence: { countyCode: COUNTY, township: '城关镇', village: '东街社区' },
    }));
    expect(created.status).toBe(201);
    const items = await referred(created.body.id, 11);
    const view = await entitlements(created.body.id);
    expect(view.list).toMatchObject({ countyCode: COUNTY, version: 1 });
    expect(items.find((i) => i.id === 'S1')).toMatchObject({ reason: '年龄 0-8 周岁', referral: { departmentCode: `wj-${COUNTY}` } });
    expect(items.find((i) => i.id === 'BF-1')!.referral.departmentCode).toBe(`jt-${COUNTY}`);
    const task = await stack.request('GET', `/api/v1/tasks/${items.find((i) => i.id === 'BF-1')!.referral.taskId}`);
    expect(task.body.assignee.departmentCode).toBe(`jt-${COUNTY}`);
  });
});

describe('the new profile fields (migration 011)', () => {
  it('refuses a bad height or an unknown circumstance with the field at fault', async () => {
    const height = await stack.request('POST', '/api/v1/children', childBody({ heightCm: -3 }));
    expect(height.status).toBe(400);
    expect(height.body.details.map((d: { path: string }) => d.path)).toContain('body.heightCm');
    const circumstance = await stack.request('POST', '/api/v1/children', childBody({ circumstances: { rich: true } }));
    expect(circumstance.status).toBe(400);
    expect(circumstance.body.details.map((d: { path: string }) => d.path)).toContain('body.circumstances.rich');
  });
});
