import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYSCALL_GROUPS } from './catalog.generated.js';
import { knownSyscalls } from './catalog.js';
import { DEFAULT_SECCOMP_CONFIG, parseSeccompConfig, seccompConfigFromProfile } from './config.js';

const EPERM = { kind: 'errno', errno: 1 } as const;

describe('seccompConfigFromProfile', () => {
  it('fills the defaults: profile default, no entries, EPERM', () => {
    expect(seccompConfigFromProfile({})).toEqual({
      ok: true,
      value: { profile: 'default', allow: [], deny: [], action: EPERM },
    });
    expect(DEFAULT_SECCOMP_CONFIG).toEqual({ profile: 'default', allow: [], deny: [], action: EPERM });
    expect(seccompConfigFromProfile({ profile: 'strict', action: { kind: 'log' } })).toEqual({
      ok: true,
      value: { profile: 'strict', allow: [], deny: [], action: { kind: 'log' } },
    });
  });

  it('accepts names and groups', () => {
    expect(seccompConfigFromProfile({ allow: ['mount', '@clock'], deny: ['@sandbox', 'cachestat'] }).ok).toBe(
      true,
    );
  });

  it('reports every problem at once, each with its path under the prefix and what is accepted', () => {
    const result = seccompConfigFromProfile({
      allow: ['mount', 'mnt'],
      deny: ['@nope', 'read', 'x y'],
      action: { kind: 'errno', errno: 5000 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['INVALID_SYSCALL', ['seccomp', 'allow', 1]],
      ['INVALID_SYSCALL', ['seccomp', 'deny', 0]],
      ['INVALID_SYSCALL', ['seccomp', 'deny', 2]],
      ['INVALID_VALUE', ['seccomp', 'action', 'errno']],
    ]);
    expect(result.issues[0]?.message).toBe(
      'unknown system call "mnt"; accepted: a system call name known to systemd or libseccomp (e.g. openat) or a @group',
    );
    expect(result.issues[1]?.message).toMatch(
      /^unknown system call group "@nope"; accepted groups: .*@mount/,
    );
    expect(result.issues[3]?.message).toMatch(/5000.*1 to 4095/);
    const inside = seccompConfigFromProfile({ deny: ['nope'] }, ['containers', 0, 'seccomp']);
    expect(inside.ok ? undefined : inside.error.path).toEqual(['containers', 0, 'seccomp', 'deny', 0]);
  });

  it('suggests a close name or group, and how to list them otherwise', () => {
    const near = seccompConfigFromProfile({ allow: ['opneat'] });
    expect(near.ok ? undefined : near.error.hint).toBe('did you mean openat?');
    const group = seccompConfigFromProfile({ deny: ['@mout'] });
    expect(group.ok ? undefined : group.error.hint).toBe('did you mean @mount?');
    const far = seccompConfigFromProfile({ deny: ['completely_unknown'] });
    expect(far.ok ? undefined : far.error.hint).toMatch(/systemd-analyze syscall-filter/);
  });

  it('does not keep the caller’s lists: changing them afterwards does not change the configuration', () => {
    const allow = ['mount'];
    const result = seccompConfigFromProfile({ allow });
    allow.push('not_a_syscall');
    expect(result.ok && result.value.allow).toEqual(['mount']);
  });

  it('accepts exactly the catalog’s names and groups (property)', () => {
    const entry = fc.oneof(
      fc.constantFrom(...knownSyscalls(), ...Object.keys(SYSCALL_GROUPS)),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), fc.array(entry, { maxLength: 6 }), (allow, deny) => {
        const result = seccompConfigFromProfile({ allow, deny });
        const known = (name: string) => Object.hasOwn(SYSCALL_GROUPS, name) || knownSyscalls().includes(name);
        const unknown = [...allow, ...deny].filter((name) => !known(name));
        expect(result.ok ? [] : result.issues.map((issue) => issue.code)).toEqual(
          unknown.map(() => 'INVALID_SYSCALL'),
        );
      }),
    );
  });
});

describe('parseSeccompConfig', () => {
  it('parses a profile name or a seccomp part as a profile document writes it', () => {
    expect(parseSeccompConfig('strict')).toEqual({
      ok: true,
      value: { profile: 'strict', allow: [], deny: [], action: EPERM },
    });
    expect(parseSeccompConfig({})).toEqual({ ok: true, value: DEFAULT_SECCOMP_CONFIG });
    expect(
      parseSeccompConfig({ profile: 'unconfined', deny: ['@mount'], action: { errno: 'EACCES' } }),
    ).toEqual({
      ok: true,
      value: { profile: 'unconfined', allow: [], deny: ['@mount'], action: { kind: 'errno', errno: 13 } },
    });
    expect(parseSeccompConfig({ action: 'kill-process' }).ok && true).toBe(true);
  });

  it('refuses unknown keys, unknown profiles and wrong shapes with the path', () => {
    const typo = parseSeccompConfig({ profil: 'strict' });
    expect(typo.ok ? undefined : [typo.error.code, typo.error.path]).toEqual([
      'INVALID_PROFILE',
      ['seccomp'],
    ]);
    const loose = parseSeccompConfig({ profile: 'loose' });
    expect(loose.ok ? undefined : loose.error.path).toEqual(['seccomp', 'profile']);
    const notList = parseSeccompConfig({ deny: 'mount' });
    expect(notList.ok ? undefined : notList.error.path).toEqual(['seccomp', 'deny']);
    const errno = parseSeccompConfig({ action: { errno: 5000 } });
    expect(errno.ok ? undefined : errno.error.path).toEqual(['seccomp', 'action', 'errno']);
  });

  it('checks names against the catalog once the shape is right, every problem at once', () => {
    const result = parseSeccompConfig({ allow: ['mount', 'mnt'], deny: ['@nope'] }, ['profile', 'seccomp']);
    expect(result.ok ? undefined : result.issues.map((issue) => issue.path)).toEqual([
      ['profile', 'seccomp', 'allow', 1],
      ['profile', 'seccomp', 'deny', 0],
    ]);
  });

  it('accepts every system call name of the catalog', () => {
    expect(parseSeccompConfig({ allow: [...knownSyscalls()] }).ok).toBe(true);
  });

  it('accepts every group of the catalog, also those with a hyphen', () => {
    const groups = Object.keys(SYSCALL_GROUPS);
    expect(groups.filter((group) => group.includes('-')).length).toBeGreaterThan(0);
    const result = parseSeccompConfig({ deny: groups });
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual([]);
  });

  it('gives the same configuration as seccompConfigFromProfile for the same part', () => {
    const part = { profile: 'strict', allow: ['@mount'], deny: ['umount2'] } as const;
    expect(parseSeccompConfig(part)).toEqual(seccompConfigFromProfile(part));
  });
});
