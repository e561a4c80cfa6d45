/**
 * Issue #9: the supervisors' dashboard at `/`, static files over the same API, and the
 * chart library served from node_modules (no build step, nothing fetched from the internet).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const publicDir = fileURLToPath(new URL('./public', import.meta.url));
// chart.js's main entry lives in dist/, beside the UMD build the page loads.
const chartJsDir = dirname(createRequire(import.meta.url).resolve('chart.js'));

export async function registerDashboard(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: publicDir, prefix: '/dashboard/', index: false });
  await app.register(fastifyStatic, { root: chartJsDir, prefix: '/assets/', decorateReply: false, allowedPath: (path) => path === '/chart.umd.min.js' });
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html', publicDir));
}
