/**
 * Issue #13: the survey's API side. Opening a survey by hand (the schedule opens the others),
 * uploading a department's list (validated row by row, stored in one transaction), the
 * rejected-rows report and the national export.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { appendAudit } from '../../db/audit';
import { inTransaction, type Pool } from '../../db/pool';
import {
  countFindings,
  ensureSurvey,
  findSurvey,
  findSurveyByPeriod,
  findUpload,
  findUploadByContent,
  listFindings,
  listRejections,
  listUploads,
  storeUpload,
  type StoredRow,
  type SurveyRecord,
  type UploadSummary,
} from '../../db/survey-repository';
import { maskResidentId } from '../../domain/resident-id';
import { surveyPeriodOf } from '../../domain/survey-period';
import { validateSurveyFile, type SurveyRow } from '../../domain/survey-rows';
import { mapHeader, rawRowOf, SURVEY_FIELD_LABELS, type SurveyField, type SurveySource } from '../../domain/survey-sources';
import type { FieldCrypto } from '../../security/field-crypto';
import { surveyWorkflowId } from '../../temporal/workflow-ids';
import { surveyUploadSignal } from '../../workflows/messages';
import type { survey } from '../../workflows/survey';
import { ApiError, notFound } from '../errors';
import { buildNationalExport, csvLine } from './export';
import { readDepartmentFile, UnreadableFile, type ReadFile } from './file-reader';

export interface SurveyDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  crypto: FieldCrypto;
  today: () => string;
}

/** How many rejected rows the upload's answer lists; the report has them all. */
const REJECTED_IN_ANSWER = 50;

export async function openSurvey(deps: SurveyDeps, body: { county: string; period: string }, actor: string): Promise<{ survey: SurveyRecord; created: boolean }> {
  const existing = await findSurveyByPeriod(deps.pool, body.county, body.period);
  if (existing) return { survey: existing, created: false };
  // A past half-year would close at once and withdraw its tasks; a future one would reconcile before it starts.
  const current = surveyPeriodOf(deps.today());
  if (body.period !== current) {
    throw new ApiError(422, 'SURVEY_PERIOD_NOT_CURRENT', `只能开启本半年度（${current}）的摸排`, [{ path: 'body.period', message: `本半年度为 ${current}` }]);
  }
  const workflowId = surveyWorkflowId(body.county, body.period);
  const record = await inTransaction(deps.pool, async (client) => {
    const created = await ensureSurvey(client, { id: randomUUID(), countyCode: body.county, period: body.period, workflowId });
    await appendAudit(client, { actor, entityType: 'county', entityId: body.county, action: 'survey.opened', summary: { period: body.period, surveyId: created.id } });
    // Started inside the transaction, as a child's intake is: a failed start writes nothing.
    await deps.temporal.workflow.start<typeof survey>('survey', {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [{ countyCode: body.county, period: body.period }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
    return created;
  });
  return { survey: record, created: true };
}

export async function getSurvey(deps: SurveyDeps, id: string): Promise<SurveyRecord & { uploads: UploadSummary[] }> {
  const record = await findSurvey(deps.pool, id);
  if (!record) throw notFound('摸排', 'params.id');
  return { ...record, uploads: await listUploads(deps.pool, id) };
}

function readFailure(message: string): ApiError {
  return new ApiError(422, 'SURVEY_FILE_UNREADABLE', `无法读取上传的文件：${message}`, [{ path: 'body.content', message }]);
}

function headerFailure(source: SurveySource, mapping: Exclude<ReturnType<typeof mapHeader>, { ok: true }>): ApiError {
  const details = [
    ...mapping.missing.map(({ field, accepted }) => ({ path: 'body.content', message: `缺少“${SURVEY_FIELD_LABELS[field]}”列（可用列名：${accepted.join('、')}）` })),
    ...mapping.duplicated.map((columns) => ({ path: 'body.content', message: `同一字段出现在多列：${columns}` })),
  ];
  return new ApiError(422, 'SURVEY_HEADER_INVALID', `表头不符合${source}数据的列名要求，文件未导入`, details);
}

function storedRow(line: number, row: SurveyRow, crypto: FieldCrypto): StoredRow {
  return {
    line,
    name: row.name,
    gender: row.gender,
    birthDate: row.birthDate,
    residentIdCipher: row.residentId ? crypto.encrypt(row.residentId) : null,
    residentIdHash: row.residentId ? crypto.lookupHash(row.residentId) : null,
    residentIdMasked: row.residentId ? maskResidentId(row.residentId) : null,
    hukouRegionCode: row.hukouRegionCode,
    residenceCounty: row.residenceCounty,
    township: row.township ?? null,
    village: row.village ?? null,
    arrivalDate: row.arrivalDate ?? null,
    guardianName: row.guardianName ?? null,
    guardianPhone: row.guardianPhone ?? null,
  };
}

export interface UploadAnswer {
  upload: UploadSummary;
  /** False when the same file had been uploaded before: the earlier upload is returned. */
  created: boolean;
  rejected: { line: number; problems: { field: string; message: string }[] }[];
  reportPath: string;
}

export async function uploadList(
  deps: SurveyDeps,
  surveyId: string,
  body: { source: SurveySource; fileName: string; content: string },
  actor: string,
): Promise<UploadAnswer> {
  const record = await findSurvey(deps.pool, surveyId);
  if (!record) throw notFound('摸排', 'params.id');
  const content = Buffer.from(body.content, 'base64');
  const sha256 = createHash('sha256').update(content).digest('hex');
  const reportPath = (uploadId: string) => `/api/v1/surveys/${surveyId}/uploads/${uploadId}/report`;
  const previous = await findUploadByContent(deps.pool, surveyId, body.source, sha256);
  if (previous) {
    const rejected = (await listRejections(deps.pool, previous.id)).slice(0, REJECTED_IN_ANSWER);
    return { upload: previous, created: false, rejected, reportPath: reportPath(previous.id) };
  }
  if (record.status !== 'collecting') {
    throw new ApiError(409, 'SURVEY_NOT_COLLECTING', '本次摸排已结束收集，不能再上传名单', [{ path: 'params.id', message: `摸排状态：${record.status}` }]);
  }

  let file: ReadFile;
  try {
    file = await readDepartmentFile(body.fileName, content);
  } catch (error) {
    if (error instanceof UnreadableFile) throw readFailure(error.message);
    throw error;
  }
  const mapping = mapHeader(body.source, file.header);
  if (!mapping.ok) throw headerFailure(body.source, mapping);
  const numbered = file.lines.map(({ line, cells }) => ({ line, raw: rawRowOf(cells, mapping.columnOf) }));
  const validation = validateSurveyFile(numbered, body.source, { countyCode: record.countyCode, today: deps.today() });

  const uploadId = randomUUID();
  await inTransaction(deps.pool, async (client) => {
    // Locks the survey: an upload never lands in a survey that reconciliation has taken.
    const locked = await findSurvey(client, surveyId, true);
    if (locked?.status !== 'collecting') throw new ApiError(409, 'SURVEY_NOT_COLLECTING', '本次摸排已结束收集，不能再上传名单', [{ path: 'params.id', message: '摸排已进入核对阶段' }]);
    await storeUpload(client, {
      id: uploadId,
      surveyId,
      source: body.source,
      fileName: body.fileName,
      format: file.format,
      encoding: file.encoding,
      sha256,
      uploadedBy: actor,
      rows: validation.accepted.map(({ line, row }) => storedRow(line, row, deps.crypto)),
      rejected: validation.rejected,
    });
    await appendAudit(client, {
      actor,
      entityType: 'county',
      entityId: record.countyCode,
      action: 'survey.uploaded',
      summary: { surveyId, uploadId, source: body.source, accepted: validation.accepted.length, rejected: validation.rejected.length },
    });
  });
  // After commit. A lost signal costs nothing: reconciliation reads the stored uploads.
  await deps.temporal.workflow.getHandle(record.workflowId).signal(surveyUploadSignal, { uploadId, source: body.source }).catch(() => undefined);
  const upload = await findUpload(deps.pool, surveyId, uploadId);
  if (!upload) throw new Error('upload vanished after commit');
  return { upload, created: true, rejected: validation.rejected.slice(0, REJECTED_IN_ANSWER), reportPath: reportPath(uploadId) };
}

/** The reconciliation's findings, a page at a time (for the caseworker: whom to register, who left). */
export async function surveyFindings(deps: SurveyDeps, surveyId: string, query: { classification?: string; page: number; pageSize: number }) {
  if (!(await findSurvey(deps.pool, surveyId))) throw notFound('摸排', 'params.id');
  const [items, total] = await Promise.all([
    listFindings(deps.pool, surveyId, { classification: query.classification, limit: query.pageSize, offset: (query.page - 1) * query.pageSize }),
    countFindings(deps.pool, surveyId, query.classification),
  ]);
  return { items, page: query.page, pageSize: query.pageSize, total };
}

/** The rejected rows and why, as CSV with a BOM (so that Excel opens it as UTF-8). */
export async function rejectionReport(deps: SurveyDeps, surveyId: string, uploadId: string): Promise<{ fileName: string; csv: string }> {
  const upload = await findUpload(deps.pool, surveyId, uploadId);
  if (!upload) throw new ApiError(404, 'NOT_FOUND', '上传记录不存在', [{ path: 'params.uploadId', message: '未找到该上传记录' }]);
  const lines = ['行号,字段,原因'];
  for (const { line, problems } of await listRejections(deps.pool, uploadId)) {
    for (const problem of problems) {
      const field = problem.field === 'row' ? '整行' : SURVEY_FIELD_LABELS[problem.field as SurveyField];
      lines.push(csvLine([line, field, problem.message]));
    }
  }
  return { fileName: `rejected-${upload.source}-${uploadId}.csv`, csv: `\uFEFF${lines.join('\r\n')}\r\n` };
}

export async function nationalExport(deps: SurveyDeps, surveyId: string): Promise<{ fileName: string; csv: string }> {
  const record = await findSurvey(deps.pool, surveyId);
  if (!record) throw notFound('摸排', 'params.id');
  if (record.status !== 'closed' || !record.figures) {
    throw new ApiError(409, 'SURVEY_NOT_CLOSED', '摸排尚未结束，还没有上报文件', [{ path: 'params.id', message: `摸排状态：${record.status}` }]);
  }
  const csv = await buildNationalExport(deps.pool, deps.crypto, { ...record, figures: record.figures });
  return { fileName: `survey-${record.countyCode}-${record.period}.csv`, csv };
}
