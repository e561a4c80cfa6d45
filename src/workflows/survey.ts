/**
 * The half-yearly monitoring survey of one county (issue #13; M1, M3), `survey:<county>:<period>`.
 * Started by hand (POST /api/v1/surveys) or by the county's Temporal schedule
 * (src/temporal/survey-schedules.ts) on 1 January and 1 July.
 *
 * 1. opens the survey's row (a scheduled run that finds the half-year already opened by
 *    hand ends at once: one survey per county and half-year);
 * 2. collects uploads (the API stores them and signals `surveyUpload`) for `collectionDays`,
 *    or until `surveyCollectionDone`;
 * 3. reconciles (activity) the current uploads with the register;
 * 4. sends each finding that needs a person to the township's children's director as a
 *    bureauTask (deadline + escalation ladder) and applies each answer to the register (a
 *    child found gone: its key-care plan, if any, is told and closes);
 * 5. closes at the last answer or at the end of the half-year, whichever is first, with the
 *    register snapshot, the M3 statistics and the survey's figures; tasks still open then are
 *    withdrawn and counted as unresolved.
 */
import { ParentClosePolicy, condition, getExternalWorkflowHandle, setHandler, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { addDays, chinaDateOf, chinaMidnight } from '../domain/calendar-date';
import { periodBounds, surveyPeriodOf } from '../domain/survey-period';
import { verificationTask } from '../domain/survey-verification';
import { bureauTaskWorkflowId, keyCareVisitsWorkflowId } from '../temporal/workflow-ids';
import { activities } from './activity-proxies';
import { bureauTask } from './bureau-task';
import { keyCareChangedSignal, surveyCollectionDoneSignal, surveyStateQuery, surveyUploadSignal, type SurveyInput, type SurveyState } from './messages';

export const DEFAULT_COLLECTION_DAYS = 30;
export const DEFAULT_VERIFICATION_WORKING_DAYS = 10;

const today = (): string => chinaDateOf(Date.now());
const nowIso = (): string => new Date(Date.now()).toISOString();

export async function survey(input: SurveyInput): Promise<SurveyState> {
  const period = input.period ?? surveyPeriodOf(today());
  const state: SurveyState = { countyCode: input.countyCode, period, phase: 'collecting', uploads: 0, tasksOpen: 0, tasksAnswered: 0 };
  let collectionDone = false;
  setHandler(surveyStateQuery, () => state);
  setHandler(surveyUploadSignal, () => {
    state.uploads += 1;
  });
  setHandler(surveyCollectionDoneSignal, () => {
    collectionDone = true;
  });

  const opened = await activities.openSurveyRecord({ surveyId: uuid4(), countyCode: input.countyCode, period, workflowId: workflowInfo().workflowId });
  state.surveyId = opened.surveyId;
  if (!opened.owner) {
    state.phase = 'superseded';
    return state;
  }
  const surveyId = opened.surveyId;

  await condition(() => collectionDone, `${input.collectionDays ?? DEFAULT_COLLECTION_DAYS} days`);
  state.phase = 'reconciling';
  const { verifications } = await activities.reconcileSurveyRecord({ surveyId, onDate: today() });

  state.phase = 'verifying';
  const policy = await activities.loadEscalationPolicy(input.countyCode);
  const due = { workingDays: input.verificationWorkingDays ?? DEFAULT_VERIFICATION_WORKING_DAYS };
  const running = await Promise.all(
    verifications.map(async (item) => {
      const taskId = uuid4();
      await activities.recordSurveyTask({ surveyId, key: item.key, taskId });
      const handle = await startChild(bureauTask, {
        workflowId: bureauTaskWorkflowId(taskId),
        args: [{ taskId, kind: `survey.${item.classification}`, ...verificationTask(item, period), assignee: { departmentCode: item.assigneeCode }, countyCode: input.countyCode, due, policy }],
        // Closing the survey withdraws what is still unanswered (counted as unresolved).
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      return { item, handle };
    }),
  );
  state.tasksOpen = running.length;
  const finished = new Set<string>();
  for (const { item, handle } of running) {
    void handle.result().then(async (result) => {
      finished.add(handle.workflowId);
      if (result.status !== 'completed' || !result.completion) return;
      const { outcome, note, by } = result.completion;
      const applied = await activities.applySurveyAnswer({ surveyId, key: item.key, outcome, by, onDate: today(), at: nowIso(), ...(note ? { note } : {}) });
      // Histories recorded before the answer named the child replay with nothing to tell.
      if (applied?.leftChildId) await tellKeyCarePlan(applied.leftChildId);
      state.tasksOpen -= 1;
      state.tasksAnswered += 1;
    }, () => {
      // A task workflow terminated by an operator: unanswered, counted as unresolved at close.
      finished.add(handle.workflowId);
    });
  }

  // The half-year ends at 00:00 China time of the next half-year's first day.
  const endOfPeriod = chinaMidnight(addDays(periodBounds(period).to, 1));
  await condition(() => state.tasksOpen === 0, Math.max(1, endOfPeriod - Date.now()));
  // Unanswered at the end of the half-year: withdrawn (each task records itself as cancelled)
  // and counted as unresolved. Explicit rather than left to the parent-close policy alone.
  await Promise.all(running.filter(({ handle }) => !finished.has(handle.workflowId)).map(({ handle }) => getExternalWorkflowHandle(handle.workflowId).cancel()));
  state.figures = { ...(await activities.closeSurveyRecord({ surveyId, onDate: today(), at: nowIso() })) };
  state.phase = 'closed';
  return state;
}

/** A child found gone: its key-care plan, if it has one, re-reads the register and closes (#4). */
async function tellKeyCarePlan(childId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(keyCareVisitsWorkflowId(childId)).signal(keyCareChangedSignal);
  } catch {
    // No plan running (the child is not in the key-care ledger, or its plan ended): nothing to close.
  }
}
