/**
 * Issue #13: the file for the national child welfare information system (全国儿童福利信息系统),
 * built on request from the closed survey's findings, so that no ID number is ever stored
 * in clear. Layout (docs/survey.md): UTF-8 with BOM, CRLF; a detail table, one line per
 * child found, then a blank line and the survey's figures as `汇总项,数值` lines.
 */
import type { Pool } from '../../db/pool';
import { listFindings } from '../../db/survey-repository';
import { SURVEY_SOURCE_NAMES, SURVEY_SOURCES, type SurveySource } from '../../domain/survey-sources';
import { surveyClassLabel, VERIFICATION_OUTCOMES } from '../../domain/survey-verification';
import type { FieldCrypto } from '../../security/field-crypto';

export const EXPORT_COLUMNS = [
  '填报单位代码',
  '摸排期次',
  '核对结果',
  '核实结论',
  '是否流动儿童',
  '姓名',
  '性别',
  '出生日期',
  '公民身份号码',
  '户籍地区划代码',
  '居住地区划代码',
  '居住乡镇（街道）',
  '来本地居住日期',
  '数据来源',
  '台账编号',
] as const;

/** Labels of the figures, in the order they are written. */
export const FIGURE_LABELS: ReadonlyArray<[string, string]> = [
  ...SURVEY_SOURCES.map((source): [string, string] => [`rowsPerSource.${source}`, `接收行数：${SURVEY_SOURCE_NAMES[source]}`]),
  ['matched', '与台账匹配的儿童'],
  ['confirmed', '确认'],
  ['newCandidates', '新发现'],
  ['possiblyMovedAway', '疑似迁出'],
  ['departed', '核实已迁出'],
  ['conflicts', '信息冲突'],
  ['eligible', '符合流动儿童认定（M1）'],
  ['verificationsSent', '发出核实任务'],
  ['answered', '已核实'],
  ['unresolved', '未核实'],
];

const csvCell = (value: string | number | null | undefined): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
export const csvLine = (cells: ReadonlyArray<string | number | null | undefined>): string => cells.map(csvCell).join(',');

const outcomeLabel = (outcome: string | null): string => {
  if (!outcome) return '';
  for (const outcomes of Object.values(VERIFICATION_OUTCOMES)) {
    const found = outcomes.find((spec) => spec.code === outcome);
    if (found) return found.label;
  }
  return outcome;
};

/** The ID number of each finding, opened only here: the register's, else the first row that has one. */
async function residentIds(pool: Pool, surveyId: string, crypto: FieldCrypto): Promise<Map<string, string>> {
  const result = await pool.query<{ key: string; cipher: string | null }>(
    `SELECT f.key,
            COALESCE(c.resident_id_cipher,
                     (SELECT r.resident_id_cipher FROM jsonb_array_elements(f.matched_rows) m
                        JOIN survey_rows r ON r.upload_id = split_part(m->>'rowId', ':', 1)::uuid AND r.line = split_part(m->>'rowId', ':', 2)::int
                       WHERE r.resident_id_cipher IS NOT NULL LIMIT 1)) AS cipher
       FROM survey_findings f LEFT JOIN children c ON c.id = f.child_id
      WHERE f.survey_id = $1`,
    [surveyId],
  );
  const ids = new Map<string, string>();
  for (const row of result.rows) if (row.cipher) ids.set(row.key, crypto.decrypt(row.cipher));
  return ids;
}

export async function buildNationalExport(
  pool: Pool,
  crypto: FieldCrypto,
  survey: { id: string; countyCode: string; period: string; figures: Record<string, unknown> },
): Promise<string> {
  const findings = await listFindings(pool, survey.id);
  const ids = await residentIds(pool, survey.id, crypto);
  const lines = [csvLine(EXPORT_COLUMNS)];
  for (const finding of findings) {
    const eligible = finding.eligibility.eligible === null ? '待核实' : finding.eligibility.eligible ? '是' : '否';
    lines.push(
      csvLine([
        survey.countyCode,
        survey.period,
        surveyClassLabel(finding.classification),
        outcomeLabel(finding.outcome),
        eligible,
        finding.profile.name,
        finding.profile.gender === 'male' ? '男' : '女',
        finding.profile.birthDate,
        ids.get(finding.key) ?? '',
        finding.profile.hukouRegionCode,
        finding.profile.residenceCounty,
        finding.profile.township ?? '',
        finding.profile.arrivalDate ?? '',
        finding.sources.map((source) => SURVEY_SOURCE_NAMES[source as SurveySource] ?? source).join('；'),
        finding.childId ?? '',
      ]),
    );
  }
  const figures = (survey.figures.survey ?? {}) as Record<string, unknown>;
  const valueAt = (path: string): unknown => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], figures);
  lines.push('', csvLine(['汇总项', '数值']));
  for (const [path, label] of FIGURE_LABELS) lines.push(csvLine([label, String(valueAt(path) ?? 0)]));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
