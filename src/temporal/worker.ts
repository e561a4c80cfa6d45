import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Written by `npm run build`; used in production so workers start without bundling. */
export const prebuiltBundlePath = fileURLToPath(new URL('../../dist/workflow-bundle.js', import.meta.url));

export interface WorkerTarget {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** careflowDataConverter(...): the same keys as the clients'. */
  dataConverter: DataConverter;
}

/**
 * Graceful shutdown (issue #11). On SIGTERM the worker stops polling at once and lets the
 * activities it holds finish: our activities neither heartbeat nor watch for cancellation,
 * so an attempt that is cut short is simply retried by another worker, but one that is
 * allowed to finish is not run twice (a mail held at the SMTP server's 250 is the case that
 * matters, docs/notifications.md). The grace is how long they may take before they are told
 * to cancel; past the force time the worker gives up, run() rejects and the process exits,
 * always inside the orchestrator's stop period (docker-compose `stop_grace_period: 60s`).
 * The send activity's own timeout is 30 s, so a held mail always fits in the grace.
 */
export const WORKER_SHUTDOWN = { graceTime: '35s', forceTime: '50s' } as const;

export async function createCareflowWorker(
  target: WorkerTarget,
  deps: ActivityDeps,
  overrides: Partial<WorkerOptions> = {},
): Promise<Worker> {
  const usePrebuilt = process.env.NODE_ENV === 'production' && existsSync(prebuiltBundlePath);
  return Worker.create({
    connection: target.connection,
    namespace: target.namespace,
    taskQueue: target.taskQueue,
    ...(usePrebuilt ? { workflowBundle: { codePath: prebuiltBundlePath } } : { workflowsPath }),
    activities: createActivities(deps),
    dataConverter: target.dataConverter,
    shutdownGraceTime: WORKER_SHUTDOWN.graceTime,
    shutdownForceTime: WORKER_SHUTDOWN.forceTime,
    ...overrides,
  });
}

export { workflowsPath };
