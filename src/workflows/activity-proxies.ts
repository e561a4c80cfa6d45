/**
 * The activity stubs every workflow uses, with their timeouts and retries defined once.
 * Retries are unlimited with backoff (a bureau's SMTP server down for a day must not lose
 * a mail); bad input is failed non-retryably by the activity itself.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' };

export const activities = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry });

/**
 * Mail: the SMTP client gives up on a stuck server well within 30 s (mailer.ts), so an
 * attempt lost with its worker is retried after at most 30 s instead of a minute.
 */
export const { sendNotification } = proxyActivities<Pick<Activities, 'sendNotification'>>({ startToCloseTimeout: '30 seconds', retry });
