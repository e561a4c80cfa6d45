/**
 * Notifications through an outbox: the row keyed by the idempotency key (workflow ID +
 * step) is written before sending and marked after, so a retried activity never sends a
 * mail that was already recorded as sent. The Message-ID is derived from the key, so a
 * resend after a crash between sending and recording is the same message to the receiver.
 */
import { createHash } from 'node:crypto';
import { countyCivilAffairs } from '../domain/departments';
import type { ActivityDeps } from './index';
import { renderMail, type NotificationTemplate } from './mail-templates';

export interface NotificationRequest {
  idempotencyKey: string;
  template: NotificationTemplate;
  countyCode: string;
  childId: string;
  reason?: string;
}

export function messageIdFor(idempotencyKey: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@careflow.local>`;
}

export function createNotificationActivities(deps: Pick<ActivityDeps, 'pool' | 'mailer' | 'publicBaseUrl'>) {
  return {
    async sendNotification(request: NotificationRequest): Promise<{ messageId: string; alreadySent: boolean }> {
      const department = countyCivilAffairs(request.countyCode);
      const mail = renderMail({
        template: request.template,
        childId: request.childId,
        departmentName: department.name,
        link: `${deps.publicBaseUrl}/api/v1/children/${request.childId}`,
        reason: request.reason,
      });
      const messageId = messageIdFor(request.idempotencyKey);
      await deps.pool.query(
        `INSERT INTO notifications (idempotency_key, message_id, recipient, subject, body)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
        [request.idempotencyKey, messageId, department.mailbox, mail.subject, mail.text],
      );
      const claimed = await deps.pool.query<{ sent_at: Date | null }>(
        'UPDATE notifications SET attempts = attempts + 1 WHERE idempotency_key = $1 RETURNING sent_at',
        [request.idempotencyKey],
      );
      if (claimed.rows[0]?.sent_at) return { messageId, alreadySent: true };
      await deps.mailer.send({ to: department.mailbox, subject: mail.subject, text: mail.text, messageId });
      await deps.pool.query('UPDATE notifications SET sent_at = now() WHERE idempotency_key = $1', [request.idempotencyKey]);
      return { messageId, alreadySent: false };
    },
  };
}
