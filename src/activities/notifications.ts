/**
 * Notifications through an outbox (docs/notifications.md): the row keyed by the
 * idempotency key (workflow ID + step) is written before sending and marked after, so a
 * retried activity never sends a mail that was recorded as sent. The Message-ID derives
 * from the key, so the one resend that a crash between SMTP acceptance and the "sent" mark
 * can cause carries the same Message-ID, and receivers collapse it.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './index';
import { renderMail, type Facts, type NotificationTemplate } from './mail-templates';

export interface NotificationRequest {
  idempotencyKey: string;
  /** A department of the directory; `head` sends to its head's mailbox instead. */
  recipient: { departmentCode: string; head?: boolean };
  template: NotificationTemplate;
  facts: Facts;
}

export function messageIdFor(idempotencyKey: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@careflow.local>`;
}

interface Contact {
  name: string;
  mailbox: string;
  head_mailbox: string | null;
}

export function createNotificationActivities(deps: Pick<ActivityDeps, 'pool' | 'mailer' | 'publicBaseUrl'>) {
  return {
    async sendNotification(request: NotificationRequest): Promise<{ messageId: string; alreadySent: boolean }> {
      const messageId = messageIdFor(request.idempotencyKey);
      const existing = await deps.pool.query<{ sent_at: Date | null; recipient: string; subject: string; body: string }>(
        'SELECT sent_at, recipient, subject, body FROM notifications WHERE idempotency_key = $1',
        [request.idempotencyKey],
      );
      let mail = existing.rows[0];
      if (mail?.sent_at) return { messageId, alreadySent: true };
      if (!mail) {
        const contact = (
          await deps.pool.query<Contact>('SELECT name, mailbox, head_mailbox FROM departments WHERE code = $1', [request.recipient.departmentCode])
        ).rows[0];
        if (!contact) {
          // Retryable on purpose: an administrator can add the department and the mail goes.
          throw ApplicationFailure.retryable(`unknown department ${request.recipient.departmentCode}`, 'UnknownDepartment');
        }
        const to = request.recipient.head ? (contact.head_mailbox ?? contact.mailbox) : contact.mailbox;
        const rendered = renderMail(request.template, { recipientName: request.recipient.head ? `${contact.name}负责同志` : contact.name, facts: request.facts, baseUrl: deps.publicBaseUrl });
        await deps.pool.query(
          `INSERT INTO notifications (idempotency_key, message_id, recipient, subject, body)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
          [request.idempotencyKey, messageId, to, rendered.subject, rendered.text],
        );
        // Re-read: a concurrent attempt may have written the row first; its text wins.
        mail = (
          await deps.pool.query<{ sent_at: Date | null; recipient: string; subject: string; body: string }>(
            'SELECT sent_at, recipient, subject, body FROM notifications WHERE idempotency_key = $1',
            [request.idempotencyKey],
          )
        ).rows[0];
        if (!mail) throw new Error(`outbox row ${request.idempotencyKey} vanished`);
        if (mail.sent_at) return { messageId, alreadySent: true };
      }
      await deps.pool.query('UPDATE notifications SET attempts = attempts + 1 WHERE idempotency_key = $1', [request.idempotencyKey]);
      await deps.mailer.send({ to: mail.recipient, subject: mail.subject, text: mail.body, messageId });
      await deps.pool.query('UPDATE notifications SET sent_at = now() WHERE idempotency_key = $1', [request.idempotencyKey]);
      return { messageId, alreadySent: false };
    },
  };
}
