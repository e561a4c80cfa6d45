/**
 * The working-day (WD) calendar of policy "Calendar": China's official holiday schedule
 * with its make-up working days (调休), over the npm package `chinese-days`. This is the
 * only module that imports that package, so a data update lands in one place and reaches
 * workflows only through the calendar activity (src/activities/calendar.ts), keeping
 * replay deterministic (architecture.md).
 *
 * The schedule is published one year at a time and `chinese-days` silently answers
 * "Mon-Fri" for a year it has no data for (`isWorkday('2027-10-01')` is true). Policy
 * "Calendar" forbids that, so every date is checked against the covered years:
 * - `isWorkingDay` / `workingDaysBetween` throw `CalendarNotCoveredError` outside them;
 * - `addWorkingDays` / `deadline` continue past the last covered year on weekends only
 *   and say so with `beyondCalendar: true`, so the caller can flag the deadline.
 *
 * Dates are 'YYYY-MM-DD' calendar dates in China; instants are epoch milliseconds.
 */
import { createRequire } from 'node:module';
import { addDays, chinaDateOf, chinaMidnight, isCalendarDate } from '../domain/calendar-date';

/** A date whose year has no published schedule in the installed `chinese-days` data. */
export class CalendarNotCoveredError extends Error {
  override readonly name = 'CalendarNotCoveredError';
  constructor(
    readonly date: string,
    readonly covered: { first: number; last: number },
  ) {
    super(`No official holiday schedule for ${date}: the calendar covers ${covered.first}-${covered.last}`);
  }
}

type DayTable = Readonly<Record<string, string>>;

function dayTable(data: object, key: string): DayTable {
  const table: unknown = key in data ? (data as Record<string, unknown>)[key] : undefined;
  if (typeof table !== 'object' || table === null) {
    throw new Error(`chinese-days data has no "${key}" table: the package layout changed`);
  }
  const entries = Object.entries(table);
  if (!entries.every(([date, name]) => isCalendarDate(date) && typeof name === 'string')) {
    throw new Error(`chinese-days "${key}" table is not keyed by YYYY-MM-DD`);
  }
  return Object.fromEntries(entries) as DayTable;
}

/**
 * The schedule as `chinese-days` ships it in `dist/chinese-days.json`:
 * { holidays, workdays, inLieuDays }, each keyed by 'YYYY-MM-DD' (the package's own
 * build script writes it from the same source as its functions).
 *
 * Why the static JSON and not the package's `isWorkday()`: chinese-days builds its lookup
 * tables at import time with local-time Date getters, so in a process whose TZ is west
 * of UTC every entry lands one day early (TZ=America/Los_Angeles: Saturday 2026-09-19
 * becomes the National Day make-up working day and Sunday 2026-09-20 a day off). The JSON
 * is fixed text, the same in every TZ. The rule applied to it below is the package's own
 * (`workdays[d] || (Mon-Fri && !holidays[d])`); the unit test checks that the JSON and
 * the package's functions (run in Asia/Shanghai) agree on every day of every covered year.
 */
const schedule = (() => {
  const data: unknown = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json');
  if (typeof data !== 'object' || data === null) throw new Error('chinese-days data is not an object');
  return { holidays: dayTable(data, 'holidays'), workdays: dayTable(data, 'workdays') };
})();

/**
 * Covered years: those with at least one statutory holiday listed. Every published year
 * has New Year's Day (元旦) at least; a year whose schedule is not yet published has no
 * entries at all. The package exposes no list of years, so this is derived from its data.
 */
const coveredYearSet: ReadonlySet<number> = new Set(Object.keys(schedule.holidays).map((date) => Number(date.slice(0, 4))));
if (coveredYearSet.size === 0) throw new Error('chinese-days data lists no holidays');

const coveredRange = { first: Math.min(...coveredYearSet), last: Math.max(...coveredYearSet) };

/** First and last year with a published schedule in the installed data (2004-2026 in chinese-days 1.5.7). */
export function coveredYears(): { first: number; last: number } {
  return { ...coveredRange };
}

function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

function requireDate(date: string, what: string): void {
  if (!isCalendarDate(date)) throw new RangeError(`${what} must be a calendar date YYYY-MM-DD, got '${date}'`);
}

function isWeekend(date: string): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/** The published verdict for a date in a covered year: make-up day on, holiday off, else Mon-Fri. */
function scheduledWorkday(date: string): boolean {
  if (schedule.workdays[date] !== undefined) return true;
  if (schedule.holidays[date] !== undefined) return false;
  return !isWeekend(date);
}

/**
 * True on a working day: a weekday that is not a statutory holiday, or a weekend day that
 * is a make-up working day (调休). Throws `CalendarNotCoveredError` for a year without a
 * published schedule (policy "Calendar").
 */
export function isWorkingDay(date: string): boolean {
  requireDate(date, 'date');
  if (!coveredYearSet.has(yearOf(date))) throw new CalendarNotCoveredError(date, coveredYears());
  return scheduledWorkday(date);
}

/**
 * `isWorkingDay`, except that after the last covered year it falls back to "Mon-Fri" and
 * reports that it did. Before the first covered year there is nothing sensible to fall
 * back to (no deadline starts in 2003), so it throws.
 */
function classify(date: string): { working: boolean; beyond: boolean } {
  const year = yearOf(date);
  if (coveredYearSet.has(year)) return { working: scheduledWorkday(date), beyond: false };
  if (year > coveredRange.last) return { working: !isWeekend(date), beyond: true };
  throw new CalendarNotCoveredError(date, coveredYears());
}

/**
 * The date `n` working days after `date`.
 *
 * Convention (W1-W4 "n WD", R4 ladder "after n WD"): "within n WD of an event on day D"
 * means by the end of the n-th working day after D; D itself never counts, even when it
 * is a working day, because the event may happen at any hour of it. So D = Monday
 * 2026-09-14, n = 3 → Thursday 2026-09-17. n = 0 means "the same working day": D if it
 * is a working day, else the next working day.
 *
 * Past the last covered year it counts Mon-Fri only and sets `beyondCalendar: true`, so
 * the caller flags the deadline (policy "Calendar").
 */
export function addWorkingDays(date: string, n: number): { date: string; beyondCalendar: boolean } {
  requireDate(date, 'date');
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  let beyondCalendar = false;
  let current = date;
  if (n === 0) {
    for (;;) {
      const day = classify(current);
      beyondCalendar ||= day.beyond;
      if (day.working) return { date: current, beyondCalendar };
      current = addDays(current, 1);
    }
  }
  let counted = 0;
  while (counted < n) {
    current = addDays(current, 1);
    const day = classify(current);
    beyondCalendar ||= day.beyond;
    if (day.working) counted += 1;
  }
  return { date: current, beyondCalendar };
}

/**
 * Working days after `from` up to and including `to` (same convention as
 * `addWorkingDays`: `workingDaysBetween(d, addWorkingDays(d, n).date) === n` for n > 0).
 * Negative when `to` is before `from`, 0 when equal. Used for "how many WD overdue" (R4:
 * "any step 20 WD overdue"). It returns a bare number, so it cannot flag a weekends-only
 * guess: a range reaching an uncovered year throws `CalendarNotCoveredError` instead.
 */
export function workingDaysBetween(from: string, to: string): number {
  requireDate(from, 'from');
  requireDate(to, 'to');
  if (to === from) return 0;
  if (to < from) return -workingDaysBetween(to, from);
  let count = 0;
  for (let current = addDays(from, 1); current <= to; current = addDays(current, 1)) {
    if (isWorkingDay(current)) count += 1;
  }
  return count;
}

export type DeadlineSpec = { workingDays: number } | { hours: number };

export interface DeadlineResult {
  /** The due instant, ISO 8601 UTC. */
  dueAt: string;
  /** The due working day in China, for working-day deadlines only. */
  dueDate?: string;
  /** True when the count ran past the last covered year on weekends only (policy "Calendar"). */
  beyondCalendar: boolean;
}

/**
 * The due instant of a step that starts at `fromInstantMs`.
 * - `{ hours }`: calendar hours, for the hour-level service levels (W2.2 "2 hours", W3.2,
 *   W3.3/W3.4 "24 hours"), which run through nights and holidays alike.
 * - `{ workingDays }`: the end of the due working day in China (24:00 UTC+8, i.e. 16:00
 *   UTC), where the due day is `addWorkingDays(China date of the start, n)`: a bureau has
 *   the whole of its last working day (W1.2, W2.4, W3.5, W4.x; R4 ladder).
 */
export function deadline(fromInstantMs: number, spec: DeadlineSpec): DeadlineResult {
  if (!Number.isFinite(fromInstantMs)) throw new RangeError(`fromInstantMs must be finite, got ${fromInstantMs}`);
  if ('hours' in spec) {
    if (!Number.isFinite(spec.hours) || spec.hours < 0) throw new RangeError(`hours must be >= 0, got ${spec.hours}`);
    return { dueAt: new Date(fromInstantMs + spec.hours * 3_600_000).toISOString(), beyondCalendar: false };
  }
  const due = addWorkingDays(chinaDateOf(fromInstantMs), spec.workingDays);
  return {
    dueAt: new Date(chinaMidnight(addDays(due.date, 1))).toISOString(),
    dueDate: due.date,
    beyondCalendar: due.beyondCalendar,
  };
}
