/** W3 temporary guardianship: how the case API opens it and what actions it takes. */
import { z } from 'zod';
import { departmentName, hukouDepartmentCode, type DepartmentLevel } from '../../../domain/department-catalog';
import { CITY_CODE } from '../../../domain/escalation';
import {
  ART92_SITUATIONS,
  DEFAULT_GUARDIANSHIP_PARAMS,
  GUARDIANSHIP_STAGE_LABELS,
  PANEL_BODIES,
  PLACEMENT_KINDS,
  REPORT_SOURCES,
  panelProblem,
} from '../../../domain/guardianship';
import { isTownshipOf } from '../../../domain/regions';
import type { GuardianshipInput } from '../../../workflows/messages';
import { ApiError } from '../../errors';
import { calendarDate } from '../../children/schemas';
import { by, defineCaseType } from '../case-type';

const paramsOverride = z
  .strictObject({
    handoverHours: z.number().int().min(1).max(24),
    openHours: z.number().int().min(1).max(72),
    placementHours: z.number().int().min(1).max(72),
    hukouReplyWorkingDays: z.number().int().min(1).max(30),
    cityContactAfterWorkingDays: z.number().int().min(0).max(10),
    cityContactWorkingDays: z.number().int().min(1).max(30),
    assessmentDays: z.number().int().min(1).max(90),
    guidanceWorkingDays: z.number().int().min(1).max(60),
    followUpVisits: z.number().int().min(1).max(12),
    followUpIntervalDays: z.number().int().min(30).max(120),
    visitWorkingDays: z.number().int().min(1).max(30),
    hukouAcceptanceWorkingDays: z.number().int().min(1).max(30),
    petitionWorkingDays: z.number().int().min(1).max(60),
    urgeWorkingDays: z.number().int().min(1).max(60),
    longTermWorkingDays: z.number().int().min(1).max(60),
    reviewDays: z.number().int().min(30).max(180),
    reviewWorkingDays: z.number().int().min(1).max(30),
  })
  .partial();

const openSchema = z.strictObject({
  type: z.literal('guardianship'),
  childId: z.uuid('儿童编号应为 UUID'),
  /** Where it happened (W3.2: told at once; W3.6: on the panel). */
  townshipCode: z.string().regex(/^\d{9}$/, '乡镇（街道）代码应为 9 位数字'),
  report: z.strictObject({
    situation: z.enum(ART92_SITUATIONS),
    source: z.enum(REPORT_SOURCES),
    /** The law relied on, required for Art. 92's seventh item (法律规定的其他情形). */
    legalBasis: z.string().trim().min(1).max(200).optional(),
    reportedBy: by,
  }),
  params: paramsOverride.optional(),
});

/** A role or an institution, never the child's name (it goes into the timeline and the query). */
const label = z.string().trim().min(1, '不能为空').max(60);

const panelMember = z.strictObject({ body: z.enum(PANEL_BODIES), member: label });

const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('record-placement'), placement: z.enum(PLACEMENT_KINDS), holder: label, date: calendarDate, reason: z.string().trim().min(1).max(500).optional(), by }),
  z.strictObject({
    action: z.literal('record-assessment'),
    date: calendarDate,
    panel: z.array(panelMember).max(20).superRefine((panel, ctx) => {
      const problem = panelProblem(panel);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    finding: z.enum(['able', 'unfit']),
    by,
  }),
  z.strictObject({ action: z.literal('decide-return-home'), date: calendarDate, returnedTo: label, by }),
  z.strictObject({ action: z.literal('decide-hukou-handoff'), date: calendarDate, by }),
  z.strictObject({ action: z.literal('petition-revocation'), date: calendarDate, by }),
  z.strictObject({ action: z.literal('record-court-decision'), date: calendarDate, decision: z.enum(['revoked', 'dismissed']), court: label, documentNo: z.string().trim().min(1).max(60).optional(), by }),
]);

/** The catalogue's name of a department code the workflow will use (no region data in workflows). */
function nameOf(code: string): string {
  const outside = /^outside-([a-z]+)-(\d{6})$/.exec(code);
  const local = /^([a-z]+)-(\d{6,9})$/.exec(code);
  const [kind, level, region]: [string, DepartmentLevel, string] = outside
    ? [outside[1] ?? '', 'outside', outside[2] ?? '']
    : local?.[1] === 'xz'
      ? ['xz', 'township', local[2] ?? '']
      : [local?.[1] ?? '', local?.[2] === CITY_CODE ? 'city' : 'county', local?.[2] ?? ''];
  return departmentName(kind, level, region) ?? code;
}

export const guardianshipCaseType = defineCaseType({
  type: 'guardianship',
  workflowType: 'guardianship',
  initialStage: 'handover',
  stageLabels: GUARDIANSHIP_STAGE_LABELS,
  openSchema,
  actionSchema,
  actor: (body) => body.report.reportedBy,
  prepare: ({ body, child, caseId, policy }): GuardianshipInput => {
    const countyCode = child.residence.countyCode;
    if (!isTownshipOf(body.townshipCode, countyCode)) {
      throw new ApiError(400, 'VALIDATION_FAILED', '请求参数不符合要求', [{ path: 'body.townshipCode', message: '该乡镇（街道）不属于儿童居住的县（市、区）' }]);
    }
    if (body.report.situation === 'other-legal' && !body.report.legalBasis) {
      throw new ApiError(400, 'VALIDATION_FAILED', '请求参数不符合要求', [{ path: 'body.report.legalBasis', message: '“法律规定的其他情形”须写明法律依据（第九十二条第七项）' }]);
    }
    const codes = [`ga-${countyCode}`, `mz-${countyCode}`, `xz-${body.townshipCode}`, hukouDepartmentCode('mz', child.hukouRegionCode), `mz-${CITY_CODE}`];
    return {
      caseId,
      childId: child.id,
      countyCode,
      townshipCode: body.townshipCode,
      hukouCountyCode: child.hukouRegionCode,
      report: body.report,
      departmentNames: Object.fromEntries(codes.map((code) => [code, nameOf(code)])),
      params: { ...DEFAULT_GUARDIANSHIP_PARAMS, ...body.params },
      policy,
    };
  },
  townshipCode: (body) => body.townshipCode,
});
