/** M1/M2: the register of flowing children, `/api/v1/children`. */
import { auditActor } from '../../security/auth';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../errors';
import { childIdParams, childListView, childView, createChildBody, listChildrenQuery, patchChildBody } from './schemas';
import { getChild, registerChild, searchChildren, updateChild, type RegistryDeps } from './service';

const errors = { 400: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema };
// Until authentication lands (issue #10) every change is recorded as made through the API.

export function childrenRoutes(deps: RegistryDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/api/v1/children', {
      schema: { tags: ['children'], summary: '登记流动儿童', body: createChildBody, response: { 201: childView, ...errors } },
      handler: async (request, reply) => reply.code(201).send(await registerChild(deps, request.body, auditActor(request.principal))),
    });
    app.get('/api/v1/children/:id', {
      schema: { tags: ['children'], summary: '查看儿童信息', params: childIdParams, response: { 200: childView, ...errors } },
      handler: async (request) => getChild(deps, request.params.id),
    });
    app.patch('/api/v1/children/:id', {
      schema: {
        tags: ['children'],
        summary: '修改儿童信息',
        params: childIdParams,
        body: patchChildBody,
        response: { 200: childView, ...errors },
      },
      handler: async (request) => updateChild(deps, request.params.id, request.body, auditActor(request.principal)),
    });
    app.get('/api/v1/children', {
      schema: { tags: ['children'], summary: '查询儿童台账', querystring: listChildrenQuery, response: { 200: childListView, 400: errorBodySchema } },
      handler: async (request) => searchChildren(deps, request.query),
    });
  };
}
