/**
 * Issue #13: how well reconciliation matches, on a generated labelled set
 * (test/support/survey-data.ts). Shared by test/unit/survey-matching.test.ts (floors) and
 * bench/survey.ts (prints the figures).
 *
 * - register matching: of the accepted rows the reconciliation put on a register child, the
 *   share put on the right one (precision); of the accepted rows whose child is in the
 *   register, the share put on it (recall);
 * - pairwise, over all accepted rows and register entries: two elements predicted to be one
 *   child that are one child (precision), and the converse (recall). This also scores how
 *   rows of children new to the register are grouped.
 */
import { createFieldCrypto } from '../../src/security/field-crypto';
import { DEFAULT_CENTRAL_URBAN_DISTRICTS } from '../../src/domain/regions';
import { reconcileSurvey, type ReconcileRow, type RegisterEntry, type SurveyFinding } from '../../src/domain/survey-reconcile';
import { validateSurveyFile } from '../../src/domain/survey-rows';
import { SURVEY_SOURCES } from '../../src/domain/survey-sources';
import { generateSurvey, type GenerateOptions } from './survey-data';

export interface MatchingFigures {
  children: number;
  registered: number;
  rows: number;
  accepted: number;
  rejected: number;
  registerPrecision: number;
  registerRecall: number;
  pairPrecision: number;
  pairRecall: number;
  classes: Record<string, number>;
  reconcileMs: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

export function measureMatching(options: GenerateOptions = {}): MatchingFigures {
  const survey = generateSurvey(options);
  const today = options.today ?? '2026-11-30';
  const crypto = createFieldCrypto(Buffer.alloc(32, 7));
  const register: RegisterEntry[] = survey.children
    .filter((child) => child.inRegister)
    .map((child) => ({
      childId: child.id,
      residentIdHash: crypto.lookupHash(child.residentId),
      name: child.name,
      gender: child.gender,
      birthDate: child.birthDate,
      hukouRegionCode: child.hukouRegionCode,
      residenceCounty: survey.countyCode,
      township: child.township,
      arrivalDate: child.arrivalDate,
    }));
  const rows: ReconcileRow[] = [];
  const truthOfRow = new Map<string, string>();
  let rejected = 0;
  for (const source of SURVEY_SOURCES) {
    const numbered = survey.rows.filter((row) => row.source === source).map((row, index) => ({ line: index + 2, raw: row.raw, truth: row.truth }));
    const result = validateSurveyFile(numbered, source, { countyCode: survey.countyCode, today });
    rejected += result.rejected.length;
    for (const { line, row } of result.accepted) {
      const rowId = `${source}:${String(line).padStart(6, '0')}`;
      truthOfRow.set(rowId, numbered[line - 2]?.truth ?? '');
      const reconcileRow: ReconcileRow = { rowId, source, name: row.name, gender: row.gender, birthDate: row.birthDate, hukouRegionCode: row.hukouRegionCode, residenceCounty: row.residenceCounty };
      if (row.residentId) reconcileRow.residentIdHash = crypto.lookupHash(row.residentId);
      if (row.arrivalDate) reconcileRow.arrivalDate = row.arrivalDate;
      rows.push(reconcileRow);
    }
  }
  const started = performance.now();
  const findings: SurveyFinding[] = reconcileSurvey(register, rows, { countyCode: survey.countyCode, onDate: today, eligibility: { centralUrbanDistricts: DEFAULT_CENTRAL_URBAN_DISTRICTS } });
  const reconcileMs = performance.now() - started;

  const registered = new Set(register.map((entry) => entry.childId));
  let onRegister = 0;
  let onRightChild = 0;
  const rowsOfRegisteredChildren = rows.filter((row) => registered.has(truthOfRow.get(row.rowId) ?? '')).length;
  // Pairwise: each finding is a predicted cluster of elements (its register child, its rows).
  let predictedPairs = 0;
  let truePositive = 0;
  const truthSizes = new Map<string, number>();
  for (const finding of findings) {
    const members = [...(finding.childId ? [finding.childId] : []), ...finding.rows.map((row) => truthOfRow.get(row.rowId) ?? '')];
    for (const row of finding.rows) {
      if (!finding.childId) continue;
      onRegister += 1;
      if (truthOfRow.get(row.rowId) === finding.childId) onRightChild += 1;
    }
    predictedPairs += pairs(members.length);
    const byTruth = new Map<string, number>();
    for (const member of members) byTruth.set(member, (byTruth.get(member) ?? 0) + 1);
    for (const count of byTruth.values()) truePositive += pairs(count);
  }
  for (const truth of [...truthOfRow.values(), ...registered]) truthSizes.set(truth, (truthSizes.get(truth) ?? 0) + 1);
  const truePairs = [...truthSizes.values()].reduce((sum, count) => sum + pairs(count), 0);
  const classes: Record<string, number> = {};
  for (const finding of findings) classes[finding.classification] = (classes[finding.classification] ?? 0) + 1;
  const ratio = (a: number, b: number) => (b === 0 ? 1 : Math.round((a / b) * 10000) / 10000);
  return {
    children: survey.children.length,
    registered: register.length,
    rows: survey.rows.length,
    accepted: rows.length,
    rejected,
    registerPrecision: ratio(onRightChild, onRegister),
    registerRecall: ratio(onRightChild, rowsOfRegisteredChildren),
    pairPrecision: ratio(truePositive, predictedPairs),
    pairRecall: ratio(truePositive, truePairs),
    classes,
    reconcileMs: Math.round(reconcileMs),
  };
}
