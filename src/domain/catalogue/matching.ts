/**
 * M3 "policy finds people": which items of a service list a child is entitled to on a
 * date, why (the condition that matched) and who is responsible in the child's county.
 *
 * Pure: no I/O, safe to import from workflows.
 */
import { departmentKind } from '../department-catalog';
import { countyDepartmentCode } from '../visits';
import type { CatalogueItem, ServiceList } from './items';
import { describeCondition, matchingCondition, type RuleProfile } from './rules';

export interface ResponsibleDepartment {
  kind: string;
  kindName: string;
  /** The department serving the child's county (the city's for a functional zone). */
  code: string;
  lead: boolean;
}

export interface Entitlement {
  item: CatalogueItem;
  /** The matched condition in Chinese, e.g. 年龄 0-6 周岁. */
  reason: string;
  departments: ResponsibleDepartment[];
  /** The department the referral task goes to. */
  leadDepartmentCode: string;
}

export function responsibleDepartments(item: CatalogueItem, countyCode: string): ResponsibleDepartment[] {
  return item.departments.map((kind) => ({
    kind,
    kindName: departmentKind(kind)?.shortName ?? kind,
    code: countyDepartmentCode(kind, countyCode),
    lead: kind === item.lead,
  }));
}

export function matchEntitlements(list: ServiceList, profile: RuleProfile, countyCode: string, onDate: string): Entitlement[] {
  return list.items.flatMap((item) => {
    const condition = matchingCondition(item.eligibility, profile, onDate);
    if (!condition) return [];
    return [{ item, reason: describeCondition(condition), departments: responsibleDepartments(item, countyCode), leadDepartmentCode: countyDepartmentCode(item.lead, countyCode) }];
  });
}
