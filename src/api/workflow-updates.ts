/**
 * Caseworker and bureau actions are Temporal updates with validators (architecture.md).
 * This runs one and turns a rejection into the API's error body: the validator's Chinese
 * reason, 409, and nothing changed.
 */
import { WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ApiError } from './errors';

export async function runWorkflowUpdate<Ret, Args extends [unknown, ...unknown[]]>(
  client: Client,
  workflowId: string,
  update: UpdateDefinition<Ret, Args>,
  args: Args,
  options: { updateId?: string; field: string },
): Promise<Ret> {
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(update, { args, updateId: options.updateId });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      const reason = error.cause?.message ?? error.message;
      throw new ApiError(409, 'ACTION_NOT_ALLOWED', reason, [{ path: options.field, message: reason }]);
    }
    if (error instanceof WorkflowNotFoundError || (error instanceof Error && /already completed|not found/i.test(error.message))) {
      throw new ApiError(409, 'ACTION_NOT_ALLOWED', '该流程已结束，不能再办理', [{ path: options.field, message: '流程已结束' }]);
    }
    throw error;
  }
}
