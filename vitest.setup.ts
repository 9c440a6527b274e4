// Loaded before every test file of every tier: fast-check's run count and seed for the whole suite. Every
// property test runs the global count (a modest 100 by default); VOLT_FUZZ_RUNS raises every one of them
// for a deep run, and a costly test scales its own smaller count from the global one. VOLT_FUZZ_SEED
// replays a failure with the seed fast-check printed.
import fc from 'fast-check';

const deep = Number(process.env['VOLT_FUZZ_RUNS']);
const seed = Number(process.env['VOLT_FUZZ_SEED']);
fc.configureGlobal({
  numRuns: Number.isSafeInteger(deep) && deep > 0 ? deep : 100,
  ...(Number.isSafeInteger(seed) ? { seed } : {}),
});
