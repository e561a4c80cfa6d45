/** SQL of the half-yearly survey (issue #13, 012_survey.sql). Callers pass a client to share a transaction. */
import type { RowProblem } from '../domain/survey-rows';
import type { ReconcileRow, RegisterEntry, SurveyFinding } from '../domain/survey-reconcile';
import type { SurveySource } from '../domain/survey-sources';
import type { Pool, PoolClient } from './pool';

export type SurveyStatus = 'collecting' | 'reconciling' | 'verifying' | 'closed';

export interface SurveyRecord {
  id: string;
  countyCode: string;
  period: string;
  status: SurveyStatus;
  workflowId: string;
  openedAt: string;
  closedAt: string | null;
  figures: Record<string, unknown> | null;
}

interface SurveyRow {
  id: string;
  county_code: string;
  period: string;
  status: SurveyStatus;
  workflow_id: string;
  opened_at: Date;
  closed_at: Date | null;
  figures: Record<string, unknown> | null;
}

const fromRow = (row: SurveyRow): SurveyRecord => ({
  id: row.id,
  countyCode: row.county_code,
  period: row.period,
  status: row.status,
  workflowId: row.workflow_id,
  openedAt: row.opened_at.toISOString(),
  closedAt: row.closed_at?.toISOString() ?? null,
  figures: row.figures,
});

/** Creates the survey of a county and half-year, or returns the one that exists. */
export async function ensureSurvey(db: Pool | PoolClient, survey: { id: string; countyCode: string; period: string; workflowId: string }): Promise<SurveyRecord> {
  await db.query(
    `INSERT INTO surveys (id, county_code, period, workflow_id) VALUES ($1, $2, $3, $4) ON CONFLICT (county_code, period) DO NOTHING`,
    [survey.id, survey.countyCode, survey.period, survey.workflowId],
  );
  const found = await findSurveyByPeriod(db, survey.countyCode, survey.period);
  if (!found) throw new Error('survey vanished after insert');
  return found;
}

export async function findSurvey(db: Pool | PoolClient, id: string, forUpdate = false): Promise<SurveyRecord | undefined> {
  const row = (await db.query<SurveyRow>(`SELECT * FROM surveys WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id])).rows[0];
  return row && fromRow(row);
}

export async function findSurveyByPeriod(db: Pool | PoolClient, countyCode: string, period: string): Promise<SurveyRecord | undefined> {
  const row = (await db.query<SurveyRow>('SELECT * FROM surveys WHERE county_code = $1 AND period = $2', [countyCode, period])).rows[0];
  return row && fromRow(row);
}

export async function setSurveyStatus(db: Pool | PoolClient, id: string, status: SurveyStatus): Promise<void> {
  await db.query('UPDATE surveys SET status = $2 WHERE id = $1', [id, status]);
}

export interface UploadSummary {
  id: string;
  source: SurveySource;
  fileName: string;
  format: string;
  encoding: string;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  uploadedAt: string;
  isCurrent: boolean;
}

interface UploadRow {
  id: string;
  survey_id: string;
  source: SurveySource;
  file_name: string;
  format: string;
  encoding: string;
  rows_total: number;
  rows_accepted: number;
  rows_rejected: number;
  uploaded_at: Date;
  is_current: boolean;
}

const uploadFromRow = (row: UploadRow): UploadSummary => ({
  id: row.id,
  source: row.source,
  fileName: row.file_name,
  format: row.format,
  encoding: row.encoding,
  rowsTotal: row.rows_total,
  rowsAccepted: row.rows_accepted,
  rowsRejected: row.rows_rejected,
  uploadedAt: row.uploaded_at.toISOString(),
  isCurrent: row.is_current,
});

export async function findUploadByContent(db: Pool | PoolClient, surveyId: string, source: SurveySource, sha256: string): Promise<UploadSummary | undefined> {
  const row = (await db.query<UploadRow>('SELECT * FROM survey_uploads WHERE survey_id = $1 AND source = $2 AND content_sha256 = $3', [surveyId, source, sha256])).rows[0];
  return row && uploadFromRow(row);
}

export async function findUpload(db: Pool | PoolClient, surveyId: string, uploadId: string): Promise<UploadSummary | undefined> {
  const row = (await db.query<UploadRow>('SELECT * FROM survey_uploads WHERE survey_id = $1 AND id = $2', [surveyId, uploadId])).rows[0];
  return row && uploadFromRow(row);
}

export async function listUploads(db: Pool | PoolClient, surveyId: string): Promise<UploadSummary[]> {
  return (await db.query<UploadRow>('SELECT * FROM survey_uploads WHERE survey_id = $1 ORDER BY uploaded_at, id', [surveyId])).rows.map(uploadFromRow);
}

/** An accepted row as stored: the ID number already sealed by the caller. */
export interface StoredRow {
  line: number;
  name: string;
  gender: string;
  birthDate: string;
  residentIdCipher: string | null;
  residentIdHash: string | null;
  residentIdMasked: string | null;
  hukouRegionCode: string;
  residenceCounty: string;
  township: string | null;
  village: string | null;
  arrivalDate: string | null;
  guardianName: string | null;
  guardianPhone: string | null;
}

export interface NewUpload {
  id: string;
  surveyId: string;
  source: SurveySource;
  fileName: string;
  format: string;
  encoding: string;
  sha256: string;
  uploadedBy: string;
  rows: StoredRow[];
  rejected: { line: number; problems: RowProblem[] }[];
}

/**
 * Stores a whole upload: the upload, every accepted row, every rejection, and retires the
 * source's previous upload. One statement per table (jsonb_to_recordset), in the caller's
 * transaction: a few thousand rows in milliseconds, and all or nothing.
 */
export async function storeUpload(client: PoolClient, upload: NewUpload): Promise<void> {
  await client.query('UPDATE survey_uploads SET is_current = false WHERE survey_id = $1 AND source = $2 AND is_current', [upload.surveyId, upload.source]);
  await client.query(
    `INSERT INTO survey_uploads (id, survey_id, source, file_name, format, encoding, content_sha256, rows_total, rows_accepted, rows_rejected, uploaded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [upload.id, upload.surveyId, upload.source, upload.fileName, upload.format, upload.encoding, upload.sha256, upload.rows.length + upload.rejected.length, upload.rows.length, upload.rejected.length, upload.uploadedBy],
  );
  await client.query(
    `INSERT INTO survey_rows (upload_id, line, name, gender, birth_date, resident_id_cipher, resident_id_hash, resident_id_masked,
       hukou_region_code, residence_county, township, village, arrival_date, guardian_name, guardian_phone)
     SELECT $1, r."line", r."name", r."gender", r."birthDate", r."residentIdCipher", r."residentIdHash", r."residentIdMasked",
       r."hukouRegionCode", r."residenceCounty", r."township", r."village", r."arrivalDate", r."guardianName", r."guardianPhone"
       FROM jsonb_to_recordset($2::jsonb) AS r("line" int, "name" text, "gender" text, "birthDate" date, "residentIdCipher" text,
         "residentIdHash" text, "residentIdMasked" text, "hukouRegionCode" text, "residenceCounty" text, "township" text,
         "village" text, "arrivalDate" date, "guardianName" text, "guardianPhone" text)`,
    [upload.id, JSON.stringify(upload.rows)],
  );
  await client.query(
    `INSERT INTO survey_rejections (upload_id, line, problems)
     SELECT $1, r."line", r."problems" FROM jsonb_to_recordset($2::jsonb) AS r("line" int, "problems" jsonb)`,
    [upload.id, JSON.stringify(upload.rejected)],
  );
}

export async function listRejections(db: Pool | PoolClient, uploadId: string): Promise<{ line: number; problems: RowProblem[] }[]> {
  return (await db.query<{ line: number; problems: RowProblem[] }>('SELECT line, problems FROM survey_rejections WHERE upload_id = $1 ORDER BY line', [uploadId])).rows;
}

/** The accepted rows of every current upload, as reconciliation takes them (row id = upload:line). */
export async function loadCurrentRows(db: Pool | PoolClient, surveyId: string): Promise<ReconcileRow[]> {
  const result = await db.query<{
    upload_id: string; line: number; source: SurveySource; name: string; gender: 'male' | 'female'; birth_date: string; resident_id_hash: string | null;
    hukou_region_code: string; residence_county: string; township: string | null; arrival_date: string | null;
  }>(
    `SELECT r.upload_id, r.line, u.source, r.name, r.gender, r.birth_date, r.resident_id_hash, r.hukou_region_code, r.residence_county, r.township, r.arrival_date
       FROM survey_rows r JOIN survey_uploads u ON u.id = r.upload_id
      WHERE u.survey_id = $1 AND u.is_current ORDER BY r.upload_id, r.line`,
    [surveyId],
  );
  return result.rows.map((row) => {
    const out: ReconcileRow = {
      rowId: `${row.upload_id}:${String(row.line).padStart(6, '0')}`,
      source: row.source,
      name: row.name,
      gender: row.gender,
      birthDate: row.birth_date,
      hukouRegionCode: row.hukou_region_code,
      residenceCounty: row.residence_county,
    };
    if (row.resident_id_hash) out.residentIdHash = row.resident_id_hash;
    if (row.township) out.township = row.township;
    if (row.arrival_date) out.arrivalDate = row.arrival_date;
    return out;
  });
}

/**
 * The register as reconciliation needs it: the county's children still living here, plus
 * any child of another county whose ID number a row names (moved here).
 */
export async function loadRegisterEntries(db: Pool | PoolClient, countyCode: string, rowHashes: readonly string[]): Promise<RegisterEntry[]> {
  const result = await db.query<{
    id: string; resident_id_hash: string; name: string; gender: 'male' | 'female'; birth_date: string; hukou_region_code: string;
    residence_county: string; residence_township: string; arrival_date: string;
  }>(
    `SELECT id, resident_id_hash, name, gender, birth_date, hukou_region_code, residence_county, residence_township, arrival_date
       FROM children WHERE left_on IS NULL AND (residence_county = $1 OR resident_id_hash = ANY($2)) ORDER BY id`,
    [countyCode, rowHashes],
  );
  return result.rows.map((row) => ({
    childId: row.id,
    residentIdHash: row.resident_id_hash,
    name: row.name,
    gender: row.gender,
    birthDate: row.birth_date,
    hukouRegionCode: row.hukou_region_code,
    residenceCounty: row.residence_county,
    township: row.residence_township,
    arrivalDate: row.arrival_date,
  }));
}

/** Replaces the survey's findings (a retried reconciliation writes the same). */
export async function storeFindings(client: PoolClient, surveyId: string, findings: readonly SurveyFinding[]): Promise<void> {
  await client.query('DELETE FROM survey_findings WHERE survey_id = $1', [surveyId]);
  await client.query(
    `INSERT INTO survey_findings (survey_id, key, classification, child_id, matched_rows, sources, conflicts, profile, eligibility)
     SELECT $1, f."key", f."classification", f."childId", f."rows", ARRAY(SELECT jsonb_array_elements_text(f."sources")),
            ARRAY(SELECT jsonb_array_elements_text(f."conflicts")), f."profile", f."eligibility"
       FROM jsonb_to_recordset($2::jsonb) AS f("key" text, "classification" text, "childId" uuid, "rows" jsonb, "sources" jsonb,
         "conflicts" jsonb, "profile" jsonb, "eligibility" jsonb)`,
    [surveyId, JSON.stringify(findings)],
  );
}

export interface FindingRecord {
  key: string;
  classification: SurveyFinding['classification'];
  childId: string | null;
  sources: string[];
  conflicts: string[];
  profile: SurveyFinding['profile'];
  eligibility: SurveyFinding['eligibility'];
  taskId: string | null;
  outcome: string | null;
}

export async function countFindings(db: Pool | PoolClient, surveyId: string, classification?: string): Promise<number> {
  const result = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM survey_findings WHERE survey_id = $1 AND ($2::text IS NULL OR classification = $2)', [surveyId, classification ?? null]);
  return result.rows[0]?.n ?? 0;
}

export async function listFindings(
  db: Pool | PoolClient,
  surveyId: string,
  filter: { classification?: string; limit?: number; offset?: number } = {},
): Promise<FindingRecord[]> {
  const result = await db.query<{
    key: string; classification: SurveyFinding['classification']; child_id: string | null; sources: string[]; conflicts: string[];
    profile: SurveyFinding['profile']; eligibility: SurveyFinding['eligibility']; task_id: string | null; outcome: string | null;
  }>(
    `SELECT key, classification, child_id, sources, conflicts, profile, eligibility, task_id, outcome FROM survey_findings
      WHERE survey_id = $1 AND ($2::text IS NULL OR classification = $2) ORDER BY key LIMIT $3 OFFSET $4`,
    [surveyId, filter.classification ?? null, filter.limit ?? null, filter.offset ?? 0],
  );
  return result.rows.map((row) => ({
    key: row.key,
    classification: row.classification,
    childId: row.child_id,
    sources: row.sources,
    conflicts: row.conflicts,
    profile: row.profile,
    eligibility: row.eligibility,
    taskId: row.task_id,
    outcome: row.outcome,
  }));
}
