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

export interface CaseListFilter {
  type?: CaseType;
  county?: string;
  township?: string;
  stage?: string;
  status?: 'open' | 'closed';
  /** Cases with at least one overdue open task (true) or none (false). */
  overdue?: boolean;
  /** At least this escalation level. */
  escalationLevel?: number;
  /** Cases with an open task assigned to this department. */
  assignee?: string;
  openedFrom?: string;
  openedTo?: string;
  sort: CaseSort;
  limit: number;
  after?: { value: string | number; id: string };
  now: Date;
}

export type CaseSort = 'openedAt' | '-openedAt' | 'escalationLevel' | '-escalationLevel';

export interface CaseListRow {
  id: string;
  type: CaseType;
  countyCode: string;
  townshipCode: string | null;
  stage: string;
  status: 'open' | 'closed';
  outcome: string | null;
  escalationLevel: number;
  overdueTasks: number;
  openTasks: number;
  openedAt: string;
  closedAt: string | null;
}

const SORT_COLUMNS: Record<CaseSort, { column: string; direction: 'ASC' | 'DESC' }> = {
  openedAt: { column: 'c.opened_at', direction: 'ASC' },
  '-openedAt': { column: 'c.opened_at', direction: 'DESC' },
  escalationLevel: { column: 'c.escalation_level', direction: 'ASC' },
  '-escalationLevel': { column: 'c.escalation_level', direction: 'DESC' },
};

/** Keyset pagination over the read model: stable under inserts, cheap at any depth. */
export async function listCases(db: Pool, filter: CaseListFilter): Promise<CaseListRow[]> {
  const values: unknown[] = [filter.now.toISOString()];
  const conditions: string[] = ['$1::timestamptz IS NOT NULL'];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    conditions.push(sql(`$${values.length}`));
  };
  if (filter.type) add((p) => `c.type = ${p}`, filter.type);
  if (filter.county) add((p) => `c.county_code = ${p}`, filter.county);
  if (filter.township) add((p) => `c.township_code = ${p}`, filter.township);
  if (filter.stage) add((p) => `c.stage = ${p}`, filter.stage);
  if (filter.status) add((p) => `c.status = ${p}`, filter.status);
  if (filter.escalationLevel !== undefined) add((p) => `c.escalation_level >= ${p}`, filter.escalationLevel);
  if (filter.assignee) add((p) => `EXISTS (SELECT 1 FROM tasks t WHERE t.case_id = c.id AND t.assignee_code = ${p} AND t.status IN ('open', 'acknowledged'))`, filter.assignee);
  if (filter.openedFrom) add((p) => `c.opened_at >= ${p}::date - interval '8 hours'`, filter.openedFrom);
  if (filter.openedTo) add((p) => `c.opened_at < ${p}::date + interval '16 hours'`, filter.openedTo);
  const overdueTask = `EXISTS (SELECT 1 FROM tasks t WHERE t.case_id = c.id AND t.status IN ('open', 'acknowledged') AND (t.overdue OR t.due_at < $1::timestamptz))`;
  if (filter.overdue !== undefined) conditions.push(filter.overdue ? overdueTask : `NOT ${overdueTask}`);
  const sort = SORT_COLUMNS[filter.sort];
  if (filter.after) {
    const comparator = sort.direction === 'ASC' ? '>' : '<';
    values.push(filter.after.value, filter.after.id);
    const valueCast = sort.column === 'c.opened_at' ? '::timestamptz' : '::integer';
    conditions.push(`(${sort.column}, c.id) ${comparator} ($${values.length - 1}${valueCast}, $${values.length}::uuid)`);
  }
  values.push(filter.limit);
  const rows = await db.query<CaseListRow>(
    `SELECT c.id, c.type, c.county_code AS "countyCode", c.township_code AS "townshipCode", c.stage, c.status, c.outcome,
            c.escalation_level AS "escalationLevel",
            (SELECT count(*)::int FROM tasks t WHERE t.case_id = c.id AND t.status IN ('open', 'acknowledged') AND (t.overdue OR t.due_at < $1::timestamptz)) AS "overdueTasks",
            (SELECT count(*)::int FROM tasks t WHERE t.case_id = c.id AND t.status IN ('open', 'acknowledged')) AS "openTasks",
            to_json(c.opened_at) #>> '{}' AS "openedAt", to_json(c.closed_at) #>> '{}' AS "closedAt"
       FROM cases c
      WHERE ${conditions.join(' AND ')}
      ORDER BY ${sort.column} ${sort.direction}, c.id ${sort.direction}
      LIMIT $${values.length}`,
    values,
  );
  return rows.rows;
}
