/**
 * W2 mental-health referral pathway (心理健康 转介, M8, S8, S18): stages, the actions each
 * allows, the routing rules of W2.4 and the [local] deadlines as parameters a county can set
 * (policy.md W2: no national day counts, all are [local]).
 *
 * Sensitive: the risk tier, the guardian's consent and a diagnosis stay in the workflow's
 * state and the case timeline. Stage names are mirrored in a search attribute, so none of
 * them names a tier, a consent or a diagnosis: a crisis is handled inside `triage`, and
 * counselling while a guardian refuses runs inside `sessions`.
 */
import type { ServiceTier } from './department-catalog';

export type MentalHealthStage =
  | 'triage' // W2.1-W2.2
  | 'guardian' // W2.3
  | 'referral' // W2.4
  | 'sessions' // W2.5 (and W2.3 counselling while a refusal stands)
  | 'aftercare' // W2.6
  | 'closed';

export const MENTAL_HEALTH_STAGE_LABELS: Record<MentalHealthStage, string> = {
  triage: '分级研判（W2.1–W2.2）',
  guardian: '监护人沟通（W2.3）',
  referral: '转介（W2.4）',
  sessions: '服务与定期评估（W2.5）',
  aftercare: '社区康复与出院随访（W2.6）',
  closed: '已结案',
};

/** W2.1: who reported or screened. */
export const MENTAL_HEALTH_SOURCES = ['school-screening', 'children-director', 'hotline-12355', 'guardian'] as const;
export type MentalHealthSource = (typeof MENTAL_HEALTH_SOURCES)[number];

/** W2.2: the risk tier; `crisis` is self-harm or danger, acted on within hours. */
export const RISK_TIERS = ['low', 'medium', 'high', 'crisis'] as const;
export type RiskTier = (typeof RISK_TIERS)[number];

/** How a case ended; none of them names a tier, a consent or a diagnosis. */
export type MentalHealthOutcome =
  | 'completed' // W2.5: a review closed it
  | 'ended-without-referral' // W2.3: re-offers exhausted, counselling stays with school / 儿童主任
  | 'community-care'; // W2.6: handed to community rehabilitation, follow-ups done

export interface MentalHealthParams {
  /** W2.2: crisis tasks (guardian, police, hospital) and the mandatory report are due in hours. */
  crisisHours: number;
  /** W2.3: the talk with the guardian, in calendar days. */
  guardianTalkDays: number;
  /** W2.3: after a refusal without danger, counselling goes on and the referral is offered again after this many days. */
  reofferDays: number;
  /** W2.3: how often the referral is offered again; a refusal after the last ends the case (counselling stays with the school or 儿童主任). */
  maxReoffers: number;
  /** W2.4: a provider accepts or declines within this many WD; so does the bureau that arranges one when all have declined. */
  acceptWorkingDays: number;
  /** W2.5: a review every this many days. */
  reviewDays: number;
  /** W2.5: the provider completes a review within this many WD. */
  reviewWorkingDays: number;
  /** W2.6: health management and community rehabilitation enrolment (S8). */
  enrolWorkingDays: number;
  /** W2.6: follow-ups after discharge, each due in `followUpWorkingDays`, `followUpIntervalDays` apart. */
  followUps: number;
  followUpWorkingDays: number;
  followUpIntervalDays: number;
}

export const DEFAULT_MENTAL_HEALTH_PARAMS: MentalHealthParams = {
  crisisHours: 2,
  guardianTalkDays: 3,
  reofferDays: 30,
  maxReoffers: 3,
  acceptWorkingDays: 3,
  reviewDays: 30,
  reviewWorkingDays: 5,
  enrolWorkingDays: 10,
  followUps: 3,
  followUpWorkingDays: 10,
  followUpIntervalDays: 30,
};

/**
 * A provider silent past its acceptance deadline is replaced this long after the deadline:
 * by then its task has recorded the breach and sent the ladder's first rung (the reminder),
 * so the withdrawal never races the breach (docs/mental-health.md, "Silent providers").
 */
export const SILENT_PROVIDER_GRACE_MS = 60 * 60 * 1000;

export type MentalHealthAction =
  | { action: 'record-guardian-decision'; decision: 'consented' | 'refused'; danger: boolean; date: string; by: string }
  | { action: 'record-session'; date: string; attended: boolean; by: string }
  | { action: 'request-review'; by: string }
  | { action: 'record-diagnosis'; date: string; by: string }
  | { action: 'record-discharge'; date: string; by: string }
  | { action: 'report-suspected-abuse'; date: string; by: string };

/** Which actions each stage allows (the update validator's first rule). */
export const MENTAL_HEALTH_ACTIONS_BY_STAGE: Record<MentalHealthStage, ReadonlyArray<MentalHealthAction['action']>> = {
  triage: ['report-suspected-abuse'],
  guardian: ['record-guardian-decision', 'report-suspected-abuse'],
  referral: ['report-suspected-abuse'],
  sessions: ['record-session', 'request-review', 'record-diagnosis', 'report-suspected-abuse'],
  aftercare: ['record-session', 'record-discharge', 'report-suspected-abuse'],
  closed: [],
};

/** Why `action` is refused in `stage`, in Chinese; undefined when the stage allows it. */
export function mentalHealthActionProblem(stage: MentalHealthStage, action: MentalHealthAction['action']): string | undefined {
  if (MENTAL_HEALTH_ACTIONS_BY_STAGE[stage].includes(action)) return undefined;
  return `当前阶段（${MENTAL_HEALTH_STAGE_LABELS[stage]}）不允许此操作（${action}）`;
}

/** W2.2: a crisis is served by medical institutions once the immediate response is done. */
export function routingTier(tier: RiskTier): ServiceTier {
  return tier === 'crisis' ? 'high' : tier;
}

const ORDER: readonly ServiceTier[] = ['low', 'medium', 'high'];

/** W2.5: a review's step up or down; undefined past either end (low steps down to closure). */
export function steppedTier(tier: ServiceTier, step: 'step-up' | 'step-down'): ServiceTier | undefined {
  return ORDER[ORDER.indexOf(tier) + (step === 'step-up' ? 1 : -1)];
}

/** W2.5: the review outcomes a provider of `tier` may choose (no step past either end). */
export function reviewOutcomes(tier: ServiceTier): Array<{ code: 'continue' | 'step-up' | 'step-down' | 'close'; label: string }> {
  return [
    { code: 'continue' as const, label: '维持当前服务' },
    ...(tier === 'high' ? [] : [{ code: 'step-up' as const, label: '升级转介' }]),
    ...(tier === 'low' ? [] : [{ code: 'step-down' as const, label: '降级转介' }]),
    { code: 'close' as const, label: '结案' },
  ];
}

/**
 * The departments of a county a case reaches (codes of the directory). The children's
 * director works for the township; without one the county civil-affairs bureau, which
 * supervises the directors, takes the step (as for key-care visits).
 */
export function mentalHealthDepartments(countyCode: string, townshipCode: string | undefined, source: MentalHealthSource) {
  const childrenDirector = townshipCode ? `xz-${townshipCode}` : `mz-${countyCode}`;
  const school = `jt-${countyCode}`;
  // W2.3: the school talks with the guardian when its screening found the child, else the 儿童主任.
  const talker = source === 'school-screening' ? school : childrenDirector;
  return {
    childrenDirector,
    school,
    talker,
    police: `ga-${countyCode}`,
    civilAffairs: `mz-${countyCode}`,
    health: `wj-${countyCode}`,
    /** W2.4 low tier: the one who talked first, then the other (school or 儿童主任). */
    lowTier: talker === school ? [school, childrenDirector] : [childrenDirector, school],
  };
}

/**
 * W2.4 "then escalate": the county bureau answerable for a tier's services (policy W2.4:
 * 教体局, 民政局, 卫健委) arranges a provider when every one of the directory has declined.
 */
export function tierBureau(tier: ServiceTier, countyCode: string): string {
  return { low: `jt-${countyCode}`, medium: `mz-${countyCode}`, high: `wj-${countyCode}` }[tier];
}
