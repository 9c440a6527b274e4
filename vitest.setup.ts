// Loaded before every test file of every tier: fast-check's run count and seed for the whole suite.
import fc from 'fast-check';
import { DEFAULT_RUNS } from './vitest.fuzz.ts';

const deep = Number(process.env['VOLT_FUZZ_RUNS']);
const seed = Number(process.env['VOLT_FUZZ_SEED']);
fc.configureGlobal({
  numRuns: Number.isSafeInteger(deep) && deep > 0 ? deep : DEFAULT_RUNS,
  ...(Number.isSafeInteger(seed) ? { seed } : {}),
});
