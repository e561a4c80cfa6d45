/**
 * The register's rules around the SQL: derive what is derived (key care, eligibility
 * window, protected ID number), refuse duplicates, audit every change, and start the
 * child's intake workflow in the same transaction as the insert.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { appendAudit } from '../../db/audit';
import {
  findChild,
  findChildIdByHash,
  insertChild,
  listChildren,
  replaceChild,
  type ChildDerived,
  type ChildRecord,
} from '../../db/children-repository';
import { inTransaction, type Pool } from '../../db/pool';
import type { ChildProfile } from '../../domain/child';
import { decideEligibility, type EligibilityParams } from '../../domain/eligibility';
import { eligibilityWindow } from '../../domain/eligibility-window';
import { deriveKeyCare } from '../../domain/key-care';
import { countyName, fullRegionName } from '../../domain/regions';
import { maskResidentId, validateResidentId } from '../../domain/resident-id';
import type { FieldCrypto } from '../../security/field-crypto';
import { childIntakeWorkflowId } from '../../temporal/workflow-ids';
import type { childIntake } from '../../workflows/child-intake';
import { ApiError, notFound, type ErrorDetail } from '../errors';
import { entitlementSync } from '../entitlements/service';
import { keyCarePlanSync, startKeyCarePlan } from '../visits/plan-hook';
import type { ChildView, CreateChildBody, PatchChildBody } from './schemas';

export interface RegistryDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  crypto: FieldCrypto;
  eligibilityParams: EligibilityParams;
  /** Today's date in China, YYYY-MM-DD; injected so tests can pin it. */
  today: () => string;
}

/** Who did it, for the audit log; a real identity once authentication lands (issue #10). */
export type Actor = string;

function invalid(details: ErrorDetail[]): ApiError {
  return new ApiError(400, 'VALIDATION_FAILED', '请求参数不符合要求', details);
}

/** Checks that need today's date or several fields at once. */
function checkConsistency(profile: ChildProfile, residentId: string, today: string): void {
  const details: ErrorDetail[] = [];
  if (profile.birthDate > today) details.push({ path: 'body.birthDate', message: '出生日期不能晚于今天' });
  if (profile.arrivalDate > today) details.push({ path: 'body.arrivalDate', message: '来本地日期不能晚于今天' });
  if (profile.arrivalDate < profile.birthDate) details.push({ path: 'body.arrivalDate', message: '来本地日期不能早于出生日期' });
  const id = validateResidentId(residentId);
  if (id.ok && id.birthDate !== profile.birthDate) {
    details.push({ path: 'body.residentId', message: '身份证号码中的出生日期与出生日期字段不一致' });
  }
  if (id.ok && id.gender !== profile.gender) {
    details.push({ path: 'body.residentId', message: '身份证号码中的性别与性别字段不一致' });
  }
  if (details.length) throw invalid(details);
}

function derive(profile: ChildProfile, residentId: string, deps: RegistryDeps): ChildDerived {
  const keyCare = deriveKeyCare(profile.riskFlags, profile.helpRequested);
  const window = eligibilityWindow(eligibilityProfile(profile), deps.eligibilityParams);
  return {
    residentIdCipher: deps.crypto.encrypt(residentId),
    residentIdHash: deps.crypto.lookupHash(residentId),
    residentIdMasked: maskResidentId(residentId),
    keyCare: keyCare.keyCare,
    keyCareReasons: keyCare.reasons,
    eligibleFrom: window.from,
    eligibleUntil: window.until,
  };
}

function eligibilityProfile(profile: ChildProfile) {
  return {
    birthDate: profile.birthDate,
    hukouRegionCode: profile.hukouRegionCode,
    residenceCountyCode: profile.residence.countyCode,
    arrivalDate: profile.arrivalDate,
  };
}

function duplicate(existingId: string): ApiError {
  return new ApiError(
    409,
    'DUPLICATE_CHILD',
    '该身份证号码的儿童已登记',
    [{ path: 'body.residentId', message: `已登记为儿童 ${existingId}` }],
    { existingId },
  );
}

export function toView(record: ChildRecord, deps: Pick<RegistryDeps, 'eligibilityParams' | 'today'>): ChildView {
  const asOf = deps.today();
  const decision = decideEligibility(eligibilityProfile(record), asOf, deps.eligibilityParams);
  return {
    id: record.id,
    name: record.name,
    gender: record.gender,
    birthDate: record.birthDate,
    residentIdMasked: record.residentIdMasked,
    hukouRegionCode: record.hukouRegionCode,
    hukouRegionName: fullRegionName(record.hukouRegionCode) ?? record.hukouRegionCode,
    residence: { ...record.residence, countyName: countyName(record.residence.countyCode) ?? record.residence.countyCode },
    arrivalDate: record.arrivalDate,
    guardians: record.guardians,
    schoolingStatus: record.schoolingStatus,
    healthInsurance: record.healthInsurance,
    disability: record.disability,
    riskFlags: record.riskFlags,
    helpRequested: record.helpRequested,
    heightCm: record.heightCm ?? null,
    circumstances: record.circumstances ?? {},
    eligibility: { eligible: decision.eligible, rule: decision.rule, reason: decision.reason, asOf },
    keyCare: { keyCare: record.keyCare, reasons: record.keyCareReasons },
    leftOn: record.leftOn,
    version: record.version,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export async function registerChild(deps: RegistryDeps, body: CreateChildBody, actor: Actor): Promise<ChildView> {
  const { residentId, ...profile } = body;
  checkConsistency(profile, residentId, deps.today());
  const derived = derive(profile, residentId, deps);
  // Cheap pre-check so a duplicate never starts a workflow; the unique index decides races.
  const known = await findChildIdByHash(deps.pool, derived.residentIdHash);
  if (known) throw duplicate(known);

  const id = randomUUID();
  const entitlements = entitlementSync(deps, id); // issue #12
  const record = await inTransaction(deps.pool, async (client) => {
    const result = await insertChild(client, id, profile, derived);
    if (!result.inserted) throw duplicate(result.existingId);
    await appendAudit(client, {
      actor,
      entityType: 'child',
      entityId: id,
      action: 'child.registered',
      summary: { after: { county: profile.residence.countyCode, keyCare: derived.keyCare, residentId: derived.residentIdMasked } },
    });
    // Started inside the transaction: if the start fails, nothing is written; if the commit
    // fails after it, the workflow finds no child and closes as 'not-registered'.
    await deps.temporal.workflow.start<typeof childIntake>('childIntake', {
      workflowId: childIntakeWorkflowId(id),
      taskQueue: deps.taskQueue,
      args: [{ childId: id }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
    // Issue #4: a key-care child's quarterly visit plan, started the same way.
    if (derived.keyCare) await startKeyCarePlan(deps, client, id);
    await entitlements.changed(client, result.record);
    return result.record;
  });
  await entitlements.afterCommit();
  return toView(record, deps);
}

export async function getChild(deps: RegistryDeps, id: string): Promise<ChildView> {
  const record = await findChild(deps.pool, id);
  if (!record) throw notFound('儿童', 'params.id');
  return toView(record, deps);
}

function changedFields(before: ChildRecord, after: ChildProfile): string[] {
  return (Object.keys(after) as Array<keyof ChildProfile>).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}

export async function updateChild(deps: RegistryDeps, id: string, patch: PatchChildBody, actor: Actor): Promise<ChildView> {
  const visitPlan = keyCarePlanSync(deps, id); // issue #4
  const entitlements = entitlementSync(deps, id); // issue #12
  const record = await inTransaction(deps.pool, async (client) => {
    const current = await findChild(client, id, true);
    if (!current) throw notFound('儿童', 'params.id');
    const { residentId: newResidentId, riskFlags, ...rest } = patch;
    const residentId = newResidentId ?? deps.crypto.decrypt(current.residentIdCipher);
    const profile: ChildProfile = {
      name: rest.name ?? current.name,
      gender: rest.gender ?? current.gender,
      birthDate: rest.birthDate ?? current.birthDate,
      hukouRegionCode: rest.hukouRegionCode ?? current.hukouRegionCode,
      residence: rest.residence ?? current.residence,
      arrivalDate: rest.arrivalDate ?? current.arrivalDate,
      guardians: rest.guardians ?? current.guardians,
      schoolingStatus: rest.schoolingStatus ?? current.schoolingStatus,
      healthInsurance: rest.healthInsurance ?? current.healthInsurance,
      disability: rest.disability ?? current.disability,
      riskFlags: { ...current.riskFlags, ...riskFlags },
      helpRequested: rest.helpRequested ?? current.helpRequested,
      heightCm: rest.heightCm !== undefined ? rest.heightCm : current.heightCm,
      circumstances: { ...current.circumstances, ...rest.circumstances },
    };
    checkConsistency(profile, residentId, deps.today());
    const derived = derive(profile, residentId, deps);
    if (derived.residentIdHash !== current.residentIdHash) {
      const holder = await findChildIdByHash(client, derived.residentIdHash);
      if (holder) throw duplicate(holder);
    }
    const fields = changedFields(current, profile);
    if (newResidentId && derived.residentIdHash !== current.residentIdHash) fields.push('residentId');
    const updated = await replaceChild(client, id, profile, derived);
    await appendAudit(client, {
      actor,
      entityType: 'child',
      entityId: id,
      action: 'child.updated',
      summary: {
        fields,
        before: { county: current.residence.countyCode, keyCare: current.keyCare, version: current.version },
        after: { county: updated.residence.countyCode, keyCare: updated.keyCare, version: updated.version },
      },
    });
    await visitPlan.changed(client, current, updated);
    await entitlements.changed(client, updated);
    return updated;
  });
  await visitPlan.afterCommit();
  await entitlements.afterCommit();
  return toView(record, deps);
}

export async function searchChildren(
  deps: RegistryDeps,
  query: { county?: string; keyCare?: boolean; eligible?: boolean; page: number; pageSize: number },
) {
  const { items, total } = await listChildren(deps.pool, { ...query, onDate: deps.today() });
  return { items: items.map((item) => toView(item, deps)), page: query.page, pageSize: query.pageSize, total };
}
