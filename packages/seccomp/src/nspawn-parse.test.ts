import { describe, expect, it } from 'vitest';
import { DEFAULT_SECCOMP_ACTION } from './export.js';
import { renderNspawnSeccomp } from './nspawn.js';
import { seccompConfigFromNspawn } from './nspawn-parse.js';

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
