/**
 * The escalation ladder and the procuratorate-referral threshold (R4 in policy.md), as
 * data: a county may set its own, and a case keeps the one it started with.
 *
 * Rung offsets are counted in working days from the task's due time, cumulatively: the
 * default reminds the assignee when the task falls due, tells the department head 1 WD
 * later, the county civil-affairs supervisor 3 WD after the due time, and the city
 * civil-affairs bureau after 5 WD.
 */

/** Whom a rung notifies; resolved to a mailbox through the department directory. */
export type LadderRecipient = 'assignee' | 'assignee-head' | 'county-civil-affairs' | 'city-civil-affairs';

export interface LadderRung {
  /** 1-based; the task's escalation level once this rung has fired. */
  level: number;
  afterWorkingDays: number;
  recipient: LadderRecipient;
  /** Chinese label shown in mails and the timeline. */
  label: string;
}

export interface ReferralThreshold {
  /** R4 default: 3 breaches by one department within 90 days ... */
  breaches: number;
  windowDays: number;
  /** ... or any one step this many working days overdue. */
  overdueWorkingDays: number;
}

export interface EscalationPolicy {
  rungs: LadderRung[];
  referral: ReferralThreshold;
  /** 未保法 Art. 114: a written reply to a suggestion within 1 month. */
  replyMonths: number;
}

export const DEFAULT_ESCALATION_POLICY: EscalationPolicy = {
  rungs: [
    { level: 1, afterWorkingDays: 0, recipient: 'assignee', label: '到期提醒' },
    { level: 2, afterWorkingDays: 1, recipient: 'assignee-head', label: '报告部门负责人' },
    { level: 3, afterWorkingDays: 3, recipient: 'county-civil-affairs', label: '报告县级民政督导' },
    { level: 4, afterWorkingDays: 5, recipient: 'city-civil-affairs', label: '报告市民政局' },
  ],
  referral: { breaches: 3, windowDays: 90, overdueWorkingDays: 20 },
  replyMonths: 1,
};

export const CITY_CODE = '410400';

/** The department code a rung's recipient means, for a task of `assignee` in `county`. */
export function rungDepartment(recipient: LadderRecipient, assigneeCode: string, countyCode: string): { code: string; head: boolean } {
  switch (recipient) {
    case 'assignee':
      return { code: assigneeCode, head: false };
    case 'assignee-head':
      return { code: assigneeCode, head: true };
    case 'county-civil-affairs':
      return { code: `mz-${countyCode}`, head: false };
    case 'city-civil-affairs':
      return { code: `mz-${CITY_CODE}`, head: false };
  }
}

/** Checks a ladder before it is stored: levels 1..n in order, offsets not decreasing. */
export function ladderProblems(policy: EscalationPolicy): string[] {
  const problems: string[] = [];
  if (policy.rungs.length === 0) problems.push('阶梯至少需要一级');
  policy.rungs.forEach((rung, index) => {
    if (rung.level !== index + 1) problems.push(`第 ${index + 1} 级的 level 应为 ${index + 1}`);
    const previous = policy.rungs[index - 1];
    if (previous && rung.afterWorkingDays < previous.afterWorkingDays) problems.push(`第 ${index + 1} 级的间隔不能早于上一级`);
  });
  if (policy.referral.overdueWorkingDays <= (policy.rungs.at(-1)?.afterWorkingDays ?? 0)) {
    problems.push('移送检察机关的逾期工作日数应大于最后一级的间隔');
  }
  return problems;
}
