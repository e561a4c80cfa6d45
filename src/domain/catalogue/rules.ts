/**
 * Who a service-list item (S1-S25, R2) is for, as data over the child's profile: a rule is
 * a list of conditions, any one of which suffices; a condition is a conjunction of
 * constraints, each optional (the empty condition matches every child). Kept this small on
 * purpose: a county list must be checkable against the base list (R2), so every constraint
 * has an obvious "at least as wide" order (see `conditionCovers`).
 *
 * Pure: no I/O, safe to import from workflows.
 */
import { type ChildProfile, type SchoolingStatus } from '../child';
import { deriveKeyCare, RISK_FLAGS, type RiskFlag } from '../key-care';

/** Circumstances a rule can ask about beyond the M2 risk flags (profile field `circumstances`, migration 011). */
export const CIRCUMSTANCES = [
  'dibao',
  'extremePoverty',
  'orphan',
  'hivInfected',
  'factuallyUnsupported',
  'temporaryHardship',
  'housingHardship',
  'severeMentalDisorder',
] as const;
export type Circumstance = (typeof CIRCUMSTANCES)[number];
export type Circumstances = Partial<Record<Circumstance, boolean>>;

export const CIRCUMSTANCE_LABELS: Readonly<Record<Circumstance, string>> = {
  dibao: '符合最低生活保障条件',
  extremePoverty: '符合户籍地特困救助供养条件',
  orphan: '孤儿',
  hivInfected: '艾滋病病毒感染儿童',
  factuallyUnsupported: '事实无人抚养儿童',
  temporaryHardship: '符合本地临时救助情形',
  housingHardship: '家庭住房困难',
  severeMentalDisorder: '诊断明确、在家居住的严重精神障碍患者',
};

/**
 * Flags a condition can require (any one of those listed): the M2 risk flags (`disability`
 * also true when the profile's disability says so), a request for help, membership of the
 * key-care ledger (S20), and the circumstances above.
 */
export const RULE_FLAGS = [...RISK_FLAGS, 'helpRequested', 'keyCare', ...CIRCUMSTANCES] as const;
export type RuleFlag = (typeof RULE_FLAGS)[number];

const RISK_FLAG_LABEL: Readonly<Record<RiskFlag | 'helpRequested' | 'keyCare', string>> = {
  familyHardship: '家庭生活困难',
  disability: '残疾儿童',
  guardianshipMissing: '监护缺失',
  vagrancy: '流浪',
  psychologicalAbnormality: '心理和行为异常',
  helpRequested: '主动提出救助帮扶需求',
  keyCare: '重点关爱儿童',
};
export const RULE_FLAG_LABELS: Readonly<Record<RuleFlag, string>> = { ...RISK_FLAG_LABEL, ...CIRCUMSTANCE_LABELS };

/** keyCare is M2's "any risk flag or a request for help" (key-care.ts): compared as those (R2). */
const KEY_CARE_MEANS: readonly RuleFlag[] = [...RISK_FLAGS, 'helpRequested'];

export interface Condition {
  /** Age in whole years on the matching date, both ends inclusive ("0-6岁": 0 to 6). */
  ageYears?: { min?: number; max?: number };
  /** The child's schooling status is one of these. */
  schooling?: SchoolingStatus[];
  /** Height known and at most this many centimetres (S16: "1.2米以下", which includes 1.2 m). */
  heightCmAtMost?: number;
  /** At least one of these flags holds. */
  anyFlag?: RuleFlag[];
}

export interface EligibilityRule {
  anyOf: Condition[];
}

/** What a rule looks at: the profile (migration 011's optional fields included) on a date. */
export type RuleProfile = Pick<ChildProfile, 'birthDate' | 'schoolingStatus' | 'disability' | 'riskFlags' | 'helpRequested'> & {
  heightCm?: number | null;
  circumstances?: Circumstances;
};

/** Whole years between birth and `onDate` (YYYY-MM-DD), as Chinese law counts age (周岁). */
export function ageOn(birthDate: string, onDate: string): number {
  const years = Number(onDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return onDate.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

export function flagHolds(profile: RuleProfile, flag: RuleFlag): boolean {
  switch (flag) {
    case 'disability':
      return profile.riskFlags.disability || profile.disability.hasDisability;
    case 'helpRequested':
      return profile.helpRequested;
    case 'keyCare':
      // M2's own derivation, so that S20 matches exactly the children with a visit plan.
      return deriveKeyCare(profile.riskFlags, profile.helpRequested).keyCare;
    default:
      return (RISK_FLAGS as readonly string[]).includes(flag) ? profile.riskFlags[flag as RiskFlag] : profile.circumstances?.[flag as Circumstance] === true;
  }
}

export function conditionHolds(condition: Condition, profile: RuleProfile, onDate: string): boolean {
  const { ageYears, schooling, heightCmAtMost, anyFlag } = condition;
  if (ageYears) {
    const age = ageOn(profile.birthDate, onDate);
    if ((ageYears.min !== undefined && age < ageYears.min) || (ageYears.max !== undefined && age > ageYears.max)) return false;
  }
  if (schooling && !schooling.includes(profile.schoolingStatus)) return false;
  if (heightCmAtMost !== undefined && (profile.heightCm == null || profile.heightCm > heightCmAtMost)) return false;
  if (anyFlag && !anyFlag.some((flag) => flagHolds(profile, flag))) return false;
  return true;
}

/** The first condition of the rule the profile meets, or undefined. */
export function matchingCondition(rule: EligibilityRule, profile: RuleProfile, onDate: string): Condition | undefined {
  return rule.anyOf.find((condition) => conditionHolds(condition, profile, onDate));
}

const SCHOOLING_LABELS: Readonly<Record<SchoolingStatus, string>> = {
  'not-school-age': '未到入学年龄',
  kindergarten: '在园',
  primary: '小学在读',
  'junior-secondary': '初中在读',
  'senior-secondary': '普通高中在读',
  vocational: '中等职业教育在读',
  'dropped-out': '辍学',
  'not-enrolled': '未入学',
};

/** A condition in Chinese, for the "why" of an entitlement: 年龄 0-6 岁 且 ... */
export function describeCondition(condition: Condition): string {
  const parts: string[] = [];
  const { ageYears, schooling, heightCmAtMost, anyFlag } = condition;
  if (ageYears) parts.push(`年龄 ${ageYears.min ?? 0}-${ageYears.max ?? '∞'} 周岁`);
  if (schooling) parts.push(`就学状况为${schooling.map((s) => SCHOOLING_LABELS[s]).join('或')}`);
  if (heightCmAtMost !== undefined) parts.push(`身高 ${heightCmAtMost} 厘米及以下`);
  if (anyFlag) parts.push(anyFlag.map((f) => RULE_FLAG_LABELS[f]).join('或'));
  return parts.length ? parts.join('，且') : '所有流动儿童';
}

// ---------------------------------------------------------------------------------------
// R2: is a county's rule at least as wide as the base rule?
// ---------------------------------------------------------------------------------------

function expandFlags(flags: readonly RuleFlag[]): Set<RuleFlag> {
  return new Set(flags.flatMap((flag) => (flag === 'keyCare' ? KEY_CARE_MEANS : [flag])));
}

/**
 * True when `wider` matches every profile `narrower` matches, constraint by constraint:
 * an age range that contains the other, a superset of schooling statuses and of flags, a
 * height limit at least as high; a constraint absent from `wider` allows everything.
 */
export function conditionCovers(wider: Condition, narrower: Condition): boolean {
  if (wider.ageYears) {
    const w = wider.ageYears;
    const n = narrower.ageYears ?? {};
    if (w.min !== undefined && (n.min === undefined || n.min < w.min)) return false;
    if (w.max !== undefined && (n.max === undefined || n.max > w.max)) return false;
  }
  if (wider.schooling && (!narrower.schooling || !narrower.schooling.every((s) => wider.schooling!.includes(s)))) return false;
  if (wider.heightCmAtMost !== undefined && (narrower.heightCmAtMost === undefined || narrower.heightCmAtMost > wider.heightCmAtMost)) return false;
  if (wider.anyFlag) {
    if (!narrower.anyFlag) return false;
    const allowed = expandFlags(wider.anyFlag);
    if (![...expandFlags(narrower.anyFlag)].every((flag) => allowed.has(flag))) return false;
  }
  return true;
}

/**
 * The base conditions a county rule leaves uncovered (empty: at least as wide). Each base
 * condition must be covered by one county condition on its own: a sufficient test, so a
 * county that splits a base condition across several of its own is asked to keep it whole.
 */
export function uncoveredConditions(county: EligibilityRule, base: EligibilityRule): Condition[] {
  return base.anyOf.filter((condition) => !county.anyOf.some((candidate) => conditionCovers(candidate, condition)));
}
