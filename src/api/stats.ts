/** Issue #9: `GET /api/v1/stats`, the figures of M3 and R1 for supervisors. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Pool } from '../db/pool';
import { caseworkStats, coverageStats, registerStats, visitComplianceStats } from '../db/stats-repository';
import { calendarDate } from './children/schemas';
import type { CaseType } from '../domain/cases';
import { caseTypeModule } from './cases/types';
import { errorBodySchema } from './errors';

const statsQuery = z.strictObject({
  county: z.string().regex(/^\d{6}$/, '行政区划代码应为 6 位数字').optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
});

const counts = z.record(z.string(), z.number());
const statsView = z.object({
  asOf: z.string(),
  register: z.object({
    children: z.number(),
    eligible: z.number(),
    keyCare: z.number(),
    byCounty: z.array(z.object({ county: z.string(), children: z.number(), eligible: z.number(), keyCare: z.number() })),
    byAgeBand: counts,
    bySchooling: counts,
    byInsurance: counts,
    byGuardianship: counts,
  }),
  casework: z.object({
    casesByTypeAndStage: z.array(z.object({ type: z.string(), stage: z.string(), stageLabel: z.string(), status: z.string(), count: z.number() })),
    overdueByDepartment: z.array(z.object({ department: z.string(), overdue: z.number() })),
    breachesByDepartment: z.array(z.object({ department: z.string(), breaches: z.number() })),
    referralsByStatus: counts,
  }),
  visits: z.object({
    byTownship: z.array(
      z.object({
        township: z.string(),
        townshipName: z.string(),
        county: z.string(),
        due: z.number().describe('计划走访中截至今日（或统计期末）已到期的次数'),
        done: z.number().describe('其中已完成（计入季度任务数）的次数'),
        rate: z.number().nullable().describe('完成率 done/due，上限 1；无到期走访时为 null'),
        quartersShort: z.number().describe('统计期内未完成季度走访任务的季度数'),
      }),
    ),
  }),
  /** Issue #12: per county and service-list item (S1-S25, county items), children entitled vs served. */
  coverage: z.array(
    z.object({ county: z.string(), item: z.string(), entitled: z.number(), served: z.number(), notApplicable: z.number(), refusedByFamily: z.number() }),
  ),
});

export function statsRoutes(deps: { pool: Pool; today: () => string }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/stats', {
      schema: { tags: ['stats'], summary: '统计（规模、年龄、地区、就学、参保、监护；案件、逾期、移送；乡镇走访完成率；服务清单覆盖）', querystring: statsQuery, response: { 200: statsView, 400: errorBodySchema } },
      handler: async (request) => {
        const today = deps.today();
        const filter = { ...request.query, today };
        const [register, casework, visitsByTownship, coverage] = await Promise.all([
          registerStats(deps.pool, filter),
          caseworkStats(deps.pool, filter, new Date()),
          visitComplianceStats(deps.pool, filter),
          coverageStats(deps.pool, filter),
        ]);
        const casesByTypeAndStage = casework.casesByTypeAndStage.map((row) => ({
          ...row,
          stageLabel: caseTypeModule(row.type as CaseType)?.stageLabels[row.stage] ?? row.stage,
        }));
        return { asOf: today, register, casework: { ...casework, casesByTypeAndStage }, visits: { byTownship: visitsByTownship }, coverage };
      },
    });
  };
}
