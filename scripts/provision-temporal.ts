/** `npm test` runs this first so that installation output is not mixed into test output. */
import { resolveFaketimeLibrary, resolveTemporalCli, resolveTestServer } from './temporal-binaries';

for (const [name, resolved] of [
  ['Temporal CLI', resolveTemporalCli()],
  ['time-skipping test server', resolveTestServer()],
] as const) {
  console.log(
    resolved
      ? `[careflow] ${name}: ${resolved.path} (${resolved.source})`
      : `[careflow] ${name}: not found locally; the Temporal SDK will try to download it`,
  );
}

const faketime = resolveFaketimeLibrary();
console.log(faketime ? `[careflow] libfaketime: ${faketime}` : '[careflow] libfaketime: not available (date-pinned workflow tests will fail)');
