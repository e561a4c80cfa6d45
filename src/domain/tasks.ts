/**
 * Tasks a workflow assigns to a department (issue #3): what a bureau must do, by when,
 * and which outcomes the owning step accepts.
 */
export type TaskDue = { workingDays: number } | { hours: number };

export interface OutcomeSpec {
  code: string;
  /** Chinese label, shown to the bureau. */
  label: string;
  /** When true, completing with this outcome needs a note (e.g. why not applicable). */
  requiresNote?: boolean;
}

export type TaskStatus = 'open' | 'acknowledged' | 'completed' | 'cancelled';

export interface TaskCompletion {
  outcome: string;
  note?: string;
  by: string;
}

/** Why an outcome is refused, in Chinese; undefined when it is acceptable. */
export function outcomeProblem(accepted: readonly OutcomeSpec[], completion: TaskCompletion): string | undefined {
  const spec = accepted.find((candidate) => candidate.code === completion.outcome);
  if (!spec) {
    return `此任务不接受结果“${completion.outcome}”，可选：${accepted.map((o) => `${o.code}（${o.label}）`).join('、')}`;
  }
  if (spec.requiresNote && !completion.note?.trim()) return `结果“${spec.label}”需要填写说明`;
  return undefined;
}
