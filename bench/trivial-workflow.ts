/** The engine's floor for bench/start-throughput.ts: a workflow that does nothing. */
export async function benchTrivial(): Promise<string> {
  return 'done';
}
