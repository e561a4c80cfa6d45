/**
 * Recorded workflow histories for the replay test (architecture.md: changes to running
 * workflow code must not break histories already stored on the server).
 * `CAREFLOW_RECORD_HISTORIES=1 npx vitest run test/workflow` refreshes them from the
 * workflow tests; commit the files when a workflow change is deliberate (with patched()).
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import type * as ProtoUtils from '@temporalio/common/lib/proto-utils';

// Through Node's own loader, so that it shares protobufjs with the client that fetched the
// history (vitest's module graph would load a second copy: "type must be a Type").
const { historyToJSON } = createRequire(import.meta.url)('@temporalio/common/lib/proto-utils') as typeof ProtoUtils;

export const historiesDir = fileURLToPath(new URL('../replay/histories', import.meta.url));

export async function recordHistoryIfAsked(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.CAREFLOW_RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  writeFileSync(`${historiesDir}/${name}.json`, historyToJSON(history));
}
