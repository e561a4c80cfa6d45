import { Client, Connection } from '@temporalio/client';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

/** A client for the API and tests; the caller closes `client.connection` on shutdown. */
export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({ address: target.address });
  return new Client({ connection, namespace: target.namespace });
}
