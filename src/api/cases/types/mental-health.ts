/** W2 mental-health referral pathway: how the case API opens it and what actions it takes. */
import { z } from 'zod';
import {
  DEFAULT_MENTAL_HEALTH_PARAMS,
  MENTAL_HEALTH_SOURCES,
  MENTAL_HEALTH_STAGE_LABELS,
  RISK_TIERS,
} from '../../../domain/mental-health';
import { isTownshipOf } from '../../../domain/regions';
import type { MentalHealthInput } from '../../../workflows/messages';
import { calendarDate } from '../../children/schemas';
import { ApiError } from '../../errors';
import { by, defineCaseType } from '../case-type';

const paramsOverride = z
  .strictObject({
    crisisHours: z.number().int().min(1).max(24),
    guardianTalkDays: z.number().int().min(1).max(15),
    reofferDays: z.number().int().min(1).max(180),
    maxReoffers: z.number().int().min(0).max(12),
    acceptWorkingDays: z.number().int().min(1).max(20),
    reviewDays: z.number().int().min(1).max(90),
    reviewWorkingDays: z.number().int().min(1).max(20),
    enrolWorkingDays: z.number().int().min(1).max(30),
    followUps: z.number().int().min(1).max(12),
    followUpWorkingDays: z.number().int().min(1).max(30),
    followUpIntervalDays: z.number().int().min(1).max(90),
  })
  .partial();

const openSchema = z.strictObject({
  type: z.literal('mental-health'),
  childId: z.uuid('儿童编号应为 UUID'),
  townshipCode: z.string().regex(/^\d{9}$/, '乡镇（街道）代码应为 9 位数字').optional(),
  intake: z.strictObject({
    source: z.enum(MENTAL_HEALTH_SOURCES, '来源应为 school-screening、children-director、hotline-12355 或 guardian'),
    riskTier: z.enum(RISK_TIERS, '风险等级应为 low、medium、high 或 crisis'),
    suspectedAbuse: z.boolean().default(false),
    reportedBy: by,
  }),
  params: paramsOverride.optional(),
});

const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('record-guardian-decision'), decision: z.enum(['consented', 'refused'], '意见应为 consented 或 refused'), danger: z.boolean(), date: calendarDate, by }),
  z.strictObject({ action: z.literal('record-session'), date: calendarDate, attended: z.boolean(), by }),
  z.strictObject({ action: z.literal('request-review'), by }),
  z.strictObject({ action: z.literal('record-diagnosis'), date: calendarDate, by }),
  z.strictObject({ action: z.literal('record-discharge'), date: calendarDate, by }),
  z.strictObject({ action: z.literal('report-suspected-abuse'), date: calendarDate, by }),
]);

export const mentalHealthCaseType = defineCaseType({
  type: 'mental-health',
  workflowType: 'mentalHealth',
  initialStage: 'triage',
  stageLabels: MENTAL_HEALTH_STAGE_LABELS,
  openSchema,
  actionSchema,
  actor: (body) => body.intake.reportedBy,
  prepare: ({ body, child, caseId, policy }): MentalHealthInput => {
    const countyCode = child.residence.countyCode;
    if (body.townshipCode && !isTownshipOf(body.townshipCode, countyCode)) {
      throw new ApiError(400, 'VALIDATION_FAILED', '请求参数不符合要求', [{ path: 'body.townshipCode', message: '该乡镇（街道）不属于儿童居住的县（市、区）' }]);
    }
    return {
      caseId,
      childId: child.id,
      countyCode,
      townshipCode: body.townshipCode,
      intake: body.intake,
      params: { ...DEFAULT_MENTAL_HEALTH_PARAMS, ...body.params },
      policy,
    };
  },
  townshipCode: (body) => body.townshipCode,
});
