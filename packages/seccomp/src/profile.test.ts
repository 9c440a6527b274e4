import type { SeccompConfig } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYSCALL_GROUPS } from './catalog.generated.js';
import { expandSyscallGroup, expandSyscallNames, knownSyscalls, syscallNumber } from './catalog.js';
import { expandSeccompConfig, resolveSeccompNames, validateSeccompConfig } from './profile.js';

const base: SeccompConfig = { profile: 'default', allow: [], deny: [], action: { kind: 'errno', errno: 1 } };

describe('catalog', () => {
  it('has every group the issue names', () => {
    const expected =
      '@default @aio @basic-io @chown @clock @cpu-emulation @debug @file-system @io-event @ipc @keyring @memlock @module @mount @network-io @obsolete @pkey @privileged @process @raw-io @reboot @resources @sandbox @setuid @signal @swap @sync @system-service @timer @known';
    expect(Object.keys(SYSCALL_GROUPS).sort()).toEqual(expected.split(' ').sort());
  });

  it('knows the numbers of well-known calls on both architectures', () => {
    expect(syscallNumber('x86_64', 'mount')).toBe(165);
    expect(syscallNumber('aarch64', 'mount')).toBe(40);
    expect(syscallNumber('x86_64', 'landlock_create_ruleset')).toBe(444);
    expect(syscallNumber('aarch64', 'landlock_create_ruleset')).toBe(444);
    expect(syscallNumber('aarch64', 'open')).toBeUndefined();
    expect(syscallNumber('x86_64', 'nope')).toBeUndefined();
  });

  it('expands nested groups', () => {
    expect(expandSyscallGroup('@privileged')).toContain('fchownat');
    expect(expandSyscallGroup('@system-service')).toContain('openat');
    expect(knownSyscalls().length).toBeGreaterThan(400);
  });
});

describe('validateSeccompConfig', () => {
  it('keeps only the fields it checked, and refuses what is not a configuration', () => {
    const input = { ...base, action: { kind: 'log', errno: 5 }, extra: 1 } as unknown as SeccompConfig;
    const result = validateSeccompConfig(input);
    expect(result.ok && result.value).toEqual({ ...base, action: { kind: 'log' } });
    const wrong = validateSeccompConfig('strict' as unknown as SeccompConfig);
    expect(wrong.ok === false && wrong.error.code).toBe('INVALID_VALUE');
  });

  it('accepts names and groups', () => {
    expect(validateSeccompConfig({ ...base, allow: ['mount', '@clock'], deny: ['@sandbox'] }).ok).toBe(true);
  });

  it('reports every problem with its path and what is accepted', () => {
    const result = validateSeccompConfig({
      ...base,
      allow: ['mount', 'mnt'],
      deny: ['@nope'],
      action: { kind: 'errno', errno: 5000 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['INVALID_SYSCALL', ['allow', 1]],
      ['INVALID_SYSCALL', ['deny', 0]],
      ['INVALID_VALUE', ['action', 'errno']],
    ]);
    expect(result.issues[0]?.message).toMatch(/accepted: a system call name/);
    expect(result.issues[1]?.message).toMatch(/@mount/);
  });

  it('suggests a close name', () => {
    const result = validateSeccompConfig({ ...base, allow: ['opneat'] });
    expect(result.ok ? undefined : result.error.hint).toBe('did you mean openat?');
  });

  it('rejects an unknown profile', () => {
    const result = validateSeccompConfig({ ...base, profile: 'loose' as 'strict' });
    expect(result.ok ? undefined : result.error.code).toBe('INVALID_PROFILE');
  });

  it('never throws anything but a Result for arbitrary lists (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.array(fc.string()), (allow, deny) => {
        const result = validateSeccompConfig({ ...base, allow, deny });
        const valid = [...allow, ...deny].every(
          (entry) => Object.hasOwn(SYSCALL_GROUPS, entry) || knownSyscalls().includes(entry),
        );
        expect(result.ok).toBe(valid);
      }),
    );
  });
});

describe('profiles', () => {
  it('strict restricts system calls, not only capabilities', () => {
    const strict = resolveSeccompNames({ ...base, profile: 'strict' });
    if (strict.mode !== 'allowlist') throw new Error('strict is an allowlist');
    for (const name of ['mount', 'umount2', 'pivot_root', 'setns', 'unshare', 'kexec_load', 'bpf', 'ptrace'])
      expect(strict.allowed.has(name), name).toBe(false);
    for (const name of ['openat', 'read', 'execve', 'clone', 'landlock_create_ruleset', 'seccomp'])
      expect(strict.allowed.has(name), name).toBe(true);
  });

  it('default is nspawn’s list plus the landlock calls', () => {
    const names = resolveSeccompNames(base);
    if (names.mode !== 'allowlist') throw new Error('default is an allowlist');
    expect(names.allowed.has('mount')).toBe(true);
    expect(names.allowed.has('landlock_restrict_self')).toBe(true);
    expect(names.allowed.has('kexec_load')).toBe(false);
  });

  it('user allow takes back a profile denial; user deny always wins', () => {
    const names = resolveSeccompNames({ ...base, profile: 'strict', allow: ['@mount'], deny: ['umount2'] });
    if (names.mode !== 'allowlist') throw new Error('strict is an allowlist');
    expect(names.allowed.has('mount')).toBe(true);
    expect(names.allowed.has('umount2')).toBe(false);
  });

  it('expands per architecture and lists what an architecture lacks', () => {
    const set = expandSeccompConfig({ ...base, profile: 'strict' }, 'aarch64');
    expect(set.numbers).not.toContain(40);
    expect(set.absent).toContain('open');
    expect(set.numbers).toEqual([...set.numbers].sort((a, b) => a - b));
  });

  it('throws INVALID_SYSCALL when expanding an invalid config', () => {
    expect(() => expandSeccompConfig({ ...base, deny: ['nope'] }, 'x86_64')).toThrow(
      expect.objectContaining({ code: 'INVALID_SYSCALL', path: ['deny', 0] }),
    );
  });
});

describe('expandSyscallNames', () => {
  it('expands groups, keeps names, and drops duplicates', () => {
    const names = expandSyscallNames(['@chown', 'mount', 'fchownat']);
    expect(names.has('mount')).toBe(true);
    expect([...expandSyscallGroup('@chown')].every((name) => names.has(name))).toBe(true);
    expect(names.size).toBe(new Set([...expandSyscallGroup('@chown'), 'mount']).size);
  });
});
