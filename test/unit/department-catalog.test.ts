import { describe, expect, it } from 'vitest';
import {
  DEPARTMENT_KINDS,
  departmentCode,
  departmentName,
  hukouCivilAffairsCode,
  outsideCivilAffairs,
  regionProblem,
  seedDepartments,
} from '../../src/domain/department-catalog';
import { countyCivilAffairs } from '../../src/domain/departments';
import {
  fullRegionName,
  PINGDINGSHAN_CITY,
  PINGDINGSHAN_COUNTIES,
  PINGDINGSHAN_FUNCTIONAL_ZONES,
  townshipsOf,
} from '../../src/domain/regions';

/** Every department the plan names, as the plan names it. */
const PLAN_KINDS: Record<string, string> = {
  mz: '民政局',
  jt: '教体局',
  ga: '公安局',
  wj: '卫健委',
  yb: '医保局',
  jk: '疾控中心',
  fl: '妇联',
  cl: '残联',
  jc: '检察院',
  fy: '法院',
  sf: '司法局',
  tj: '统计局',
  jtys: '交通运输局',
  fc: '房产事务中心',
  rs: '人社局',
  tw: '团市委',
  wx: '网信办',
  wgl: '文广旅局',
  fg: '发改委',
};

const seeds = seedDepartments();
const byCode = new Map(seeds.map((d) => [d.code, d]));

describe('department kinds', () => {
  it('has every department the plan names, with its short name', () => {
    const kinds = Object.fromEntries(DEPARTMENT_KINDS.filter((k) => k.code !== 'xz').map((k) => [k.code, k.shortName]));
    expect(kinds).toEqual(PLAN_KINDS);
  });

  it('names departments formally at city and county level', () => {
    expect(departmentName('mz', 'city', PINGDINGSHAN_CITY)).toBe('平顶山市民政局');
    expect(departmentName('jt', 'city', PINGDINGSHAN_CITY)).toBe('平顶山市教育体育局');
    expect(departmentName('fy', 'city', PINGDINGSHAN_CITY)).toBe('平顶山市中级人民法院');
    expect(departmentName('fy', 'county', '410423')).toBe('鲁山县人民法院');
    expect(departmentName('tw', 'city', PINGDINGSHAN_CITY)).toBe('共青团平顶山市委员会');
    expect(departmentName('tw', 'county', '410423')).toBe('共青团鲁山县委员会');
    expect(departmentName('wx', 'city', PINGDINGSHAN_CITY)).toBe('平顶山市委网信办');
    expect(departmentName('mz', 'county', '410402')).toBe('新华区民政局');
    expect(departmentName('xz', 'township', '410402001')).toBe('新华区曙光街街道办事处');
    expect(departmentName('xz', 'township', '410421100')).toBe('宝丰县城关镇人民政府');
    expect(departmentName('xz', 'county', '410402')).toBeUndefined();
    expect(departmentName('mz', 'township', '410402001')).toBeUndefined();
    expect(departmentName('mz', 'city', '410100')).toBeUndefined();
    expect(fullRegionName(PINGDINGSHAN_CITY)?.endsWith('平顶山市')).toBe(true);
  });
});

describe('the Pingdingshan seed', () => {
  it('has every kind the plan names at city level', () => {
    for (const kind of Object.keys(PLAN_KINDS)) {
      const city = byCode.get(`${kind}-${PINGDINGSHAN_CITY}`);
      expect(city, kind).toMatchObject({ kind, level: 'city', regionCode: PINGDINGSHAN_CITY, superiorCode: null });
    }
  });

  it('has every kind in every county, supervised by the city department of the same kind', () => {
    for (const county of PINGDINGSHAN_COUNTIES) {
      for (const kind of Object.keys(PLAN_KINDS)) {
        expect(byCode.get(`${kind}-${county}`), `${kind}-${county}`).toMatchObject({
          kind,
          level: 'county',
          regionCode: county,
          superiorCode: `${kind}-${PINGDINGSHAN_CITY}`,
        });
      }
    }
    expect(byCode.get('mz-410402')?.name).toBe('新华区民政局');
  });

  it('has every township, supervised by its county civil-affairs bureau (the city one for a functional zone)', () => {
    const townships = seeds.filter((d) => d.level === 'township');
    const expected = [...PINGDINGSHAN_COUNTIES, ...PINGDINGSHAN_FUNCTIONAL_ZONES].flatMap((c) => townshipsOf(c));
    expect(townships).toHaveLength(expected.length);
    expect(townships.map((d) => d.code).sort()).toEqual(expected.map((t) => `xz-${t.code}`).sort());
    expect(byCode.get('xz-410402001')).toMatchObject({ kind: 'xz', regionCode: '410402001', superiorCode: 'mz-410402' });
    expect(byCode.get('xz-410471001')?.superiorCode).toBe('mz-410400');
  });

  it('gives unique codes that follow the scheme, mailboxes and head mailboxes', () => {
    expect(byCode.size).toBe(seeds.length);
    expect(seeds).toHaveLength(19 + 19 * PINGDINGSHAN_COUNTIES.length + 148);
    for (const d of seeds) {
      expect(d.code).toBe(departmentCode(d.kind, d.level, d.regionCode));
      expect(d.mailbox).toBe(`${d.code}@pds.careflow.local`);
      expect(d.headMailbox).toBe(`head.${d.code}@pds.careflow.local`);
      expect(d.name).toMatch(/^[\u4e00-\u9fff（）]+$/);
      expect(d.serviceTier).toBeNull();
    }
    expect(new Set(seeds.map((d) => d.mailbox)).size).toBe(seeds.length);
  });

  it('names only superiors that are in the seed, and lists each before its subordinates', () => {
    const seen = new Set<string>();
    for (const d of seeds) {
      if (d.superiorCode) {
        expect(byCode.has(d.superiorCode), `${d.code} → ${d.superiorCode}`).toBe(true);
        expect(seen.has(d.superiorCode)).toBe(true);
      }
      seen.add(d.code);
    }
  });

  it('keeps countyCivilAffairs on the same code and mailbox as the seed', () => {
    for (const county of PINGDINGSHAN_COUNTIES) {
      const seeded = byCode.get(`mz-${county}`)!;
      expect(countyCivilAffairs(county)).toEqual({ code: seeded.code, name: seeded.name, mailbox: seeded.mailbox });
    }
    expect(countyCivilAffairs('410402').mailbox).toBe('mz-410402@pds.careflow.local');
  });
});

describe('outside bureaus (户籍地)', () => {
  it('builds the civil-affairs bureau of any county elsewhere', () => {
    expect(outsideCivilAffairs('410102')).toEqual({
      code: 'outside-mz-410102',
      kind: 'mz',
      level: 'outside',
      name: '河南省郑州市中原区民政局',
      regionCode: '410102',
      mailbox: 'outside-mz-410102@hukou.careflow.local',
      headMailbox: 'head.outside-mz-410102@hukou.careflow.local',
      superiorCode: null,
      serviceTier: null,
    });
    expect(outsideCivilAffairs('110101').name).toBe('北京市东城区民政局');
  });

  it('refuses unknown codes and counties inside Pingdingshan', () => {
    expect(() => outsideCivilAffairs('419999')).toThrow(RangeError);
    expect(() => outsideCivilAffairs('410402')).toThrow(RangeError);
    expect(() => outsideCivilAffairs('410471')).toThrow(RangeError);
  });

  it('finds the 户籍地 civil-affairs bureau inside or outside Pingdingshan', () => {
    expect(hukouCivilAffairsCode('410423')).toBe('mz-410423');
    expect(hukouCivilAffairsCode('410472')).toBe('mz-410400');
    expect(hukouCivilAffairsCode('410102')).toBe('outside-mz-410102');
  });
});

describe('regionProblem', () => {
  it('accepts a region that fits the level and explains one that does not', () => {
    expect(regionProblem('city', '410400')).toBeUndefined();
    expect(regionProblem('county', '410471')).toBeUndefined();
    expect(regionProblem('township', '410402001')).toBeUndefined();
    expect(regionProblem('outside', '410102')).toBeUndefined();
    expect(regionProblem('city', '410100')).toMatch(/410400/);
    expect(regionProblem('county', '410102')).toBeDefined();
    expect(regionProblem('township', '410402')).toBeDefined();
    expect(regionProblem('township', '410402999')).toBeDefined();
    expect(regionProblem('outside', '410402')).toBeDefined();
  });
});
