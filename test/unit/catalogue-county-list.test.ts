/**
 * Issue #12, R2: a county list may add and widen, never drop a base item, narrow who it is
 * for, remove a responsible department, drop the individual referral or lengthen its deadline.
 */
import { describe, expect, it } from 'vitest';
import { BASE_CATALOGUE } from '../../src/domain/catalogue/base-catalogue';
import { countyListProblems, deadlineProblem } from '../../src/domain/catalogue/county-list';
import type { CatalogueItem } from '../../src/domain/catalogue/items';

const base = BASE_CATALOGUE.items;

/** The base list with `change` applied to item `id` (structuredClone: the base stays untouched). */
function withItem(id: string, change: (item: CatalogueItem) => void): CatalogueItem[] {
  const items = structuredClone(base) as CatalogueItem[];
  change(items.find((item) => item.id === id)!);
  return items;
}

const problems = (items: CatalogueItem[]) => countyListProblems(items, base).map(({ kind, itemId, path }) => ({ kind, itemId, path }));

describe('county lists against the base list (R2)', () => {
  it('accepts the base list itself', () => {
    expect(countyListProblems(structuredClone(base) as CatalogueItem[], base)).toEqual([]);
  });

  it('accepts a wider list: wider ages and flags, a condition added, a department added, an item of its own', () => {
    let items = withItem('S1', (item) => (item.eligibility = { anyOf: [{ ageYears: { min: 0, max: 8 } }] }));
    items = items.map((item) => (item.id === 'S13' ? { ...item, eligibility: { anyOf: [{ anyFlag: ['dibao', 'familyHardship'] }] } } : item));
    items = items.map((item) => (item.id === 'S16' ? { ...item, eligibility: { anyOf: [...item.eligibility.anyOf, { ageYears: { max: 6 } }] } } : item));
    items = items.map((item) => (item.id === 'S9' ? { ...item, departments: [...item.departments, 'mz'] } : item));
    items.push({ id: 'BF-1', category: '发展保障', name: '暑期托管', who: '小学阶段流动儿童', content: '暑期托管服务', eligibility: { anyOf: [{ schooling: ['primary'] }] }, departments: ['jt'], lead: 'jt', referral: 'task' });
    expect(countyListProblems(items, base)).toEqual([]);
  });

  it('accepts a key-care rule spelt out as its six reasons (M2)', () => {
    const items = withItem('S20', (item) => {
      item.eligibility = { anyOf: [{ anyFlag: ['familyHardship', 'disability', 'guardianshipMissing', 'vagrancy', 'psychologicalAbnormality', 'helpRequested'] }] };
    });
    expect(countyListProblems(items, base)).toEqual([]);
  });

  it('rejects a dropped base item, naming it', () => {
    const result = countyListProblems(base.filter((item) => item.id !== 'S5'), base);
    expect(result.map(({ kind, itemId, path }) => ({ kind, itemId, path }))).toEqual([{ kind: 'item-dropped', itemId: 'S5', path: 'body.items' }]);
    expect(result[0]!.message).toContain('S5');
  });

  const narrowings: Array<[string, string, (item: CatalogueItem) => void]> = [
    ['a lower upper age (S1 0-5)', 'S1', (item) => (item.eligibility = { anyOf: [{ ageYears: { min: 0, max: 5 } }] })],
    ['a higher lower age (S2 from 4)', 'S2', (item) => (item.eligibility.anyOf[0]!.ageYears = { min: 4, max: 6 })],
    ['a condition removed (S3 without out-of-school children)', 'S3', (item) => (item.eligibility = { anyOf: [item.eligibility.anyOf[0]!] })],
    ['fewer schooling statuses (S3 primary only)', 'S3', (item) => (item.eligibility.anyOf[0]!.schooling = ['primary'])],
    ['a lower height (S16 110 cm)', 'S16', (item) => (item.eligibility.anyOf[0]!.heightCmAtMost = 110)],
    ['fewer flags (S10 without HIV)', 'S10', (item) => (item.eligibility = { anyOf: [{ anyFlag: ['orphan', 'factuallyUnsupported'] }] })],
    ['key care without the request for help (S20)', 'S20', (item) => (item.eligibility = { anyOf: [{ anyFlag: ['familyHardship', 'disability', 'guardianshipMissing', 'vagrancy', 'psychologicalAbnormality'] }] })],
    ['a constraint added to an every-child item (S6 pupils only)', 'S6', (item) => (item.eligibility = { anyOf: [{ schooling: ['primary', 'junior-secondary'] }] })],
  ];

  it.each(narrowings)('rejects who it is for narrowed: %s', (_name, id, change) => {
    const result = countyListProblems(withItem(id, change), base);
    const index = base.findIndex((item) => item.id === id);
    expect(result.map(({ kind, itemId, path }) => ({ kind, itemId, path }))).toEqual([{ kind: 'eligibility-narrowed', itemId: id, path: `body.items.${index}.eligibility` }]);
    expect(result[0]!.message).toMatch(/服务对象不得窄于基础清单/);
  });

  it('rejects a responsible department removed, naming it', () => {
    const result = countyListProblems(withItem('S17', (item) => (item.departments = item.departments.filter((kind) => kind !== 'fy'))), base);
    expect(result.map(({ kind, itemId, path }) => ({ kind, itemId, path }))).toEqual([{ kind: 'department-removed', itemId: 'S17', path: 'body.items.16.departments' }]);
    expect(result[0]!.message).toContain('法院');
  });

  it('rejects an individual referral turned collective', () => {
    expect(problems(withItem('S6', (item) => (item.referral = 'collective')))).toEqual([{ kind: 'referral-weakened', itemId: 'S6', path: 'body.items.5.referral' }]);
  });

  it('rejects a longer referral deadline, accepts the same or a shorter one', () => {
    expect(deadlineProblem(11, BASE_CATALOGUE)).toMatchObject({ kind: 'deadline-longer', path: 'body.referralWorkingDays' });
    expect(deadlineProblem(10, BASE_CATALOGUE)).toBeUndefined();
    expect(deadlineProblem(5, BASE_CATALOGUE)).toBeUndefined();
  });

  it('reports every item at fault at once', () => {
    let items = base.filter((item) => item.id !== 'S24');
    items = items.map((item) => (item.id === 'S1' ? { ...item, eligibility: { anyOf: [{ ageYears: { max: 3 } }] } } : item));
    items = items.map((item) => (item.id === 'S11' ? { ...item, departments: ['cl'] } : item));
    expect(problems(items).map((p) => `${p.kind}:${p.itemId}`).sort()).toEqual(['department-removed:S11', 'eligibility-narrowed:S1', 'item-dropped:S24']);
  });

  it('rejects a list that is malformed on its own: duplicate IDs, unknown departments, a lead outside them', () => {
    const items: CatalogueItem[] = [
      ...structuredClone(base),
      { ...structuredClone(base[0]!), id: 'S1' },
      { ...structuredClone(base[1]!), id: 'X1', departments: ['nope'], lead: 'jt' },
    ];
    expect(problems(items)).toEqual([
      { kind: 'invalid', itemId: 'S1', path: 'body.items.25.id' },
      { kind: 'invalid', itemId: 'X1', path: 'body.items.26.departments' },
      { kind: 'invalid', itemId: 'X1', path: 'body.items.26.lead' },
    ]);
  });
});
