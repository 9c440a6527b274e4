// Stats reads per second for one group and for 100 groups (per-group cost ratio 100 : 1), on this host's
// cgroup2 mount, with `vtc-bench-*` groups that are removed at the end, also on failure.
// Run as root, serialised with other system tests: flock /tmp/volt-systest.lock pnpm --filter @volt/cgroups bench
import { performance } from 'node:perf_hooks';
import { CgroupManager, findCgroup2Mount, readCgroupStats } from '../src/index.js';

async function rate(seconds: number, round: () => Promise<unknown> | unknown): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let rounds = 0;
  const start = performance.now();
  while (performance.now() < end) {
    await round();
    rounds++;
  }
  return rounds / ((performance.now() - start) / 1000);
}

const mount = await findCgroup2Mount();
const groups = Array.from({ length: 100 }, (_, index) =>
  CgroupManager.open(mount, `vtc-bench-${process.pid}-${index}`),
);
try {
  for (const group of groups) await group.create();
  const first = groups[0] as CgroupManager;
  await rate(0.5, () => readCgroupStats(first.path)); // warm-up
  // Alternate the two measurements and take medians: the host is shared and noisy.
  const ones: number[] = [];
  const hundreds: number[] = [];
  for (let round = 0; round < 5; round++) {
    ones.push(await rate(1, () => readCgroupStats(first.path)));
    hundreds.push(await rate(1, () => Promise.all(groups.map((group) => readCgroupStats(group.path)))));
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const one = median(ones);
  const hundred = median(hundreds) * 100;
  console.log(`stats reads, 1 group:    ${one.toFixed(0)} reads/s (${(1e6 / one).toFixed(1)} µs each)`);
  console.log(
    `stats reads, 100 groups: ${hundred.toFixed(0)} group reads/s (${(1e6 / hundred).toFixed(1)} µs each)`,
  );
  console.log(`per-group cost, 100 groups : 1 group = ${(one / hundred).toFixed(2)}`);
} finally {
  for (const group of groups)
    await group.remove({ kill: true }).catch((error: unknown) => console.error(error));
}
