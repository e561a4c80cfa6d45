/**
 * M3 / R1 statistics from the read model: the register by county, age band, schooling,
 * insurance and guardianship; cases, overdue tasks, breaches and referrals; key-care visit
 * compliance per township (S20). Counts only.
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

/**
 * One scan of the register, every breakdown at once (GROUPING SETS): at 50,000 children the
 * separate queries this replaced took seconds, mostly re-reading the guardians of each row.
 */
export async function registerStats(db: Pool, filter: StatsFilter) {
  const rows = (await db.query<{ dimension: string; key: string | null; children: number; eligible: number; keyCare: number }>(
    `WITH c AS (
       SELECT residence_county,
              schooling_status,
              health_insurance,
              key_care,
              (eligible_from IS NOT NULL AND eligible_from <= $1::date AND $1::date < eligible_until) AS eligible,
              CASE WHEN age < 3 THEN '0-2' WHEN age < 6 THEN '3-5' WHEN age < 12 THEN '6-11' WHEN age < 16 THEN '12-15' ELSE '16+' END AS age_band,
              living_with AS guardianship
         FROM (SELECT *, extract(year FROM age($1::date, birth_date))::int AS age
                 FROM children WHERE left_on IS NULL AND ($2::text IS NULL OR residence_county = $2::text)) raw
     )
     SELECT CASE WHEN GROUPING(residence_county) = 0 THEN 'county' WHEN GROUPING(age_band) = 0 THEN 'age'
                 WHEN GROUPING(schooling_status) = 0 THEN 'schooling' WHEN GROUPING(health_insurance) = 0 THEN 'insurance'
                 WHEN GROUPING(guardianship) = 0 THEN 'guardianship' ELSE 'total' END AS dimension,
            COALESCE(residence_county, age_band, schooling_status, health_insurance, guardianship) AS key,
            count(*)::int AS children, count(*) FILTER (WHERE eligible)::int AS eligible, count(*) FILTER (WHERE key_care)::int AS "keyCare"
       FROM c
      GROUP BY GROUPING SETS ((residence_county), (age_band), (schooling_status), (health_insurance), (guardianship), ())`,
    [filter.today, filter.county ?? null],
  )).rows;
  const of = (dimension: string) => rows.filter((row) => row.dimension === dimension);
  const counts = (dimension: string): Counts => toCounts(of(dimension).map((row) => ({ key: row.key, count: row.children })));
  const total = of('total')[0] ?? { children: 0, eligible: 0, keyCare: 0 };
  return {
    children: total.children,
    eligible: total.eligible,
    keyCare: total.keyCare,
    byCounty: of('county')
      .map((row) => ({ county: row.key ?? 'unknown', children: row.children, eligible: row.eligible, keyCare: row.keyCare }))
      .sort((a, b) => a.county.localeCompare(b.county)),
    byAgeBand: counts('age'),
    bySchooling: counts('schooling'),
    byInsurance: counts('insurance'),
    byGuardianship: counts('guardianship'),
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

/**
 * S20 visit compliance per township (the children's director's department the plans are
 * assigned to): planned visits DUE in the period up to today against planned visits DONE in
 * it (visits counted toward a quarter's quota; extra visits beyond it do not make up for
 * another child's missed one), and the quarters that ended short. A visit counts for the
 * township of the plan part it was made in (a plan handed over mid-quarter has two parts).
 */
export async function visitComplianceStats(db: Pool, filter: StatsFilter) {
  const rows = (await db.query<{ township: string; townshipName: string | null; county: string; due: number; done: number; quartersShort: number }>(
    `WITH due AS (
       SELECT vq.assignee_code, vq.county_code,
              sum((SELECT count(*) FROM unnest(vq.due_dates) d
                    WHERE d <= $1::date AND ($3::date IS NULL OR d >= $3::date) AND ($4::date IS NULL OR d <= $4::date)))::int AS due,
              -- A short quarter counts in the period its last day falls in (it closes at the
              -- first instant of the next quarter, which belongs to the next period).
              count(*) FILTER (WHERE vq.outcome = 'short'
                                 AND ($3::date IS NULL OR quarter_end >= $3::date) AND ($4::date IS NULL OR quarter_end <= $4::date))::int AS short
         FROM visit_quarters vq,
              LATERAL (SELECT (make_date(split_part(vq.quarter, '-Q', 1)::int, split_part(vq.quarter, '-Q', 2)::int * 3, 1)
                               + interval '1 month' - interval '1 day')::date AS quarter_end) q
        WHERE ($2::text IS NULL OR vq.county_code = $2::text)
        GROUP BY vq.assignee_code, vq.county_code
     ), done AS (
       SELECT part.assignee_code, count(*)::int AS done
         FROM visits v
         JOIN LATERAL (SELECT vq.assignee_code, vq.county_code FROM visit_quarters vq
                        WHERE vq.plan_id = v.plan_id AND vq.quarter = v.quarter AND vq.planned_from <= v.visited_on
                        ORDER BY vq.planned_from DESC LIMIT 1) part ON true
        WHERE v.status = 'recorded' AND v.slot IS NOT NULL AND v.visited_on <= $1::date
          AND ($3::date IS NULL OR v.visited_on >= $3::date) AND ($4::date IS NULL OR v.visited_on <= $4::date)
          AND ($2::text IS NULL OR part.county_code = $2::text)
        GROUP BY part.assignee_code
     )
     SELECT due.assignee_code AS township, d.name AS "townshipName", due.county_code AS county,
            due.due, COALESCE(done.done, 0) AS done, due.short AS "quartersShort"
       FROM due LEFT JOIN done ON done.assignee_code = due.assignee_code
       LEFT JOIN departments d ON d.code = due.assignee_code
      ORDER BY due.county_code, due.assignee_code`,
    [filter.today, filter.county ?? null, filter.from ?? null, filter.to ?? null],
  )).rows;
  // Visits made ahead of their due date can outnumber the visits due so far: capped at 100 %.
  return rows.map((row) => ({ ...row, townshipName: row.townshipName ?? row.township, rate: row.due === 0 ? null : Math.min(1, row.done / row.due) }));
}

/**
 * Issue #12 (M3 "policy finds people"): per county and service-list item, the children
 * entitled (matched at least once) and how their referrals ended (the task's outcome).
 */
export async function coverageStats(db: Pool, filter: Pick<StatsFilter, 'county'>) {
  return (await db.query<{ county: string; item: string; entitled: number; served: number; notApplicable: number; refusedByFamily: number }>(
    `SELECT e.county_code AS county, e.item_id AS item, count(*)::int AS entitled,
            count(*) FILTER (WHERE t.outcome = 'served')::int AS served,
            count(*) FILTER (WHERE t.outcome = 'not-applicable')::int AS "notApplicable",
            count(*) FILTER (WHERE t.outcome = 'refused-by-family')::int AS "refusedByFamily"
       FROM entitlement_referrals e LEFT JOIN tasks t ON t.id = e.task_id
      WHERE ($1::text IS NULL OR e.county_code = $1)
      GROUP BY e.county_code, e.item_id
      ORDER BY e.county_code, length(e.item_id), e.item_id`,
    [filter.county ?? null],
  )).rows;
}
