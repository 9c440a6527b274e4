// Benchmark: Docker's default allowlist on x86_64, our compiled filter against libseccomp's (optimize
// levels 1 and 2). Prints instructions executed per decision and the latency each filter adds to a
// tight getppid loop, as ratios against libseccomp's binary tree (level 2) and against no filter.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  AUDIT_ARCH,
  type BpfInstruction,
  compileFilter,
  DOCKER_DEFAULT_CAPABILITIES,
  decodeBpf,
  encodeBpf,
  expandMobyProfile,
  mobyUnconditionalAllowlist,
  parseMobySeccompProfile,
  SECCOMP_RET,
  syscallNumber,
} from '../src/index.js';
import { runBpf } from '../test/bpf-interpreter.js';
import { buildNativeTools } from '../test/native.js';

const LOOP_CALLS = Number(process.env['VTS_BENCH_CALLS'] ?? 1_000_000);
const ROUNDS = Number(process.env['VTS_BENCH_ROUNDS'] ?? 11);
/** mount on x86_64: not in the allowlist without CAP_SYS_ADMIN, so every filter denies it (EPERM) by running its program. */
const DENIED_NR = 165;

const parsed = parseMobySeccompProfile(
  JSON.parse(readFileSync(new URL('../test/fixtures/moby-seccomp-default.json', import.meta.url), 'utf8')),
);
if (!parsed.ok) throw parsed.error;
const names = mobyUnconditionalAllowlist(
  expandMobyProfile(parsed.value, { arch: 'x86_64', capabilities: DOCKER_DEFAULT_CAPABILITIES }),
);
const numbers = [...new Set(names.map((name) => syscallNumber('x86_64', name)))].filter(
  (nr): nr is number => nr !== undefined,
);
const EPERM = (SECCOMP_RET.ERRNO | 1) >>> 0;

const tools = buildNativeTools();
try {
  const filters: Record<string, BpfInstruction[]> = {
    volt: compileFilter({
      arch: 'x86_64',
      defaultAction: EPERM,
      rules: new Map(numbers.map((nr) => [nr, SECCOMP_RET.ALLOW])),
    }),
    'libseccomp-1': decodeBpf(tools.libseccompFilter('x86_64', 1, 1, names)),
    'libseccomp-2': decodeBpf(tools.libseccompFilter('x86_64', 2, 1, names)),
  };
  console.log(`Docker default allowlist on x86_64: ${numbers.length} syscalls (${names.length} names)`);
  console.log('\nBPF instructions executed per decision (interpreter):');
  const stats: Record<string, { worst: number; meanAllowed: number; meanAll: number }> = {};
  for (const [label, program] of Object.entries(filters)) {
    const run = (nr: number): number => runBpf(program, { nr, arch: AUDIT_ARCH.x86_64 }).executed;
    const allowed = numbers.map(run);
    const all = Array.from({ length: 1024 }, (_, nr) => run(nr));
    const worst = Math.max(...all);
    const meanAllowed = allowed.reduce((a, b) => a + b, 0) / allowed.length;
    const meanAll = all.reduce((a, b) => a + b, 0) / all.length;
    stats[label] = { worst, meanAllowed, meanAll };
    console.log(
      `  ${label.padEnd(13)} size ${String(program.length).padStart(4)}  worst ${String(worst).padStart(3)}  mean(allowed) ${meanAllowed.toFixed(2).padStart(6)}  mean(0..1023) ${meanAll.toFixed(2).padStart(6)}  getppid ${run(110)}  mount ${run(DENIED_NR)}`,
    );
  }
  const tree = stats['libseccomp-2'];
  const ours = stats['volt'];
  if (tree !== undefined && ours !== undefined)
    console.log(
      `  ratio volt/libseccomp-2: worst ${(ours.worst / tree.worst).toFixed(2)}, mean(allowed) ${(ours.meanAllowed / tree.meanAllowed).toFixed(2)}, mean(0..1023) ${(ours.meanAll / tree.meanAll).toFixed(2)}`,
    );

  const files = Object.fromEntries(
    Object.entries(filters).map(([label, program]) => [
      label,
      tools.writeFilter(`${label}.bpf`, encodeBpf(program)),
    ]),
  );
  const measure = (command: string, args: readonly string[]): number => {
    const result = spawnSync(command, args, { encoding: 'utf8' });
    const match = /ns_per_call=([\d.]+)/.exec(result.stdout);
    if (match?.[1] === undefined) throw new Error(`no measurement: ${result.stdout} ${result.stderr}`);
    return Number(match[1]);
  };
  // The probe measures its own thread CPU time, so time spent preempted by other work does not count.
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  const latency = (title: string, probeArgs: readonly string[]): void => {
    console.log(`\n${title} (${LOOP_CALLS} calls, median of ${ROUNDS} interleaved rounds, thread CPU time):`);
    const samples: Record<string, number[]> = { none: [], volt: [], 'libseccomp-1': [], 'libseccomp-2': [] };
    for (let round = 0; round < ROUNDS; round++) {
      samples['none']?.push(measure(tools.probe, probeArgs));
      for (const [label, file] of Object.entries(files))
        samples[label]?.push(measure(tools.loader, [file, tools.probe, ...probeArgs]));
    }
    const none = median(samples['none'] ?? []);
    const overhead: Record<string, number> = {};
    for (const [label, values] of Object.entries(samples)) {
      const ns = median(values);
      overhead[label] = ns - none;
      console.log(
        `  ${label.padEnd(13)} ${ns.toFixed(1).padStart(7)} ns/call  (${(ns / none).toFixed(3)}x no filter, +${(ns - none).toFixed(1)} ns)`,
      );
    }
    const treeOverhead = overhead['libseccomp-2'];
    const oursOverhead = overhead['volt'];
    if (treeOverhead !== undefined && oursOverhead !== undefined && treeOverhead > 0)
      console.log(`  added latency volt/libseccomp-2: ${(oursOverhead / treeOverhead).toFixed(2)}`);
    const tree = median(samples['libseccomp-2'] ?? []);
    console.log(`  latency volt/libseccomp-2: ${(median(samples['volt'] ?? []) / tree).toFixed(3)}`);
  };
  // An allowed call: Linux >= 5.11 caches "always allowed" numbers in a bitmap when a filter only looks
  // at nr/arch, so the BPF program does not run at all for getppid under any of the three filters.
  latency('getppid (allowed) latency', ['getppid-loop', String(LOOP_CALLS)]);
  // A denied call (mount, without arguments): not cacheable, the program runs on every call. Without a
  // filter the kernel really attempts the mount (EFAULT), so compare the filters with each other here.
  latency(`syscall ${DENIED_NR} (denied, runs the filter) latency`, [
    'syscall-loop',
    String(DENIED_NR),
    String(LOOP_CALLS),
  ]);
} finally {
  tools.cleanup();
}
