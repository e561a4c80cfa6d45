/**
 * The quarterly home-visit plan of a key-care child (S20, M2; issue #4): the quota, how
 * the due dates are spread across a quarter, the family guardianship capability
 * assessment, the aspects a visit records, and the services a need found is routed to.
 *
 * Quarters are calendar quarters in China time (UTC+8): Q1 is 1 January to 31 March.
 * Pure: dates and instants are arguments, never the clock, so workflows use it safely.
 */
import { addDays, chinaMidnight } from './calendar-date';
import { PINGDINGSHAN_CITY, PINGDINGSHAN_COUNTIES, townshipsOf, type Township } from './regions';

// ---------------------------------------------------------------------------------------
// County parameters
// ---------------------------------------------------------------------------------------

/** Per-county parameters of the plan ([local] in policy.md); a quarter keeps those it started with. */
export interface VisitPolicy {
  /** S20: home visits by the children's director per quarter ("不低于每季度6次"). */
  quarterlyQuota: number;
  /** A planned visit's task (its reminder) is assigned this many days before its due date. */
  reminderDaysBefore: number;
  /** M1: the key-care profile is re-verified at least this often, in months. */
  reverificationMonths: number;
  /** Working days the county civil-affairs bureau has for a re-verification task. */
  reverificationWorkingDays: number;
  /** Working days the township has for the closing assessment once the risk flags clear. */
  closingAssessmentWorkingDays: number;
  /** Working days a department has to act on a need found on a visit. */
  needTaskWorkingDays: number;
}

export const DEFAULT_VISIT_POLICY: VisitPolicy = {
  quarterlyQuota: 6,
  reminderDaysBefore: 3,
  reverificationMonths: 6,
  reverificationWorkingDays: 10,
  closingAssessmentWorkingDays: 10,
  needTaskWorkingDays: 5,
};

/**
 * Why a county's parameters are refused (Chinese), or none. R2: a county may do more than
 * the city's base list, never less, so the S20 quota cannot drop below 6 a quarter and M1's
 * re-verification cannot be rarer than every 6 months.
 */
export function visitPolicyProblems(policy: VisitPolicy): Array<{ field: keyof VisitPolicy; message: string }> {
  const problems: Array<{ field: keyof VisitPolicy; message: string }> = [];
  if (policy.quarterlyQuota < DEFAULT_VISIT_POLICY.quarterlyQuota) {
    problems.push({ field: 'quarterlyQuota', message: `每季度入户走访次数不得低于全市基本服务清单（S20：${DEFAULT_VISIT_POLICY.quarterlyQuota} 次）` });
  }
  if (policy.reverificationMonths > DEFAULT_VISIT_POLICY.reverificationMonths) {
    problems.push({ field: 'reverificationMonths', message: `信息复核间隔不得超过 ${DEFAULT_VISIT_POLICY.reverificationMonths} 个月（M1）` });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Quarters
// ---------------------------------------------------------------------------------------

export interface Quarter {
  /** '2026-Q1' */
  id: string;
  firstDay: string;
  lastDay: string;
}

const QUARTER_NAMES = ['一', '二', '三', '四'] as const;

/** The calendar quarter that contains `date` (YYYY-MM-DD, a China date). */
export function quarterOf(date: string): Quarter {
  const year = Number(date.slice(0, 4));
  const index = Math.floor((Number(date.slice(5, 7)) - 1) / 3);
  const firstMonth = index * 3 + 1;
  const firstDay = `${date.slice(0, 4)}-${String(firstMonth).padStart(2, '0')}-01`;
  const next = index === 3 ? `${String(year + 1).padStart(4, '0')}-01-01` : `${date.slice(0, 4)}-${String(firstMonth + 3).padStart(2, '0')}-01`;
  return { id: `${date.slice(0, 4)}-Q${index + 1}`, firstDay, lastDay: addDays(next, -1) };
}

export function nextQuarter(quarter: Quarter): Quarter {
  return quarterOf(addDays(quarter.lastDay, 1));
}

/** The instant the quarter ends: 00:00 China time on the first day of the next one. */
export function quarterEndsAt(quarter: Quarter): number {
  return chinaMidnight(addDays(quarter.lastDay, 1));
}

/** '2026-Q1' → '2026年第一季度'. */
export function quarterLabel(quarterId: string): string {
  const index = Number(quarterId.slice(6)) - 1;
  return `${quarterId.slice(0, 4)}年第${QUARTER_NAMES[index] ?? '?'}季度`;
}

/** Days from `from` to `to`, both included (2026-01-01..2026-01-01 is 1). */
export function daysInclusive(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

// ---------------------------------------------------------------------------------------
// The quarter's plan
// ---------------------------------------------------------------------------------------

export interface QuarterPlan {
  quarter: Quarter;
  /** The first day the plan covers: the quarter's first day, or the day the plan started. */
  from: string;
  quota: number;
  /** One per planned visit, in order. */
  dueDates: string[];
}

/**
 * The visits planned for `quarter` from `from` on. A plan that starts inside the quarter
 * gets the quota in proportion to the days left (rounded up, at least 1): S20 counts whole
 * quarters, and a child entering the ledger on 25 March cannot be visited 6 times by 31 March.
 *
 * The remaining days are cut into `quota` equal slots and visit k is due in the middle of
 * slot k (for a full quarter with 6 visits: about every 15 days, the first about a week
 * in, the last about a week before the quarter ends). The middle, not the end: a missed
 * last visit still climbs most of the escalation ladder (1 / 3 / 5 WD) before the quarter
 * closes, and a child new to the ledger is visited within days.
 */
export function planQuarter(quarter: Quarter, from: string, quarterlyQuota: number): QuarterPlan {
  const start = from > quarter.firstDay ? from : quarter.firstDay;
  const left = daysInclusive(start, quarter.lastDay);
  const whole = daysInclusive(quarter.firstDay, quarter.lastDay);
  const quota = start === quarter.firstDay ? quarterlyQuota : Math.max(1, Math.ceil((quarterlyQuota * left) / whole));
  const dueDates = Array.from({ length: quota }, (_, i) => addDays(start, Math.floor(((i + 0.5) * left) / quota)));
  return { quarter, from: start, quota, dueDates };
}

/** A visit due on `dueOn` is due at the end of that day in China. */
export function visitDueAt(dueOn: string): number {
  return chinaMidnight(addDays(dueOn, 1));
}

/** Reminders go out at 08:00 China time, not at midnight. */
export const REMINDER_HOUR = 8;

/** When the reminder (the visit task's assignment) for a visit due on `dueOn` goes out. */
export function visitReminderAt(dueOn: string, daysBefore: number): number {
  return chinaMidnight(addDays(dueOn, -daysBefore)) + REMINDER_HOUR * 3_600_000;
}

/** How many past quarters the plan's compact state keeps (the rest are in `visit_quarters`). */
export const PAST_QUARTERS_KEPT = 8;

/** One closed quarter, as the plan's query shows it. */
export interface QuarterSummary {
  quarter: string;
  quota: number;
  done: number;
  /** At least one family guardianship capability assessment in the quarter (M2). */
  assessed: boolean;
  /** How the quarter ended: 'met', 'short' (a breach of the township), or why it ended early. */
  outcome: 'met' | 'short' | 'closing' | 'handed-over' | 'closed';
}

// ---------------------------------------------------------------------------------------
// What a visit records (M2: living security, guardianship, medical care, schooling)
// ---------------------------------------------------------------------------------------

export const VISIT_ASPECTS = ['livingSecurity', 'guardianship', 'medicalCare', 'schooling'] as const;
export type VisitAspect = (typeof VISIT_ASPECTS)[number];

export const VISIT_ASPECT_LABELS: Readonly<Record<VisitAspect, string>> = {
  livingSecurity: '生活保障',
  guardianship: '监护情况',
  medicalCare: '医疗保障',
  schooling: '就学情况',
};

export const OBSERVATION_LEVELS = ['good', 'attention', 'risk'] as const;
export type ObservationLevel = (typeof OBSERVATION_LEVELS)[number];

export const OBSERVATION_LEVEL_LABELS: Readonly<Record<ObservationLevel, string>> = {
  good: '良好',
  attention: '需关注',
  risk: '存在风险',
};

// ---------------------------------------------------------------------------------------
// Family guardianship capability assessment (家庭监护能力评估, M2)
// ---------------------------------------------------------------------------------------

/** The scored items, each 0 (none) to 4 (fully able). */
export const ASSESSMENT_ITEMS = ['dailyCare', 'safety', 'health', 'education', 'emotionalCare'] as const;
export type AssessmentItem = (typeof ASSESSMENT_ITEMS)[number];

export const ASSESSMENT_ITEM_LABELS: Readonly<Record<AssessmentItem, string>> = {
  dailyCare: '生活照料',
  safety: '安全保护',
  health: '健康照护',
  education: '教育引导',
  emotionalCare: '情感关爱',
};

export const ASSESSMENT_MAX_SCORE = 4;

export const GUARDIANSHIP_LEVELS = ['adequate', 'basic', 'weak', 'lacking'] as const;
export type GuardianshipLevel = (typeof GUARDIANSHIP_LEVELS)[number];

export const GUARDIANSHIP_LEVEL_LABELS: Readonly<Record<GuardianshipLevel, string>> = {
  adequate: '监护能力较强',
  basic: '基本具备监护能力',
  weak: '监护能力较弱',
  lacking: '监护能力缺失',
};

export type AssessmentScores = Record<AssessmentItem, number>;

/**
 * The overall level from the item scores (total 0-20) [local]: 16+ adequate, 11+ basic,
 * 6+ weak, else lacking; an item scored 0 caps the level at weak, because a guardian with
 * no capacity in one area (say, safety) is not "basically able" however good the rest is.
 */
export function assessmentLevel(scores: AssessmentScores): { total: number; level: GuardianshipLevel } {
  const values = ASSESSMENT_ITEMS.map((item) => scores[item]);
  const total = values.reduce((sum, value) => sum + value, 0);
  let level: GuardianshipLevel = total >= 16 ? 'adequate' : total >= 11 ? 'basic' : total >= 6 ? 'weak' : 'lacking';
  if (values.includes(0) && (level === 'adequate' || level === 'basic')) level = 'weak';
  return { total, level };
}

// ---------------------------------------------------------------------------------------
// Needs found on a visit → the department of the service list (S1-S25)
// ---------------------------------------------------------------------------------------

export interface NeedService {
  label: string;
  /** Department kind (department-catalog.ts) responsible in the child's county. */
  departmentKind: string;
  /** The base service list items the need falls under. */
  services: readonly string[];
}

export const NEED_SERVICES = {
  schooling: { label: '就学', departmentKind: 'jt', services: ['S2', 'S3', 'S4'] },
  medical: { label: '医疗卫生', departmentKind: 'wj', services: ['S1', 'S6'] },
  insurance: { label: '医疗保险', departmentKind: 'yb', services: ['S7'] },
  living: { label: '基本生活', departmentKind: 'mz', services: ['S13', 'S14', 'S15'] },
  disability: { label: '残疾儿童服务', departmentKind: 'cl', services: ['S11', 'S12'] },
  housing: { label: '住房', departmentKind: 'fc', services: ['S9'] },
  'mental-health': { label: '心理健康', departmentKind: 'wj', services: ['S8', 'S18'] },
  'family-education': { label: '家庭教育指导', departmentKind: 'fl', services: ['S17'] },
} as const satisfies Record<string, NeedService>;

export type NeedServiceCode = keyof typeof NEED_SERVICES;
export const NEED_SERVICE_CODES = Object.keys(NEED_SERVICES) as NeedServiceCode[];

/**
 * The department of `kind` serving a Pingdingshan county: the county's own; the city's for
 * a functional zone (高新区, 示范区), which has no statutory departments (department-catalog.ts).
 */
export function countyDepartmentCode(kind: string, countyCode: string): string {
  return PINGDINGSHAN_COUNTIES.includes(countyCode) ? `${kind}-${countyCode}` : `${kind}-${PINGDINGSHAN_CITY}`;
}

export function needDepartmentCode(service: NeedServiceCode, countyCode: string): string {
  return countyDepartmentCode(NEED_SERVICES[service].departmentKind, countyCode);
}

// ---------------------------------------------------------------------------------------
// Who visits: the township's children's director
// ---------------------------------------------------------------------------------------

const TITLE_SUFFIXES = ['街道办事处', '办事处', '人民政府'];
const NAME_SUFFIXES = ['街道', '镇', '乡', '街道筹备组'];

/**
 * The township (乡镇/街道) of `countyCode` whose name the register holds. The register keeps
 * the residence township as free text, so it is matched by name: exactly, after trimming
 * spaces and a formal title (曙光街街道办事处 → 曙光街街道, 城关镇人民政府 → 城关镇), or without its
 * 街道/镇/乡 suffix (曙光街 → 曙光街街道) when that names exactly one township.
 */
export function townshipByName(countyCode: string, name: string): Township | undefined {
  const townships = townshipsOf(countyCode);
  let wanted = name.replace(/\s+/g, '');
  const title = TITLE_SUFFIXES.find((suffix) => wanted.endsWith(suffix) && wanted.length > suffix.length);
  if (title) wanted = wanted.slice(0, -title.length) + (title === '街道办事处' ? '街道' : '');
  const exact = townships.find((township) => township.name === wanted);
  if (exact) return exact;
  const bySuffix = townships.filter((township) => NAME_SUFFIXES.some((suffix) => township.name === wanted + suffix));
  return bySuffix.length === 1 ? bySuffix[0] : undefined;
}

/**
 * Who the visits are assigned to: the township of the child's residence (`xz-<9 digits>`,
 * its children's director), else, when the name matches no township of the county, the
 * county civil-affairs bureau, which runs the township workstations (R3).
 */
export function visitAssigneeCode(countyCode: string, townshipName: string): { code: string; townshipCode: string | null } {
  const township = townshipByName(countyCode, townshipName);
  return township ? { code: `xz-${township.code}`, townshipCode: township.code } : { code: countyDepartmentCode('mz', countyCode), townshipCode: null };
}
