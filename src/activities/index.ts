/**
 * The only code that touches the world on behalf of workflows. Built from injected
 * dependencies (samples-typescript `activities-dependency-injection`), so tests run the
 * same activities against their own Postgres and SMTP server.
 */
import type { Pool } from '../db/pool';
import { createCalendarActivities } from './calendar';
import { createCaseActivities } from './cases';
import type { Mailer } from './mailer';
import { createMentalHealthActivities } from './mental-health';
import { createNotificationActivities } from './notifications';
import { createReferralActivities } from './referrals';
import { createRegistryActivities } from './registry';
import { createSurveyActivities } from './survey';
import { createTaskActivities } from './tasks';
import { createVisitActivities } from './visits';

export interface ActivityDeps {
  pool: Pool;
  mailer: Mailer;
  /** Base of links in mails, e.g. http://127.0.0.1:3000 */
  publicBaseUrl: string;
  centralUrbanDistricts: readonly string[];
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createRegistryActivities(deps),
    ...createNotificationActivities(deps),
    ...createCalendarActivities(),
    ...createTaskActivities(deps),
    ...createReferralActivities(deps),
    ...createCaseActivities(deps),
    ...createMentalHealthActivities(deps),
    ...createVisitActivities(deps),
    ...createSurveyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
