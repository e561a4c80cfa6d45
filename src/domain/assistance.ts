/**
 * W4 cross-jurisdiction determination of 低保 / 特困 / 孤儿 / 事实无人抚养 (M6, S10, S13, S14):
 * the schemes, the documents each needs (W4.1), the stages and the actions each allows, and
 * the deadlines as parameters (policy.md W4; [law] figures by default, [local] ones marked).
 *
 * Pure: no I/O, no clock; imported by the workflow and the API.
 */
import { addDays, addMonths } from './calendar-date';

export const ASSISTANCE_SCHEMES = ['dibao', 'tekun', 'orphan', 'unsupported-child'] as const;
export type AssistanceScheme = (typeof ASSISTANCE_SCHEMES)[number];

export const ASSISTANCE_SCHEME_LABELS: Record<AssistanceScheme, string> = {
  dibao: '最低生活保障（低保）',
  tekun: '特困人员救助供养',
  orphan: '孤儿基本生活保障',
  'unsupported-child': '事实无人抚养儿童基本生活保障',
};

export type AssistanceStage =
  | 'forwarding' // W4.2
  | 'investigation' // W4.3
  | 'public-notice' // W4.3 (低保, 特困)
  | 're-investigation' // W4.4
  | 'confirmation' // W4.5
  | 'notification' // W4.7
  | 'receiving' // W4.8: benefit paid, waiting for the next recheck
  | 'recheck' // W4.8
  | 'closed';

export const ASSISTANCE_STAGE_LABELS: Record<AssistanceStage, string> = {
  forwarding: '转交户籍地（W4.2）',
  investigation: '户籍地调查与初审（W4.3）',
  'public-notice': '公示（W4.3）',
  're-investigation': '异议复查（W4.4）',
  confirmation: '户籍地县级审核确认（W4.5）',
  notification: '告知申请人（W4.7）',
  receiving: '享受待遇（W4.8）',
  recheck: '定期复核（W4.8）',
  closed: '已结案',
};

// ---------------------------------------------------------------------------------------
// W4.1: the documents handed in at the residence township, per scheme
// ---------------------------------------------------------------------------------------

export const ASSISTANCE_DOCUMENTS = {
  'application-form': '申请书',
  'id-documents': '申请人及家庭成员（儿童）身份证件',
  'hukou-booklet': '户口簿',
  'income-statement': '家庭收入和财产状况声明',
  'check-authorization': '家庭经济状况核对授权书',
  'supporter-statement': '法定赡养、抚养、扶养义务人情况说明',
  'parents-death-proof': '父母死亡证明或人民法院宣告死亡、失踪的判决书',
  'parents-situation-proof': '父母重残、重病、服刑、强制隔离戒毒、失联等情形的证明',
  'caregiver-id': '实际抚养人身份证件',
} as const;
export type AssistanceDocument = keyof typeof ASSISTANCE_DOCUMENTS;
export const ASSISTANCE_DOCUMENT_CODES = Object.keys(ASSISTANCE_DOCUMENTS) as [AssistanceDocument, ...AssistanceDocument[]];

/**
 * The checklist per scheme [local default, a county may publish its own]: 低保审核确认办法
 * (application, identity, household, declaration of income and assets, authorization of the
 * economic check); 特困人员认定办法 (plus the situation of the legal supporters); 孤儿 and
 * 事实无人抚养 (民发〔2019〕62号): the parents' situation and the caregiver's identity.
 */
export const REQUIRED_DOCUMENTS: Record<AssistanceScheme, readonly AssistanceDocument[]> = {
  dibao: ['application-form', 'id-documents', 'hukou-booklet', 'income-statement', 'check-authorization'],
  tekun: ['application-form', 'id-documents', 'hukou-booklet', 'income-statement', 'check-authorization', 'supporter-statement'],
  orphan: ['application-form', 'id-documents', 'hukou-booklet', 'parents-death-proof', 'caregiver-id'],
  'unsupported-child': ['application-form', 'id-documents', 'hukou-booklet', 'parents-situation-proof', 'caregiver-id'],
};

/** What the scheme's checklist asks for and `handedIn` lacks, in checklist order. */
export function missingDocuments(scheme: AssistanceScheme, handedIn: readonly string[]): AssistanceDocument[] {
  return REQUIRED_DOCUMENTS[scheme].filter((code) => !handedIn.includes(code));
}

// ---------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------

export interface AssistanceParams {
  /** W4.2: the residence township forwards the file to the 户籍地 in 3 WD. */
  forwardWorkingDays: number;
  /** W4.3 低保: the 户籍地 township starts the investigation in 3 WD (最低生活保障审核确认办法); null for the other schemes. */
  investigationStartWorkingDays: number | null;
  /** W4.3 低保: the income and assets check in 3 WD; null for the other schemes. */
  incomeCheckWorkingDays: number | null;
  /**
   * W4.3: the initial opinion. 特困, 孤儿, 事实无人抚养: the whole investigation and opinion in
   * 15 WD. 低保: the digest gives no figure after the income check; 5 WD [local] keeps the
   * whole process inside W4.6's 30 WD (3 + 3 + 3 + 5 + notice + 10).
   */
  opinionWorkingDays: number;
  /** W4.3: the public notice in calendar days (7 for 低保 and 特困); null: no notice (孤儿, 事实无人抚养). */
  noticeDays: number | null;
  /** W4.4: re-investigation after an objection, 15 WD (特困人员认定办法; the digest applies it to 低保 too), then a new notice. */
  reinvestigationWorkingDays: number;
  /** W4.5: the 户籍地 county's confirmation: 低保 10 WD, 特困 15 WD, 事实无人抚养 15 WD, 孤儿 15 WD [local]. */
  confirmationWorkingDays: number;
  /** W4.6: the whole 低保 process from the application, 30 WD; null for the other schemes. */
  wholeProcessWorkingDays: number | null;
  /** W4.6: ... 45 WD when the caseworker marks the case special. */
  specialWholeProcessWorkingDays: number | null;
  /** W4.7: the applicant told through the residence township in 3 WD. */
  notifyWorkingDays: number;
  /** W4.8: recheck 低保 yearly (the other schemes yearly too [local]) ... */
  recheckMonths: number;
  /** ... or every 6 months for a 低保 household with unstable income. */
  unstableIncomeRecheckMonths: number;
  /** W4.8: the 户籍地's answer to a recheck [local]. */
  recheckWorkingDays: number;
  /**
   * Rechecks one case runs before it closes and asks for a fresh case: 36 is 18 years at the
   * shortest interval, a childhood; it bounds the workflow's history.
   */
  maxRechecks: number;
  /** W4.7 appeal rights: administrative review within 60 days (行政复议法 2023 Art. 20) ... */
  appealReviewDays: number;
  /** ... or a suit within 6 months (行政诉讼法 Art. 46). */
  appealSuitMonths: number;
}

const COMMON = {
  forwardWorkingDays: 3,
  reinvestigationWorkingDays: 15,
  notifyWorkingDays: 3,
  recheckMonths: 12,
  unstableIncomeRecheckMonths: 6,
  recheckWorkingDays: 15,
  maxRechecks: 36,
  appealReviewDays: 60,
  appealSuitMonths: 6,
};

export const DEFAULT_ASSISTANCE_PARAMS: Record<AssistanceScheme, AssistanceParams> = {
  dibao: {
    ...COMMON,
    investigationStartWorkingDays: 3,
    incomeCheckWorkingDays: 3,
    opinionWorkingDays: 5,
    noticeDays: 7,
    confirmationWorkingDays: 10,
    wholeProcessWorkingDays: 30,
    specialWholeProcessWorkingDays: 45,
  },
  tekun: {
    ...COMMON,
    investigationStartWorkingDays: null,
    incomeCheckWorkingDays: null,
    opinionWorkingDays: 15,
    noticeDays: 7,
    confirmationWorkingDays: 15,
    wholeProcessWorkingDays: null,
    specialWholeProcessWorkingDays: null,
  },
  orphan: {
    ...COMMON,
    investigationStartWorkingDays: null,
    incomeCheckWorkingDays: null,
    opinionWorkingDays: 15,
    noticeDays: null,
    confirmationWorkingDays: 15,
    wholeProcessWorkingDays: null,
    specialWholeProcessWorkingDays: null,
  },
  'unsupported-child': {
    ...COMMON,
    investigationStartWorkingDays: null,
    incomeCheckWorkingDays: null,
    opinionWorkingDays: 15,
    noticeDays: null,
    confirmationWorkingDays: 15,
    wholeProcessWorkingDays: null,
    specialWholeProcessWorkingDays: null,
  },
};

/**
 * The last day of a notice posted on `postedOn`: the posting day does not count (as for
 * working days), so a 7-day notice posted on 03-03 runs 03-04..03-10 and ends at 24:00 China
 * time on 03-10.
 */
export function noticeEndsOn(postedOn: string, noticeDays: number): string {
  return addDays(postedOn, noticeDays);
}

/** W4.8: the benefit runs from the first day of the month after the decision [local for 低保 and 特困]. */
export function benefitStartOn(decidedOn: string): string {
  return `${addMonths(decidedOn, 1).slice(0, 7)}-01`;
}

/** W4.8: the next recheck, counted from the benefit start or the previous recheck date. */
export function nextRecheckOn(from: string, unstableIncome: boolean, params: AssistanceParams): string {
  return addMonths(from, unstableIncome ? params.unstableIncomeRecheckMonths : params.recheckMonths);
}

/**
 * W4.7: the appeal rights a refusal (or a stop after a recheck) must state: administrative
 * review of the county civil-affairs bureau's decision by its people's government (行政复议法
 * 2023 Arts. 20, 24) or a suit (行政诉讼法 Art. 46).
 */
export function appealRights(params: Pick<AssistanceParams, 'appealReviewDays' | 'appealSuitMonths'>): string {
  return `如对本决定不服，可以自知道该决定之日起 ${params.appealReviewDays} 日内向作出决定的县级民政部门的本级人民政府申请行政复议，或者自知道该决定之日起 ${params.appealSuitMonths} 个月内依法向人民法院提起行政诉讼。`;
}

/** The determination's result: a refusal must carry its written reasons and the appeal rights (W4.7). */
export type AssistanceDecision =
  | { decision: 'approved'; decidedOn: string; unstableIncome: boolean; benefitStartsOn: string; by: string }
  | { decision: 'refused'; decidedOn: string; reasons: string; appealRights: string; by: string };

// ---------------------------------------------------------------------------------------
// Caseworker actions
// ---------------------------------------------------------------------------------------

export const BENEFIT_END_REASONS = ['moved', 'scheme-change', 'no-longer-eligible', 'other'] as const;
export type BenefitEndReason = (typeof BENEFIT_END_REASONS)[number];

export type AssistanceAction =
  /** W4.6: the caseworker marks a 低保 case special: the whole process may take 45 WD. */
  | { action: 'mark-special'; reason: string; by: string }
  /** W4.4: an objection raised during the public notice (by the caseworker or the 户籍地 bureau). */
  | { action: 'record-objection'; receivedOn: string; summary: string; by: string }
  /** The applicant withdraws the application before the decision. */
  | { action: 'withdraw-application'; reason: string; by: string }
  /** W4.8: the benefit ends between rechecks (moved away, another scheme, ...). */
  | { action: 'end-benefit'; date: string; reason: BenefitEndReason; note?: string; by: string };

const BEFORE_DECISION: ReadonlyArray<AssistanceAction['action']> = ['mark-special', 'withdraw-application'];

/** Which actions each stage allows (the update validator's rule). */
export const ASSISTANCE_ACTIONS_BY_STAGE: Record<AssistanceStage, ReadonlyArray<AssistanceAction['action']>> = {
  forwarding: BEFORE_DECISION,
  investigation: BEFORE_DECISION,
  'public-notice': [...BEFORE_DECISION, 'record-objection'],
  're-investigation': BEFORE_DECISION,
  confirmation: BEFORE_DECISION,
  notification: [],
  receiving: ['end-benefit'],
  recheck: ['end-benefit'],
  closed: [],
};

/**
 * Why `action` is refused in `stage`, in Chinese; undefined when allowed. `mark-special`
 * needs a scheme with a special whole-process limit (低保, W4.6).
 */
export function assistanceActionProblem(
  stage: AssistanceStage,
  action: AssistanceAction['action'],
  context: { scheme: AssistanceScheme; params: Pick<AssistanceParams, 'specialWholeProcessWorkingDays'> },
): string | undefined {
  if (!ASSISTANCE_ACTIONS_BY_STAGE[stage].includes(action)) return `当前阶段（${ASSISTANCE_STAGE_LABELS[stage]}）不允许此操作（${action}）`;
  if (action === 'mark-special' && context.params.specialWholeProcessWorkingDays === null) {
    return `只有低保申请可以标记为特殊情况（W4.6），本案为${ASSISTANCE_SCHEME_LABELS[context.scheme]}申请`;
  }
  return undefined;
}
