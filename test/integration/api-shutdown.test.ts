/**
 * Issue #11 item 5: SIGTERM to the API process as deployed (src/api/main.ts) drains the
 * requests in flight. A request whose body is still arriving when the signal comes is
 * answered 201 and stored, while new connections are already refused; then the process
 * exits 0.
 */
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portNear } from '../../scripts/local-services';
import { createLocalTokenMinter } from '../../src/security/auth';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { childBody } from '../support/fixtures';
import { exited, startApiProcess, stopWith, until } from '../support/processes';
import { devServerEnvironment } from '../support/temporal';

const DATA_KEY = Buffer.alloc(32, 7);
let env: TestWorkflowEnvironment;
let db: TestDatabase;
let api: ChildProcess | undefined;

beforeAll(async () => {
  [env, db] = await Promise.all([devServerEnvironment(), createTestDatabase()]);
});
afterAll(async () => {
  if (api) await stopWith(api, 'SIGKILL');
  await Promise.all([env?.teardown(), db?.drop()]);
});

/** True when a TCP connection to the port is refused: the server no longer accepts. */
const refuses = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('API graceful shutdown (issue #11)', () => {
  it('answers the request in flight at SIGTERM, refuses new connections, exits 0', async () => {
    const port = await portNear(0);
    const started = await startApiProcess({
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      PORT: String(port),
      CAREFLOW_DATA_KEY: DATA_KEY.toString('base64'),
    });
    api = started.child;
    const token = await createLocalTokenMinter(DATA_KEY).mint({ role: 'admin' }, { subject: 'shutdown-test' });
    const child = childBody();
    const body = Buffer.from(JSON.stringify(child));
    const half = Math.floor(body.length / 2);

    // Headers and half the body: the request is in flight.
    const socket = connect(port, '127.0.0.1');
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /api/v1/children HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, half));
    // In flight means the API has taken the request (its headers parsed and logged): on a
    // loaded machine a signal sent at once can arrive before the bytes are read, and a
    // connection with nothing parsed yet is idle to the server (closed, not answered).
    await until('the API has the request', () => started.output().includes('/api/v1/children'), 10_000);

    api.kill('SIGTERM');
    await until('the API refuses new connections', () => refuses(port), 10_000);
    expect(api.exitCode).toBeNull();

    // write(), not end(): a client's half-close is taken by Node as the request aborted.
    socket.write(body.subarray(half));
    await until('the whole answer', () => /content-length: (\d+)\r\n[\s\S]*\r\n\r\n/i.test(response) && Buffer.byteLength(response.slice(response.indexOf('\r\n\r\n') + 4)) >= Number(/content-length: (\d+)/i.exec(response)![1]), 10_000);
    expect(response.split('\r\n')[0]).toBe('HTTP/1.1 201 Created');
    const id = (JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { id: string }).id;
    const stored = await db.pool.query('SELECT 1 FROM children WHERE id = $1', [id]);
    expect(stored.rowCount).toBe(1);

    expect(await exited(api), started.output()).toBe(0);
    await closed; // the server hung up once it had answered
  });
});
