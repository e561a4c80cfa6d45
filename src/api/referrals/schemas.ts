import { z } from 'zod';
import { calendarDate } from '../children/schemas';

export const referralIdParams = z.strictObject({ id: z.uuid('移送编号应为 UUID') });

export const listReferralsQuery = z.strictObject({
  status: z.enum(['sent', 'no-suggestion', 'suggestion-issued', 'reply-overdue', 'replied']).optional(),
  department: z.string().min(1).max(80).optional(),
  /** Referrals sent to one procuratorate (a procuratorate sees only its own, issue #10). */
  procuratorate: z.string().min(1).max(80).optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const suggestionBody = z.strictObject({
  issued: z.boolean(),
  addresseeCode: z.string().min(1).max(80).optional(),
  issuedOn: calendarDate.optional(),
  documentNo: z.string().trim().max(100).optional(),
  note: z.string().trim().max(2000).optional(),
  by: z.string().trim().min(1, '需要填写登记人').max(50),
});

export const replyBody = z.strictObject({
  repliedOn: calendarDate,
  summary: z.string().trim().min(1, '需要填写回复摘要').max(4000),
  by: z.string().trim().min(1, '需要填写登记人').max(50),
});

export const referralView = z.object({
  id: z.string(),
  departmentCode: z.string(),
  procuratorateCode: z.string(),
  status: z.enum(['sent', 'no-suggestion', 'suggestion-issued', 'reply-overdue', 'replied']),
  reason: z.string(),
  dossier: z.record(z.string(), z.unknown()),
  openedAt: z.string(),
  suggestion: z.record(z.string(), z.unknown()).nullable(),
  replyDueAt: z.string().nullable(),
  reply: z.record(z.string(), z.unknown()).nullable(),
  escalatedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
});

export const referralListView = z.object({ items: z.array(referralView), page: z.number(), pageSize: z.number(), total: z.number() });
