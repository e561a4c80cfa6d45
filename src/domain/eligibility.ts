/**
 * M1: is this child a flowing child (流动儿童)?
 *
 * Seed, measure 1: a minor under 16 who, with one or both guardians, has left
 * the 户籍地 and has lived across a county line for 6 months or more; living in
 * another municipal district of the same city's central urban area does not
 * count (城市中心城区的市辖区之间异地居住或生活的除外).
 *
 * Pure: the decision date is an argument, never the clock, so the same inputs
 * give the same answer inside a Temporal workflow and on replay.
 * Region codes are compared by their GB/T 2260 structure (first 4 digits =
 * city), so codes no longer in the division list still work.
 */

export interface EligibilityProfile {
  birthDate: string; // YYYY-MM-DD
  /** 户籍地: 6-digit county-level code. */
  hukouRegionCode: string;
  /** Where the child lives now: 6-digit county-level code. */
  residenceCountyCode: string;
  /** When the child came to live in the residence county. */
  arrivalDate: string; // YYYY-MM-DD
}

export interface EligibilityParams {
  /** M1 [local]: districts of a city's central urban area; moves among them of one city do not count. */
  centralUrbanDistricts: readonly string[];
  /** M1: minimum residence, in calendar months. Default 6. */
  minResidenceMonths?: number;
  /** M1: the child must be under this age in completed years. Default 16. */
  maxAgeYears?: number;
}

export const DEFAULT_MIN_RESIDENCE_MONTHS = 6;
export const DEFAULT_MAX_AGE_YEARS = 16;

/**
 * Which M1 rule decided. Rules are tested in this order and the first that
 * fails decides, so a decision always names exactly one rule.
 */
export type EligibilityRule =
  /** Data error: the birth date is after the decision date. */
  | 'not-born-yet'
  /** Data error: the arrival date is after the decision date. */
  | 'arrival-in-future'
  /** M1 "不满十六周岁": on or after the 16th birthday the child is out of scope. */
  | 'age-16-or-over'
  /** M1 "跨县域": living in the 户籍 county itself is not flowing. */
  | 'same-county'
  /** M1 "城市中心城区的市辖区之间...除外": both places are central urban districts of one city. */
  | 'central-urban-move'
  /** M1 "6个月以上": not yet 6 whole calendar months in the residence county. */
  | 'residence-under-6-months'
  /** Every M1 condition holds: a flowing child. */
  | 'eligible';

export interface EligibilityDecision {
  eligible: boolean;
  rule: EligibilityRule;
  /** One Chinese sentence a caseworker can read out. */
  reason: string;
  /** Completed years of age on the decision date (0 if not born yet). */
  ageYears: number;
  /** Whole calendar months lived in the residence county on the decision date. */
  monthsResident: number;
}

const COUNTY_CODE_PATTERN = /^\d{6}$/;

function requireCountyCode(code: string, what: string): string {
  if (!COUNTY_CODE_PATTERN.test(code)) throw new RangeError(`${what} must be a 6-digit county code, got "${code}"`);
  return code;
}

function requireWholeNumber(value: number, what: string, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) throw new RangeError(`${what} must be an integer >= ${minimum}, got ${value}`);
  return value;
}

/**
 * The day residence starts counting. A child born after the family arrived
 * has lived in the residence county since birth, not since the family's arrival.
 */
function residenceStart(birth: CalendarDate, arrival: CalendarDate): CalendarDate {
  return compareCalendarDates(arrival, birth) < 0 ? birth : arrival;
}

/**
 * The first day on which the residence rule of M1 holds: the residence start
 * plus `minResidenceMonths` calendar months, clamped to month end
 * (arrival 2026-08-31 → 2027-02-28). Useful for scheduling a re-check.
 */
export function residenceRuleMetFrom(
  profile: Pick<EligibilityProfile, 'birthDate' | 'arrivalDate'>,
  minResidenceMonths: number = DEFAULT_MIN_RESIDENCE_MONTHS,
): string {
  const birth = requireIsoDate(profile.birthDate, 'birthDate');
  const arrival = requireIsoDate(profile.arrivalDate, 'arrivalDate');
  const months = requireWholeNumber(minResidenceMonths, 'minResidenceMonths', 0);
  return formatIsoDate(addMonthsClamped(residenceStart(birth, arrival), months));
}

/**
 * The first day on which the child is too old for M1: the `maxAgeYears`-th
 * birthday (a 29 February birthday falls on 1 March in a common year).
 */
export function ageLimitReachedOn(birthDate: string, maxAgeYears: number = DEFAULT_MAX_AGE_YEARS): string {
  const birth = requireIsoDate(birthDate, 'birthDate');
  return formatIsoDate(anniversary(birth, requireWholeNumber(maxAgeYears, 'maxAgeYears', 1)));
}

/**
 * Decides M1 eligibility on `onDate`. Throws RangeError for a malformed date,
 * code or parameter: those are validated at the API boundary, so reaching
 * here with one is a programming error, not a decision.
 */
export function decideEligibility(
  profile: EligibilityProfile,
  onDate: string,
  params: EligibilityParams,
): EligibilityDecision {
  const on = requireIsoDate(onDate, 'onDate');
  const birth = requireIsoDate(profile.birthDate, 'birthDate');
  const arrival = requireIsoDate(profile.arrivalDate, 'arrivalDate');
  const hukou = requireCountyCode(profile.hukouRegionCode, 'hukouRegionCode');
  const residence = requireCountyCode(profile.residenceCountyCode, 'residenceCountyCode');
  const minMonths = requireWholeNumber(params.minResidenceMonths ?? DEFAULT_MIN_RESIDENCE_MONTHS, 'minResidenceMonths', 0);
  const maxAge = requireWholeNumber(params.maxAgeYears ?? DEFAULT_MAX_AGE_YEARS, 'maxAgeYears', 1);

  const ageYears = compareCalendarDates(birth, on) > 0 ? 0 : ageInYears(birth, on);
  const start = residenceStart(birth, arrival);
  const monthsResident = compareCalendarDates(start, on) > 0 ? 0 : wholeMonthsBetween(start, on);
  const decide = (rule: EligibilityRule, reason: string): EligibilityDecision => ({
    eligible: rule === 'eligible',
    rule,
    reason,
    ageYears,
    monthsResident,
  });

  if (compareCalendarDates(birth, on) > 0) {
    return decide('not-born-yet', `出生日期 ${profile.birthDate} 晚于判定日期 ${onDate}，数据有误，无法认定。`);
  }
  if (compareCalendarDates(arrival, on) > 0) {
    return decide('arrival-in-future', `来到居住地的日期 ${profile.arrivalDate} 晚于判定日期 ${onDate}，数据有误，无法认定。`);
  }
  if (ageYears >= maxAge) {
    return decide('age-16-or-over', `判定日已满${maxAge}周岁（${ageYears}周岁），不属于流动儿童。`);
  }
  if (hukou === residence) {
    return decide('same-county', `居住地与户籍地为同一县级行政区（${hukou}），未跨县域居住，不属于流动儿童。`);
  }
  const centralUrban = new Set(params.centralUrbanDistricts);
  if (centralUrban.has(hukou) && centralUrban.has(residence) && hukou.slice(0, 4) === residence.slice(0, 4)) {
    return decide(
      'central-urban-move',
      `户籍地（${hukou}）与居住地（${residence}）同为本市中心城区的市辖区，中心城区市辖区之间异地居住的除外，不属于流动儿童。`,
    );
  }
  if (monthsResident < minMonths) {
    const metFrom = formatIsoDate(addMonthsClamped(start, minMonths));
    return decide(
      'residence-under-6-months',
      `跨县域居住${monthsResident}个月，不满${minMonths}个月（${metFrom}起满${minMonths}个月），暂不属于流动儿童。`,
    );
  }
  return decide(
    'eligible',
    `未满${maxAge}周岁，离开户籍地（${hukou}）跨县域在${residence}居住已满${minMonths}个月（${monthsResident}个月），属于流动儿童。`,
  );
}

// ---------------------------------------------------------------------------
// Calendar arithmetic on YYYY-MM-DD values. No Date objects and no clock: plain
// integer arithmetic, so no time zone can shift a day.

interface CalendarDate {
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function requireIsoDate(text: string, what: string): CalendarDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  const day = Number(match?.[3]);
  if (!match || year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`${what} must be a real date written YYYY-MM-DD, got "${text}"`);
  }
  return { year, month, day };
}

function formatIsoDate(date: CalendarDate): string {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

function compareCalendarDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Adds calendar months, clamping to the month's last day: 2026-08-31 + 6 → 2027-02-28. */
function addMonthsClamped(date: CalendarDate, months: number): CalendarDate {
  const monthIndex = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}

/**
 * Whole calendar months from `from` to `to`: the largest n with
 * from + n months (clamped) <= to. 2026-01-15 → 2026-07-14 is 5; → 2026-07-15 is 6.
 */
function wholeMonthsBetween(from: CalendarDate, to: CalendarDate): number {
  let months = (to.year - from.year) * 12 + (to.month - from.month);
  // from + months lies in to's month; one month fewer if it falls after `to`.
  if (months > 0 && compareCalendarDates(addMonthsClamped(from, months), to) > 0) months -= 1;
  return Math.max(0, months);
}

/**
 * The `years`-th birthday. Convention (M1 age rule): a 29 February birthday
 * falls on 1 March in a common year, because the full number of years is
 * completed only when 28 February has ended. So a child born 2084-02-29 is
 * still 15 on 2100-02-28 (2100 is not a leap year) and 16 from 2100-03-01.
 */
function anniversary(birth: CalendarDate, years: number): CalendarDate {
  const year = birth.year + years;
  if (birth.month === 2 && birth.day === 29 && !isLeapYear(year)) return { year, month: 3, day: 1 };
  return { year, month: birth.month, day: birth.day };
}

/** Completed years of age (周岁) on `on`; the birthday itself counts as reached. */
function ageInYears(birth: CalendarDate, on: CalendarDate): number {
  let years = on.year - birth.year;
  if (years > 0 && compareCalendarDates(anniversary(birth, years), on) > 0) years -= 1;
  return Math.max(0, years);
}
