import type { PoolClient } from './pool';

export interface AuditEntry {
  actor: string;
  entityType: 'child' | 'case' | 'task' | 'referral' | 'department' | 'county';
  entityId: string;
  action: string;
  /** before -> after of what changed; never the resident ID number in clear. */
  summary: Record<string, unknown>;
}

/** Appends to the audit log; the table refuses UPDATE and DELETE (001_registry.sql). */
export async function appendAudit(client: PoolClient, entry: AuditEntry): Promise<void> {
  await client.query(
    'INSERT INTO audit_log (actor, entity_type, entity_id, action, summary) VALUES ($1, $2, $3, $4, $5)',
    [entry.actor, entry.entityType, entry.entityId, entry.action, JSON.stringify(entry.summary)],
  );
}
