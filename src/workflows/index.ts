// The workflow bundle's entry point: every workflow the worker runs.
export { childIntake } from './child-intake';
export { bureauTask } from './bureau-task';
export { procuratorateReferral } from './procuratorate-referral';
export { dropout } from './dropout';
export { keyCareVisits } from './key-care-visits';
export { mentalHealth } from './mental-health';
export { guardianship } from './guardianship';
export { assistance } from './assistance';
export { survey } from './survey';
