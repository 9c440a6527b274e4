// Direct-sandbox networks set up and torn down with the bridge already present, each with one tcp port
// forward, inside a network namespace standing in for the host (vtn-hb…). Prints, each the median of its
// rounds (SINGLE_ROUNDS, ROUNDS):
// - one container: network up + down (the figure the goal is about);
// - 50 containers one after another, and 50 at once in this process, per container as a ratio of one
//   (50 processes at once are the network tier's stress test);
// and next to each figure the spans that took the most time per container (see startSpan).
// Needs root; run it alone: flock /tmp/volt-systest.lock pnpm --filter @volt/netns bench
import { execFileSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { unwrap } from '@volt/core';
import {
  bridgeDown,
  bridgeUp,
  parseNetworkConfig,
  sandboxDown,
  sandboxUp,
  TRACE_CHANNEL,
  type TraceSpan,
} from '../src/index.js';

if (process.getuid?.() !== 0) {
  console.error('netns bench: needs root (network namespaces, bridges, nftables)');
  process.exit(1);
}

const ROUNDS = 5;
const SINGLE_ROUNDS = 9;
const MANY = 50;
const TOP_SPANS = 6;

const suffix = (process.pid % 46656).toString(36);
const hostNs = `vtn-hb${suffix}`;
const stateDir = mkdtempSync(join(tmpdir(), 'vtn-bench-'));
const options = { host: { namespace: hostNs }, table: `volt_test_b${suffix}`, stateDir, vethPrefix: 'vtn' };
const networkInput = { bridge: `vtnbrb${suffix}`, subnet: '10.235.0.0/24' };
const name = (index: number) => `vtn-b${index}-${suffix}`;
const networks = Array.from({ length: MANY }, (_, index) =>
  unwrap(parseNetworkConfig({ ...networkInput, ports: [`tcp:${18080 + index}:80`] })),
);
const network = networks[0] as (typeof networks)[number];

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** The spans published while `measure` runs, with its time. */
async function traced(measure: () => Promise<void>): Promise<{ ms: number; spans: TraceSpan[] }> {
  const spans: TraceSpan[] = [];
  const collect = (span: unknown) => spans.push(span as TraceSpan);
  subscribe(TRACE_CHANNEL, collect);
  try {
    const start = performance.now();
    await measure();
    return { ms: performance.now() - start, spans };
  } finally {
    unsubscribe(TRACE_CHANNEL, collect);
  }
}

async function upAndDown(count: number, atOnce: boolean): Promise<void> {
  const indexes = Array.from({ length: count }, (_, index) => index);
  if (atOnce) {
    await Promise.all(indexes.map((index) => sandboxUp(name(index), networks[index] ?? network, options)));
    await Promise.all(indexes.map((index) => sandboxDown(name(index), options)));
    return;
  }
  for (const index of indexes) await sandboxUp(name(index), networks[index] ?? network, options);
  for (const index of indexes) await sandboxDown(name(index), options);
}

/** The spans that took the most time, per container: calls and milliseconds (summed, so overlapping ones add up). */
function topSpans(spans: readonly TraceSpan[], containers: number): string {
  const totals = new Map<string, { calls: number; ms: number }>();
  for (const span of spans) {
    const total = totals.get(span.span) ?? { calls: 0, ms: 0 };
    totals.set(span.span, { calls: total.calls + 1, ms: total.ms + span.ms });
  }
  return [...totals]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, TOP_SPANS)
    .map(
      ([span, total]) =>
        `    ${(total.ms / containers).toFixed(1).padStart(6)} ms  ${(total.calls / containers).toFixed(1)}x  ${span}`,
    )
    .join('\n');
}

/** Runs `rounds` measured rounds of `count` containers; returns the median per container and the spans of the median round. */
async function figure(rounds: number, count: number, atOnce: boolean) {
  const results = [];
  for (let round = 0; round < rounds; round++) results.push(await traced(() => upAndDown(count, atOnce)));
  const middle = median(results.map((result) => result.ms));
  const chosen = results.find((result) => result.ms === middle) ?? results[0];
  const all = results.map((result) => result.ms / count);
  return {
    perContainer: middle / count,
    range: `${Math.min(...all).toFixed(1)}–${Math.max(...all).toFixed(1)}`,
    spans: topSpans(chosen?.spans ?? [], count),
  };
}

try {
  execFileSync('ip', ['netns', 'add', hostNs]);
  await bridgeUp(network, options);
  await upAndDown(1, false); // warm-up: module loads, first lock, first nft cache
  const one = await figure(SINGLE_ROUNDS, 1, false);
  const sequential = await figure(ROUNDS, MANY, false);
  const atOnce = await figure(ROUNDS, MANY, true);
  console.log(
    `one container, network up + down, bridge present: ${one.perContainer.toFixed(1)} ms (median of ${SINGLE_ROUNDS}, range ${one.range} ms)\n${one.spans}`,
  );
  for (const [label, result] of [
    [`${MANY} containers one after another`, sequential],
    [`${MANY} containers at once (one process)`, atOnce],
  ] as const) {
    console.log(
      `${label}: ${result.perContainer.toFixed(1)} ms per container = ${(result.perContainer / one.perContainer).toFixed(2)}x one (median of ${ROUNDS}, range ${result.range} ms)\n${result.spans}`,
    );
  }
} finally {
  for (let index = 0; index < MANY; index++) await sandboxDown(name(index), options).catch(() => undefined);
  await bridgeDown({ bridge: network.bridge }, { ...options, force: true }).catch(() => undefined);
  execFileSync('ip', ['netns', 'delete', hostNs]);
  rmSync(stateDir, { recursive: true, force: true });
}
