/**
 * M1/M3 survey reconciliation (issue #13): the four departments' accepted rows against the
 * county's register. "Data finds people" (M3).
 *
 * Matching, in order:
 * 1. by the keyed hash of the ID number (src/security/field-crypto.ts `lookupHash`, the
 *    register's `resident_id_hash`): exact, score 1;
 * 2. otherwise by name + birth date + 户籍地 (src/domain/survey-similarity.ts), against the
 *    register and against children already found in other rows of this survey. A row WITH
 *    an ID number that matches a register child only this way carries a different ID
 *    number from the register's: a conflict, never a silent match.
 *
 * Classification of each child (one finding each):
 * - `conflicting`: the sources, or a source and the register, disagree (which fields);
 * - `confirmed`: in the register and in at least one source, all agreeing;
 * - `new-candidate`: found only in department data;
 * - `possibly-moved-away`: in the register (residing in the county) but in no source.
 * The M1 eligibility rule (src/domain/eligibility.ts) is run on each finding's profile.
 *
 * Pure: hashes are computed by the caller, the decision date is an argument.
 */
import type { Gender } from './child';
import { decideEligibility, type EligibilityParams, type EligibilityRule } from './eligibility';
import { compareChildren, normaliseName, type Comparable } from './survey-similarity';
import { SURVEY_SOURCES, type SurveySource } from './survey-sources';

export const SURVEY_CLASSES = ['confirmed', 'new-candidate', 'possibly-moved-away', 'conflicting'] as const;
export type SurveyClass = (typeof SURVEY_CLASSES)[number];

export interface RegisterEntry extends Comparable {
  childId: string;
  residentIdHash: string;
  residenceCounty: string;
  township: string;
  arrivalDate: string;
}

export interface ReconcileRow extends Comparable {
  rowId: string;
  source: SurveySource;
  residentIdHash?: string;
  residenceCounty: string;
  township?: string;
  arrivalDate?: string;
}

export interface ReconcileOptions {
  countyCode: string;
  onDate: string;
  eligibility: EligibilityParams;
  /** A similarity match at or above this score, with no disagreeing field, confirms. Default 0.9. */
  matchThreshold?: number;
}

/** `residenceCounty`: a register child of another county appears in this county's lists (moved here). */
export type ConflictField = 'name' | 'gender' | 'birthDate' | 'hukouRegionCode' | 'residentId' | 'residenceCounty';

export interface MatchedRow {
  rowId: string;
  source: SurveySource;
  method: 'id-hash' | 'similarity' | 'new';
  score: number;
}

export interface FindingProfile {
  name: string;
  gender: Gender;
  birthDate: string;
  hukouRegionCode: string;
  residenceCounty: string;
  township?: string;
  arrivalDate?: string;
}

export interface FindingEligibility {
  /** null: cannot be decided, the arrival date is unknown. */
  eligible: boolean | null;
  rule: EligibilityRule | 'arrival-unknown';
  reason: string;
}

export interface SurveyFinding {
  /** Stable within the survey: `child:<id>` for a register child, `row:<first row id>` otherwise. */
  key: string;
  classification: SurveyClass;
  childId?: string;
  rows: MatchedRow[];
  sources: SurveySource[];
  conflicts: ConflictField[];
  profile: FindingProfile;
  eligibility: FindingEligibility;
}

interface Person {
  key: string;
  entry?: RegisterEntry;
  hash?: string;
  rows: { row: ReconcileRow; method: MatchedRow['method']; score: number }[];
  /** Set when a row's ID number differs from the register's. */
  idConflict: boolean;
}

/** Blocking keys: a pair is compared only when it shares a birth date or a surname + 户籍地. */
function blockKeys(child: Comparable): string[] {
  return [`b:${child.birthDate}`, `s:${[...normaliseName(child.name)][0] ?? ''}|${child.hukouRegionCode}`];
}

class CandidateIndex {
  private readonly blocks = new Map<string, Person[]>();

  add(person: Person, child: Comparable): void {
    for (const key of blockKeys(child)) {
      const list = this.blocks.get(key) ?? [];
      list.push(person);
      this.blocks.set(key, list);
    }
  }

  /** The most alike person that may be the same child, with its score. */
  best(child: Comparable, profileOf: (person: Person) => Comparable, accept: (person: Person) => boolean): { person: Person; score: number } | undefined {
    let best: { person: Person; score: number } | undefined;
    const seen = new Set<Person>();
    for (const key of blockKeys(child)) {
      for (const person of this.blocks.get(key) ?? []) {
        if (seen.has(person) || !accept(person)) continue;
        seen.add(person);
        const similarity = compareChildren(child, profileOf(person));
        if (similarity.candidate && (!best || similarity.score > best.score)) best = { person, score: similarity.score };
      }
    }
    return best;
  }
}

const SOURCE_ORDER = new Map(SURVEY_SOURCES.map((source, index) => [source, index]));

/** The value most sources give; ties go to the source listed first (police before education ...). */
function consensus<T>(rows: readonly ReconcileRow[], pick: (row: ReconcileRow) => T | undefined): T | undefined {
  const counts = new Map<T, { count: number; rank: number }>();
  for (const row of rows) {
    const value = pick(row);
    if (value === undefined) continue;
    const rank = SOURCE_ORDER.get(row.source) ?? 9;
    const seen = counts.get(value);
    counts.set(value, { count: (seen?.count ?? 0) + 1, rank: Math.min(seen?.rank ?? 9, rank) });
  }
  let best: { value: T; count: number; rank: number } | undefined;
  for (const [value, { count, rank }] of counts) {
    if (!best || count > best.count || (count === best.count && rank < best.rank)) best = { value, count, rank };
  }
  return best?.value;
}

function profileOfPerson(person: Person): FindingProfile {
  if (person.entry) {
    const { name, gender, birthDate, hukouRegionCode, residenceCounty, township, arrivalDate } = person.entry;
    return { name, gender, birthDate, hukouRegionCode, residenceCounty, township, arrivalDate };
  }
  const rows = person.rows.map((matched) => matched.row);
  const first = rows[0];
  if (!first) throw new Error('a person without register entry has at least one row');
  const arrivals = rows.flatMap((row) => (row.arrivalDate ? [row.arrivalDate] : [])).sort();
  const profile: FindingProfile = {
    name: consensus(rows, (row) => normaliseName(row.name)) ?? first.name,
    gender: consensus(rows, (row) => row.gender) ?? first.gender,
    birthDate: consensus(rows, (row) => row.birthDate) ?? first.birthDate,
    hukouRegionCode: consensus(rows, (row) => row.hukouRegionCode) ?? first.hukouRegionCode,
    residenceCounty: first.residenceCounty,
  };
  const township = consensus(rows, (row) => row.township);
  if (township) profile.township = township;
  // The earliest date any department saw the child here: residence counts from then.
  if (arrivals[0]) profile.arrivalDate = arrivals[0];
  return profile;
}

function conflictsOf(person: Person, countyCode: string): ConflictField[] {
  const values: Comparable[] = [...(person.entry ? [person.entry] : []), ...person.rows.map((matched) => matched.row)];
  const fields: ConflictField[] = [];
  const distinct = (pick: (child: Comparable) => string) => new Set(values.map(pick)).size > 1;
  if (distinct((child) => normaliseName(child.name))) fields.push('name');
  if (distinct((child) => child.gender)) fields.push('gender');
  if (distinct((child) => child.birthDate)) fields.push('birthDate');
  if (distinct((child) => child.hukouRegionCode)) fields.push('hukouRegionCode');
  if (person.idConflict) fields.push('residentId');
  if (person.entry && person.entry.residenceCounty !== countyCode) fields.push('residenceCounty');
  return fields;
}

function eligibilityOf(profile: FindingProfile, options: ReconcileOptions): FindingEligibility {
  if (!profile.arrivalDate) {
    return { eligible: null, rule: 'arrival-unknown', reason: '缺少来本地居住日期，无法判定是否满6个月，需入户核实。' };
  }
  const decision = decideEligibility(
    { birthDate: profile.birthDate, hukouRegionCode: profile.hukouRegionCode, residenceCountyCode: profile.residenceCounty, arrivalDate: profile.arrivalDate },
    options.onDate,
    options.eligibility,
  );
  return { eligible: decision.eligible, rule: decision.rule, reason: decision.reason };
}

/** Reconciles one county's accepted rows with its register. Deterministic for equal inputs. */
export function reconcileSurvey(register: readonly RegisterEntry[], rows: readonly ReconcileRow[], options: ReconcileOptions): SurveyFinding[] {
  const matchThreshold = options.matchThreshold ?? 0.9;
  const people: Person[] = [];
  const byRegisterHash = new Map<string, Person>();
  const byNewHash = new Map<string, Person>();
  const registerIndex = new CandidateIndex();
  const newIndex = new CandidateIndex();
  const comparableOf = (person: Person): Comparable => person.entry ?? profileOfPerson(person);

  for (const entry of register) {
    const person: Person = { key: `child:${entry.childId}`, entry, hash: entry.residentIdHash, rows: [], idConflict: false };
    people.push(person);
    byRegisterHash.set(entry.residentIdHash, person);
    registerIndex.add(person, entry);
  }
  const startNew = (row: ReconcileRow): void => {
    const person: Person = { key: `row:${row.rowId}`, hash: row.residentIdHash, rows: [{ row, method: 'new', score: 1 }], idConflict: false };
    people.push(person);
    if (row.residentIdHash) byNewHash.set(row.residentIdHash, person);
    newIndex.add(person, row);
  };

  // Rows with an ID number first, so that rows without one can join the children they name.
  const ordered = [...rows].sort((a, b) => Number(!a.residentIdHash) - Number(!b.residentIdHash) || a.rowId.localeCompare(b.rowId));
  for (const row of ordered) {
    const hash = row.residentIdHash;
    const exact = hash ? (byRegisterHash.get(hash) ?? byNewHash.get(hash)) : undefined;
    if (exact) {
      exact.rows.push({ row, method: 'id-hash', score: 1 });
      continue;
    }
    // A register child's own ID number would have matched above; with another one, a near match is a conflict.
    const inRegister = registerIndex.best(row, comparableOf, () => true);
    if (hash) {
      if (inRegister && inRegister.score >= matchThreshold) {
        inRegister.person.rows.push({ row, method: 'similarity', score: inRegister.score });
        inRegister.person.idConflict = true;
      } else startNew(row);
      continue;
    }
    const inNew = newIndex.best(row, comparableOf, () => true);
    const best = [inRegister, inNew].filter((found) => found !== undefined).sort((a, b) => b.score - a.score)[0];
    if (best) best.person.rows.push({ row, method: 'similarity', score: best.score });
    else startNew(row);
  }

  return people.flatMap((person): SurveyFinding[] => {
    if (person.entry && person.entry.residenceCounty !== options.countyCode && person.rows.length === 0) return [];
    const profile = profileOfPerson(person);
    const conflicts = conflictsOf(person, options.countyCode);
    const classification: SurveyClass = person.rows.length === 0 ? 'possibly-moved-away' : conflicts.length ? 'conflicting' : person.entry ? 'confirmed' : 'new-candidate';
    const matched = person.rows.map(({ row, method, score }) => ({ rowId: row.rowId, source: row.source, method, score }));
    const finding: SurveyFinding = {
      key: person.key,
      classification,
      rows: matched,
      sources: [...new Set(matched.map((row) => row.source))].sort((a, b) => (SOURCE_ORDER.get(a) ?? 0) - (SOURCE_ORDER.get(b) ?? 0)),
      conflicts,
      profile,
      eligibility: eligibilityOf(profile, options),
    };
    if (person.entry) finding.childId = person.entry.childId;
    return [finding];
  });
}

/** The survey's own figures (issue #13 close): counts per class and per source. */
export interface ReconcileFigures {
  rowsPerSource: Record<SurveySource, number>;
  matched: number;
  confirmed: number;
  newCandidates: number;
  possiblyMovedAway: number;
  conflicting: number;
  eligible: number;
}

export function reconcileFigures(findings: readonly SurveyFinding[], rowsPerSource: Record<SurveySource, number>): ReconcileFigures {
  const count = (classification: SurveyClass) => findings.filter((finding) => finding.classification === classification).length;
  return {
    rowsPerSource,
    matched: findings.filter((finding) => finding.childId && finding.rows.length > 0).length,
    confirmed: count('confirmed'),
    newCandidates: count('new-candidate'),
    possiblyMovedAway: count('possibly-moved-away'),
    conflicting: count('conflicting'),
    eligible: findings.filter((finding) => finding.eligibility.eligible === true).length,
  };
}
