/**
 * Issue #10: the Temporal server's own record of a case (its raw history, as the Temporal
 * UI shows it) holds no child's name or ID number: every payload is encrypted; the codec
 * endpoint decrypts it for an operator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorkflowId, childIntakeWorkflowId } from '../../src/temporal/workflow-ids';
import { childBody } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

interface RawPayload {
  metadata?: Record<string, Uint8Array>;
  data?: Uint8Array;
}

/**
 * Every payload anywhere in the history events, but search attributes: those are indexed in
 * plain text by design, which is why they hold only type, county, stage and levels.
 */
function payloadsIn(value: unknown, found: RawPayload[] = []): RawPayload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const record = value as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && 'encoding' in (record.metadata as object)) found.push(record as RawPayload);
  for (const [key, child] of Object.entries(record)) if (key !== 'searchAttributes') payloadsIn(child, found);
  return found;
}

describe('payloads on the Temporal server', () => {
  it('are all encrypted: the raw history holds no name or ID number, and the codec endpoint opens them', async () => {
    const body = childBody({ name: '欧阳小明' });
    const child = await stack.request('POST', '/api/v1/children', body);
    const opened = await stack.request('POST', '/api/v1/cases', { type: 'dropout', childId: child.body.id, report: { kind: 'dropped-out', absenceDays: 9, source: 'school', reportedBy: '班主任' } });
    expect(opened.status).toBe(201);
    await stack.smtp.waitForMessages(2);

    for (const workflowId of [childIntakeWorkflowId(child.body.id), caseWorkflowId('dropout', opened.body.id)]) {
      const raw = await stack.env.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
      const events = raw.history?.events ?? [];
      expect(events.length).toBeGreaterThan(3);
      const bytes = Buffer.from(JSON.stringify(events, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value)), 'latin1');
      for (const secret of ['欧阳小明', String(body.residentId), '李梅', '13812345678']) {
        expect(bytes.includes(Buffer.from(secret, 'utf8')), `${workflowId} contains ${secret}`).toBe(false);
      }
      const payloads = payloadsIn(events);
      expect(payloads.length).toBeGreaterThan(0);
      expect(new Set(payloads.map((p) => Buffer.from(p.metadata!.encoding!).toString()))).toEqual(new Set(['binary/encrypted']));
    }

    // The codec endpoint decrypts a payload for the Temporal UI.
    const raw = await stack.env.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: childIntakeWorkflowId(child.body.id) } });
    const input = raw.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const decoded = await stack.request('POST', '/codec/decode', {
      payloads: [{ metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(input.data!).toString('base64') }],
    });
    expect(decoded.status).toBe(200);
    const plain = decoded.body.payloads[0];
    expect(Buffer.from(plain.metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(plain.data, 'base64').toString())).toEqual({ childId: child.body.id });
  });
});
