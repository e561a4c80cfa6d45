// Temporal's SDK logs every worker state change at INFO; tests want warnings only.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Installed already in this process (a reused fork): the first install wins.
}
