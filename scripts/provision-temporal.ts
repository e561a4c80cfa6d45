/** `npm test` runs this first so that installation output is not mixed into test output. */
import { resolveTemporalCli, resolveTestServer } from './temporal-binaries';

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
