/**
 * Calendar look-ups for workflows. The holiday schedule changes with a package update
 * (policy "Calendar": published a year at a time), so workflows must not compute working
 * days themselves: the answer comes through an activity, is recorded in history and is
 * the same on replay (architecture.md, "Anything a later code or data change could alter").
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  CalendarNotCoveredError,
  deadline,
  workingDaysBetween,
  type DeadlineResult,
  type DeadlineSpec,
} from '../calendar/working-days';

/**
 * A date outside the published schedule will not become covered by retrying (only a
 * package update does that), and bad input will not fix itself either; under the default
 * unlimited retry policy both would retry forever, so they fail at once with a `type` the
 * workflow can match on.
 */
function permanent(error: unknown): never {
  if (error instanceof CalendarNotCoveredError || error instanceof RangeError) {
    throw ApplicationFailure.create({ message: error.message, type: error.name, nonRetryable: true, cause: error });
  }
  throw error;
}

export function createCalendarActivities() {
  return {
    /**
     * Due instant of a step started at `fromInstantMs` (the workflow's clock). A result with
     * `beyondCalendar: true` is a weekends-only estimate past the published years: the
     * workflow must flag it (policy "Calendar"), and may recompute once the schedule is out.
     */
    async computeDeadline(fromInstantMs: number, spec: DeadlineSpec): Promise<DeadlineResult> {
      try {
        return deadline(fromInstantMs, spec);
      } catch (error) {
        return permanent(error);
      }
    },

    /**
     * Working days after `from` up to and including `to`, e.g. how many WD a step is
     * overdue (R4 ladder: 1 / 3 / 5 WD, referral at 20 WD). Fails non-retryably with type
     * 'CalendarNotCoveredError' when the range reaches a year without a published schedule.
     */
    async workingDaysBetween(from: string, to: string): Promise<number> {
      try {
        return workingDaysBetween(from, to);
      } catch (error) {
        return permanent(error);
      }
    },
  };
}

export type CalendarActivities = ReturnType<typeof createCalendarActivities>;
