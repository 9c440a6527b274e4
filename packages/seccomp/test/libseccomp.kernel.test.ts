import { readFileSync } from 'node:fs';
import { unwrap } from '@volt/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIT_ARCH,
  type BpfInstruction,
  compileFilter,
  decodeBpf,
  expandMobyProfile,
  knownSyscalls,
  mobyUnconditionalAllowlist,
  parseMobySeccompProfile,
  resolveSeccompNames,
  SECCOMP_ARCHES,
  SECCOMP_RET,
  type SeccompArch,
  type SeccompProfileName,
  seccompConfigFromProfile,
  syscallNumber,
  X32_SYSCALL_BIT,
} from '../src/index.js';
import { runBpf } from './bpf-interpreter.js';
import { buildNativeTools, type NativeTools } from './native.js';

// Differential test: for the same allowlist, our filter and libseccomp's (seccomp_export_bpf, optimize
// levels 1 and 2) must decide every syscall number 0..1023 identically, run through the BPF interpreter.

let tools: NativeTools;
beforeAll(() => {
  tools = buildNativeTools();
});
afterAll(() => tools?.cleanup());

const EPERM = (SECCOMP_RET.ERRNO | 1) >>> 0;

function ours(arch: SeccompArch, names: readonly string[]): BpfInstruction[] {
  const rules = new Map<number, number>();
  for (const name of names) {
    const nr = syscallNumber(arch, name);
    if (nr !== undefined) rules.set(nr, SECCOMP_RET.ALLOW);
  }
  return compileFilter({ arch, defaultAction: EPERM, rules });
}

const probes = (arch: SeccompArch): { nr: number; arch: number }[] => {
  const out = [];
  for (let nr = 0; nr < 1024; nr++) out.push({ nr, arch: AUDIT_ARCH[arch] });
  for (const nr of [X32_SYSCALL_BIT, X32_SYSCALL_BIT + 1, X32_SYSCALL_BIT + 513, 0xfffffffe, 0xffffffff])
    out.push({ nr, arch: AUDIT_ARCH[arch] });
  const foreign = arch === 'x86_64' ? AUDIT_ARCH.aarch64 : AUDIT_ARCH.x86_64;
  out.push({ nr: 0, arch: foreign }, { nr: 1, arch: 0x40000003 });
  return out;
};

function expectSameDecisions(arch: SeccompArch, names: readonly string[]): void {
  const mine = ours(arch, names);
  for (const optimize of [1, 2] as const) {
    const reference = decodeBpf(tools.libseccompFilter(arch, optimize, 1, names));
    for (const data of probes(arch)) {
      const expected = runBpf(reference, data).action;
      const actual = runBpf(mine, data).action;
      if (actual !== expected)
        expect.fail(
          `${arch} optimize=${optimize} nr=${data.nr} arch=${data.arch}: ours ${actual}, libseccomp ${expected}`,
        );
    }
  }
}

const profileNames = (profile: SeccompProfileName): string[] => {
  const resolved = resolveSeccompNames(unwrap(seccompConfigFromProfile({ profile })));
  return resolved.mode === 'allowlist' ? [...resolved.allowed] : [];
};

const dockerAllowlist = (arch: SeccompArch): readonly string[] => {
  const fixture = new URL('./fixtures/moby-seccomp-default.json', import.meta.url);
  const parsed = parseMobySeccompProfile(JSON.parse(readFileSync(fixture, 'utf8')));
  if (!parsed.ok) throw parsed.error;
  return mobyUnconditionalAllowlist(
    expandMobyProfile(parsed.value, { arch, capabilities: ['CAP_SYS_CHROOT'] }),
  );
};

describe('our filter decides exactly as libseccomp 2.5.4 does', () => {
  for (const arch of SECCOMP_ARCHES) {
    it(`Docker's default allowlist on ${arch}`, () => expectSameDecisions(arch, dockerAllowlist(arch)));
    for (const profile of ['strict', 'default'] as const) {
      it(`${profile} allowlist on ${arch}`, () => expectSameDecisions(arch, profileNames(profile)));
    }
    it(`every known call allowed on ${arch}`, () => expectSameDecisions(arch, knownSyscalls()));
    it(`nothing allowed on ${arch}`, () => expectSameDecisions(arch, []));
    it(`random allowlists on ${arch}`, () => {
      fc.assert(
        fc.property(fc.subarray([...knownSyscalls()], { minLength: 1 }), (names) =>
          expectSameDecisions(arch, names),
        ),
        { numRuns: Math.ceil((15 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100) },
      );
    });
  }
});
