/**
 * M1 survey (issue #13): validation of department rows, one by one, with a reason in
 * Chinese for every rejected field, and duplicates within one file. A row that passes is a
 * `SurveyRow`; the upload stores accepted rows and the rejection report together (one
 * transaction) and reconciliation only ever sees accepted rows.
 *
 * Pure: the date to judge "not in the future" against is an argument.
 */
import { isCalendarDate } from './calendar-date';
import type { Gender } from './child';
import { isCountyCode } from './regions';
import { RESIDENT_ID_PROBLEMS, validateResidentId } from './resident-id';
import { SOURCE_MAPPINGS, SURVEY_FIELD_LABELS, type RawSurveyRow, type SurveyField, type SurveySource } from './survey-sources';

export interface SurveyRow {
  name: string;
  gender: Gender;
  /** Normalised (upper-case X); absent on infants' health and vaccination records. */
  residentId?: string;
  birthDate: string;
  hukouRegionCode: string;
  residenceCounty: string;
  township?: string;
  village?: string;
  arrivalDate?: string;
  guardianName?: string;
  guardianPhone?: string;
}

export interface RowProblem {
  field: SurveyField | 'row';
  message: string;
}

export interface RowContext {
  /** The surveying county: the default residence, and the only one accepted. */
  countyCode: string;
  /** Today's date in China (YYYY-MM-DD): nobody is born or arrives after it. */
  today: string;
}

export type RowValidation = { ok: true; row: SurveyRow } | { ok: false; problems: RowProblem[] };

const pad2 = (value: string) => value.padStart(2, '0');

/**
 * Dates as departments write them: 2020-01-05, 2020/1/5, 2020.1.5, 20200105, 2020年1月5日;
 * a spreadsheet date cell reaches here already as YYYY-MM-DD. Undefined when not a real date.
 */
export function parseSurveyDate(text: string): string | undefined {
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  const separated = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text);
  const parts = compact ?? separated;
  if (!parts) return undefined;
  const date = `${parts[1]}-${pad2(parts[2] ?? '')}-${pad2(parts[3] ?? '')}`;
  return isCalendarDate(date) ? date : undefined;
}

const GENDER_WORDS: Readonly<Record<string, Gender>> = { 男: 'male', 女: 'female', '1': 'male', '2': 'female', male: 'male', female: 'female', m: 'male', f: 'female' };

export function parseGender(text: string): Gender | undefined {
  return GENDER_WORDS[text.toLowerCase()];
}

/** Validates one row of `source`; collects every problem, so the report names them all at once. */
export function validateSurveyRow(raw: RawSurveyRow, source: SurveySource, context: RowContext): RowValidation {
  const problems: RowProblem[] = [];
  const problem = (field: RowProblem['field'], message: string) => problems.push({ field, message });
  for (const field of SOURCE_MAPPINGS[source].required) {
    // A birth date column may be blank where the ID number carries the date.
    if (!raw[field] && !(field === 'birthDate' && raw.residentId)) problem(field, `缺少必填项（${SURVEY_FIELD_LABELS[field]}）`);
  }

  const name = raw.name?.replace(/\s+/g, '');
  if (name && name.length > 50) problem('name', '姓名过长（超过 50 个字）');
  const gender = raw.gender ? parseGender(raw.gender) : undefined;
  if (raw.gender && !gender) problem('gender', `无法识别的性别“${raw.gender}”（应为 男 或 女）`);

  let residentId: string | undefined;
  let idBirthDate: string | undefined;
  if (raw.residentId) {
    residentId = raw.residentId.toUpperCase();
    const checked = validateResidentId(residentId);
    if (!checked.ok) problem('residentId', RESIDENT_ID_PROBLEMS[checked.reason]);
    else {
      idBirthDate = checked.birthDate;
      if (gender && checked.gender !== gender) problem('gender', '性别与身份证号码不一致');
    }
  }

  let birthDate = raw.birthDate ? parseSurveyDate(raw.birthDate) : idBirthDate;
  if (raw.birthDate && !birthDate) problem('birthDate', `出生日期“${raw.birthDate}”不是有效日期`);
  if (!raw.birthDate && !raw.residentId && !SOURCE_MAPPINGS[source].required.includes('birthDate')) problem('birthDate', '缺少出生日期（也无身份证号码可推得）');
  if (birthDate && idBirthDate && birthDate !== idBirthDate) problem('birthDate', `出生日期 ${birthDate} 与身份证号码中的 ${idBirthDate} 不一致`);
  if (birthDate && birthDate > context.today) problem('birthDate', `出生日期 ${birthDate} 晚于今天`);
  birthDate ??= idBirthDate;

  const hukou = raw.hukouRegionCode;
  if (hukou && !(/^\d{6}$/.test(hukou) && isCountyCode(hukou))) problem('hukouRegionCode', `户籍地代码“${hukou}”不是有效的县级行政区划代码`);
  const residenceCounty = raw.residenceCounty ?? context.countyCode;
  if (residenceCounty !== context.countyCode) problem('residenceCounty', `居住地 ${residenceCounty} 不是本次摸排的县（市、区）${context.countyCode}`);

  let arrivalDate: string | undefined;
  if (raw.arrivalDate) {
    arrivalDate = parseSurveyDate(raw.arrivalDate);
    if (!arrivalDate) problem('arrivalDate', `来本地日期“${raw.arrivalDate}”不是有效日期`);
    else if (arrivalDate > context.today) problem('arrivalDate', `来本地日期 ${arrivalDate} 晚于今天`);
    else if (birthDate && arrivalDate < birthDate) arrivalDate = birthDate; // an infant's record opened before birth registration
  }
  if (raw.guardianPhone && !/^(1\d{10}|0\d{2,3}-?\d{7,8})$/.test(raw.guardianPhone)) problem('guardianPhone', '监护人电话格式不正确');

  if (problems.length || !name || !gender || !birthDate || !hukou) {
    return { ok: false, problems: problems.length ? problems : [{ field: 'row', message: '行数据不完整' }] };
  }
  const row: SurveyRow = { name, gender, birthDate, hukouRegionCode: hukou, residenceCounty };
  if (residentId) row.residentId = residentId;
  for (const key of ['township', 'village', 'guardianName', 'guardianPhone'] as const) if (raw[key]) row[key] = raw[key];
  if (arrivalDate) row.arrivalDate = arrivalDate;
  return { ok: true, row };
}

/** The identity of a row within one file: the ID number, else name + birth date + 户籍地. */
export function rowIdentity(row: SurveyRow): string {
  return row.residentId ? `id:${row.residentId}` : `nbh:${row.name}|${row.birthDate}|${row.hukouRegionCode}`;
}

export interface NumberedRaw {
  /** Line in the file (the header is line 1). */
  line: number;
  raw: RawSurveyRow;
}

export interface RejectedRow {
  line: number;
  problems: RowProblem[];
}

export interface FileValidation {
  accepted: { line: number; row: SurveyRow }[];
  rejected: RejectedRow[];
}

/** Every row of a file; the second and later copies of one child are rejected as duplicates. */
export function validateSurveyFile(rows: readonly NumberedRaw[], source: SurveySource, context: RowContext): FileValidation {
  const accepted: FileValidation['accepted'] = [];
  const rejected: RejectedRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { line, raw } of rows) {
    const result = validateSurveyRow(raw, source, context);
    if (!result.ok) {
      rejected.push({ line, problems: result.problems });
      continue;
    }
    const identity = rowIdentity(result.row);
    const first = firstLineOf.get(identity);
    if (first !== undefined) {
      rejected.push({ line, problems: [{ field: 'row', message: `重复：与第 ${first} 行是同一儿童` }] });
      continue;
    }
    firstLineOf.set(identity, line);
    accepted.push({ line, row: result.row });
  }
  return { accepted, rejected };
}
