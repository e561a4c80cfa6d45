/**
 * Start throughput against the engine's floor (issue #11 item 3):
 *
 *   npx tsx bench/start-throughput.ts [count] [concurrency]      (defaults: 200, 20)
 *
 * On one Temporal dev server (SQLite), one Postgres, one run:
 *  (a) floor: `client.workflow.start` of a trivial workflow (bench/trivial-workflow.ts,
 *      run by a worker in this process on a queue of its own), `count` starts,
 *      `concurrency` at a time; timed until every start call returned.
 *  (b) careflow: `POST /api/v1/cases` (a W1 drop-out case, children registered before the
 *      clock starts), same count and concurrency, timed until every case's first task
 *      (the W1.2 verification task) is written to the read model, `tasks` in Postgres.
 * Prints both wall times and rates, the API's own answer latencies, and the ratio b/a.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { TEST_DATA_CONVERTER } from '../test/support/data-converter';
import { childBody, pooled, rate, runBench, say, seconds, startBenchStack, until } from './support';

const COUNT = Number(process.argv[2] ?? 200);
const CONCURRENCY = Number(process.argv[3] ?? 20);
if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 5_000) throw new Error('count must be 1..5000');
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1 || CONCURRENCY > 200) throw new Error('concurrency must be 1..200');

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main(): Promise<number> {
  say(`${COUNT} starts each, ${CONCURRENCY} at a time; ${availableParallelism()} CPUs; Node ${process.version}`);
  const stack = await startBenchStack();
  const headers = await stack.headersFor('caseworker', { county: '410402' });

  // (a) the floor: a trivial workflow on a queue of its own, run by a worker here.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const floorQueue = 'bench-floor';
  const connection = await NativeConnection.connect({ address: stack.temporal.address });
  const worker = await Worker.create({
    connection,
    taskQueue: floorQueue,
    workflowsPath: fileURLToPath(new URL('./trivial-workflow.ts', import.meta.url)),
    dataConverter: TEST_DATA_CONVERTER,
  });
  const running = worker.run();
  // Warm-up of both paths: the bundle loaded, connections open.
  await stack.client.workflow.execute('benchTrivial', { workflowId: 'floor-warm-up', taskQueue: floorQueue });
  say('(a) floor: client.workflow.start of a trivial workflow ...');
  const floorStart = performance.now();
  await pooled(COUNT, CONCURRENCY, async (i) => {
    await stack.client.workflow.start('benchTrivial', { workflowId: `floor-${i}`, taskQueue: floorQueue });
  });
  const floorMs = performance.now() - floorStart;

  // (b) careflow: children registered first (not timed), then the cases.
  say(`(b) careflow: registering ${COUNT + 1} children (not timed) ...`);
  const children: string[] = [];
  await pooled(COUNT + 1, CONCURRENCY, async (i) => {
    const response = await fetch(`${stack.baseUrl}/api/v1/children`, { method: 'POST', headers, body: JSON.stringify(childBody(i)) });
    if (response.status !== 201) throw new Error(`child ${i}: ${response.status} ${await response.text()}`);
    children[i] = ((await response.json()) as { id: string }).id;
  });
  const report = { kind: 'suspected', absenceDays: 5, source: 'school', reportedBy: '班主任' };
  const openCase = async (childId: string) => {
    const response = await fetch(`${stack.baseUrl}/api/v1/cases`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': `open-${childId}` },
      body: JSON.stringify({ type: 'dropout', childId, townshipCode: '410402001', report }),
    });
    if (response.status !== 201) throw new Error(`case for ${childId}: ${response.status} ${await response.text()}`);
  };
  const verifyTasks = async () => Number((await stack.pool.query<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE kind = 'dropout.verify'`)).rows[0]!.n);
  await openCase(children[COUNT]!);
  await until('the warm-up case task', async () => (await verifyTasks()) === 1, 60_000);
  say('(b) careflow: POST /api/v1/cases up to the first task written ...');
  const answers: number[] = [];
  const caseStart = performance.now();
  await pooled(COUNT, CONCURRENCY, async (i) => {
    const sent = performance.now();
    await openCase(children[i]!);
    answers.push(performance.now() - sent);
  });
  const apiMs = performance.now() - caseStart;
  await until(`${COUNT} verification tasks`, async () => (await verifyTasks()) === COUNT + 1, 300_000);
  const caseMs = performance.now() - caseStart;
  worker.shutdown();
  await running;
  await connection.close();

  answers.sort((x, y) => x - y);
  console.log('');
  console.log(`careflow start-throughput bench: ${COUNT} each, concurrency ${CONCURRENCY}, one dev server (SQLite), loopback, ${availableParallelism()} CPUs`);
  console.log(`  (a) floor     client.workflow.start x${COUNT}: wall ${seconds(floorMs)} s, ${rate(COUNT, floorMs)} starts/s`);
  console.log(`  (b) careflow  POST /api/v1/cases -> first task row x${COUNT}: wall ${seconds(caseMs)} s, ${rate(COUNT, caseMs)} cases/s`);
  console.log(`                API answered all in ${seconds(apiMs)} s; answer latency p50 ${answers.length ? percentile(answers, 50).toFixed(0) : '-'} ms, p95 ${percentile(answers, 95).toFixed(0)} ms, p99 ${percentile(answers, 99).toFixed(0)} ms`);
  console.log(`  ratio b/a     ${(caseMs / floorMs).toFixed(1)}x the floor's wall time`);
  return 0;
}

runBench(main);
