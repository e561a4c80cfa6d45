/**
 * Issue #4: home visits of key-care children (`/api/v1/children/:id/visits`, `/visit-plan`)
 * and the counties' visit parameters (`/api/v1/admin/counties/:code/visit-policy`, admin-only
 * once authentication lands, issue #10).
 */
import { auditActor } from '../../security/auth';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appendAudit } from '../../db/audit';
import { inTransaction } from '../../db/pool';
import { findVisitPolicy, saveVisitPolicy } from '../../db/visits-repository';
import { PINGDINGSHAN_COUNTIES, PINGDINGSHAN_FUNCTIONAL_ZONES } from '../../domain/regions';
import { visitPolicyProblems } from '../../domain/visits';
import { childIdParams } from '../children/schemas';
import { ApiError, errorBodySchema } from '../errors';
import { listVisitsQuery, recordVisitBody, visitListView, visitParams, visitPlanView, visitPolicySchema, visitPolicyView, visitView } from './schemas';
import { getVisit, getVisitPlan, recordVisit, searchVisits, type VisitDeps } from './service';

const errors = { 400: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

export const countyParams = z.strictObject({
  code: z
    .string()
    .regex(/^\d{6}$/, '行政区划代码应为 6 位数字')
    .refine((code) => PINGDINGSHAN_COUNTIES.includes(code) || PINGDINGSHAN_FUNCTIONAL_ZONES.includes(code), '不是平顶山市辖区内的县（市、区）'),
});

export function visitRoutes(deps: VisitDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/api/v1/children/:id/visits', {
      schema: {
        tags: ['visits'],
        summary: '登记重点关爱儿童入户走访（含家庭监护能力评估、发现的需求）',
        description: '由儿童的走访计划校验：不能登记未来日期、计划开始前或已结算季度的走访，同一日期同一走访人不能重复登记（409）。带 Idempotency-Key 的重试返回同一条记录。',
        params: childIdParams,
        body: recordVisitBody,
        response: { 200: visitView, 201: visitView, ...errors },
      },
      handler: async (request, reply) => {
        const key = request.headers['idempotency-key'];
        const result = await recordVisit(deps, request.params.id, request.body, typeof key === 'string' && key ? key : undefined);
        return reply.code(result.created ? 201 : 200).send(result.visit);
      },
    });
    app.get('/api/v1/children/:id/visits', {
      schema: { tags: ['visits'], summary: '儿童的入户走访记录', params: childIdParams, querystring: listVisitsQuery, response: { 200: visitListView, ...errors } },
      handler: async (request) => searchVisits(deps, request.params.id, request.query),
    });
    app.get('/api/v1/children/:id/visits/:visitId', {
      schema: { tags: ['visits'], summary: '查看走访记录', params: visitParams, response: { 200: visitView, ...errors } },
      handler: async (request) => getVisit(deps, request.params.id, request.params.visitId),
    });
    app.get('/api/v1/children/:id/visit-plan', {
      schema: { tags: ['visits'], summary: '走访计划：本季度应走访、已走访、到期和逾期情况，及最近 8 个季度', params: childIdParams, response: { 200: visitPlanView, ...errors } },
      handler: async (request) => getVisitPlan(deps, request.params.id),
    });

    app.get('/api/v1/admin/counties/:code/visit-policy', {
      schema: { tags: ['admin'], summary: '查看县级走访参数', params: countyParams, response: { 200: visitPolicyView, 400: errorBodySchema } },
      handler: async (request) => ({ countyCode: request.params.code, ...(await findVisitPolicy(deps.pool, request.params.code)) }),
    });
    app.put('/api/v1/admin/counties/:code/visit-policy', {
      schema: {
        tags: ['admin'],
        summary: '设置县级走访参数（自下一季度的计划起生效）',
        params: countyParams,
        body: visitPolicySchema,
        response: { 200: visitPolicyView, 400: errorBodySchema, 422: errorBodySchema },
      },
      handler: async (request) => {
        const problems = visitPolicyProblems(request.body);
        if (problems.length) {
          throw new ApiError(422, 'RULE_VIOLATION', '走访参数不符合规则', problems.map((p) => ({ path: `body.${p.field}`, message: p.message })));
        }
        const code = request.params.code;
        await inTransaction(deps.pool, async (client) => {
          const before = await findVisitPolicy(client, code);
          await saveVisitPolicy(client, code, request.body);
          await appendAudit(client, { actor: auditActor(request.principal), entityType: 'county', entityId: code, action: 'visit-policy.set', summary: { before: before.policy, after: request.body } });
        });
        return { countyCode: code, ...(await findVisitPolicy(deps.pool, code)) };
      },
    });
  };
}
