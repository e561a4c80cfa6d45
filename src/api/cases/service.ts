/**
 * Opening a case: the read-model row and the case's workflow start in one transaction (as
 * for the register), one open case per child and type, and an Idempotency-Key that makes a
 * retried POST return the same case.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { appendAudit } from '../../db/audit';
import { caseTasks, caseTimeline, findCase, findCaseByIdempotencyKey, findOpenCase, insertCase } from '../../db/cases-repository';
import { findChild } from '../../db/children-repository';
import { inTransaction, type Pool } from '../../db/pool';
import { CASE_TYPE_LABELS, type CaseState } from '../../domain/cases';
import { DEFAULT_ESCALATION_POLICY, type EscalationPolicy } from '../../domain/escalation';
import { caseWorkflowId } from '../../temporal/workflow-ids';
import { caseStateQuery } from '../../workflows/messages';
import { ApiError, notFound } from '../errors';
import type { CaseView, OpenCaseBody } from './schemas';
import { caseTypeModule } from './types';

export interface CaseDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
}

async function countyPolicy(pool: Pool, countyCode: string): Promise<EscalationPolicy> {
  const row = (await pool.query<{ policy: EscalationPolicy }>('SELECT policy FROM county_escalation_policies WHERE county_code = $1', [countyCode])).rows[0];
  return row?.policy ?? DEFAULT_ESCALATION_POLICY;
}

export async function openCase(deps: CaseDeps, body: OpenCaseBody, idempotencyKey: string | undefined): Promise<{ status: 200 | 201; view: { id: string; type: string; stage: string } }> {
  const module = caseTypeModule(body.type);
  if (!module) throw new ApiError(400, 'VALIDATION_FAILED', '请求参数不符合要求', [{ path: 'body.type', message: '不支持的案件类型' }]);
  if (idempotencyKey) {
    const earlier = await findCaseByIdempotencyKey(deps.pool, idempotencyKey);
    if (earlier) {
      if (earlier.childId !== body.childId || earlier.type !== body.type) {
        throw new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', '该 Idempotency-Key 已用于另一个案件', [{ path: 'headers.idempotency-key', message: `已用于案件 ${earlier.id}` }]);
      }
      return { status: 201, view: { id: earlier.id, type: earlier.type, stage: earlier.stage } };
    }
  }
  const child = await findChild(deps.pool, body.childId);
  if (!child) throw new ApiError(404, 'NOT_FOUND', '儿童不存在', [{ path: 'body.childId', message: '未找到该儿童' }]);
  const countyCode = child.residence.countyCode;
  const duplicate = async () => {
    const open = await findOpenCase(deps.pool, body.childId, body.type);
    return new ApiError(409, 'DUPLICATE_CASE', `该儿童已有未结的${CASE_TYPE_LABELS[body.type]}案件`, [{ path: 'body.childId', message: `已有案件 ${open?.id ?? ''}` }], { existingId: open?.id });
  };

  const id = randomUUID();
  const policy = await countyPolicy(deps.pool, countyCode);
  // Rules that need the child run first: a refused request writes nothing.
  const input = module.prepare({ body, child, caseId: id, policy });
  if (await findOpenCase(deps.pool, body.childId, body.type)) throw await duplicate();

  const workflowId = caseWorkflowId(body.type, id);
  const stage = module.initialStage;
  const actor = module.actor(body);
  const inserted = await inTransaction(deps.pool, async (client) => {
    if (!(await insertCase(client, { id, type: body.type, childId: body.childId, countyCode, townshipCode: module.townshipCode?.(body), workflowId, stage, idempotencyKey }))) return false;
    await appendAudit(client, { actor, entityType: 'case', entityId: id, action: 'case.opened', summary: { after: { type: body.type, stage, county: countyCode } } });
    await deps.temporal.workflow.start(module.workflowType, {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      // Search attributes: type, county, stage and level only, never personal data.
      searchAttributes: { CaseType: [body.type], County: [countyCode], Stage: [stage], EscalationLevel: [0] },
    });
    return true;
  });
  if (!inserted) {
    // A concurrent POST won the race (same key, or another open case of the type).
    const same = idempotencyKey ? await findCaseByIdempotencyKey(deps.pool, idempotencyKey) : undefined;
    if (same) return { status: 201, view: { id: same.id, type: same.type, stage: same.stage } };
    throw await duplicate();
  }
  return { status: 201, view: { id, type: body.type, stage } };
}

export async function loadCase(deps: CaseDeps, id: string): Promise<CaseView> {
  const record = await findCase(deps.pool, id);
  if (!record) throw notFound('案件', 'params.id');
  // The live state when the workflow answers; the read model otherwise (closed long ago).
  const live: CaseState | undefined = await deps.temporal.workflow
    .getHandle(record.workflowId)
    .query(caseStateQuery)
    .catch(() => undefined);
  const [timeline, { tasks, escalations }] = await Promise.all([caseTimeline(deps.pool, id), caseTasks(deps.pool, id, new Date())]);
  const stage = live?.stage ?? record.stage;
  return {
    id: record.id,
    type: record.type,
    typeLabel: CASE_TYPE_LABELS[record.type],
    childId: record.childId,
    countyCode: record.countyCode,
    status: live?.status ?? record.status,
    stage,
    stageLabel: caseTypeModule(record.type)?.stageLabels[stage] ?? stage,
    outcome: live?.outcome ?? record.outcome,
    escalationLevel: live?.escalationLevel ?? record.escalationLevel,
    openTasks: tasks.filter((task) => task.status === 'open' || task.status === 'acknowledged'),
    escalations,
    facts: live?.facts ?? {},
    timeline,
    openedAt: record.openedAt,
    closedAt: record.closedAt,
  };
}
