/**
 * The children API's request and response shapes (M1, M2). Messages in Chinese; every
 * object strict, so an unknown field is an error rather than silently dropped.
 */
import { z } from 'zod';
import {
  DISABILITY_CATEGORIES,
  GENDERS,
  GUARDIAN_RELATIONS,
  HEALTH_INSURANCE,
  SCHOOLING_STATUSES,
} from '../../domain/child';
import { isCalendarDate } from '../../domain/calendar-date';
import { CIRCUMSTANCES, type Circumstance } from '../../domain/catalogue/rules';
import { isCountyCode, PINGDINGSHAN_COUNTIES, PINGDINGSHAN_FUNCTIONAL_ZONES } from '../../domain/regions';
import { RESIDENT_ID_PROBLEMS, validateResidentId } from '../../domain/resident-id';

export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine(isCalendarDate, '日期不存在');

const countyCode = z
  .string()
  .regex(/^\d{6}$/, '行政区划代码应为 6 位数字')
  .refine(isCountyCode, '未知的行政区划代码（GB/T 2260 县级）');

const residentId = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase())
  .superRefine((value, ctx) => {
    const result = validateResidentId(value);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: RESIDENT_ID_PROBLEMS[result.reason] });
  });

const guardian = z.strictObject({
  relation: z.enum(GUARDIAN_RELATIONS),
  name: z.string().trim().min(1, '姓名不能为空').max(50),
  phone: z.string().regex(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, '电话号码格式不正确'),
  livesWithChild: z.boolean(),
});

const disability = z.strictObject({
  hasDisability: z.boolean(),
  category: z.enum(DISABILITY_CATEGORIES).optional(),
  grade: z.number().int().min(1).max(4).optional(),
  certified: z.boolean().optional(),
});

const riskFlags = z.strictObject({
  familyHardship: z.boolean().default(false),
  disability: z.boolean().default(false),
  guardianshipMissing: z.boolean().default(false),
  vagrancy: z.boolean().default(false),
  psychologicalAbnormality: z.boolean().default(false),
});

/** Issue #12: what the service list's rules ask about (S8-S15); each optional, absent = no. */
const circumstances = z.strictObject(
  Object.fromEntries(CIRCUMSTANCES.map((name) => [name, z.boolean().optional()])) as Record<Circumstance, z.ZodOptional<z.ZodBoolean>>,
);
const heightCm = z.number().gt(0, '身高应大于 0').lt(250, '身高应小于 250 厘米').nullable().describe('身高（厘米），用于 S16 免费乘车；未知为 null');

const residence = z.strictObject({
  countyCode: countyCode.refine((code) => PINGDINGSHAN_COUNTIES.includes(code) || PINGDINGSHAN_FUNCTIONAL_ZONES.includes(code), '居住地必须是平顶山市辖区内的县（市、区）'),
  township: z.string().trim().min(1, '乡镇（街道）不能为空').max(50),
  village: z.string().trim().min(1, '村（社区）不能为空').max(50),
});

/** Fields of a profile as the API takes them; create requires all but the defaulted ones. */
const profileFields = {
  name: z.string().trim().min(1, '姓名不能为空').max(50),
  gender: z.enum(GENDERS),
  birthDate: calendarDate,
  residentId,
  hukouRegionCode: countyCode,
  residence,
  arrivalDate: calendarDate,
  guardians: z.array(guardian).max(6),
  schoolingStatus: z.enum(SCHOOLING_STATUSES),
  healthInsurance: z.enum(HEALTH_INSURANCE),
  disability,
  riskFlags,
  helpRequested: z.boolean(),
  heightCm,
  circumstances,
};

export const createChildBody = z.strictObject({
  ...profileFields,
  disability: disability.default({ hasDisability: false }),
  riskFlags: riskFlags.default({
    familyHardship: false,
    disability: false,
    guardianshipMissing: false,
    vagrancy: false,
    psychologicalAbnormality: false,
  }),
  helpRequested: z.boolean().default(false),
  heightCm: heightCm.optional(),
  circumstances: circumstances.default({}),
});
export type CreateChildBody = z.infer<typeof createChildBody>;

export const patchChildBody = z
  .strictObject({ ...profileFields, riskFlags: riskFlags.partial() })
  .partial()
  .refine((body) => Object.keys(body).length > 0, '至少需要修改一个字段');
export type PatchChildBody = z.infer<typeof patchChildBody>;

export const childIdParams = z.strictObject({ id: z.uuid('儿童编号应为 UUID') });

const booleanQuery = z.enum(['true', 'false'], '应为 true 或 false').transform((value) => value === 'true');

export const listChildrenQuery = z.strictObject({
  county: z.string().regex(/^\d{6}$/, '行政区划代码应为 6 位数字').optional(),
  keyCare: booleanQuery.optional(),
  eligible: booleanQuery.optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const eligibilityView = z.object({
  eligible: z.boolean(),
  rule: z.string(),
  reason: z.string(),
  asOf: z.string(),
});

export const childView = z.object({
  id: z.string(),
  name: z.string(),
  gender: z.enum(GENDERS),
  birthDate: z.string(),
  residentIdMasked: z.string().describe('身份证号码（仅显示前 6 位和后 4 位）'),
  hukouRegionCode: z.string(),
  hukouRegionName: z.string(),
  residence: z.object({ countyCode: z.string(), countyName: z.string(), township: z.string(), village: z.string() }),
  arrivalDate: z.string(),
  guardians: z.array(guardian),
  schoolingStatus: z.enum(SCHOOLING_STATUSES),
  healthInsurance: z.enum(HEALTH_INSURANCE),
  disability,
  riskFlags: z.object({
    familyHardship: z.boolean(),
    disability: z.boolean(),
    guardianshipMissing: z.boolean(),
    vagrancy: z.boolean(),
    psychologicalAbnormality: z.boolean(),
  }),
  helpRequested: z.boolean(),
  heightCm: z.number().nullable(),
  circumstances,
  eligibility: eligibilityView,
  keyCare: z.object({ keyCare: z.boolean(), reasons: z.array(z.string()) }),
  leftOn: z
    .string()
    .nullable()
    .describe('经核实已离开居住县的日期（半年监测核实或重点关爱走访复核，M1）；登记新的居住乡镇后清空'),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChildView = z.infer<typeof childView>;

export const childListView = z.object({
  items: z.array(childView),
  page: z.number(),
  pageSize: z.number(),
  total: z.number(),
});
