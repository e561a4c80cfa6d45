/**
 * The child's profile in the register (M1) with the M2 risk flags. Value lists are defined
 * here once; the API's zod schemas and the database use them.
 */
import type { Circumstances } from './catalogue/rules';
import type { RiskFlags } from './key-care';

export const GENDERS = ['male', 'female'] as const;
export type Gender = (typeof GENDERS)[number];

export const GUARDIAN_RELATIONS = ['father', 'mother', 'grandparent', 'sibling', 'other-relative', 'other'] as const;
export type GuardianRelation = (typeof GUARDIAN_RELATIONS)[number];

/** Schooling status, as the M3 statistics break it down. */
export const SCHOOLING_STATUSES = [
  'not-school-age',
  'kindergarten',
  'primary',
  'junior-secondary',
  'senior-secondary',
  'vocational',
  'dropped-out',
  'not-enrolled',
] as const;
export type SchoolingStatus = (typeof SCHOOLING_STATUSES)[number];

/** Where the child's basic medical insurance is (M5, S7). */
export const HEALTH_INSURANCE = ['residence', 'hukou-place', 'none', 'unknown'] as const;
export type HealthInsurance = (typeof HEALTH_INSURANCE)[number];

export const DISABILITY_CATEGORIES = ['visual', 'hearing', 'speech', 'physical', 'intellectual', 'mental', 'multiple'] as const;
export type DisabilityCategory = (typeof DISABILITY_CATEGORIES)[number];

export interface Guardian {
  relation: GuardianRelation;
  name: string;
  phone: string;
  livesWithChild: boolean;
}

export interface Disability {
  hasDisability: boolean;
  category?: DisabilityCategory;
  /** 残疾等级 1 (most severe) to 4. */
  grade?: number;
  certified?: boolean;
}

export interface Residence {
  countyCode: string;
  township: string;
  village: string;
}

export interface ChildProfile {
  name: string;
  gender: Gender;
  birthDate: string;
  hukouRegionCode: string;
  residence: Residence;
  arrivalDate: string;
  guardians: Guardian[];
  schoolingStatus: SchoolingStatus;
  healthInsurance: HealthInsurance;
  disability: Disability;
  riskFlags: RiskFlags;
  helpRequested: boolean;
  /** Issue #12 (migration 011), optional: height for the free bus (S16); null when unknown. */
  heightCm?: number | null;
  /** Issue #12 (migration 011), optional: circumstances the service list asks about (S8-S15). */
  circumstances?: Circumstances;
}
