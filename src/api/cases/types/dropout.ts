/** W1 drop-out return to school: how the case API opens it and what actions it takes. */
import { z } from 'zod';
import { DEFAULT_DROPOUT_PARAMS, DROPOUT_STAGE_LABELS } from '../../../domain/dropout';
import { isCountyCode, isTownshipOf } from '../../../domain/regions';
import type { DropoutInput } from '../../../workflows/messages';
import { ApiError } from '../../errors';
import { calendarDate } from '../../children/schemas';
import { by, defineCaseType } from '../case-type';

const paramsOverride = z
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

const openSchema = z.strictObject({
  type: z.literal('dropout'),
  childId: z.uuid('儿童编号应为 UUID'),
  townshipCode: z.string().regex(/^\d{9}$/, '乡镇（街道）代码应为 9 位数字').optional(),
  report: z.strictObject({
    kind: z.enum(['at-risk', 'suspected', 'dropped-out']),
    absenceDays: z.number().int().min(0).max(365),
    source: z.enum(['school', 'children-director', 'survey', 'other']),
    reportedBy: by,
  }),
  params: paramsOverride.optional(),
});

const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('log-persuasion-visit'), date: calendarDate, visitor: z.string().trim().min(1).max(50), result: z.enum(['agreed', 'refused', 'not-home']), note: z.string().trim().max(2000).optional(), by }),
  z.strictObject({ action: z.literal('record-return'), date: calendarDate, school: z.string().trim().min(1).max(100), by }),
  z.strictObject({ action: z.literal('record-relapse'), date: calendarDate, note: z.string().trim().min(1).max(2000), by }),
  z.strictObject({ action: z.literal('record-moved-back'), date: calendarDate, hukouCountyCode: z.string().regex(/^\d{6}$/).refine(isCountyCode, '未知的行政区划代码'), by }),
  z.strictObject({ action: z.literal('record-court-outcome'), date: calendarDate, result: z.string().trim().min(1).max(2000), by }),
]);

export const dropoutCaseType = defineCaseType({
  type: 'dropout',
  workflowType: 'dropout',
  initialStage: 'verification',
  stageLabels: DROPOUT_STAGE_LABELS,
  openSchema,
  actionSchema,
  actor: (body) => body.report.reportedBy,
  prepare: ({ body, child, caseId, policy }): DropoutInput => {
    const countyCode = child.residence.countyCode;
    if (body.townshipCode && !isTownshipOf(body.townshipCode, countyCode)) {
      throw new ApiError(400, 'VALIDATION_FAILED', '请求参数不符合要求', [{ path: 'body.townshipCode', message: '该乡镇（街道）不属于儿童居住的县（市、区）' }]);
    }
    const params = { ...DEFAULT_DROPOUT_PARAMS, ...body.params };
    if (body.report.kind === 'suspected' && body.report.absenceDays < params.absenceThresholdWorkingDays) {
      throw new ApiError(422, 'RULE_VIOLATION', `疑似辍学的报告标准是无故连续缺课 ${params.absenceThresholdWorkingDays} 个工作日`, [{ path: 'body.report.absenceDays', message: '未达到报告标准（W1.1）' }]);
    }
    return { caseId, childId: child.id, countyCode, townshipCode: body.townshipCode, hukouCountyCode: child.hukouRegionCode, report: body.report, params, policy };
  },
  townshipCode: (body) => body.townshipCode,
});
