import { type SeccompAction, type SeccompConfig, type Valid, VoltError } from '@volt/core';
import { AUDIT_ARCH, type SeccompArch, X32_SYSCALL_BIT } from '../model/catalog.js';
import { expandSeccompConfig } from '../model/profiles.js';
import {
  BPF,
  BPF_MAX_INSTRUCTIONS,
  type BpfInstruction,
  encodeBpf,
  jump,
  SECCOMP_DATA,
  SECCOMP_RET,
  stmt,
} from './bpf.js';

/** What a filter decides, as data: per-number return values and a default. */
export interface SeccompFilterSpec {
  readonly arch: SeccompArch;
  /** The return value for numbers without a rule, e.g. `SECCOMP_RET.ERRNO | 1`. */
  readonly defaultAction: number;
  /** Syscall number to return value. Numbers must be below 0x40000000. */
  readonly rules: ReadonlyMap<number, number>;
}

/** A run of syscall numbers, from `start` up to the next segment's start, with one return value. */
interface Segment {
  readonly start: number;
  readonly action: number;
}

const U32_MAX = 0xffffffff;

/**
 * The seccomp return value for an action.
 *
 * @example
 * ```ts
 * seccompReturnValue({ kind: 'errno', errno: 1 }); // 0x00050001
 * seccompReturnValue({ kind: 'kill-process' }); // 0x80000000
 * ```
 */
export function seccompReturnValue(action: SeccompAction): number {
  if (action.kind === 'errno') return (SECCOMP_RET.ERRNO | (action.errno & 0xffff)) >>> 0;
  if (action.kind === 'kill-process') return SECCOMP_RET.KILL_PROCESS;
  return SECCOMP_RET.LOG;
}

function segmentsOf(spec: SeccompFilterSpec): Segment[] {
  const raw: Segment[] = [{ start: 0, action: spec.defaultAction }];
  const numbers = [...spec.rules.keys()].sort((a, b) => a - b);
  for (const nr of numbers) {
    if (!Number.isInteger(nr) || nr < 0 || nr >= X32_SYSCALL_BIT)
      throw new VoltError('INVALID_SYSCALL', `syscall number ${nr} is out of range; accepted: 0..0x3fffffff`);
    raw.push({ start: nr, action: spec.rules.get(nr) ?? spec.defaultAction });
    if (!spec.rules.has(nr + 1)) raw.push({ start: nr + 1, action: spec.defaultAction });
  }
  // x86_64: numbers with the x32 bit belong to another ABI and are killed like a foreign architecture;
  // -1 (a tracer skipping the call) gets the default action, as libseccomp does.
  if (spec.arch === 'x86_64')
    raw.push(
      { start: X32_SYSCALL_BIT, action: SECCOMP_RET.KILL_PROCESS },
      { start: U32_MAX, action: spec.defaultAction },
    );
  const merged: Segment[] = [];
  for (const segment of raw) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.start === segment.start) merged[merged.length - 1] = segment;
    else if (last === undefined || last.action !== segment.action) merged.push(segment);
  }
  return merged.filter((segment, index) => index === 0 || merged[index - 1]?.action !== segment.action);
}

function emitTree(segments: readonly Segment[], lo: number, hi: number): BpfInstruction[] {
  const only = segments[lo];
  if (hi - lo === 1 && only !== undefined) return [stmt(BPF.RET | BPF.K, only.action)];
  const mid = lo + ((hi - lo) >> 1);
  const threshold = segments[mid]?.start ?? 0;
  const below = emitTree(segments, lo, mid);
  const above = emitTree(segments, mid, hi);
  const test = BPF.JMP | BPF.JGE | BPF.K;
  if (below.length <= 0xff) return [jump(test, threshold, below.length, 0), ...below, ...above];
  return [jump(test, threshold, 0, 1), stmt(BPF.JMP | BPF.JA, below.length), ...below, ...above];
}

/**
 * Compiles a filter spec to classic BPF.
 *
 * Layout: load `seccomp_data.arch`; a foreign architecture is killed (`SECCOMP_RET_KILL_PROCESS`);
 * load `nr`; then a balanced binary search tree over the runs of numbers that share a return value,
 * with one `ret` per run. A lookup costs 3 + ceil(log2(runs)) + 1 instructions. On x86_64 the x32
 * range (bit 0x40000000 set) is one more run and is killed like a foreign architecture; -1 gets the
 * default action.
 *
 * @throws {@link VoltError} `INVALID_SYSCALL` for a number out of range, `INVALID_VALUE` if the program
 *   would exceed the kernel's 4096 instructions.
 * @example
 * ```ts
 * const program = compileFilter({ arch: 'aarch64', defaultAction: SECCOMP_RET.ERRNO | 1, rules: new Map([[173, SECCOMP_RET.ALLOW]]) });
 * disassembleBpf(program); // ld [4]; jeq 0xc00000b7; ret 0x80000000; ld [0]; jge 0xad; ... one ret per run
 * ```
 */
export function compileFilter(spec: SeccompFilterSpec): BpfInstruction[] {
  const segments = segmentsOf(spec);
  const program = [
    stmt(BPF.LD | BPF.W | BPF.ABS, SECCOMP_DATA.ARCH),
    jump(BPF.JMP | BPF.JEQ | BPF.K, AUDIT_ARCH[spec.arch], 1, 0),
    stmt(BPF.RET | BPF.K, SECCOMP_RET.KILL_PROCESS),
    stmt(BPF.LD | BPF.W | BPF.ABS, SECCOMP_DATA.NR),
    ...emitTree(segments, 0, segments.length),
  ];
  if (program.length > BPF_MAX_INSTRUCTIONS)
    throw new VoltError(
      'INVALID_VALUE',
      `the filter needs ${program.length} instructions; the kernel accepts at most ${BPF_MAX_INSTRUCTIONS}`,
    );
  return program;
}

/**
 * The filter spec of a seccomp configuration on one architecture: an allowlist profile allows its
 * numbers and applies the action to the rest; `unconfined` applies the action to its deny list only.
 *
 * @example
 * ```ts
 * seccompFilterSpec(unwrap(parseSeccompConfig('strict')), 'x86_64').rules.has(165); // false: mount
 * ```
 */
export function seccompFilterSpec(config: Valid<SeccompConfig>, arch: SeccompArch): SeccompFilterSpec {
  const set = expandSeccompConfig(config, arch);
  const action = seccompReturnValue(set.action);
  if (set.mode === 'allowlist')
    return {
      arch,
      defaultAction: action,
      rules: new Map(set.numbers.map((nr) => [nr, SECCOMP_RET.ALLOW])),
    };
  return { arch, defaultAction: SECCOMP_RET.ALLOW, rules: new Map(set.numbers.map((nr) => [nr, action])) };
}

/**
 * Compiles a seccomp configuration to the bytes the kernel loads (`struct sock_filter[]`, little
 * endian, 8 bytes each): what `volt seccomp export --format bpf` writes and the enforcement helper
 * installs with no_new_privs before exec.
 *
 * @throws {@link VoltError} `INVALID_VALUE` if the program would exceed the kernel's 4096 instructions
 *   (no configuration of the catalog's names comes near it).
 * @example
 * ```ts
 * const bytes = compileSeccompBpf(DEFAULT_SECCOMP_CONFIG, 'x86_64');
 * bytes.length % 8; // 0
 * ```
 */
export function compileSeccompBpf(config: Valid<SeccompConfig>, arch: SeccompArch): Uint8Array {
  return encodeBpf(compileFilter(seccompFilterSpec(config, arch)));
}
