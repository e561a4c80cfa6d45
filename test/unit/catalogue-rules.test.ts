/**
 * Issue #12: every one of the 25 base items (S1-S25) on profiles at the edges of its rule,
 * the "why" of a match, and who is responsible in the child's county.
 */
import { describe, expect, it } from 'vitest';
import { BASE_CATALOGUE, BASE_ITEM_IDS } from '../../src/domain/catalogue/base-catalogue';
import { matchEntitlements } from '../../src/domain/catalogue/matching';
import { ageOn, type RuleProfile } from '../../src/domain/catalogue/rules';
import { NO_RISK_FLAGS } from '../../src/domain/key-care';

const ON = '2026-06-15';

/** Born so that the child is `years` old on ON; `dayBeforeNext` makes it the last day of that age. */
function bornAged(years: number, dayBeforeNext = false): string {
  return dayBeforeNext ? `${2026 - years - 1}-06-16` : `${2026 - years}-06-15`;
}

type Overrides = Partial<Omit<RuleProfile, 'riskFlags'>> & { riskFlags?: Partial<RuleProfile['riskFlags']>; age?: number; lastDayOfAge?: boolean };

function profile({ age = 10, lastDayOfAge = false, riskFlags, ...rest }: Overrides = {}): RuleProfile {
  return {
    birthDate: bornAged(age, lastDayOfAge),
    schoolingStatus: 'primary',
    disability: { hasDisability: false },
    riskFlags: { ...NO_RISK_FLAGS, ...riskFlags },
    helpRequested: false,
    heightCm: null,
    circumstances: {},
    ...rest,
  };
}

const entitledTo = (p: RuleProfile, county = '410402') => matchEntitlements(BASE_CATALOGUE, p, county, ON);
const ids = (p: RuleProfile) => entitledTo(p).map((e) => e.item.id);

/** [item, case, profile, entitled?] at the edges of each rule. */
const CASES: Array<[string, string, Overrides, boolean]> = [
  ['S1', 'born today (age 0)', { age: 0, schoolingStatus: 'not-school-age' }, true],
  ['S1', 'last day aged 6', { age: 6, lastDayOfAge: true, schoolingStatus: 'kindergarten' }, true],
  ['S1', '7th birthday', { age: 7 }, false],
  ['S2', '3rd birthday, not yet in kindergarten', { age: 3, schoolingStatus: 'not-school-age' }, true],
  ['S2', 'day before the 3rd birthday', { age: 2, lastDayOfAge: true, schoolingStatus: 'not-school-age' }, false],
  ['S2', 'last day aged 6, in kindergarten', { age: 6, lastDayOfAge: true, schoolingStatus: 'kindergarten' }, true],
  ['S2', '7th birthday, in kindergarten', { age: 7, schoolingStatus: 'kindergarten' }, false],
  ['S2', 'aged 6 at primary school', { age: 6, schoolingStatus: 'primary' }, false],
  ['S2', 'aged 4, not enrolled', { age: 4, schoolingStatus: 'not-enrolled' }, true],
  ['S3', 'primary pupil', { schoolingStatus: 'primary' }, true],
  ['S3', 'junior secondary pupil', { age: 14, schoolingStatus: 'junior-secondary' }, true],
  ['S3', 'senior secondary pupil', { age: 15, schoolingStatus: 'senior-secondary' }, false],
  ['S3', 'aged 6, not enrolled', { age: 6, schoolingStatus: 'not-enrolled' }, true],
  ['S3', 'last day aged 5, not enrolled', { age: 5, lastDayOfAge: true, schoolingStatus: 'not-enrolled' }, false],
  ['S3', 'last day aged 15, dropped out', { age: 15, lastDayOfAge: true, schoolingStatus: 'dropped-out' }, true],
  ['S3', '16th birthday, dropped out', { age: 16, schoolingStatus: 'dropped-out' }, false],
  ['S3', 'aged 6 in kindergarten', { age: 6, schoolingStatus: 'kindergarten' }, false],
  ['S4', 'senior secondary pupil', { age: 15, schoolingStatus: 'senior-secondary' }, true],
  ['S4', 'vocational pupil', { age: 15, schoolingStatus: 'vocational' }, false],
  ['S4', 'junior secondary pupil', { age: 14, schoolingStatus: 'junior-secondary' }, false],
  ['S5', 'vocational pupil', { age: 15, schoolingStatus: 'vocational' }, true],
  ['S5', 'senior secondary pupil', { age: 15, schoolingStatus: 'senior-secondary' }, false],
  ['S8', 'severe mental disorder at home', { circumstances: { severeMentalDisorder: true } }, true],
  ['S8', 'psychological abnormality only', { riskFlags: { psychologicalAbnormality: true } }, false],
  ['S9', 'housing hardship', { circumstances: { housingHardship: true } }, true],
  ['S9', 'family hardship only', { riskFlags: { familyHardship: true } }, false],
  ['S10', 'orphan', { circumstances: { orphan: true } }, true],
  ['S10', 'HIV-infected', { circumstances: { hivInfected: true } }, true],
  ['S10', 'de-facto unsupported', { circumstances: { factuallyUnsupported: true } }, true],
  ['S10', 'guardianship missing only', { riskFlags: { guardianshipMissing: true } }, false],
  ['S11', 'disability in the profile', { disability: { hasDisability: true, category: 'hearing' } }, true],
  ['S11', 'disability risk flag', { riskFlags: { disability: true } }, true],
  ['S11', 'no disability', {}, false],
  ['S12', 'disability in the profile', { disability: { hasDisability: true } }, true],
  ['S12', 'disability risk flag', { riskFlags: { disability: true } }, true],
  ['S12', 'no disability', {}, false],
  ['S13', 'meets 低保 criteria', { circumstances: { dibao: true } }, true],
  ['S13', '低保 explicitly false, family hardship', { circumstances: { dibao: false }, riskFlags: { familyHardship: true } }, false],
  ['S14', 'meets 特困 criteria', { circumstances: { extremePoverty: true } }, true],
  ['S14', '低保 only', { circumstances: { dibao: true } }, false],
  ['S15', 'temporary-relief situation', { circumstances: { temporaryHardship: true } }, true],
  ['S15', 'nothing', {}, false],
  ['S16', 'height exactly 120 cm, not a pupil', { age: 5, schoolingStatus: 'kindergarten', heightCm: 120 }, true],
  ['S16', 'height 120.1 cm, not a pupil', { age: 5, schoolingStatus: 'kindergarten', heightCm: 120.1 }, false],
  ['S16', 'height unknown, not a pupil', { age: 5, schoolingStatus: 'kindergarten', heightCm: null }, false],
  ['S16', 'height unknown, a pupil', { schoolingStatus: 'primary' }, true],
  ['S16', 'vocational pupil', { age: 15, schoolingStatus: 'vocational', heightCm: 170 }, true],
  ['S16', 'dropped out, 150 cm', { age: 13, schoolingStatus: 'dropped-out', heightCm: 150 }, false],
  ['S20', 'family hardship', { riskFlags: { familyHardship: true } }, true],
  ['S20', 'disability risk flag', { riskFlags: { disability: true } }, true],
  ['S20', 'disability in the profile only: not in the M2 ledger', { disability: { hasDisability: true } }, false],
  ['S20', 'guardianship missing', { riskFlags: { guardianshipMissing: true } }, true],
  ['S20', 'vagrancy', { riskFlags: { vagrancy: true } }, true],
  ['S20', 'psychological abnormality', { riskFlags: { psychologicalAbnormality: true } }, true],
  ['S20', 'help requested', { helpRequested: true }, true],
  ['S20', 'no risk, 低保 only', { circumstances: { dibao: true } }, false],
  ['S21', 'family hardship', { riskFlags: { familyHardship: true } }, true],
  ['S21', '低保', { circumstances: { dibao: true } }, true],
  ['S21', 'de-facto unsupported', { circumstances: { factuallyUnsupported: true } }, true],
  ['S21', 'disability only', { disability: { hasDisability: true } }, false],
];

/** Items for every flowing child: the youngest and the oldest, with nothing else, get them. */
const FOR_EVERY_CHILD = ['S6', 'S7', 'S17', 'S18', 'S19', 'S22', 'S23', 'S24', 'S25'];

describe('base list S1-S25 (issue #12)', () => {
  it('has the 25 items of the plan, in order, each with its departments and a lead among them', () => {
    expect(BASE_ITEM_IDS).toEqual(Array.from({ length: 25 }, (_, i) => `S${i + 1}`));
    for (const item of BASE_CATALOGUE.items) expect(item.departments).toContain(item.lead);
  });

  it('every item is exercised by the boundary cases below', () => {
    const covered = new Set([...CASES.map(([id]) => id), ...FOR_EVERY_CHILD]);
    expect([...covered].sort()).toEqual([...BASE_ITEM_IDS].sort());
  });

  it.each(CASES)('%s: %s → %s', (id, _case, overrides, expected) => {
    expect(ids(profile(overrides)).includes(id)).toBe(expected);
  });

  it.each(FOR_EVERY_CHILD)('%s is for every child: a newborn and the last day aged 15 out of school', (id) => {
    expect(ids(profile({ age: 0, schoolingStatus: 'not-school-age' }))).toContain(id);
    expect(ids(profile({ age: 15, lastDayOfAge: true, schoolingStatus: 'dropped-out' }))).toContain(id);
  });

  it('counts age in whole years (周岁), the birthday itself included', () => {
    expect(ageOn('2020-06-15', '2026-06-15')).toBe(6);
    expect(ageOn('2020-06-16', '2026-06-15')).toBe(5);
    expect(ageOn('2020-02-29', '2026-02-28')).toBe(5);
    expect(ageOn('2020-02-29', '2026-03-01')).toBe(6);
  });
});

describe('why and who', () => {
  it('says which condition matched', () => {
    const found = entitledTo(profile({ age: 4, schoolingStatus: 'kindergarten', heightCm: 105 }));
    const reason = (id: string) => found.find((e) => e.item.id === id)?.reason;
    expect(reason('S1')).toBe('年龄 0-6 周岁');
    expect(reason('S2')).toBe('年龄 3-6 周岁，且就学状况为未到入学年龄或在园或未入学');
    expect(reason('S16')).toBe('身高 120 厘米及以下');
    expect(reason('S6')).toBe('所有流动儿童');
    const dropout = entitledTo(profile({ age: 13, schoolingStatus: 'dropped-out' })).find((e) => e.item.id === 'S3');
    expect(dropout?.reason).toBe('年龄 6-15 周岁，且就学状况为未入学或辍学');
  });

  it("names the departments of the child's county, the lead one receiving the task", () => {
    const s17 = entitledTo(profile()).find((e) => e.item.id === 'S17')!;
    expect(s17.departments.map((d) => d.code)).toEqual(['fy-410402', 'jc-410402', 'jt-410402', 'ga-410402', 'fl-410402']);
    expect(s17.departments.filter((d) => d.lead).map((d) => d.kindName)).toEqual(['妇联']);
    expect(s17.leadDepartmentCode).toBe('fl-410402');
    const s3 = matchEntitlements(BASE_CATALOGUE, profile(), '410421', ON).find((e) => e.item.id === 'S3')!;
    expect(s3.leadDepartmentCode).toBe('jt-410421');
  });

  it("gives a functional zone's children the city's departments (the zones have none)", () => {
    const s7 = matchEntitlements(BASE_CATALOGUE, profile(), '410471', ON).find((e) => e.item.id === 'S7')!;
    expect(s7.leadDepartmentCode).toBe('yb-410400');
  });
});
