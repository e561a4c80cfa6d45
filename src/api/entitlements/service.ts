/**
 * M3 "policy finds people" (issue #12): the children service calls `entitlementSync` on
 * every registration and change of a child:
 *
 * 1. inside the register's transaction (`changed`): match the child against the list in
 *    force for its county today and record each item matched for the first time, with a
 *    fresh task id for a `task` item (entitlement_referrals; an item already recorded is
 *    left alone, so a change, or a retried request, never refers an item twice);
 * 2. after the commit (`afterCommit`): start a `bureauTask` workflow (`task:<taskId>`, the
 *    same reusable task with deadline and escalation ladder as every lifecycle) for every
 *    recorded referral whose task has not been started, then mark it started. The start is
 *    idempotent (the workflow id is the task's), so a retry repeats nothing; a start that
 *    fails (Temporal unreachable) leaves the referral unstarted and the next change of the
 *    child starts it.
 *
 * Whether an entitlement was served is the task's outcome, read from the tasks table.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { listInForce, markReferralStarted, recordReferrals, referralsOf, type ReferralRecord } from '../../db/catalogue-repository';
import type { ChildRecord } from '../../db/children-repository';
import { findChild } from '../../db/children-repository';
import type { Pool, PoolClient } from '../../db/pool';
import { BASE_CATALOGUE } from '../../domain/catalogue/base-catalogue';
import type { CatalogueItem, ServiceList } from '../../domain/catalogue/items';
import { matchEntitlements } from '../../domain/catalogue/matching';
import { ENTITLEMENT_TASK_KIND, REFERRAL_OUTCOMES, referralStatus } from '../../domain/catalogue/referrals';
import { departmentKind } from '../../domain/department-catalog';
import { startBureauTask } from '../../temporal/start-bureau-task';
import type { BureauTaskInput } from '../../workflows/messages';
import { notFound } from '../errors';
import type { EntitlementsView } from './schemas';

export interface EntitlementDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  today: () => string;
}

/**
 * The bureauTask that refers one entitlement. Its instructions are mailed, so they name
 * the item and the child's internal id only: never the matched condition or the item's
 * target group, which can say a child is disabled or mentally ill (S8, S11); the
 * caseworker's entitlements view has those.
 */
export function referralTask(list: ServiceList, item: CatalogueItem, referral: ReferralRecord & { taskId: string }, childId: string): BureauTaskInput {
  const partners = item.departments.filter((kind) => kind !== item.lead).map((kind) => departmentKind(kind)?.shortName ?? kind);
  const outcomes = REFERRAL_OUTCOMES.map((o) => o.label + (o.requiresNote ? '（须说明理由）' : '')).join('、');
  return {
    taskId: referral.taskId,
    kind: ENTITLEMENT_TASK_KIND,
    title: `服务清单 ${item.id}「${item.name}」：请为流动儿童提供服务`,
    instructions:
      `经与《${list.label}》比对，儿童（编号 ${childId}）享有 ${item.id}「${item.name}」，由本部门牵头办理` +
      `${partners.length ? `，配合部门：${partners.join('、')}` : ''}。服务对象、依据和儿童情况请向儿童所在县（市、区）民政部门了解。` +
      `请核实并提供服务，办结时选择结果：${outcomes}。`,
    assignee: { departmentCode: referral.departmentCode },
    countyCode: referral.countyCode,
    due: { workingDays: list.referralWorkingDays },
    acceptedOutcomes: [...REFERRAL_OUTCOMES],
  };
}

/** The item of a recorded referral: from the list in force, else the one it was matched on (a base item). */
function itemOf(list: ServiceList, itemId: string): CatalogueItem | undefined {
  return list.items.find((item) => item.id === itemId) ?? BASE_CATALOGUE.items.find((item) => item.id === itemId);
}

/** For a registration or change of the register: `changed` inside its transaction, `afterCommit` after it. */
export function entitlementSync(deps: EntitlementDeps, childId: string) {
  return {
    async changed(client: PoolClient, child: ChildRecord): Promise<void> {
      const county = child.residence.countyCode;
      const list = await listInForce(client, county, deps.today());
      const matched = matchEntitlements(list, child, county, deps.today());
      await recordReferrals(
        client,
        childId,
        matched.map((entitlement) => ({
          itemId: entitlement.item.id,
          countyCode: county,
          listVersion: list.version,
          reason: entitlement.reason,
          mode: entitlement.item.referral,
          departmentCode: entitlement.leadDepartmentCode,
          taskId: entitlement.item.referral === 'task' ? randomUUID() : null,
        })),
      );
    },
    async afterCommit(): Promise<void> {
      const pending = (await referralsOf(deps.pool, childId)).filter((r): r is ReferralRecord & { taskId: string } => r.taskId !== null && !r.taskStarted);
      const lists = new Map<string, ServiceList>();
      for (const county of new Set(pending.map((r) => r.countyCode))) lists.set(county, await listInForce(deps.pool, county, deps.today()));
      // Started side by side: a registration refers about ten items at once.
      await Promise.all(
        pending.map(async (referral) => {
          const list = lists.get(referral.countyCode)!;
          const item = itemOf(list, referral.itemId);
          if (!item) return; // a county's own item since withdrawn: nothing left to refer
          try {
            await startBureauTask(deps.temporal, deps.taskQueue, referralTask(list, item, referral, childId));
            await markReferralStarted(deps.pool, referral.taskId);
          } catch {
            // Temporal unreachable: the change is committed; the next change of the child
            // starts the referrals still unstarted (see the file comment).
          }
        }),
      );
    },
  };
}

/** `GET /api/v1/children/:id/entitlements`: what the child is entitled to today, why, who, and where each referral stands. */
export async function childEntitlements(deps: EntitlementDeps, childId: string): Promise<EntitlementsView> {
  const child = await findChild(deps.pool, childId);
  if (!child) throw notFound('儿童', 'params.id');
  const county = child.residence.countyCode;
  const asOf = deps.today();
  const list = await listInForce(deps.pool, county, asOf);
  const referrals = new Map((await referralsOf(deps.pool, childId)).map((r) => [r.itemId, r]));
  return {
    childId,
    countyCode: county,
    asOf,
    list: { countyCode: list.countyCode, version: list.version, label: list.label, effectiveFrom: list.effectiveFrom },
    items: matchEntitlements(list, child, county, asOf).map(({ item, reason, departments }) => {
      const referral = referrals.get(item.id);
      return {
        id: item.id,
        category: item.category,
        name: item.name,
        who: item.who,
        content: item.content,
        reason,
        departments,
        referral: {
          mode: item.referral,
          status: referralStatus(item.referral, referral),
          taskId: referral?.taskId ?? null,
          departmentCode: referral?.departmentCode ?? null,
          outcomeNote: referral?.outcomeNote ?? null,
        },
      };
    }),
  };
}
