/**
 * Temporal servers for tests, from the binaries the project provisioned (never the SDK's
 * download: CI has no internet). Time-skipping for workflow tests, the CLI dev server for
 * integration tests.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { devServerSearchAttributeArgs } from '../../src/temporal/search-attributes';

export function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
  });
}

export function devServerEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: inject('temporalCliPath') },
      ip: '127.0.0.1',
      extraArgs: [...devServerSearchAttributeArgs(), '--log-level', 'error'],
    },
  });
}
