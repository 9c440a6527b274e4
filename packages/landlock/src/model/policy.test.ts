import { LANDLOCK_FS_RIGHTS, LANDLOCK_NET_RIGHTS, type LandlockPolicy, VoltError } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { landlockPolicy, landlockPreset, withRules } from './builder.js';
import { landlockPolicyFromProfile, parseLandlockPolicy } from './policy.js';
import { LANDLOCK_PRESET_RULES } from './presets.js';

const base: LandlockPolicy = landlockPolicy({ abi: 7 });

const issuesOf = (result: { ok: boolean; issues?: readonly VoltError[] }) =>
  (result.issues ?? []).map((issue) => [issue.code, issue.path.join('.')]);

describe('parseLandlockPolicy', () => {
  it('reads none, a preset name, a preset with rules, and a typed policy', () => {
    expect(parseLandlockPolicy('none')).toEqual({ ok: true, value: null });
    expect(parseLandlockPolicy('server')).toEqual({ ok: true, value: landlockPreset('server') });
    const policy = parseLandlockPolicy({ preset: 'desktop', scopes: ['signal'] });
    expect(policy.ok && policy.value?.scopes).toEqual(['signal']);
    expect(policy.ok && policy.value?.paths).toEqual(landlockPreset('desktop').paths);
    expect(parseLandlockPolicy(base)).toEqual({ ok: true, value: base });
  });

  it('normalises paths and refuses relative paths and .. with INVALID_PATH at their input path', () => {
    const result = parseLandlockPolicy({
      paths: [
        { path: '/srv//data/./', access: ['read-file'] },
        { path: 'tmp', access: ['read-file'] },
        { path: '/a/../b', access: ['read-file'] },
      ],
    });
    expect(issuesOf(result)).toEqual([
      ['INVALID_PATH', 'landlock.paths.1.path'],
      ['INVALID_PATH', 'landlock.paths.2.path'],
    ]);
    const good = parseLandlockPolicy({ paths: [{ path: '/srv//data/./', access: ['read-file'] }] });
    expect(good.ok && good.value?.paths).toEqual([
      { path: '/srv/data', access: ['read-file'], optional: false },
    ]);
  });

  it('refuses unknown keys, rule lists that are not lists and rules that are not objects', () => {
    expect(issuesOf(parseLandlockPolicy({ ...base, handeldFs: [] }, []))).toEqual([['INVALID_PROFILE', '']]);
    expect(
      issuesOf(parseLandlockPolicy({ paths: [{ path: '/x', acces: ['read-file'], access: ['read-file'] }] })),
    ).toEqual([['INVALID_PROFILE', 'landlock.paths.0']]);
    expect(issuesOf(parseLandlockPolicy({ ...base, paths: '/usr' }, []))).toEqual([
      ['INVALID_PROFILE', 'paths'],
    ]);
    expect(issuesOf(parseLandlockPolicy({ ...base, paths: [null], ports: [7] }, []))).toEqual([
      ['INVALID_PROFILE', 'paths.0'],
      ['INVALID_PROFILE', 'ports.0'],
    ]);
  });

  it('merges duplicate paths and ports, rights in kernel order', () => {
    const result = parseLandlockPolicy(
      {
        ...base,
        paths: [
          { path: '/srv/', access: ['read-dir'], optional: true },
          { path: '//srv', access: ['execute', 'read-file'], optional: false },
          { path: '/tmp', access: ['read-file'], optional: true },
          { path: '/tmp/.', access: ['write-file', 'write-file'], optional: true },
        ],
        ports: [
          { port: 80, access: ['connect-tcp'] },
          { port: 80, access: ['bind-tcp'] },
        ],
      },
      [],
    );
    expect(result.ok && result.value?.paths).toEqual([
      { path: '/srv', access: ['execute', 'read-file', 'read-dir'], optional: false },
      { path: '/tmp', access: ['write-file', 'read-file'], optional: true },
    ]);
    expect(result.ok && result.value?.ports).toEqual([{ port: 80, access: ['bind-tcp', 'connect-tcp'] }]);
  });

  it('reports every rule that grants an unhandled right or none at once, each with its input path', () => {
    const result = parseLandlockPolicy({
      ...base,
      handledFs: ['read-file'],
      handledNet: [],
      paths: [
        { path: '/etc', access: ['write-file'], optional: false },
        { path: '/x', access: [], optional: false },
        { path: '/y', access: ['read-file'], optional: false },
      ],
      ports: [{ port: 8080, access: ['bind-tcp'] }],
    });
    expect(issuesOf(result)).toEqual([
      ['INVALID_ACCESS_RIGHT', 'landlock.paths.0.access'],
      ['INVALID_ACCESS_RIGHT', 'landlock.paths.1.access'],
      ['INVALID_ACCESS_RIGHT', 'landlock.ports.0.access'],
    ]);
    expect(result.ok || result.issues.every((issue) => VoltError.isInstance(issue))).toBe(true);
    expect(result.ok || result.issues[0]?.message).toMatch(
      /the rule for "\/etc": it grants write-file, which the policy does not handle; accepted/,
    );
    expect(result.ok || result.issues[1]?.message).toMatch(/it grants no right; accepted: at least one/);
  });

  it('reports every problem of the shape at once, before the rules that need the whole policy', () => {
    const result = parseLandlockPolicy({
      ...base,
      paths: [
        { path: 'relative', access: ['read-file'], optional: false },
        { path: '/y', access: ['fly'], optional: false },
      ],
      ports: [{ port: 70000, access: ['bind-tcp'] }],
      compatibility: 'maybe',
    });
    expect(issuesOf(result)).toEqual([
      ['INVALID_PATH', 'landlock.paths.0.path'],
      ['INVALID_VALUE', 'landlock.paths.1.access.0'],
      ['INVALID_VALUE', 'landlock.ports.0.port'],
      ['INVALID_VALUE', 'landlock.compatibility'],
    ]);
  });

  it('gives a JavaScript caller of the builders exactly the errors the profile route gives', () => {
    const rule = fc.record({
      path: fc.constantFrom('/a', '/a/', 'b', '/c/../d', '/e f'),
      access: fc.subarray([...LANDLOCK_FS_RIGHTS], { maxLength: 3 }),
      optional: fc.boolean(),
    });
    const handledFs = fc.subarray([...LANDLOCK_FS_RIGHTS]);
    fc.assert(
      fc.property(handledFs, fc.array(rule, { maxLength: 4 }), (handled, paths) => {
        const start = { ...base, handledFs: handled };
        const profile = parseLandlockPolicy({ ...start, paths }, []);
        let built: unknown;
        try {
          built = { ok: true, value: withRules(start, paths) };
        } catch (error) {
          built = { ok: false, error };
        }
        if (profile.ok) expect(built).toEqual(profile);
        else expect(built).toEqual({ ok: false, error: profile.error });
      }),
    );
  });

  it('never throws on generated input, and what it accepts parses to itself', () => {
    const rule = fc.record({
      path: fc.oneof(fc.constantFrom('/a', '/a/', '/b', 'c', '/d/../e'), fc.string()),
      access: fc.array(fc.oneof(fc.constantFrom(...LANDLOCK_FS_RIGHTS), fc.string()), { maxLength: 4 }),
      optional: fc.boolean(),
    });
    const input = fc.record(
      {
        preset: fc.constantFrom('server', 'desktop', 'laptop'),
        handledFs: fc.subarray([...LANDLOCK_FS_RIGHTS]),
        handledNet: fc.subarray([...LANDLOCK_NET_RIGHTS]),
        paths: fc.array(rule, { maxLength: 6 }),
        ports: fc.array(
          fc.record({
            port: fc.integer({ min: -5, max: 70000 }),
            access: fc.subarray([...LANDLOCK_NET_RIGHTS]),
          }),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(input, (value) => {
        const result = parseLandlockPolicy(value);
        if (result.ok) expect(parseLandlockPolicy(result.value)).toEqual(result);
        else expect(result.issues.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('landlockPolicyFromProfile', () => {
  it('puts the profile on top of its preset: rules added, handled lists replaced', () => {
    const result = landlockPolicyFromProfile({
      preset: 'server',
      handledNet: ['bind-tcp'],
      ports: [{ port: 8080, access: ['bind-tcp'] }],
      paths: [{ path: '/srv', access: ['read-file'], optional: false }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.paths).toEqual([
      ...landlockPreset('server').paths,
      { path: '/srv', access: ['read-file'], optional: false },
    ]);
    expect(result.value.ports).toEqual([{ port: 8080, access: ['bind-tcp'] }]);
    expect(result.value.compatibility).toBe('best-effort');
  });

  it('without a preset: every filesystem right of the newest ABI, network and scopes left alone, best-effort', () => {
    const result = landlockPolicyFromProfile({
      paths: [{ path: '/srv', access: ['read-file'], optional: true }],
    });
    expect(result.ok && result.value).toEqual({
      handledFs: LANDLOCK_FS_RIGHTS,
      handledNet: [],
      paths: [{ path: '/srv', access: ['read-file'], optional: true }],
      ports: [],
      scopes: [],
      logFlags: [],
      threadSync: false,
      compatibility: 'best-effort',
    });
  });

  it("cuts a preset's rules to the rights the profile handles, and drops a rule left without rights", () => {
    const result = landlockPolicyFromProfile({ preset: 'server', handledFs: ['write-file', 'read-dir'] });
    expect(result.ok && result.value.paths.map((rule) => [rule.path, rule.access])).toEqual(
      LANDLOCK_PRESET_RULES.server.map((rule) => [
        rule.path,
        rule.access.filter((right) => right === 'write-file' || right === 'read-dir'),
      ]),
    );
    const writesOnly = landlockPolicyFromProfile({ preset: 'server', handledFs: ['write-file'] });
    expect(writesOnly.ok && writesOnly.value.paths.map((rule) => rule.path)).toEqual([
      '/app',
      '/tmp',
      '/var',
      '/run',
    ]);
  });

  it("locates a problem in the profile's own rules under the path given", () => {
    const result = landlockPolicyFromProfile(
      { preset: 'server', paths: [{ path: '/srv', access: ['bind-tcp' as never], optional: false }] },
      ['profiles', 0, 'landlock'],
    );
    expect(issuesOf(result)).toEqual([['INVALID_ACCESS_RIGHT', 'profiles.0.landlock.paths.0.access']]);
  });
});
