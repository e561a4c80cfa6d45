/**
 * SQL for home visits, the plan's quarters and the county visit policies (issue #4). The
 * plan's workflow is the authority on what counts; these rows hold what it accepted.
 */
import { DEFAULT_VISIT_POLICY, type AssessmentScores, type GuardianshipLevel, type NeedServiceCode, type ObservationLevel, type VisitPolicy } from '../domain/visits';
import type { Pool, PoolClient } from './pool';

export interface Observation {
  level: ObservationLevel;
  note?: string;
}

export interface AssessmentRecord {
  scores: AssessmentScores;
  total: number;
  level: GuardianshipLevel;
  note?: string;
}

export interface NeedRecord {
  service: NeedServiceCode;
  note?: string;
  /** Ask the responsible department to act: a task is opened. */
  openTask: boolean;
  taskId?: string;
}

/** A visit as the API writes it, before the plan accepts it. */
export interface VisitDraft {
  id: string;
  childId: string;
  visitedOn: string;
  visitor: string;
  notes: string;
  livingSecurity: Observation;
  guardianship: Observation;
  medicalCare: Observation;
  schooling: Observation;
  assessment: AssessmentRecord | null;
  needs: NeedRecord[];
}

export interface VisitRecord extends VisitDraft {
  status: 'pending' | 'recorded';
  planId: string | null;
  quarter: string | null;
  slot: number | null;
  taskId: string | null;
  submittedAt: string;
  recordedAt: string | null;
}

const SELECT = `
  SELECT id, child_id AS "childId", status, to_char(visited_on, 'YYYY-MM-DD') AS "visitedOn", visitor, notes,
         living_security AS "livingSecurity", guardianship, medical_care AS "medicalCare", schooling,
         assessment, needs, plan_id AS "planId", quarter, slot, task_id AS "taskId",
         to_json(submitted_at) #>> '{}' AS "submittedAt", to_json(recorded_at) #>> '{}' AS "recordedAt"
    FROM visits`;

/** Writes a visit as pending; a second write with the same id (a retried request) changes nothing. */
export async function insertPendingVisit(db: Pool | PoolClient, draft: VisitDraft): Promise<void> {
  await db.query(
    `INSERT INTO visits (id, child_id, visited_on, visitor, notes, living_security, guardianship, medical_care, schooling, assessment, needs)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
    [
      draft.id,
      draft.childId,
      draft.visitedOn,
      draft.visitor,
      draft.notes,
      JSON.stringify(draft.livingSecurity),
      JSON.stringify(draft.guardianship),
      JSON.stringify(draft.medicalCare),
      JSON.stringify(draft.schooling),
      draft.assessment ? JSON.stringify(draft.assessment) : null,
      JSON.stringify(draft.needs),
    ],
  );
}

/** Removes a visit the plan refused; a recorded visit is never removed. */
export async function deletePendingVisit(db: Pool | PoolClient, id: string): Promise<void> {
  await db.query(`DELETE FROM visits WHERE id = $1 AND status = 'pending'`, [id]);
}

export async function findVisit(db: Pool | PoolClient, id: string): Promise<VisitRecord | undefined> {
  return (await db.query<VisitRecord>(`${SELECT} WHERE id = $1`, [id])).rows[0];
}

/** The recorded visits of a child, newest first. */
export async function listVisits(db: Pool, childId: string, filter: { quarter?: string; page: number; pageSize: number }): Promise<{ items: VisitRecord[]; total: number }> {
  const values: unknown[] = [childId];
  let where = `WHERE child_id = $1 AND status = 'recorded'`;
  if (filter.quarter) {
    values.push(filter.quarter);
    where += ` AND quarter = $${values.length}`;
  }
  const total = await db.query<{ count: string }>(`SELECT count(*) FROM visits ${where}`, values);
  const rows = await db.query<VisitRecord>(
    `${SELECT} ${where} ORDER BY visited_on DESC, recorded_at DESC LIMIT ${filter.pageSize} OFFSET ${(filter.page - 1) * filter.pageSize}`,
    values,
  );
  return { items: rows.rows, total: Number(total.rows[0]?.count ?? 0) };
}

export interface VisitQuarterRecord {
  planId: string;
  quarter: string;
  countyCode: string;
  assigneeCode: string;
  plannedFrom: string;
  quota: number;
  dueDates: string[];
  done: number;
  assessed: boolean;
  outcome: string | null;
  closedAt: string | null;
}

/** Every quarter of a child's plans, newest first (the workflow's state keeps the last 8). */
export async function listVisitQuarters(db: Pool, childId: string): Promise<VisitQuarterRecord[]> {
  const rows = await db.query<VisitQuarterRecord>(
    `SELECT plan_id AS "planId", quarter, county_code AS "countyCode", assignee_code AS "assigneeCode",
            to_char(planned_from, 'YYYY-MM-DD') AS "plannedFrom", quota,
            ARRAY(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(due_dates) AS d) AS "dueDates",
            done, assessed, outcome, to_json(closed_at) #>> '{}' AS "closedAt"
       FROM visit_quarters WHERE child_id = $1 ORDER BY quarter DESC, opened_at DESC`,
    [childId],
  );
  return rows.rows;
}

export async function findVisitPolicy(db: Pool | PoolClient, countyCode: string): Promise<{ policy: VisitPolicy; isDefault: boolean }> {
  const row = (await db.query<{ policy: Partial<VisitPolicy> }>('SELECT policy FROM county_visit_policies WHERE county_code = $1', [countyCode])).rows[0];
  // Merged over the defaults: a parameter added later still has a value for counties set before it.
  return { policy: { ...DEFAULT_VISIT_POLICY, ...row?.policy }, isDefault: !row };
}

export async function saveVisitPolicy(client: PoolClient, countyCode: string, policy: VisitPolicy): Promise<void> {
  await client.query(
    `INSERT INTO county_visit_policies (county_code, policy) VALUES ($1, $2)
     ON CONFLICT (county_code) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()`,
    [countyCode, JSON.stringify(policy)],
  );
}

/**
 * The register's transaction that starts a plan holds this lock until it ends, and the
 * plan's reads take it shared: a plan started inside a transaction reads the committed
 * change, never the state before it (the workflow can run before the commit lands).
 */
export async function holdChildForPlan(client: PoolClient, childId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`key-care-plan:${childId}`]);
}

export async function waitForChildWrites(client: PoolClient, childId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [`key-care-plan:${childId}`]);
}

