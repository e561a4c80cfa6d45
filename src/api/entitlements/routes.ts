/**
 * Issue #12: the city's base service list and the counties' lists (R2), and a child's
 * entitlements (M3, `GET /api/v1/children/:id/entitlements`).
 */
import { auditActor } from '../../security/auth';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { appendAudit } from '../../db/audit';
import { insertCountyList, latestCountyList, listInForce, lockCountyLists } from '../../db/catalogue-repository';
import { inTransaction } from '../../db/pool';
import { BASE_CATALOGUE } from '../../domain/catalogue/base-catalogue';
import { countyListProblems, deadlineProblem } from '../../domain/catalogue/county-list';
import type { ServiceList } from '../../domain/catalogue/items';
import { childIdParams } from '../children/schemas';
import { ApiError, errorBodySchema } from '../errors';
import { countyParams } from '../visits/routes';
import { entitlementsView, listQuery, listRejectedSchema, publishListBody, serviceListView, type PublishListBody } from './schemas';
import { childEntitlements, type EntitlementDeps } from './service';

/** JSON with object keys sorted: jsonb gives the stored items back in its own key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sameList = (a: ServiceList, b: Omit<ServiceList, 'version'>): boolean =>
  a.label === b.label && a.effectiveFrom === b.effectiveFrom && a.referralWorkingDays === b.referralWorkingDays && canonical(a.items) === canonical(b.items);

/** R2 check, then a new version; a retry of the version just published returns it unchanged. */
async function publishCountyList(deps: EntitlementDeps, countyCode: string, body: PublishListBody, actor: string): Promise<{ created: boolean; list: ServiceList }> {
  const today = deps.today();
  const list = {
    countyCode,
    label: body.label,
    effectiveFrom: body.effectiveFrom ?? today,
    referralWorkingDays: body.referralWorkingDays ?? BASE_CATALOGUE.referralWorkingDays,
    items: body.items,
  };
  if (list.effectiveFrom < today) {
    throw new ApiError(422, 'RULE_VIOLATION', '服务清单不能追溯生效', [{ path: 'body.effectiveFrom', message: '生效日期不得早于今天' }]);
  }
  const problems = countyListProblems(list.items, BASE_CATALOGUE.items);
  const deadline = deadlineProblem(list.referralWorkingDays, BASE_CATALOGUE);
  if (deadline) problems.push(deadline);
  if (problems.length) {
    throw new ApiError(
      422,
      'SERVICE_LIST_BELOW_BASE',
      '县级服务清单的覆盖范围和实现程度不得低于市级基础清单（R2），未发布',
      problems.map(({ path, message }) => ({ path, message })),
      { items: [...new Set(problems.map((p) => p.itemId))], problems },
    );
  }
  return inTransaction(deps.pool, async (client) => {
    await lockCountyLists(client, countyCode);
    const latest = await latestCountyList(client, countyCode);
    if (latest && sameList(latest, list)) return { created: false, list: latest };
    const saved = await insertCountyList(client, list);
    await appendAudit(client, {
      actor,
      entityType: 'county',
      entityId: countyCode,
      action: 'service-list.published',
      summary: { after: { version: saved.version, effectiveFrom: saved.effectiveFrom, items: saved.items.map((item) => item.id) } },
    });
    return { created: true, list: saved };
  });
}

export function entitlementRoutes(deps: EntitlementDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/children/:id/entitlements', {
      schema: {
        tags: ['children'],
        summary: '儿童享有的关爱服务（按所在县现行服务清单比对）：项目、依据、责任部门、转介办理情况',
        params: childIdParams,
        response: { 200: entitlementsView, 400: errorBodySchema, 404: errorBodySchema },
      },
      handler: async (request) => childEntitlements(deps, request.params.id),
    });
    app.get('/api/v1/admin/service-catalogue', {
      schema: { tags: ['admin'], summary: '市级基础服务清单（S1-S25）', response: { 200: serviceListView } },
      handler: async () => BASE_CATALOGUE,
    });
    app.get('/api/v1/admin/counties/:code/service-list', {
      schema: {
        tags: ['admin'],
        summary: '县级现行服务清单（未发布时为市级基础清单）',
        params: countyParams,
        querystring: listQuery,
        response: { 200: serviceListView, 400: errorBodySchema },
      },
      handler: async (request) => listInForce(deps.pool, request.params.code, request.query.on ?? deps.today()),
    });
    app.post('/api/v1/admin/counties/:code/service-list', {
      schema: {
        tags: ['admin'],
        summary: '发布县级服务清单新版本（不得低于市级基础清单，R2）',
        description: '删除基础项目、缩小服务对象、删除责任部门、取消逐人转介或延长办理时限的清单被拒绝（422 SERVICE_LIST_BELOW_BASE，列出有问题的项目）。重复提交与最新版本相同的清单返回该版本（200）。',
        params: countyParams,
        body: publishListBody,
        response: { 200: serviceListView, 201: serviceListView, 400: errorBodySchema, 422: listRejectedSchema },
      },
      handler: async (request, reply) => {
        const result = await publishCountyList(deps, request.params.code, request.body, auditActor(request.principal));
        return reply.code(result.created ? 201 : 200).send(result.list);
      },
    });
  };
}
