// Sets up and tears down direct-sandbox networks with the bridge already present, inside a network
// namespace of its own (vtn-hb…), each with one tcp port forward, and prints the per-container cost at 50 containers as a ratio of the
// cost of one. Needs root; run it alone (flock /tmp/volt-systest.lock pnpm --filter @volt/netns bench).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { unwrap } from '@volt/core';
import { bridgeDown, bridgeUp, parseNetworkConfig, sandboxDown, sandboxUp } from '../src/index.js';

if (process.getuid?.() !== 0) {
  console.error('netns bench: needs root (network namespaces, bridges, nftables)');
  process.exit(1);
}

const suffix = (process.pid % 46656).toString(36);
const hostNs = `vtn-hb${suffix}`;
const stateDir = mkdtempSync(join(tmpdir(), 'vtn-bench-'));
const options = { host: { namespace: hostNs }, table: `volt_test_b${suffix}`, stateDir, vethPrefix: 'vtn' };
const networkInput = { bridge: `vtnbrb${suffix}`, subnet: '10.235.0.0/24' };
const network = unwrap(parseNetworkConfig({ ...networkInput, ports: ['tcp:18080:80'] }));
const name = (index: number) => `vtn-b${index}-${suffix}`;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function oneContainer(): Promise<number> {
  const start = performance.now();
  await sandboxUp(name(0), network, options);
  await sandboxDown(name(0), options);
  return performance.now() - start;
}

async function manyContainers(count: number, parallel: boolean): Promise<number> {
  const names = Array.from({ length: count }, (_, index) => name(index));
  const withPort = (index: number) =>
    unwrap(parseNetworkConfig({ ...networkInput, ports: [`tcp:${18080 + index}:80`] }));
  const start = performance.now();
  if (parallel) {
    await Promise.all(names.map((each, index) => sandboxUp(each, withPort(index), options)));
    await Promise.all(names.map((each) => sandboxDown(each, options)));
  } else {
    for (const [index, each] of names.entries()) await sandboxUp(each, withPort(index), options);
    for (const each of names) await sandboxDown(each, options);
  }
  return performance.now() - start;
}

try {
  execFileSync('ip', ['netns', 'add', hostNs]);
  await bridgeUp(network, options);
  await oneContainer(); // warm-up
  const runs: number[] = [];
  for (let run = 0; run < 9; run++) runs.push(await oneContainer());
  const single = median(runs);
  const sequential50 = await manyContainers(50, false);
  const parallel50 = await manyContainers(50, true);
  const perSequential = sequential50 / 50;
  const perParallel = parallel50 / 50;
  console.log(
    `baseline: one container network up + down, bridge present (median of 9): ${single.toFixed(1)} ms`,
  );
  console.log(
    `50 containers one after another: ${sequential50.toFixed(0)} ms, ${perSequential.toFixed(1)} ms each = ${(perSequential / single).toFixed(2)}x baseline`,
  );
  console.log(
    `50 containers at once (one process): ${parallel50.toFixed(0)} ms, ${perParallel.toFixed(1)} ms each = ${(perParallel / single).toFixed(2)}x baseline`,
  );
} finally {
  for (let index = 0; index < 50; index++) await sandboxDown(name(index), options).catch(() => undefined);
  await bridgeDown({ bridge: network.bridge }, { ...options, force: true }).catch(() => undefined);
  execFileSync('ip', ['netns', 'delete', hostNs]);
  rmSync(stateDir, { recursive: true, force: true });
}
