// The workflow bundle's entry point: every workflow the worker runs.
export { childIntake } from './child-intake';
