/**
 * Issue #13: generated department lists with dirty data and the truth behind them, for the
 * survey's tests and bench/survey.ts. Deterministic for a seed.
 *
 * A population of children of one county; some are in the register (some of those have
 * moved away and appear in no list), each appears in the lists its age makes likely
 * (police residence permits, education pupils 6-15, health 0-6, CDC 0-6). Dirt, at the given
 * rates: wrong check digits, duplicated lines, birth dates one typing error off on rows
 * without an ID number (sources disagree), names one character off, blank ID numbers on
 * infants' records. Each generated row keeps the id of the child it describes (`truth`).
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { residentIdCheckCharacter } from '../../src/domain/resident-id';
import { townshipsOf } from '../../src/domain/regions';
import { SOURCE_MAPPINGS, SURVEY_FIELDS, type RawSurveyRow, type SurveyField, type SurveySource } from '../../src/domain/survey-sources';

export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN = [...'子涵浩然欣怡梓轩雨萱一诺宇航思彤俊杰佳怡明轩紫涵晨曦博文若汐嘉怡皓轩诗琪梓萱铭泽语桐睿哲梦琪天佑雅琪文博可馨昊然昕冉泽宇悦彤'];
/** 户籍地 county codes outside the surveying county (Henan and neighbours), and one local. */
const HUKOU_CODES = ['410102', '410103', '410105', '410302', '410303', '410502', '410522', '410602', '410702', '411102', '411302', '411321', '411502', '411602', '411702', '341202', '420102', '130102', '410421', '410425'];

export interface GeneratedChild {
  id: string;
  name: string;
  gender: 'male' | 'female';
  birthDate: string;
  residentId: string;
  hukouRegionCode: string;
  township: string;
  village: string;
  arrivalDate: string;
  inRegister: boolean;
  /** In the register but left: in no department's list. */
  movedAway: boolean;
}

export interface GeneratedRow {
  source: SurveySource;
  /** The child the row describes. */
  truth: string;
  raw: RawSurveyRow;
  /** Why the upload must reject it, if it must. */
  dirt?: 'check-digit' | 'duplicate';
}

export interface GeneratedSurvey {
  countyCode: string;
  children: GeneratedChild[];
  rows: GeneratedRow[];
}

export interface GenerateOptions {
  seed?: number;
  countyCode?: string;
  children?: number;
  /** Share of children already in the register. */
  registered?: number;
  movedAway?: number;
  wrongCheckDigit?: number;
  duplicate?: number;
  birthDateTypo?: number;
  nameTypo?: number;
  /** Hard cases: a child with the name, gender and 户籍地 of an earlier one (common names). */
  namesakes?: number;
  /** Hard cases: twins (birth date, 户籍地 and surname of an earlier child). */
  twins?: number;
  /** The survey's date: ages and arrivals are before it. */
  today?: string;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function typoDate(date: string, random: () => number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // Month and day swapped when that is a date, else the day one off.
  if (d <= 12 && d !== m && random() < 0.5) return `${y}-${pad(d)}-${pad(m)}`;
  return `${y}-${pad(m)}-${pad(d === 28 ? 27 : d + 1)}`;
}

export function generateSurvey(options: GenerateOptions = {}): GeneratedSurvey {
  const random = prng(options.seed ?? 13);
  const countyCode = options.countyCode ?? '410402';
  const today = options.today ?? '2026-11-30';
  const todayYear = Number(today.slice(0, 4));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const townships = townshipsOf(countyCode).map((township) => township.name);
  const children: GeneratedChild[] = [];
  const usedIds = new Set<string>();
  for (let i = 0; i < (options.children ?? 1000); i++) {
    const age = Math.floor(random() * 16);
    const model = children.length > 0 ? children[Math.floor(random() * children.length)] : undefined;
    const hard = random();
    const namesake = model && hard < (options.namesakes ?? 0.03);
    const twin = model && !namesake && hard < (options.namesakes ?? 0.03) + (options.twins ?? 0.01);
    const birthDate = twin && model ? model.birthDate : `${todayYear - age - 1}-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}`;
    const gender = namesake && model ? model.gender : random() < 0.5 ? 'male' : 'female';
    const hukou = (namesake || twin) && model ? model.hukouRegionCode : pick(HUKOU_CODES);
    const surname = twin && model ? [...model.name][0] : pick(SURNAMES);
    const name = namesake && model ? model.name : surname + pick(GIVEN) + (random() < 0.7 ? pick(GIVEN) : '');
    let residentId = '';
    do {
      const sequence = 2 * Math.floor(random() * 499) + (gender === 'male' ? 1 : 2);
      const first17 = `${hukou}${birthDate.replace(/-/g, '')}${pad(sequence, 3)}`;
      residentId = first17 + residentIdCheckCharacter(first17);
    } while (usedIds.has(residentId));
    usedIds.add(residentId);
    const inRegister = random() < (options.registered ?? 0.6);
    const arrivalYear = Math.max(Number(birthDate.slice(0, 4)), todayYear - 1 - Math.floor(random() * 4));
    const arrival = `${arrivalYear}-${pad(1 + Math.floor(random() * 5))}-01`;
    children.push({
      id: `c${i}`,
      name,
      gender,
      birthDate,
      residentId,
      hukouRegionCode: hukou,
      township: pick(townships),
      village: `${pick(['建设', '光明', '幸福', '和平', '东风'])}社区`,
      arrivalDate: arrival < birthDate ? birthDate : arrival,
      inRegister,
      movedAway: inRegister && random() < (options.movedAway ?? 0.05),
    });
  }

  const rows: GeneratedRow[] = [];
  for (const child of children) {
    if (child.movedAway) continue;
    const age = todayYear - Number(child.birthDate.slice(0, 4));
    const chances: Record<SurveySource, number> = { police: 0.6, education: age >= 6 ? 0.8 : 0, health: age <= 6 ? 0.85 : 0, cdc: age <= 6 ? 0.6 : 0 };
    let listed = false;
    for (const source of ['police', 'education', 'health', 'cdc'] as const) {
      // Every child is somewhere (the register child in no list is the moved-away one).
      const last = source === 'cdc' && !listed;
      if (!last && random() >= chances[source]) continue;
      listed = true;
      const infantRecord = source === 'health' || source === 'cdc';
      const withId = !infantRecord || random() < 0.5;
      const row: GeneratedRow = {
        source,
        truth: child.id,
        raw: {
          name: child.name,
          gender: child.gender === 'male' ? '男' : '女',
          birthDate: child.birthDate.replace(/-/g, source === 'police' ? '' : '/'),
          hukouRegionCode: child.hukouRegionCode,
          township: child.township,
          village: child.village,
          arrivalDate: child.arrivalDate,
        },
      };
      if (withId) row.raw.residentId = child.residentId;
      if (withId && random() < (options.wrongCheckDigit ?? 0.02)) {
        const check = child.residentId.charAt(17);
        row.raw.residentId = child.residentId.slice(0, 17) + (check === '0' ? '1' : '0');
        row.dirt = 'check-digit';
      } else if (!withId && random() < (options.birthDateTypo ?? 0.03)) {
        row.raw.birthDate = typoDate(child.birthDate, random);
      } else if (!withId && random() < (options.nameTypo ?? 0.02)) {
        const chars = [...child.name];
        chars[chars.length - 1] = pick(GIVEN.filter((c) => c !== chars[chars.length - 1]));
        row.raw.name = chars.join('');
      }
      rows.push(row);
      if (!row.dirt && random() < (options.duplicate ?? 0.02)) rows.push({ ...row, dirt: 'duplicate' });
    }
  }
  return { countyCode, children, rows };
}

/** The documented heading of each field in a source's file. */
function headingOf(source: SurveySource, field: SurveyField): string | undefined {
  return SOURCE_MAPPINGS[source].columns[field]?.[0];
}

function table(rows: readonly GeneratedRow[], source: SurveySource): string[][] {
  const fields = SURVEY_FIELDS.filter((field) => headingOf(source, field));
  return [fields.map((field) => headingOf(source, field) ?? field), ...rows.filter((row) => row.source === source).map((row) => fields.map((field) => row.raw[field] ?? ''))];
}

const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** A source's rows as a CSV file, in UTF-8 (with BOM, as Excel writes it) or GB18030. */
export function departmentCsv(survey: GeneratedSurvey, source: SurveySource, encoding: 'utf-8' | 'gb18030'): Buffer {
  const text = table(survey.rows, source).map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
  return encoding === 'gb18030' ? iconv.encode(text, 'gb18030') : Buffer.from(`\uFEFF${text}`, 'utf8');
}

/** A source's rows as an XLSX workbook; dates as date cells, ID numbers as text. */
export async function departmentXlsx(survey: GeneratedSurvey, source: SurveySource): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('名单');
  const [header, ...lines] = table(survey.rows, source);
  sheet.addRow(header ?? []);
  for (const cells of lines) {
    sheet.addRow(cells.map((cell, index) => (/日期/.test(header?.[index] ?? '') && /^\d{4}-\d{2}-\d{2}$/.test(cell) ? new Date(`${cell}T00:00:00Z`) : cell)));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
