/**
 * `npm run build`: writes dist/workflow-bundle.js, which production workers load instead of
 * bundling the workflows at every start (samples-typescript `production`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { prebuiltBundlePath, workflowsPath } from '../src/temporal/worker';

const { code } = await bundleWorkflowCode({ workflowsPath });
mkdirSync(dirname(prebuiltBundlePath), { recursive: true });
writeFileSync(prebuiltBundlePath, code);
console.log(`[careflow] workflow bundle written to ${prebuiltBundlePath} (${(code.length / 1024).toFixed(0)} KiB)`);
