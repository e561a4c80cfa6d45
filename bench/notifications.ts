/**
 * Bench of the notification path (issue #3 item 6, docs/notifications.md):
 *
 *   npx tsx bench/notifications.ts [count] [concurrency]      (defaults: 1000, 20)
 *
 * Starts everything itself on loopback, in a temporary folder it deletes afterwards:
 * embedded Postgres, the Temporal CLI dev server, an SMTP sink (smtp-server) in this
 * process, a careflow worker in a process of its own (test/support/worker-process.ts) and
 * the HTTP API. Then:
 *
 * 1. careflow: registers `count` children through POST /api/v1/children, `concurrency`
 *    requests at a time. There is no public "assign task" endpoint yet, so the mail used
 *    is the intake mail each registration sends to the county civil-affairs bureau: the
 *    same sendNotification activity and outbox as every task mail. Timed from the first
 *    request until the sink holds `count` distinct Message-IDs and every outbox row is
 *    marked sent.
 * 2. bare: the same number of mails sent to the same sink by a plain nodemailer loop with
 *    the transport options careflow's mailer uses, `concurrency` sends at a time.
 *
 * Prints delivered mails, duplicates (same Message-ID received more than once: must be 0
 * when nothing crashes), wall time and throughput of each, and the ratio careflow/bare.
 * Exits non-zero when a mail is missing or duplicated, or when it runs out of time.
 */
import { availableParallelism } from 'node:os';
import nodemailer from 'nodemailer';
import { messageIdFor } from '../src/activities/notifications';
import { childIntakeWorkflowId } from '../src/temporal/workflow-ids';
import { childBody, pooled, rate, runBench, say, seconds, startBenchStack, startSink, until } from './support';

const COUNT = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 20);
/** Each phase must finish within this, or the bench stops and says so. */
const PHASE_TIMEOUT_MS = 300_000;

if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 10_000) throw new Error('count must be 1..10000');
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1 || CONCURRENCY > 200) throw new Error('concurrency must be 1..200');

// ---------------------------------------------------------------------------------------

async function main(): Promise<number> {
  say(`${COUNT} mails, ${CONCURRENCY} at a time; ${availableParallelism()} CPUs; Node ${process.version}`);
  const { pool, sink, baseUrl, headersFor } = await startBenchStack();
  // A caseworker of the county the children live in, as in production (issue #10).
  const headers = await headersFor('caseworker', { county: '410402' });

  // Warm-up: one registration end to end (workflow bundle loaded, connections open).
  const warm = await fetch(`${baseUrl}/api/v1/children`, { method: 'POST', headers, body: JSON.stringify(childBody(COUNT)) });
  if (warm.status !== 201) throw new Error(`warm-up registration answered ${warm.status}: ${await warm.text()}`);
  await until('the warm-up mail', () => sink.received() >= 1, 60_000);
  await new Promise((r) => setTimeout(r, 500));
  sink.reset();
  await pool.query('DELETE FROM notifications');

  // 1. careflow: through the API, the workflow, the outbox and SMTP.
  say(`careflow: registering ${COUNT} children through POST /api/v1/children (each sends one intake mail through sendNotification) ...`);
  const failures: string[] = [];
  const careflowStart = performance.now();
  const childIds: string[] = [];
  await pooled(COUNT, CONCURRENCY, async (i) => {
    const response = await fetch(`${baseUrl}/api/v1/children`, { method: 'POST', headers, body: JSON.stringify(childBody(i)) });
    if (response.status !== 201) failures.push(`${response.status} ${await response.text()}`);
    else childIds.push(((await response.json()) as { id: string }).id);
  });
  const apiMs = performance.now() - careflowStart;
  if (failures.length) throw new Error(`${failures.length} registrations failed, e.g. ${failures[0]}`);
  // The intake mails are the ones measured; each registration also refers the child's
  // service-list entitlements (issue #12), whose task mails share the worker meanwhile.
  const intakeIds = childIds.map((id) => messageIdFor(`${childIntakeWorkflowId(id)}:registered`));
  const intakeDelivered = () => intakeIds.filter((id) => sink.counts.has(id)).length;
  const outboxSent = async () =>
    Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM notifications WHERE sent_at IS NOT NULL AND message_id = ANY($1)', [intakeIds])).rows[0]!.n);
  await until(`${COUNT} intake mails delivered and marked sent`, async () => intakeDelivered() >= COUNT && (await outboxSent()) >= COUNT, PHASE_TIMEOUT_MS);
  const careflowMs = performance.now() - careflowStart;
  // Anything still to come (a retried send) would be a duplicate: give it a moment.
  await new Promise((r) => setTimeout(r, 2000));
  const outboxStats = (
    await pool.query<{ rows: string; sent: string; attempts: string }>('SELECT count(*) AS rows, count(sent_at) AS sent, coalesce(sum(attempts), 0) AS attempts FROM notifications')
  ).rows[0]!;
  const careflow = { delivered: intakeDelivered(), others: sink.counts.size - intakeDelivered(), received: sink.received(), duplicates: sink.received() - sink.counts.size, ms: careflowMs };

  // 2. bare nodemailer: a sink of its own (careflow's referral mails, issue #12, may still be
  // arriving at the first), same transport options, same concurrency.
  const bareSink = await startSink();
  say(`bare: sending ${COUNT} mails with a nodemailer loop, ${CONCURRENCY} at a time ...`);
  const transport = nodemailer.createTransport({ url: bareSink.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  const bareStart = performance.now();
  await pooled(COUNT, CONCURRENCY, async (i) => {
    await transport.sendMail({
      from: 'careflow <noreply@careflow.local>',
      to: 'mz-410402@pds.careflow.local',
      subject: '【流动儿童登记】新登记儿童待核实',
      text: `辖区新登记一名流动儿童（编号 bench-${i}），请按监测摸排要求（M1）核实其信息。`,
      messageId: `<bare-${i}@bench.careflow.local>`,
    });
  });
  await until(`${COUNT} bare mails`, () => bareSink.counts.size >= COUNT, PHASE_TIMEOUT_MS);
  const bareMs = performance.now() - bareStart;
  transport.close();
  const bare = { delivered: bareSink.counts.size, received: bareSink.received(), duplicates: bareSink.received() - bareSink.counts.size, ms: bareMs };
  await bareSink.stop();

  console.log('');
  console.log(`careflow notifications bench: ${COUNT} mails, concurrency ${CONCURRENCY}, loopback, ${availableParallelism()} CPUs`);
  console.log(`  path measured: POST /api/v1/children -> childIntake workflow -> sendNotification (outbox) -> SMTP`);
  console.log(`  careflow  delivered ${careflow.delivered}/${COUNT}  duplicates ${careflow.duplicates}  wall ${seconds(careflow.ms)} s  ${rate(careflow.delivered, careflow.ms)} mails/s  (API answered all ${COUNT} in ${seconds(apiMs)} s)`);
  console.log(`            outbox: ${outboxStats.rows} rows, ${outboxStats.sent} sent, ${outboxStats.attempts} send attempts; meanwhile ${careflow.others} other mails (entitlement referrals, issue #12)`);
  console.log(`  bare      delivered ${bare.delivered}/${COUNT}  duplicates ${bare.duplicates}  wall ${seconds(bare.ms)} s  ${rate(bare.delivered, bare.ms)} mails/s  (nodemailer, same transport options)`);
  console.log(`  ratio     careflow/bare wall time ${(careflow.ms / bare.ms).toFixed(1)}x  (throughput ${(bare.ms / careflow.ms).toFixed(2)} of bare)`);
  const ok = careflow.delivered === COUNT && careflow.duplicates === 0 && bare.delivered === COUNT && bare.duplicates === 0;
  if (!ok) console.log('  FAILED: a mail is missing or duplicated');
  return ok ? 0 : 1;
}

runBench(main);
