import { unwrap } from '@volt/core';
import type { SeccompProfile } from '@volt/core/profile';
import { describe, expect, it } from 'vitest';
import { seccompConfigFromProfile } from './config.js';
import { NSPAWN_SELF_REQUIRED_SYSCALLS } from './nspawn-builtin.js';
import { expandSeccompConfig, resolveSeccompNames } from './profiles.js';

const valid = (part: SeccompProfile) => unwrap(seccompConfigFromProfile(part));

function allowedOf(part: SeccompProfile): ReadonlySet<string> {
  const names = resolveSeccompNames(valid(part));
  if (names.mode !== 'allowlist') throw new Error(`${part.profile} is an allowlist`);
  return names.allowed;
}

describe('profiles', () => {
  it('strict restricts system calls, not only capabilities, and keeps what nspawn itself calls', () => {
    const strict = allowedOf({ profile: 'strict' });
    for (const name of ['mount', 'umount2', 'pivot_root', 'setns', 'unshare', 'kexec_load', 'bpf', 'ptrace'])
      expect(strict.has(name), name).toBe(false);
    for (const name of ['openat', 'read', 'execve', 'clone', 'landlock_create_ruleset', 'seccomp'])
      expect(strict.has(name), name).toBe(true);
    for (const name of NSPAWN_SELF_REQUIRED_SYSCALLS) expect(strict.has(name), name).toBe(true);
  });

  it('default is nspawn’s list plus the landlock calls', () => {
    const allowed = allowedOf({ profile: 'default' });
    expect(allowed.has('mount')).toBe(true);
    expect(allowed.has('landlock_restrict_self')).toBe(true);
    expect(allowed.has('kexec_load')).toBe(false);
  });

  it('user allow takes back a profile denial; user deny always wins', () => {
    const allowed = allowedOf({ profile: 'strict', allow: ['@mount'], deny: ['umount2'] });
    expect(allowed.has('mount')).toBe(true);
    expect(allowed.has('umount2')).toBe(false);
    expect(allowedOf({ allow: ['kexec_load'], deny: ['kexec_load'] }).has('kexec_load')).toBe(false);
  });

  it('unconfined denies only its deny list, minus nothing the allow list takes back', () => {
    const names = resolveSeccompNames(valid({ profile: 'unconfined', allow: ['umount2'], deny: ['@mount'] }));
    expect(names.mode).toBe('denylist');
    if (names.mode !== 'denylist') return;
    expect(names.denied.has('mount')).toBe(true);
    expect(names.denied.has('umount2')).toBe(true);
    expect(names.denied.has('read')).toBe(false);
  });

  it('gives the same names for the same configuration, whatever was resolved before', () => {
    const first = allowedOf({ profile: 'strict' });
    allowedOf({ profile: 'strict', allow: ['@mount'] });
    expect(allowedOf({ profile: 'strict' })).toEqual(first);
    expect(first.has('mount')).toBe(false);
  });

  it('expands per architecture and lists what an architecture lacks', () => {
    const set = expandSeccompConfig(valid({ profile: 'strict' }), 'aarch64');
    expect(set.numbers).not.toContain(40);
    expect(set.absent).toContain('open');
    expect(set.numbers).toEqual([...set.numbers].sort((a, b) => a - b));
  });
});
