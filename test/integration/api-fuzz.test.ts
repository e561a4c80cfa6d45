/**
 * Issue #11 item 4: the HTTP API fuzzed from its own OpenAPI description (/docs/json) with
 * schemathesis (PyPI, pinned in scripts/provision-fuzzer.ts), as the operator (an admin
 * token, so that every route is reached past the policy): no answer is a 5xx and none
 * breaks its own documented schema. The number of examples per operation and the seed are
 * fixed, so the run is bounded and repeatable; a failure prints schemathesis' report with
 * the request that reproduces it (curl).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';

/** Per operation: enough to reach every validator, few enough to keep CI fast. */
const MAX_EXAMPLES = 12;
const SEED = 11;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** Runs schemathesis without blocking this process, which serves the API under test. */
function schemathesis(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-m', 'schemathesis.cli', 'run', ...args], {
      env: { ...process.env, PYTHONPATH: inject('schemathesisPath'), NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('API fuzzed from its OpenAPI description (issue #11)', () => {
  it('answers no request with a 5xx or with a body that breaks its own schema', async () => {
    const { code, output } = await schemathesis([
      `${stack.baseUrl}/docs/json`,
      '--url', stack.baseUrl,
      '-H', `Authorization: Bearer ${stack.adminToken}`,
      '--checks', 'not_a_server_error,response_schema_conformance',
      '--phases', 'examples,coverage,fuzzing',
      '--max-examples', String(MAX_EXAMPLES),
      '--seed', String(SEED),
      '--workers', '1', // CPython 3.11's ast.parse is not thread-safe (schemathesis' coverage phase crashed with 2)
      '--no-shrink',
      '--request-timeout', '20',
    ]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/passed/i);
  }, 600_000);
});
