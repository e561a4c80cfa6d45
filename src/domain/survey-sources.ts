/**
 * M1 half-yearly monitoring survey (issue #13): the four departments' lists and how their
 * columns map onto one record. Each department exports its own spreadsheet with its own
 * headings; the mapping below names, per source, the headings accepted for each field
 * (the first one is the documented heading, the others are variants seen in practice).
 * docs/survey.md prints the same table (a unit test keeps them equal).
 *
 * Pure: no I/O.
 */

export const SURVEY_SOURCES = ['police', 'education', 'health', 'cdc'] as const;
export type SurveySource = (typeof SURVEY_SOURCES)[number];

export const SURVEY_SOURCE_NAMES: Readonly<Record<SurveySource, string>> = {
  police: '公安部门居住证（居住登记）信息',
  education: '教育部门随迁子女学籍信息',
  health: '卫生健康部门0-6岁儿童健康管理信息',
  cdc: '疾控部门外县籍儿童预防接种信息',
};

/** The fields of one department row, after mapping. */
export const SURVEY_FIELDS = [
  'name',
  'gender',
  'residentId',
  'birthDate',
  'hukouRegionCode',
  'residenceCounty',
  'township',
  'village',
  'arrivalDate',
  'guardianName',
  'guardianPhone',
] as const;
export type SurveyField = (typeof SURVEY_FIELDS)[number];

export const SURVEY_FIELD_LABELS: Readonly<Record<SurveyField, string>> = {
  name: '姓名',
  gender: '性别',
  residentId: '身份证号码',
  birthDate: '出生日期',
  hukouRegionCode: '户籍地（县级区划代码）',
  residenceCounty: '居住地（县级区划代码）',
  township: '居住乡镇（街道）',
  village: '居住村（社区）',
  arrivalDate: '来本地居住日期',
  guardianName: '监护人姓名',
  guardianPhone: '监护人电话',
};

export interface SourceMapping {
  /** Headings accepted for each field, the documented one first. */
  columns: Readonly<Partial<Record<SurveyField, readonly string[]>>>;
  /** Fields every row of this source must have. */
  required: readonly SurveyField[];
}

/**
 * Per source. The ID number is required where the department holds it by law (a residence
 * permit, a pupil's file); 0-6 health and vaccination records are kept for infants before
 * their first ID card, so there it is optional and such rows are matched by name, birth
 * date and 户籍地. A missing residence county means the surveying county (each department
 * uploads its own county's list).
 */
export const SOURCE_MAPPINGS: Readonly<Record<SurveySource, SourceMapping>> = {
  police: {
    columns: {
      name: ['姓名'],
      gender: ['性别'],
      residentId: ['公民身份号码', '身份证号码', '身份证号'],
      birthDate: ['出生日期'],
      hukouRegionCode: ['户籍地行政区划代码', '户籍地代码'],
      residenceCounty: ['居住地县区代码', '居住地区划代码'],
      township: ['居住地乡镇街道', '居住乡镇'],
      village: ['居住地社区村', '居住社区'],
      arrivalDate: ['居住登记日期', '来本地日期'],
      guardianName: ['监护人姓名'],
      guardianPhone: ['监护人联系电话', '监护人电话'],
    },
    required: ['name', 'gender', 'residentId', 'hukouRegionCode'],
  },
  education: {
    columns: {
      name: ['学生姓名', '姓名'],
      gender: ['性别'],
      residentId: ['身份证件号', '身份证号码', '身份证号'],
      birthDate: ['出生日期'],
      hukouRegionCode: ['户籍所在地代码', '户口所在地代码'],
      residenceCounty: ['现居住县区代码'],
      township: ['现居住乡镇街道', '现住址乡镇'],
      village: ['现居住社区村', '现住址社区'],
      arrivalDate: ['随迁日期', '入学日期'],
      guardianName: ['监护人姓名', '家长姓名'],
      guardianPhone: ['监护人电话', '家长电话'],
    },
    required: ['name', 'gender', 'residentId', 'hukouRegionCode'],
  },
  health: {
    columns: {
      name: ['儿童姓名', '姓名'],
      gender: ['性别'],
      residentId: ['身份证号', '身份证号码'],
      birthDate: ['出生日期'],
      hukouRegionCode: ['户籍地区划代码', '户籍地代码'],
      residenceCounty: ['现住址县区代码'],
      township: ['现住址乡镇', '现住址乡镇街道'],
      village: ['现住址村居', '现住址社区村'],
      arrivalDate: ['迁入本地日期', '建档日期'],
      guardianName: ['母亲姓名', '监护人姓名'],
      guardianPhone: ['联系电话', '监护人电话'],
    },
    required: ['name', 'gender', 'birthDate', 'hukouRegionCode'],
  },
  cdc: {
    columns: {
      name: ['受种者姓名', '儿童姓名', '姓名'],
      gender: ['性别'],
      residentId: ['受种者身份证号码', '身份证号码', '身份证号'],
      birthDate: ['出生日期'],
      hukouRegionCode: ['户籍地编码', '户籍地代码'],
      residenceCounty: ['现居住县区代码', '接种单位县区代码'],
      township: ['现居住乡镇'],
      village: ['现居住村'],
      arrivalDate: ['迁入日期'],
      guardianName: ['监护人姓名'],
      guardianPhone: ['监护人电话'],
    },
    required: ['name', 'gender', 'birthDate', 'hukouRegionCode'],
  },
};

/** Cell text, as read from a file, keyed by field; absent or blank cells are undefined. */
export type RawSurveyRow = Partial<Record<SurveyField, string>>;

export type HeaderMapping =
  | { ok: true; columnOf: Partial<Record<SurveyField, number>> }
  | { ok: false; missing: { field: SurveyField; accepted: readonly string[] }[]; duplicated: string[] };

/** Headings are compared without spaces, full-width brackets and a trailing `*` (required marks). */
function normaliseHeading(heading: string): string {
  return heading.normalize('NFKC').replace(/[\s*＊]/g, '').replace(/[()（）]/g, '');
}

/**
 * Which column holds which field. Unknown columns are ignored (departments add their own);
 * a required field without a column, or one field under two headings, refuses the file.
 */
export function mapHeader(source: SurveySource, header: readonly string[]): HeaderMapping {
  const mapping = SOURCE_MAPPINGS[source];
  const normalised = header.map(normaliseHeading);
  const columnOf: Partial<Record<SurveyField, number>> = {};
  const duplicated: string[] = [];
  for (const field of SURVEY_FIELDS) {
    const accepted = (mapping.columns[field] ?? []).map(normaliseHeading);
    const indices = normalised.flatMap((heading, index) => (accepted.includes(heading) ? [index] : []));
    if (indices.length > 1) duplicated.push(indices.map((index) => header[index]).join('、'));
    if (indices.length >= 1) columnOf[field] = indices[0];
  }
  const missing = mapping.required
    .filter((field) => columnOf[field] === undefined)
    .map((field) => ({ field, accepted: mapping.columns[field] ?? [] }));
  return missing.length || duplicated.length ? { ok: false, missing, duplicated } : { ok: true, columnOf };
}

/** One line of cells as a raw row, by a header mapping; cells are trimmed, blanks dropped. */
export function rawRowOf(cells: readonly string[], columnOf: Partial<Record<SurveyField, number>>): RawSurveyRow {
  const row: RawSurveyRow = {};
  for (const field of SURVEY_FIELDS) {
    const index = columnOf[field];
    const value = index === undefined ? undefined : cells[index]?.normalize('NFKC').trim();
    if (value) row[field] = value;
  }
  return row;
}

/** The mapping as a Markdown table, for docs/survey.md. */
export function mappingMarkdown(): string {
  const lines = [`| field | ${SURVEY_SOURCES.join(' | ')} |`, `|---|${SURVEY_SOURCES.map(() => '---').join('|')}|`];
  for (const field of SURVEY_FIELDS) {
    const cells = SURVEY_SOURCES.map((source) => {
      const headings = SOURCE_MAPPINGS[source].columns[field];
      if (!headings) return '—';
      const required = SOURCE_MAPPINGS[source].required.includes(field) ? ' (required)' : '';
      return headings.join(' / ') + required;
    });
    lines.push(`| ${field} ${SURVEY_FIELD_LABELS[field]} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
