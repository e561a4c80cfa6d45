/**
 * Load on the HTTP API (issue #11 item 2), loopback only, bounded in count and time:
 *
 *   npx tsx bench/load.ts [count] [connections]      (defaults: 500, 20)
 *
 * Starts the whole stack (bench/support.ts), then drives it with autocannon in three
 * phases, each `count` requests over `connections` kept-alive connections, each capped at
 * MAX_PHASE_SECONDS:
 *   1. POST /api/v1/children     (each registration also starts the intake workflow + mail)
 *   2. POST /api/v1/cases        (a W1 drop-out case per registered child: workflow, task, mails)
 *   3. GET  /api/v1/cases?...    (the supervisors' list, read model only)
 * Prints per phase: requests, throughput, latency p50/p95/p99, non-2xx and errors. Then,
 * once the workflows have settled, checks that every accepted request is reflected exactly
 * once: children, cases, `child.registered` / `case.opened` / `task.assigned` audit rows,
 * one W1.2 task per case, every outbox row sent, every mail received once (Message-ID).
 * Exits non-zero when a check fails.
 */
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { childBody, runBench, say, startBenchStack, until } from './support';

const COUNT = Number(process.argv[2] ?? 500);
const CONNECTIONS = Number(process.argv[3] ?? 20);
const MAX_PHASE_SECONDS = 180;
if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 20_000) throw new Error('count must be 1..20000');
if (!Number.isInteger(CONNECTIONS) || CONNECTIONS < 1 || CONNECTIONS > 500) throw new Error('connections must be 1..500');

interface PhaseResult {
  name: string;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  latencies: number[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** One autocannon run of `amount` requests; `onOk` gets each 2xx body. */
async function phase(
  name: string,
  url: string,
  headers: Record<string, string>,
  request: { method: 'GET' | 'POST'; path: string; body?: () => string | undefined },
  onOk: (body: string) => void = () => undefined,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let non2xx = 0;
  const started = performance.now();
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    amount: COUNT,
    timeout: 30,
    headers,
    requests: [
      {
        method: request.method,
        path: request.path,
        setupRequest: (req) => (request.body ? { ...req, body: request.body() } : req),
        onResponse: (status, body) => {
          if (status >= 200 && status < 300) onOk(body);
          else non2xx += 1;
        },
      },
    ],
  });
  // The tracker emits (client, status, bytes, ms); @types/autocannon leaves out the client.
  (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  const cap = setTimeout(() => (instance as unknown as { stop(): void }).stop(), MAX_PHASE_SECONDS * 1000);
  const result = await instance;
  clearTimeout(cap);
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: result.requests.total,
    ok: result.requests.total - non2xx,
    non2xx,
    errors: result.errors + result.timeouts,
    seconds: (performance.now() - started) / 1000,
    latencies,
  };
}

function print(result: PhaseResult): void {
  const l = result.latencies;
  console.log(
    `  ${result.name.padEnd(22)} ${String(result.requests).padStart(6)} req  ${(result.requests / result.seconds).toFixed(1).padStart(7)} req/s  ` +
      `p50 ${percentile(l, 50).toFixed(0)} ms  p95 ${percentile(l, 95).toFixed(0)} ms  p99 ${percentile(l, 99).toFixed(0)} ms  ` +
      `non-2xx ${result.non2xx}  errors ${result.errors}`,
  );
}

async function main(): Promise<number> {
  say(`${COUNT} requests per phase over ${CONNECTIONS} connections; ${availableParallelism()} CPUs; Node ${process.version}`);
  const stack = await startBenchStack();
  // The operator: one token may call all three routes (the per-subject rate limit is off here).
  const headers = await stack.headersFor('admin');
  let next = 0;
  const children: string[] = [];
  const cases: string[] = [];

  say('phase 1: POST /api/v1/children ...');
  const registered = await phase('POST /children', stack.baseUrl, headers, { method: 'POST', path: '/api/v1/children', body: () => JSON.stringify(childBody(next++)) }, (body) =>
    children.push((JSON.parse(body) as { id: string }).id),
  );
  say('phase 2: POST /api/v1/cases ...');
  let caseIndex = 0;
  const report = { kind: 'suspected', absenceDays: 5, source: 'school', reportedBy: '班主任' };
  const opened = await phase(
    'POST /cases',
    stack.baseUrl,
    headers,
    {
      method: 'POST',
      path: '/api/v1/cases',
      // A child without a case, else one that has one (answered 409 DUPLICATE_CASE: counted as non-2xx).
      body: () => JSON.stringify({ type: 'dropout', childId: children[caseIndex++ % children.length], townshipCode: '410402001', report }),
    },
    (body) => cases.push((JSON.parse(body) as { id: string }).id),
  );
  say('phase 3: GET /api/v1/cases ...');
  const listed = await phase('GET /cases?county=...', stack.baseUrl, headers, { method: 'GET', path: '/api/v1/cases?county=410402&status=open&limit=50' });

  say('waiting for the workflows to settle (every task written, every mail sent) ...');
  const count = async (sql: string, params: unknown[] = []) => Number((await stack.pool.query<{ n: string }>(sql, params)).rows[0]!.n);
  const mailsExpected = children.length + cases.length * 3; // intake; W1.2 task + township + police notices
  await until('every task written and every mail sent', async () => {
    const tasks = await count(`SELECT count(*) AS n FROM tasks WHERE kind = 'dropout.verify'`);
    const sent = await count('SELECT count(*) AS n FROM notifications WHERE sent_at IS NOT NULL');
    return tasks >= cases.length && sent >= mailsExpected;
  }, 600_000);

  const checks: Array<[string, number, number]> = [
    ['children rows = registrations answered 201', await count('SELECT count(*) AS n FROM children'), children.length],
    ['child.registered audit rows', await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'child.registered'`), children.length],
    ['case rows = cases answered 201', await count('SELECT count(*) AS n FROM cases'), cases.length],
    ['case.opened audit rows', await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'case.opened'`), cases.length],
    ['W1.2 tasks (one per case)', await count(`SELECT count(DISTINCT case_id) AS n FROM tasks WHERE kind = 'dropout.verify' AND case_id = ANY($1)`, [cases]), cases.length],
    ['W1.2 task rows', await count(`SELECT count(*) AS n FROM tasks WHERE kind = 'dropout.verify'`), cases.length],
    ['task.assigned audit rows', await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'task.assigned'`), cases.length],
    ['outbox rows, all sent', await count('SELECT count(*) AS n FROM notifications WHERE sent_at IS NOT NULL'), mailsExpected],
    ['outbox rows in all', await count('SELECT count(*) AS n FROM notifications'), mailsExpected],
    ['distinct Message-IDs received', stack.sink.counts.size, mailsExpected],
    ['messages received (duplicates included)', stack.sink.received(), mailsExpected],
  ];

  console.log('');
  console.log(`careflow load bench: ${COUNT} requests per phase, ${CONNECTIONS} connections, loopback, ${availableParallelism()} CPUs`);
  for (const result of [registered, opened, listed]) print(result);
  console.log('  exactly once:');
  let ok = true;
  for (const [what, actual, expected] of checks) {
    const pass = actual === expected;
    ok &&= pass;
    console.log(`    ${pass ? 'ok  ' : 'FAIL'} ${what}: ${actual}${pass ? '' : ` (expected ${expected})`}`);
  }
  return ok ? 0 : 1;
}

runBench(main);
