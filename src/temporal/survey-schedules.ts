/**
 * Issue #13 (M1 "at least every six months"): one Temporal schedule per county starts its
 * survey on 1 January and 1 July at 00:00 China time. The schedule's workflow id carries the
 * county only (Temporal appends the instant); the workflow takes the half-year it starts in,
 * and a half-year already opened by hand ends the scheduled run at once (src/workflows/survey.ts).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { PINGDINGSHAN_COUNTIES, PINGDINGSHAN_FUNCTIONAL_ZONES } from '../domain/regions';
import type { survey } from '../workflows/survey';

export const surveyScheduleId = (countyCode: string): string => `survey-schedule:${countyCode}`;

export const SURVEY_COUNTIES: readonly string[] = [...PINGDINGSHAN_COUNTIES, ...PINGDINGSHAN_FUNCTIONAL_ZONES];

/** Creates the schedules that do not exist yet; existing ones are left as an operator may have changed them. */
export async function ensureSurveySchedules(client: Client, taskQueue: string, counties: readonly string[] = SURVEY_COUNTIES): Promise<string[]> {
  const created: string[] = [];
  for (const countyCode of counties) {
    try {
      await client.schedule.create<typeof survey>({
        scheduleId: surveyScheduleId(countyCode),
        spec: { calendars: [{ month: ['JANUARY', 'JULY'], dayOfMonth: 1, hour: 0, minute: 0 }], timezone: 'Asia/Shanghai' },
        action: { type: 'startWorkflow', workflowType: 'survey', workflowId: `survey-scheduled:${countyCode}`, taskQueue, args: [{ countyCode }] },
        policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '7 days' },
      });
      created.push(countyCode);
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    }
  }
  return created;
}
