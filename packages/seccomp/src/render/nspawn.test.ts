import { type SeccompConfig, unwrap, type Valid, VoltError } from '@volt/core';
import type { SeccompProfile } from '@volt/core/profile';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYSCALL_GROUPS } from '../model/catalog.generated.js';
import { expandSyscallGroup, isSyscallGroup, knownSyscalls } from '../model/catalog.js';
import { seccompConfigFromProfile } from '../model/config.js';
import { NSPAWN_BUILTIN_ALLOW_LIST, NSPAWN_CAPABILITY_ALLOW_LIST } from '../model/nspawn-builtin.js';
import { resolveSeccompNames } from '../model/profiles.js';
import { type NspawnSeccompOptions, renderNspawnSeccomp } from './nspawn.js';

const trusted = { boot: false, settingsTrusted: true } as const;
const valid = (part: SeccompProfile): Valid<SeccompConfig> => unwrap(seccompConfigFromProfile(part));
const renderPart = (part: SeccompProfile, options: NspawnSeccompOptions = trusted) =>
  renderNspawnSeccomp(valid(part), options);
const render = (part: SeccompProfile, options: NspawnSeccompOptions = trusted) =>
  unwrap(renderPart(part, options));

describe('renderNspawnSeccomp', () => {
  it('default allows the landlock calls nspawn 252 lacks and denies nothing nspawn would allow by itself', () => {
    const out = render({ profile: 'default' });
    expect(out.arguments[0]).toBe(
      '--system-call-filter=landlock_add_rule landlock_create_ruleset landlock_restrict_self ptrace reboot vhangup',
    );
    expect(out.arguments[1]).toMatch(/^--system-call-filter=~acct adjtimex /);
    expect(out.environment).toEqual({});
  });

  it('strict denies by single names, never by group (nspawn matches denials by exact entry name)', () => {
    const out = render({ profile: 'strict' });
    const deny = out.systemCallFilter.find((value) => value.startsWith('~')) ?? '';
    expect(deny).not.toMatch(/@/);
    for (const name of ['mount', 'umount2', 'pivot_root', 'chown', 'setns', 'unshare', 'io_uring_setup'])
      expect(deny.split(/[~ ]/)).toContain(name);
    for (const name of ['capset', 'setresuid', 'setgroups', 'setresgid'])
      expect(deny.split(/[~ ]/)).not.toContain(name);
  });

  it('unconfined switches nspawn’s filter off through the environment, not an empty ~', () => {
    const out = render({ profile: 'unconfined' }, { boot: true, settingsTrusted: false });
    expect(out).toMatchObject({ arguments: [], systemCallFilter: [], environment: { SYSTEMD_SECCOMP: '0' } });
    expect(out.notes.join('\n')).toMatch(/Environment=SYSTEMD_SECCOMP=0/);
  });

  it('refuses unconfined with a deny list', () => {
    const result = renderPart({ profile: 'unconfined', deny: ['mount'] });
    expect(result.ok ? undefined : [result.error.code, result.error.path]).toEqual(['CONFLICT', ['deny']]);
  });

  it('Boot=yes: default and unconfined boot; strict is refused with the calls systemd needs', () => {
    const boot = { boot: true, settingsTrusted: true };
    expect(renderPart({ profile: 'default' }, boot).ok).toBe(true);
    const strict = renderPart({ profile: 'strict' }, boot);
    expect(strict.ok).toBe(false);
    if (strict.ok) return;
    expect(strict.error.code).toBe('CONFLICT');
    expect(strict.error.path).toEqual(['profile']);
    expect(strict.error.message).toMatch(/mount/);
    expect(strict.error.hint).toMatch(/volt sandbox run --seccomp strict/);
    expect(renderPart({ deny: ['mount'] }, boot).ok).toBe(false);
  });

  it('refuses allow entries in an untrusted settings file, accepts a deny-only filter there', () => {
    const untrusted = { boot: false, settingsTrusted: false };
    const result = renderPart({ profile: 'default' }, untrusted);
    expect(result.ok ? undefined : result.error.code).toBe('CONFLICT');
    expect(result.ok ? undefined : result.error.hint).toMatch(/\/etc\/systemd\/nspawn/);
    const denyOnly = render(
      { deny: ['@sandbox', 'ptrace', 'process_vm_readv', 'process_vm_writev', 'reboot', 'vhangup', 'mount'] },
      untrusted,
    );
    expect(denyOnly.systemCallFilter).toHaveLength(1);
    expect(denyOnly.systemCallFilter[0]).toMatch(/^~.* mount /);
  });

  it('refuses a filter that denies what nspawn itself calls after installing it', () => {
    const result = renderPart({ deny: ['setresuid'] });
    expect(result.ok ? undefined : result.error.message).toMatch(/setresuid/);
  });

  it('notes that nspawn always answers EPERM', () => {
    expect(render({ action: { kind: 'kill-process' } }).notes.join()).toMatch(/EPERM/);
    expect(render({}).notes).toEqual([]);
  });

  it('renders the same lines for the same configuration, whatever was rendered before', () => {
    const first = render({ profile: 'strict' });
    render({ profile: 'strict', allow: ['@mount'], deny: ['ptrace'] });
    expect(render({ profile: 'strict' })).toEqual(first);
    expect(render({ profile: 'strict' }).arguments).not.toBe(first.arguments);
  });

  const names = [...knownSyscalls()];
  const groups = Object.keys(SYSCALL_GROUPS).filter((group) => group !== '@known' && group !== '@default');
  const entries = fc.uniqueArray(fc.constantFrom(...names, ...groups), { maxLength: 6 });

  it('renders both routes identically or fails with a CONFLICT, for any valid entries (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('strict', 'default', 'unconfined' as const),
        entries,
        entries,
        fc.boolean(),
        fc.boolean(),
        (profile, allow, deny, boot, settingsTrusted) => {
          const result = renderPart({ profile, allow, deny }, { boot, settingsTrusted });
          if (!result.ok) {
            expect(VoltError.isInstance(result.error) && result.error.code).toBe('CONFLICT');
            return;
          }
          const { arguments: args, systemCallFilter } = result.value;
          expect(args).toEqual(systemCallFilter.map((value) => `--system-call-filter=${value}`));
          for (const value of systemCallFilter) expect(value).toMatch(/^~?[a-z0-9_]+( [a-z0-9_]+)*$/);
        },
      ),
    );
  });

  it('leaves the container exactly the allowed set, whatever capabilities it keeps (model of nspawn, property)', () => {
    // nspawn 252: its built-in list plus the entries of the capabilities the container keeps, then
    // `SystemCallFilter=` allow entries added and `~` entries removed (denials win).
    const expand = (list: readonly string[]) =>
      new Set(list.flatMap((entry) => (isSyscallGroup(entry) ? expandSyscallGroup(entry) : [entry])));
    const capabilities = Object.keys(NSPAWN_CAPABILITY_ALLOW_LIST);
    let compared = 0;
    fc.assert(
      fc.property(
        fc.constantFrom('default', 'strict' as const),
        entries,
        entries,
        fc.subarray(capabilities),
        (profile, allow, deny, kept) => {
          const config = valid({ profile, allow, deny });
          const rendered = renderNspawnSeccomp(config, trusted);
          if (!rendered.ok) return;
          compared++;
          const lines = rendered.value.systemCallFilter;
          const added = lines.filter((line) => !line.startsWith('~')).flatMap((line) => line.split(' '));
          const removed = lines
            .filter((line) => line.startsWith('~'))
            .flatMap((line) => line.slice(1).split(' '));
          const effective = expand([
            ...NSPAWN_BUILTIN_ALLOW_LIST,
            ...kept.flatMap((cap) => NSPAWN_CAPABILITY_ALLOW_LIST[cap] ?? []),
            ...added,
          ]);
          for (const name of removed) effective.delete(name);
          const resolved = resolveSeccompNames(config);
          const allowed = resolved.mode === 'allowlist' ? resolved.allowed : new Set<string>();
          expect([...effective].sort()).toEqual([...allowed].sort());
        },
      ),
    );
    expect(compared).toBeGreaterThan(50);
  });
});
