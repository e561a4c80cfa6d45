/** R4: procuratorate referrals, `/api/v1/referrals`; the procuratorate's records are updates. */
import type { Client } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from '../../db/pool';
import { findReferral, listReferrals } from '../../db/referrals-repository';
import { recordReplyUpdate, recordSuggestionUpdate } from '../../workflows/messages';
import { errorBodySchema, notFound } from '../errors';
import { runWorkflowUpdate } from '../workflow-updates';
import { listReferralsQuery, referralIdParams, referralListView, referralView, replyBody, suggestionBody } from './schemas';

const errors = { 400: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

export function referralRoutes(deps: { pool: Pool; temporal: Client }): FastifyPluginAsyncZod {
  const load = async (id: string) => {
    const referral = await findReferral(deps.pool, id);
    if (!referral) throw notFound('移送记录', 'params.id');
    return referral;
  };
  return async (app) => {
    app.get('/api/v1/referrals', {
      schema: { tags: ['referrals'], summary: '移送检察机关记录', querystring: listReferralsQuery, response: { 200: referralListView, 400: errorBodySchema } },
      handler: async (request) => {
        const { items, total } = await listReferrals(deps.pool, request.query);
        return { items, total, page: request.query.page, pageSize: request.query.pageSize };
      },
    });
    app.get('/api/v1/referrals/:id', {
      schema: { tags: ['referrals'], summary: '查看移送案卷', params: referralIdParams, response: { 200: referralView, ...errors } },
      handler: async (request) => load(request.params.id),
    });
    app.post('/api/v1/referrals/:id/suggestion', {
      schema: { tags: ['referrals'], summary: '登记是否制发检察建议', params: referralIdParams, body: suggestionBody, response: { 200: referralView, ...errors } },
      handler: async (request) => {
        const referral = await load(request.params.id);
        await runWorkflowUpdate(deps.temporal, referral.workflowId, recordSuggestionUpdate, [request.body], { field: 'body' });
        return load(referral.id);
      },
    });
    app.post('/api/v1/referrals/:id/reply', {
      schema: { tags: ['referrals'], summary: '登记被建议单位的书面回复', params: referralIdParams, body: replyBody, response: { 200: referralView, ...errors } },
      handler: async (request) => {
        const referral = await load(request.params.id);
        await runWorkflowUpdate(deps.temporal, referral.workflowId, recordReplyUpdate, [request.body], { field: 'body' });
        return load(referral.id);
      },
    });
  };
}
