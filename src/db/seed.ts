/**
 * Reference data every start needs, inserted after the migrations: the Pingdingshan
 * department directory. Idempotent and safe with several processes starting at once
 * (ON CONFLICT DO NOTHING); rows an admin has edited are never overwritten.
 */
import { upsertSeedDepartments } from './departments-repository';
import type { Pool } from './pool';

/** Inserts the missing seed departments; returns their codes (empty after the first start). */
export async function seedDirectory(pool: Pool): Promise<string[]> {
  return upsertSeedDepartments(pool);
}
