import { findChild } from '../db/children-repository';
import { decideEligibility, type EligibilityRule } from '../domain/eligibility';
import type { ActivityDeps } from './index';

export type ChildStatus =
  | { registered: false }
  | { registered: true; countyCode: string; eligible: boolean; rule: EligibilityRule; reason: string };

export function createRegistryActivities(deps: Pick<ActivityDeps, 'pool' | 'centralUrbanDistricts'>) {
  return {
    /** The child's county and M1 eligibility on `onDate`; no personal data leaves. */
    async getChildStatus(childId: string, onDate: string): Promise<ChildStatus> {
      const child = await findChild(deps.pool, childId);
      if (!child) return { registered: false };
      const decision = decideEligibility(
        {
          birthDate: child.birthDate,
          hukouRegionCode: child.hukouRegionCode,
          residenceCountyCode: child.residence.countyCode,
          arrivalDate: child.arrivalDate,
        },
        onDate,
        { centralUrbanDistricts: deps.centralUrbanDistricts },
      );
      return {
        registered: true,
        countyCode: child.residence.countyCode,
        eligible: decision.eligible,
        rule: decision.rule,
        reason: decision.reason,
      };
    },
  };
}
