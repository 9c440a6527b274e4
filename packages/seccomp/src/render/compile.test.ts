import { unwrap } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBpf } from '../../test/bpf-interpreter.js';
import { AUDIT_ARCH, SECCOMP_ARCHES, X32_SYSCALL_BIT } from '../model/catalog.js';
import { seccompConfigFromProfile } from '../model/config.js';
import { BPF_MAX_INSTRUCTIONS, decodeBpf, disassembleBpf, encodeBpf, SECCOMP_RET } from './bpf.js';
import { compileFilter, compileSeccompBpf, seccompFilterSpec, seccompReturnValue } from './compile.js';

const EPERM = (SECCOMP_RET.ERRNO | 1) >>> 0;

describe('compileFilter', () => {
  it('decides every number exactly as the rules say (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SECCOMP_ARCHES),
        fc.uniqueArray(fc.integer({ min: 0, max: 1100 }), { maxLength: 400 }),
        fc.constantFrom(EPERM, SECCOMP_RET.KILL_PROCESS, SECCOMP_RET.LOG, (SECCOMP_RET.ERRNO | 38) >>> 0),
        (arch, allowed, defaultAction) => {
          const rules = new Map(allowed.map((nr) => [nr, SECCOMP_RET.ALLOW]));
          const program = compileFilter({ arch, defaultAction, rules });
          const set = new Set(allowed);
          for (let nr = 0; nr <= 1200; nr++) {
            const { action } = runBpf(program, { nr, arch: AUDIT_ARCH[arch] });
            expect(action).toBe(set.has(nr) ? SECCOMP_RET.ALLOW : defaultAction);
          }
        },
      ),
      { numRuns: Math.ceil((60 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100) },
    );
  });

  it('keeps a different return value per number (property)', () => {
    const returnValue = fc.constantFrom(
      SECCOMP_RET.ALLOW,
      SECCOMP_RET.LOG,
      SECCOMP_RET.KILL_PROCESS,
      (SECCOMP_RET.ERRNO | 38) >>> 0,
      (SECCOMP_RET.ERRNO | 13) >>> 0,
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...SECCOMP_ARCHES),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 600 }), returnValue), { maxLength: 200 }),
        (arch, pairs) => {
          const rules = new Map(pairs);
          const program = compileFilter({ arch, defaultAction: EPERM, rules });
          for (let nr = 0; nr <= 640; nr++)
            expect(runBpf(program, { nr, arch: AUDIT_ARCH[arch] }).action).toBe(rules.get(nr) ?? EPERM);
        },
      ),
      { numRuns: Math.ceil((60 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100) },
    );
  });

  it('kills a foreign architecture before looking at the number', () => {
    const program = compileFilter({
      arch: 'x86_64',
      defaultAction: EPERM,
      rules: new Map([[0, SECCOMP_RET.ALLOW]]),
    });
    for (const arch of [AUDIT_ARCH.aarch64, 0x40000003 /* i386 */, 0])
      expect(runBpf(program, { nr: 0, arch })).toEqual({ action: SECCOMP_RET.KILL_PROCESS, executed: 3 });
  });

  it('kills x32 numbers on x86_64 and gives -1 the default action, as libseccomp does', () => {
    const program = compileFilter({
      arch: 'x86_64',
      defaultAction: EPERM,
      rules: new Map([[0, SECCOMP_RET.ALLOW]]),
    });
    const arch = AUDIT_ARCH.x86_64;
    expect(runBpf(program, { nr: X32_SYSCALL_BIT, arch }).action).toBe(SECCOMP_RET.KILL_PROCESS);
    expect(runBpf(program, { nr: X32_SYSCALL_BIT | 0, arch }).action).toBe(SECCOMP_RET.KILL_PROCESS);
    expect(runBpf(program, { nr: 0xfffffffe, arch }).action).toBe(SECCOMP_RET.KILL_PROCESS);
    expect(runBpf(program, { nr: 0xffffffff, arch }).action).toBe(EPERM);
    const arm = compileFilter({
      arch: 'aarch64',
      defaultAction: EPERM,
      rules: new Map([[0, SECCOMP_RET.ALLOW]]),
    });
    expect(runBpf(arm, { nr: X32_SYSCALL_BIT, arch: AUDIT_ARCH.aarch64 }).action).toBe(EPERM);
  });

  it('keeps lookups logarithmic and uses long jumps when a subtree is over 255 instructions', () => {
    const every = new Map(Array.from({ length: 700 }, (_, i) => [i * 2, SECCOMP_RET.ALLOW] as const));
    const program = compileFilter({ arch: 'aarch64', defaultAction: EPERM, rules: every });
    expect(program.length).toBeLessThanOrEqual(BPF_MAX_INSTRUCTIONS);
    expect(program.some((insn) => insn.code === 0x05)).toBe(true);
    for (const nr of [0, 1, 700, 1398, 1399, 5000]) {
      const result = runBpf(program, { nr, arch: AUDIT_ARCH.aarch64 });
      expect(result.action).toBe(nr % 2 === 0 && nr < 1400 ? SECCOMP_RET.ALLOW : EPERM);
      // prefix 3 + tree depth + ret 1, plus one `ja` per level whose left subtree exceeds 255 instructions
      expect(result.executed).toBeLessThanOrEqual(3 + Math.ceil(Math.log2(1401)) + 1 + 4);
    }
  });

  it('refuses a program over the kernel limit and out-of-range numbers', () => {
    const tooMany = new Map(Array.from({ length: 2100 }, (_, i) => [i * 2, SECCOMP_RET.ALLOW] as const));
    expect(() => compileFilter({ arch: 'aarch64', defaultAction: EPERM, rules: tooMany })).toThrow(/4096/);
    expect(() =>
      compileFilter({ arch: 'x86_64', defaultAction: EPERM, rules: new Map([[X32_SYSCALL_BIT, 0]]) }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_SYSCALL' }));
  });
});

describe('compileSeccompBpf', () => {
  it('round-trips through the sock_filter encoding', () => {
    const config = unwrap(
      seccompConfigFromProfile({ profile: 'strict', action: { kind: 'errno', errno: 13 } }),
    );
    const bytes = compileSeccompBpf(config, 'x86_64');
    expect(bytes.length % 8).toBe(0);
    expect(encodeBpf(decodeBpf(bytes))).toEqual(bytes);
    const program = decodeBpf(bytes);
    expect(runBpf(program, { nr: 165, arch: AUDIT_ARCH.x86_64 }).action).toBe(SECCOMP_RET.ERRNO | 13);
    expect(runBpf(program, { nr: 110, arch: AUDIT_ARCH.x86_64 }).action).toBe(SECCOMP_RET.ALLOW);
  });

  it('lists a program readably', () => {
    const program = compileFilter({
      arch: 'aarch64',
      defaultAction: EPERM,
      rules: new Map([[173, SECCOMP_RET.ALLOW]]),
    });
    expect(disassembleBpf(program).split('\n')).toEqual([
      '0000: ld [4]',
      '0001: jeq 0xc00000b7 ? 0003 : 0002',
      '0002: ret 0x80000000',
      '0003: ld [0]',
      '0004: jge 0xad ? 0006 : 0005',
      '0005: ret 0x50001',
      '0006: jge 0xae ? 0008 : 0007',
      '0007: ret 0x7fff0000',
      '0008: ret 0x50001',
    ]);
  });

  it('maps actions to seccomp return values', () => {
    expect(seccompReturnValue({ kind: 'errno', errno: 1 })).toBe(0x50001);
    expect(seccompReturnValue({ kind: 'kill-process' })).toBe(0x80000000);
    expect(seccompReturnValue({ kind: 'log' })).toBe(0x7ffc0000);
  });

  it('unconfined applies the action to its deny list only', () => {
    const spec = seccompFilterSpec(
      unwrap(
        seccompConfigFromProfile({
          profile: 'unconfined',
          deny: ['mount'],
          action: { kind: 'kill-process' },
        }),
      ),
      'aarch64',
    );
    expect(spec.defaultAction).toBe(SECCOMP_RET.ALLOW);
    expect([...spec.rules]).toEqual([[40, SECCOMP_RET.KILL_PROCESS]]);
  });
});
