/**
 * Issue #13 "done when": matching precision and recall on a labelled set, above a floor
 * (bench/survey.ts prints the same figures). The generated lists carry dirt: wrong check
 * digits and duplicates (rejected), birth dates and names one typing error off, twins and
 * namesakes (test/support/survey-data.ts).
 */
import { describe, expect, it } from 'vitest';
import { measureMatching } from '../support/survey-metrics';

describe('survey matching on a labelled set (M3 "data finds people")', () => {
  it('matches rows to the register and to each other at the default dirt rates', () => {
    const figures = measureMatching({ children: 2000, seed: 13 });
    expect(figures.rejected).toBeGreaterThan(0);
    expect(figures.classes['conflicting']).toBeGreaterThan(0);
    expect(figures.classes['possibly-moved-away']).toBeGreaterThan(0);
    expect(figures.registerPrecision).toBeGreaterThanOrEqual(0.99);
    expect(figures.registerRecall).toBeGreaterThanOrEqual(0.98);
    expect(figures.pairPrecision).toBeGreaterThanOrEqual(0.99);
    expect(figures.pairRecall).toBeGreaterThanOrEqual(0.98);
  });

  it('stays above the floor with heavy dirt, twins and namesakes', () => {
    const figures = measureMatching({ children: 2000, seed: 7, birthDateTypo: 0.15, nameTypo: 0.15, twins: 0.08, namesakes: 0.1, wrongCheckDigit: 0.05, duplicate: 0.05 });
    expect(figures.registerPrecision).toBeGreaterThanOrEqual(0.97);
    expect(figures.registerRecall).toBeGreaterThanOrEqual(0.95);
    expect(figures.pairPrecision).toBeGreaterThanOrEqual(0.97);
    expect(figures.pairRecall).toBeGreaterThanOrEqual(0.95);
  });
});
