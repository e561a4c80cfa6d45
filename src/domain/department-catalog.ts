/**
 * The department directory's catalogue (issue #3 item 1): which kinds of department the
 * plan names, how their codes and names are built, and the Pingdingshan seed.
 *
 * Codes:
 * - city and county departments: `<kind>-<6-digit region code>`, e.g. `mz-410400` 平顶山市民政局,
 *   `mz-410402` 新华区民政局;
 * - townships (乡镇人民政府 / 街道办事处): `xz-<9-digit township code>`, e.g. `xz-410402001`;
 * - outside bureaus, i.e. a 户籍地 department elsewhere in the country, given per case:
 *   `outside-<kind>-<6-digit county code>`, e.g. `outside-mz-410102` 河南省郑州市中原区民政局.
 *
 * The seed has every kind at city level and in each of the 10 statutory county-level divisions
 * (PINGDINGSHAN_COUNTIES). Every kind exists at county level too, under a county name where the
 * plan's is a city one (团市委 → 团县委 / 团区委, 中级人民法院 → 人民法院, 市委网信办 → 县委网信办).
 * The two functional zones (高新区, 示范区) have no statutory departments, so none is seeded;
 * their townships are seeded and supervised by the city civil-affairs bureau; an admin can add
 * county-level departments for a zone through the API.
 *
 * Pure: no I/O, safe to import from workflows.
 */
import {
  cityCodeOf,
  countyName,
  fullRegionName,
  isCountyCode,
  PINGDINGSHAN_CITY,
  PINGDINGSHAN_COUNTIES,
  PINGDINGSHAN_FUNCTIONAL_ZONES,
  townshipName,
  townshipsOf,
} from './regions';

export const DEPARTMENT_LEVELS = ['city', 'county', 'township', 'outside'] as const;
export type DepartmentLevel = (typeof DEPARTMENT_LEVELS)[number];

/** Tier of a mental-health provider (W2.4: low → school / 儿童主任, medium → psychosocial, high → medical). */
export const SERVICE_TIERS = ['low', 'medium', 'high'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/** Name of the city whose directory this is; fullRegionName('410400') is '河南省平顶山市'. */
export const PINGDINGSHAN_CITY_NAME = '平顶山市';

/** Mail domains: seeded Pingdingshan departments, and 户籍地 bureaus elsewhere. */
export const LOCAL_MAIL_DOMAIN = 'pds.careflow.local';
export const OUTSIDE_MAIL_DOMAIN = 'hukou.careflow.local';

export interface DepartmentKind {
  /** Stable short code, the first part of a department code. */
  readonly code: string;
  /** The name the plan uses, e.g. 教体局. */
  readonly shortName: string;
  /** Formal name at city level; `{region}` is the city's name. */
  readonly cityTemplate: string;
  /** Formal name at county level (also used for outside bureaus); `{region}` is the county's name. */
  readonly countyTemplate: string;
  /** Levels at which a department of this kind can exist. */
  readonly levels: readonly DepartmentLevel[];
}

const ABOVE_TOWNSHIP: readonly DepartmentLevel[] = ['city', 'county', 'outside'];

function kind(code: string, shortName: string, formal: string, countyTemplate?: string): DepartmentKind {
  const cityTemplate = formal.includes('{region}') ? formal : `{region}${formal}`;
  return { code, shortName, cityTemplate, countyTemplate: countyTemplate ?? cityTemplate, levels: ABOVE_TOWNSHIP };
}

/** Every kind of department the plan names, in the plan's order of appearance (roughly). */
export const DEPARTMENT_KINDS: readonly DepartmentKind[] = Object.freeze([
  kind('mz', '民政局', '民政局'),
  kind('jt', '教体局', '教育体育局'),
  kind('ga', '公安局', '公安局'),
  kind('wj', '卫健委', '卫生健康委员会'),
  kind('yb', '医保局', '医疗保障局'),
  kind('jk', '疾控中心', '疾病预防控制中心'),
  kind('fl', '妇联', '妇女联合会'),
  kind('cl', '残联', '残疾人联合会'),
  kind('jc', '检察院', '人民检察院'),
  kind('fy', '法院', '中级人民法院', '{region}人民法院'),
  kind('sf', '司法局', '司法局'),
  kind('tj', '统计局', '统计局'),
  kind('jtys', '交通运输局', '交通运输局'),
  kind('fc', '房产事务中心', '房产事务中心'),
  kind('rs', '人社局', '人力资源和社会保障局'),
  kind('tw', '团市委', '共青团{region}委员会'),
  kind('wx', '网信办', '{region}委网信办'),
  kind('wgl', '文广旅局', '文化广电和旅游局'),
  kind('fg', '发改委', '发展和改革委员会'),
  // Townships: 乡镇人民政府 / 街道办事处, only at township level.
  { code: 'xz', shortName: '乡镇（街道）', cityTemplate: '', countyTemplate: '', levels: ['township'] },
]);

export const DEPARTMENT_KIND_CODES: readonly string[] = DEPARTMENT_KINDS.map((k) => k.code);

const kindsByCode = new Map(DEPARTMENT_KINDS.map((k) => [k.code, k]));

export function departmentKind(code: string): DepartmentKind | undefined {
  return kindsByCode.get(code);
}

/** One department as the seed (and outsideCivilAffairs) describe it. */
export interface DepartmentSeed {
  readonly code: string;
  readonly kind: string;
  readonly level: DepartmentLevel;
  readonly name: string;
  /** 6 digits (city, county, outside) or 9 digits (township). */
  readonly regionCode: string;
  readonly mailbox: string;
  /** The department head: the second rung of the escalation ladder. */
  readonly headMailbox: string;
  readonly superiorCode: string | null;
  readonly serviceTier: ServiceTier | null;
}

/** The code the scheme gives a department of this kind, level and region. */
export function departmentCode(kindCode: string, level: DepartmentLevel, regionCode: string): string {
  switch (level) {
    case 'township':
      return `xz-${regionCode}`;
    case 'outside':
      return `outside-${kindCode}-${regionCode}`;
    default:
      return `${kindCode}-${regionCode}`;
  }
}

export function mailboxOf(code: string, level: DepartmentLevel): string {
  return `${code}@${level === 'outside' ? OUTSIDE_MAIL_DOMAIN : LOCAL_MAIL_DOMAIN}`;
}

export function headMailboxOf(code: string, level: DepartmentLevel): string {
  return `head.${mailboxOf(code, level)}`;
}

/** 曙光街街道 → 曙光街街道办事处, 城关镇 → 城关镇人民政府. */
function townshipTitle(name: string): string {
  if (name.endsWith('街道')) return `${name}办事处`;
  if (name.endsWith('镇') || name.endsWith('乡')) return `${name}人民政府`;
  return name; // e.g. 香山街道筹备组
}

/**
 * The catalogue's Chinese name of a department; undefined when the kind cannot exist at
 * that level or the region is unknown.
 */
export function departmentName(kindCode: string, level: DepartmentLevel, regionCode: string): string | undefined {
  const k = kindsByCode.get(kindCode);
  if (!k || !k.levels.includes(level)) return undefined;
  switch (level) {
    case 'city':
      return regionCode === PINGDINGSHAN_CITY ? k.cityTemplate.replace('{region}', PINGDINGSHAN_CITY_NAME) : undefined;
    case 'county': {
      const county = countyName(regionCode);
      return county ? k.countyTemplate.replace('{region}', county) : undefined;
    }
    case 'township': {
      const township = townshipName(regionCode);
      const county = countyName(regionCode.slice(0, 6));
      return township && county ? county + townshipTitle(township) : undefined;
    }
    case 'outside': {
      const full = isCountyCode(regionCode) ? fullRegionName(regionCode) : undefined;
      return full ? k.countyTemplate.replace('{region}', full) : undefined;
    }
  }
}

/** True for a county-level code inside Pingdingshan, functional zones included. */
export function isPingdingshanCounty(code: string): boolean {
  return PINGDINGSHAN_COUNTIES.includes(code) || PINGDINGSHAN_FUNCTIONAL_ZONES.includes(code);
}

/**
 * Why a region code does not fit a level (a Chinese message), or undefined when it does:
 * city → 410400; county → a Pingdingshan county-level unit; township → a known Pingdingshan
 * township; outside → a county-level unit outside Pingdingshan.
 */
export function regionProblem(level: DepartmentLevel, regionCode: string): string | undefined {
  switch (level) {
    case 'city':
      return regionCode === PINGDINGSHAN_CITY ? undefined : `市级部门的行政区划代码应为 ${PINGDINGSHAN_CITY}（平顶山市）`;
    case 'county':
      return isPingdingshanCounty(regionCode) ? undefined : '县级部门的行政区划代码应为平顶山市辖区内的县（市、区）';
    case 'township':
      return /^\d{9}$/.test(regionCode) && townshipName(regionCode) ? undefined : '乡镇（街道）的区划代码应为平顶山市内已知的 9 位乡镇代码';
    case 'outside':
      if (!isCountyCode(regionCode)) return '外地部门的行政区划代码应为 GB/T 2260 县级代码';
      return cityCodeOf(regionCode) === PINGDINGSHAN_CITY.slice(0, 4) ? '平顶山市内的县（市、区）不是外地，请使用县级部门' : undefined;
  }
}

/**
 * The supervising department the scheme gives: county → the city department of the same kind;
 * township → its county's civil-affairs bureau (the city's for a functional zone's township);
 * city and outside → none.
 */
export function defaultSuperiorCode(kindCode: string, level: DepartmentLevel, regionCode: string): string | null {
  switch (level) {
    case 'county':
      return departmentCode(kindCode, 'city', PINGDINGSHAN_CITY);
    case 'township': {
      const county = regionCode.slice(0, 6);
      return PINGDINGSHAN_COUNTIES.includes(county) ? departmentCode('mz', 'county', county) : departmentCode('mz', 'city', PINGDINGSHAN_CITY);
    }
    default:
      return null;
  }
}

function seed(kindCode: string, level: DepartmentLevel, regionCode: string): DepartmentSeed {
  const code = departmentCode(kindCode, level, regionCode);
  const name = departmentName(kindCode, level, regionCode);
  if (!name) throw new RangeError(`no ${kindCode} department at ${level} level for region ${regionCode}`);
  return {
    code,
    kind: kindCode,
    level,
    name,
    regionCode,
    mailbox: mailboxOf(code, level),
    headMailbox: headMailboxOf(code, level),
    superiorCode: defaultSuperiorCode(kindCode, level, regionCode),
    serviceTier: null,
  };
}

/** The seeded department of this kind in one Pingdingshan county, e.g. ('mz', '410402') → mz-410402. */
export function countyDepartment(kindCode: string, countyCode: string): DepartmentSeed {
  return seed(kindCode, 'county', countyCode);
}

/**
 * The Pingdingshan directory: every kind at city level, every kind in each statutory county,
 * every township (functional zones' included). Superiors come before their subordinates.
 */
export function seedDepartments(): DepartmentSeed[] {
  const kinds = DEPARTMENT_KINDS.filter((k) => k.levels.includes('city'));
  const city = kinds.map((k) => seed(k.code, 'city', PINGDINGSHAN_CITY));
  const counties = PINGDINGSHAN_COUNTIES.flatMap((county) => kinds.map((k) => seed(k.code, 'county', county)));
  const townships = [...PINGDINGSHAN_COUNTIES, ...PINGDINGSHAN_FUNCTIONAL_ZONES].flatMap((county) =>
    townshipsOf(county).map((township) => seed('xz', 'township', township.code)),
  );
  return [...city, ...counties, ...townships];
}

/**
 * The civil-affairs bureau of a 户籍地 county outside Pingdingshan (W3.5, W3.7b, W4), e.g.
 * '410102' → outside-mz-410102, 河南省郑州市中原区民政局. Throws a RangeError for an unknown
 * code or one inside Pingdingshan (use `mz-<county>` from the seed there).
 */
export function outsideCivilAffairs(countyCode: string): DepartmentSeed {
  return outsideDepartment('mz', countyCode);
}

/** A bureau of any kind in a county outside Pingdingshan, e.g. the 户籍地 education bureau (W1.8). */
export function outsideDepartment(kindCode: string, countyCode: string): DepartmentSeed {
  const problem = regionProblem('outside', countyCode);
  if (problem) throw new RangeError(`${countyCode}: ${problem}`);
  return seed(kindCode, 'outside', countyCode);
}

/** The code of a bureau of `kindCode` in the 户籍地 county, inside or outside Pingdingshan. */
export function hukouDepartmentCode(kindCode: string, countyCode: string): string {
  if (PINGDINGSHAN_COUNTIES.includes(countyCode)) return departmentCode(kindCode, 'county', countyCode);
  if (PINGDINGSHAN_FUNCTIONAL_ZONES.includes(countyCode)) return departmentCode(kindCode, 'city', PINGDINGSHAN_CITY);
  return departmentCode(kindCode, 'outside', countyCode);
}

/**
 * The code of the civil-affairs bureau of a 户籍地 county: the seeded county bureau inside
 * Pingdingshan (the city's for a functional zone), else the outside bureau.
 */
export function hukouCivilAffairsCode(countyCode: string): string {
  return hukouDepartmentCode('mz', countyCode);
}
