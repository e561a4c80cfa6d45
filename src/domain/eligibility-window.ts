/**
 * M1 eligibility as a date range, so the register can filter "eligible on date D" in SQL:
 * eligible on D exactly when from <= D < until. The location rules do not depend on the
 * date; the residence and age rules each open or close the range on one day.
 */
import { ageLimitReachedOn, decideEligibility, residenceRuleMetFrom, type EligibilityParams, type EligibilityProfile } from './eligibility';

export interface EligibilityWindow {
  /** null: never eligible, for a reason that time does not change (same county ...). */
  from: string | null;
  until: string | null;
}

export function eligibilityWindow(profile: EligibilityProfile, params: EligibilityParams): EligibilityWindow {
  const from = residenceRuleMetFrom(profile, params.minResidenceMonths);
  const until = ageLimitReachedOn(profile.birthDate, params.maxAgeYears);
  // Judged on the day the residence rule is met, only a location rule can still refuse.
  const onFrom = decideEligibility(profile, from, { ...params, maxAgeYears: 200 });
  if (!onFrom.eligible) return { from: null, until: null };
  return { from, until };
}
