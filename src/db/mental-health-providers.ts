/**
 * W2.4: mental-health providers are entries of the department directory with a service
 * tier (`departments.service_tier`). A county that has none gets a few default entries the
 * first time a case routes there, so that a referral always has somewhere to go; an admin
 * renames, re-addresses, deactivates or adds to them through /api/v1/admin/departments.
 *
 * Why here and not in a migration: migrations run before the directory seed (src/db/seed.ts),
 * so on a fresh database a migration could not point a provider at its supervising bureau
 * (a foreign key to a row that does not exist yet); and a migration would add rows to every
 * county's directory, which the directory's own seed contract (and its tests) count.
 */
import {
  headMailboxOf,
  mailboxOf,
  type DepartmentSeed,
  type ServiceTier,
} from '../domain/department-catalog';
import { countyName, PINGDINGSHAN_COUNTIES } from '../domain/regions';
import type { Pool } from './pool';

/**
 * The defaults of one statutory county: two psychosocial service institutions (tier
 * medium, supervised by the civil-affairs bureau) and two medical institutions (tier high,
 * supervised by the health commission). Codes follow the directory's scheme for added
 * entries, `<kind>-<county>-<suffix>`, so they look like what an admin would create.
 * The names are placeholders for the real institutions.
 */
export function defaultMentalHealthProviders(countyCode: string): DepartmentSeed[] {
  const county = countyName(countyCode);
  if (!county || !PINGDINGSHAN_COUNTIES.includes(countyCode)) return [];
  const entry = (kind: 'mz' | 'wj', suffix: string, name: string, serviceTier: ServiceTier): DepartmentSeed => {
    const code = `${kind}-${countyCode}-${suffix}`;
    return {
      code,
      kind,
      level: 'county',
      name: `${county}${name}`,
      regionCode: countyCode,
      mailbox: mailboxOf(code, 'county'),
      headMailbox: headMailboxOf(code, 'county'),
      superiorCode: `${kind}-${countyCode}`,
      serviceTier,
    };
  };
  return [
    entry('mz', 'mh1', '社会心理服务中心', 'medium'),
    entry('mz', 'mh2', '青少年心理辅导中心', 'medium'),
    entry('wj', 'mh1', '人民医院（精神心理科）', 'high'),
    entry('wj', 'mh2', '中医院（心理科）', 'high'),
  ];
}

/**
 * Inserts the county's default providers when the directory has no provider of any tier
 * there, active or not (a county whose admin deactivated its providers keeps it that way).
 * Idempotent under concurrency: ON CONFLICT DO NOTHING, one audit entry per inserted row.
 * The supervising bureau is set only when it exists. Returns the inserted codes.
 */
export async function ensureDefaultProviders(pool: Pool, countyCode: string): Promise<string[]> {
  const existing = await pool.query('SELECT 1 FROM departments WHERE region_code = $1 AND service_tier IS NOT NULL LIMIT 1', [countyCode]);
  if (existing.rowCount) return [];
  const inserted: string[] = [];
  for (const seed of defaultMentalHealthProviders(countyCode)) {
    const result = await pool.query<{ code: string }>(
      `WITH inserted AS (
         INSERT INTO departments (code, kind, level, name, region_code, mailbox, head_mailbox, superior_code, service_tier)
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT code FROM departments WHERE code = $8), $9)
         ON CONFLICT (code) DO NOTHING RETURNING code
       )
       INSERT INTO audit_log (actor, entity_type, entity_id, action, summary)
       SELECT 'system', 'department', code, 'department.created', $10::jsonb FROM inserted RETURNING entity_id AS code`,
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
        JSON.stringify({ after: { level: seed.level, kind: seed.kind, regionCode: seed.regionCode, serviceTier: seed.serviceTier, reason: 'W2.4 default provider' } }),
      ],
    );
    inserted.push(...result.rows.map((row) => row.code));
  }
  return inserted;
}

/** The active providers of `tier` in the county, in code order (the order referrals try them). */
export async function providersOfTier(pool: Pool, countyCode: string, tier: ServiceTier): Promise<string[]> {
  const result = await pool.query<{ code: string }>(
    'SELECT code FROM departments WHERE region_code = $1 AND service_tier = $2 AND active ORDER BY code',
    [countyCode, tier],
  );
  return result.rows.map((row) => row.code);
}
