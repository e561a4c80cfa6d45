/**
 * SQL for the department directory (issue #3 item 1). Callers pass a client to share a
 * transaction. Codes and the seed come from src/domain/department-catalog.ts.
 */
import {
  outsideDepartment,
  seedDepartments,
  type DepartmentLevel,
  type DepartmentSeed,
  type ServiceTier,
} from '../domain/department-catalog';
import { appendAudit } from './audit';
import { inTransaction, type Pool, type PoolClient } from './pool';

export interface DepartmentRecord extends DepartmentSeed {
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What an admin may change; kind, level and region make the code and stay fixed. */
export interface DepartmentPatch {
  name?: string;
  mailbox?: string;
  headMailbox?: string;
  superiorCode?: string | null;
  serviceTier?: ServiceTier | null;
  active?: boolean;
}

interface DepartmentRow {
  code: string;
  kind: string;
  level: DepartmentLevel;
  name: string;
  region_code: string;
  mailbox: string;
  head_mailbox: string;
  superior_code: string | null;
  service_tier: ServiceTier | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

function fromRow(row: DepartmentRow): DepartmentRecord {
  return {
    code: row.code,
    kind: row.kind,
    level: row.level,
    name: row.name,
    regionCode: row.region_code,
    mailbox: row.mailbox,
    headMailbox: row.head_mailbox,
    superiorCode: row.superior_code,
    serviceTier: row.service_tier,
    active: row.active,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const INSERT_COLUMNS = 'code, kind, level, name, region_code, mailbox, head_mailbox, superior_code, service_tier';

/** Who the seed and the outside-bureau look-up act as in the audit log. */
export const SYSTEM_ACTOR = 'system';

/**
 * Inserts the seed rows that are missing and leaves every existing row as it is (an admin's
 * edit survives a restart). One statement, so superiors and subordinates arrive together;
 * one audit entry per run that inserted anything. Returns the inserted codes.
 */
export async function upsertSeedDepartments(pool: Pool, seeds: readonly DepartmentSeed[] = seedDepartments()): Promise<string[]> {
  const column = <K extends keyof DepartmentSeed>(key: K) => seeds.map((s) => s[key]);
  return inTransaction(pool, async (client) => {
    const result = await client.query<{ code: string }>(
      `INSERT INTO departments (${INSERT_COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
       ON CONFLICT (code) DO NOTHING RETURNING code`,
      [
        column('code'),
        column('kind'),
        column('level'),
        column('name'),
        column('regionCode'),
        column('mailbox'),
        column('headMailbox'),
        column('superiorCode'),
        column('serviceTier'),
      ],
    );
    const inserted = result.rows.map((row) => row.code);
    if (inserted.length) {
      await appendAudit(client, {
        actor: SYSTEM_ACTOR,
        entityType: 'department',
        entityId: 'seed',
        action: 'department.seeded',
        summary: { inserted: inserted.length, of: seeds.length },
      });
    }
    return inserted;
  });
}

export async function findDepartment(db: Pool | PoolClient, code: string, forUpdate = false): Promise<DepartmentRecord | undefined> {
  const result = await db.query<DepartmentRow>(`SELECT * FROM departments WHERE code = $1${forUpdate ? ' FOR UPDATE' : ''}`, [code]);
  const row = result.rows[0];
  return row ? fromRow(row) : undefined;
}

export interface DepartmentListFilter {
  level?: DepartmentLevel;
  kind?: string;
  /** A region code: its own departments and, for a county, its townships. */
  regionCode?: string;
  active?: boolean;
  page: number;
  pageSize: number;
}

/** Ordered city → county → township → outside, then by region and code. */
export async function listDepartments(
  db: Pool | PoolClient,
  filter: DepartmentListFilter,
): Promise<{ items: DepartmentRecord[]; total: number }> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    values.push(value);
    conditions.push(sql(`$${values.length}`));
  };
  if (filter.level) add((p) => `level = ${p}`, filter.level);
  if (filter.kind) add((p) => `kind = ${p}`, filter.kind);
  if (filter.regionCode) add((p) => `(region_code = ${p} OR (length(region_code) = 9 AND left(region_code, 6) = ${p}))`, filter.regionCode);
  if (filter.active !== undefined) add((p) => `active = ${p}`, filter.active);
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const total = await db.query<{ count: string }>(`SELECT count(*) FROM departments ${where}`, values);
  const page = await db.query<DepartmentRow>(
    `SELECT * FROM departments ${where}
     ORDER BY array_position(ARRAY['city', 'county', 'township', 'outside'], level), region_code, code
     LIMIT ${filter.pageSize} OFFSET ${(filter.page - 1) * filter.pageSize}`,
    values,
  );
  return { items: page.rows.map(fromRow), total: Number(total.rows[0]?.count ?? 0) };
}

/** Inserts a department; `inserted: false` when the code is taken (nothing written). */
export async function createDepartment(
  client: PoolClient,
  department: DepartmentSeed & { active?: boolean },
): Promise<{ inserted: true; record: DepartmentRecord } | { inserted: false }> {
  const result = await client.query<DepartmentRow>(
    `INSERT INTO departments (${INSERT_COLUMNS}, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (code) DO NOTHING RETURNING *`,
    [
      department.code,
      department.kind,
      department.level,
      department.name,
      department.regionCode,
      department.mailbox,
      department.headMailbox,
      department.superiorCode,
      department.serviceTier,
      department.active ?? true,
    ],
  );
  const row = result.rows[0];
  return row ? { inserted: true, record: fromRow(row) } : { inserted: false };
}

const PATCH_COLUMNS: Record<keyof DepartmentPatch, string> = {
  name: 'name',
  mailbox: 'mailbox',
  headMailbox: 'head_mailbox',
  superiorCode: 'superior_code',
  serviceTier: 'service_tier',
  active: 'active',
};

/** Sets the given fields (undefined ones are left alone); undefined when the code is unknown. */
export async function updateDepartment(
  db: Pool | PoolClient,
  code: string,
  patch: DepartmentPatch,
): Promise<DepartmentRecord | undefined> {
  const keys = (Object.keys(PATCH_COLUMNS) as Array<keyof DepartmentPatch>).filter((key) => patch[key] !== undefined);
  if (!keys.length) return findDepartment(db, code);
  const assignments = keys.map((key, i) => `${PATCH_COLUMNS[key]} = $${i + 2}`).join(', ');
  const result = await db.query<DepartmentRow>(
    `UPDATE departments SET ${assignments}, updated_at = now() WHERE code = $1 RETURNING *`,
    [code, ...keys.map((key) => patch[key])],
  );
  const row = result.rows[0];
  return row ? fromRow(row) : undefined;
}

/** True when `code` is `start` or one of its superiors, up the chain. */
export async function isInSuperiorChain(db: Pool | PoolClient, start: string, code: string): Promise<boolean> {
  const result = await db.query(
    `WITH RECURSIVE chain AS (
       SELECT code, superior_code FROM departments WHERE code = $1
       UNION
       SELECT d.code, d.superior_code FROM departments d JOIN chain c ON d.code = c.superior_code
     )
     SELECT 1 FROM chain WHERE code = $2`,
    [start, code],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * The 户籍地 civil-affairs bureau of a county outside Pingdingshan (outside-mz-<county>),
 * inserted from the catalogue when missing, with its audit entry in the same statement (so it
 * works on a pool or inside a caller's transaction). Throws a RangeError for an unknown or a
 * Pingdingshan county code.
 */
export async function ensureOutsideCivilAffairs(db: Pool | PoolClient, countyCode: string, actor = SYSTEM_ACTOR): Promise<DepartmentRecord> {
  return ensureOutsideDepartment(db, 'mz', countyCode, actor);
}

/** Any kind of bureau outside Pingdingshan, inserted from the catalogue when missing. */
export async function ensureOutsideDepartment(db: Pool | PoolClient, kindCode: string, countyCode: string, actor = SYSTEM_ACTOR): Promise<DepartmentRecord> {
  const seed = outsideDepartment(kindCode, countyCode);
  await db.query(
    `WITH inserted AS (
       INSERT INTO departments (${INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (code) DO NOTHING RETURNING code
     )
     INSERT INTO audit_log (actor, entity_type, entity_id, action, summary)
     SELECT $10, 'department', code, 'department.created', $11::jsonb FROM inserted`,
    [
      seed.code,
      seed.kind,
      seed.level,
      seed.name,
      seed.regionCode,
      seed.mailbox,
      seed.headMailbox,
      seed.superiorCode,
      seed.serviceTier,
      actor,
      JSON.stringify({ after: { level: seed.level, kind: seed.kind, regionCode: seed.regionCode, mailbox: seed.mailbox } }),
    ],
  );
  const record = await findDepartment(db, seed.code);
  if (!record) throw new Error(`department ${seed.code} missing right after its insert`);
  return record;
}
