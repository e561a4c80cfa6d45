/**
 * The Chinese text of each notification. A bureau reads these: they carry the link to the
 * record and no personal data beyond what the link's access rules allow.
 */
export type NotificationTemplate = 'child-registered' | 'reverification-due' | 'child-no-longer-eligible';

export interface TemplateParams {
  template: NotificationTemplate;
  childId: string;
  departmentName: string;
  link: string;
  reason?: string;
}

export function renderMail(params: TemplateParams): { subject: string; text: string } {
  const greeting = `${params.departmentName}：`;
  const footer = `\n\n查看记录：${params.link}\n\n（本邮件由流动儿童关爱保护协同系统 careflow 自动发送，请勿直接回复。）`;
  switch (params.template) {
    case 'child-registered':
      return {
        subject: '【流动儿童登记】新登记儿童待核实',
        text: `${greeting}\n\n辖区新登记一名流动儿童（编号 ${params.childId}），请按监测摸排要求（M1）核实其信息。${footer}`,
      };
    case 'reverification-due':
      return {
        subject: '【流动儿童登记】儿童信息半年复核到期',
        text: `${greeting}\n\n流动儿童（编号 ${params.childId}）的信息已满六个月未复核。按要求至少每六个月更新一次（M1），请安排入户核实。${footer}`,
      };
    case 'child-no-longer-eligible':
      return {
        subject: '【流动儿童登记】儿童经复核不再符合认定条件',
        text: `${greeting}\n\n流动儿童（编号 ${params.childId}）经复核不符合流动儿童认定条件：${params.reason ?? '未说明'}。请核实后更新台账。${footer}`,
      };
  }
}
