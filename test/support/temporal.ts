/**
 * Temporal servers for tests, from the binaries the project provisioned (never the SDK's
 * download: CI has no internet). Time-skipping for workflow tests, the CLI dev server for
 * integration tests.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { devServerSearchAttributeArgs } from '../../src/temporal/search-attributes';
import { TEST_DATA_CONVERTER } from './data-converter';

/**
 * The time-skipping server, its clock starting now or at `startAt` (an ISO instant). The
 * server's time only moves forward, so a test about a date in the past (a deadline set on
 * 2026-09-28) starts the server under libfaketime through a small wrapper script.
 */
export function timeSkippingEnvironment(options: { startAt?: string } = {}): Promise<TestWorkflowEnvironment> {
  let path = inject('temporalTestServerPath');
  if (options.startAt) {
    const start = options.startAt.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
    const wrapper = join(mkdtempSync(join(tmpdir(), 'careflow-faketime-')), 'temporal-test-server');
    writeFileSync(
      wrapper,
      `#!/bin/sh\nexport LD_PRELOAD='${inject('faketimeLibrary')}'\nexport FAKETIME='@${start}'\nexport TZ=UTC\nexec '${path}' "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    path = wrapper;
  }
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } }, client: { dataConverter: TEST_DATA_CONVERTER } });
}

export function devServerEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    client: { dataConverter: TEST_DATA_CONVERTER },
    server: {
      executable: { type: 'existing-path', path: inject('temporalCliPath') },
      ip: '127.0.0.1',
      extraArgs: [...devServerSearchAttributeArgs(), '--log-level', 'error'],
    },
  });
}
