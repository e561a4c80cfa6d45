/**
 * W1 drop-out return to school (控辍保学 / 劝返复学): stages, the actions each allows, and the
 * [local] deadlines as parameters a county can set (policy.md W1).
 */
export type DropoutStage =
  | 'verification' // W1.2
  | 'persuasion' // W1.3
  | 'order' // W1.4
  | 'measures' // W1.5
  | 'legal-action' // W1.6
  | 'follow-up' // W1.7
  | 'handoff' // W1.8
  | 'closed';

export const DROPOUT_STAGE_LABELS: Record<DropoutStage, string> = {
  verification: '核查与查找（W1.2）',
  persuasion: '劝返（W1.3）',
  order: '责令限期复学（W1.4）',
  measures: '行政措施（W1.5）',
  'legal-action': '法律途径（W1.6）',
  'follow-up': '复学跟踪（W1.7）',
  handoff: '移交户籍地（W1.8）',
  closed: '已结案',
};

export type DropoutOutcome = 'false-alarm' | 'returned' | 'handed-off' | 'court-decided';

export interface DropoutParams {
  /** W1.1: unexplained absence of this many consecutive WD triggers a report [local]. */
  absenceThresholdWorkingDays: number;
  /** W1.2: verify and locate within 3 WD. */
  verifyWorkingDays: number;
  /** W1.3: back within 15 days of persuasion [local]. */
  persuasionDays: number;
  /** W1.4: the written order's return-by period [local]. */
  orderDays: number;
  /** W1.5: each administrative measure, set per case; this is the default. */
  measuresWorkingDays: number;
  /** W1.6: filing the suit and the procuratorate's answer. */
  legalActionWorkingDays: number;
  /** W1.7: follow-up monitoring for one term, a check each month [local]. */
  followUpMonths: number;
  /** W1.8: the 户籍地 bureau's acceptance of the file. */
  handoffWorkingDays: number;
}

export const DEFAULT_DROPOUT_PARAMS: DropoutParams = {
  absenceThresholdWorkingDays: 3,
  verifyWorkingDays: 3,
  persuasionDays: 15,
  orderDays: 15,
  measuresWorkingDays: 10,
  legalActionWorkingDays: 10,
  followUpMonths: 4,
  handoffWorkingDays: 10,
};

export type DropoutAction =
  | { action: 'log-persuasion-visit'; date: string; visitor: string; result: 'agreed' | 'refused' | 'not-home'; note?: string; by: string }
  | { action: 'record-return'; date: string; school: string; by: string }
  | { action: 'record-relapse'; date: string; note: string; by: string }
  | { action: 'record-moved-back'; date: string; hukouCountyCode: string; by: string }
  | { action: 'record-court-outcome'; date: string; result: string; by: string };

/** Which actions each stage allows (the update validator's rule). */
export const DROPOUT_ACTIONS_BY_STAGE: Record<DropoutStage, ReadonlyArray<DropoutAction['action']>> = {
  verification: ['record-moved-back'],
  persuasion: ['log-persuasion-visit', 'record-return', 'record-moved-back'],
  order: ['log-persuasion-visit', 'record-return', 'record-moved-back'],
  measures: ['log-persuasion-visit', 'record-return', 'record-moved-back'],
  'legal-action': ['record-return', 'record-court-outcome', 'record-moved-back'],
  'follow-up': ['record-relapse', 'record-moved-back'],
  handoff: [],
  closed: [],
};

/** Why `action` is refused in `stage`, in Chinese; undefined when allowed. */
export function dropoutActionProblem(stage: DropoutStage, action: DropoutAction['action']): string | undefined {
  if (DROPOUT_ACTIONS_BY_STAGE[stage].includes(action)) return undefined;
  return `当前阶段（${DROPOUT_STAGE_LABELS[stage]}）不允许此操作（${action}）`;
}
