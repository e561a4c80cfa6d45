/**
 * W2.4: where a mental-health referral can go. Providers are directory entries with a
 * service tier; the list is read when the case routes (so an admin's change applies to the
 * next referral) and recorded in the workflow's history like any activity result.
 */
import { ensureDefaultProviders, providersOfTier } from '../db/mental-health-providers';
import type { ServiceTier } from '../domain/department-catalog';
import type { ActivityDeps } from './index';

export function createMentalHealthActivities(deps: Pick<ActivityDeps, 'pool'>) {
  return {
    /** The county's active providers of `tier`, in the order to try them; seeds a county's defaults on first use. */
    async mentalHealthProviders(request: { countyCode: string; tier: ServiceTier }): Promise<string[]> {
      await ensureDefaultProviders(deps.pool, request.countyCode);
      return providersOfTier(deps.pool, request.countyCode, request.tier);
    },
  };
}
