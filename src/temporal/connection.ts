import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** careflowDataConverter(...): payloads encrypted before they reach the server. */
  dataConverter: DataConverter;
}

/** A client for the API and tests; the caller closes `client.connection` on shutdown. */
export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({ address: target.address });
  return new Client({ connection, namespace: target.namespace, dataConverter: target.dataConverter });
}
