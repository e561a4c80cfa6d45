/**
 * careflow's own processes for tests that must signal them: a worker
 * (test/support/worker-process.ts) or the API (src/api/main.ts) in a child process, to be
 * stopped with SIGTERM (graceful shutdown) or SIGKILL (a crash), then started again.
 *
 * Both run as `node --import tsx <script>`, not through the `tsx` command: the latter runs
 * the script in a child process of its own, which a SIGKILL of the command would leave
 * running. Started with an IPC channel, a worker exits when the test process goes away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const workerScript = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const apiScript = fileURLToPath(new URL('../../src/api/main.ts', import.meta.url));

export interface WorkerProcessTarget {
  databaseUrl: string;
  temporalAddress: string;
  namespace?: string;
  taskQueue: string;
  smtpUrl: string;
}

/** Everything a started process printed, for failure messages. */
export interface StartedProcess {
  child: ChildProcess;
  output(): string;
}

function spawnScript(script: string, env: Record<string, string>, readyText: string, ipc: boolean): Promise<StartedProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<StartedProcess>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready after 30 s:\n${output}`)), 30_000);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready:\n${output}`));
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ child, output: () => output });
      }
    });
    child.once('exit', onExit);
  });
}

const outputs = new WeakMap<ChildProcess, () => string>();

/** What a worker started by startWorkerProcess printed so far, for failure messages. */
export const outputOf = (child: ChildProcess): string => outputs.get(child)?.() ?? '';

/** A worker in its own process; resolves once it polls its task queue. */
export async function startWorkerProcess(target: WorkerProcessTarget): Promise<ChildProcess> {
  const started = await spawnScript(
    workerScript,
    {
      DATABASE_URL: target.databaseUrl,
      TEMPORAL_ADDRESS: target.temporalAddress,
      TEMPORAL_NAMESPACE: target.namespace ?? 'default',
      TASK_QUEUE: target.taskQueue,
      SMTP_URL: target.smtpUrl,
    },
    'worker ready',
    true,
  );
  outputs.set(started.child, started.output);
  return started.child;
}

/**
 * The API as deployed (src/api/main.ts) on a fixed loopback port; resolves once it
 * listens (fastify logs "Server listening" at info level).
 */
export function startApiProcess(env: Record<string, string>): Promise<StartedProcess> {
  return spawnScript(apiScript, { NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, 'Server listening', false);
}

/** Resolves with the exit code (or signal) once the process has gone. */
export function exited(child: ChildProcess): Promise<number | NodeJS.Signals> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}

/** Sends `signal` (SIGKILL: a crash) and resolves once the process is gone. */
export function stopWith(child: ChildProcess, signal: NodeJS.Signals): Promise<number | NodeJS.Signals> {
  const gone = exited(child);
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  return gone;
}

/** Polls `check` every 100 ms until it returns true; fails with `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
