/**
 * The case API's shapes (shared by W1-W4): a discriminated union by `type` to open a case,
 * and one by `action` per type for what caseworkers record. Lifecycles not yet built are
 * not in the union, so opening one is a clear 400 rather than a case nothing runs.
 */
import { z } from 'zod';
import { calendarDate } from '../children/schemas';
import { isCountyCode } from '../../domain/regions';

const by = z.string().trim().min(1, '需要填写经办人').max(50);

const dropoutParamsOverride = z
  .strictObject({
    verifyWorkingDays: z.number().int().min(1).max(30),
    persuasionDays: z.number().int().min(1).max(90),
    orderDays: z.number().int().min(1).max(90),
    measuresWorkingDays: z.number().int().min(1).max(60),
    legalActionWorkingDays: z.number().int().min(1).max(60),
    followUpMonths: z.number().int().min(1).max(12),
    handoffWorkingDays: z.number().int().min(1).max(60),
  })
  .partial();

export const openDropoutCase = z.strictObject({
  type: z.literal('dropout'),
  childId: z.uuid('儿童编号应为 UUID'),
  townshipCode: z.string().regex(/^\d{9}$/, '乡镇（街道）代码应为 9 位数字').optional(),
  report: z.strictObject({
    kind: z.enum(['at-risk', 'suspected', 'dropped-out']),
    absenceDays: z.number().int().min(0).max(365),
    source: z.enum(['school', 'children-director', 'survey', 'other']),
    reportedBy: by,
  }),
  params: dropoutParamsOverride.optional(),
});

export const openCaseBody = z.discriminatedUnion('type', [openDropoutCase]);
export type OpenCaseBody = z.infer<typeof openCaseBody>;

export const dropoutActionBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('log-persuasion-visit'), date: calendarDate, visitor: z.string().trim().min(1).max(50), result: z.enum(['agreed', 'refused', 'not-home']), note: z.string().trim().max(2000).optional(), by }),
  z.strictObject({ action: z.literal('record-return'), date: calendarDate, school: z.string().trim().min(1).max(100), by }),
  z.strictObject({ action: z.literal('record-relapse'), date: calendarDate, note: z.string().trim().min(1).max(2000), by }),
  z.strictObject({ action: z.literal('record-moved-back'), date: calendarDate, hukouCountyCode: z.string().regex(/^\d{6}$/).refine(isCountyCode, '未知的行政区划代码'), by }),
  z.strictObject({ action: z.literal('record-court-outcome'), date: calendarDate, result: z.string().trim().min(1).max(2000), by }),
]);

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
});
export type CaseView = z.infer<typeof caseView>;
