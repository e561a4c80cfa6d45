/**
 * M3 / R1 statistics from the read model: the register by county, age band, schooling,
 * insurance and guardianship; cases, overdue tasks, breaches and referrals. Counts only.
 */
import type { Pool } from './pool';

export interface StatsFilter {
  county?: string;
  /** Period (China dates, inclusive) for cases opened, breaches and referrals. */
  from?: string;
  to?: string;
  today: string;
}

type Counts = Record<string, number>;

const toCounts = (rows: Array<{ key: string | null; count: number }>): Counts =>
  Object.fromEntries(rows.map((row) => [row.key ?? 'unknown', row.count]));

export async function registerStats(db: Pool, filter: StatsFilter) {
  // Every query takes [today, county]; both are referenced so Postgres can type them.
  const where = `WHERE $1::date IS NOT NULL AND ($2::text IS NULL OR residence_county = $2::text)`;
  const params = [filter.today, filter.county ?? null];
  const eligible = `(eligible_from IS NOT NULL AND eligible_from <= $1::date AND $1::date < eligible_until)`;
  const totals = (await db.query<{ children: number; eligible: number; keycare: number }>(
    `SELECT count(*)::int AS children, count(*) FILTER (WHERE ${eligible})::int AS eligible, count(*) FILTER (WHERE key_care)::int AS keycare FROM children ${where}`,
    params,
  )).rows[0]!;
  const byCounty = (await db.query<{ county: string; children: number; eligible: number; keyCare: number }>(
    `SELECT residence_county AS county, count(*)::int AS children, count(*) FILTER (WHERE ${eligible})::int AS eligible,
            count(*) FILTER (WHERE key_care)::int AS "keyCare"
       FROM children ${where} GROUP BY residence_county ORDER BY residence_county`,
    params,
  )).rows;
  const ageBands = await db.query<{ key: string; count: number }>(
    `SELECT CASE WHEN age < 3 THEN '0-2' WHEN age < 6 THEN '3-5' WHEN age < 12 THEN '6-11' WHEN age < 16 THEN '12-15' ELSE '16+' END AS key, count(*)::int AS count
       FROM (SELECT extract(year FROM age($1::date, birth_date))::int AS age, residence_county FROM children) c ${where} GROUP BY 1`,
    params,
  );
  const schooling = await db.query<{ key: string; count: number }>(`SELECT schooling_status AS key, count(*)::int AS count FROM children ${where} GROUP BY 1`, params);
  const insurance = await db.query<{ key: string; count: number }>(`SELECT health_insurance AS key, count(*)::int AS count FROM children ${where} GROUP BY 1`, params);
  // Who the child lives with: both parents, one parent, other relatives only, or nobody listed.
  const guardianship = await db.query<{ key: string; count: number }>(
    `SELECT CASE WHEN parents = 2 THEN 'both-parents' WHEN parents = 1 THEN 'one-parent' WHEN others > 0 THEN 'other-guardian' ELSE 'no-guardian-at-home' END AS key,
            count(*)::int AS count
       FROM (SELECT residence_county,
                    (SELECT count(*) FROM jsonb_array_elements(guardians) g WHERE (g->>'livesWithChild')::boolean AND g->>'relation' IN ('father', 'mother')) AS parents,
                    (SELECT count(*) FROM jsonb_array_elements(guardians) g WHERE (g->>'livesWithChild')::boolean AND g->>'relation' NOT IN ('father', 'mother')) AS others
               FROM children) c ${where} GROUP BY 1`,
    params,
  );
  return {
    children: totals.children,
    eligible: totals.eligible,
    keyCare: totals.keycare,
    byCounty,
    byAgeBand: toCounts(ageBands.rows),
    bySchooling: toCounts(schooling.rows),
    byInsurance: toCounts(insurance.rows),
    byGuardianship: toCounts(guardianship.rows),
  };
}

export async function caseworkStats(db: Pool, filter: StatsFilter, now: Date) {
  const period = (column: string) =>
    `($2::text IS NULL OR ${column} >= $2::text::date - interval '8 hours') AND ($3::text IS NULL OR ${column} < $3::text::date + interval '16 hours')`;
  const params = [filter.county ?? null, filter.from ?? null, filter.to ?? null];
  const casesByTypeAndStage = (await db.query<{ type: string; stage: string; status: string; count: number }>(
    `SELECT type, stage, status, count(*)::int AS count FROM cases
      WHERE ($1::text IS NULL OR county_code = $1) AND ${period('opened_at')} GROUP BY type, stage, status ORDER BY type, stage`,
    params,
  )).rows;
  const overdueByDepartment = (await db.query<{ department: string; overdue: number }>(
    `SELECT assignee_code AS department, count(*)::int AS overdue FROM tasks
      WHERE status IN ('open', 'acknowledged') AND (overdue OR due_at < $2::timestamptz)
        AND ($1::text IS NULL OR county_code = $1)
      GROUP BY assignee_code ORDER BY overdue DESC, assignee_code`,
    [filter.county ?? null, now.toISOString()],
  )).rows;
  const breachesByDepartment = (await db.query<{ department: string; breaches: number }>(
    `SELECT b.department_code AS department, count(*)::int AS breaches FROM breaches b LEFT JOIN tasks t ON t.id = b.task_id
      WHERE ($1::text IS NULL OR t.county_code = $1) AND ${period('b.at')}
      GROUP BY b.department_code ORDER BY breaches DESC, b.department_code`,
    params,
  )).rows;
  const referrals = (await db.query<{ key: string; count: number }>(
    `SELECT status AS key, count(*)::int AS count FROM referrals
      WHERE ($1::text IS NULL OR department_code LIKE '%' || $1) AND ${period('opened_at')} GROUP BY status`,
    params,
  )).rows;
  return { casesByTypeAndStage, overdueByDepartment, breachesByDepartment, referralsByStatus: toCounts(referrals) };
}
