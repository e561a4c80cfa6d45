/**
 * The effects of bureau tasks: the task's row in the inbox, its escalations, the breaches
 * of its department and the opening of a procuratorate referral (issue #3). Every write is
 * idempotent: a retried activity changes nothing the first attempt already did.
 * Instants come from the workflow (its clock), never from this process's clock.
 */
import { appendAudit } from '../db/audit';
import { inTransaction } from '../db/pool';
import { DEFAULT_ESCALATION_POLICY, type EscalationPolicy, type ReferralThreshold } from '../domain/escalation';
import type { TaskCompletion } from '../domain/tasks';
import type { BureauTaskInput } from '../workflows/messages';
import type { ActivityDeps } from './index';

export interface CreateTaskRequest extends BureauTaskInput {
  workflowId: string;
  dueAt: string;
  dueBeyondCalendar: boolean;
  createdAt: string;
}

/** 'quarter-short': a key-care child's quarter ended with fewer home visits than the quota (S20, issue #4). */
export type BreachKind = 'overdue' | 'persistently-overdue' | 'quarter-short';

export interface BreachResult {
  referralDue: boolean;
  /** Chinese; why the threshold is reached. */
  reason: string;
  breachesInWindow: number;
}

const ACTOR = 'workflow';

export function createTaskActivities(deps: Pick<ActivityDeps, 'pool'>) {
  return {
    async loadEscalationPolicy(countyCode: string): Promise<EscalationPolicy> {
      const row = (await deps.pool.query<{ policy: EscalationPolicy }>('SELECT policy FROM county_escalation_policies WHERE county_code = $1', [countyCode])).rows[0];
      return row?.policy ?? DEFAULT_ESCALATION_POLICY;
    },

    async createTask(request: CreateTaskRequest): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        const inserted = await client.query(
          `INSERT INTO tasks (id, workflow_id, kind, title, instructions, assignee_code, assignee_person, county_code,
             case_id, case_type, accepted_outcomes, due_at, due_beyond_calendar, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (id) DO NOTHING`,
          [
            request.taskId,
            request.workflowId,
            request.kind,
            request.title,
            request.instructions,
            request.assignee.departmentCode,
            request.assignee.person ?? null,
            request.countyCode,
            request.caseRef?.caseId ?? null,
            request.caseRef?.caseType ?? null,
            JSON.stringify(request.acceptedOutcomes),
            request.dueAt,
            request.dueBeyondCalendar,
            request.createdAt,
          ],
        );
        if (inserted.rowCount === 0) return;
        await appendAudit(client, {
          actor: ACTOR,
          entityType: 'task',
          entityId: request.taskId,
          action: 'task.assigned',
          summary: { after: { kind: request.kind, assignee: request.assignee.departmentCode, dueAt: request.dueAt, caseId: request.caseRef?.caseId } },
        });
      });
    },

    async markTaskAcknowledged(request: { taskId: string; by: string; at: string }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        const updated = await client.query(
          `UPDATE tasks SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1 AND status = 'open'`,
          [request.taskId, request.at, request.by],
        );
        if (updated.rowCount === 0) return;
        await appendAudit(client, { actor: request.by, entityType: 'task', entityId: request.taskId, action: 'task.acknowledged', summary: { before: { status: 'open' }, after: { status: 'acknowledged' } } });
      });
    },

    async markTaskCompleted(request: { taskId: string; completion: TaskCompletion; at: string }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        const before = (await client.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1 FOR UPDATE', [request.taskId])).rows[0];
        if (!before || before.status === 'completed') return;
        await client.query(
          `UPDATE tasks SET status = 'completed', completed_at = $2, completed_by = $3, outcome = $4, outcome_note = $5 WHERE id = $1`,
          [request.taskId, request.at, request.completion.by, request.completion.outcome, request.completion.note ?? null],
        );
        await appendAudit(client, {
          actor: request.completion.by,
          entityType: 'task',
          entityId: request.taskId,
          action: 'task.completed',
          summary: { before: { status: before.status }, after: { status: 'completed', outcome: request.completion.outcome } },
        });
      });
    },

    /** The owning case moved on: the task is no longer needed (closed, not failed). */
    async markTaskCancelled(request: { taskId: string; at: string }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        const updated = await client.query(`UPDATE tasks SET status = 'cancelled', completed_at = $2 WHERE id = $1 AND status IN ('open', 'acknowledged')`, [request.taskId, request.at]);
        if (updated.rowCount === 0) return;
        await appendAudit(client, { actor: ACTOR, entityType: 'task', entityId: request.taskId, action: 'task.cancelled', summary: { after: { status: 'cancelled' } } });
      });
    },

    async recordEscalation(request: { taskId: string; level: number; label: string; recipientCode: string; at: string }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        const inserted = await client.query(
          'INSERT INTO escalations (task_id, level, recipient, label, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
          [request.taskId, request.level, request.recipientCode, request.label, request.at],
        );
        if (inserted.rowCount === 0) return;
        await client.query('UPDATE tasks SET escalation_level = GREATEST(escalation_level, $2) WHERE id = $1', [request.taskId, request.level]);
        await appendAudit(client, {
          actor: ACTOR,
          entityType: 'task',
          entityId: request.taskId,
          action: 'task.escalated',
          summary: { after: { level: request.level, label: request.label, recipient: request.recipientCode } },
        });
      });
    },

    /**
     * Records a breach of the department and says whether the R4 threshold is reached:
     * `threshold.breaches` overdue steps or short visit quarters within `windowDays`, or one
     * persistently overdue step.
     */
    async recordBreach(request: { taskId: string; departmentCode: string; kind: BreachKind; at: string; threshold: ReferralThreshold }): Promise<BreachResult> {
      return inTransaction(deps.pool, async (client) => {
        // Serialise per department: two breaches at the same instant must not both count 2.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`breach:${request.departmentCode}`]);
        const inserted = await client.query(
          'INSERT INTO breaches (id, department_code, task_id, kind, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING',
          [`${request.taskId}:${request.kind}`, request.departmentCode, request.taskId, request.kind, request.at],
        );
        if (inserted.rowCount) {
          await client.query('UPDATE tasks SET overdue = true WHERE id = $1', [request.taskId]);
          await appendAudit(client, { actor: ACTOR, entityType: 'task', entityId: request.taskId, action: `task.breach.${request.kind}`, summary: { after: { department: request.departmentCode } } });
        }
        const counted = await client.query<{ count: string }>(
          // Both are a step (or a quarter's visits) not done in time; a persistent breach is
          // the same overdue step again, so it does not count twice.
          `SELECT count(*) FROM breaches WHERE department_code = $1 AND kind IN ('overdue', 'quarter-short')
             AND at > $2::timestamptz - make_interval(days => $3)`,
          [request.departmentCode, request.at, request.threshold.windowDays],
        );
        const breachesInWindow = Number(counted.rows[0]?.count ?? 0);
        if (request.kind === 'persistently-overdue') {
          return { referralDue: true, breachesInWindow, reason: `一项任务逾期超过 ${request.threshold.overdueWorkingDays} 个工作日仍未办结` };
        }
        const referralDue = breachesInWindow >= request.threshold.breaches;
        const what = request.kind === 'quarter-short' ? '逾期或季度走访不足' : '逾期';
        return { referralDue, breachesInWindow, reason: `${request.threshold.windowDays} 日内${what} ${breachesInWindow} 次（标准：${request.threshold.breaches} 次）` };
      });
    },
  };
}
