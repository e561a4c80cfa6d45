/**
 * What the case API needs to know about one lifecycle (W1-W4): its open and action
 * schemas, how to turn an accepted request into the workflow's input, and its stage
 * labels. Each lifecycle lives in ./types/<type>.ts and is listed in ./types/index.ts.
 */
import { z } from 'zod';
import type { ChildRecord } from '../../db/children-repository';
import type { CaseType } from '../../domain/cases';
import type { EscalationPolicy } from '../../domain/escalation';

export const by = z.string().trim().min(1, '需要填写经办人').max(50);

/** An open request's schema: a strict object with a `type` literal and a `childId`. */
type OpenShape = z.ZodObject<z.ZodRawShape>;

export interface CaseTypeModule<Open extends OpenShape = OpenShape, Action extends z.ZodType<{ action: string }> = z.ZodType<{ action: string }>> {
  type: CaseType;
  /** The workflow function's name in src/workflows/index.ts. */
  workflowType: string;
  initialStage: string;
  stageLabels: Record<string, string>;
  openSchema: Open;
  actionSchema: Action;
  /** Who opens the case, for the audit log. */
  actor(body: z.infer<Open>): string;
  /** Checks that need the child; returns the workflow's input. Throws ApiError to refuse. */
  prepare(context: { body: z.infer<Open>; child: ChildRecord; caseId: string; policy: EscalationPolicy }): unknown;
  townshipCode?(body: z.infer<Open>): string | undefined;
}

/** Keeps each module's own types while listing them together. */
export function defineCaseType<Open extends OpenShape, Action extends z.ZodType<{ action: string }>>(module: CaseTypeModule<Open, Action>): CaseTypeModule<Open, Action> {
  return module;
}
