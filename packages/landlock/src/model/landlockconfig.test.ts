import { LANDLOCK_FS_RIGHTS } from '@volt/core';
import { describe, expect, it } from 'vitest';
import { landlockPolicyFromConfig } from './landlockconfig.js';

const located = (result: ReturnType<typeof landlockPolicyFromConfig>) =>
  result.ok ? [] : result.issues.map((issue) => [issue.code, issue.path.join('.')]);

describe('landlockPolicyFromConfig', () => {
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

  it('refuses a bad document shape and a bad policy in it, each problem where the document has it', () => {
    expect(
      located(
        landlockPolicyFromConfig({
          ruleset: [{ handledAccessFs: ['abi.all'], bogus: 1 }],
          pathBeneath: [{ allowedAccess: ['fly'], parent: ['/x'] }],
          netPort: [{ allowedAccess: ['bind_tcp'], port: [70000] }],
          variable: [],
        }),
      ),
    ).toEqual([
      ['PARSE_ERROR', 'variable'],
      ['PARSE_ERROR', 'ruleset.0.bogus'],
      ['PARSE_ERROR', 'ruleset.0.handledAccessFs.0'],
      ['INVALID_VALUE', 'pathBeneath.0.allowedAccess'],
      ['INVALID_VALUE', 'netPort.0.port.0'],
    ]);
    expect(landlockPolicyFromConfig('nope').ok).toBe(false);
    expect(located(landlockPolicyFromConfig({ abi: 0, volt: { compatibility: 'maybe' } }))).toEqual([
      ['PARSE_ERROR', 'abi'],
      ['INVALID_VALUE', 'volt.compatibility'],
    ]);
  });

  it('refuses rules that grant what the document does not handle, once per rule', () => {
    const result = landlockPolicyFromConfig({
      abi: 4,
      pathBeneath: [{ allowedAccess: ['read_file'], parent: ['/a', '/b'] }],
      netPort: [{ allowedAccess: ['bind_tcp'], port: [80] }],
    });
    expect(located(result)).toEqual([
      ['INVALID_ACCESS_RIGHT', 'pathBeneath.0.allowedAccess'],
      ['INVALID_ACCESS_RIGHT', 'pathBeneath.0.allowedAccess'],
      ['INVALID_ACCESS_RIGHT', 'netPort.0.allowedAccess'],
    ]);
    expect(result.ok || result.issues.map((issue) => issue.message.slice(0, 20))).toEqual([
      'the rule for "/a": i',
      'the rule for "/b": i',
      'the rule for port 80',
    ]);
  });
});
