import type { Client } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Pool } from '../db/pool';

const healthView = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({ postgres: z.string(), temporal: z.string() }),
});

async function check(probe: () => Promise<unknown>): Promise<string> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000).unref())]);
    return 'ok';
  } catch (error) {
    return `error: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** `GET /healthz`: 200 when Postgres and Temporal both answer, else 503. */
export function healthRoutes(deps: { pool: Pool; temporal: Client }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/healthz', {
      schema: { tags: ['ops'], summary: '健康检查', response: { 200: healthView, 503: healthView } },
      handler: async (_request, reply) => {
        const [postgres, temporal] = await Promise.all([
          check(() => deps.pool.query('SELECT 1')),
          check(() => deps.temporal.workflowService.getSystemInfo({})),
        ]);
        const ok = postgres === 'ok' && temporal === 'ok';
        return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks: { postgres, temporal } });
      },
    });
  };
}
