/**
 * The case read model and timeline (W1-W4), written by case workflows. Idempotent: a
 * timeline event is keyed by workflow ID and sequence; stage updates are plain overwrites.
 */
import { appendAudit } from '../db/audit';
import { ensureOutsideDepartment } from '../db/departments-repository';
import { inTransaction } from '../db/pool';
import { hukouDepartmentCode } from '../domain/department-catalog';
import type { ActivityDeps } from './index';

export interface CaseEvent {
  id: string;
  caseId: string;
  at: string;
  actor: string;
  kind: string;
  summary: Record<string, unknown>;
}

export function createCaseActivities(deps: Pick<ActivityDeps, 'pool'>) {
  return {
    async appendCaseEvent(event: CaseEvent): Promise<void> {
      await deps.pool.query(
        'INSERT INTO case_events (id, case_id, at, actor, kind, summary) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING',
        [event.id, event.caseId, event.at, event.actor, event.kind, JSON.stringify(event.summary)],
      );
    },

    async updateCaseRecord(update: { caseId: string; stage: string; status: 'open' | 'closed'; outcome?: string; escalationLevel: number; at: string; actor: string }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        const before = (await client.query<{ stage: string; status: string; escalation_level: number }>('SELECT stage, status, escalation_level FROM cases WHERE id = $1 FOR UPDATE', [update.caseId])).rows[0];
        if (!before) throw new Error(`case ${update.caseId} has no read-model row`);
        if (before.stage === update.stage && before.status === update.status && before.escalation_level === update.escalationLevel) return;
        await client.query(
          `UPDATE cases SET stage = $2, status = $3, outcome = $4, escalation_level = $5, updated_at = $6,
             closed_at = CASE WHEN $3 = 'closed' THEN $6::timestamptz ELSE NULL END WHERE id = $1`,
          [update.caseId, update.stage, update.status, update.outcome ?? null, update.escalationLevel, update.at],
        );
        await appendAudit(client, {
          actor: update.actor,
          entityType: 'case',
          entityId: update.caseId,
          action: 'case.updated',
          summary: { before: { stage: before.stage, status: before.status, escalationLevel: before.escalation_level }, after: { stage: update.stage, status: update.status, outcome: update.outcome, escalationLevel: update.escalationLevel } },
        });
      });
    },

    /** The code of a 户籍地 bureau of `kind`, creating the outside bureau's entry if needed. */
    async hukouDepartment(request: { kind: string; countyCode: string }): Promise<string> {
      const code = hukouDepartmentCode(request.kind, request.countyCode);
      if (code.startsWith('outside-')) await ensureOutsideDepartment(deps.pool, request.kind, request.countyCode);
      return code;
    },
  };
}
