/**
 * For the fault and load tests (issue #11): drive W1 drop-out cases through the API and
 * read back everything a case left behind, so that a case run through a fault can be
 * compared with one run undisturbed. "Nothing lost or doubled" = the same shape, and every
 * mail of the case received under exactly one Message-ID.
 */
import { childBody } from './fixtures';
import { eventually } from './eventually';
import { bureauTaskWorkflowId, caseWorkflowId, childIntakeWorkflowId } from '../../src/temporal/workflow-ids';
import type { TestStack } from './stack';

export interface OpenedCase {
  caseId: string;
  childId: string;
}

/** A child registered and a drop-out case opened for it (W1.1), both with idempotency keys. */
export async function openDropoutCase(stack: TestStack): Promise<OpenedCase> {
  const child = await stack.request('POST', '/api/v1/children', childBody());
  if (child.status !== 201) throw new Error(`child not registered: ${child.status} ${JSON.stringify(child.body)}`);
  const report = { kind: 'suspected', absenceDays: 5, source: 'school', reportedBy: '班主任李老师' };
  const opened = await stack.request(
    'POST',
    '/api/v1/cases',
    { type: 'dropout', childId: child.body.id, townshipCode: '410402001', report },
    { 'idempotency-key': `open-${child.body.id}` },
  );
  if (opened.status !== 201) throw new Error(`case not opened: ${opened.status} ${JSON.stringify(opened.body)}`);
  return { caseId: opened.body.id, childId: child.body.id };
}

/** The education bureau confirms the suspected drop-out (W1.2): the case moves to persuasion. */
export async function confirmVerification(stack: TestStack, caseId: string, timeoutMs = 60_000): Promise<void> {
  const task = await eventually(
    async () => (await stack.db.pool.query<{ id: string }>(`SELECT id FROM tasks WHERE case_id = $1 AND kind = 'dropout.verify'`, [caseId])).rows[0],
    (row) => row !== undefined,
    timeoutMs,
  );
  // A retry after a lost answer is refused as already done (409): the stage says which won.
  const completed = await stack.request('POST', `/api/v1/tasks/${task!.id}/complete`, { outcome: 'confirmed', by: '教体局张科长' });
  if (completed.status !== 200 && completed.status !== 409) throw new Error(`task not completed: ${completed.status} ${JSON.stringify(completed.body)}`);
  await eventually(() => stack.request('GET', `/api/v1/cases/${caseId}`), (r) => r.body.stage === 'persuasion', timeoutMs);
}

export interface CaseShape {
  stage: string;
  status: string;
  /** `kind:status` of each task of the case, sorted. */
  tasks: string[];
  /** Kinds of the case's timeline events, sorted. */
  events: string[];
  /** Audit actions on the child, the case and its tasks, sorted. */
  audit: string[];
  /** Outbox rows (template-independent: recipient + subject), sorted; each must be sent. */
  mails: string[];
  /** Message-IDs of the outbox rows. */
  messageIds: string[];
}

export async function caseShape(stack: TestStack, opened: OpenedCase): Promise<CaseShape> {
  const { pool } = stack.db;
  const kase = (await pool.query<{ stage: string; status: string }>('SELECT stage, status FROM cases WHERE id = $1', [opened.caseId])).rows[0];
  const tasks = (await pool.query<{ id: string; kind: string; status: string }>('SELECT id, kind, status FROM tasks WHERE case_id = $1', [opened.caseId])).rows;
  const events = (await pool.query<{ kind: string }>('SELECT kind FROM case_events WHERE case_id = $1', [opened.caseId])).rows;
  const entities = [opened.caseId, opened.childId, ...tasks.map((t) => t.id)];
  const audit = (await pool.query<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ANY($1)', [entities])).rows;
  const mails = (
    await pool.query<{ recipient: string; subject: string; message_id: string; sent_at: Date | null }>(
      `SELECT recipient, subject, message_id, sent_at FROM notifications WHERE idempotency_key LIKE ANY($1)`,
      [entities.map((id) => `%${id}%`)],
    )
  ).rows;
  return {
    stage: kase?.stage ?? 'missing',
    status: kase?.status ?? 'missing',
    tasks: tasks.map((t) => `${t.kind}:${t.status}`).sort(),
    events: events.map((e) => e.kind).sort(),
    audit: audit.map((a) => a.action).sort(),
    mails: mails.map((m) => `${m.recipient}|${m.subject}|${m.sent_at ? 'sent' : 'unsent'}`).sort(),
    messageIds: mails.map((m) => m.message_id).sort(),
  };
}

/** The shape without its Message-IDs, which differ from case to case. */
export function comparable(shape: CaseShape): Omit<CaseShape, 'messageIds'> {
  const { messageIds: _ids, ...rest } = shape;
  return rest;
}

/**
 * Waits until the case's workflows (intake, case, tasks) have no activity scheduled or
 * running and every mail of the case is marked sent: nothing more can still happen.
 */
export async function settledShape(stack: TestStack, opened: OpenedCase, timeoutMs = 90_000): Promise<CaseShape> {
  let previous: CaseShape | undefined;
  return eventually(
    async () => {
      const shape = await caseShape(stack, opened);
      const tasks = (await stack.db.pool.query<{ id: string }>('SELECT id FROM tasks WHERE case_id = $1', [opened.caseId])).rows;
      const ids = [childIntakeWorkflowId(opened.childId), caseWorkflowId('dropout', opened.caseId), ...tasks.map((t) => bureauTaskWorkflowId(t.id))];
      const descriptions = await Promise.all(ids.map((id) => stack.env.client.workflow.getHandle(id).describe()));
      // Nothing scheduled: no activity, and no workflow task (a completed child task not yet
      // taken in by the case workflow schedules its next activity only then).
      const busy = descriptions.some((d) => (d.raw.pendingActivities ?? []).length > 0 || d.raw.pendingWorkflowTask);
      const settled = !busy && shape.mails.every((m) => m.endsWith('|sent'));
      // And the same twice in a row: the read model has caught up.
      const stable = settled && previous !== undefined && JSON.stringify(previous) === JSON.stringify(shape);
      previous = settled ? shape : undefined;
      return { shape, stable };
    },
    (read) => read.stable,
    timeoutMs,
  ).then((read) => read.shape);
}
