/**
 * `npm start` as a new user runs it: embedded Postgres, the Temporal dev server and the
 * mail inbox come up, every printed URL answers, a child can be created and read, Ctrl-C
 * stops everything within 10 s leaving no process behind, and the next start keeps the data.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { portNear } from '../../scripts/local-services';
import { childBody } from '../support/fixtures';

const dataDir = mkdtempSync(join(tmpdir(), 'careflow-start-'));
chmodSync(dataDir, 0o755);
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  process: ChildProcess;
  output: () => string;
  urls: Record<string, string>;
}

function startEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'NODE_ENV', 'VITEST', 'PUBLIC_BASE_URL']) delete env[name];
  return env;
}

/** An admin token from the CLI the banner points to, with the same (development) key as the API. */
function adminToken(port: number): string {
  return execFileSync(join('node_modules', '.bin', 'tsx'), ['scripts/token.ts', 'admin'], { env: startEnv(port), stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
}

async function start(port: number): Promise<Started> {
  const env = startEnv(port);
  const child = spawn(join('node_modules', '.bin', 'tsx'), ['scripts/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 120_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const urls: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const match = /^\s{2}(API|OpenAPI docs|Health|Temporal UI|Mail inbox)\s+(http\S+)/.exec(line);
    if (match) urls[match[1]!] = match[2]!;
  }
  return { process: child, output: () => output, urls };
}

/** Every process below `pid`, found through /proc so nothing escapes the check. */
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=']).toString();
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    children.set(pp!, [...(children.get(pp!) ?? []), p!]);
  }
  const all: number[] = [];
  const walk = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      all.push(child);
      walk(child);
    }
  };
  walk(pid);
  return all;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function interrupt(started: Started): Promise<{ ms: number; leftBehind: number[] }> {
  const tree = descendants(started.process.pid!);
  const begin = Date.now();
  const exited = new Promise<void>((resolve) => started.process.once('exit', () => resolve()));
  started.process.kill('SIGINT');
  await exited;
  // Done when the whole process tree is gone (Postgres' helpers exit just after it).
  while (tree.some(alive) && Date.now() - begin < 10_000) await new Promise((r) => setTimeout(r, 50));
  return { ms: Date.now() - begin, leftBehind: tree.filter(alive) };
}

describe('npm start on embedded defaults', () => {
  it('serves the API, docs, Temporal UI and mail inbox; stops on Ctrl-C; keeps data across restarts', async () => {
    const port = await portNear(0);
    const first = await start(port);
    expect(Object.keys(first.urls).sort()).toEqual(['API', 'Health', 'Mail inbox', 'OpenAPI docs', 'Temporal UI']);
    expect(first.output()).toContain('npx tsx scripts/token.ts caseworker --county 410402');
    const authorization = `Bearer ${adminToken(port)}`;
    for (const [name, url] of Object.entries(first.urls)) {
      const response = await fetch(url, { headers: { accept: 'text/html,application/json', authorization } });
      expect(response.status, `${name} ${url}`).toBe(200);
    }

    const body = childBody();
    const created = await fetch(`${first.urls.API}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(body),
    });
    expect(created.status).toBe(201);
    const child = (await created.json()) as { id: string };

    // The intake mail reaches the local inbox, readable through its API.
    const inbox = first.urls['Mail inbox']!;
    const deadline = Date.now() + 30_000;
    let subjects: string[] = [];
    while (!subjects.includes('【流动儿童登记】新登记儿童待核实')) {
      if (Date.now() > deadline) throw new Error(`no intake mail in the inbox: ${subjects.join(', ')}`);
      await new Promise((r) => setTimeout(r, 300));
      const mails = (await (await fetch(`${inbox}/api/email`)).json()) as Array<{ subject: string; text?: string }>;
      subjects = mails.map((m) => m.subject);
    }

    const stopped = await interrupt(first);
    expect(stopped.ms).toBeLessThan(10_000);
    expect(stopped.leftBehind).toEqual([]);
    expect(first.output()).toContain('[careflow] stopped.');

    const second = await start(port);
    const read = await fetch(`${second.urls.API}/${child.id}`, { headers: { authorization } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { name: string }).name).toBe(body.name);
    const stoppedAgain = await interrupt(second);
    expect(stoppedAgain.leftBehind).toEqual([]);
    console.log(`npm start: Ctrl-C to all processes gone in ${stopped.ms} ms, then ${stoppedAgain.ms} ms`);
  }, 300_000);

  it('refuses a wrong configuration value, naming the variable', () => {
    let message = '';
    try {
      execFileSync(join('node_modules', '.bin', 'tsx'), ['scripts/start.ts'], {
        env: { ...process.env, PORT: 'eighty', DATA_DIR: dataDir },
        stdio: 'pipe',
      });
    } catch (error) {
      message = String((error as { stderr: Buffer }).stderr);
    }
    expect(message).toContain('PORT');
    expect(message).toContain('Invalid configuration');
  });
});
