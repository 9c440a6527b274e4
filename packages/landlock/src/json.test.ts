import { LANDLOCK_FS_RIGHTS, LANDLOCK_NET_RIGHTS, LANDLOCK_SCOPES } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { landlockPolicy, landlockPreset } from './builder.js';
import { landlockPolicyFromConfig, landlockPolicyToConfig } from './json.js';
import { validateLandlockPolicy } from './policy.js';

describe('landlockconfig JSON interchange', () => {
  it('reads the landlockconfig example documents', () => {
    const writeTmp = landlockPolicyFromConfig({
      abi: 5,
      ruleset: [{ handledAccessFs: ['abi.all'], handledAccessNet: ['bind_tcp'] }],
      pathBeneath: [
        { allowedAccess: ['abi.read_execute'], parent: ['/bin', '/lib', '/usr', '/dev', '/etc', '/proc'] },
        { allowedAccess: ['abi.read_write'], parent: ['/tmp'] },
      ],
      netPort: [{ allowedAccess: ['bind_tcp'], port: [80, 443] }],
    });
    expect(writeTmp.ok).toBe(true);
    if (!writeTmp.ok) return;
    expect(writeTmp.value.handledFs).toEqual(LANDLOCK_FS_RIGHTS.slice(0, 16));
    expect(writeTmp.value.paths[0]).toEqual({
      path: '/bin',
      access: ['execute', 'read-file', 'read-dir'],
      optional: false,
    });
    expect(writeTmp.value.paths.at(-1)?.access).toEqual(LANDLOCK_FS_RIGHTS.slice(0, 16));
    expect(writeTmp.value.ports).toEqual([
      { port: 80, access: ['bind-tcp'] },
      { port: 443, access: ['bind-tcp'] },
    ]);
    const scoped = landlockPolicyFromConfig({
      abi: 6,
      ruleset: [{ handledAccessNet: ['abi.all'], scoped: ['abi.all'] }],
    });
    expect(scoped.ok && scoped.value.scopes).toEqual(['abstract-unix-socket', 'signal']);
    expect(scoped.ok && scoped.value.compatibility).toBe('best-effort');
  });

  it('writes the landlockconfig shape', () => {
    expect(landlockPolicyToConfig(landlockPreset('server', { abi: 3 }))).toMatchObject({
      abi: 3,
      ruleset: [{ handledAccessFs: expect.arrayContaining(['write_file', 'truncate']) }],
      pathBeneath: [
        {
          allowedAccess: ['execute', 'read_file', 'read_dir'],
          parent: ['/usr', '/lib', '/lib64', '/bin', '/sbin'],
        },
        { allowedAccess: ['read_file', 'read_dir'], parent: ['/etc'] },
        { allowedAccess: expect.arrayContaining(['make_dir']), parent: ['/app', '/tmp', '/var', '/run'] },
      ],
      volt: { compatibility: 'best-effort', optional: expect.arrayContaining(['/etc']) },
    });
  });

  it('leaves out the volt object on request, keeping only landlockconfig keys', () => {
    const document = landlockPolicyToConfig(landlockPreset('server'), { volt: false });
    expect(Object.keys(document).sort()).toEqual(['abi', 'pathBeneath', 'ruleset']);
    const back = landlockPolicyFromConfig(JSON.parse(JSON.stringify(document)));
    expect(back.ok && back.value.paths.map((rule) => rule.path)).toEqual(
      landlockPreset('server').paths.map((rule) => rule.path),
    );
  });

  it('refuses bad documents with every problem located', () => {
    const result = landlockPolicyFromConfig({
      ruleset: [{ handledAccessFs: ['abi.all'], bogus: 1 }],
      pathBeneath: [{ allowedAccess: ['fly'], parent: ['/x'] }],
      netPort: [{ allowedAccess: ['bind_tcp'], port: [70000] }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => [issue.code, issue.path.join('.')])).toEqual([
      ['PARSE_ERROR', 'ruleset.0.bogus'],
      ['PARSE_ERROR', 'ruleset.0.handledAccessFs.0'],
      ['INVALID_ACCESS_RIGHT', 'pathBeneath.0.allowedAccess'],
      ['INVALID_ACCESS_RIGHT', 'pathBeneath.0.allowedAccess'],
      ['INVALID_PORT', 'netPort.0.port.0'],
      ['INVALID_ACCESS_RIGHT', 'netPort.0.allowedAccess'],
    ]);
    expect(landlockPolicyFromConfig('nope').ok).toBe(false);
  });

  it('round-trips every valid policy', () => {
    const policy = fc
      .record({
        handledFs: fc.subarray([...LANDLOCK_FS_RIGHTS], { minLength: 1 }),
        handledNet: fc.subarray([...LANDLOCK_NET_RIGHTS]),
        scopes: fc.subarray([...LANDLOCK_SCOPES]),
        paths: fc.array(
          fc.record({
            path: fc.string({ minLength: 1 }).map((text) => `/${text}`),
            optional: fc.boolean(),
            pick: fc.nat(),
          }),
          { maxLength: 5 },
        ),
        ports: fc.array(fc.record({ port: fc.integer({ min: 0, max: 65535 }), pick: fc.nat() }), {
          maxLength: 4,
        }),
        threadSync: fc.boolean(),
        compatibility: fc.constantFrom('best-effort', 'soft-requirement', 'hard-requirement' as const),
      })
      .map((raw) =>
        validateLandlockPolicy({
          ...landlockPolicy(),
          handledFs: raw.handledFs,
          handledNet: raw.handledNet,
          scopes: raw.scopes,
          threadSync: raw.threadSync,
          compatibility: raw.compatibility,
          paths: raw.paths.map((rule) => ({
            path: rule.path,
            optional: rule.optional,
            access: [raw.handledFs[rule.pick % raw.handledFs.length] ?? 'execute'],
          })),
          ports:
            raw.handledNet.length === 0
              ? []
              : raw.ports.map((rule) => ({
                  port: rule.port,
                  access: [raw.handledNet[rule.pick % raw.handledNet.length] ?? 'bind-tcp'],
                })),
        }),
      )
      .filter((result) => result.ok)
      .map((result) => (result.ok ? result.value : landlockPolicy()));
    fc.assert(
      fc.property(policy, (value) => {
        const text = JSON.stringify(landlockPolicyToConfig(value));
        expect(landlockPolicyFromConfig(JSON.parse(text))).toEqual({ ok: true, value });
      }),
    );
  });
});
