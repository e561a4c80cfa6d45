import pg from 'pg';

// DATE columns come back as 'YYYY-MM-DD' strings: the domain works on calendar dates, and
// a JS Date would shift them by the server's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    // Postgres down: a request or activity fails after 10 s (and is retried) instead of
    // waiting in the pool's queue for ever; TCP keep-alive finds a peer that vanished.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  // An idle client losing its connection (Postgres restarted) must not crash the process;
  // the next query gets a fresh connection.
  pool.on('error', () => undefined);
  // Nor may a client that is checked out, between two queries of a transaction: the pool
  // listens only to idle clients, and an 'error' event nobody listens to ends the process
  // (a worker died this way when Postgres restarted under it, issue #11). The query that
  // follows fails instead, and inTransaction hands the broken client back to be discarded.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Runs `work` in one transaction, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // Set when the connection itself failed: the client is then destroyed, not reused.
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
