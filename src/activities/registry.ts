import { Context } from '@temporalio/activity';
import { findChild } from '../db/children-repository';
import { decideEligibility, type EligibilityRule } from '../domain/eligibility';
import type { ActivityDeps } from './index';

export type ChildStatus =
  | { registered: false }
  | {
      registered: true;
      countyCode: string;
      eligible: boolean;
      rule: EligibilityRule;
      reason: string;
    };

/** The attempt at which a child still missing counts as not registered. */
const NOT_REGISTERED_AFTER_ATTEMPTS = 4;

export function createRegistryActivities(deps: Pick<ActivityDeps, 'pool' | 'centralUrbanDistricts'>) {
  return {
    /** The child's county and M1 eligibility on `onDate`; no personal data leaves. */
    async getChildStatus(childId: string, onDate: string): Promise<ChildStatus> {
      const child = await findChild(deps.pool, childId);
      if (!child) {
        // The API starts the intake workflow inside the transaction that inserts the child,
        // so the first look can come before that COMMIT: answering "not registered" then
        // closed the intake of a child who was registered a moment later, and the county
        // was never told (found under load, issue #11). A few retries (1 + 2 + 4 s) tell a
        // commit still on its way from a registration that was rolled back.
        if (Context.current().info.attempt < NOT_REGISTERED_AFTER_ATTEMPTS) throw new Error('child not in the register (yet): retrying');
        return { registered: false };
      }
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
