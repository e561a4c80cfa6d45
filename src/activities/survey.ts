/**
 * The survey's effects (issue #13; M1, M3): open the survey's row, reconcile the stored
 * uploads with the register, record the directors' answers in the register, and close with
 * the snapshot and the figures. Every activity is idempotent: a retry writes the same.
 * Dates come from the workflow (its clock).
 */
import { appendAudit } from '../db/audit';
import { inTransaction } from '../db/pool';
import { registerStats } from '../db/stats-repository';
import { ensureSurvey, findSurvey, listFindings, loadCurrentRows, loadRegisterEntries, setSurveyStatus, storeFindings } from '../db/survey-repository';
import { reconcileSurvey } from '../domain/survey-reconcile';
import { SURVEY_SOURCES, type SurveySource } from '../domain/survey-sources';
import { needsVerification, registerEffect, type VerificationItem } from '../domain/survey-verification';
import { visitAssigneeCode } from '../domain/visits';
import type { ActivityDeps } from './index';

const ACTOR = 'workflow';

export interface SurveyFigures {
  rowsPerSource: Record<SurveySource, number>;
  matched: number;
  confirmed: number;
  newCandidates: number;
  /** Answered "moved away" by the children's director. */
  departed: number;
  /** In the register but in no source. */
  possiblyMovedAway: number;
  conflicts: number;
  eligible: number;
  verificationsSent: number;
  answered: number;
  unresolved: number;
}

export function createSurveyActivities(deps: Pick<ActivityDeps, 'pool' | 'centralUrbanDistricts'>) {
  return {
    /** The survey of the county and half-year; `owner` false when another run already holds it. */
    async openSurveyRecord(request: { surveyId: string; countyCode: string; period: string; workflowId: string }): Promise<{ surveyId: string; owner: boolean }> {
      const survey = await ensureSurvey(deps.pool, { id: request.surveyId, countyCode: request.countyCode, period: request.period, workflowId: request.workflowId });
      return { surveyId: survey.id, owner: survey.workflowId === request.workflowId };
    },

    /**
     * Ends collection and reconciles: findings replace any earlier ones. Returns the items a
     * children's director must verify: keys and codes, no personal data (the director reads
     * the finding through the API).
     */
    async reconcileSurveyRecord(request: { surveyId: string; onDate: string }): Promise<{ verifications: VerificationItem[]; rows: number }> {
      return inTransaction(deps.pool, async (client) => {
        const survey = await findSurvey(client, request.surveyId, true);
        if (!survey) throw new Error(`survey ${request.surveyId} not found`);
        await setSurveyStatus(client, survey.id, 'reconciling');
        const rows = await loadCurrentRows(client, survey.id);
        const hashes = [...new Set(rows.flatMap((row) => (row.residentIdHash ? [row.residentIdHash] : [])))];
        const register = await loadRegisterEntries(client, survey.countyCode, hashes);
        const findings = reconcileSurvey(register, rows, {
          countyCode: survey.countyCode,
          onDate: request.onDate,
          eligibility: { centralUrbanDistricts: deps.centralUrbanDistricts },
        });
        await storeFindings(client, survey.id, findings);
        await setSurveyStatus(client, survey.id, 'verifying');
        const verifications = findings.filter(needsVerification).map((finding): VerificationItem => ({
            key: finding.key,
            classification: finding.classification as VerificationItem['classification'],
            assigneeCode: visitAssigneeCode(survey.countyCode, finding.profile.township ?? '').code,
            conflicts: finding.conflicts,
        }));
        return { verifications, rows: rows.length };
      });
    },

    async recordSurveyTask(request: { surveyId: string; key: string; taskId: string }): Promise<void> {
      await deps.pool.query('UPDATE survey_findings SET task_id = $3 WHERE survey_id = $1 AND key = $2', [request.surveyId, request.key, request.taskId]);
    },

    /**
     * The director's answer: on the finding, and in the register (verified, or left the
     * county). Names the child who left, whose key-care plan (if any) the survey then tells.
     */
    async applySurveyAnswer(request: { surveyId: string; key: string; outcome: string; note?: string; by: string; onDate: string; at: string }): Promise<{ leftChildId?: string }> {
      return inTransaction(deps.pool, async (client) => {
        const updated = await client.query<{ child_id: string | null }>(
          `UPDATE survey_findings SET outcome = $3, outcome_note = $4, resolved_at = $5
            WHERE survey_id = $1 AND key = $2 AND outcome IS NULL RETURNING child_id`,
          [request.surveyId, request.key, request.outcome, request.note ?? null, request.at],
        );
        const childId = updated.rows[0]?.child_id;
        if (!childId) return {}; // already applied (a retry), or a new child not yet in the register
        const effect = registerEffect(request.outcome);
        if (effect === 'none') return {};
        const column = effect === 'left' ? 'left_on' : 'verified_on';
        // Only while the child still lives in the survey's county: one re-registered
        // elsewhere in Pingdingshan since the finding has been found, not lost.
        const changed = await client.query(
          `UPDATE children SET ${column} = $2, version = version + 1, updated_at = now()
            WHERE id = $1 AND residence_county = (SELECT county_code FROM surveys WHERE id = $3)`,
          [childId, request.onDate, request.surveyId],
        );
        if (!changed.rowCount) return {};
        await appendAudit(client, {
          actor: ACTOR,
          entityType: 'child',
          entityId: childId,
          action: effect === 'left' ? 'child.left-county' : 'child.verified',
          summary: { surveyId: request.surveyId, outcome: request.outcome, by: request.by, on: request.onDate },
        });
        return effect === 'left' ? { leftChildId: childId } : {};
      });
    },

    /** Closes: the register snapshot (ids and M1 status), the M3 statistics and the survey's figures. */
    async closeSurveyRecord(request: { surveyId: string; onDate: string; at: string }): Promise<SurveyFigures> {
      const survey = await findSurvey(deps.pool, request.surveyId);
      if (!survey) throw new Error(`survey ${request.surveyId} not found`);
      if (survey.status === 'closed' && survey.figures) return survey.figures.survey as SurveyFigures;
      const findings = await listFindings(deps.pool, survey.id);
      const perSource = await deps.pool.query<{ source: SurveySource; rows: number }>(
        'SELECT source, rows_total AS rows FROM survey_uploads WHERE survey_id = $1 AND is_current',
        [survey.id],
      );
      const rowsPerSource = Object.fromEntries(SURVEY_SOURCES.map((source) => [source, perSource.rows.find((row) => row.source === source)?.rows ?? 0])) as Record<SurveySource, number>;
      const count = (classification: string) => findings.filter((finding) => finding.classification === classification).length;
      const verified = findings.filter((finding) => finding.taskId);
      const figures: SurveyFigures = {
        rowsPerSource,
        matched: findings.filter((finding) => finding.childId && finding.sources.length > 0).length,
        confirmed: count('confirmed'),
        newCandidates: count('new-candidate'),
        departed: findings.filter((finding) => finding.outcome === 'moved-away').length,
        possiblyMovedAway: count('possibly-moved-away'),
        conflicts: count('conflicting'),
        eligible: findings.filter((finding) => finding.eligibility.eligible === true).length,
        verificationsSent: verified.length,
        answered: verified.filter((finding) => finding.outcome).length,
        unresolved: verified.filter((finding) => !finding.outcome).length,
      };
      const statistics = await registerStats(deps.pool, { county: survey.countyCode, today: request.onDate });
      const snapshot = (
        await deps.pool.query<{ id: string; eligible: boolean; key_care: boolean }>(
          `SELECT id, (eligible_from IS NOT NULL AND eligible_from <= $2::date AND $2::date < eligible_until) AS eligible, key_care
             FROM children WHERE residence_county = $1 AND left_on IS NULL ORDER BY id`,
          [survey.countyCode, request.onDate],
        )
      ).rows.map((row) => ({ childId: row.id, eligible: row.eligible, keyCare: row.key_care }));
      await deps.pool.query(
        `UPDATE surveys SET status = 'closed', closed_at = $2, figures = $3, snapshot = $4 WHERE id = $1 AND status <> 'closed'`,
        [survey.id, request.at, JSON.stringify({ survey: figures, statistics, onDate: request.onDate }), JSON.stringify(snapshot)],
      );
      return figures;
    },
  };
}
