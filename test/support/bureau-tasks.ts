/**
 * Bare bureau tasks (src/workflows/bureau-task.ts) started straight on Temporal, and their
 * outbox rows: for the exactly-once and fault tests, which need many tasks fast and no API.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Pool } from '../../src/db/pool';
import { bureauTaskWorkflowId } from '../../src/temporal/workflow-ids';
import type { BureauTaskInput } from '../../src/workflows/messages';

export const ASSIGNEE = 'jt-410402@pds.careflow.local';

/** A W1.2 verification task for the education bureau of 410402, due in 72 hours unless `overrides` say otherwise. */
export function bureauTaskInput(overrides: Partial<BureauTaskInput> = {}): BureauTaskInput {
  return {
    taskId: randomUUID(),
    kind: 'dropout.verify',
    title: '核查辍学儿童并查找下落（W1.2）',
    instructions: '请会同乡镇、公安核实儿童是否辍学并查找其下落。',
    assignee: { departmentCode: 'jt-410402' },
    countyCode: '410402',
    due: { hours: 72 },
    acceptedOutcomes: [{ code: 'done', label: '已办' }],
    ...overrides,
  };
}

export async function startBureauTasks(client: Client, inputs: BureauTaskInput[], taskQueue: string): Promise<void> {
  await Promise.all(inputs.map((input) => client.workflow.start('bureauTask', { workflowId: bureauTaskWorkflowId(input.taskId), taskQueue, args: [input] })));
}

export interface OutboxRow {
  idempotency_key: string;
  message_id: string;
  attempts: number;
  sent_at: Date | null;
}

export async function outboxRows(pool: Pool, keys: string[]): Promise<OutboxRow[]> {
  const result = await pool.query<OutboxRow>(
    'SELECT idempotency_key, message_id, attempts, sent_at FROM notifications WHERE idempotency_key = ANY($1) ORDER BY idempotency_key',
    [keys],
  );
  return result.rows;
}

/** True when none of the tasks' workflows has an activity scheduled or running. */
export async function noPendingActivities(client: Client, inputs: BureauTaskInput[]): Promise<boolean> {
  const descriptions = await Promise.all(inputs.map((i) => client.workflow.getHandle(bureauTaskWorkflowId(i.taskId)).describe()));
  return descriptions.every((d) => (d.raw.pendingActivities ?? []).length === 0);
}
