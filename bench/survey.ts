/**
 * Issue #13: matching precision and recall of the survey's reconciliation on generated,
 * labelled department lists (test/support/survey-data.ts), at the default dirt rates and at
 * heavy ones, plus the time reconciliation takes. Pure computation: no services.
 *
 *   npx tsx bench/survey.ts              # 3,000 children
 *   npx tsx bench/survey.ts 20000        # [children]
 *
 * test/unit/survey-matching.test.ts asserts the same figures above a floor.
 */
import { availableParallelism } from 'node:os';
import { measureMatching } from '../test/support/survey-metrics';

const children = Number(process.argv[2] ?? 3000);
const scenarios = {
  default: {},
  heavy: { birthDateTypo: 0.15, nameTypo: 0.15, twins: 0.08, namesakes: 0.1, wrongCheckDigit: 0.05, duplicate: 0.05 },
};

console.log(`bench/survey: ${children} children per scenario, ${availableParallelism()} CPUs`);
for (const [name, dirt] of Object.entries(scenarios)) {
  const figures = measureMatching({ children, seed: 13, ...dirt });
  console.log(
    [
      `${name.padEnd(8)} rows ${figures.rows} (accepted ${figures.accepted}, rejected ${figures.rejected}), register ${figures.registered}`,
      `  register match: precision ${figures.registerPrecision.toFixed(4)}  recall ${figures.registerRecall.toFixed(4)}`,
      `  pairwise:       precision ${figures.pairPrecision.toFixed(4)}  recall ${figures.pairRecall.toFixed(4)}`,
      `  classes: ${JSON.stringify(figures.classes)}`,
      `  reconcile: ${figures.reconcileMs} ms`,
    ].join('\n'),
  );
}
