/**
 * Issue #13 (M1, M3): the survey's pure rules — column mapping per source, row validation,
 * similarity, reconciliation and its classification, the M1 eligibility of each finding.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { csvLine, EXPORT_COLUMNS, FIGURE_LABELS } from '../../src/api/surveys/export';
import { DEFAULT_CENTRAL_URBAN_DISTRICTS } from '../../src/domain/regions';
import { residentIdCheckCharacter } from '../../src/domain/resident-id';
import { reconcileFigures, reconcileSurvey, type ReconcileRow, type RegisterEntry } from '../../src/domain/survey-reconcile';
import { parseSurveyDate, validateSurveyFile, validateSurveyRow } from '../../src/domain/survey-rows';
import { birthDateSimilarity, compareChildren, nameSimilarity } from '../../src/domain/survey-similarity';
import { mapHeader, mappingMarkdown, rawRowOf } from '../../src/domain/survey-sources';

const COUNTY = '410402';
const context = { countyCode: COUNTY, today: '2026-11-30' };
const options = { countyCode: COUNTY, onDate: '2026-11-30', eligibility: { centralUrbanDistricts: DEFAULT_CENTRAL_URBAN_DISTRICTS } };

/** A valid ID number: region, birth date, sequence (odd male), check character. */
function residentId(region: string, birth: string, sequence = '123'): string {
  const first17 = `${region}${birth.replace(/-/g, '')}${sequence}`;
  return first17 + residentIdCheckCharacter(first17);
}

describe('column mapping per source', () => {
  it('maps each source’s own headings and ignores extra columns', () => {
    const mapping = mapHeader('police', ['序号', '姓名', '性别', '公民身份号码', '户籍地行政区划代码 *', '居住登记日期']);
    expect(mapping).toEqual({ ok: true, columnOf: { name: 1, gender: 2, residentId: 3, hukouRegionCode: 4, arrivalDate: 5 } });
    const education = mapHeader('education', ['学生姓名', '性别', '身份证件号', '户籍所在地代码']);
    expect(education.ok).toBe(true);
  });

  it('refuses a file missing a required column, naming the accepted headings', () => {
    const mapping = mapHeader('education', ['学生姓名', '性别', '户籍所在地代码']);
    expect(mapping).toMatchObject({ ok: false, missing: [{ field: 'residentId', accepted: ['身份证件号', '身份证号码', '身份证号'] }] });
  });

  it('lets health and CDC records go without an ID number (infants), but not without a birth date', () => {
    expect(mapHeader('health', ['儿童姓名', '性别', '出生日期', '户籍地区划代码']).ok).toBe(true);
    expect(mapHeader('cdc', ['受种者姓名', '性别', '户籍地编码'])).toMatchObject({ ok: false, missing: [{ field: 'birthDate' }] });
  });

  it('reads cells trimmed and in half-width forms', () => {
    expect(rawRowOf([' 张三 ', '男', '', '４１０１０２'], { name: 0, gender: 1, residentId: 2, hukouRegionCode: 3 })).toEqual({ name: '张三', gender: '男', hukouRegionCode: '410102' });
  });

  it('is documented in docs/survey.md exactly as the code has it, with the export layout', () => {
    const doc = readFileSync(new URL('../../docs/survey.md', import.meta.url), 'utf8');
    expect(doc).toContain(mappingMarkdown());
    expect(doc).toContain(csvLine(EXPORT_COLUMNS));
    for (const [, label] of FIGURE_LABELS.filter(([path]) => !path.startsWith('rowsPerSource'))) expect(doc).toContain(label);
  });
});

describe('row validation', () => {
  const good = { name: '王小明', gender: '男', residentId: residentId('410102', '2015-05-10'), hukouRegionCode: '410102', arrivalDate: '2024/3/1' };

  it('accepts a good row and derives the birth date from the ID number', () => {
    expect(validateSurveyRow(good, 'police', context)).toEqual({
      ok: true,
      row: { name: '王小明', gender: 'male', residentId: good.residentId, birthDate: '2015-05-10', hukouRegionCode: '410102', residenceCounty: COUNTY, arrivalDate: '2024-03-01' },
    });
  });

  it('reads the date forms departments use', () => {
    expect(['2020-01-05', '2020/1/5', '2020.1.5', '20200105', '2020年1月5日'].map(parseSurveyDate)).toEqual(Array(5).fill('2020-01-05'));
    expect(parseSurveyDate('2021-02-29')).toBeUndefined();
  });

  it('rejects a wrong check digit, a birth date the ID contradicts, a future date and an unknown 户籍地, naming each', () => {
    const wrongCheck = good.residentId.slice(0, 17) + (good.residentId.endsWith('0') ? '1' : '0');
    const result = validateSurveyRow({ ...good, residentId: wrongCheck, hukouRegionCode: '999999' }, 'police', context);
    expect(result).toEqual({
      ok: false,
      problems: [
        { field: 'residentId', message: '身份证号码校验位错误' },
        { field: 'hukouRegionCode', message: '户籍地代码“999999”不是有效的县级行政区划代码' },
      ],
    });
    const contradicting = validateSurveyRow({ ...good, birthDate: '2015-06-10' }, 'police', context);
    expect(contradicting).toMatchObject({ ok: false, problems: [{ field: 'birthDate', message: '出生日期 2015-06-10 与身份证号码中的 2015-05-10 不一致' }] });
    expect(validateSurveyRow({ ...good, arrivalDate: '2027-01-01' }, 'police', context)).toMatchObject({ ok: false, problems: [{ field: 'arrivalDate' }] });
    expect(validateSurveyRow({ ...good, gender: '女' }, 'police', context)).toMatchObject({ ok: false, problems: [{ field: 'gender', message: '性别与身份证号码不一致' }] });
  });

  it('rejects a missing required field and another county’s child', () => {
    expect(validateSurveyRow({ name: '李四', gender: '女', hukouRegionCode: '410102' }, 'police', context)).toEqual({
      ok: false,
      problems: [
        { field: 'residentId', message: '缺少必填项（身份证号码）' },
        { field: 'birthDate', message: '缺少出生日期（也无身份证号码可推得）' },
      ],
    });
    expect(validateSurveyRow({ ...good, residenceCounty: '410403' }, 'police', context)).toMatchObject({ ok: false, problems: [{ field: 'residenceCounty' }] });
  });

  it('rejects the second copy of a child within a file as a duplicate of the first line', () => {
    const infant = { name: '赵一', gender: '女', birthDate: '2025-01-01', hukouRegionCode: '410102' };
    const result = validateSurveyFile(
      [
        { line: 2, raw: good },
        { line: 3, raw: infant },
        { line: 4, raw: { ...good, name: '王 小明' } },
        { line: 5, raw: infant },
      ],
      'health',
      context,
    );
    expect(result.accepted.map((row) => row.line)).toEqual([2, 3]);
    expect(result.rejected).toEqual([
      { line: 4, problems: [{ field: 'row', message: '重复：与第 2 行是同一儿童' }] },
      { line: 5, problems: [{ field: 'row', message: '重复：与第 3 行是同一儿童' }] },
    ]);
  });
});

describe('similarity of name + birth date + 户籍地', () => {
  const child = { name: '张小明', gender: 'male' as const, birthDate: '2015-05-10', hukouRegionCode: '410102' };

  it('scores equal records 1 and names the one field that differs', () => {
    expect(compareChildren(child, child)).toEqual({ score: 1, candidate: true, differing: [] });
    expect(compareChildren(child, { ...child, birthDate: '2015-10-05' })).toEqual({ score: 0.85, candidate: true, differing: ['birthDate'] });
    expect(compareChildren(child, { ...child, name: '张晓明' })).toMatchObject({ candidate: true, differing: ['name'] });
  });

  it('does not take two disagreements, or a different birth date altogether, for one child', () => {
    expect(compareChildren(child, { ...child, name: '张小红', birthDate: '2015-05-11' }).candidate).toBe(false);
    expect(compareChildren(child, { ...child, birthDate: '2013-01-22' }).candidate).toBe(false);
    expect(birthDateSimilarity('2015-05-10', '2015-05-11')).toBe(0.5);
    expect(nameSimilarity('阿依·古丽', '阿依古丽')).toBe(1);
  });
});

describe('reconciliation (M1, M3)', () => {
  const entry = (childId: string, name: string, birthDate: string, overrides: Partial<RegisterEntry> = {}): RegisterEntry => ({
    childId,
    residentIdHash: `hash-${childId}`,
    name,
    gender: 'male',
    birthDate,
    hukouRegionCode: '410102',
    residenceCounty: COUNTY,
    township: '西市场街道',
    arrivalDate: '2024-01-01',
    ...overrides,
  });
  const row = (rowId: string, source: ReconcileRow['source'], child: Partial<ReconcileRow>): ReconcileRow => ({
    rowId,
    source,
    name: '某',
    gender: 'male',
    birthDate: '2015-01-01',
    hukouRegionCode: '410102',
    residenceCounty: COUNTY,
    arrivalDate: '2024-01-01',
    ...child,
  });
  const register = [entry('a', '王一', '2015-01-01'), entry('b', '王二', '2016-02-02'), entry('c', '王三', '2017-03-03'), entry('d', '王四', '2012-04-04')];

  it('confirms by ID hash and by similarity, finds new children, flags the ones no source names, and the conflicts', () => {
    const findings = reconcileSurvey(
      register,
      [
        row('1', 'police', { residentIdHash: 'hash-a', name: '王一' }),
        row('2', 'health', { name: '王一' }), // no ID, joins a by similarity
        row('3', 'education', { residentIdHash: 'hash-b', name: '王二', birthDate: '2016-02-02' }),
        row('4', 'cdc', { name: '王二', birthDate: '2016-02-03' }), // birth date one digit off: conflict
        row('5', 'police', { residentIdHash: 'hash-x', name: '刘五', birthDate: '2018-05-05', arrivalDate: '2026-10-01' }),
        row('6', 'cdc', { name: '刘五', birthDate: '2018-05-05', arrivalDate: undefined }),
        row('7', 'police', { residentIdHash: 'hash-y', name: '王四', birthDate: '2012-04-04' }), // another ID number for d
      ],
      options,
    );
    const byKey = Object.fromEntries(findings.map((finding) => [finding.key, finding]));
    expect(byKey['child:a']).toMatchObject({ classification: 'confirmed', sources: ['police', 'health'], rows: [{ rowId: '1', method: 'id-hash', score: 1 }, { rowId: '2', method: 'similarity', score: 1 }] });
    expect(byKey['child:b']).toMatchObject({ classification: 'conflicting', conflicts: ['birthDate'] });
    expect(byKey['child:c']).toMatchObject({ classification: 'possibly-moved-away', rows: [] });
    expect(byKey['child:d']).toMatchObject({ classification: 'conflicting', conflicts: ['residentId'] });
    expect(byKey['row:5']).toMatchObject({
      classification: 'new-candidate',
      sources: ['police', 'cdc'],
      profile: { name: '刘五', arrivalDate: '2026-10-01' },
      eligibility: { eligible: false, rule: 'residence-under-6-months' },
    });
    expect(byKey['child:a']?.eligibility).toMatchObject({ eligible: true, rule: 'eligible' });
    expect(byKey['child:c']?.eligibility).toMatchObject({ eligible: true, rule: 'eligible' });
    expect(reconcileFigures(findings, { police: 3, education: 1, health: 1, cdc: 2 })).toEqual({
      rowsPerSource: { police: 3, education: 1, health: 1, cdc: 2 },
      matched: 3,
      confirmed: 1,
      newCandidates: 1,
      possiblyMovedAway: 1,
      conflicting: 2,
      eligible: 4,
    });
  });

  it('leaves the M1 decision open when no source gives an arrival date', () => {
    const [finding] = reconcileSurvey([], [row('1', 'health', { name: '陈六', arrivalDate: undefined })], options);
    expect(finding).toMatchObject({ classification: 'new-candidate', eligibility: { eligible: null, rule: 'arrival-unknown' } });
  });

  it('reports a child of another county’s register found in this county’s lists as a conflict (moved here)', () => {
    const moved = entry('m', '周七', '2014-07-07', { residenceCounty: '410403' });
    const findings = reconcileSurvey([moved], [row('1', 'education', { residentIdHash: 'hash-m', name: '周七', birthDate: '2014-07-07' })], options);
    expect(findings).toMatchObject([{ key: 'child:m', classification: 'conflicting', conflicts: ['residenceCounty'] }]);
    expect(reconcileSurvey([moved], [], options)).toEqual([]);
  });

  it('is deterministic whatever the order of the rows', () => {
    const rows = [row('1', 'health', { name: '王一' }), row('2', 'police', { residentIdHash: 'hash-a', name: '王一' })];
    expect(reconcileSurvey(register, rows, options)).toEqual(reconcileSurvey(register, [...rows].reverse(), options));
  });
});
