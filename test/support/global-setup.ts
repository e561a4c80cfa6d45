/**
 * Once per `vitest run`: one embedded Postgres server for all test files (each file makes
 * its own database in it), and the Temporal binaries resolved for the files that need them.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../scripts/local-services';
import { resolveSchemathesis } from '../../scripts/provision-fuzzer';
import { resolveFaketimeLibrary, resolveTemporalCli, resolveTestServer } from '../../scripts/temporal-binaries';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    temporalCliPath: string;
    temporalTestServerPath: string;
    faketimeLibrary: string;
    /** PYTHONPATH of the pinned schemathesis install (scripts/provision-fuzzer.ts). */
    schemathesisPath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cli = resolveTemporalCli();
  const testServer = resolveTestServer();
  if (!cli || !testServer) throw new Error('Temporal binaries missing: run `npm test`, which provisions them');
  project.provide('temporalCliPath', cli.path);
  project.provide('temporalTestServerPath', testServer.path);
  const faketime = resolveFaketimeLibrary();
  if (!faketime) throw new Error('libfaketime missing: run `npm test`, which provisions it');
  project.provide('faketimeLibrary', faketime);

  const fuzzer = resolveSchemathesis(false);
  if (!fuzzer) throw new Error('schemathesis missing: run `npm test`, which provisions it');
  project.provide('schemathesisPath', fuzzer.pythonPath);

  const dataDir = mkdtempSync(join(tmpdir(), 'careflow-test-pg-'));
  // As root, Postgres runs as the 'postgres' user, which must be able to enter the folder.
  chmodSync(dataDir, 0o755);
  const postgres = await startEmbeddedPostgres(dataDir, 0);
  project.provide('postgresAdminUrl', postgres.url);
  return async () => {
    await postgres.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
