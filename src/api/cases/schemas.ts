/**
 * The case API's shapes (shared by W1-W4): a discriminated union by `type` to open a case,
 * and one by `action` per type for what caseworkers record. Lifecycles not yet built are
 * not in the union, so opening one is a clear 400 rather than a case nothing runs.
 */
import { z } from 'zod';
import type { CaseType } from '../../domain/cases';
import type { CaseTypeModule } from './case-type';
import { CASE_TYPE_MODULES } from './types';

type OpenSchema = CaseTypeModule['openSchema'];

const openSchemas = CASE_TYPE_MODULES.map((module) => module.openSchema) as unknown as [OpenSchema, ...OpenSchema[]];
/** Open a case: one schema per lifecycle, chosen by `type`. */
export const openCaseBody = z.discriminatedUnion('type', openSchemas);
/** What every open request has; the rest is the lifecycle's own (its module types it). */
export type OpenCaseBody = { type: CaseType; childId: string } & Record<string, unknown>;

/**
 * The envelope of an action: which fields it needs depends on the case's type and the
 * action, so the route checks it against the case's own schema (field-level errors).
 */
export const caseActionBody = z
  .looseObject({ action: z.string().min(1, '需要填写操作（action）').max(50) })
  .describe(`按案件类型区分的操作，如控辍保学：${actionNames().join('、')}`);

function actionNames(): string[] {
  return CASE_TYPE_MODULES.flatMap((module) => {
    const options = (module.actionSchema as unknown as { options?: Array<{ shape: { action: { value: string } } }> }).options ?? [];
    return options.map((option) => option.shape.action.value);
  });
}

export const caseIdParams = z.strictObject({ id: z.uuid('案件编号应为 UUID') });

export const caseCreatedView = z.object({ id: z.string(), type: z.string(), stage: z.string() });

const taskSummary = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  assigneeCode: z.string(),
  status: z.string(),
  dueAt: z.string(),
  overdue: z.boolean(),
  escalationLevel: z.number(),
  outcome: z.string().nullable(),
});

export const caseView = z.object({
  id: z.string(),
  type: z.string(),
  typeLabel: z.string(),
  childId: z.string(),
  countyCode: z.string(),
  status: z.enum(['open', 'closed']),
  stage: z.string(),
  stageLabel: z.string(),
  outcome: z.string().nullable(),
  escalationLevel: z.number(),
  openTasks: z.array(taskSummary),
  escalations: z.array(z.object({ taskId: z.string(), level: z.number(), recipient: z.string(), label: z.string(), at: z.string() })),
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  timeline: z.array(z.object({ at: z.string(), actor: z.string(), kind: z.string(), summary: z.record(z.string(), z.unknown()) })),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  /** Sensitive fields the caller's role does not see (src/security/sensitive-fields.ts). */
  withheld: z.array(z.string()).describe('因角色无权查看而隐去的敏感字段（如心理健康风险等级、监护缺失情形）'),
});
export type CaseView = Omit<z.infer<typeof caseView>, 'withheld'>;
