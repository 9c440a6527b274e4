import { type SeccompConfig, VoltError } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYSCALL_GROUPS } from './catalog.generated.js';
import { knownSyscalls } from './catalog.js';
import { renderNspawnSeccomp } from './nspawn.js';

const base: SeccompConfig = { profile: 'default', allow: [], deny: [], action: { kind: 'errno', errno: 1 } };
const trusted = { boot: false, settingsTrusted: true } as const;

function render(config: SeccompConfig, options: { boot: boolean; settingsTrusted: boolean } = trusted) {
  const result = renderNspawnSeccomp(config, options);
  if (!result.ok) throw result.error;
  return result.value;
}

describe('renderNspawnSeccomp', () => {
  it('default allows the landlock calls nspawn 252 lacks and denies nothing nspawn would allow by itself', () => {
    const out = render(base);
    expect(out.arguments[0]).toBe(
      '--system-call-filter=landlock_add_rule landlock_create_ruleset landlock_restrict_self ptrace reboot vhangup',
    );
    expect(out.arguments[1]).toMatch(/^--system-call-filter=~acct adjtimex /);
    expect(out.environment).toEqual({});
  });

  it('strict denies by single names, never by group (nspawn matches denials by exact entry name)', () => {
    const out = render({ ...base, profile: 'strict' });
    const deny = out.systemCallFilter.find((value) => value.startsWith('~')) ?? '';
    expect(deny).not.toMatch(/@/);
    for (const name of ['mount', 'umount2', 'pivot_root', 'chown', 'setns', 'unshare', 'io_uring_setup'])
      expect(deny.split(/[~ ]/)).toContain(name);
    for (const name of ['capset', 'setresuid', 'setgroups', 'setresgid'])
      expect(deny.split(/[~ ]/)).not.toContain(name);
  });

  it('unconfined switches nspawn’s filter off through the environment, not an empty ~', () => {
    const out = render({ ...base, profile: 'unconfined' }, { boot: true, settingsTrusted: false });
    expect(out).toMatchObject({ arguments: [], systemCallFilter: [], environment: { SYSTEMD_SECCOMP: '0' } });
    expect(out.notes.join('\n')).toMatch(/Environment=SYSTEMD_SECCOMP=0/);
  });

  it('refuses unconfined with a deny list', () => {
    const result = renderNspawnSeccomp({ ...base, profile: 'unconfined', deny: ['mount'] }, trusted);
    expect(result.ok ? undefined : [result.error.code, result.error.path]).toEqual(['CONFLICT', ['deny']]);
  });

  it('Boot=yes: default and unconfined boot; strict is refused with the calls systemd needs', () => {
    expect(renderNspawnSeccomp(base, { boot: true, settingsTrusted: true }).ok).toBe(true);
    const strict = renderNspawnSeccomp({ ...base, profile: 'strict' }, { boot: true, settingsTrusted: true });
    expect(strict.ok).toBe(false);
    if (strict.ok) return;
    expect(strict.error.code).toBe('CONFLICT');
    expect(strict.error.path).toEqual(['profile']);
    expect(strict.error.message).toMatch(/mount/);
    expect(strict.error.hint).toMatch(/volt sandbox run --seccomp strict/);
    const noMount = renderNspawnSeccomp({ ...base, deny: ['mount'] }, { boot: true, settingsTrusted: true });
    expect(noMount.ok).toBe(false);
  });

  it('refuses allow entries in an untrusted settings file, accepts a deny-only filter there', () => {
    const untrusted = { boot: false, settingsTrusted: false };
    const result = renderNspawnSeccomp(base, untrusted);
    expect(result.ok ? undefined : result.error.code).toBe('CONFLICT');
    expect(result.ok ? undefined : result.error.hint).toMatch(/\/etc\/systemd\/nspawn/);
    const denyOnly = render(
      {
        ...base,
        deny: ['@sandbox', 'ptrace', 'process_vm_readv', 'process_vm_writev', 'reboot', 'vhangup', 'mount'],
      },
      untrusted,
    );
    expect(denyOnly.systemCallFilter).toHaveLength(1);
    expect(denyOnly.systemCallFilter[0]).toMatch(/^~.* mount /);
  });

  it('refuses a filter that denies what nspawn itself calls after installing it', () => {
    const result = renderNspawnSeccomp({ ...base, deny: ['setresuid'] }, trusted);
    expect(result.ok ? undefined : result.error.message).toMatch(/setresuid/);
  });

  it('notes that nspawn always answers EPERM', () => {
    expect(render({ ...base, action: { kind: 'kill-process' } }).notes.join()).toMatch(/EPERM/);
    expect(render(base).notes).toEqual([]);
  });

  it('renders both routes identically or fails with a VoltError, for any entries (property)', () => {
    const entry = fc.oneof(
      fc.constantFrom(...knownSyscalls(), ...Object.keys(SYSCALL_GROUPS)),
      fc.string({ maxLength: 12 }),
      fc.constantFrom('mount\n', 'a b', '~mount', '@', '', 'x=y', '[Exec]'),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('strict', 'default', 'unconfined' as const),
        fc.array(entry, { maxLength: 6 }),
        fc.array(entry, { maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        (profile, allow, deny, boot, settingsTrusted) => {
          let result: ReturnType<typeof renderNspawnSeccomp>;
          try {
            result = renderNspawnSeccomp({ ...base, profile, allow, deny }, { boot, settingsTrusted });
          } catch (error) {
            throw new Error(`threw instead of returning a Result: ${String(error)}`);
          }
          if (!result.ok) {
            expect(VoltError.isInstance(result.error)).toBe(true);
            return;
          }
          const { arguments: args, systemCallFilter } = result.value;
          expect(args).toEqual(systemCallFilter.map((value) => `--system-call-filter=${value}`));
          for (const value of systemCallFilter) expect(value).toMatch(/^~?[a-z0-9_]+( [a-z0-9_]+)*$/);
        },
      ),
      { numRuns: 300 },
    );
  });
});
