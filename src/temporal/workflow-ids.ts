/**
 * Workflow IDs are built from internal UUIDs only, with a type prefix, never from personal
 * data (architecture.md): they are stored in plain text on the Temporal server.
 */
export const childIntakeWorkflowId = (childId: string): string => `child-intake:${childId}`;
export const bureauTaskWorkflowId = (taskId: string): string => `task:${taskId}`;
export const referralWorkflowId = (referralId: string): string => `procuratorate-referral:${referralId}`;
export const caseWorkflowId = (type: string, caseId: string): string => `${type}:${caseId}`;
export const keyCareVisitsWorkflowId = (childId: string): string => `key-care-visits:${childId}`;
/** Issue #13: one survey per county and half-year; neither is personal data. */
export const surveyWorkflowId = (countyCode: string, period: string): string => `survey:${countyCode}:${period}`;
