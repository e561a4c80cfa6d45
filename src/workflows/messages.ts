/**
 * Every signal, update and query definition, shared by workflows and the API
 * (architecture.md). Types only besides the define* calls, so that the API can import it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AssistanceAction, AssistanceDocument, AssistanceParams, AssistanceScheme } from '../domain/assistance';
import type { CaseState } from '../domain/cases';
import type { DropoutAction, DropoutParams } from '../domain/dropout';
import type { EscalationPolicy } from '../domain/escalation';
import type { Art92Situation, GuardianshipAction, GuardianshipParams, ReportSource } from '../domain/guardianship';
import type { MentalHealthAction, MentalHealthParams, MentalHealthSource, RiskTier } from '../domain/mental-health';
import type { OutcomeSpec, TaskCompletion, TaskDue, TaskStatus } from '../domain/tasks';
import type { NeedServiceCode, QuarterSummary } from '../domain/visits';

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
  /** A period from the start, or an absolute instant `{ at: ISO }` (a planned home visit's due date, issue #4). */
  due: TaskDue | { at: string };
  acceptedOutcomes: OutcomeSpec[];
  caseRef?: { caseId: string; caseType: string };
  /** Fixed when the case starts; loaded for the county when absent. */
  policy?: EscalationPolicy;
  /**
   * A workflow to signal (`bureauTaskFinished`) when the task finishes, for an owner that is
   * not its parent: a plan that continues-as-new every quarter cannot await a child (issue #4).
   */
  reportTo?: string;
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

// ---------------------------------------------------------------------------------------
// Key-care home visits (issue #4; S20, M2, M1)
// ---------------------------------------------------------------------------------------

/** What one quarter's run hands to the next (continue-as-new): compact, no personal data. */
export interface KeyCarePlanCarry {
  planId: string;
  startedOn: string;
  /** The first day the next run plans from: its quarter's first day, or the day of a hand-over. */
  from: string;
  /** The county the previous run served: a different one now means a hand-over (M1). */
  countyCode: string;
  nextReverificationOn: string;
  /** An open re-verification task (M1); its outcome arrives by `bureauTaskFinished`. */
  reverificationTaskId?: string;
  /** Its outcome, when it arrived while the previous run was closing its quarter. */
  reverificationOutcome?: string;
  /** 'closing': the risk flags cleared and the closing assessment is awaited. */
  phase: 'active' | 'closing';
  closingTaskId?: string;
  /** The last closed quarters, newest first (PAST_QUARTERS_KEPT). */
  past: QuarterSummary[];
}

export interface KeyCareVisitsInput {
  childId: string;
  /** Absent when the child enters the ledger; set by continue-as-new. */
  carry?: KeyCarePlanCarry;
}

/**
 * A home visit as the workflow sees it. The findings (notes, living security, guardianship,
 * medical care, schooling, needs) stay in Postgres under `visitId`, written by the API
 * before the update: personal data never enters the workflow's history.
 */
export interface RecordVisitRequest {
  visitId: string;
  visitedOn: string;
  visitor: string;
  /** The visit includes a family guardianship capability assessment (M2). */
  assessed: boolean;
  /** Needs found that a department of the service list should act on (one task each). */
  taskNeeds: NeedServiceCode[];
}

export interface RecordVisitResult {
  visitId: string;
  quarter: string;
  /** The planned visit (1-based) it counts for; null for a visit beyond the quota. */
  slot: number | null;
  /** The planned visit's task, completed by this visit. */
  completedTaskId?: string;
  needTaskIds: string[];
  done: number;
  quota: number;
}

export interface PlannedVisitView {
  index: number;
  dueOn: string;
  /** upcoming: no task yet; assigned: task open, not yet due; overdue: task past due. */
  status: 'upcoming' | 'assigned' | 'overdue' | 'done';
  taskId?: string;
  visitId?: string;
}

export type KeyCarePlanPhase = 'active' | 'closing' | 'closed';

export interface KeyCarePlanState {
  planId: string;
  childId: string;
  phase: KeyCarePlanPhase;
  startedOn: string;
  countyCode: string;
  /** The township (xz-…) whose children's director visits, or the county civil-affairs bureau. */
  assigneeCode: string;
  quarter: {
    id: string;
    from: string;
    lastDay: string;
    quota: number;
    done: number;
    overdue: number;
    assessed: boolean;
    due: PlannedVisitView[];
  };
  past: QuarterSummary[];
  nextReverificationOn: string;
  reverificationTaskId?: string;
  closingTaskId?: string;
  closedBecause?: string;
}

export interface BureauTaskFinished {
  taskId: string;
  kind: string;
  state: BureauTaskState;
}

export const keyCarePlanQuery = defineQuery<KeyCarePlanState>('keyCarePlan');
export const recordVisitUpdate = defineUpdate<RecordVisitResult, [RecordVisitRequest]>('recordVisit');
/** The child's key-care membership changed in the register: the plan re-reads it. */
export const keyCareChangedSignal = defineSignal('keyCareChanged');
/** From a bureauTask started with `reportTo`, when it finishes. */
export const bureauTaskFinishedSignal = defineSignal<[BureauTaskFinished]>('bureauTaskFinished');

// ---------------------------------------------------------------------------------------
// W2 mental-health referral pathway (issue #6; M8, S8, S18)
// ---------------------------------------------------------------------------------------

/** The risk tier is sensitive: it travels in the workflow's input and state only. */
export interface MentalHealthInput {
  caseId: string;
  childId: string;
  countyCode: string;
  /** 9-digit township code of the child's residence: its 儿童主任 talks and counsels. */
  townshipCode?: string;
  intake: { source: MentalHealthSource; riskTier: RiskTier; suspectedAbuse: boolean; reportedBy: string };
  params: MentalHealthParams;
  policy: EscalationPolicy;
}

export const mentalHealthActionUpdate = defineUpdate<CaseState, [MentalHealthAction]>(CASE_ACTION_UPDATE);

// ---------------------------------------------------------------------------------------
// W4 low-income and child-welfare determination (issue #8; M6, S10, S13, S14)
// ---------------------------------------------------------------------------------------
export interface AssistanceInput {
  caseId: string;
  childId: string;
  /** The residence county (W4.1): its township took the application. */
  countyCode: string;
  /** 9-digit code of the residence township that took the application, when given. */
  townshipCode?: string;
  /** The 户籍地 county whose bureaus investigate and decide (W4.3-W4.5). */
  hukouCountyCode: string;
  scheme: AssistanceScheme;
  /** W4.1: the checklist's documents handed in (codes; the papers stay at the township). */
  documents: AssistanceDocument[];
  takenBy: string;
  params: AssistanceParams;
  policy: EscalationPolicy;
}

export const assistanceActionUpdate = defineUpdate<CaseState, [AssistanceAction]>(CASE_ACTION_UPDATE);

// ---------------------------------------------------------------------------------------
// W3 temporary guardianship (issue #7)
// ---------------------------------------------------------------------------------------
export interface GuardianshipInput {
  caseId: string;
  childId: string;
  /** Where it happened: its civil-affairs bureau opens temporary guardianship (W3.3). */
  countyCode: string;
  /** 9-digit township where it happened: told at once (W3.2), on the panel (W3.6). */
  townshipCode: string;
  hukouCountyCode: string;
  report: { situation: Art92Situation; source: ReportSource; legalBasis?: string; reportedBy: string };
  /** Names of the departments the case deals with, by code (the workflow loads no region data). */
  departmentNames: Record<string, string>;
  params: GuardianshipParams;
  policy: EscalationPolicy;
}

export const guardianshipActionUpdate = defineUpdate<CaseState, [GuardianshipAction]>(CASE_ACTION_UPDATE);

// ---------------------------------------------------------------------------------------
// The half-yearly monitoring survey (issue #13; M1, M3)
// ---------------------------------------------------------------------------------------
export interface SurveyInput {
  countyCode: string;
  /** `2026-H2`; a scheduled run leaves it out and takes the half-year it starts in. */
  period?: string;
  /** Calendar days uploads are collected before reconciliation. Default 30. */
  collectionDays?: number;
  /** Working days a children's director has to answer a verification task. Default 10. */
  verificationWorkingDays?: number;
}

export type SurveyPhase = 'collecting' | 'reconciling' | 'verifying' | 'closed' | 'superseded';

export interface SurveyState {
  surveyId?: string;
  countyCode: string;
  period?: string;
  phase: SurveyPhase;
  uploads: number;
  tasksOpen: number;
  tasksAnswered: number;
  figures?: Record<string, unknown>;
}

/** Sent by the API after an upload is stored (its rows are read from the database). */
export const surveyUploadSignal = defineSignal<[{ uploadId: string; source: string }]>('surveyUpload');
/** Ends collection before its deadline: every department has uploaded. */
export const surveyCollectionDoneSignal = defineSignal('surveyCollectionDone');
export const surveyStateQuery = defineQuery<SurveyState>('surveyState');
