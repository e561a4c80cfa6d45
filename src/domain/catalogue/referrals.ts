/**
 * The referral task of an entitlement (M3, issue #12) goes to the item's lead department
 * in the child's county, with the list's deadline and the county's escalation ladder; the
 * department closes it as served, not applicable (with the reason) or refused by the
 * family. Pure: no I/O, safe to import from workflows.
 */
import type { OutcomeSpec } from '../tasks';
import type { ReferralMode } from './items';

export const ENTITLEMENT_TASK_KIND = 'entitlement.referral';

export const REFERRAL_OUTCOMES: readonly OutcomeSpec[] = [
  { code: 'served', label: '已提供服务' },
  { code: 'not-applicable', label: '经核实不适用', requiresNote: true },
  { code: 'refused-by-family', label: '家庭不接受服务' },
];

/** Where an entitlement stands, as the entitlements view shows it. */
export type ReferralStatus =
  | 'not-referred' // matched, its task not started yet (a start failed; the next change retries)
  | 'referred' // the task is open at the lead department
  | 'served'
  | 'not-applicable'
  | 'refused-by-family'
  | 'withdrawn' // the task was cancelled
  | 'visit-plan' // S20: the key-care visit plan serves it
  | 'collective'; // S23, S24: no individual referral

export function referralStatus(mode: ReferralMode, task: { taskStatus: string | null; outcome: string | null } | undefined): ReferralStatus {
  if (mode !== 'task') return mode;
  if (!task?.taskStatus) return 'not-referred';
  if (task.taskStatus === 'cancelled') return 'withdrawn';
  if (task.taskStatus !== 'completed') return 'referred';
  return (REFERRAL_OUTCOMES.some((o) => o.code === task.outcome) ? task.outcome : 'served') as ReferralStatus;
}
