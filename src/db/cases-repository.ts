import type { CaseType } from '../domain/cases';
import type { Pool, PoolClient } from './pool';

export interface CaseRecord {
  id: string;
  type: CaseType;
  childId: string;
  countyCode: string;
  workflowId: string;
  status: 'open' | 'closed';
  stage: string;
  outcome: string | null;
  escalationLevel: number;
  idempotencyKey: string | null;
  openedAt: string;
  closedAt: string | null;
}

const SELECT = `SELECT id, type, child_id AS "childId", county_code AS "countyCode", workflow_id AS "workflowId", status, stage, outcome,
  escalation_level AS "escalationLevel", idempotency_key AS "idempotencyKey",
  to_json(opened_at) #>> '{}' AS "openedAt", to_json(closed_at) #>> '{}' AS "closedAt" FROM cases`;

export async function findCase(db: Pool | PoolClient, id: string): Promise<CaseRecord | undefined> {
  return (await db.query<CaseRecord>(`${SELECT} WHERE id = $1`, [id])).rows[0];
}

export async function findCaseByIdempotencyKey(db: Pool | PoolClient, key: string): Promise<CaseRecord | undefined> {
  return (await db.query<CaseRecord>(`${SELECT} WHERE idempotency_key = $1`, [key])).rows[0];
}

export async function findOpenCase(db: Pool | PoolClient, childId: string, type: CaseType): Promise<CaseRecord | undefined> {
  return (await db.query<CaseRecord>(`${SELECT} WHERE child_id = $1 AND type = $2 AND status = 'open'`, [childId, type])).rows[0];
}

/** Inserts the case; undefined when the child already has an open case of the type. */
export async function insertCase(
  client: PoolClient,
  row: { id: string; type: CaseType; childId: string; countyCode: string; townshipCode?: string; workflowId: string; stage: string; idempotencyKey?: string },
): Promise<boolean> {
  const result = await client.query(
    `INSERT INTO cases (id, type, child_id, county_code, township_code, workflow_id, stage, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
    [row.id, row.type, row.childId, row.countyCode, row.townshipCode ?? null, row.workflowId, row.stage, row.idempotencyKey ?? null],
  );
  return (result.rowCount ?? 0) > 0;
}

export async function caseTimeline(db: Pool, caseId: string) {
  const rows = await db.query<{ at: string; actor: string; kind: string; summary: Record<string, unknown> }>(
    `SELECT to_json(at) #>> '{}' AS at, actor, kind, summary FROM case_events WHERE case_id = $1 ORDER BY at, id`,
    [caseId],
  );
  return rows.rows;
}

export async function caseTasks(db: Pool, caseId: string, now: Date) {
  const tasks = await db.query<{ id: string; kind: string; title: string; assigneeCode: string; status: string; dueAt: string; overdue: boolean; escalationLevel: number; outcome: string | null }>(
    `SELECT id, kind, title, assignee_code AS "assigneeCode", status, to_json(due_at) #>> '{}' AS "dueAt",
            (overdue OR (status IN ('open', 'acknowledged') AND due_at < $2::timestamptz)) AS overdue,
            escalation_level AS "escalationLevel", outcome
       FROM tasks WHERE case_id = $1 ORDER BY created_at`,
    [caseId, now.toISOString()],
  );
  const escalations = await db.query<{ taskId: string; level: number; recipient: string; label: string; at: string }>(
    `SELECT e.task_id AS "taskId", e.level, e.recipient, e.label, to_json(e.at) #>> '{}' AS at
       FROM escalations e JOIN tasks t ON t.id = e.task_id WHERE t.case_id = $1 ORDER BY e.at`,
    [caseId],
  );
  return { tasks: tasks.rows, escalations: escalations.rows };
}
