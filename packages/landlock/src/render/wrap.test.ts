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

  it('refuses an empty command and relative paths', () => {
    expect(() => landlockWrapCommand({ helperPath: '/h', policyPath: '/p' }, [])).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(() => landlockWrapCommand({ helperPath: 'h', policyPath: '/p' }, ['x'])).toThrow(
      expect.objectContaining({ code: 'INVALID_PATH' }),
    );
  });
});
