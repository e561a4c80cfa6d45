import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VISIT_POLICY,
  assessmentLevel,
  countyDepartmentCode,
  daysInclusive,
  needDepartmentCode,
  nextQuarter,
  planQuarter,
  quarterEndsAt,
  quarterLabel,
  quarterOf,
  townshipByName,
  visitAssigneeCode,
  visitDueAt,
  visitPolicyProblems,
  visitReminderAt,
  type AssessmentScores,
} from '../../src/domain/visits';

describe('quarters in China time', () => {
  it.each([
    ['2026-01-01', '2026-Q1', '2026-01-01', '2026-03-31'],
    ['2026-03-31', '2026-Q1', '2026-01-01', '2026-03-31'],
    ['2026-04-01', '2026-Q2', '2026-04-01', '2026-06-30'],
    ['2026-08-15', '2026-Q3', '2026-07-01', '2026-09-30'],
    ['2026-12-31', '2026-Q4', '2026-10-01', '2026-12-31'],
    ['2028-02-29', '2028-Q1', '2028-01-01', '2028-03-31'],
  ])('%s is in %s (%s..%s)', (date, id, firstDay, lastDay) => {
    expect(quarterOf(date)).toEqual({ id, firstDay, lastDay });
  });

  it('steps to the next quarter across the year', () => {
    expect(nextQuarter(quarterOf('2026-11-02'))).toEqual({ id: '2027-Q1', firstDay: '2027-01-01', lastDay: '2027-03-31' });
    expect(nextQuarter(quarterOf('2026-02-02')).id).toBe('2026-Q2');
  });

  it('ends at 00:00 China time (16:00 UTC the day before) on the next quarter\'s first day', () => {
    expect(new Date(quarterEndsAt(quarterOf('2026-02-10'))).toISOString()).toBe('2026-03-31T16:00:00.000Z');
  });

  it('names quarters in Chinese and counts days inclusively', () => {
    expect(quarterLabel('2026-Q3')).toBe('2026年第三季度');
    expect(daysInclusive('2026-01-01', '2026-03-31')).toBe(90);
    expect(daysInclusive('2026-04-01', '2026-06-30')).toBe(91);
    expect(daysInclusive('2026-05-05', '2026-05-05')).toBe(1);
  });
});

describe('planQuarter (S20)', () => {
  it('spreads a whole quarter\'s 6 visits, each due in the middle of its sixth of the quarter', () => {
    const plan = planQuarter(quarterOf('2026-01-01'), '2026-01-01', 6);
    expect(plan).toMatchObject({ from: '2026-01-01', quota: 6 });
    expect(plan.dueDates).toEqual(['2026-01-08', '2026-01-23', '2026-02-07', '2026-02-22', '2026-03-09', '2026-03-24']);
    // The last one leaves a week for the escalation ladder before the quarter closes.
    expect(daysInclusive(plan.dueDates.at(-1)!, '2026-03-31')).toBe(8);
  });

  it('gives a plan starting inside the quarter its share of the quota, rounded up', () => {
    const plan = planQuarter(quarterOf('2026-02-10'), '2026-02-10', 6);
    expect(plan).toMatchObject({ from: '2026-02-10', quota: 4 }); // 6 × 50 / 90 = 3.3
    expect(plan.dueDates).toEqual(['2026-02-16', '2026-02-28', '2026-03-13', '2026-03-25']); // every 12.5 days
  });

  it('plans at least one visit, within the quarter, however late the plan starts', () => {
    const plan = planQuarter(quarterOf('2026-03-31'), '2026-03-31', 6);
    expect(plan).toMatchObject({ quota: 1, dueDates: ['2026-03-31'] });
  });

  it('takes a start before the quarter as the whole quarter, and a county quota above 6', () => {
    const plan = planQuarter(quarterOf('2026-04-01'), '2025-12-15', 8);
    expect(plan).toMatchObject({ from: '2026-04-01', quota: 8 });
    expect(plan.dueDates).toHaveLength(8);
    expect(plan.dueDates.every((d, i, all) => d >= '2026-04-01' && d <= '2026-06-30' && (i === 0 || d >= all[i - 1]!))).toBe(true);
  });

  it('is due at the end of the due day and reminds at 08:00 China time a few days before', () => {
    expect(new Date(visitDueAt('2026-01-08')).toISOString()).toBe('2026-01-08T16:00:00.000Z');
    expect(new Date(visitReminderAt('2026-01-08', 3)).toISOString()).toBe('2026-01-05T00:00:00.000Z');
  });
});

describe('family guardianship capability assessment (M2)', () => {
  const scores = (value: number, overrides: Partial<AssessmentScores> = {}): AssessmentScores => ({
    dailyCare: value,
    safety: value,
    health: value,
    education: value,
    emotionalCare: value,
    ...overrides,
  });

  it.each([
    [4, 20, 'adequate'],
    [3, 15, 'basic'],
    [2, 10, 'weak'],
    [1, 5, 'lacking'],
  ] as const)('all items %i → total %i, %s', (value, total, level) => {
    expect(assessmentLevel(scores(value))).toEqual({ total, level });
  });

  it('puts the boundary totals in the higher level', () => {
    expect(assessmentLevel(scores(3, { dailyCare: 4 })).level).toBe('adequate'); // 16
    expect(assessmentLevel(scores(2, { dailyCare: 3 })).level).toBe('basic'); // 11
  });

  it('caps the level at weak when one item is scored 0', () => {
    expect(assessmentLevel(scores(4, { safety: 0 }))).toEqual({ total: 16, level: 'weak' });
    expect(assessmentLevel(scores(1, { safety: 0 })).level).toBe('lacking');
  });
});

describe('who visits, and who a need goes to', () => {
  it('matches the residence township by name, with or without its formal title or suffix', () => {
    expect(townshipByName('410402', '曙光街街道')?.code).toBe('410402001');
    expect(townshipByName('410402', ' 曙光街街道办事处 ')?.code).toBe('410402001');
    expect(townshipByName('410402', '曙光街')?.code).toBe('410402001');
    expect(townshipByName('410421', '城关镇人民政府')?.code).toBe('410421100');
    expect(townshipByName('410421', '肖旗')?.code).toBe('410421200');
    expect(townshipByName('410402', '新华路街道')).toBeUndefined();
    expect(townshipByName('410421', '曙光街街道')).toBeUndefined(); // another county's
  });

  it('assigns visits to the township, else to the county civil-affairs bureau (the city\'s in a functional zone)', () => {
    expect(visitAssigneeCode('410402', '曙光街街道')).toEqual({ code: 'xz-410402001', townshipCode: '410402001' });
    expect(visitAssigneeCode('410402', '新华路街道')).toEqual({ code: 'mz-410402', townshipCode: null });
    expect(visitAssigneeCode('410472', '不存在的街道')).toEqual({ code: 'mz-410400', townshipCode: null });
    expect(visitAssigneeCode('410472', '滍阳镇').code).toBe('xz-410472101');
  });

  it('routes a need to the department of its service in the child\'s county', () => {
    expect(needDepartmentCode('schooling', '410421')).toBe('jt-410421');
    expect(needDepartmentCode('medical', '410421')).toBe('wj-410421');
    expect(needDepartmentCode('living', '410421')).toBe('mz-410421');
    expect(needDepartmentCode('schooling', '410471')).toBe('jt-410400');
    expect(countyDepartmentCode('mz', '410482')).toBe('mz-410482');
  });
});

describe('county visit parameters (R2: not below the city base list)', () => {
  it('accepts the defaults and more frequent visits or checks', () => {
    expect(visitPolicyProblems(DEFAULT_VISIT_POLICY)).toEqual([]);
    expect(visitPolicyProblems({ ...DEFAULT_VISIT_POLICY, quarterlyQuota: 9, reverificationMonths: 3 })).toEqual([]);
  });

  it('refuses fewer than 6 visits a quarter or re-verification rarer than every 6 months', () => {
    expect(visitPolicyProblems({ ...DEFAULT_VISIT_POLICY, quarterlyQuota: 4, reverificationMonths: 12 }).map((p) => p.field)).toEqual(['quarterlyQuota', 'reverificationMonths']);
  });
});
