/** W4 low-income and child-welfare determination: how the case API opens it and what actions it takes. */
import { z } from 'zod';
import {
  ASSISTANCE_DOCUMENT_CODES,
  ASSISTANCE_DOCUMENTS,
  ASSISTANCE_SCHEME_LABELS,
  ASSISTANCE_SCHEMES,
  ASSISTANCE_STAGE_LABELS,
  BENEFIT_END_REASONS,
  DEFAULT_ASSISTANCE_PARAMS,
  missingDocuments,
} from '../../../domain/assistance';
import { isTownshipOf } from '../../../domain/regions';
import type { AssistanceInput } from '../../../workflows/messages';
import { calendarDate } from '../../children/schemas';
import { ApiError } from '../../errors';
import { by, defineCaseType } from '../case-type';

const workingDays = z.number().int().min(1).max(90);

/** What a county may set for a case (policy.md W4: every default is a parameter); the statutory steps stay. */
const paramsOverride = z
  .strictObject({
    forwardWorkingDays: workingDays,
    investigationStartWorkingDays: workingDays,
    incomeCheckWorkingDays: workingDays,
    opinionWorkingDays: workingDays,
    noticeDays: z.number().int().min(1).max(30),
    reinvestigationWorkingDays: workingDays,
    confirmationWorkingDays: workingDays,
    wholeProcessWorkingDays: workingDays,
    specialWholeProcessWorkingDays: workingDays,
    notifyWorkingDays: workingDays,
    recheckMonths: z.number().int().min(1).max(24),
    unstableIncomeRecheckMonths: z.number().int().min(1).max(24),
    recheckWorkingDays: workingDays,
    maxRechecks: z.number().int().min(1).max(100),
    appealReviewDays: z.number().int().min(60).max(365),
    appealSuitMonths: z.number().int().min(6).max(24),
  })
  .partial();

const openSchema = z.strictObject({
  type: z.literal('assistance'),
  childId: z.uuid('儿童编号应为 UUID'),
  scheme: z.enum(ASSISTANCE_SCHEMES, `救助类别应为：${ASSISTANCE_SCHEMES.map((s) => `${s}（${ASSISTANCE_SCHEME_LABELS[s]}）`).join('、')}`),
  /** W4.1: the residence township that took the application. */
  townshipCode: z.string().regex(/^\d{9}$/, '乡镇（街道）代码应为 9 位数字').optional(),
  /** W4.1: the checklist's documents handed in. */
  documents: z.array(z.enum(ASSISTANCE_DOCUMENT_CODES, `材料代码应为：${ASSISTANCE_DOCUMENT_CODES.join('、')}`)).max(ASSISTANCE_DOCUMENT_CODES.length * 2),
  takenBy: by,
  params: paramsOverride.optional(),
});

const text = (max: number) => z.string().trim().min(1, '不能为空').max(max);

const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('mark-special'), reason: text(500), by }),
  z.strictObject({ action: z.literal('record-objection'), receivedOn: calendarDate, summary: text(2000), by }),
  z.strictObject({ action: z.literal('withdraw-application'), reason: text(500), by }),
  z.strictObject({ action: z.literal('end-benefit'), date: calendarDate, reason: z.enum(BENEFIT_END_REASONS), note: z.string().trim().max(2000).optional(), by }),
]);

export const assistanceCaseType = defineCaseType({
  type: 'assistance',
  workflowType: 'assistance',
  initialStage: 'forwarding',
  stageLabels: ASSISTANCE_STAGE_LABELS,
  openSchema,
  actionSchema,
  actor: (body) => body.takenBy,
  prepare: ({ body, child, caseId, policy }): AssistanceInput => {
    const countyCode = child.residence.countyCode;
    if (body.townshipCode && !isTownshipOf(body.townshipCode, countyCode)) {
      throw new ApiError(400, 'VALIDATION_FAILED', '请求参数不符合要求', [{ path: 'body.townshipCode', message: '该乡镇（街道）不属于儿童居住的县（市、区）' }]);
    }
    // A step the scheme does not have (a 孤儿 notice, a 特困 whole-process limit) cannot be set.
    const defaults = DEFAULT_ASSISTANCE_PARAMS[body.scheme];
    const inapplicable = Object.keys(body.params ?? {}).filter((key) => defaults[key as keyof typeof defaults] === null);
    if (inapplicable.length) {
      throw new ApiError(422, 'RULE_VIOLATION', `${ASSISTANCE_SCHEME_LABELS[body.scheme]}没有这些环节，不能设置其时限`, inapplicable.map((key) => ({ path: `body.params.${key}`, message: '此类申请不适用' })));
    }
    // W4.1: the scheme's checklist must be complete before the township takes the application.
    const missing = missingDocuments(body.scheme, body.documents);
    if (missing.length) {
      throw new ApiError(
        422,
        'RULE_VIOLATION',
        `${ASSISTANCE_SCHEME_LABELS[body.scheme]}申请材料不齐全，缺少：${missing.map((code) => ASSISTANCE_DOCUMENTS[code]).join('、')}`,
        missing.map((code) => ({ path: 'body.documents', message: `缺少${ASSISTANCE_DOCUMENTS[code]}（${code}）` })),
      );
    }
    return {
      caseId,
      childId: child.id,
      countyCode,
      townshipCode: body.townshipCode,
      hukouCountyCode: child.hukouRegionCode,
      scheme: body.scheme,
      documents: [...new Set(body.documents)],
      takenBy: body.takenBy,
      params: { ...defaults, ...body.params },
      policy,
    };
  },
  townshipCode: (body) => body.townshipCode,
});
