/**
 * M2 key-care ledger (重点关爱台账): which flowing children enter it and why.
 *
 * Seed, measure 2: children found in the survey with 家庭生活困难, 自身残疾, 监护缺失,
 * 流浪, 心理和行为异常, and flowing children (跨乡镇（街道）) who ask for help
 * themselves (主动提出救助帮扶需求). Every M1 flowing child has crossed a county
 * line and so a township line; whether a request for help was made is the
 * caller's fact to pass in.
 */

/** The five M2 risk situations; each one alone puts a child in the ledger. */
export interface RiskFlags {
  /** 家庭生活困难 */
  familyHardship: boolean;
  /** 自身残疾 */
  disability: boolean;
  /** 监护缺失 */
  guardianshipMissing: boolean;
  /** 流浪 */
  vagrancy: boolean;
  /** 心理和行为异常 */
  psychologicalAbnormality: boolean;
}

export type RiskFlag = keyof RiskFlags;

/** Fixed order for display, storage and the reasons list (the order of the seed text). */
export const RISK_FLAGS = [
  'familyHardship',
  'disability',
  'guardianshipMissing',
  'vagrancy',
  'psychologicalAbnormality',
] as const satisfies readonly RiskFlag[];

export const RISK_FLAG_LABELS: Readonly<Record<RiskFlag, string>> = {
  familyHardship: '家庭生活困难',
  disability: '自身残疾',
  guardianshipMissing: '监护缺失',
  vagrancy: '流浪',
  psychologicalAbnormality: '心理和行为异常',
};

export type KeyCareReason = RiskFlag | 'helpRequested';

export const KEY_CARE_REASON_LABELS: Readonly<Record<KeyCareReason, string>> = {
  ...RISK_FLAG_LABELS,
  helpRequested: '主动提出救助帮扶需求',
};

export interface KeyCareDecision {
  keyCare: boolean;
  /** Every reason that applies, risk flags in RISK_FLAGS order, then helpRequested. */
  reasons: KeyCareReason[];
}

/** A flowing child not at risk, for forms and tests. */
export const NO_RISK_FLAGS: Readonly<RiskFlags> = Object.freeze({
  familyHardship: false,
  disability: false,
  guardianshipMissing: false,
  vagrancy: false,
  psychologicalAbnormality: false,
});

/** M2: the child is a key-care child when any risk flag is set or help was requested. */
export function deriveKeyCare(flags: RiskFlags, helpRequested: boolean): KeyCareDecision {
  const reasons: KeyCareReason[] = RISK_FLAGS.filter((flag) => flags[flag]);
  if (helpRequested) reasons.push('helpRequested');
  return { keyCare: reasons.length > 0, reasons };
}
