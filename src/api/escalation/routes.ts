/**
 * Issue #3: escalation ladders are data, set per county (`/api/v1/admin/counties/:code/
 * escalation-policy`). A task takes the county's policy when it starts and keeps it.
 * Becomes admin-only with authentication (issue #10).
 */
import { auditActor } from '../../security/auth';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appendAudit } from '../../db/audit';
import { inTransaction, type Pool } from '../../db/pool';
import { DEFAULT_ESCALATION_POLICY, ladderProblems, type EscalationPolicy } from '../../domain/escalation';
import { PINGDINGSHAN_COUNTIES, PINGDINGSHAN_FUNCTIONAL_ZONES } from '../../domain/regions';
import { ApiError, errorBodySchema } from '../errors';

const countyParams = z.strictObject({
  code: z
    .string()
    .regex(/^\d{6}$/, '行政区划代码应为 6 位数字')
    .refine((code) => PINGDINGSHAN_COUNTIES.includes(code) || PINGDINGSHAN_FUNCTIONAL_ZONES.includes(code), '不是平顶山市辖区内的县（市、区）'),
});

const policySchema = z.strictObject({
  rungs: z
    .array(
      z.strictObject({
        level: z.number().int().min(1).max(10),
        afterWorkingDays: z.number().int().min(0).max(60),
        recipient: z.enum(['assignee', 'assignee-head', 'county-civil-affairs', 'city-civil-affairs']),
        label: z.string().trim().min(1).max(30),
      }),
    )
    .min(1)
    .max(10),
  referral: z.strictObject({
    breaches: z.number().int().min(1).max(50),
    windowDays: z.number().int().min(1).max(366),
    overdueWorkingDays: z.number().int().min(1).max(120),
  }),
  replyMonths: z.number().int().min(1).max(6),
});

const policyView = z.object({ countyCode: z.string(), isDefault: z.boolean(), policy: policySchema });

export function escalationPolicyRoutes(deps: { pool: Pool }): FastifyPluginAsyncZod {
  const read = async (countyCode: string) => {
    const row = (await deps.pool.query<{ policy: EscalationPolicy }>('SELECT policy FROM county_escalation_policies WHERE county_code = $1', [countyCode])).rows[0];
    return { countyCode, isDefault: !row, policy: row?.policy ?? DEFAULT_ESCALATION_POLICY };
  };
  return async (app) => {
    app.get('/api/v1/admin/counties/:code/escalation-policy', {
      schema: { tags: ['admin'], summary: '查看县级督办阶梯', params: countyParams, response: { 200: policyView, 400: errorBodySchema } },
      handler: async (request) => read(request.params.code),
    });
    app.put('/api/v1/admin/counties/:code/escalation-policy', {
      schema: {
        tags: ['admin'],
        summary: '设置县级督办阶梯（对之后开始的任务生效）',
        params: countyParams,
        body: policySchema,
        response: { 200: policyView, 400: errorBodySchema, 422: errorBodySchema },
      },
      handler: async (request) => {
        const problems = ladderProblems(request.body);
        if (problems.length) {
          throw new ApiError(422, 'RULE_VIOLATION', '督办阶梯不符合规则', problems.map((message) => ({ path: 'body.rungs', message })));
        }
        const before = await read(request.params.code);
        await inTransaction(deps.pool, async (client) => {
          await client.query(
            `INSERT INTO county_escalation_policies (county_code, policy) VALUES ($1, $2)
             ON CONFLICT (county_code) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()`,
            [request.params.code, JSON.stringify(request.body)],
          );
          await appendAudit(client, {
            actor: auditActor(request.principal),
            entityType: 'county',
            entityId: request.params.code,
            action: 'escalation-policy.set',
            summary: { before: before.policy, after: request.body },
          });
        });
        return read(request.params.code);
      },
    });
  };
}
