/** Issue #3: the bureaus' inbox, `/api/v1/tasks`; acknowledging and completing are updates. */
import { withholdSensitiveTask } from '../../security/sensitive-fields';
import type { Client } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from '../../db/pool';
import { findTask, listTasks } from '../../db/tasks-repository';
import { acknowledgeTaskUpdate, completeTaskUpdate } from '../../workflows/messages';
import { ApiError, errorBodySchema, notFound } from '../errors';
import { runWorkflowUpdate } from '../workflow-updates';
import { acknowledgeBody, completeBody, listTasksQuery, taskIdParams, taskListView, taskView } from './schemas';

const errors = { 400: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

export function taskRoutes(deps: { pool: Pool; temporal: Client; now?: () => Date }): FastifyPluginAsyncZod {
  const now = deps.now ?? (() => new Date());
  const load = async (id: string) => {
    const task = await findTask(deps.pool, id, now());
    if (!task) throw notFound('任务', 'params.id');
    return task;
  };
  // Idempotency-Key makes a retried POST the same update: Temporal deduplicates by update ID.
  const updateId = (headers: Record<string, unknown>, action: string, id: string) => {
    const key = headers['idempotency-key'];
    return typeof key === 'string' && key ? `${action}:${id}:${key}` : undefined;
  };

  return async (app) => {
    app.get('/api/v1/tasks', {
      schema: { tags: ['tasks'], summary: '待办任务列表', querystring: listTasksQuery, response: { 200: taskListView, 400: errorBodySchema } },
      handler: async (request) => {
        const { items, total } = await listTasks(deps.pool, request.query, now());
        return { items: items.map((task) => withholdSensitiveTask(task, request.principal)), total, page: request.query.page, pageSize: request.query.pageSize };
      },
    });
    app.get('/api/v1/tasks/:id', {
      schema: { tags: ['tasks'], summary: '查看任务', params: taskIdParams, response: { 200: taskView, ...errors } },
      handler: async (request) => withholdSensitiveTask(await load(request.params.id), request.principal),
    });
    app.post('/api/v1/tasks/:id/acknowledge', {
      schema: { tags: ['tasks'], summary: '签收任务', params: taskIdParams, body: acknowledgeBody, response: { 200: taskView, ...errors } },
      handler: async (request) => {
        const task = await load(request.params.id);
        await runWorkflowUpdate(deps.temporal, task.workflowId, acknowledgeTaskUpdate, [request.body], {
          field: 'body',
          updateId: updateId(request.headers, 'acknowledge', task.id),
        });
        return load(task.id);
      },
    });
    app.post('/api/v1/tasks/:id/complete', {
      schema: { tags: ['tasks'], summary: '办结任务（结果由所属流程校验）', params: taskIdParams, body: completeBody, response: { 200: taskView, ...errors } },
      handler: async (request) => {
        const task = await load(request.params.id);
        if (task.status === 'completed') {
          // A retried request (same outcome, same person) gets the record: retries are idempotent.
          if (task.outcome === request.body.outcome && task.completedBy === request.body.by) return task;
          // The task's workflow has closed; answer from the record instead of the workflow.
          throw new ApiError(409, 'ACTION_NOT_ALLOWED', '任务已完成，不能重复提交', [{ path: 'params.id', message: '任务已完成' }]);
        }
        await runWorkflowUpdate(deps.temporal, task.workflowId, completeTaskUpdate, [request.body], {
          field: 'body.outcome',
          updateId: updateId(request.headers, 'complete', task.id),
        });
        return load(task.id);
      },
    });
  };
}
