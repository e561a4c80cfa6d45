/**
 * What a service-list item is (R2): the shape shared by the city's base list (S1-S25,
 * base-catalogue.ts) and the lists counties publish. Pure data types.
 */
import type { EligibilityRule } from './rules';

/**
 * How the item reaches a child once matched (M3 "policy finds people"):
 * - `task`: a referral task to the lead department (a bureauTask with the escalation ladder);
 * - `visit-plan`: already served by the key-care visit plan (S20, issue #4), no second task;
 * - `collective`: a city-wide action with no individual to serve (S23 online space, S24
 *   programmes): listed as an entitlement, never a task.
 */
export const REFERRAL_MODES = ['task', 'visit-plan', 'collective'] as const;
export type ReferralMode = (typeof REFERRAL_MODES)[number];

export interface CatalogueItem {
  /** S1-S25 for the base list; a county's own items have other IDs. */
  id: string;
  /** The plan's heading: 幼有所育, 学有所教 ... */
  category: string;
  /** 服务项目 */
  name: string;
  /** 服务对象, as the list words it. */
  who: string;
  /** 服务内容 */
  content: string;
  /** 服务对象 as a rule over the profile. */
  eligibility: EligibilityRule;
  /** Kinds of the responsible departments (department-catalog.ts), in the list's order. */
  departments: string[];
  /** The kind that receives the referral task; one of `departments`. */
  lead: string;
  referral: ReferralMode;
}

export interface ServiceList {
  /** null: the city's base list; else the county that published it. */
  countyCode: string | null;
  /** 0 for the base list; 1, 2 ... per county. */
  version: number;
  label: string;
  /** First day in force (China date). */
  effectiveFrom: string;
  /** Working days a department has for a referral task [local]. */
  referralWorkingDays: number;
  items: CatalogueItem[];
}
