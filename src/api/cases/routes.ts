/** W1-W4: the case API, `/api/v1/cases`. Actions are Temporal updates with validators. */
import { defineUpdate } from '@temporalio/workflow';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { findCase } from '../../db/cases-repository';
import type { CaseState } from '../../domain/cases';
import { CASE_ACTION_UPDATE } from '../../workflows/messages';
import { withholdSensitive } from '../../security/sensitive-fields';
import { ApiError, errorBodySchema, issueDetails, notFound } from '../errors';
import { runWorkflowUpdate } from '../workflow-updates';
import { caseActionBody, caseCreatedView, caseIdParams, caseView, openCaseBody, type OpenCaseBody } from './schemas';
import { loadCase, openCase, type CaseDeps } from './service';
import { caseTypeModule } from './types';

const errors = { 400: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema };
/** Every case workflow handles this update; each validates its own actions. */
const caseActionUpdate = defineUpdate<CaseState, [{ action: string }]>(CASE_ACTION_UPDATE);

export function caseRoutes(deps: CaseDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/api/v1/cases', {
      schema: { tags: ['cases'], summary: '立案（按类型启动流程）', body: openCaseBody, response: { 201: caseCreatedView, ...errors } },
      handler: async (request, reply) => {
        const key = request.headers['idempotency-key'];
        // The union validated the body against its type's schema; OpenCaseBody names the common part.
        const { status, view } = await openCase(deps, request.body as OpenCaseBody, typeof key === 'string' && key ? key : undefined);
        return reply.code(status).send(view);
      },
    });
    app.get('/api/v1/cases/:id', {
      schema: { tags: ['cases'], summary: '查看案件（阶段、待办、督办、时间线）', params: caseIdParams, response: { 200: caseView, ...errors } },
      handler: async (request) => withholdSensitive(await loadCase(deps, request.params.id), request.principal),
    });
    app.post('/api/v1/cases/:id/actions', {
      schema: { tags: ['cases'], summary: '登记案件进展（由流程按阶段校验）', params: caseIdParams, body: caseActionBody, response: { 200: caseView, ...errors } },
      handler: async (request) => {
        const record = await findCase(deps.pool, request.params.id);
        if (!record) throw notFound('案件', 'params.id');
        const module = caseTypeModule(record.type);
        if (!module) throw new ApiError(409, 'ACTION_NOT_ALLOWED', '此类案件暂不支持登记操作', [{ path: 'params.id', message: record.type }]);
        const parsed = module.actionSchema.safeParse(request.body);
        if (!parsed.success) throw new ApiError(400, 'VALIDATION_FAILED', '请求参数不符合要求', issueDetails(parsed.error.issues, 'body'));
        if (record.status === 'closed') throw new ApiError(409, 'ACTION_NOT_ALLOWED', '案件已结案，不能再登记', [{ path: 'params.id', message: '已结案' }]);
        const key = request.headers['idempotency-key'];
        await runWorkflowUpdate(deps.temporal, record.workflowId, caseActionUpdate, [parsed.data], {
          field: 'body.action',
          updateId: typeof key === 'string' && key ? `action:${record.id}:${key}` : undefined,
        });
        return withholdSensitive(await loadCase(deps, record.id), request.principal);
      },
    });
  };
}
