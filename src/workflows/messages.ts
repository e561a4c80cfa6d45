/**
 * Every signal, update and query definition, shared by workflows and the API
 * (architecture.md). Types only besides the define* calls, so that the API can import it.
 */
import { defineQuery } from '@temporalio/workflow';

export interface ChildIntakeInput {
  childId: string;
  /** M1: the profile is re-verified at least every 6 months. */
  reverificationMonths?: number;
  /** Which 6-month cycle this run is in; 0 on registration (continue-as-new carries it). */
  cycle?: number;
}

export type ChildIntakePhase = 'notifying' | 'waiting-for-reverification' | 'closed';

export interface ChildIntakeStatus {
  phase: ChildIntakePhase;
  cycle: number;
  nextReverificationOn?: string;
  closedBecause?: string;
}

export const childIntakeStatusQuery = defineQuery<ChildIntakeStatus>('childIntakeStatus');
