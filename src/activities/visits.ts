/**
 * The effects of key-care visit plans (issue #4): the facts a plan needs about its child,
 * the county's parameters, the plan's quarters and visits in Postgres, and the tasks it
 * assigns. Every write is idempotent (a retried activity changes nothing twice), and
 * instants come from the workflow's clock.
 *
 * The plan's tasks are `bureauTask` workflows started here with the worker's client, not
 * child workflows: a child belongs to one run of its parent, and the plan continues-as-new
 * every quarter (docs/visits.md, "Tasks of a plan").
 */
import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { appendAudit } from '../db/audit';
import { findChild, markChildLeft } from '../db/children-repository';
import { ensureOutsideCivilAffairs } from '../db/departments-repository';
import { inTransaction } from '../db/pool';
import { findVisitPolicy, waitForChildWrites } from '../db/visits-repository';
import { hukouCivilAffairsCode } from '../domain/department-catalog';
import { ageLimitReachedOn, decideEligibility, type EligibilityRule } from '../domain/eligibility';
import { PINGDINGSHAN_COUNTIES, PINGDINGSHAN_FUNCTIONAL_ZONES } from '../domain/regions';
import type { TaskCompletion } from '../domain/tasks';
import { visitAssigneeCode, type NeedServiceCode, type QuarterSummary, type VisitPolicy } from '../domain/visits';
import { startBureauTask } from '../temporal/start-bureau-task';
import { bureauTaskWorkflowId } from '../temporal/workflow-ids';
import { completeTaskUpdate, type BureauTaskInput } from '../workflows/messages';
import type { ActivityDeps } from './index';

/** What a plan needs to know about its child; no personal data leaves (codes and dates only). */
export type KeyCarePlanFacts =
  | { registered: false }
  | {
      registered: true;
      keyCare: boolean;
      countyCode: string;
      /** xz-<township> of the residence, else the county civil-affairs bureau. */
      assigneeCode: string;
      /** The 16th birthday: M1 ends that day. */
      ageLimitOn: string;
      eligibilityRule: EligibilityRule;
      /** The county's visit parameters today. */
      policy: VisitPolicy;
      /**
       * Set once the child was found to have left the county (a survey answer, #13); the
       * plan then closes. Absent from facts read before it existed, so old histories replay.
       */
      leftOn?: string;
    };

const ACTOR = 'workflow';

const isPingdingshan = (county: string) => PINGDINGSHAN_COUNTIES.includes(county) || PINGDINGSHAN_FUNCTIONAL_ZONES.includes(county);

export function createVisitActivities(deps: Pick<ActivityDeps, 'pool' | 'centralUrbanDistricts'>) {
  return {
    async getKeyCarePlanFacts(childId: string, onDate: string): Promise<KeyCarePlanFacts> {
      const child = await inTransaction(deps.pool, async (client) => {
        await waitForChildWrites(client, childId);
        return findChild(client, childId);
      });
      if (!child) return { registered: false };
      const county = child.residence.countyCode;
      const decision = decideEligibility(
        { birthDate: child.birthDate, hukouRegionCode: child.hukouRegionCode, residenceCountyCode: county, arrivalDate: child.arrivalDate },
        onDate,
        { centralUrbanDistricts: deps.centralUrbanDistricts },
      );
      return {
        registered: true,
        keyCare: child.keyCare,
        countyCode: county,
        assigneeCode: visitAssigneeCode(county, child.residence.township).code,
        ageLimitOn: ageLimitReachedOn(child.birthDate),
        eligibilityRule: decision.rule,
        policy: (await findVisitPolicy(deps.pool, county)).policy,
        ...(child.leftOn ? { leftOn: child.leftOn } : {}),
      };
    },

    /**
     * The plan's re-verification found that the child left Pingdingshan: the register says
     * so (M1), as a survey's answer would, so that the child leaves the county's figures.
     */
    async recordChildLeft(request: { childId: string; planId: string; onDate: string }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        if (!(await markChildLeft(client, request.childId, request.onDate))) return; // marked before (or a retry)
        await appendAudit(client, { actor: ACTOR, entityType: 'child', entityId: request.childId, action: 'child.left-county', summary: { planId: request.planId, on: request.onDate } });
      });
    },

    /**
     * Whom to tell when a child leaves Pingdingshan: the 户籍地 civil-affairs bureau, the
     * likeliest place the child went (an outside bureau is added to the directory when missing).
     */
    async handOffRecipient(childId: string): Promise<{ departmentCode: string }> {
      const child = await findChild(deps.pool, childId);
      const hukou = child?.hukouRegionCode;
      if (!hukou) return { departmentCode: 'mz-410400' };
      if (isPingdingshan(hukou)) return { departmentCode: hukouCivilAffairsCode(hukou) };
      try {
        return { departmentCode: (await ensureOutsideCivilAffairs(deps.pool, hukou)).code };
      } catch (error) {
        // A retired 户籍 code the catalogue cannot name: the city bureau, which leads the plan, is told.
        if (error instanceof RangeError) return { departmentCode: 'mz-410400' };
        throw error;
      }
    },

    async openVisitQuarter(request: {
      planId: string;
      childId: string;
      workflowId: string;
      quarter: string;
      countyCode: string;
      assigneeCode: string;
      from: string;
      quota: number;
      dueDates: string[];
      at: string;
      firstOfPlan: boolean;
    }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        const inserted = await client.query(
          `INSERT INTO visit_quarters (plan_id, quarter, child_id, workflow_id, county_code, assignee_code, planned_from, quota, due_dates, opened_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (plan_id, quarter, planned_from) DO NOTHING`,
          [request.planId, request.quarter, request.childId, request.workflowId, request.countyCode, request.assigneeCode, request.from, request.quota, request.dueDates, request.at],
        );
        if (!inserted.rowCount) return;
        await appendAudit(client, {
          actor: ACTOR,
          entityType: 'child',
          entityId: request.childId,
          action: request.firstOfPlan ? 'key-care-plan.opened' : 'key-care-plan.quarter-opened',
          summary: { after: { planId: request.planId, quarter: request.quarter, assignee: request.assigneeCode, quota: request.quota, dueDates: request.dueDates } },
        });
      });
    },

    /** Closes the quarter's row with its outcome; a missing assessment is recorded here (assessed = false). */
    async closeVisitQuarter(request: { planId: string; childId: string; from: string; summary: QuarterSummary; at: string }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        const updated = await client.query(
          `UPDATE visit_quarters SET done = $4, assessed = $5, outcome = $6, closed_at = $7
            WHERE plan_id = $1 AND quarter = $2 AND planned_from = $3 AND closed_at IS NULL`,
          [request.planId, request.summary.quarter, request.from, request.summary.done, request.summary.assessed, request.summary.outcome, request.at],
        );
        if (!updated.rowCount) return;
        await appendAudit(client, {
          actor: ACTOR,
          entityType: 'child',
          entityId: request.childId,
          action: 'key-care-plan.quarter-closed',
          summary: { after: { planId: request.planId, ...request.summary } },
        });
      });
    },

    /** The plan accepted the visit: the pending row becomes the record, with what it counted for. */
    async acceptVisit(request: {
      visitId: string;
      childId: string;
      planId: string;
      quarter: string;
      slot: number | null;
      taskId: string | null;
      needTasks: Array<{ service: NeedServiceCode; taskId: string }>;
      at: string;
    }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        const row = (await client.query<{ needs: Array<{ service: string; taskId?: string }> }>(`SELECT needs FROM visits WHERE id = $1 AND status = 'pending' FOR UPDATE`, [request.visitId])).rows[0];
        if (!row) return; // recorded by an earlier attempt (or never written: nothing to mark)
        const needs = row.needs.map((need) => ({ ...need, taskId: request.needTasks.find((t) => t.service === need.service)?.taskId }));
        await client.query(
          `UPDATE visits SET status = 'recorded', plan_id = $2, quarter = $3, slot = $4, task_id = $5, needs = $6, recorded_at = $7 WHERE id = $1`,
          [request.visitId, request.planId, request.quarter, request.slot, request.taskId, JSON.stringify(needs), request.at],
        );
        await appendAudit(client, {
          actor: ACTOR,
          entityType: 'child',
          entityId: request.childId,
          action: 'visit.recorded',
          summary: { after: { visitId: request.visitId, planId: request.planId, quarter: request.quarter, slot: request.slot, needTasks: request.needTasks.length } },
        });
      });
    },

    /** An entry in the child's audit log for a step of the plan, written once per `key`. */
    async recordPlanEvent(request: { key: string; childId: string; action: string; summary: Record<string, unknown> }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`plan-event:${request.key}`]);
        const seen = await client.query(`SELECT 1 FROM audit_log WHERE entity_type = 'child' AND entity_id = $1 AND summary->>'key' = $2`, [request.childId, request.key]);
        if (seen.rowCount) return;
        await appendAudit(client, { actor: ACTOR, entityType: 'child', entityId: request.childId, action: request.action, summary: { key: request.key, ...request.summary } });
      });
    },

    /** Starts a `bureauTask` workflow on this worker's task queue (idempotent, start-bureau-task.ts). */
    async startPlanTask(input: BureauTaskInput): Promise<void> {
      const { client, info } = Context.current();
      await startBureauTask(client, info.taskQueue, input);
    },

    /**
     * Completes a task of the plan through its `completeTask` update, the same validated path
     * as `POST /api/v1/tasks/:id/complete`. The update ID makes a retry the same update.
     * `completed: false` when the task was finished otherwise (by its bureau) or refuses.
     */
    async completePlanTask(request: { taskId: string; completion: TaskCompletion; updateId: string }): Promise<{ completed: boolean; reason?: string }> {
      const handle = Context.current().client.workflow.getHandle(bureauTaskWorkflowId(request.taskId));
      try {
        await handle.executeUpdate(completeTaskUpdate, { args: [request.completion], updateId: request.updateId });
        return { completed: true };
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) return { completed: false, reason: error.cause?.message ?? error.message };
        if (error instanceof WorkflowNotFoundError || (error instanceof Error && /already completed/i.test(error.message))) {
          return { completed: false, reason: 'task closed' };
        }
        throw error;
      }
    },
  };
}
