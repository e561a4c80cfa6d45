/**
 * What every case workflow (W1-W4) is made of: its state for the query, the timeline, the
 * read model and search attributes kept current, and tasks started as `bureauTask` child
 * workflows that the case can withdraw when it moves on.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  isCancellation,
  setHandler,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { CaseState, CaseType } from '../domain/cases';
import type { EscalationPolicy } from '../domain/escalation';
import type { OutcomeSpec, TaskDue } from '../domain/tasks';
import { bureauTaskWorkflowId } from '../temporal/workflow-ids';
import { activities } from './activity-proxies';
import { bureauTask } from './bureau-task';
import { caseStateQuery, taskEscalatedSignal, type BureauTaskState } from './messages';

export interface CaseTaskSpec {
  kind: string;
  title: string;
  instructions: string;
  assigneeCode: string;
  due: TaskDue;
  acceptedOutcomes: OutcomeSpec[];
}

export interface RunningTask {
  taskId: string;
  /** Resolves with the completed task; rejects with a cancellation when withdrawn. */
  result: Promise<BureauTaskState>;
  withdraw(): void;
}

const nowIso = (): string => new Date(Date.now()).toISOString();

export class CaseKit {
  readonly state: CaseState;
  private sequence = 0;
  private readonly escalations = new Map<string, number>();

  constructor(
    private readonly init: { caseId: string; type: CaseType; countyCode: string; stage: string; policy: EscalationPolicy },
  ) {
    this.state = { caseId: init.caseId, type: init.type, stage: init.stage, status: 'open', openTasks: [], escalationLevel: 0, facts: {} };
    setHandler(caseStateQuery, () => this.state);
    setHandler(taskEscalatedSignal, ({ taskId, level }) => {
      this.escalations.set(taskId, level);
      void this.refreshEscalation();
    });
  }

  /** Appends to the timeline (who, when, what). */
  async event(kind: string, summary: Record<string, unknown>, actor = 'workflow'): Promise<void> {
    this.sequence += 1;
    // The run ID keeps event IDs unique across continue-as-new, where the sequence restarts.
    await activities.appendCaseEvent({ id: `${workflowInfo().workflowId}:${workflowInfo().runId}:${this.sequence}`, caseId: this.init.caseId, at: nowIso(), actor, kind, summary });
  }

  async enterStage(stage: string, actor = 'workflow', summary: Record<string, unknown> = {}): Promise<void> {
    const from = this.state.stage;
    this.state.stage = stage;
    await this.event('stage', { from, to: stage, ...summary }, actor);
    await this.saveRecord(actor);
  }

  async close(outcome: string, actor = 'workflow'): Promise<CaseState> {
    const from = this.state.stage;
    await this.event('closed', { from, outcome }, actor);
    // The query says 'closed' only once the timeline and the read model say so too.
    await this.saveRecord(actor, { stage: 'closed', status: 'closed', outcome });
    Object.assign(this.state, { stage: 'closed', status: 'closed', outcome });
    return this.state;
  }

  /** Starts a task for a department; the case keeps it in `openTasks` until it ends. */
  async startTask(spec: CaseTaskSpec): Promise<RunningTask> {
    const taskId = uuid4();
    const scope = new CancellationScope();
    const started = await scope.run(() =>
      startChild(bureauTask, {
        workflowId: bureauTaskWorkflowId(taskId),
        args: [
          {
            taskId,
            kind: spec.kind,
            title: spec.title,
            instructions: spec.instructions,
            assignee: { departmentCode: spec.assigneeCode },
            countyCode: this.init.countyCode,
            due: spec.due,
            acceptedOutcomes: spec.acceptedOutcomes,
            caseRef: { caseId: this.init.caseId, caseType: this.init.type },
            policy: this.init.policy,
          },
        ],
        // A closed case withdraws what it still asked for.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      }),
    );
    this.state.openTasks.push({ taskId, kind: spec.kind, title: spec.title, assigneeCode: spec.assigneeCode });
    await this.event('task-assigned', { taskId, kind: spec.kind, assignee: spec.assigneeCode });
    const result = scope.run(() => started.result()).then(
      async (outcome) => {
        this.forget(taskId);
        // bureauTask returns normally when withdrawn (it records the cancellation itself).
        if (outcome.status === 'cancelled') await this.event('task-withdrawn', { taskId, kind: spec.kind });
        else await this.event('task-completed', { taskId, kind: spec.kind, outcome: outcome.completion?.outcome, by: outcome.completion?.by });
        return outcome;
      },
      async (error: unknown) => {
        this.forget(taskId);
        if (isCancellation(error)) await CancellationScope.nonCancellable(() => this.event('task-withdrawn', { taskId, kind: spec.kind }));
        throw error;
      },
    );
    // Callers that withdraw a task do not await it; keep its rejection from going unhandled.
    result.catch(() => undefined);
    return { taskId, result, withdraw: () => scope.cancel() };
  }

  private forget(taskId: string): void {
    this.state.openTasks = this.state.openTasks.filter((task) => task.taskId !== taskId);
    // An escalated task that ends no longer makes the case overdue (the level stays: it
    // records how far the case had to be escalated).
    if (this.escalations.delete(taskId) && this.escalations.size === 0) upsertSearchAttributes({ Overdue: [false] });
  }

  private async refreshEscalation(): Promise<void> {
    const level = Math.max(0, ...this.escalations.values());
    if (level <= this.state.escalationLevel) return;
    this.state.escalationLevel = level;
    upsertSearchAttributes({ Overdue: [true] });
    await this.saveRecord('workflow');
  }

  private async saveRecord(actor: string, next: Pick<CaseState, 'stage' | 'status' | 'outcome'> = this.state): Promise<void> {
    upsertSearchAttributes({ Stage: [next.stage], EscalationLevel: [this.state.escalationLevel] });
    await activities.updateCaseRecord({
      caseId: this.init.caseId,
      stage: next.stage,
      status: next.status,
      outcome: next.outcome,
      escalationLevel: this.state.escalationLevel,
      at: nowIso(),
      actor,
    });
  }
}
