/**
 * The only code that touches the world on behalf of workflows. Built from injected
 * dependencies (samples-typescript `activities-dependency-injection`), so tests run the
 * same activities against their own Postgres and SMTP server.
 */
import { createRegistryActivities } from './registry';
import { createNotificationActivities } from './notifications';
import type { Mailer } from './mailer';
import type { Pool } from '../db/pool';

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
  };
}

export type Activities = ReturnType<typeof createActivities>;
