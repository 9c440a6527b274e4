import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportMobySeccompProfile } from '../render/moby.js';
import {
  DOCKER_DEFAULT_CAPABILITIES,
  expandMobyProfile,
  mobyUnconditionalAllowlist,
  parseMobySeccompProfile,
} from './moby.js';

// The fixture is Docker's default profile (moby/profiles seccomp/default.json), kept in the test data.
const fixturePath = new URL('../../test/fixtures/moby-seccomp-default.json', import.meta.url);
const fixture: unknown = JSON.parse(readFileSync(fixturePath, 'utf8'));

function load() {
  const result = parseMobySeccompProfile(fixture);
  if (!result.ok) throw result.error;
  return result.value;
}

describe('Docker/moby profiles', () => {
  it('imports the default profile and exports it again without losing a rule', () => {
    const profile = load();
    expect(profile.syscalls.length).toBe(33);
    expect(JSON.parse(exportMobySeccompProfile(profile))).toEqual(fixture);
  });

  it('expands for an architecture and capability set as moby does', () => {
    const profile = load();
    const amd64 = expandMobyProfile(profile, { arch: 'x86_64', capabilities: DOCKER_DEFAULT_CAPABILITIES });
    const names = mobyUnconditionalAllowlist(amd64);
    expect(names).toContain('arch_prctl');
    expect(names).toContain('chroot');
    expect(names).toContain('ptrace');
    expect(names).not.toContain('bpf');
    expect(names).not.toContain('arm_fadvise64_64');
    expect(amd64.rules.some((r) => r.names.includes('clone3') && r.errnoRet === 38)).toBe(true);
    expect(amd64.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);

    const arm64 = expandMobyProfile(profile, { arch: 'aarch64', capabilities: ['CAP_SYS_ADMIN'] });
    const armNames = mobyUnconditionalAllowlist(arm64);
    expect(armNames).toContain('arm_fadvise64_64');
    expect(armNames).not.toContain('arch_prctl');
    expect(armNames).toContain('bpf');
    expect(arm64.rules.some((r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO')).toBe(false);

    const oldKernel = expandMobyProfile(profile, { arch: 'x86_64', capabilities: [], kernel: '4.4' });
    expect(mobyUnconditionalAllowlist(oldKernel)).not.toContain('ptrace');
  });

  it('refuses unknown fields and bad values with the path', () => {
    const bad = {
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [{ names: ['read'], action: 'ALLOW', extra: 1 }],
    };
    const result = parseMobySeccompProfile(bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.every((issue) => issue.code === 'PARSE_ERROR')).toBe(true);
    expect(result.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        ['syscalls', 0, 'action'],
        ['syscalls', 0],
      ]),
    );
    const noName = parseMobySeccompProfile({
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [{ action: 'SCMP_ACT_ALLOW' }],
    });
    expect(noName.ok ? undefined : noName.error.path).toEqual(['syscalls', 0]);
  });

  it('checks capability names and kernel versions', () => {
    const profile = load();
    expect(() => expandMobyProfile(profile, { arch: 'x86_64', capabilities: ['sys_admin'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE', path: ['capabilities', 0] }),
    );
    expect(() => expandMobyProfile(profile, { arch: 'x86_64', capabilities: [], kernel: '6' })).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE' }),
    );
  });
});
