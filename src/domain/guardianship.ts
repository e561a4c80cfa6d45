/**
 * W3 temporary guardianship hand-off (临时监护): stages, the Art. 92 situations, who can
 * hold the child, the capacity-assessment panel, the actions each stage allows and the
 * [local] deadlines as parameters a county can set (policy.md W3.1-W3.8).
 *
 * Pure and light on purpose: the workflow imports it, so no region data here (department
 * names reach the workflow in its input).
 */
export type GuardianshipStage =
  | 'handover' // W3.2
  | 'opening' // W3.3, W3.4
  | 'assessment' // W3.5, W3.6 (temporary guardianship runs; W3.8 reviews alongside)
  | 'return-home' // W3.7a
  | 'hukou-handoff' // W3.7b
  | 'revocation' // W3.7c
  | 'long-term' // W3.7c, Art. 94
  | 'closed';

export const GUARDIANSHIP_STAGE_LABELS: Record<GuardianshipStage, string> = {
  handover: '公安带离与书面移交（W3.2）',
  opening: '开启临时监护与安置（W3.3、W3.4）',
  assessment: '临时监护：征询户籍地与监护能力评估（W3.5、W3.6）',
  'return-home': '返家与季度回访（W3.7a）',
  'hukou-handoff': '移交户籍地（W3.7b）',
  revocation: '申请撤销监护资格（W3.7c）',
  'long-term': '长期监护（W3.7c，未保法第九十四条）',
  closed: '已结案',
};

export type GuardianshipOutcome = 'returned-home' | 'handed-off-to-hukou' | 'long-term-guardianship';

/** 未成年人保护法 Art. 92: the seven situations in which civil affairs takes temporary guardianship. */
export const ART92_SITUATIONS = [
  'vagrant-or-unidentified',
  'guardian-missing',
  'guardian-incapacitated',
  'guardian-neglect',
  'guardian-instigates-crime',
  'guardian-harm',
  'other-legal',
] as const;
export type Art92Situation = (typeof ART92_SITUATIONS)[number];

export const ART92_SITUATION_LABELS: Record<Art92Situation, string> = {
  'vagrant-or-unidentified': '流浪乞讨或者身份不明，暂时查找不到父母或者其他监护人（第九十二条第一项）',
  'guardian-missing': '监护人下落不明且无其他人可以担任监护人（第九十二条第二项）',
  'guardian-incapacitated': '监护人因自身客观原因或者因突发事件不能履行监护职责，导致监护缺失（第九十二条第三项）',
  'guardian-neglect': '监护人拒绝或者怠于履行监护职责，导致未成年人处于无人照料的状态（第九十二条第四项）',
  'guardian-instigates-crime': '监护人教唆、利用未成年人实施违法犯罪行为，需要带离安置（第九十二条第五项）',
  'guardian-harm': '遭受监护人严重伤害或者面临人身安全威胁，需要紧急安置（第九十二条第六项）',
  'other-legal': '法律规定的其他情形（第九十二条第七项）',
};

/** Who reported (Art. 11: anyone may, some must). */
export const REPORT_SOURCES = ['police', 'public', 'school', 'children-director', 'medical', 'village-committee', 'other'] as const;
export type ReportSource = (typeof REPORT_SOURCES)[number];

/** Art. 93: where civil affairs places a child in temporary guardianship. */
export const PLACEMENT_KINDS = ['relatives', 'foster-family', 'protection-institution', 'welfare-institution'] as const;
export type PlacementKind = (typeof PLACEMENT_KINDS)[number];

/**
 * Who holds the child: the police until the written hand-over (W3.2), the civil-affairs
 * bureau until it places the child (W3.4), a placement, then the family (W3.7a) or the
 * 户籍地 bureau (W3.7b).
 */
export type CustodianKind = 'police' | 'civil-affairs' | PlacementKind | 'family' | 'hukou-civil-affairs';

export const CUSTODIAN_KIND_LABELS: Record<CustodianKind, string> = {
  police: '公安机关（带离至安全场所）',
  'civil-affairs': '民政部门（临时看护，待安置）',
  relatives: '亲属抚养',
  'foster-family': '家庭寄养',
  'protection-institution': '未成年人救助保护机构',
  'welfare-institution': '儿童福利机构',
  family: '返回家庭（监护人）',
  'hukou-civil-affairs': '户籍地民政部门',
};

/**
 * Who holds the child from `since`. `holder` is a department's name or a person's role
 * (外祖母, 寄养家庭 F-013), never the child's name; `departmentCode` is the department that
 * answers for the child in that period.
 */
export interface Custody {
  kind: CustodianKind;
  holder: string;
  departmentCode: string;
  since: string;
  by: string;
}

/** The legal footing of the case at a moment. */
export type GuardianshipStatus = 'pending' | 'temporary' | 'long-term' | 'ended' | 'transferred';

/** W3.6: the capacity-assessment panel (at least 3 members: township, civil affairs, police). */
export const PANEL_BODIES = ['township', 'civil-affairs', 'police', 'education', 'women-federation', 'procuratorate', 'other'] as const;
export type PanelBody = (typeof PANEL_BODIES)[number];
export const REQUIRED_PANEL_BODIES: readonly PanelBody[] = ['township', 'civil-affairs', 'police'];
export const PANEL_BODY_LABELS: Record<PanelBody, string> = {
  township: '乡镇（街道）',
  'civil-affairs': '民政部门',
  police: '公安机关',
  education: '教育部门',
  'women-federation': '妇联',
  procuratorate: '检察机关',
  other: '其他',
};
export const MIN_PANEL_MEMBERS = 3;

export interface PanelMember {
  body: PanelBody;
  /** The member's role or name in office (e.g. 民政局 王科长), never the child's. */
  member: string;
}

/** Why a panel cannot assess (Chinese), or undefined when it can (W3.6). */
export function panelProblem(panel: readonly PanelMember[]): string | undefined {
  const members = new Set(panel.map((m) => m.member.trim()));
  if (members.size < MIN_PANEL_MEMBERS) return `评估小组至少需要 ${MIN_PANEL_MEMBERS} 名不同成员（W3.6）`;
  const missing = REQUIRED_PANEL_BODIES.filter((body) => !panel.some((m) => m.body === body));
  if (missing.length > 0) return `评估小组须包括乡镇（街道）、民政部门、公安机关人员，缺少：${missing.map((b) => PANEL_BODY_LABELS[b]).join('、')}（W3.6）`;
  return undefined;
}

/** W3.6: able → return home is possible (Art. 93); unfit → petition to revoke (Art. 108). */
export type AssessmentFinding = 'able' | 'unfit';
export const ASSESSMENT_FINDING_LABELS: Record<AssessmentFinding, string> = {
  able: '监护人具备履行监护职责的条件',
  unfit: '监护人不具备或不宜继续履行监护职责',
};

/** W3.5: what the 户籍地 civil-affairs bureau answered. */
export type HukouPosition = 'awaited' | 'accept' | 'decline' | 'same-county';

export interface GuardianshipParams {
  /** W3.2: police hand over in writing within 2 hours. */
  handoverHours: number;
  /** W3.3: civil affairs opens temporary guardianship within 24 hours of the hand-over. */
  openHours: number;
  /** W3.4: and places the child within 24 hours. */
  placementHours: number;
  /** W3.5: the 户籍地 bureau answers within 10 WD [local] ... */
  hukouReplyWorkingDays: number;
  /** ... reminded at the deadline; this many WD later the city bureau contacts its counterpart. */
  cityContactAfterWorkingDays: number;
  /** W3.5: the city bureau's contact task. */
  cityContactWorkingDays: number;
  /** W3.6: the panel assesses within 30 days [local]. */
  assessmentDays: number;
  /** W3.7a: family-education guidance by 妇联. */
  guidanceWorkingDays: number;
  /** W3.7a: follow-up visits each quarter for a year (民发〔2019〕62号). */
  followUpVisits: number;
  followUpIntervalDays: number;
  visitWorkingDays: number;
  /** W3.7b: written acceptance by the 户籍地 within 10 WD [local]. */
  hukouAcceptanceWorkingDays: number;
  /** W3.7c: filing the petition, the procuratorate's urging, arranging long-term guardianship. */
  petitionWorkingDays: number;
  urgeWorkingDays: number;
  longTermWorkingDays: number;
  /** W3.8: a review every 90 days [local] while temporary guardianship lasts. */
  reviewDays: number;
  reviewWorkingDays: number;
}

export const DEFAULT_GUARDIANSHIP_PARAMS: GuardianshipParams = {
  handoverHours: 2,
  openHours: 24,
  placementHours: 24,
  hukouReplyWorkingDays: 10,
  cityContactAfterWorkingDays: 1,
  cityContactWorkingDays: 5,
  assessmentDays: 30,
  guidanceWorkingDays: 10,
  followUpVisits: 4,
  followUpIntervalDays: 90,
  visitWorkingDays: 10,
  hukouAcceptanceWorkingDays: 10,
  petitionWorkingDays: 10,
  urgeWorkingDays: 10,
  longTermWorkingDays: 10,
  reviewDays: 90,
  reviewWorkingDays: 5,
};

export type GuardianshipAction =
  | { action: 'record-placement'; placement: PlacementKind; holder: string; date: string; reason?: string; by: string }
  | { action: 'record-assessment'; date: string; panel: PanelMember[]; finding: AssessmentFinding; by: string }
  | { action: 'decide-return-home'; date: string; returnedTo: string; by: string }
  | { action: 'decide-hukou-handoff'; date: string; by: string }
  | { action: 'petition-revocation'; date: string; by: string }
  | { action: 'record-court-decision'; date: string; decision: 'revoked' | 'dismissed'; court: string; documentNo?: string; by: string };

export type GuardianshipActionName = GuardianshipAction['action'];

/** Which actions each stage allows (the update validator's first rule). */
export const GUARDIANSHIP_ACTIONS_BY_STAGE: Record<GuardianshipStage, readonly GuardianshipActionName[]> = {
  handover: [],
  opening: ['record-placement'],
  assessment: ['record-placement', 'record-assessment', 'decide-return-home', 'decide-hukou-handoff', 'petition-revocation'],
  'return-home': [],
  'hukou-handoff': ['record-placement'],
  revocation: ['record-placement', 'record-court-decision'],
  'long-term': ['record-placement'],
  closed: [],
};

/** What the validator needs to know of the case besides the stage. */
export interface GuardianshipRuleContext {
  stage: GuardianshipStage;
  /** A decision was accepted and the case is moving to its stage. */
  deciding: boolean;
  placement?: { kind: PlacementKind; holder: string };
  /** Who holds the child now: a placement is civil affairs' to change only while it holds the child. */
  custodianKind?: CustodianKind;
  finding?: AssessmentFinding;
  hukouPosition: HukouPosition;
  petitionFiled: boolean;
  /** China dates: an action's date lies between the case's opening and today. */
  openedOn: string;
  today: string;
}

/** Why `action` is refused (Chinese, with the policy ID), or undefined when it is allowed. */
export function guardianshipActionProblem(ctx: GuardianshipRuleContext, action: GuardianshipAction): string | undefined {
  if (ctx.deciding) return '已作出去向决定，案件正在转入下一阶段，请稍后再试';
  if (!GUARDIANSHIP_ACTIONS_BY_STAGE[ctx.stage].includes(action.action)) {
    if (ctx.stage === 'handover' && action.action === 'record-placement') return '公安机关尚未书面移交儿童（W3.2），民政部门不能登记安置';
    return `当前阶段（${GUARDIANSHIP_STAGE_LABELS[ctx.stage]}）不允许此操作（${action.action}）`;
  }
  if (action.date > ctx.today) return `日期（${action.date}）不能晚于今天`;
  if (action.date < ctx.openedOn) return `日期（${action.date}）不能早于案件受理日（${ctx.openedOn}）`;
  switch (action.action) {
    case 'record-placement':
      if (ctx.custodianKind === 'family' || ctx.custodianKind === 'hukou-civil-affairs') return `儿童已交由${CUSTODIAN_KIND_LABELS[ctx.custodianKind]}，不能再登记安置`;
      if (ctx.placement && ctx.placement.kind === action.placement && ctx.placement.holder === action.holder.trim()) return '与当前安置相同，无需变更';
      if (ctx.placement && !action.reason?.trim()) return '变更安置须说明原因（W3.4）';
      return undefined;
    case 'record-assessment':
      return panelProblem(action.panel);
    case 'decide-return-home':
      if (!ctx.finding) return '尚未进行监护能力评估，不能决定返家：经评估监护人具备履行监护职责的条件方可返家（W3.6、W3.7a，未保法第九十三条）';
      if (ctx.finding !== 'able') return '评估认定监护人不具备或不宜继续履行监护职责，不能决定返家（W3.7a）';
      return undefined;
    case 'decide-hukou-handoff':
      if (ctx.hukouPosition === 'same-county') return '儿童户籍地即本县（市、区），无需移交户籍地（W3.7b）';
      if (ctx.hukouPosition === 'awaited') return '户籍地民政部门尚未答复是否同意接收（W3.5），不能移交';
      if (ctx.hukouPosition === 'decline') return '户籍地民政部门未同意接收（W3.5），不能移交';
      return undefined;
    case 'petition-revocation':
      if (ctx.finding !== 'unfit') return '申请撤销监护资格须经评估认定监护人不具备或不宜继续履行监护职责（W3.6、W3.7c，未保法第一百零八条）';
      return undefined;
    case 'record-court-decision':
      if (!ctx.petitionFiled) return '撤销监护资格申请尚未向人民法院提出（W3.7c），不能登记法院裁判';
      return undefined;
  }
}
