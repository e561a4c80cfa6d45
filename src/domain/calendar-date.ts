/**
 * Calendar dates as 'YYYY-MM-DD' strings, in China Standard Time (UTC+8, no DST). Pure
 * arithmetic on given instants: safe in workflows, where Date.now() is Temporal's clock.
 */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The date in China at the instant `epochMs`. */
export function chinaDateOf(epochMs: number): string {
  return new Date(epochMs + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of 00:00 China time on `date`. */
export function chinaMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS;
}

/** Milliseconds from `epochMs` to 00:00 China time on `date` (at least 1, for timers). */
export function millisUntilChinaMidnight(epochMs: number, date: string): number {
  return Math.max(1, chinaMidnight(date) - epochMs);
}

function parts(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y ?? NaN, m ?? NaN, d ?? NaN];
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Adds calendar months, clamping to the month's end (2026-08-31 + 6 → 2027-02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = parts(date);
  const monthIndex = y * 12 + (m - 1) + months;
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  const day = Math.min(d, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** True when `date` is a real calendar date written as YYYY-MM-DD. */
export function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const [y, m, d] = parts(date);
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}
