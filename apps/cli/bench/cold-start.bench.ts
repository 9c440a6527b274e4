// `volt render` cold-start wall time against `node -e 0` (the floor for any Node program), as a ratio of
// medians over interleaved runs. Goal: at most 1.3x.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const RUNS = 30;
const commands: Record<string, readonly string[]> = {
  'node -e 0': ['-e', '0'],
  'volt --version': [main, '--version'],
  'volt render --name demo': [main, 'render', '--name', 'demo'],
  'volt render --name demo --json': [main, 'render', '--name', 'demo', '--json'],
};

const times = new Map<string, number[]>(Object.keys(commands).map((name) => [name, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, args] of Object.entries(commands)) {
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
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
