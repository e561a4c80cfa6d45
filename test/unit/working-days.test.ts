/**
 * The working-day calendar (policy "Calendar"; WD deadlines of W1-W4 and the R4 ladder).
 *
 * The 2026 schedule in chinese-days 1.5.7 (国办发明电〔2025〕, gov.cn content_7047091):
 * - 元旦: Thu 01-01 to Sat 01-03 off; Sun 01-04 works.
 * - 春节: Sun 02-15 to Mon 02-23 off; Sat 02-14 and Sat 02-28 work.
 * - 清明 Sat 04-04 to Mon 04-06 off; 劳动节 Fri 05-01 to Tue 05-05 off, Sat 05-09 works;
 *   端午 Fri 06-19 to Sun 06-21 off.
 * - 中秋: Fri 09-25 to Sun 09-27 off (no make-up day).
 * - 国庆: Thu 10-01 to Wed 10-07 off; Sun 09-20 and Sat 10-10 work.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  CalendarNotCoveredError,
  coveredYears,
  deadline,
  isWorkingDay,
  workingDaysBetween,
} from '../../src/calendar/working-days';
import { createCalendarActivities } from '../../src/activities/calendar';

function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

describe('a plain week (no holiday): 2026-09-07 to 2026-09-13', () => {
  it('Monday to Friday work, the weekend does not', () => {
    expect(daysOf('2026-09-07', '2026-09-13').map(isWorkingDay)).toEqual([true, true, true, true, true, false, false]);
  });

  it('"within 3 WD of Monday 2026-09-14" ends on Thursday 2026-09-17: D itself never counts', () => {
    expect(addWorkingDays('2026-09-14', 3)).toEqual({ date: '2026-09-17', beyondCalendar: false });
  });

  it('Friday + 1 WD skips the weekend', () => {
    expect(addWorkingDays('2026-09-11', 1).date).toBe('2026-09-14');
  });

  it('n = 0 is the same day when it works, else the next working day', () => {
    expect(addWorkingDays('2026-09-14', 0).date).toBe('2026-09-14');
    expect(addWorkingDays('2026-09-12', 0).date).toBe('2026-09-14');
  });

  it('counts working days after `from` up to and including `to`', () => {
    expect(workingDaysBetween('2026-09-07', '2026-09-14')).toBe(5);
    expect(workingDaysBetween('2026-09-14', '2026-09-07')).toBe(-5);
    // Not a plain week: Sunday 09-20 is the National Day make-up day, so 6 WD.
    expect(workingDaysBetween('2026-09-14', '2026-09-21')).toBe(6);
    expect(workingDaysBetween('2026-09-14', '2026-09-14')).toBe(0);
    expect(workingDaysBetween('2026-09-11', '2026-09-13')).toBe(0);
  });

  it('rejects malformed input', () => {
    expect(() => isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => addWorkingDays('2026-09-14', -1)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-09-14', 1.5)).toThrow(RangeError);
  });
});

describe('2026 Mid-Autumn (09-25..27) and National Day (10-01..07), make-up days Sun 09-20 and Sat 10-10', () => {
  it('knows which days are off and which weekend days work', () => {
    const off = ['2026-09-25', '2026-09-26', '2026-09-27', ...daysOf('2026-10-01', '2026-10-07'), '2026-10-11'];
    for (const day of off) expect(isWorkingDay(day), day).toBe(false);
    for (const day of ['2026-09-20', '2026-09-28', '2026-09-29', '2026-09-30', '2026-10-08', '2026-10-09', '2026-10-10']) {
      expect(isWorkingDay(day), day).toBe(true);
    }
  });

  // Set on Monday 2026-09-28: Tue 09-29 (1), Wed 09-30 (2), holiday 10-01..07, Thu 10-08 (3),
  // Fri 10-09 (4), Sat 10-10 make-up (5), Sun 10-11 off, Mon 10-12..Fri 10-16 (6..10).
  it.each([
    [3, '2026-10-08'],
    [5, '2026-10-10'],
    [10, '2026-10-16'],
  ])('2026-09-28 + %i WD = %s', (n, expected) => {
    expect(addWorkingDays('2026-09-28', n)).toEqual({ date: expected, beyondCalendar: false });
    expect(workingDaysBetween('2026-09-28', expected)).toBe(n);
  });

  it('R4 ladder: a step missed on Wed 2026-09-30 reaches the department head after 1 WD, on 10-08', () => {
    expect(addWorkingDays('2026-09-30', 1).date).toBe('2026-10-08');
  });
});

describe('Spring Festival 2026: 02-15..23 off, Sat 02-14 and Sat 02-28 work', () => {
  // Tue 02-10: 02-11..13 (1-3), Sat 02-14 (4), 02-24..27 (5-8), Sat 02-28 (9),
  // then Mon 03-02 (10) and four full weeks to Fri 03-27 (29): Mon 03-30 (30).
  it('30 WD from 2026-02-10 (W4.6 whole 低保 process) is 2026-03-30', () => {
    expect(addWorkingDays('2026-02-10', 30)).toEqual({ date: '2026-03-30', beyondCalendar: false });
    expect(workingDaysBetween('2026-02-10', '2026-03-30')).toBe(30);
  });

  it('counts a make-up Saturday (调休) as a working day', () => {
    expect(isWorkingDay('2026-02-14')).toBe(true);
    expect(addWorkingDays('2026-02-13', 1).date).toBe('2026-02-14');
    expect(isWorkingDay('2026-01-04')).toBe(true); // Sunday, 元旦 make-up day
  });

  it('a statutory holiday on a weekday is not a working day', () => {
    expect(isWorkingDay('2026-02-16')).toBe(false); // Monday, 春节
    expect(isWorkingDay('2026-10-01')).toBe(false); // Thursday, 国庆
    expect(isWorkingDay('2025-01-01')).toBe(false); // Wednesday, 元旦
  });
});

describe('covered years and beyond them (policy "Calendar")', () => {
  it('covers 2025 and 2026; chinese-days 1.5.7 covers exactly 2004-2026', () => {
    const { first, last } = coveredYears();
    expect(first).toBeLessThanOrEqual(2025);
    expect(last).toBeGreaterThanOrEqual(2026);
    // Pinned package: an update that adds 2027 must revisit the beyond-calendar cases below.
    expect(coveredYears()).toEqual({ first: 2004, last: 2026 });
  });

  it('isWorkingDay throws CalendarNotCoveredError for a year without a published schedule', () => {
    expect(() => isWorkingDay('2027-10-01')).toThrow(CalendarNotCoveredError);
    expect(() => isWorkingDay('2003-06-02')).toThrow(CalendarNotCoveredError);
    try {
      isWorkingDay('2027-10-01');
    } catch (error) {
      expect(error).toMatchObject({ name: 'CalendarNotCoveredError', date: '2027-10-01', covered: { first: 2004, last: 2026 } });
    }
  });

  it('a count that runs into 2027 continues on weekends only and says beyondCalendar', () => {
    // Wed 2026-12-30: Thu 12-31 (1), Fri 2027-01-01 (2: surely New Year's Day, but unpublished), Mon 01-04..Wed 01-06 (3-5).
    expect(addWorkingDays('2026-12-30', 5)).toEqual({ date: '2027-01-06', beyondCalendar: true });
    expect(addWorkingDays('2026-12-30', 1)).toEqual({ date: '2026-12-31', beyondCalendar: false });
    expect(addWorkingDays('2027-03-01', 0)).toEqual({ date: '2027-03-01', beyondCalendar: true });
  });

  it('workingDaysBetween refuses a range that reaches an uncovered year (it cannot flag a guess)', () => {
    expect(() => workingDaysBetween('2026-12-30', '2027-01-05')).toThrow(CalendarNotCoveredError);
  });

  it('deadline() flags a WD deadline that runs past the calendar', () => {
    expect(deadline(Date.parse('2026-12-28T02:00:00Z'), { workingDays: 10 })).toEqual({
      dueAt: '2027-01-11T16:00:00.000Z',
      dueDate: '2027-01-11',
      beyondCalendar: true,
    });
  });
});

describe('deadline()', () => {
  it('hours are calendar hours from the instant, holidays included (W2.2, W3.2-W3.4)', () => {
    expect(deadline(Date.parse('2026-09-30T15:30:00Z'), { hours: 2 })).toEqual({
      dueAt: '2026-09-30T17:30:00.000Z',
      beyondCalendar: false,
    });
    expect(deadline(Date.parse('2026-09-30T15:30:00Z'), { hours: 24 }).dueAt).toBe('2026-10-01T15:30:00.000Z');
  });

  it('WD ends at 24:00 China time of the due day, i.e. 16:00 UTC', () => {
    // 10:00 in China on Monday 2026-09-28; 4 WD → Friday 2026-10-09.
    expect(deadline(Date.parse('2026-09-28T02:00:00Z'), { workingDays: 4 })).toEqual({
      dueAt: '2026-10-09T16:00:00.000Z',
      dueDate: '2026-10-09',
      beyondCalendar: false,
    });
  });

  it('"today" is the China date of the instant, not the UTC date', () => {
    // 00:30 Monday 09-28 in China (still Sunday 09-27 in UTC): counts from Monday.
    expect(deadline(Date.parse('2026-09-27T16:30:00Z'), { workingDays: 4 }).dueDate).toBe('2026-10-09');
    // 23:30 Sunday 09-27 in China (a Mid-Autumn holiday): Mon 09-28 is the 1st WD.
    expect(deadline(Date.parse('2026-09-27T15:30:00Z'), { workingDays: 4 }).dueDate).toBe('2026-10-08');
  });

  it('0 WD on a holiday is the end of the next working day', () => {
    expect(deadline(Date.parse('2026-10-03T04:00:00Z'), { workingDays: 0 }).dueAt).toBe('2026-10-08T16:00:00.000Z');
  });
});

describe('calendar activities', () => {
  const activities = createCalendarActivities();

  it('return the same results as the calendar', async () => {
    await expect(activities.computeDeadline(Date.parse('2026-09-28T02:00:00Z'), { workingDays: 5 })).resolves.toEqual({
      dueAt: '2026-10-10T16:00:00.000Z',
      dueDate: '2026-10-10',
      beyondCalendar: false,
    });
    await expect(activities.workingDaysBetween('2026-09-28', '2026-10-16')).resolves.toBe(10);
  });

  it('fail non-retryably on an uncovered year, so Temporal does not retry forever', async () => {
    await expect(activities.workingDaysBetween('2026-12-30', '2027-01-05')).rejects.toMatchObject({
      type: 'CalendarNotCoveredError',
      nonRetryable: true,
    });
  });
});

describe('time-zone independence', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  it('the JSON data read by the calendar agrees with the package functions on every covered day', async () => {
    // chinese-days builds its tables with local-time getters (wrong west of UTC), so it is
    // loaded here in China time; nothing else in this file imports its functions.
    process.env.TZ = 'Asia/Shanghai';
    const { default: chineseDays } = await import('chinese-days');
    const { first, last } = coveredYears();
    const disagreements = daysOf(`${first}-01-01`, `${last}-12-31`).filter((day) => chineseDays.isWorkday(day) !== isWorkingDay(day));
    expect(disagreements).toEqual([]);
  });

  describe('in a process west of UTC (TZ=America/Los_Angeles)', () => {
    beforeEach(() => {
      process.env.TZ = 'America/Los_Angeles';
    });

    it('still puts the National Day make-up days on Sun 09-20 and Sat 10-10', () => {
      expect(new Date(2026, 0, 1).getTimezoneOffset()).toBeGreaterThan(0); // the TZ switch took effect
      expect(['2026-09-19', '2026-09-20', '2026-10-10', '2026-10-11'].map(isWorkingDay)).toEqual([false, true, true, false]);
      expect(addWorkingDays('2026-09-28', 5).date).toBe('2026-10-10');
      expect(deadline(Date.parse('2026-09-28T02:00:00Z'), { workingDays: 4 }).dueAt).toBe('2026-10-09T16:00:00.000Z');
    });
  });
});
