/** Reads of the task inbox (the rows activities keep current). */
import type { OutcomeSpec, TaskStatus } from '../domain/tasks';
import type { Pool } from './pool';

export interface TaskRecord {
  id: string;
  workflowId: string;
  kind: string;
  title: string;
  instructions: string;
  assignee: { departmentCode: string; person: string | null };
  countyCode: string;
  caseId: string | null;
  caseType: string | null;
  acceptedOutcomes: OutcomeSpec[];
  status: TaskStatus;
  dueAt: string;
  dueBeyondCalendar: boolean;
  overdue: boolean;
  escalationLevel: number;
  escalations: Array<{ level: number; recipient: string; label: string; at: string }>;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  completedAt: string | null;
  completedBy: string | null;
  outcome: string | null;
  outcomeNote: string | null;
  createdAt: string;
}

const SELECT = `
  SELECT t.id, t.workflow_id AS "workflowId", t.kind, t.title, t.instructions,
         json_build_object('departmentCode', t.assignee_code, 'person', t.assignee_person) AS assignee,
         t.county_code AS "countyCode", t.case_id AS "caseId", t.case_type AS "caseType",
         t.accepted_outcomes AS "acceptedOutcomes", t.status,
         to_json(t.due_at) #>> '{}' AS "dueAt", t.due_beyond_calendar AS "dueBeyondCalendar",
         (t.overdue OR (t.status <> 'completed' AND t.due_at < $1::timestamptz)) AS overdue,
         t.escalation_level AS "escalationLevel",
         (SELECT coalesce(json_agg(json_build_object('level', e.level, 'recipient', e.recipient, 'label', e.label, 'at', e.at) ORDER BY e.level), '[]')
            FROM escalations e WHERE e.task_id = t.id) AS escalations,
         to_json(t.acknowledged_at) #>> '{}' AS "acknowledgedAt", t.acknowledged_by AS "acknowledgedBy",
         to_json(t.completed_at) #>> '{}' AS "completedAt", t.completed_by AS "completedBy",
         t.outcome, t.outcome_note AS "outcomeNote", to_json(t.created_at) #>> '{}' AS "createdAt"
    FROM tasks t`;

export async function findTask(db: Pool, id: string, now: Date): Promise<TaskRecord | undefined> {
  const result = await db.query<TaskRecord>(`${SELECT} WHERE t.id = $2`, [now.toISOString(), id]);
  return result.rows[0];
}

export interface TaskFilter {
  assignee?: string;
  status?: TaskStatus;
  overdue?: boolean;
  caseId?: string;
  county?: string;
  page: number;
  pageSize: number;
}

export async function listTasks(db: Pool, filter: TaskFilter, now: Date): Promise<{ items: TaskRecord[]; total: number }> {
  // $1 (now) is used by the overdue expression; referencing it here types it for every query.
  const conditions: string[] = ['$1::timestamptz IS NOT NULL'];
  const values: unknown[] = [now.toISOString()];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    conditions.push(sql(`$${values.length}`));
  };
  if (filter.assignee) add((p) => `t.assignee_code = ${p}`, filter.assignee);
  if (filter.status) add((p) => `t.status = ${p}`, filter.status);
  if (filter.caseId) add((p) => `t.case_id = ${p}`, filter.caseId);
  if (filter.county) add((p) => `t.county_code = ${p}`, filter.county);
  if (filter.overdue !== undefined) {
    const overdue = `(t.overdue OR (t.status <> 'completed' AND t.due_at < $1::timestamptz))`;
    conditions.push(filter.overdue ? overdue : `NOT ${overdue}`);
  }
  const where = `WHERE ${conditions.join(' AND ')}`;
  const total = await db.query<{ count: string }>(`SELECT count(*) FROM tasks t ${where}`, values);
  const rows = await db.query<TaskRecord>(
    `${SELECT} ${where} ORDER BY t.due_at, t.id LIMIT ${filter.pageSize} OFFSET ${(filter.page - 1) * filter.pageSize}`,
    values,
  );
  return { items: rows.rows, total: Number(total.rows[0]?.count ?? 0) };
}
