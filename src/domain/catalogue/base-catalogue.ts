/**
 * The city's base list (R2): 平顶山市流动儿童在居住地享有关爱服务基础清单, the appendix of the
 * plan (shared/seed/000_1a4860df492a8511.txt), items S1-S25 of shared/spec/policy.md. Data,
 * versioned with the repository: a change of the city's list is a new `version` here.
 *
 * Reading of the appendix, where it leaves room (docs/catalogue.md):
 * - ages are whole years, both ends included ("0-6岁" = 0 to 6 周岁);
 * - S2 is for 3-6-year-olds not yet at primary school; S3 is for pupils of primary and
 *   junior secondary school and for 6-15-year-olds out of school (they are owed it most);
 * - S16 (free bus "1.2米以下", which in Chinese law includes 1.2 m; student cards) is for a
 *   child of known height up to 120 cm, or any pupil;
 * - S21's "困难群体" is family hardship, 低保, 特困, orphans and de-facto-unsupported children;
 * - S20 is served by the key-care visit plan, S23/S24 are collective (items.ts, REFERRAL_MODES).
 *
 * Pure: no I/O, safe to import from workflows.
 */
import type { SchoolingStatus } from '../child';
import type { CatalogueItem, ServiceList } from './items';
import type { EligibilityRule } from './rules';

const EVERY_CHILD: EligibilityRule = { anyOf: [{}] };
const PUPILS: SchoolingStatus[] = ['primary', 'junior-secondary', 'senior-secondary', 'vocational'];

/** Default working days for a referral task [local]. */
export const DEFAULT_REFERRAL_WORKING_DAYS = 10;

const ITEMS: CatalogueItem[] = [
  {
    id: 'S1', category: '幼有所育', name: '健康和托育（3岁以下）服务', who: '0-6岁流动儿童',
    content: '按照国家基本公共卫生服务规范提供健康管理服务；按照国家免疫规划疫苗免疫程序提供接种服务；有条件的地方就近提供托育服务',
    eligibility: { anyOf: [{ ageYears: { min: 0, max: 6 } }] }, departments: ['wj', 'jk'], lead: 'wj', referral: 'task',
  },
  {
    id: 'S2', category: '幼有所育', name: '学前教育服务', who: '3-6岁流动儿童',
    content: '符合条件的就近在普惠性幼儿园入园；为具有正式学籍的在普惠性幼儿园中符合条件的家庭经济困难幼儿提供资助',
    eligibility: { anyOf: [{ ageYears: { min: 3, max: 6 }, schooling: ['not-school-age', 'kindergarten', 'not-enrolled'] }] },
    departments: ['jt'], lead: 'jt', referral: 'task',
  },
  {
    id: 'S3', category: '学有所教', name: '义务教育服务', who: '义务教育阶段流动儿童',
    content: '保障流动儿童接受义务教育，免除学费、住宿费，免费提供教科书；以公办学校为主保障就近入学；为具有正式学籍的在校生中符合条件的家庭经济困难学生提供生活补助；符合条件的在居住地参加中考',
    eligibility: { anyOf: [{ schooling: ['primary', 'junior-secondary'] }, { ageYears: { min: 6, max: 15 }, schooling: ['not-enrolled', 'dropped-out'] }] },
    departments: ['jt'], lead: 'jt', referral: 'task',
  },
  {
    id: 'S4', category: '学有所教', name: '普通高中教育服务', who: '普通高中教育阶段流动儿童',
    content: '允许符合条件的流动儿童在居住地普通高中就读并在当地参加高考；为普通高中在校生中的家庭经济困难学生提供国家助学金；免除符合条件的普通高中家庭经济困难学生学费、住宿费',
    eligibility: { anyOf: [{ schooling: ['senior-secondary'] }] }, departments: ['jt'], lead: 'jt', referral: 'task',
  },
  {
    id: 'S5', category: '学有所教', name: '中等职业教育助学服务', who: '中等职业教育阶段流动儿童',
    content: '为符合条件的中等职业教育在校生提供国家助学金；免除符合条件的中等职业教育在校生学费',
    eligibility: { anyOf: [{ schooling: ['vocational'] }] }, departments: ['jt', 'rs'], lead: 'jt', referral: 'task',
  },
  {
    id: 'S6', category: '病有所医', name: '卫生健康服务', who: '流动儿童',
    content: '提供家庭医生签约服务、基本医疗服务、基本公共卫生服务',
    eligibility: EVERY_CHILD, departments: ['wj'], lead: 'wj', referral: 'task',
  },
  {
    id: 'S7', category: '病有所医', name: '医疗保障服务', who: '流动儿童',
    content: '做好儿童医疗保障相关工作，提供异地就医直接结算服务',
    eligibility: EVERY_CHILD, departments: ['yb'], lead: 'yb', referral: 'task',
  },
  {
    id: 'S8', category: '病有所医', name: '健康管理服务', who: '流动儿童中诊断明确、在家居住的严重精神障碍患者',
    content: '按照国家基本公共卫生服务规范提供管理服务，提供精神障碍社区康复服务',
    eligibility: { anyOf: [{ anyFlag: ['severeMentalDisorder'] }] }, departments: ['wj', 'mz'], lead: 'wj', referral: 'task',
  },
  {
    id: 'S9', category: '住有所居', name: '住房保障服务', who: '家庭住房困难的流动儿童',
    content: '为符合当地住房保障条件的流动儿童家庭实物配租公共租赁住房或者发放租赁补贴',
    eligibility: { anyOf: [{ anyFlag: ['housingHardship'] }] }, departments: ['fc'], lead: 'fc', referral: 'task',
  },
  {
    id: 'S10', category: '弱有所扶', name: '基本生活保障服务', who: '流动儿童中的孤儿、艾滋病病毒感染儿童、事实无人抚养儿童',
    content: '在认定相关情形时提供“跨省通办”服务，协助流动儿童向户籍地申领基本生活费或生活补贴',
    eligibility: { anyOf: [{ anyFlag: ['orphan', 'hivInfected', 'factuallyUnsupported'] }] }, departments: ['mz'], lead: 'mz', referral: 'task',
  },
  {
    id: 'S11', category: '弱有所扶', name: '残疾儿童康复救助及残疾人两项补贴', who: '流动儿童中的残疾儿童',
    content: '为符合条件的办理残疾人两项补贴；就地受理残疾儿童康复救助申请，提供相关服务',
    eligibility: { anyOf: [{ anyFlag: ['disability'] }] }, departments: ['mz', 'cl'], lead: 'cl', referral: 'task',
  },
  {
    id: 'S12', category: '弱有所扶', name: '残疾儿童教育服务', who: '流动儿童中的残疾儿童',
    content: '对残疾儿童普惠性学前教育予以资助，为家庭经济困难的残疾学生提供包括义务教育、高中阶段教育在内的12年免费教育，对残疾学生特殊学习用品、教育训练、交通费等予以补助',
    eligibility: { anyOf: [{ anyFlag: ['disability'] }] }, departments: ['jt', 'cl'], lead: 'jt', referral: 'task',
  },
  {
    id: 'S13', category: '弱有所扶', name: '最低生活保障服务', who: '符合最低生活保障条件的流动儿童',
    content: '对符合条件的流动儿童家庭纳入最低生活保障范围，对获得最低生活保障金后生活仍有困难的儿童采取必要措施给予生活保障',
    eligibility: { anyOf: [{ anyFlag: ['dibao'] }] }, departments: ['mz'], lead: 'mz', referral: 'task',
  },
  {
    id: 'S14', category: '弱有所扶', name: '特困人员救助供养服务', who: '符合户籍地特困救助供养条件的流动儿童',
    content: '提供基本生活条件，对生活不能自理的给予照料；提供疾病治疗服务',
    eligibility: { anyOf: [{ anyFlag: ['extremePoverty'] }] }, departments: ['mz'], lead: 'mz', referral: 'task',
  },
  {
    id: 'S15', category: '弱有所扶', name: '临时救助服务', who: '符合本地临时救助情形的流动儿童',
    content: '发放临时救助金和有关物资，提供临时住所，提供转介服务',
    eligibility: { anyOf: [{ anyFlag: ['temporaryHardship'] }] }, departments: ['mz'], lead: 'mz', referral: 'task',
  },
  {
    id: 'S16', category: '弱有所扶', name: '交通出行服务', who: '流动儿童（身高1.2米以下儿童；学生）',
    content: '为身高1.2米以下儿童提供免费乘坐公交服务，为流动儿童学生办理乘车优惠卡，开通定制公交',
    eligibility: { anyOf: [{ heightCmAtMost: 120 }, { schooling: PUPILS }] }, departments: ['jtys'], lead: 'jtys', referral: 'task',
  },
  {
    id: 'S17', category: '发展保障', name: '家庭教育指导服务', who: '流动儿童（父母或者其他监护人）',
    content: '对流动儿童父母或者其他监护人提供家庭教育指导服务',
    eligibility: EVERY_CHILD, departments: ['fy', 'jc', 'jt', 'ga', 'fl'], lead: 'fl', referral: 'task',
  },
  {
    id: 'S18', category: '发展保障', name: '心理健康服务', who: '流动儿童',
    content: '对有需要的流动儿童提供心理健康筛查，符合条件的纳入精神障碍社区康复服务范围',
    eligibility: EVERY_CHILD, departments: ['mz', 'jt', 'wj'], lead: 'wj', referral: 'task',
  },
  {
    id: 'S19', category: '发展保障', name: '法治安全教育服务', who: '流动儿童',
    content: '针对流动儿童开展预防犯罪、防范学生欺凌、家庭教育指导等普法工作；向流动儿童宣传普及安全常识和常见意外伤害等知识',
    eligibility: EVERY_CHILD, departments: ['fy', 'jc', 'jt', 'ga', 'fl'], lead: 'jt', referral: 'task',
  },
  {
    id: 'S20', category: '发展保障', name: '日常探访服务', who: '家庭生活困难、自身残疾、监护缺失、流浪、心理和行为异常的流动儿童（重点关爱儿童）',
    content: '村（社区）儿童主任要定期走访探视家庭生活困难、自身残疾、监护缺失、流浪、心理和行为异常的流动儿童，入户频率不低于每季度6次',
    eligibility: { anyOf: [{ anyFlag: ['keyCare'] }] }, departments: ['mz'], lead: 'mz', referral: 'visit-plan',
  },
  {
    id: 'S21', category: '发展保障', name: '结对帮扶服务', who: '流动儿童中的困难群体',
    content: '招募爱心妈妈结对帮扶流动儿童中的困难群体',
    eligibility: { anyOf: [{ anyFlag: ['familyHardship', 'dibao', 'extremePoverty', 'orphan', 'factuallyUnsupported'] }] },
    departments: ['fl'], lead: 'fl', referral: 'task',
  },
  {
    id: 'S22', category: '发展保障', name: '精神文化生活服务', who: '流动儿童',
    content: '在学校、幼儿园和青少年宫、儿童活动中心、儿童之家等场所开展流动儿童参加的文化活动；为流动儿童提供阅读指导、精神陪伴等服务',
    eligibility: EVERY_CHILD, departments: ['jt', 'mz', 'tw', 'fl'], lead: 'jt', referral: 'task',
  },
  {
    id: 'S23', category: '发展保障', name: '净化儿童网络空间', who: '流动儿童',
    content: '净化儿童网络空间',
    eligibility: EVERY_CHILD, departments: ['wx'], lead: 'wx', referral: 'collective',
  },
  {
    id: 'S24', category: '发展保障', name: '广播电视和网络视听节目', who: '流动儿童',
    content: '组织创作、传播有利于流动儿童成长的广播电视和网络视听节目，丰富其精神文化生活',
    eligibility: EVERY_CHILD, departments: ['wgl'], lead: 'wgl', referral: 'collective',
  },
  {
    id: 'S25', category: '发展保障', name: '城市融入服务', who: '流动儿童（及有就业意愿的父母）',
    content: '开展流动儿童城市融入支持活动，为有就业意愿的流动儿童父母提供政策咨询、职业介绍、职业培训、创业指导等服务',
    eligibility: EVERY_CHILD, departments: ['mz', 'jt', 'rs', 'tw', 'fl'], lead: 'mz', referral: 'task',
  },
];

/** The base list in force everywhere a county has published none (version 0). */
export const BASE_CATALOGUE: Readonly<ServiceList> = Object.freeze({
  countyCode: null,
  version: 0,
  label: '平顶山市流动儿童在居住地享有关爱服务基础清单（征求意见稿）',
  effectiveFrom: '2025-01-01',
  referralWorkingDays: DEFAULT_REFERRAL_WORKING_DAYS,
  items: ITEMS,
});

export const BASE_ITEM_IDS: readonly string[] = ITEMS.map((item) => item.id);
