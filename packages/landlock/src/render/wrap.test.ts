import { describe, expect, it } from 'vitest';
import { landlockWrapCommand } from './wrap.js';

describe('landlockWrapCommand', () => {
  it('puts the helper, its policy and the optional seccomp filter before the command', () => {
    expect(
      landlockWrapCommand(
        { helperPath: '/volt/volt-landlock', policyPath: '/volt/policy', seccompPath: '/volt/bpf' },
        ['nginx', '-g', 'daemon off;'],
      ),
    ).toEqual([
      '/volt/volt-landlock',
      '--policy',
      '/volt/policy',
      '--seccomp-bpf',
      '/volt/bpf',
      '--',
      'nginx',
      '-g',
      'daemon off;',
    ]);
  });

  it('passes the network, resolv.conf and init options, with or without a policy, before the --', () => {
    expect(
      landlockWrapCommand(
        {
          helperPath: '/run/volt/volt-landlock',
          addresses: ['10.87.0.2/16', 'fd00::2/64'],
          gateways: ['10.87.0.1', 'fd00::1'],
          resolvConf: '/run/volt/resolv.conf',
          init: true,
        },
        ['--not-an-option'],
      ),
    ).toEqual([
      '/run/volt/volt-landlock',
      '--address',
      '10.87.0.2/16',
      '--address',
      'fd00::2/64',
      '--gateway',
      '10.87.0.1',
      '--gateway',
      'fd00::1',
      '--resolv-conf',
      '/run/volt/resolv.conf',
      '--init',
      '--',
      '--not-an-option',
    ]);
  });

  it('refuses an empty command and relative paths', () => {
    expect(() => landlockWrapCommand({ helperPath: '/h', policyPath: '/p' }, [])).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(() => landlockWrapCommand({ helperPath: 'h', policyPath: '/p' }, ['x'])).toThrow(
      expect.objectContaining({ code: 'INVALID_PATH' }),
    );
    expect(() => landlockWrapCommand({ helperPath: '/h', resolvConf: 'resolv.conf' }, ['x'])).toThrow(
      expect.objectContaining({ code: 'INVALID_PATH' }),
    );
  });
});
