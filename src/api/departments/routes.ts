/**
 * The department directory's admin API (issue #3 item 1), `/api/v1/admin/departments`:
 * list, read, create and change the departments tasks and mails go to. Every change is
 * audited (entityType 'department'). The Pingdingshan seed comes from src/db/seed.ts.
 *
 * Admin-only once authentication lands (issue #10); until then, like the rest of the API,
 * open to whoever reaches it, and changes are recorded as made through the API.
 */
import { auditActor } from '../../security/auth';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createDepartment,
  findDepartment,
  isInSuperiorChain,
  listDepartments,
  updateDepartment,
  type DepartmentPatch,
  type DepartmentRecord,
} from '../../db/departments-repository';
import { appendAudit } from '../../db/audit';
import { inTransaction, type Pool, type PoolClient } from '../../db/pool';
import {
  defaultSuperiorCode,
  departmentCode,
  departmentKind,
  departmentName,
  PINGDINGSHAN_CITY_NAME,
  regionProblem,
} from '../../domain/department-catalog';
import { fullRegionName, PINGDINGSHAN_CITY } from '../../domain/regions';
import { ApiError, errorBodySchema, notFound, type ErrorDetail } from '../errors';
import {
  createDepartmentBody,
  departmentCodeParams,
  departmentListView,
  departmentView,
  listDepartmentsQuery,
  patchDepartmentBody,
  type CreateDepartmentBody,
  type DepartmentView,
  type ListDepartmentsQuery,
  type PatchDepartmentBody,
} from './schemas';

export interface DepartmentDeps {
  pool: Pool;
}

const errors = { 400: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema };
// Until authentication lands (issue #10) every change is recorded as made through the API.

function regionNameOf(regionCode: string): string {
  if (regionCode === PINGDINGSHAN_CITY) return PINGDINGSHAN_CITY_NAME;
  return fullRegionName(regionCode) ?? regionCode;
}

export function toDepartmentView(record: DepartmentRecord): DepartmentView {
  return {
    code: record.code,
    kind: record.kind,
    kindName: departmentKind(record.kind)?.shortName ?? record.kind,
    level: record.level,
    name: record.name,
    regionCode: record.regionCode,
    regionName: regionNameOf(record.regionCode),
    mailbox: record.mailbox,
    headMailbox: record.headMailbox,
    superiorCode: record.superiorCode,
    serviceTier: record.serviceTier,
    active: record.active,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function invalid(details: ErrorDetail[]): ApiError {
  return new ApiError(400, 'VALIDATION_FAILED', '请求参数不符合要求', details);
}

function ruleViolation(path: string, message: string): ApiError {
  return new ApiError(422, 'RULE_VIOLATION', '不符合部门目录的规则', [{ path, message }]);
}

function duplicate(code: string): ApiError {
  return new ApiError(409, 'DUPLICATE_DEPARTMENT', '该部门代码已存在', [{ path: 'body.code', message: `部门 ${code} 已存在` }], {
    existingId: code,
  });
}

/** The superior must exist and must not be the department itself or one of its subordinates. */
async function checkSuperior(client: PoolClient, code: string, superiorCode: string): Promise<void> {
  if (superiorCode === code) throw ruleViolation('body.superiorCode', '部门不能是自己的上级');
  if (!(await findDepartment(client, superiorCode))) throw ruleViolation('body.superiorCode', `上级部门 ${superiorCode} 不存在`);
  if (await isInSuperiorChain(client, superiorCode, code)) {
    throw ruleViolation('body.superiorCode', `上级部门 ${superiorCode} 是本部门的下级，不能形成循环`);
  }
}

async function create(deps: DepartmentDeps, body: CreateDepartmentBody, actor: string): Promise<DepartmentView> {
  // Cross-field checks: the kind exists at the level, the region fits the level, the code fits the scheme.
  const details: ErrorDetail[] = [];
  const kind = departmentKind(body.kind);
  if (kind && !kind.levels.includes(body.level)) {
    details.push({ path: 'body.kind', message: `${kind.shortName}不设在 ${body.level} 层级` });
  }
  const regionMessage = regionProblem(body.level, body.regionCode);
  if (regionMessage) details.push({ path: 'body.regionCode', message: regionMessage });
  const schemeCode = departmentCode(body.kind, body.level, body.regionCode);
  const code = body.code ?? schemeCode;
  if (code !== schemeCode && !code.startsWith(`${schemeCode}-`)) {
    details.push({ path: 'body.code', message: `部门代码应为 ${schemeCode} 或 ${schemeCode}-<后缀>` });
  }
  if (details.length) throw invalid(details);
  const name = body.name ?? departmentName(body.kind, body.level, body.regionCode);
  if (!name) throw invalid([{ path: 'body.name', message: '无法生成名称，请给出部门名称' }]);

  const record = await inTransaction(deps.pool, async (client) => {
    let superiorCode: string | null;
    if (body.superiorCode === undefined) {
      // The scheme's default superior, when the directory has it.
      const fallback = defaultSuperiorCode(body.kind, body.level, body.regionCode);
      superiorCode = fallback && (await findDepartment(client, fallback)) ? fallback : null;
    } else {
      superiorCode = body.superiorCode;
      if (superiorCode !== null) await checkSuperior(client, code, superiorCode);
    }
    const result = await createDepartment(client, {
      code,
      kind: body.kind,
      level: body.level,
      name,
      regionCode: body.regionCode,
      mailbox: body.mailbox,
      headMailbox: body.headMailbox,
      superiorCode,
      serviceTier: body.serviceTier,
      active: body.active,
    });
    if (!result.inserted) throw duplicate(code);
    const { createdAt: _c, updatedAt: _u, code: _code, ...after } = result.record;
    await appendAudit(client, { actor, entityType: 'department', entityId: code, action: 'department.created', summary: { after } });
    return result.record;
  });
  return toDepartmentView(record);
}

async function update(deps: DepartmentDeps, code: string, patch: PatchDepartmentBody, actor: string): Promise<DepartmentView> {
  const record = await inTransaction(deps.pool, async (client) => {
    const current = await findDepartment(client, code, true);
    if (!current) throw notFound('部门', 'params.code');
    const fields = (Object.keys(patch) as Array<keyof DepartmentPatch>).filter((key) => patch[key] !== undefined && patch[key] !== current[key]);
    if (!fields.length) return current;
    if (fields.includes('superiorCode') && patch.superiorCode) await checkSuperior(client, code, patch.superiorCode);
    const changes: DepartmentPatch = Object.fromEntries(fields.map((key) => [key, patch[key]]));
    const updated = await updateDepartment(client, code, changes);
    if (!updated) throw new Error(`department ${code} vanished during update`);
    await appendAudit(client, {
      actor,
      entityType: 'department',
      entityId: code,
      action: 'department.updated',
      summary: {
        fields,
        before: Object.fromEntries(fields.map((key) => [key, current[key]])),
        after: Object.fromEntries(fields.map((key) => [key, updated[key]])),
      },
    });
    return updated;
  });
  return toDepartmentView(record);
}

async function list(deps: DepartmentDeps, query: ListDepartmentsQuery) {
  const { region, ...rest } = query;
  const { items, total } = await listDepartments(deps.pool, { ...rest, regionCode: region });
  return { items: items.map(toDepartmentView), page: query.page, pageSize: query.pageSize, total };
}

export function departmentRoutes(deps: DepartmentDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/admin/departments', {
      schema: {
        tags: ['departments'],
        summary: '查询部门目录',
        querystring: listDepartmentsQuery,
        response: { 200: departmentListView, 400: errorBodySchema },
      },
      handler: async (request) => list(deps, request.query),
    });
    app.get('/api/v1/admin/departments/:code', {
      schema: { tags: ['departments'], summary: '查看部门', params: departmentCodeParams, response: { 200: departmentView, ...errors } },
      handler: async (request) => {
        const record = await findDepartment(deps.pool, request.params.code);
        if (!record) throw notFound('部门', 'params.code');
        return toDepartmentView(record);
      },
    });
    app.post('/api/v1/admin/departments', {
      schema: { tags: ['departments'], summary: '新增部门', body: createDepartmentBody, response: { 201: departmentView, ...errors } },
      handler: async (request, reply) => reply.code(201).send(await create(deps, request.body, auditActor(request.principal))),
    });
    app.patch('/api/v1/admin/departments/:code', {
      schema: {
        tags: ['departments'],
        summary: '修改部门',
        params: departmentCodeParams,
        body: patchDepartmentBody,
        response: { 200: departmentView, ...errors },
      },
      handler: async (request) => update(deps, request.params.code, request.body, auditActor(request.principal)),
    });
  };
}
