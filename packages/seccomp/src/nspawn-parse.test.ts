import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYSCALL_GROUPS } from './catalog.generated.js';
import { expandSyscallGroup, isSyscallGroup, knownSyscalls } from './catalog.js';
import { DEFAULT_SECCOMP_ACTION } from './export.js';
import { renderNspawnSeccomp } from './nspawn.js';
import { NSPAWN_BUILTIN_ALLOW_LIST, NSPAWN_CAPABILITY_ALLOW_LIST } from './nspawn-builtin.js';
import { seccompConfigFromNspawn } from './nspawn-parse.js';
import { resolveSeccompNames } from './profile.js';

describe('seccompConfigFromNspawn', () => {
  for (const profile of ['strict', 'default'] as const) {
    it(`reads back what the ${profile} profile renders (Boot=no), line for line`, () => {
      const config = { profile, allow: [], deny: ['ptrace'], action: DEFAULT_SECCOMP_ACTION };
      const rendered = renderNspawnSeccomp(config, { boot: false, settingsTrusted: true });
      if (!rendered.ok) throw rendered.error;
      const parsed = seccompConfigFromNspawn(rendered.value.systemCallFilter, rendered.value.environment);
      if (!parsed.ok) throw parsed.error;
      const again = renderNspawnSeccomp(parsed.value, { boot: false, settingsTrusted: true });
      expect(again.ok && again.value.systemCallFilter).toEqual(rendered.value.systemCallFilter);
    });
  }

  it('reads SYSTEMD_SECCOMP=0 as unconfined, and refuses it next to filter lines', () => {
    expect(seccompConfigFromNspawn([], { SYSTEMD_SECCOMP: '0' })).toEqual({
      ok: true,
      value: { profile: 'unconfined', allow: [], deny: [], action: DEFAULT_SECCOMP_ACTION },
    });
    expect(seccompConfigFromNspawn(['~mount'], { SYSTEMD_SECCOMP: '0' }).ok).toBe(false);
  });

  it('refuses an unknown system call with its line index', () => {
    const result = seccompConfigFromNspawn(['read', '~not_a_syscall'], {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect([result.error.code, result.error.path]).toEqual(['INVALID_SYSCALL', [1]]);
    const group = seccompConfigFromNspawn(['~@nope'], {});
    if (!group.ok) expect(group.error.message).toMatch(/accepted/);
    expect(group.ok).toBe(false);
  });
});

describe('renderNspawnSeccomp with allow and deny lists', () => {
  const expand = (entries: readonly string[]) =>
    new Set(entries.flatMap((entry) => (isSyscallGroup(entry) ? expandSyscallGroup(entry) : [entry])));
  const always = expand(NSPAWN_BUILTIN_ALLOW_LIST);
  const maybe = expand([...NSPAWN_BUILTIN_ALLOW_LIST, ...Object.values(NSPAWN_CAPABILITY_ALLOW_LIST).flat()]);
  const names = [...knownSyscalls()].slice(0, 400);
  const groups = Object.keys(SYSCALL_GROUPS).filter((group) => group !== '@known' && group !== '@default');

  it('gives exactly the lines of the allowed set (reference: the whole set against nspawn lists)', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.constantFrom('default', 'strict'),
        fc.uniqueArray(fc.constantFrom(...names, ...groups), { maxLength: 6 }),
        fc.uniqueArray(fc.constantFrom(...names, ...groups), { maxLength: 6 }),
        (profile, allow, deny) => {
          const config = { profile, allow, deny, action: DEFAULT_SECCOMP_ACTION } as const;
          const rendered = renderNspawnSeccomp(config, { boot: false, settingsTrusted: true });
          if (!rendered.ok) return;
          compared++;
          const resolved = resolveSeccompNames(config);
          const allowed = resolved.mode === 'allowlist' ? resolved.allowed : new Set<string>();
          const allowLine = [...allowed].filter((name) => !always.has(name)).sort();
          const denyLine = [...maybe].filter((name) => !allowed.has(name)).sort();
          expect(rendered.value.systemCallFilter).toEqual([
            ...(allowLine.length > 0 ? [allowLine.join(' ')] : []),
            ...(denyLine.length > 0 ? [`~${denyLine.join(' ')}`] : []),
          ]);
        },
      ),
      { numRuns: 300 },
    );
    expect(compared).toBeGreaterThan(150);
  });
});
