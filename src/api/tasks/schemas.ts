import { z } from 'zod';

export const taskIdParams = z.strictObject({ id: z.uuid('任务编号应为 UUID') });

const booleanQuery = z.enum(['true', 'false'], '应为 true 或 false').transform((value) => value === 'true');

export const listTasksQuery = z.strictObject({
  assignee: z.string().min(1).max(80).optional(),
  status: z.enum(['open', 'acknowledged', 'completed', 'cancelled']).optional(),
  overdue: booleanQuery.optional(),
  caseId: z.uuid().optional(),
  /** Tasks of one county (a county's caseworkers and supervisors see only theirs, issue #10). */
  county: z.string().regex(/^\d{6}$/, '行政区划代码应为 6 位数字').optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const acknowledgeBody = z.strictObject({ by: z.string().trim().min(1, '需要填写确认人').max(50) });

export const completeBody = z.strictObject({
  outcome: z.string().trim().min(1, '需要填写办理结果').max(50),
  note: z.string().trim().max(2000).optional(),
  by: z.string().trim().min(1, '需要填写办理人').max(50),
});

export const taskView = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  instructions: z.string(),
  assignee: z.object({ departmentCode: z.string(), person: z.string().nullable() }),
  countyCode: z.string(),
  caseId: z.string().nullable(),
  caseType: z.string().nullable(),
  acceptedOutcomes: z.array(z.object({ code: z.string(), label: z.string(), requiresNote: z.boolean().optional() })),
  status: z.enum(['open', 'acknowledged', 'completed', 'cancelled']),
  dueAt: z.string(),
  dueBeyondCalendar: z.boolean().describe('时限超出已公布节假日安排的年份，需人工核对'),
  overdue: z.boolean(),
  escalationLevel: z.number(),
  escalations: z.array(z.object({ level: z.number(), recipient: z.string(), label: z.string(), at: z.string() })),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  completedAt: z.string().nullable(),
  completedBy: z.string().nullable(),
  outcome: z.string().nullable(),
  outcomeNote: z.string().nullable(),
  createdAt: z.string(),
});
export type TaskView = z.infer<typeof taskView>;

export const taskListView = z.object({ items: z.array(taskView), page: z.number(), pageSize: z.number(), total: z.number() });
