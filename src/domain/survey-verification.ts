/**
 * M1 "部门核实" (issue #13): what the children's director is asked about each finding that
 * needs a person to look, and which answers change the register. Pure, shared by the
 * survey workflow (task texts) and its activities (effects of an answer).
 */
import type { OutcomeSpec } from './tasks';
import type { SurveyFinding, SurveyClass } from './survey-reconcile';

export type VerifiedClass = Exclude<SurveyClass, 'confirmed'>;

export const VERIFICATION_OUTCOMES: Readonly<Record<VerifiedClass, readonly OutcomeSpec[]>> = {
  'new-candidate': [
    { code: 'confirmed-flowing', label: '经入户核实为流动儿童，请登记入台账' },
    { code: 'not-flowing', label: '经核实不属于流动儿童', requiresNote: true },
    { code: 'not-found', label: '查无此人' },
  ],
  'possibly-moved-away': [
    { code: 'still-here', label: '仍在本地居住' },
    { code: 'moved-away', label: '已离开本地' },
  ],
  conflicting: [
    { code: 'register-correct', label: '台账信息正确' },
    { code: 'register-corrected', label: '已按核实结果更正台账', requiresNote: true },
    { code: 'moved-away', label: '已离开本地' },
  ],
};

/** What an answer does to the register child (if any): verified today, or left the county today. */
export function registerEffect(outcome: string): 'verified' | 'left' | 'none' {
  if (outcome === 'moved-away') return 'left';
  if (outcome === 'still-here' || outcome === 'register-correct' || outcome === 'register-corrected') return 'verified';
  return 'none';
}

/** A finding needs a director when it is not confirmed; a new child only when M1 may apply. */
export function needsVerification(finding: Pick<SurveyFinding, 'classification' | 'eligibility'>): boolean {
  if (finding.classification === 'confirmed') return false;
  return finding.classification !== 'new-candidate' || finding.eligibility.eligible !== false;
}

const CLASS_LABELS: Readonly<Record<SurveyClass, string>> = {
  confirmed: '已确认',
  'new-candidate': '新发现',
  'possibly-moved-away': '疑似迁出',
  conflicting: '信息冲突',
};

export const surveyClassLabel = (classification: SurveyClass): string => CLASS_LABELS[classification];

const FIELD_LABELS: Readonly<Record<string, string>> = {
  name: '姓名',
  gender: '性别',
  birthDate: '出生日期',
  hukouRegionCode: '户籍地',
  residentId: '身份证号码',
  residenceCounty: '居住县（市、区）',
};

export interface VerificationItem {
  key: string;
  classification: VerifiedClass;
  /** The township's children's director (`xz-…`), else the county civil-affairs bureau. */
  assigneeCode: string;
  conflicts: string[];
}

/**
 * The task's texts are mailed (to the director, and up the ladder to department heads) and
 * travel in the workflow's history: they name the survey record, never the child (no name,
 * no birth date); the director reads who it is in the survey's findings through the API.
 */
export function verificationTask(item: VerificationItem, period: string): { title: string; instructions: string; acceptedOutcomes: OutcomeSpec[] } {
  const who = `摸排记录 ${item.key} 所指儿童（姓名等信息请在本期摸排核对结果中查看）`;
  const what: Record<VerifiedClass, string> = {
    'new-candidate': `部门数据中发现${who}，台账中没有。请入户核实是否为流动儿童。`,
    'possibly-moved-away': `台账中的${who}在本期各部门数据中均未出现。请核实是否仍在本地居住。`,
    conflicting: `${who}的各来源信息不一致（${item.conflicts.map((field) => FIELD_LABELS[field] ?? field).join('、')}）。请核实并更正台账。`,
  };
  return {
    title: `${period} 流动儿童摸排核实：${CLASS_LABELS[item.classification]}`,
    instructions: what[item.classification],
    acceptedOutcomes: [...VERIFICATION_OUTCOMES[item.classification]],
  };
}
