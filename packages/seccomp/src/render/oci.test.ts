import { readFileSync } from 'node:fs';
import { type SeccompConfig, unwrap, type Valid } from '@volt/core';
import type { SeccompProfile } from '@volt/core/profile';
import { describe, expect, it } from 'vitest';
import { seccompConfigFromProfile } from '../model/config.js';
import { expandMobyProfile, parseMobySeccompProfile } from '../model/moby.js';
import { mobyToOci, renderOciSeccomp } from './oci.js';

const strict13 = { profile: 'strict', action: { kind: 'errno', errno: 13 } } as const;
const valid = (part: SeccompProfile): Valid<SeccompConfig> =>
  unwrap(seccompConfigFromProfile({ ...strict13, ...part }));
const base = valid({});

describe('renderOciSeccomp', () => {
  it('renders an allowlist profile with the errno as defaultErrnoRet', () => {
    const oci = renderOciSeccomp(base, ['x86_64', 'aarch64']);
    expect(oci.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(oci.defaultErrnoRet).toBe(13);
    expect(oci.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64']);
    expect(oci.syscalls).toHaveLength(1);
    const names = oci.syscalls[0]?.names ?? [];
    expect(names).toContain('openat');
    expect(names).toContain('open');
    expect(names).not.toContain('mount');
    expect(names).toEqual([...names].sort());
  });

  it('leaves out names that none of the architectures has', () => {
    const names = renderOciSeccomp(base, ['aarch64']).syscalls[0]?.names ?? [];
    expect(names).not.toContain('open');
    expect(names).not.toContain('arch_prctl');
  });

  it('renders unconfined as allow-by-default with the deny list and the action', () => {
    expect(renderOciSeccomp(valid({ profile: 'unconfined' }), ['x86_64'])).toEqual({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [],
    });
    const oci = renderOciSeccomp(
      valid({ profile: 'unconfined', deny: ['@mount'], action: { kind: 'kill-process' } }),
      ['x86_64'],
    );
    expect(oci.syscalls[0]).toMatchObject({ action: 'SCMP_ACT_KILL_PROCESS' });
    expect(oci.syscalls[0]?.names).toContain('mount');
    expect(renderOciSeccomp(valid({ action: { kind: 'log' } }), ['x86_64']).defaultAction).toBe(
      'SCMP_ACT_LOG',
    );
  });

  it('converts an expanded Docker profile to OCI, keeping errnoRet and args', () => {
    const fixture: unknown = JSON.parse(
      readFileSync(new URL('../../test/fixtures/moby-seccomp-default.json', import.meta.url), 'utf8'),
    );
    const parsed = parseMobySeccompProfile(fixture);
    if (!parsed.ok) throw parsed.error;
    const oci = mobyToOci(expandMobyProfile(parsed.value, { arch: 'x86_64', capabilities: [] }));
    expect(oci.defaultErrnoRet).toBe(1);
    expect(oci.syscalls.find((rule) => rule.names.includes('clone3'))).toMatchObject({ errnoRet: 38 });
    expect(oci.syscalls.filter((rule) => rule.names.includes('personality')).every((rule) => rule.args)).toBe(
      true,
    );
  });
});
