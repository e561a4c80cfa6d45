/**
 * Recording a home visit (issue #4). The plan's workflow decides whether a visit counts
 * (the `recordVisit` update's validator: not in the future, inside the plan, not a
 * duplicate); the findings are personal data, so they go to Postgres, never into the
 * workflow's history:
 *
 * 1. write the visit as 'pending' (its id derived from the Idempotency-Key when given);
 * 2. run the update with the visit's id, date, visitor and what the plan must act on;
 * 3. accepted: the handler has marked the row 'recorded'; refused: the row is deleted and
 *    the validator's reason is the 409.
 *
 * A crash between 1 and 2 leaves a pending row that nothing shows or counts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { findChild } from '../../db/children-repository';
import type { Pool } from '../../db/pool';
import { deletePendingVisit, findVisit, insertPendingVisit, listVisits, type VisitRecord } from '../../db/visits-repository';
import { GUARDIANSHIP_LEVEL_LABELS, NEED_SERVICES, assessmentLevel } from '../../domain/visits';
import { keyCareVisitsWorkflowId } from '../../temporal/workflow-ids';
import { keyCarePlanQuery, recordVisitUpdate, type KeyCarePlanState } from '../../workflows/messages';
import { ApiError, notFound } from '../errors';
import { runWorkflowUpdate } from '../workflow-updates';
import type { RecordVisitBody, VisitView } from './schemas';

export interface VisitDeps {
  pool: Pool;
  temporal: Client;
}

/** A UUID derived from text: the same Idempotency-Key gives the same visit. */
function uuidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function toVisitView(record: VisitRecord): VisitView {
  return {
    id: record.id,
    childId: record.childId,
    visitedOn: record.visitedOn,
    visitor: record.visitor,
    notes: record.notes,
    livingSecurity: record.livingSecurity,
    guardianship: record.guardianship,
    medicalCare: record.medicalCare,
    schooling: record.schooling,
    assessment: record.assessment ? { ...record.assessment, levelLabel: GUARDIANSHIP_LEVEL_LABELS[record.assessment.level] } : null,
    needs: record.needs.map((need) => ({ ...need, serviceLabel: NEED_SERVICES[need.service].label })),
    planId: record.planId,
    quarter: record.quarter,
    slot: record.slot,
    taskId: record.taskId,
    recordedAt: record.recordedAt,
  };
}

async function requireChild(deps: VisitDeps, childId: string): Promise<void> {
  if (!(await findChild(deps.pool, childId))) throw notFound('儿童', 'params.id');
}

/** No running plan: the child is not (or no longer) in the key-care ledger. */
async function requireRunningPlan(deps: VisitDeps, childId: string): Promise<void> {
  const description = await deps.temporal.workflow
    .getHandle(keyCareVisitsWorkflowId(childId))
    .describe()
    .catch((error: unknown) => {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    });
  if (description?.status.name !== 'RUNNING') {
    const message = '该儿童没有进行中的走访计划（不在重点关爱台账中，或计划已结束）';
    throw new ApiError(409, 'ACTION_NOT_ALLOWED', message, [{ path: 'params.id', message }]);
  }
}

export async function recordVisit(deps: VisitDeps, childId: string, body: RecordVisitBody, idempotencyKey?: string): Promise<{ created: boolean; visit: VisitView }> {
  await requireChild(deps, childId);
  const visitId = idempotencyKey ? uuidFrom(`visit:${childId}:${idempotencyKey}`) : randomUUID();
  const earlier = await findVisit(deps.pool, visitId);
  // A retried request: the visit it recorded, unchanged.
  if (earlier?.status === 'recorded' && earlier.childId === childId) return { created: false, visit: toVisitView(earlier) };
  await requireRunningPlan(deps, childId);

  const visitor = body.visitor.replace(/\s+/g, ' ');
  await insertPendingVisit(deps.pool, {
    id: visitId,
    childId,
    visitedOn: body.visitedOn,
    visitor,
    notes: body.notes,
    livingSecurity: body.livingSecurity,
    guardianship: body.guardianship,
    medicalCare: body.medicalCare,
    schooling: body.schooling,
    assessment: body.assessment ? { ...body.assessment, ...assessmentLevel(body.assessment.scores) } : null,
    needs: body.needs,
  });
  try {
    await runWorkflowUpdate(
      deps.temporal,
      keyCareVisitsWorkflowId(childId),
      recordVisitUpdate,
      [{ visitId, visitedOn: body.visitedOn, visitor, assessed: Boolean(body.assessment), taskNeeds: body.needs.filter((n) => n.openTask).map((n) => n.service) }],
      { field: 'body.visitedOn', updateId: `visit:${visitId}` },
    );
  } catch (error) {
    // Refused by the plan: nothing counts, so nothing stays. Any other failure leaves the
    // row pending: the update may still have been accepted.
    if (error instanceof ApiError) await deletePendingVisit(deps.pool, visitId);
    throw error;
  }
  const recorded = await findVisit(deps.pool, visitId);
  if (!recorded) throw new Error(`visit ${visitId} vanished after its update`);
  return { created: true, visit: toVisitView(recorded) };
}

export async function getVisit(deps: VisitDeps, childId: string, visitId: string): Promise<VisitView> {
  const visit = await findVisit(deps.pool, visitId);
  if (!visit || visit.childId !== childId || visit.status !== 'recorded') throw notFound('走访记录', 'params.visitId');
  return toVisitView(visit);
}

export async function searchVisits(deps: VisitDeps, childId: string, query: { quarter?: string; page: number; pageSize: number }) {
  await requireChild(deps, childId);
  const { items, total } = await listVisits(deps.pool, childId, query);
  return { items: items.map(toVisitView), total, page: query.page, pageSize: query.pageSize };
}

/** The plan's live state: this quarter's quota, done, due, overdue, and the last 8 quarters. */
export async function getVisitPlan(deps: VisitDeps, childId: string): Promise<KeyCarePlanState> {
  await requireChild(deps, childId);
  try {
    return await deps.temporal.workflow.getHandle(keyCareVisitsWorkflowId(childId)).query(keyCarePlanQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw notFound('走访计划', 'params.id');
    throw error;
  }
}
