/**
 * Issue #9: `GET /api/v1/cases`, the supervisors' list from the read model: filters, sort,
 * cursor pagination, and the same query as CSV (`format=csv`). No personal data: cases are
 * listed by id, type, place and progress.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listCases, type CaseListRow, type CaseSort } from '../../db/cases-repository';
import type { Pool } from '../../db/pool';
import { CASE_TYPES, CASE_TYPE_LABELS } from '../../domain/cases';
import { countyName } from '../../domain/regions';
import { calendarDate } from '../children/schemas';
import { ApiError, errorBodySchema } from '../errors';
import { caseTypeModule } from './types';

const booleanQuery = z.enum(['true', 'false'], '应为 true 或 false').transform((value) => value === 'true');

export const listCasesQuery = z.strictObject({
  type: z.enum(CASE_TYPES).optional(),
  county: z.string().regex(/^\d{6}$/, '行政区划代码应为 6 位数字').optional(),
  township: z.string().regex(/^\d{9}$/, '乡镇（街道）代码应为 9 位数字').optional(),
  stage: z.string().min(1).max(50).optional(),
  status: z.enum(['open', 'closed']).optional(),
  overdue: booleanQuery.optional(),
  escalationLevel: z.coerce.number().int().min(0).max(10).optional(),
  assignee: z.string().min(1).max(80).optional(),
  openedFrom: calendarDate.optional(),
  openedTo: calendarDate.optional(),
  sort: z.enum(['openedAt', '-openedAt', 'escalationLevel', '-escalationLevel']).default('-openedAt'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

const caseRowView = z.object({
  id: z.string(),
  type: z.string(),
  typeLabel: z.string(),
  countyCode: z.string(),
  countyName: z.string(),
  townshipCode: z.string().nullable(),
  stage: z.string(),
  stageLabel: z.string(),
  status: z.enum(['open', 'closed']),
  outcome: z.string().nullable(),
  escalationLevel: z.number(),
  overdueTasks: z.number(),
  openTasks: z.number(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
});

const caseListView = z.object({ items: z.array(caseRowView), nextCursor: z.string().nullable() });

/** Rows a CSV export may hold: one county's caseload for years, bounded. */
const CSV_LIMIT = 10_000;

function encodeCursor(row: CaseListRow, sort: CaseSort): string {
  const value = sort.endsWith('openedAt') ? row.openedAt : row.escalationLevel;
  return Buffer.from(JSON.stringify({ v: value, id: row.id })).toString('base64url');
}

function decodeCursor(cursor: string): { value: string | number; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; id?: unknown };
    if ((typeof parsed.v === 'string' || typeof parsed.v === 'number') && typeof parsed.id === 'string' && /^[0-9a-f-]{36}$/.test(parsed.id)) {
      return { value: parsed.v, id: parsed.id };
    }
  } catch {
    // falls through to the error below
  }
  throw new ApiError(400, 'VALIDATION_FAILED', '请求参数不符合要求', [{ path: 'query.cursor', message: '无效的分页游标' }]);
}

function view(row: CaseListRow) {
  return {
    ...row,
    typeLabel: CASE_TYPE_LABELS[row.type],
    countyName: countyName(row.countyCode) ?? row.countyCode,
    stageLabel: caseTypeModule(row.type)?.stageLabels[row.stage] ?? row.stage,
  };
}

const CSV_COLUMNS = ['id', 'typeLabel', 'countyName', 'townshipCode', 'stageLabel', 'status', 'outcome', 'escalationLevel', 'overdueTasks', 'openTasks', 'openedAt', 'closedAt'] as const;
const CSV_HEADER = ['案件编号', '类型', '县（市、区）', '乡镇（街道）代码', '阶段', '状态', '结果', '督办级别', '逾期任务', '待办任务', '立案时间', '结案时间'];

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  // Quote everything that could break a row; neutralise spreadsheet formulas (=, +, -, @).
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function caseListRoutes(deps: { pool: Pool }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/cases', {
      schema: {
        tags: ['cases'],
        summary: '案件列表（筛选、排序、游标分页；format=csv 导出）',
        querystring: listCasesQuery,
        response: { 200: caseListView, 400: errorBodySchema },
      },
      handler: async (request, reply) => {
        const { cursor, format, limit, ...filters } = request.query;
        const after = cursor ? decodeCursor(cursor) : undefined;
        const now = new Date();
        if (format === 'csv') {
          const rows = await listCases(deps.pool, { ...filters, limit: CSV_LIMIT, after, now });
          const lines = [CSV_HEADER.join(','), ...rows.map((row) => CSV_COLUMNS.map((column) => csvCell(view(row)[column])).join(','))];
          // The BOM lets spreadsheet programs on Chinese Windows read the file as UTF-8.
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="cases.csv"')
            .serializer((payload: unknown) => String(payload))
            // The typed reply knows only the JSON body; this reply has its own serializer.
            .send(`\uFEFF${lines.join('\r\n')}\r\n` as unknown as z.infer<typeof caseListView>);
        }
        const rows = await listCases(deps.pool, { ...filters, limit: limit + 1, after, now });
        const page = rows.slice(0, limit);
        const nextCursor = rows.length > limit && page.length ? encodeCursor(page[page.length - 1]!, filters.sort) : null;
        return { items: page.map(view), nextCursor };
      },
    });
  };
}
