// Cold start of the built `volt` against `node -e 0` (the floor of any Node program): the commands run in
// turn, run after run, and each run of a command is divided by the `node -e 0` run next to it, so that the
// machine's drift during the bench cancels out. Reported: the median of those ratios. Goal for
// `volt render --name demo`: at most 1.35x. A report, not a test: nothing here passes or fails on time.
//
// Output goes to a pipe, as to a terminal or a shell pipeline (both make Node load its stream modules). For
// scale, the floor of a CommonJS script that prints one line through process.stdout.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { VOLT_BIN } from '../src/testing/volt-bin.js';

const RUNS = 40;
const BASELINE = 'node -e 0';
const floors = mkdtempSync(join(tmpdir(), 'volt-cold-start-'));
const printingScript = join(floors, 'print.cjs');
writeFileSync(printingScript, "process.stdout.write('volt\\n');\n");

const commands: Readonly<Record<string, readonly string[]>> = {
  [BASELINE]: ['-e', '0'],
  'node PRINT.cjs (floor: prints a line)': [printingScript],
  'volt --version': [VOLT_BIN, '--version'],
  'volt render --name demo': [VOLT_BIN, 'render', '--name', 'demo'],
  'volt render --name demo --json': [VOLT_BIN, 'render', '--name', 'demo', '--json'],
};

/** Wall milliseconds of one run, from spawn to exit. */
function timeRun(name: string, args: readonly string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

const times = new Map<string, number[]>(Object.keys(commands).map((name) => [name, []]));
const ratios = new Map<string, number[]>(Object.keys(commands).map((name) => [name, []]));
// One run of each first, not counted: the files are in the page cache for every counted run.
for (const [name, args] of Object.entries(commands)) timeRun(name, args);
for (let run = 0; run < RUNS; run++) {
  const baseline = timeRun(BASELINE, commands[BASELINE] ?? []);
  times.get(BASELINE)?.push(baseline);
  ratios.get(BASELINE)?.push(1);
  for (const [name, args] of Object.entries(commands)) {
    if (name === BASELINE) continue;
    const elapsed = timeRun(name, args);
    times.get(name)?.push(elapsed);
    ratios.get(name)?.push(elapsed / baseline);
  }
}
rmSync(floors, { recursive: true, force: true });

console.log(`${RUNS} interleaved runs of each; ratio = median of (run / the ${BASELINE} run next to it)`);
for (const [name, values] of times) {
  const ratio = median(ratios.get(name) ?? []);
  console.log(`${name}: median ${median(values).toFixed(1)} ms, ${ratio.toFixed(2)}x ${BASELINE}`);
}
