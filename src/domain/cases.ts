/** The four case lifecycles (W1-W4) and what the case API shows of each. */
export const CASE_TYPES = ['dropout', 'mental-health', 'guardianship', 'assistance'] as const;
export type CaseType = (typeof CASE_TYPES)[number];

export const CASE_TYPE_LABELS: Record<CaseType, string> = {
  dropout: '控辍保学（劝返复学）',
  'mental-health': '心理健康转介',
  guardianship: '临时监护',
  assistance: '低保/特困/孤儿/事实无人抚养认定',
};

export interface CaseTaskSummary {
  taskId: string;
  kind: string;
  title: string;
  assigneeCode: string;
  dueAt?: string;
}

/** What every case workflow answers to `caseStateQuery`. */
export interface CaseState {
  caseId: string;
  type: CaseType;
  stage: string;
  status: 'open' | 'closed';
  outcome?: string;
  openTasks: CaseTaskSummary[];
  escalationLevel: number;
  /** Case-specific facts (counts, dates); never personal data beyond the child's id. */
  facts: Record<string, string | number | boolean>;
}
