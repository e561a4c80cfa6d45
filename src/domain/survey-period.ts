/**
 * M1 "at least every six months": a survey covers a half-year, written `2026-H1`
 * (January-June) or `2026-H2` (July-December). Pure.
 */
export const PERIOD_PATTERN = /^(\d{4})-H([12])$/;

/** The half-year a date (YYYY-MM-DD) lies in. */
export function surveyPeriodOf(date: string): string {
  return `${date.slice(0, 4)}-H${Number(date.slice(5, 7)) <= 6 ? 1 : 2}`;
}

/** First and last day of a half-year. */
export function periodBounds(period: string): { from: string; to: string } {
  const match = PERIOD_PATTERN.exec(period);
  if (!match) throw new RangeError(`not a half-year: ${period}`);
  return match[2] === '1' ? { from: `${match[1]}-01-01`, to: `${match[1]}-06-30` } : { from: `${match[1]}-07-01`, to: `${match[1]}-12-31` };
}
