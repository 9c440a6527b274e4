import { unwrap } from '@volt/core';
import type { SeccompProfile } from '@volt/core/profile';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderNspawnSeccomp } from '../render/nspawn.js';
import { SYSCALL_GROUPS } from './catalog.generated.js';
import { knownSyscalls } from './catalog.js';
import { DEFAULT_SECCOMP_ACTION, seccompConfigFromProfile } from './config.js';
import { seccompConfigFromNspawn } from './from-nspawn.js';
import { resolveSeccompNames } from './profiles.js';

const trusted = { boot: false, settingsTrusted: true } as const;

function linesOf(part: SeccompProfile): readonly string[] {
  return unwrap(renderNspawnSeccomp(unwrap(seccompConfigFromProfile(part)), trusted)).systemCallFilter;
}

describe('seccompConfigFromNspawn', () => {
  const parts: readonly SeccompProfile[] = [
    { profile: 'strict', deny: ['ptrace'] },
    { profile: 'default', deny: ['ptrace'] },
    { profile: 'strict', allow: ['@mount', 'kexec_load'], deny: ['@sandbox'] },
    { profile: 'default' },
  ];
  for (const part of parts) {
    it(`reads back what ${JSON.stringify(part)} renders (Boot=no), line for line`, () => {
      const lines = linesOf(part);
      const config = unwrap(seccompConfigFromNspawn(lines, {}));
      expect(config.profile).toBe('default');
      expect(config.action).toEqual(DEFAULT_SECCOMP_ACTION);
      expect(unwrap(renderNspawnSeccomp(config, trusted)).systemCallFilter).toEqual(lines);
    });
  }

  it('reads back the same allowed set and the same lines for any configuration nspawn can run (property)', () => {
    const groups = Object.keys(SYSCALL_GROUPS).filter((group) => group !== '@known' && group !== '@default');
    const entries = fc.uniqueArray(fc.constantFrom(...knownSyscalls(), ...groups), { maxLength: 6 });
    let compared = 0;
    fc.assert(
      fc.property(fc.constantFrom('default', 'strict' as const), entries, entries, (profile, allow, deny) => {
        const config = unwrap(seccompConfigFromProfile({ profile, allow, deny }));
        const rendered = renderNspawnSeccomp(config, trusted);
        if (!rendered.ok) return;
        compared++;
        const back = unwrap(
          seccompConfigFromNspawn(rendered.value.systemCallFilter, rendered.value.environment),
        );
        expect(unwrap(renderNspawnSeccomp(back, trusted)).systemCallFilter).toEqual(
          rendered.value.systemCallFilter,
        );
        const names = (resolved: ReturnType<typeof resolveSeccompNames>) =>
          resolved.mode === 'allowlist' ? [...resolved.allowed].sort() : [];
        expect(names(resolveSeccompNames(back))).toEqual(names(resolveSeccompNames(config)));
      }),
    );
    expect(compared).toBeGreaterThan(75);
  });

  it('denies what nspawn 252 lacks (landlock) unless a line allows it', () => {
    const config = unwrap(
      seccompConfigFromNspawn(['landlock_add_rule landlock_create_ruleset', '~ptrace'], {}),
    );
    expect(config.allow).toEqual(['landlock_add_rule', 'landlock_create_ruleset']);
    expect(config.deny).toEqual(['ptrace', 'landlock_restrict_self']);
    expect(unwrap(seccompConfigFromNspawn([], {})).deny).toEqual([
      'landlock_add_rule',
      'landlock_create_ruleset',
      'landlock_restrict_self',
    ]);
  });

  it('reads SYSTEMD_SECCOMP=0 as unconfined, and refuses it next to filter lines', () => {
    expect(seccompConfigFromNspawn([], { SYSTEMD_SECCOMP: '0' })).toEqual({
      ok: true,
      value: { profile: 'unconfined', allow: [], deny: [], action: DEFAULT_SECCOMP_ACTION },
    });
    const both = seccompConfigFromNspawn(['~mount'], { SYSTEMD_SECCOMP: '0' });
    expect(both.ok ? undefined : both.error.code).toBe('CONFLICT');
  });

  it('refuses unknown names through the one validator, every one with its path and hint', () => {
    const result = seccompConfigFromNspawn(['read opneat', '~not_a_syscall @nope'], {}, [
      'Exec',
      'SystemCallFilter',
    ]);
    expect(
      result.ok ? undefined : result.issues.map((issue) => [issue.code, issue.path, issue.hint]),
    ).toEqual([
      ['INVALID_SYSCALL', ['Exec', 'SystemCallFilter', 'allow', 1], 'did you mean openat?'],
      ['INVALID_SYSCALL', ['Exec', 'SystemCallFilter', 'deny', 0], expect.stringMatching(/syscall-filter/)],
      ['INVALID_SYSCALL', ['Exec', 'SystemCallFilter', 'deny', 1], expect.stringMatching(/syscall-filter/)],
    ]);
  });
});
