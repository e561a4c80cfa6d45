/**
 * The read model and effects of procuratorate referrals (R4). The referral's workflow is
 * the authority; these rows let the API list referrals and show their dossiers.
 */
import { appendAudit } from '../db/audit';
import { inTransaction } from '../db/pool';
import { CITY_CODE } from '../domain/escalation';
import { SENSITIVE_CASE_TYPES, WITHHELD_TEXT } from '../security/sensitive-fields';
import { referralWorkflowId } from '../temporal/workflow-ids';
import type { ReplyRecord, SuggestionRecord } from '../workflows/messages';
import type { ActivityDeps } from './index';

const ACTOR = 'workflow';

/** The procuratorate of the department's area: county-level for county bodies, else the city's. */
export function procuratorateFor(departmentCode: string, countyCode: string): string {
  // A bureau outside Pingdingshan (a 户籍地 bureau) is referred to the procuratorate of the
  // county where the child lives and the task arose: ours, in the directory.
  if (departmentCode.startsWith('outside-')) return `jc-${countyCode}`;
  const region = /-(\d{6})$/.exec(departmentCode)?.[1];
  const county = region && region !== CITY_CODE ? region : departmentCode.startsWith('xz-') ? countyCode : CITY_CODE;
  return `jc-${county}`;
}

export function createReferralActivities(deps: Pick<ActivityDeps, 'pool'>) {
  return {
    /**
     * Opens a referral for the department unless one is open: `created` tells the caller
     * whether to start its workflow. Idempotent on `referralId` (chosen by the workflow).
     */
    async openReferral(request: { referralId: string; departmentCode: string; countyCode: string; taskId: string; reason: string; at: string }): Promise<{ referralId: string; created: boolean; procuratorateCode: string }> {
      const procuratorateCode = procuratorateFor(request.departmentCode, request.countyCode);
      return inTransaction(deps.pool, async (client) => {
        // One department's tasks often fall due together (a survey's, a quarter's): without
        // this lock two of them both find no open referral and one insert fails on the
        // one-open-per-department index (retried, but as a failed activity and a warning).
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('careflow.referral:' || $1))`, [request.departmentCode]);
        const mine = await client.query<{ id: string }>('SELECT id FROM referrals WHERE id = $1', [request.referralId]);
        if (mine.rows[0]) return { referralId: request.referralId, created: true, procuratorateCode };
        const open = await client.query<{ id: string }>(
          `SELECT id FROM referrals WHERE department_code = $1 AND status IN ('sent', 'suggestion-issued', 'reply-overdue')`,
          [request.departmentCode],
        );
        if (open.rows[0]) return { referralId: open.rows[0].id, created: false, procuratorateCode };
        const breaches = await client.query(
          // A task of a W2/W3 case says in its kind and title what happened to the child (an
          // urgent hospital referral): the dossier names the breach, not that (issue #10).
          `SELECT b.kind, b.at, t.id AS "taskId",
                  CASE WHEN t.case_type = ANY($2) THEN 'withheld' ELSE t.kind END AS "taskKind",
                  CASE WHEN t.case_type = ANY($2) THEN $3 ELSE t.title END AS title,
                  t.due_at AS "dueAt", t.case_id AS "caseId",
                  (SELECT coalesce(json_agg(json_build_object('level', e.level, 'recipient', e.recipient, 'label', e.label, 'at', e.at) ORDER BY e.level), '[]')
                     FROM escalations e WHERE e.task_id = t.id) AS escalations
             FROM breaches b JOIN tasks t ON t.id = b.task_id
            WHERE b.department_code = $1 ORDER BY b.at`,
          [request.departmentCode, [...SENSITIVE_CASE_TYPES], WITHHELD_TEXT],
        );
        const dossier = { department: request.departmentCode, reason: request.reason, triggeredBy: request.taskId, breaches: breaches.rows };
        await client.query(
          `INSERT INTO referrals (id, workflow_id, department_code, procuratorate_code, status, reason, dossier, opened_at)
           VALUES ($1, $2, $3, $4, 'sent', $5, $6, $7)`,
          [request.referralId, referralWorkflowId(request.referralId), request.departmentCode, procuratorateCode, request.reason, JSON.stringify(dossier), request.at],
        );
        await appendAudit(client, { actor: ACTOR, entityType: 'referral', entityId: request.referralId, action: 'referral.opened', summary: { after: { department: request.departmentCode, procuratorate: procuratorateCode, reason: request.reason } } });
        return { referralId: request.referralId, created: true, procuratorateCode };
      });
    },

    async saveReferralSuggestion(request: { referralId: string; suggestion: SuggestionRecord; status: 'no-suggestion' | 'suggestion-issued'; at: string }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        await client.query(
          `UPDATE referrals SET suggestion = $2, status = $3, closed_at = CASE WHEN $3 = 'no-suggestion' THEN $4::timestamptz END WHERE id = $1 AND status = 'sent'`,
          [request.referralId, JSON.stringify(request.suggestion), request.status, request.at],
        );
        await appendAudit(client, { actor: request.suggestion.by, entityType: 'referral', entityId: request.referralId, action: 'referral.suggestion', summary: { before: { status: 'sent' }, after: { status: request.status } } });
      });
    },

    async setReferralReplyDue(request: { referralId: string; replyDueAt: string }): Promise<void> {
      await deps.pool.query('UPDATE referrals SET reply_due_at = $2 WHERE id = $1', [request.referralId, request.replyDueAt]);
    },

    async saveReferralReply(request: { referralId: string; reply: ReplyRecord; at: string }): Promise<void> {
      await inTransaction(deps.pool, async (client) => {
        const before = (await client.query<{ status: string }>('SELECT status FROM referrals WHERE id = $1 FOR UPDATE', [request.referralId])).rows[0];
        if (!before || before.status === 'replied') return;
        await client.query(`UPDATE referrals SET reply = $2, status = 'replied', closed_at = $3 WHERE id = $1`, [request.referralId, JSON.stringify(request.reply), request.at]);
        await appendAudit(client, { actor: request.reply.by, entityType: 'referral', entityId: request.referralId, action: 'referral.replied', summary: { before: { status: before.status }, after: { status: 'replied' } } });
      });
    },

    /** Records the missing reply and names whom to tell: the department's superior. */
    async markReferralReplyOverdue(request: { referralId: string; departmentCode: string; at: string }): Promise<{ code: string }> {
      return inTransaction(deps.pool, async (client) => {
        const updated = await client.query(`UPDATE referrals SET status = 'reply-overdue', escalated_at = $2 WHERE id = $1 AND status = 'suggestion-issued'`, [request.referralId, request.at]);
        const superior = (await client.query<{ superior_code: string | null }>('SELECT superior_code FROM departments WHERE code = $1', [request.departmentCode])).rows[0]?.superior_code;
        // A city bureau has no superior bureau in the directory: the city civil-affairs bureau,
        // which leads the plan, is told instead.
        const code = superior ?? `mz-${CITY_CODE}`;
        if (updated.rowCount) {
          await appendAudit(client, { actor: ACTOR, entityType: 'referral', entityId: request.referralId, action: 'referral.reply-overdue', summary: { before: { status: 'suggestion-issued' }, after: { status: 'reply-overdue', told: code } } });
        }
        return { code };
      });
    },
  };
}
