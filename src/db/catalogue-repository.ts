/**
 * SQL for the service lists (R2) and the entitlement referrals (M3, issue #12). The base
 * list is code (src/domain/catalogue/base-catalogue.ts); counties' versions are rows.
 */
import { BASE_CATALOGUE } from '../domain/catalogue/base-catalogue';
import type { CatalogueItem, ReferralMode, ServiceList } from '../domain/catalogue/items';
import type { Pool, PoolClient } from './pool';

type Db = Pool | PoolClient;

interface ListRow {
  county_code: string;
  version: number;
  label: string;
  effective_from: string;
  referral_working_days: number;
  items: CatalogueItem[];
}

const fromRow = (row: ListRow): ServiceList => ({
  countyCode: row.county_code,
  version: row.version,
  label: row.label,
  effectiveFrom: row.effective_from,
  referralWorkingDays: row.referral_working_days,
  items: row.items,
});

/** The list in force for the county on the date: its latest version in force, else the base list. */
export async function listInForce(db: Db, countyCode: string, onDate: string): Promise<ServiceList> {
  const row = (await db.query<ListRow>(
    `SELECT * FROM service_lists WHERE county_code = $1 AND effective_from <= $2::date ORDER BY effective_from DESC, version DESC LIMIT 1`,
    [countyCode, onDate],
  )).rows[0];
  return row ? fromRow(row) : BASE_CATALOGUE;
}

/** The county's latest published version, whatever its date; undefined when none. */
export async function latestCountyList(db: Db, countyCode: string): Promise<ServiceList | undefined> {
  const row = (await db.query<ListRow>(`SELECT * FROM service_lists WHERE county_code = $1 ORDER BY version DESC LIMIT 1`, [countyCode])).rows[0];
  return row ? fromRow(row) : undefined;
}

/** Publishes the next version; the caller holds the county's lock (lockCountyLists). */
export async function insertCountyList(client: PoolClient, list: Omit<ServiceList, 'version'> & { countyCode: string }): Promise<ServiceList> {
  const row = (await client.query<ListRow>(
    `INSERT INTO service_lists (county_code, version, label, effective_from, referral_working_days, items)
     SELECT $1, COALESCE(max(version), 0) + 1, $2, $3, $4, $5 FROM service_lists WHERE county_code = $1
     RETURNING *`,
    [list.countyCode, list.label, list.effectiveFrom, list.referralWorkingDays, JSON.stringify(list.items)],
  )).rows[0];
  if (!row) throw new Error('service list insert returned no row');
  return fromRow(row);
}

/** Serialises publications of one county (two at once would claim the same version). */
export async function lockCountyLists(client: PoolClient, countyCode: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('service_lists:' || $1))`, [countyCode]);
}

export interface NewReferral {
  itemId: string;
  countyCode: string;
  listVersion: number;
  reason: string;
  mode: ReferralMode;
  departmentCode: string;
  /** Set for `task` items. */
  taskId: string | null;
}

/** Records the items matched for the first time; the ones already recorded are left as they are. */
export async function recordReferrals(client: PoolClient, childId: string, referrals: readonly NewReferral[]): Promise<void> {
  if (!referrals.length) return;
  await client.query(
    `INSERT INTO entitlement_referrals (child_id, item_id, county_code, list_version, reason, referral_mode, department_code, task_id)
     SELECT $1, r.item_id, r.county_code, r.list_version, r.reason, r.referral_mode, r.department_code, r.task_id
       FROM jsonb_to_recordset($2::jsonb) AS r(item_id text, county_code text, list_version int, reason text, referral_mode text, department_code text, task_id uuid)
     ON CONFLICT (child_id, item_id) DO NOTHING`,
    [
      childId,
      JSON.stringify(referrals.map((r) => ({ item_id: r.itemId, county_code: r.countyCode, list_version: r.listVersion, reason: r.reason, referral_mode: r.mode, department_code: r.departmentCode, task_id: r.taskId }))),
    ],
  );
}

export interface ReferralRecord extends NewReferral {
  taskStarted: boolean;
  matchedAt: string;
  /** From the task's row: absent until the task's workflow has written it. */
  taskStatus: string | null;
  outcome: string | null;
  outcomeNote: string | null;
}

export async function referralsOf(db: Db, childId: string): Promise<ReferralRecord[]> {
  const rows = (await db.query<{
    item_id: string; county_code: string; list_version: number; reason: string; referral_mode: ReferralMode; department_code: string;
    task_id: string | null; task_started: boolean; matched_at: Date; status: string | null; outcome: string | null; outcome_note: string | null;
  }>(
    `SELECT e.*, t.status, t.outcome, t.outcome_note FROM entitlement_referrals e LEFT JOIN tasks t ON t.id = e.task_id
      WHERE e.child_id = $1 ORDER BY e.matched_at, e.item_id`,
    [childId],
  )).rows;
  return rows.map((row) => ({
    itemId: row.item_id,
    countyCode: row.county_code,
    listVersion: row.list_version,
    reason: row.reason,
    mode: row.referral_mode,
    departmentCode: row.department_code,
    taskId: row.task_id,
    taskStarted: row.task_started,
    matchedAt: row.matched_at.toISOString(),
    taskStatus: row.status,
    outcome: row.outcome,
    outcomeNote: row.outcome_note,
  }));
}

export async function markReferralStarted(db: Db, taskId: string): Promise<void> {
  await db.query(`UPDATE entitlement_referrals SET task_started = true WHERE task_id = $1`, [taskId]);
}
