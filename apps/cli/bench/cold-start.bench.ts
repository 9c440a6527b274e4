// `volt render` cold-start wall time against `node -e 0` (the floor for any Node program), as a ratio of
// medians over interleaved runs. Goal: at most 1.3x.
//
// For scale, two floors: an empty ES module (what loading any ESM program costs) and one that prints a line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { VOLT_BIN } from '../src/testing/volt-bin.js';

const main = VOLT_BIN;
const floors = mkdtempSync(join(tmpdir(), 'volt-cold-start-'));
const emptyModule = join(floors, 'empty.mjs');
const printingModule = join(floors, 'print.mjs');
writeFileSync(emptyModule, '');
writeFileSync(printingModule, "process.stdout.write('volt\\n');\n");
const RUNS = 30;
const commands: Record<string, readonly string[]> = {
  'node -e 0': ['-e', '0'],
  'node EMPTY.mjs (floor: an ES module)': [emptyModule],
  'node PRINT.mjs (floor: an ES module that prints a line)': [printingModule],
  'volt --version': [main, '--version'],
  'volt render --name demo': [main, 'render', '--name', 'demo'],
  'volt render --name demo --json': [main, 'render', '--name', 'demo', '--json'],
  'volt render --name demo, VOLT_CODE_CACHE=off (compiled from source)': [main, 'render', '--name', 'demo'],
};
/** Runs that ignore the build's V8 code caches, to show what they save. */
const fromSource = new Set(['volt render --name demo, VOLT_CODE_CACHE=off (compiled from source)']);

const times = new Map<string, number[]>(Object.keys(commands).map((name) => [name, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, args] of Object.entries(commands)) {
    const start = performance.now();
    const env = fromSource.has(name) ? { ...process.env, VOLT_CODE_CACHE: 'off' } : process.env;
    const result = spawnSync(process.execPath, args, { stdio: 'ignore', env });
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}`);
    times.get(name)?.push(performance.now() - start);
  }
}
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const baseline = median(times.get('node -e 0') ?? []);
for (const [name, values] of times) {
  const value = median(values);
  console.log(`${name}: median ${value.toFixed(1)} ms = ${(value / baseline).toFixed(2)}x node -e 0`);
}
rmSync(floors, { recursive: true, force: true });
