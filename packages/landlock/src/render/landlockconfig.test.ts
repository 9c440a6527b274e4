import {
  LANDLOCK_COMPATIBILITY_MODES,
  LANDLOCK_FS_RIGHTS,
  LANDLOCK_NET_RIGHTS,
  LANDLOCK_SCOPES,
} from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { landlockPreset } from '../model/builder.js';
import { landlockPolicyFromConfig } from '../model/landlockconfig.js';
import { validPolicy } from '../model/policy.js';
import { formatLandlockConfig, landlockPolicyToConfig } from './landlockconfig.js';

/** Path components from the characters a policy path may have, never `.` or `..`. */
const component = fc.stringMatching(/^[A-Za-z0-9_+@,~-][A-Za-z0-9._+@,~-]{0,7}$/);

/** Valid policies, built valid: every granted right is one of the handled ones. */
const validPolicies = fc
  .record({
    handledFs: fc.subarray([...LANDLOCK_FS_RIGHTS], { minLength: 1 }),
    handledNet: fc.subarray([...LANDLOCK_NET_RIGHTS]),
    scopes: fc.subarray([...LANDLOCK_SCOPES]),
    paths: fc.array(
      fc.record({
        components: fc.array(component, { minLength: 1, maxLength: 3 }),
        optional: fc.boolean(),
        pick: fc.nat(),
      }),
      { maxLength: 5 },
    ),
    ports: fc.array(fc.record({ port: fc.integer({ min: 0, max: 65535 }), pick: fc.nat() }), {
      maxLength: 4,
    }),
    threadSync: fc.boolean(),
    compatibility: fc.constantFrom(...LANDLOCK_COMPATIBILITY_MODES),
  })
  .map((raw) =>
    validPolicy({
      handledFs: raw.handledFs,
      handledNet: raw.handledNet,
      scopes: raw.scopes,
      threadSync: raw.threadSync,
      compatibility: raw.compatibility,
      paths: raw.paths.map((rule) => ({
        path: `/${rule.components.join('/')}`,
        optional: rule.optional,
        access: [raw.handledFs[rule.pick % raw.handledFs.length]],
      })),
      ports:
        raw.handledNet.length === 0
          ? []
          : raw.ports.map((rule) => ({
              port: rule.port,
              access: [raw.handledNet[rule.pick % raw.handledNet.length]],
            })),
    }),
  );

describe('landlockPolicyToConfig', () => {
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

  it('formats the document as indented JSON text with a final newline', () => {
    const policy = landlockPreset('desktop');
    expect(formatLandlockConfig(policy)).toBe(`${JSON.stringify(landlockPolicyToConfig(policy), null, 2)}\n`);
  });

  it('round-trips every valid policy through JSON text', () => {
    fc.assert(
      fc.property(validPolicies, (policy) => {
        const text = formatLandlockConfig(policy);
        expect(landlockPolicyFromConfig(JSON.parse(text))).toEqual({ ok: true, value: policy });
      }),
    );
  });
});
