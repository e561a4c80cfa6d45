import type { Pool } from './pool';

export interface ReferralRecord {
  id: string;
  workflowId: string;
  departmentCode: string;
  procuratorateCode: string;
  status: 'sent' | 'no-suggestion' | 'suggestion-issued' | 'reply-overdue' | 'replied';
  reason: string;
  dossier: Record<string, unknown>;
  openedAt: string;
  suggestion: Record<string, unknown> | null;
  replyDueAt: string | null;
  reply: Record<string, unknown> | null;
  escalatedAt: string | null;
  closedAt: string | null;
}

const SELECT = `
  SELECT id, workflow_id AS "workflowId", department_code AS "departmentCode", procuratorate_code AS "procuratorateCode",
         status, reason, dossier, to_json(opened_at) #>> '{}' AS "openedAt", suggestion,
         to_json(reply_due_at) #>> '{}' AS "replyDueAt", reply, to_json(escalated_at) #>> '{}' AS "escalatedAt",
         to_json(closed_at) #>> '{}' AS "closedAt"
    FROM referrals`;

export async function findReferral(db: Pool, id: string): Promise<ReferralRecord | undefined> {
  return (await db.query<ReferralRecord>(`${SELECT} WHERE id = $1`, [id])).rows[0];
}

export async function listReferrals(
  db: Pool,
  filter: { status?: string; department?: string; procuratorate?: string; page: number; pageSize: number },
): Promise<{ items: ReferralRecord[]; total: number }> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  if (filter.status) {
    values.push(filter.status);
    conditions.push(`status = $${values.length}`);
  }
  if (filter.department) {
    values.push(filter.department);
    conditions.push(`department_code = $${values.length}`);
  }
  if (filter.procuratorate) {
    values.push(filter.procuratorate);
    conditions.push(`procuratorate_code = $${values.length}`);
  }
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const total = await db.query<{ count: string }>(`SELECT count(*) FROM referrals ${where}`, values);
  const rows = await db.query<ReferralRecord>(
    `${SELECT} ${where} ORDER BY opened_at DESC, id LIMIT ${filter.pageSize} OFFSET ${(filter.page - 1) * filter.pageSize}`,
    values,
  );
  return { items: rows.rows, total: Number(total.rows[0]?.count ?? 0) };
}
