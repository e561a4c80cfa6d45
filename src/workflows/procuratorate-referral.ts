/**
 * R4: a department that keeps failing its duty is referred to the procuratorate with a
 * dossier. The procuratorate records whether it issued a suggestion (检察建议); if it did,
 * the department's written reply is due within 1 month (未保法 Art. 114, configurable), and
 * a missing reply is escalated to the department's superior and recorded.
 */
import { allHandlersFinished, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { activities, sendNotification } from './activity-proxies';
import { addDays, addMonths, chinaMidnight, isCalendarDate } from '../domain/calendar-date';
import {
  recordReplyUpdate,
  recordSuggestionUpdate,
  referralStateQuery,
  type ProcuratorateReferralInput,
  type ReferralState,
} from './messages';


const nowIso = (): string => new Date(Date.now()).toISOString();

export async function procuratorateReferral(input: ProcuratorateReferralInput): Promise<ReferralState> {
  const workflowId = workflowInfo().workflowId;
  const state: ReferralState = { referralId: input.referralId, status: 'sent' };
  let recording = false;

  setHandler(referralStateQuery, () => state);
  setHandler(
    recordSuggestionUpdate,
    async (suggestion) => {
      recording = true;
      const status = suggestion.issued ? 'suggestion-issued' : 'no-suggestion';
      await activities.saveReferralSuggestion({ referralId: input.referralId, suggestion, status, at: nowIso() });
      state.suggestion = suggestion;
      state.status = status;
      recording = false;
      return state;
    },
    {
      validator: (suggestion) => {
        if (state.status !== 'sent' || recording) throw new Error('检察机关的处理结果已登记，不能重复登记');
        if (!suggestion.by?.trim()) throw new Error('需要填写登记人');
        if (suggestion.issued && !(suggestion.issuedOn && isCalendarDate(suggestion.issuedOn))) {
          throw new Error('制发检察建议时需要填写制发日期（YYYY-MM-DD）');
        }
      },
    },
  );
  setHandler(
    recordReplyUpdate,
    async (reply) => {
      recording = true;
      await activities.saveReferralReply({ referralId: input.referralId, reply, at: nowIso() });
      state.reply = reply;
      state.status = 'replied';
      recording = false;
      return state;
    },
    {
      validator: (reply) => {
        if (recording || (state.status !== 'suggestion-issued' && state.status !== 'reply-overdue')) {
          throw new Error('只有已制发检察建议且尚未回复的移送才能登记书面回复');
        }
        if (!reply.by?.trim() || !reply.summary?.trim()) throw new Error('需要填写回复摘要和登记人');
        if (!isCalendarDate(reply.repliedOn)) throw new Error('回复日期格式应为 YYYY-MM-DD');
      },
    },
  );
  const finish = async (): Promise<ReferralState> => {
    await condition(allHandlersFinished);
    return state;
  };

  const facts = { referralId: input.referralId, departmentCode: input.departmentCode };
  await sendNotification({
    idempotencyKey: `${workflowId}:dossier`,
    recipient: { departmentCode: input.procuratorateCode },
    template: 'referral-dossier',
    facts,
  });

  await condition(() => state.status !== 'sent');
  if (state.status === 'no-suggestion') return finish();

  // Due at the end of the day one month (by default) after the suggestion was issued.
  const dueDate = addMonths(state.suggestion?.issuedOn ?? nowIso().slice(0, 10), input.policy.replyMonths);
  const replyDueMs = chinaMidnight(addDays(dueDate, 1));
  state.replyDueAt = new Date(replyDueMs).toISOString();
  await activities.setReferralReplyDue({ referralId: input.referralId, replyDueAt: state.replyDueAt });
  const addressee = state.suggestion?.addresseeCode ?? input.departmentCode;
  await sendNotification({
    idempotencyKey: `${workflowId}:suggestion`,
    recipient: { departmentCode: addressee },
    template: 'suggestion-issued',
    facts: { ...facts, replyDueAt: state.replyDueAt, documentNo: state.suggestion?.documentNo ?? '' },
  });

  const replied = () => state.status === 'replied';
  if (await condition(replied, Math.max(1, replyDueMs - Date.now()))) return finish();

  // No written reply in time: the superior is told, and it is recorded (未保法 Arts. 105, 114).
  state.status = 'reply-overdue';
  state.escalatedAt = nowIso();
  const superior = await activities.markReferralReplyOverdue({ referralId: input.referralId, departmentCode: addressee, at: state.escalatedAt });
  await sendNotification({
    idempotencyKey: `${workflowId}:reply-overdue`,
    recipient: { departmentCode: superior.code },
    template: 'reply-overdue',
    facts: { ...facts, replyDueAt: state.replyDueAt },
  });
  await sendNotification({
    idempotencyKey: `${workflowId}:reply-overdue-procuratorate`,
    recipient: { departmentCode: input.procuratorateCode },
    template: 'reply-overdue',
    facts: { ...facts, replyDueAt: state.replyDueAt },
  });
  await condition(replied);
  return finish();
}
