/**
 * The register's hook into the key-care visit plans (issue #4), called by the children
 * service: a child in the key-care ledger (M2) has exactly one running `keyCareVisits`
 * workflow, `key-care-visits:<childId>`.
 *
 * - The plan is started inside the register's transaction, like the intake workflow: a
 *   failed start rolls the change back; a commit that fails after the start leaves a plan
 *   whose first activity finds no key-care child, and it ends quietly. The transaction
 *   holds a lock the plan's reads wait for, so a plan never reads the register before the
 *   commit. USE_EXISTING makes every retry, and every later change of a key-care child,
 *   the same plan.
 * - A change the plan must react to (out of the ledger: the closing assessment; back in it;
 *   a new residence: a hand-over) is signalled after the commit, so the plan re-reads
 *   committed data. Should the signal be lost, the plan re-reads the register at its next
 *   quarter anyway.
 */
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { ChildRecord } from '../../db/children-repository';
import type { PoolClient } from '../../db/pool';
import { holdChildForPlan } from '../../db/visits-repository';
import { keyCareVisitsWorkflowId } from '../../temporal/workflow-ids';
import type { keyCareVisits } from '../../workflows/key-care-visits';
import { keyCareChangedSignal } from '../../workflows/messages';

export interface PlanHookDeps {
  temporal: Client;
  taskQueue: string;
}

/** Inside the register's transaction (`client`), after the child's row is written. */
export async function startKeyCarePlan(deps: PlanHookDeps, client: PoolClient, childId: string): Promise<void> {
  await holdChildForPlan(client, childId);
  await deps.temporal.workflow.start<typeof keyCareVisits>('keyCareVisits', {
    workflowId: keyCareVisitsWorkflowId(childId),
    taskQueue: deps.taskQueue,
    args: [{ childId }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
}

/** For an update of the register: `changed` inside the transaction, `afterCommit` after it. */
export function keyCarePlanSync(deps: PlanHookDeps, childId: string) {
  let signal = false;
  return {
    async changed(client: PoolClient, before: ChildRecord, after: ChildRecord): Promise<void> {
      if (after.keyCare) await startKeyCarePlan(deps, client, childId);
      const moved = before.residence.countyCode !== after.residence.countyCode || before.residence.township !== after.residence.township;
      signal = before.keyCare !== after.keyCare || (after.keyCare && moved);
    },
    async afterCommit(): Promise<void> {
      if (!signal) return;
      try {
        await deps.temporal.workflow.getHandle(keyCareVisitsWorkflowId(childId)).signal(keyCareChangedSignal);
      } catch {
        // No plan running (it ended), or Temporal unreachable: the change is committed and
        // the plan, if any, re-reads the register at its next quarter.
      }
    },
  };
}
