/**
 * R2: a county's service list may add items and widen them, never fall below the city's
 * base list. A list is refused with every item at fault and what is wrong with it:
 * - a base item dropped;
 * - who it is for narrowed (a base condition no county condition covers, rules.ts);
 * - a responsible department removed;
 * - a referral task replaced by no referral (a base `task` item turned collective);
 * - a referral deadline longer than the base list's (deadlineProblem).
 *
 * Pure: no I/O, safe to import from workflows.
 */
import { departmentKind } from '../department-catalog';
import type { CatalogueItem } from './items';
import { describeCondition, uncoveredConditions } from './rules';

export type ListProblemKind = 'item-dropped' | 'eligibility-narrowed' | 'department-removed' | 'referral-weakened' | 'deadline-longer' | 'invalid';

export interface ListProblem {
  kind: ListProblemKind;
  itemId: string;
  /** Where in the request body, e.g. `body.items.2.departments`. */
  path: string;
  message: string;
}

/** Problems of the list on its own: duplicate IDs, unknown department kinds, a lead not among the departments. */
function structuralProblems(items: readonly CatalogueItem[]): ListProblem[] {
  const problems: ListProblem[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const at = `body.items.${index}`;
    if (seen.has(item.id)) problems.push({ kind: 'invalid', itemId: item.id, path: `${at}.id`, message: `项目编号 ${item.id} 重复` });
    seen.add(item.id);
    for (const kind of item.departments) {
      if (!departmentKind(kind) || kind === 'xz') problems.push({ kind: 'invalid', itemId: item.id, path: `${at}.departments`, message: `未知的责任部门类别“${kind}”` });
    }
    if (!item.departments.includes(item.lead)) {
      problems.push({ kind: 'invalid', itemId: item.id, path: `${at}.lead`, message: `牵头部门“${item.lead}”必须是责任部门之一` });
    }
  });
  return problems;
}

/** Every reason the county list is below the base list, or invalid; empty when it may be published. */
export function countyListProblems(items: readonly CatalogueItem[], base: readonly CatalogueItem[]): ListProblem[] {
  const problems = structuralProblems(items);
  const indexOf = new Map(items.map((item, index) => [item.id, index]));
  for (const baseItem of base) {
    const index = indexOf.get(baseItem.id);
    if (index === undefined) {
      problems.push({ kind: 'item-dropped', itemId: baseItem.id, path: 'body.items', message: `不得删除基础清单项目 ${baseItem.id}（${baseItem.name}）` });
      continue;
    }
    const item = items[index]!;
    const at = `body.items.${index}`;
    const narrowed = uncoveredConditions(item.eligibility, baseItem.eligibility);
    if (narrowed.length) {
      problems.push({
        kind: 'eligibility-narrowed',
        itemId: item.id,
        path: `${at}.eligibility`,
        message: `${item.id} 的服务对象不得窄于基础清单：未覆盖“${narrowed.map(describeCondition).join('”“')}”`,
      });
    }
    const removed = baseItem.departments.filter((kind) => !item.departments.includes(kind));
    if (removed.length) {
      const names = removed.map((kind) => departmentKind(kind)?.shortName ?? kind);
      problems.push({ kind: 'department-removed', itemId: item.id, path: `${at}.departments`, message: `${item.id} 不得删除责任部门：${names.join('、')}` });
    }
    if (baseItem.referral === 'task' && item.referral !== 'task') {
      problems.push({ kind: 'referral-weakened', itemId: item.id, path: `${at}.referral`, message: `${item.id} 在基础清单中逐人转介（task），县级清单不得取消` });
    }
  }
  return problems;
}

/** A longer referral deadline is a lower level of service (R2): refused. */
export function deadlineProblem(workingDays: number, base: { referralWorkingDays: number }): ListProblem | undefined {
  if (workingDays <= base.referralWorkingDays) return undefined;
  return {
    kind: 'deadline-longer',
    itemId: '*',
    path: 'body.referralWorkingDays',
    message: `转介任务办理时限不得长于基础清单的 ${base.referralWorkingDays} 个工作日`,
  };
}
