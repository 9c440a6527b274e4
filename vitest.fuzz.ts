// How many runs a property test makes. Every property test runs fast-check's global number of runs (set by
// vitest.setup.ts), a few hundred at most by default; VOLT_FUZZ_RUNS raises every one of them for a deep
// run (e.g. VOLT_FUZZ_RUNS=5000), and VOLT_FUZZ_SEED replays a failure with the seed fast-check printed.

/** The runs of a property test that does less than the default (each run is costly), scaled with VOLT_FUZZ_RUNS. */
export function fuzzRuns(base: number): number {
  const deep = Number(process.env['VOLT_FUZZ_RUNS']);
  return Number.isSafeInteger(deep) && deep > 0
    ? Math.max(base, Math.round((base * deep) / DEFAULT_RUNS))
    : base;
}

/** fast-check's runs per property test unless VOLT_FUZZ_RUNS says otherwise. */
export const DEFAULT_RUNS = 100;
