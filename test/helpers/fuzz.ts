/**
 * Settings of the property-based tests: a fixed seed so CI is deterministic, and `FUZZ_SEED` /
 * `FUZZ_RUNS` to explore further from the command line.
 */
export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 20261127);

/** Cases per property: `FUZZ_RUNS`, else the suite's default. */
export const fuzzRuns = (fallback: number): number => Number(process.env['FUZZ_RUNS'] ?? fallback);

/** fast-check parameters with the fixed seed. */
export const fuzzParams = (fallbackRuns: number): { seed: number; numRuns: number; endOnFailure: true } => ({
  seed: FUZZ_SEED,
  numRuns: fuzzRuns(fallbackRuns),
  endOnFailure: true,
});
