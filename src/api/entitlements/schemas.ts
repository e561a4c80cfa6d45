/** Issue #12: request and response shapes of the service lists (R2) and entitlements (M3). */
import { z } from 'zod';
import { SCHOOLING_STATUSES } from '../../domain/child';
import { REFERRAL_MODES } from '../../domain/catalogue/items';
import { RULE_FLAGS } from '../../domain/catalogue/rules';
import { calendarDate } from '../children/schemas';
import { errorBodySchema } from '../errors';

const text = (max: number, what: string) => z.string().trim().min(1, `${what}不能为空`).max(max);

const condition = z
  .strictObject({
    ageYears: z
      .strictObject({ min: z.number().int().min(0).max(18).optional(), max: z.number().int().min(0).max(18).optional() })
      .refine((age) => age.min === undefined || age.max === undefined || age.min <= age.max, '年龄下限不能大于上限')
      .optional(),
    schooling: z.array(z.enum(SCHOOLING_STATUSES)).min(1).optional(),
    heightCmAtMost: z.number().gt(0).lt(250).optional(),
    anyFlag: z.array(z.enum(RULE_FLAGS)).min(1).optional(),
  })
  .describe('各项同时满足；省略的项不作限制（空对象表示所有流动儿童）');

export const catalogueItemSchema = z.strictObject({
  id: z.string().regex(/^[A-Z][A-Z0-9-]{0,19}$/, '项目编号应为大写字母开头的字母、数字或连字符（如 S3、BF-1）'),
  category: text(20, '类别'),
  name: text(100, '服务项目'),
  who: text(200, '服务对象'),
  content: text(2000, '服务内容'),
  eligibility: z.strictObject({ anyOf: z.array(condition).min(1).max(20) }).describe('服务对象规则：满足任一条件即可'),
  departments: z.array(z.string()).min(1).max(10).describe('责任部门类别（见部门目录，如 mz、jt）'),
  lead: z.string().describe('牵头部门类别，接收转介任务'),
  referral: z.enum(REFERRAL_MODES).default('task'),
});

export const publishListBody = z.strictObject({
  label: text(100, '清单名称'),
  effectiveFrom: calendarDate.optional().describe('生效日期，默认今天，不得早于今天'),
  referralWorkingDays: z.number().int().min(1).max(60).optional().describe('转介任务办理时限（工作日），不得长于基础清单'),
  items: z.array(catalogueItemSchema).min(1).max(200),
});
export type PublishListBody = z.infer<typeof publishListBody>;

export const serviceListView = z.object({
  countyCode: z.string().nullable(),
  version: z.number(),
  label: z.string(),
  effectiveFrom: z.string(),
  referralWorkingDays: z.number(),
  items: z.array(catalogueItemSchema),
});

export const listQuery = z.strictObject({ on: calendarDate.optional().describe('日期，默认今天') });

export const listRejectedSchema = errorBodySchema.extend({
  items: z.array(z.string()).optional().describe('有问题的项目编号'),
  problems: z.array(z.object({ kind: z.string(), itemId: z.string(), path: z.string(), message: z.string() })).optional(),
});

export const entitlementsView = z.object({
  childId: z.string(),
  countyCode: z.string(),
  asOf: z.string(),
  list: z.object({ countyCode: z.string().nullable(), version: z.number(), label: z.string(), effectiveFrom: z.string() }),
  items: z.array(
    z.object({
      id: z.string(),
      category: z.string(),
      name: z.string(),
      who: z.string(),
      content: z.string(),
      reason: z.string().describe('匹配的服务对象条件'),
      departments: z.array(z.object({ kind: z.string(), kindName: z.string(), code: z.string(), lead: z.boolean() })),
      referral: z.object({
        mode: z.enum(REFERRAL_MODES),
        status: z.string(),
        taskId: z.string().nullable(),
        departmentCode: z.string().nullable(),
        outcomeNote: z.string().nullable(),
      }),
    }),
  ),
});
export type EntitlementsView = z.infer<typeof entitlementsView>;
