/** Issue #13 (M1, M3): the half-yearly monitoring survey, `/api/v1/surveys`. */
import { auditActor, type Principal } from '../../security/auth';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERIOD_PATTERN } from '../../domain/survey-period';
import { PINGDINGSHAN_COUNTIES, PINGDINGSHAN_FUNCTIONAL_ZONES } from '../../domain/regions';
import { SURVEY_CLASSES } from '../../domain/survey-reconcile';
import { SURVEY_SOURCES } from '../../domain/survey-sources';
import { errorBodySchema } from '../errors';
import { getSurvey, nationalExport, surveyFindings, openSurvey, rejectionReport, uploadList, type SurveyDeps } from './service';

const errors = { 400: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema };

/** A department list of a few thousand rows is a few megabytes; base64 adds a third. */
export const UPLOAD_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

const surveyParams = z.strictObject({ id: z.uuid('摸排编号应为 UUID') });
const uploadParams = surveyParams.extend({ uploadId: z.uuid('上传编号应为 UUID') });

const openBody = z.strictObject({
  county: z
    .string()
    .refine((code) => PINGDINGSHAN_COUNTIES.includes(code) || PINGDINGSHAN_FUNCTIONAL_ZONES.includes(code), '不是平顶山市辖区内的县（市、区）'),
  period: z.string().regex(PERIOD_PATTERN, '半年度应写作 2026-H1 或 2026-H2'),
});

const uploadBody = z.strictObject({
  source: z.enum(SURVEY_SOURCES),
  fileName: z.string().trim().min(1, '文件名不能为空').max(200),
  /** The file itself, base64: CSV (UTF-8 or GB18030) or XLSX. */
  content: z.base64('文件内容应为 base64 编码').min(1, '文件为空'),
});

const uploadView = z.object({
  id: z.string(),
  source: z.enum(SURVEY_SOURCES),
  fileName: z.string(),
  format: z.string(),
  encoding: z.string(),
  rowsTotal: z.number(),
  rowsAccepted: z.number(),
  rowsRejected: z.number(),
  uploadedAt: z.string(),
  isCurrent: z.boolean(),
});

const surveyView = z.object({
  id: z.string(),
  countyCode: z.string(),
  period: z.string(),
  status: z.string(),
  workflowId: z.string(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  figures: z.record(z.string(), z.unknown()).nullable(),
});

const uploadAnswer = z.object({
  upload: uploadView,
  created: z.boolean(),
  rejected: z.array(z.object({ line: z.number(), problems: z.array(z.object({ field: z.string(), message: z.string() })) })),
  reportPath: z.string(),
});

const findingsQuery = z.strictObject({
  classification: z.enum(SURVEY_CLASSES).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
});

const findingView = z.object({
  key: z.string(),
  classification: z.enum(SURVEY_CLASSES),
  childId: z.string().nullable(),
  sources: z.array(z.string()),
  conflicts: z.array(z.string()),
  profile: z.object({
    name: z.string(),
    gender: z.string(),
    birthDate: z.string(),
    hukouRegionCode: z.string(),
    residenceCounty: z.string(),
    township: z.string().optional(),
    arrivalDate: z.string().optional(),
  }),
  eligibility: z.object({ eligible: z.boolean().nullable(), rule: z.string(), reason: z.string() }),
  taskId: z.string().nullable(),
  outcome: z.string().nullable(),
});
const findingListView = z.object({ items: z.array(findingView), page: z.number(), pageSize: z.number(), total: z.number() });

const ACTOR = (request: { principal: Principal | null }) => auditActor(request.principal);

export function surveyRoutes(deps: SurveyDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/api/v1/surveys', {
      schema: {
        tags: ['surveys'],
        summary: '开启半年度摸排（通常由定时计划开启）',
        description: '每个县（市、区）每半年一次；已开启的返回同一条（200）。',
        body: openBody,
        response: { 200: surveyView, 201: surveyView, ...errors },
      },
      handler: async (request, reply) => {
        const { survey, created } = await openSurvey(deps, request.body, ACTOR(request));
        return reply.code(created ? 201 : 200).send(survey);
      },
    });
    app.get('/api/v1/surveys/:id', {
      schema: { tags: ['surveys'], summary: '查看摸排（状态、上传、统计）', params: surveyParams, response: { 200: surveyView.extend({ uploads: z.array(uploadView) }), ...errors } },
      handler: async (request) => getSurvey(deps, request.params.id),
    });
    app.post('/api/v1/surveys/:id/uploads', {
      bodyLimit: UPLOAD_BODY_LIMIT_BYTES,
      schema: {
        tags: ['surveys'],
        summary: '上传部门名单（公安、教育、卫健、疾控）',
        description:
          '逐行校验；合格行与不合格行（及原因）在同一事务中保存，不会只导入一半。表头缺少必填列时整个文件不导入（422）。同一文件重复上传返回原记录（200）；同一来源再次上传新文件时替换旧文件。不合格行报告可从 reportPath 下载（CSV）。',
        params: surveyParams,
        body: uploadBody,
        response: { 200: uploadAnswer, 201: uploadAnswer, ...errors },
      },
      handler: async (request, reply) => {
        const answer = await uploadList(deps, request.params.id, request.body, ACTOR(request));
        return reply.code(answer.created ? 201 : 200).send(answer);
      },
    });
    app.get('/api/v1/surveys/:id/findings', {
      schema: { tags: ['surveys'], summary: '查看核对结果（已确认、新发现、疑似迁出、信息冲突）', params: surveyParams, querystring: findingsQuery, response: { 200: findingListView, ...errors } },
      handler: async (request) => surveyFindings(deps, request.params.id, request.query),
    });
    app.get('/api/v1/surveys/:id/uploads/:uploadId/report', {
      schema: { tags: ['surveys'], summary: '下载不合格行报告（CSV）', params: uploadParams, response: { 200: z.string(), ...errors } },
      handler: async (request, reply) => {
        const report = await rejectionReport(deps, request.params.id, request.params.uploadId);
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${report.fileName}"`).send(report.csv);
      },
    });
    app.get('/api/v1/surveys/:id/export', {
      schema: { tags: ['surveys'], summary: '下载上报全国儿童福利信息系统的文件（CSV）', params: surveyParams, response: { 200: z.string(), ...errors } },
      handler: async (request, reply) => {
        const file = await nationalExport(deps, request.params.id);
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file.fileName}"`).send(file.csv);
      },
    });
  };
}
