// The workflow bundle's entry point: every workflow the worker runs.
export { childIntake } from './child-intake';
export { bureauTask } from './bureau-task';
export { procuratorateReferral } from './procuratorate-referral';
export { dropout } from './dropout';
