/**
 * M1 survey (issue #13): how alike two records of a child are when no ID number links
 * them, as a score from 0 to 1 over name, birth date and 户籍地 (weights 0.5 / 0.3 / 0.2).
 *
 * A score alone would match twins (same birth date and 户籍地, names one character apart),
 * so a pair is a candidate only when at most ONE of the three disagrees, and only slightly
 * (a name one or two characters off, a birth date one typing error off, any 户籍地), and
 * the genders agree unless all three others do. Which field disagrees is returned: the
 * reconciliation reports it as a conflict for the children's director to settle.
 *
 * Pure.
 */
import type { Gender } from './child';

export interface Comparable {
  name: string;
  gender: Gender;
  birthDate: string;
  hukouRegionCode: string;
}

export type ComparedField = 'name' | 'gender' | 'birthDate' | 'hukouRegionCode';

export interface Similarity {
  score: number;
  /** True when the pair may be one child (see the module comment). */
  candidate: boolean;
  /** Fields whose values differ. */
  differing: ComparedField[];
}

/** Names compared without spaces, middle dots (少数民族 names) and full-width forms. */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').replace(/[\s·•.．・]/g, '');
}

/** Levenshtein distance over code points (a Chinese character is one). */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

export function nameSimilarity(a: string, b: string): number {
  const x = normaliseName(a);
  const y = normaliseName(b);
  const longest = Math.max([...x].length, [...y].length);
  return longest === 0 ? 0 : 1 - editDistance(x, y) / longest;
}

/** 1 equal; 0.5 one typing error (one digit, or month and day swapped); else 0. */
export function birthDateSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const [ay, am, ad] = a.split('-');
  const [by, bm, bd] = b.split('-');
  if (ay === by && am === bd && ad === bm) return 0.5;
  return editDistance(a.replace(/-/g, ''), b.replace(/-/g, '')) === 1 ? 0.5 : 0;
}

/** 1 equal; 0.5 same city (first 4 digits); 0.2 same province (first 2); else 0. */
export function hukouSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.slice(0, 4) === b.slice(0, 4)) return 0.5;
  return a.slice(0, 2) === b.slice(0, 2) ? 0.2 : 0;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

export function compareChildren(a: Comparable, b: Comparable): Similarity {
  const name = nameSimilarity(a.name, b.name);
  const birth = birthDateSimilarity(a.birthDate, b.birthDate);
  const hukou = hukouSimilarity(a.hukouRegionCode, b.hukouRegionCode);
  const differing: ComparedField[] = [];
  if (name < 1) differing.push('name');
  if (a.gender !== b.gender) differing.push('gender');
  if (birth < 1) differing.push('birthDate');
  if (hukou < 1) differing.push('hukouRegionCode');
  const score = round(0.5 * name + 0.3 * birth + 0.2 * hukou);
  // One disagreement at most; a name or birth date only one or two typing errors off.
  const only = differing.length === 1 ? differing[0] : undefined;
  const candidate = differing.length === 0 || (only === 'name' && name >= 0.5) || (only === 'birthDate' && birth >= 0.5) || only === 'hukouRegionCode' || only === 'gender';
  return { score, candidate, differing };
}
