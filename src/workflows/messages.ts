/**
 * Every signal, update and query definition, shared by workflows and the API
 * (architecture.md). Types only besides the define* calls, so that the API can import it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CaseState } from '../domain/cases';
import type { DropoutAction, DropoutParams } from '../domain/dropout';
import type { EscalationPolicy } from '../domain/escalation';
import type { OutcomeSpec, TaskCompletion, TaskDue, TaskStatus } from '../domain/tasks';

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

// ---------------------------------------------------------------------------------------
// Bureau tasks (issue #3)
// ---------------------------------------------------------------------------------------

export interface BureauTaskInput {
  taskId: string;
  /** e.g. 'dropout.verify' (W1.2); names the step that owns the task. */
  kind: string;
  title: string;
  instructions: string;
  assignee: { departmentCode: string; person?: string };
  countyCode: string;
  due: TaskDue;
  acceptedOutcomes: OutcomeSpec[];
  caseRef?: { caseId: string; caseType: string };
  /** Fixed when the case starts; loaded for the county when absent. */
  policy?: EscalationPolicy;
}

export interface BureauTaskState {
  taskId: string;
  status: TaskStatus;
  dueAt?: string;
  dueBeyondCalendar: boolean;
  overdue: boolean;
  escalationLevel: number;
  completion?: TaskCompletion & { at: string };
  referralId?: string;
}

export interface AcknowledgeTaskRequest {
  by: string;
}

export const completeTaskUpdate = defineUpdate<BureauTaskState, [TaskCompletion]>('completeTask');
export const acknowledgeTaskUpdate = defineUpdate<BureauTaskState, [AcknowledgeTaskRequest]>('acknowledgeTask');
export const bureauTaskStateQuery = defineQuery<BureauTaskState>('bureauTaskState');

// ---------------------------------------------------------------------------------------
// Procuratorate referral (R4)
// ---------------------------------------------------------------------------------------
export interface ProcuratorateReferralInput {
  referralId: string;
  departmentCode: string;
  procuratorateCode: string;
  policy: EscalationPolicy;
}

export type ReferralStatus = 'sent' | 'no-suggestion' | 'suggestion-issued' | 'reply-overdue' | 'replied';

export interface SuggestionRecord {
  issued: boolean;
  /** The department the suggestion is addressed to (usually the one referred). */
  addresseeCode?: string;
  issuedOn?: string;
  documentNo?: string;
  note?: string;
  by: string;
}

export interface ReplyRecord {
  repliedOn: string;
  summary: string;
  by: string;
}

export interface ReferralState {
  referralId: string;
  status: ReferralStatus;
  suggestion?: SuggestionRecord;
  replyDueAt?: string;
  reply?: ReplyRecord;
  escalatedAt?: string;
}

export const recordSuggestionUpdate = defineUpdate<ReferralState, [SuggestionRecord]>('recordSuggestion');
export const recordReplyUpdate = defineUpdate<ReferralState, [ReplyRecord]>('recordReply');
export const referralStateQuery = defineQuery<ReferralState>('referralState');

// ---------------------------------------------------------------------------------------
// Cases (W1-W4): one update name and one query for every case type
// ---------------------------------------------------------------------------------------
export const CASE_ACTION_UPDATE = 'caseAction';
export const caseStateQuery = defineQuery<CaseState>('caseState');
/** A task of the case escalated: the case mirrors the level (search attribute, read model). */
export const taskEscalatedSignal = defineSignal<[{ taskId: string; level: number }]>('taskEscalated');

export interface DropoutInput {
  caseId: string;
  childId: string;
  countyCode: string;
  /** 9-digit township code of the child's residence, when the caseworker gave it. */
  townshipCode?: string;
  hukouCountyCode: string;
  report: { kind: 'at-risk' | 'suspected' | 'dropped-out'; absenceDays: number; source: string; reportedBy: string };
  params: DropoutParams;
  policy: EscalationPolicy;
}

export const dropoutActionUpdate = defineUpdate<CaseState, [DropoutAction]>(CASE_ACTION_UPDATE);
