/**
 * Issue #10 item 4: no personal data in logs. The production entry points (worker.ts and
 * src/api/main.ts, each in a process of its own, as docker-compose runs them) log at
 * `debug` while a child is registered, read, corrected, visited, and a drop-out case (W1)
 * runs from report to closure, with bad requests on the way. Everything both processes
 * print is then searched for the child's and the guardian's personal data, and the tokens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDateOf } from '../../src/domain/calendar-date';
import { createLocalTokenMinter } from '../../src/security/auth';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { childBody, residentIdFor } from '../support/fixtures';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';
import { devServerEnvironment } from '../support/temporal';

const DATA_KEY = Buffer.alloc(32, 7);
/** The personal data of this run: each string must appear in no log line. */
const CHILD = {
  name: '欧阳小雪',
  residentId: residentIdFor('2014-06-18', 'female', '410102', 77),
  guardianName: '司马守业',
  phone: '13987654321',
  village: '杏花岭村',
  visitNotes: '祖母独自照料孙女',
};

let env: TestWorkflowEnvironment;
let db: TestDatabase;
let smtp: TestSmtpServer;
const processes: ChildProcess[] = [];
let output = '';
let baseUrl: string;
let token: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A production entry point at `debug`, its stdout and stderr appended to `output`. */
function startProcess(script: string, environment: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  processes.push(child);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  [env, db, smtp] = await Promise.all([devServerEnvironment(), createTestDatabase(), startTestSmtpServer()]);
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: baseUrl,
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: `careflow-logs-${port}`,
    SMTP_URL: smtp.url,
    CAREFLOW_DATA_KEY: DATA_KEY.toString('base64'),
  };
  startProcess('worker.ts', environment);
  startProcess('src/api/main.ts', environment);
  token = await createLocalTokenMinter(DATA_KEY).mint({ role: 'admin' }, { subject: 'log-test-operator' });
  await eventually(() => fetch(`${baseUrl}/healthz`).then((r) => r.status, () => 0), (status) => status === 200, 60_000);
});

afterAll(async () => {
  await Promise.all(processes.map(stopProcess));
  await Promise.all([env?.teardown(), db?.drop(), smtp?.stop()]);
});

describe('logs of a full case run (issue #10)', () => {
  it('hold no name, ID number, guardian, phone, address, visit notes or token', async () => {
    const body = childBody({
      name: CHILD.name,
      gender: 'female',
      birthDate: '2014-06-18',
      residentId: CHILD.residentId,
      residence: { countyCode: '410402', township: '新华路街道', village: CHILD.village },
      guardians: [{ relation: 'grandparent', name: CHILD.guardianName, phone: CHILD.phone, livesWithChild: true }],
      riskFlags: { familyHardship: true },
    });
    // Bad input carrying the personal data first: a 400 must not echo it into a log.
    expect((await call('POST', '/api/v1/children', { ...body, birthDate: '2014-02-30' })).status).toBe(400);
    const created = await call('POST', '/api/v1/children', body);
    expect(created.status).toBe(201);
    const childId: string = created.body.id;
    expect((await call('POST', '/api/v1/children', body)).status).toBe(409);
    expect((await call('GET', `/api/v1/children/${childId}`)).status).toBe(200);
    expect((await call('PATCH', `/api/v1/children/${childId}`, { guardians: [{ relation: 'grandparent', name: CHILD.guardianName, phone: CHILD.phone, livesWithChild: true }] })).status).toBe(200);

    // A home visit of the key-care plan, with notes.
    await eventually(() => call('GET', `/api/v1/children/${childId}/visit-plan`), (r) => r.status === 200);
    const visit = await call('POST', `/api/v1/children/${childId}/visits`, {
      visitedOn: chinaDateOf(Date.now()),
      visitor: '王主任',
      notes: CHILD.visitNotes,
      livingSecurity: { level: 'good' },
      guardianship: { level: 'attention', note: CHILD.visitNotes },
      medicalCare: { level: 'good' },
      schooling: { level: 'good' },
    });
    expect(visit.status).toBe(201);

    // W1 from report to closure: verification, persuasion, the move back, the hand-off.
    const opened = await call('POST', '/api/v1/cases', { type: 'dropout', childId, townshipCode: '410402001', report: { kind: 'suspected', absenceDays: 5, source: 'school', reportedBy: '班主任李老师' } });
    expect(opened.status).toBe(201);
    const caseId: string = opened.body.id;
    const openTask = async (assignee: string) =>
      (await eventually(() => call('GET', `/api/v1/tasks?assignee=${assignee}&status=open`), (r) => r.body.items.some((t: { caseId: string }) => t.caseId === caseId))).body.items.find(
        (t: { caseId: string }) => t.caseId === caseId,
      ) as { id: string };
    expect((await call('POST', `/api/v1/tasks/${(await openTask('jt-410402')).id}/complete`, { outcome: 'confirmed', by: '教体局张科长' })).status).toBe(200);
    await eventually(() => call('GET', `/api/v1/cases/${caseId}`), (r) => r.body.stage === 'persuasion');
    expect((await call('POST', `/api/v1/cases/${caseId}/actions`, { action: 'log-persuasion-visit', date: chinaDateOf(Date.now()), visitor: '儿童主任王某', result: 'refused', by: '儿童主任王某' })).status).toBe(200);
    expect((await call('POST', `/api/v1/cases/${caseId}/actions`, { action: 'record-moved-back', date: chinaDateOf(Date.now()), hukouCountyCode: '410102', by: '儿童主任王某' })).status).toBe(200);
    expect((await call('POST', `/api/v1/tasks/${(await openTask('outside-jt-410102')).id}/complete`, { outcome: 'accepted', by: '中原区教体局' })).status).toBe(200);
    await eventually(() => call('GET', `/api/v1/cases/${caseId}`), (r) => r.body.status === 'closed');
    // The dashboard's link carries the token in its query string (the page moves it to a
    // header); a request that sends it to the API that way is refused, and logged censored.
    expect((await fetch(`${baseUrl}/?token=${token}`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/api/v1/cases/${caseId}?token=${token}`)).status).toBe(401);

    await Promise.all(processes.map(stopProcess));
    // Both processes logged, at debug: the API every request, the worker every activity.
    expect(output).toContain('/api/v1/cases');
    expect(output).toContain('"statusCode":201');
    expect(output).toContain('Activity completed');
    expect(output).toContain('Workflow completed');
    for (const [what, value] of Object.entries({ ...CHILD, idDigits: CHILD.residentId.slice(6, 14), token })) {
      expect(output.includes(value), `${what} (${value}) found in the logs`).toBe(false);
    }
  });
});
