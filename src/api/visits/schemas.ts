/**
 * Home visits of key-care children (issue #4; S20, M2): request and response shapes. Every
 * object strict; messages in Chinese.
 */
import { z } from 'zod';
import {
  GUARDIANSHIP_LEVELS,
  NEED_SERVICE_CODES,
  OBSERVATION_LEVELS,
  ASSESSMENT_MAX_SCORE,
} from '../../domain/visits';
import { calendarDate } from '../children/schemas';

export const visitParams = z.strictObject({ id: z.uuid('儿童编号应为 UUID'), visitId: z.uuid('走访记录编号应为 UUID') });

const note = (max: number) => z.string().trim().max(max).optional();

/** One aspect M2 asks a visit to record: how it stands, and what was seen. */
const observation = z.strictObject({ level: z.enum(OBSERVATION_LEVELS), note: note(1000) });

const score = z.number().int('评分应为整数').min(0, `评分应为 0-${ASSESSMENT_MAX_SCORE}`).max(ASSESSMENT_MAX_SCORE, `评分应为 0-${ASSESSMENT_MAX_SCORE}`);

/** Family guardianship capability assessment: item scores; the overall level is derived. */
const assessment = z.strictObject({
  scores: z.strictObject({ dailyCare: score, safety: score, health: score, education: score, emotionalCare: score }),
  note: note(2000),
});

const need = z.strictObject({
  service: z.enum(NEED_SERVICE_CODES),
  note: note(1000),
  /** Ask the responsible department (education, health, civil affairs ...) to act: a task. */
  openTask: z.boolean().default(false),
});

export const recordVisitBody = z.strictObject({
  visitedOn: calendarDate,
  visitor: z.string().trim().min(1, '需要填写走访人').max(50),
  notes: z.string().trim().min(1, '需要填写走访情况').max(4000),
  livingSecurity: observation,
  guardianship: observation,
  medicalCare: observation,
  schooling: observation,
  needs: z
    .array(need)
    .max(NEED_SERVICE_CODES.length)
    .default([])
    .refine((needs) => new Set(needs.map((n) => n.service)).size === needs.length, '同一类需求只能填写一次'),
  assessment: assessment.optional(),
});
export type RecordVisitBody = z.infer<typeof recordVisitBody>;

export const listVisitsQuery = z.strictObject({
  quarter: z.string().regex(/^\d{4}-Q[1-4]$/, '季度格式应为 YYYY-Qn，如 2026-Q1').optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

const observationView = z.object({ level: z.enum(OBSERVATION_LEVELS), note: z.string().optional() });

export const visitView = z.object({
  id: z.string(),
  childId: z.string(),
  visitedOn: z.string(),
  visitor: z.string(),
  notes: z.string(),
  livingSecurity: observationView,
  guardianship: observationView,
  medicalCare: observationView,
  schooling: observationView,
  assessment: z
    .object({
      scores: z.object({ dailyCare: z.number(), safety: z.number(), health: z.number(), education: z.number(), emotionalCare: z.number() }),
      total: z.number(),
      level: z.enum(GUARDIANSHIP_LEVELS),
      levelLabel: z.string(),
      note: z.string().optional(),
    })
    .nullable(),
  needs: z.array(z.object({ service: z.enum(NEED_SERVICE_CODES), serviceLabel: z.string(), note: z.string().optional(), openTask: z.boolean(), taskId: z.string().optional() })),
  planId: z.string().nullable(),
  quarter: z.string().nullable(),
  slot: z.number().nullable().describe('计入本季度第几次计划走访；超出计划次数时为空'),
  taskId: z.string().nullable().describe('因本次走访办结的走访任务'),
  recordedAt: z.string().nullable(),
});
export type VisitView = z.infer<typeof visitView>;

export const visitListView = z.object({ items: z.array(visitView), page: z.number(), pageSize: z.number(), total: z.number() });

const quarterSummary = z.object({
  quarter: z.string(),
  quota: z.number(),
  done: z.number(),
  assessed: z.boolean(),
  outcome: z.enum(['met', 'short', 'closing', 'handed-over', 'closed']),
});

export const visitPlanView = z.object({
  planId: z.string(),
  childId: z.string(),
  phase: z.enum(['active', 'closing', 'closed']),
  startedOn: z.string(),
  countyCode: z.string(),
  assigneeCode: z.string().describe('承办走访的乡镇（街道），无法确定时为县级民政局'),
  quarter: z.object({
    id: z.string(),
    from: z.string(),
    lastDay: z.string(),
    quota: z.number(),
    done: z.number(),
    overdue: z.number(),
    assessed: z.boolean().describe('本季度是否已开展家庭监护能力评估'),
    due: z.array(
      z.object({
        index: z.number(),
        dueOn: z.string(),
        status: z.enum(['upcoming', 'assigned', 'overdue', 'done']),
        taskId: z.string().optional(),
        visitId: z.string().optional(),
      }),
    ),
  }),
  past: z.array(quarterSummary).describe('最近 8 个季度'),
  nextReverificationOn: z.string(),
  reverificationTaskId: z.string().optional(),
  closingTaskId: z.string().optional(),
  closedBecause: z.string().optional(),
});

export const visitPolicySchema = z.strictObject({
  quarterlyQuota: z.number().int().min(1).max(90),
  reminderDaysBefore: z.number().int().min(0).max(30),
  reverificationMonths: z.number().int().min(1).max(12),
  reverificationWorkingDays: z.number().int().min(1).max(60),
  closingAssessmentWorkingDays: z.number().int().min(1).max(60),
  needTaskWorkingDays: z.number().int().min(1).max(60),
});

export const visitPolicyView = z.object({ countyCode: z.string(), isDefault: z.boolean(), policy: visitPolicySchema });
