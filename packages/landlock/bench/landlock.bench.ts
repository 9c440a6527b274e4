// Benchmarks, reported as ratios against a named baseline (run: pnpm --filter @volt/landlock bench):
//  1. the helper enforcing a policy and running /bin/true, against a bare /bin/true;
//  2. the library's spawnLandlocked() of /bin/true, against child_process.spawn('/bin/true').
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ignoreIfMissing,
  landlockHelperPath,
  landlockPolicy,
  prepareLandlock,
  probeLandlock,
  readExec,
  readOnly,
  readWrite,
  spawnLandlocked,
  withRules,
} from '../src/index.js';

const ROUNDS = Number(process.env['VTL_BENCH_ROUNDS'] ?? 300);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timeEach(rounds: number, run: () => Promise<void> | void): Promise<number> {
  for (let warm = 0; warm < 10; warm++) await run();
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

function waitExit(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve, reject) =>
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`)))),
  );
}

function report(name: string, subject: number, baseline: number, baselineName: string): void {
  console.log(
    `${name}: ${(subject / baseline).toFixed(2)}x ${baselineName} (median ${subject.toFixed(3)} ms vs ${baseline.toFixed(3)} ms, ${ROUNDS} rounds)`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'vtl-bench-'));
try {
  const kernel = await probeLandlock();
  const policy = withRules(
    landlockPolicy({ abi: kernel.abi, compatibility: 'best-effort', handle: { net: false, scopes: false } }),
    ignoreIfMissing(readExec('/usr', '/bin', '/lib', '/lib64')),
    readOnly('/etc'),
    readWrite(dir),
  );
  const prepared = await prepareLandlock(policy, { kernel });
  const policyFile = join(dir, 'policy');
  writeFileSync(policyFile, prepared.bytes);
  console.log(
    `kernel Landlock ABI ${kernel.abi}; policy: ${policy.paths.length} paths, ${prepared.status.enforcement} enforced`,
  );

  const bare = await timeEach(ROUNDS, () => {
    if (spawnSync('/bin/true').status !== 0) throw new Error('/bin/true failed');
  });
  const helper = landlockHelperPath();
  const wrapped = await timeEach(ROUNDS, () => {
    if (spawnSync(helper, ['--policy', policyFile, '--', '/bin/true']).status !== 0)
      throw new Error('helper failed');
  });
  report('helper + /bin/true', wrapped, bare, 'bare /bin/true');

  const plain = await timeEach(ROUNDS, () => waitExit(spawn('/bin/true', [], { stdio: 'ignore' })));
  const library = await timeEach(ROUNDS, async () => {
    const { child, status } = await spawnLandlocked('/bin/true', [], { policy, kernel, stdio: 'ignore' });
    await Promise.all([status, waitExit(child)]);
  });
  report('spawnLandlocked(/bin/true)', library, plain, "child_process.spawn('/bin/true')");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
