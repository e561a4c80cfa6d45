/**
 * The department directory's request and response shapes (issue #3 item 1). Messages in
 * Chinese; every object strict. Rules that need several fields or the database (region fits
 * the level, the superior exists) are checked in routes.ts.
 */
import { z } from 'zod';
import { DEPARTMENT_KIND_CODES, DEPARTMENT_LEVELS, SERVICE_TIERS } from '../../domain/department-catalog';
import { isCountyCode, PINGDINGSHAN_CITY, townshipName } from '../../domain/regions';

const departmentCode = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/, '部门代码应为小写字母、数字和连字符，如 mz-410402');

const mailbox = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email('邮箱地址格式不正确'))
  .transform((value) => value.toLowerCase());

const kind = z.enum(DEPARTMENT_KIND_CODES as [string, ...string[]], '未知的部门类别');
const level = z.enum(DEPARTMENT_LEVELS, '层级应为 city、county、township 或 outside');

const regionCode = z
  .string()
  .regex(/^\d{6}(\d{3})?$/, '行政区划代码应为 6 位（县级）或 9 位（乡镇）数字')
  .refine(
    (code) => code === PINGDINGSHAN_CITY || (code.length === 6 ? isCountyCode(code) : townshipName(code) !== undefined),
    '未知的行政区划代码',
  );

const name = z.string().trim().min(1, '名称不能为空').max(100);
const serviceTier = z.enum(SERVICE_TIERS, '服务层级应为 low、medium 或 high');

export const createDepartmentBody = z.strictObject({
  code: departmentCode
    .optional()
    .describe('省略时按规则生成：<类别>-<区划代码>、xz-<乡镇代码>、outside-<类别>-<县级代码>；给出时须为该代码或其后加 -<后缀>'),
  kind: kind.describe('部门类别，如 mz（民政局）；乡镇（街道）为 xz'),
  level,
  regionCode: regionCode.describe('city: 410400；county: 平顶山市的县级代码；township: 9 位乡镇代码；outside: 平顶山市外的县级代码'),
  name: name.optional().describe('省略时按类别和区划生成，如 新华区民政局'),
  mailbox,
  headMailbox: mailbox.describe('部门负责人邮箱（督办第二级）'),
  superiorCode: departmentCode.nullable().optional().describe('上级部门代码；省略时按规则取默认上级（存在时），null 表示没有上级'),
  serviceTier: serviceTier.nullable().default(null).describe('心理健康服务机构的层级（W2.4）'),
  active: z.boolean().default(true),
});
export type CreateDepartmentBody = z.infer<typeof createDepartmentBody>;

export const patchDepartmentBody = z
  .strictObject({
    name,
    mailbox,
    headMailbox: mailbox,
    superiorCode: departmentCode.nullable(),
    serviceTier: serviceTier.nullable(),
    active: z.boolean(),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, '至少需要修改一个字段');
export type PatchDepartmentBody = z.infer<typeof patchDepartmentBody>;

export const departmentCodeParams = z.strictObject({ code: departmentCode });

const booleanQuery = z.enum(['true', 'false'], '应为 true 或 false').transform((value) => value === 'true');

export const listDepartmentsQuery = z.strictObject({
  level: level.optional(),
  kind: kind.optional(),
  region: z
    .string()
    .regex(/^\d{6}(\d{3})?$/, '行政区划代码应为 6 位或 9 位数字')
    .optional()
    .describe('该区划的部门；县级代码时也包括其下的乡镇（街道）'),
  active: booleanQuery.optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListDepartmentsQuery = z.infer<typeof listDepartmentsQuery>;

export const departmentView = z.object({
  code: z.string(),
  kind: z.string(),
  kindName: z.string().describe('方案中的类别名称，如 教体局'),
  level: z.enum(DEPARTMENT_LEVELS),
  name: z.string(),
  regionCode: z.string(),
  regionName: z.string(),
  mailbox: z.string(),
  headMailbox: z.string(),
  superiorCode: z.string().nullable(),
  serviceTier: z.enum(SERVICE_TIERS).nullable(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DepartmentView = z.infer<typeof departmentView>;

export const departmentListView = z.object({
  items: z.array(departmentView),
  page: z.number(),
  pageSize: z.number(),
  total: z.number(),
});
