/**
 * Starts a `bureauTask` workflow (`task:<taskId>`) outside a workflow: from an activity (a
 * visit plan's tasks, issue #4) or the API (entitlement referrals, issue #12). Idempotent:
 * a retry finds it running (USE_EXISTING) or finished (REJECT_DUPLICATE) and starts nothing.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { bureauTask } from '../workflows/bureau-task';
import type { BureauTaskInput } from '../workflows/messages';
import { bureauTaskWorkflowId } from './workflow-ids';

export async function startBureauTask(client: Client, taskQueue: string, input: BureauTaskInput): Promise<void> {
  try {
    await client.workflow.start<typeof bureauTask>('bureauTask', {
      workflowId: bureauTaskWorkflowId(input.taskId),
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
