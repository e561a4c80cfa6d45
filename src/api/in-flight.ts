/**
 * Requests in flight, for a graceful shutdown (issue #11, docs/reliability.md).
 *
 * fastify's close() stops accepting and resolves once the listening socket is closed, but
 * a request still running its handler (its body just arrived, a query under way) may not be
 * finished by then: closing the pool right after close() failed such a request with
 * "Cannot use a pool after calling end on the pool" and dropped its connection without an
 * answer (test/integration/api-shutdown.test.ts caught it). So the shutdown also waits
 * until every request that started has been answered, and only then lets the pool go.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface InFlight {
  count(): number;
  /**
   * Resolves once no request is in flight (at once when none is), after closing the
   * kept-alive connections that are idle now: close() closed those idle at its call, and
   * would otherwise wait for a client that keeps its connection open after the answer.
   */
  drained(): Promise<void>;
}

/**
 * Counts requests from their arrival to their answer (or their client hanging up), on the
 * Node server itself: fastify hooks added here would not reach routes of plugins that are
 * loaded already.
 */
export function trackInFlight(app: FastifyInstance): InFlight {
  let count = 0;
  let waiters: Array<() => void> = [];
  app.server.on('request', (_request, response: ServerResponse) => {
    count += 1;
    response.once('close', () => {
      count -= 1;
      if (count > 0) return;
      for (const wake of waiters) wake();
      waiters = [];
    });
  });
  return {
    count: () => count,
    async drained() {
      while (count > 0) await new Promise<void>((resolve) => waiters.push(resolve));
      app.server.closeIdleConnections();
    },
  };
}
