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
    ...overrides,
  });
}

export { workflowsPath };
