/** Every lifecycle the case API can open; add a module here when a lifecycle lands. */
import type { CaseType } from '../../../domain/cases';
import type { CaseTypeModule } from '../case-type';
import { assistanceCaseType } from './assistance';
import { dropoutCaseType } from './dropout';
import { mentalHealthCaseType } from './mental-health';
import { guardianshipCaseType } from './guardianship';

export const CASE_TYPE_MODULES = [dropoutCaseType, mentalHealthCaseType, guardianshipCaseType, assistanceCaseType] as const;

export function caseTypeModule(type: CaseType): CaseTypeModule | undefined {
  return (CASE_TYPE_MODULES as readonly CaseTypeModule[]).find((module) => module.type === type);
}
