/** Every lifecycle the case API can open; add a module here when a lifecycle lands. */
import type { CaseType } from '../../../domain/cases';
import type { CaseTypeModule } from '../case-type';
import { dropoutCaseType } from './dropout';

export const CASE_TYPE_MODULES = [dropoutCaseType] as const;

export function caseTypeModule(type: CaseType): CaseTypeModule | undefined {
  return (CASE_TYPE_MODULES as readonly CaseTypeModule[]).find((module) => module.type === type);
}
