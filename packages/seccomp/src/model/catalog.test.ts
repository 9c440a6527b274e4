import { describe, expect, it } from 'vitest';
import { SYSCALL_GROUPS } from './catalog.generated.js';
import {
  expandSyscallGroup,
  expandSyscallNames,
  isKnownSyscall,
  knownSyscalls,
  parseSeccompArch,
  seccompArchOfNode,
  syscallName,
  syscallNumber,
} from './catalog.js';

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
    expect(syscallName('x86_64', 165)).toBe('mount');
  });

  it('expands nested groups', () => {
    expect(expandSyscallGroup('@privileged')).toContain('fchownat');
    expect(expandSyscallGroup('@system-service')).toContain('openat');
    expect(knownSyscalls().length).toBeGreaterThan(400);
    expect(knownSyscalls()).toEqual([...knownSyscalls()].sort());
  });

  it('knows the members of every group and the names only libseccomp knows', () => {
    for (const group of Object.keys(SYSCALL_GROUPS) as (keyof typeof SYSCALL_GROUPS)[])
      for (const name of expandSyscallGroup(group)) expect(isKnownSyscall(name), name).toBe(true);
    expect(isKnownSyscall('cachestat')).toBe(true);
    expect(isKnownSyscall('opneat')).toBe(false);
  });

  it('expands a list of names and groups, keeping names and dropping duplicates', () => {
    const names = expandSyscallNames(['@chown', 'mount', 'fchownat']);
    expect(names.has('mount')).toBe(true);
    expect([...expandSyscallGroup('@chown')].every((name) => names.has(name))).toBe(true);
    expect(names.size).toBe(new Set([...expandSyscallGroup('@chown'), 'mount']).size);
  });

  it('parses architectures', () => {
    expect(parseSeccompArch('x86_64').ok).toBe(true);
    const amd64 = parseSeccompArch('amd64');
    expect(amd64.ok ? '' : amd64.error.message).toMatch(/accepted: x86_64, aarch64/);
    expect(seccompArchOfNode('arm64')).toEqual({ ok: true, value: 'aarch64' });
    const ia32 = seccompArchOfNode('ia32');
    expect(ia32.ok ? undefined : ia32.error.code).toBe('UNSUPPORTED');
  });
});
