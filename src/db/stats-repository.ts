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
 * assigned to). A planned visit is DUE once its due date has passed (a visit is due by the
 * end of its day), within the period, and while its plan part was running (a part closed by
 * a hand-over, the flags clearing or the child leaving charges nothing after it closed). It
 * is DONE when the visit that fills that slot of the same plan part was recorded: so one
 * child's early visits never make up for another child's missed one. A part is the plan's
 * run from `planned_from` until the next part of the same quarter (a hand-over's new
 * township). `quartersShort` counts the parts that ended short, in the period their
 * quarter's last day falls in.
 */
export async function visitComplianceStats(db: Pool, filter: StatsFilter) {
  const rows = (await db.query<{ township: string; townshipName: string | null; county: string; due: number; done: number; quartersShort: number }>(
    `WITH parts AS (
       SELECT vq.*, (make_date(split_part(vq.quarter, '-Q', 1)::int, split_part(vq.quarter, '-Q', 2)::int * 3, 1)
                     + interval '1 month' - interval '1 day')::date AS quarter_end
         FROM visit_quarters vq
        WHERE ($2::text IS NULL OR vq.county_code = $2::text)
     ), slots AS (
       SELECT p.assignee_code, p.county_code,
              EXISTS (SELECT 1 FROM visits v
                       WHERE v.plan_id = p.plan_id AND v.quarter = p.quarter AND v.slot = d.slot AND v.status = 'recorded'
                         AND v.visited_on >= p.planned_from
                         AND NOT EXISTS (SELECT 1 FROM visit_quarters later
                                          WHERE later.plan_id = p.plan_id AND later.quarter = p.quarter
                                            AND later.planned_from > p.planned_from AND later.planned_from <= v.visited_on)) AS done
         FROM parts p, unnest(p.due_dates) WITH ORDINALITY AS d(due_on, slot)
        WHERE d.due_on < $1::date AND ($3::date IS NULL OR d.due_on >= $3::date) AND ($4::date IS NULL OR d.due_on <= $4::date)
          AND (p.closed_at IS NULL OR d.due_on < (p.closed_at AT TIME ZONE 'Asia/Shanghai')::date)
     ), totals AS (
       SELECT assignee_code, county_code, count(*)::int AS due, count(*) FILTER (WHERE done)::int AS done
         FROM slots GROUP BY assignee_code, county_code
     ), townships AS (
       SELECT assignee_code, county_code,
              count(*) FILTER (WHERE outcome = 'short' AND ($3::date IS NULL OR quarter_end >= $3::date)
                                 AND ($4::date IS NULL OR quarter_end <= $4::date))::int AS short
         FROM parts GROUP BY assignee_code, county_code
     )
     SELECT t.assignee_code AS township, d.name AS "townshipName", t.county_code AS county,
            COALESCE(totals.due, 0) AS due, COALESCE(totals.done, 0) AS done, t.short AS "quartersShort"
       FROM townships t
       LEFT JOIN totals ON totals.assignee_code = t.assignee_code AND totals.county_code = t.county_code
       LEFT JOIN departments d ON d.code = t.assignee_code
      ORDER BY t.county_code, t.assignee_code`,
    [filter.today, filter.county ?? null, filter.from ?? null, filter.to ?? null],
  )).rows;
  return rows.map((row) => ({ ...row, townshipName: row.townshipName ?? row.township, rate: row.due === 0 ? null : row.done / row.due }));
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
