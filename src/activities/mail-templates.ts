/**
 * The Chinese text of each notification, by template. A bureau reads these: they carry the
 * link to the record and the facts of the task, never a child's name or ID number.
 */
import { chinaDateOf } from '../domain/calendar-date';

export type NotificationTemplate =
  | 'child-registered'
  | 'reverification-due'
  | 'child-no-longer-eligible'
  | 'task-assigned'
  | 'task-reminder'
  | 'task-escalated'
  | 'calendar-not-covered'
  | 'referral-dossier'
  | 'suggestion-issued'
  | 'reply-overdue'
  | 'case-notice'
  | 'visit-plan'
  | 'visit-quarter-short'
  | 'key-care-plan-handover'
  | 'key-care-plan-closed';

export type Facts = Record<string, string | undefined>;

export interface MailContext {
  recipientName: string;
  facts: Facts;
  baseUrl: string;
}

/** '2026-10-09 当日' for a deadline at the end of a China day, else 'YYYY-MM-DD HH:mm'. */
export function formatDue(iso: string | undefined): string {
  if (!iso) return '未设定';
  const ms = Date.parse(iso);
  const china = new Date(ms + 8 * 3600_000).toISOString();
  if (china.slice(11, 16) === '00:00') return `${chinaDateOf(ms - 1)} 当日结束前`;
  return `${china.slice(0, 10)} ${china.slice(11, 16)}（北京时间）`;
}

const FOOTER = '\n\n（本邮件由流动儿童关爱保护协同系统 careflow 自动发送，请勿直接回复。）';

const link = (ctx: MailContext, path: string) => `${ctx.baseUrl}${path}`;

const taskBlock = (ctx: MailContext) =>
  `任务：${ctx.facts.title}\n要求：${ctx.facts.instructions}\n办理时限：${formatDue(ctx.facts.dueAt)}\n办理入口：${link(ctx, `/api/v1/tasks/${ctx.facts.taskId}`)}`;

const TEMPLATES: Record<NotificationTemplate, (ctx: MailContext) => { subject: string; body: string }> = {
  'child-registered': (ctx) => ({
    subject: '【流动儿童登记】新登记儿童待核实',
    body: `辖区新登记一名流动儿童（编号 ${ctx.facts.childId}），请按监测摸排要求（M1）核实其信息。\n\n查看记录：${link(ctx, `/api/v1/children/${ctx.facts.childId}`)}`,
  }),
  'reverification-due': (ctx) => ({
    subject: '【流动儿童登记】儿童信息半年复核到期',
    body: `流动儿童（编号 ${ctx.facts.childId}）的信息已满六个月未复核。按要求至少每六个月更新一次（M1），请安排入户核实。\n\n查看记录：${link(ctx, `/api/v1/children/${ctx.facts.childId}`)}`,
  }),
  'child-no-longer-eligible': (ctx) => ({
    subject: '【流动儿童登记】儿童经复核不再符合认定条件',
    body: `流动儿童（编号 ${ctx.facts.childId}）经复核不符合流动儿童认定条件：${ctx.facts.reason ?? '未说明'}。请核实后更新台账。\n\n查看记录：${link(ctx, `/api/v1/children/${ctx.facts.childId}`)}`,
  }),
  'task-assigned': (ctx) => ({
    subject: `【待办任务】${ctx.facts.title}`,
    body: `贵单位有一项新的待办任务，请在时限内办理并在系统中反馈结果。\n\n${taskBlock(ctx)}`,
  }),
  'task-reminder': (ctx) => ({
    subject: `【到期提醒】${ctx.facts.title}`,
    body: `以下任务已到办理时限仍未办结，请立即办理。逾期未办将逐级上报。\n\n${taskBlock(ctx)}`,
  }),
  'task-escalated': (ctx) => ({
    subject: `【逾期督办·第${ctx.facts.level}级】${ctx.facts.title}`,
    body: `以下任务已逾期未办结，按督办阶梯（${ctx.facts.levelLabel}）报送贵单位，请督促承办单位（${ctx.facts.assigneeCode}）立即办理。\n\n${taskBlock(ctx)}`,
  }),
  'calendar-not-covered': (ctx) => ({
    subject: `【时限核对】任务时限超出已公布的节假日安排：${ctx.facts.title}`,
    body: `以下任务的办理时限超出了国务院已公布节假日安排的年份，系统暂按周末推算，请人工核对时限。\n\n${taskBlock(ctx)}`,
  }),
  'referral-dossier': (ctx) => ({
    subject: '【移送检察机关】部门履职不力线索',
    body: `单位 ${ctx.facts.departmentCode} 在流动儿童关爱保护工作中多次逾期未履行职责，达到移送标准（R4）。现将有关材料移送，请依法研究是否制发检察建议，并在系统中登记处理结果。\n\n案卷材料：${link(ctx, `/api/v1/referrals/${ctx.facts.referralId}`)}`,
  }),
  'suggestion-issued': (ctx) => ({
    subject: '【检察建议】请在时限内书面回复',
    body: `检察机关已就贵单位流动儿童关爱保护履职问题制发检察建议${ctx.facts.documentNo ? `（${ctx.facts.documentNo}）` : ''}。依据《未成年人保护法》第一百一十四条，请于 ${formatDue(ctx.facts.replyDueAt)} 书面回复。\n\n详情：${link(ctx, `/api/v1/referrals/${ctx.facts.referralId}`)}`,
  }),
  'case-notice': (ctx) => ({
    subject: `【案件通报】${ctx.facts.title}`,
    body: `${ctx.facts.instructions}\n\n案件：${link(ctx, `/api/v1/cases/${ctx.facts.caseId}`)}`,
  }),
  'reply-overdue': (ctx) => ({
    subject: '【检察建议逾期未回复】请督促整改',
    body: `单位 ${ctx.facts.departmentCode} 收到检察建议后，未在时限（${formatDue(ctx.facts.replyDueAt)}）内书面回复。特此报告，请督促其整改并回复。\n\n详情：${link(ctx, `/api/v1/referrals/${ctx.facts.referralId}`)}`,
  }),
  // Issue #4: the quarterly home-visit plan of a key-care child (S20, M2).
  'visit-plan': (ctx) => ({
    subject: `【重点关爱走访计划】${ctx.facts.quarterLabel}入户走访 ${ctx.facts.quota} 次`,
    body: `重点关爱儿童（编号 ${ctx.facts.childId}）${ctx.facts.quarterLabel}的入户走访计划（S20）：共 ${ctx.facts.quota} 次，各次走访的截止日期依次为 ${ctx.facts.dueDates}。每次截止前 ${ctx.facts.reminderDaysBefore} 天系统将下达走访任务作为提醒，逾期未走访将逐级督办。本季度至少完成一次家庭监护能力评估（M2）。\n\n走访计划：${link(ctx, `/api/v1/children/${ctx.facts.childId}/visit-plan`)}`,
  }),
  'visit-quarter-short': (ctx) => ({
    subject: `【重点关爱走访】${ctx.facts.quarterLabel}走访未达要求`,
    body: `重点关爱儿童（编号 ${ctx.facts.childId}）${ctx.facts.quarterLabel}应入户走访 ${ctx.facts.quota} 次，实际 ${ctx.facts.done} 次${ctx.facts.assessed === 'true' ? '' : '，且未开展家庭监护能力评估'}。承办单位：${ctx.facts.assigneeCode}。${Number(ctx.facts.done) < Number(ctx.facts.quota) ? '走访次数不足已记为该单位的履职不力记录（R4）。' : ''}请督促整改。\n\n走访计划：${link(ctx, `/api/v1/children/${ctx.facts.childId}/visit-plan`)}`,
  }),
  'key-care-plan-handover': (ctx) => ({
    subject: '【重点关爱走访】儿童迁居，走访计划移交',
    body: `重点关爱儿童（编号 ${ctx.facts.childId}）已由 ${ctx.facts.fromCounty} 迁居至 ${ctx.facts.toCounty}，其入户走访计划自 ${ctx.facts.from} 起由 ${ctx.facts.assigneeCode} 承接，请做好衔接。\n\n走访计划：${link(ctx, `/api/v1/children/${ctx.facts.childId}/visit-plan`)}`,
  }),
  'key-care-plan-closed': (ctx) => ({
    subject: '【重点关爱走访】走访计划已结束',
    body: `重点关爱儿童（编号 ${ctx.facts.childId}）的入户走访计划已结束：${ctx.facts.reason}。${ctx.facts.handOff === 'true' ? '儿童已迁离，请与其迁入地（或户籍地）民政部门做好衔接。' : ''}\n\n走访记录：${link(ctx, `/api/v1/children/${ctx.facts.childId}/visits`)}`,
  }),
};

export function renderMail(template: NotificationTemplate, ctx: MailContext): { subject: string; text: string } {
  const { subject, body } = TEMPLATES[template](ctx);
  return { subject, text: `${ctx.recipientName}：\n\n${body}${FOOTER}` };
}
