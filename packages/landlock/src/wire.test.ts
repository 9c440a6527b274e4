import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  landlockPolicy,
  landlockPreset,
  pathRules,
  withRestrictFlags,
  withRules,
  withScopes,
} from './builder.js';
import { resolveLandlockCompatibility } from './compat.js';
import { landlockWrapCommand, parseHelperReport, serializeHelperPolicy } from './wire.js';

const resolve = (policy: Parameters<typeof resolveLandlockCompatibility>[0], abi = 9) => {
  const result = resolveLandlockCompatibility(policy, { abi });
  if (!result.ok) throw result.error;
  return result.value;
};

/** The helper's reading of the format, as a test oracle: header pairs, then records. */
function decode(bytes: Uint8Array) {
  const tokens = new TextDecoder().decode(bytes).split('\0');
  expect(tokens.pop()).toBe('');
  const header = Object.fromEntries(
    Array.from({ length: 9 }, (_, index) => [tokens[index * 2], tokens[index * 2 + 1]]),
  );
  const records: string[][] = [];
  let index = 18;
  while (tokens[index] !== 'end') {
    const kind = tokens[index] as string;
    const size = kind === 'path' ? 4 : 3;
    records.push(tokens.slice(index, index + size));
    index += size;
  }
  expect(index).toBe(tokens.length - 1);
  return { header, records };
}

describe('serializeHelperPolicy', () => {
  it('writes the fixed header and one record per rule', () => {
    const policy = withRestrictFlags(
      withScopes(withRules(landlockPolicy({ abi: 7 }), pathRules(['/srv'], ['execute', 'read-file'])), [
        'signal',
      ]),
      { logFlags: ['subdomains-off'] },
    );
    const bytes = serializeHelperPolicy(resolve(withRules(policy, [{ port: 443, access: ['connect-tcp'] }])));
    expect(decode(bytes)).toEqual({
      header: {
        'volt-landlock-policy': '1',
        abi: '7',
        fs: String(2 ** 16 - 1),
        net: '3',
        scoped: '2',
        'restrict-flags': '4',
        'file-rights': 'error',
        'file-rights-mask': String(1 | 2 | 4 | (1 << 14) | (1 << 15) | (1 << 16)),
        unavailable: 'fail',
      },
      records: [
        ['path', '5', '0', '/srv'],
        ['port', '2', '443'],
      ],
    });
  });

  it('marks best-effort policies as runnable without Landlock, optional paths, thread sync and masking', () => {
    const policy = withRestrictFlags(landlockPreset('server'), { threadSync: true });
    const { header, records } = decode(serializeHelperPolicy(resolve(policy), { fileRights: 'mask' }));
    expect(header).toMatchObject({
      unavailable: 'run',
      'file-rights': 'mask',
      'restrict-flags': '8',
      abi: '9',
    });
    expect(records.every((record) => record[2] === '1')).toBe(true);
  });

  it('keeps any path byte but NUL inside its one token', () => {
    const segment = fc
      .string({ unit: 'binary', minLength: 1 })
      .filter((text) => !/[\0/]/.test(text) && text !== '.' && text !== '..');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), (parts) => {
        const path = `/${parts.join('/')}`;
        const policy = withRules(landlockPolicy({ abi: 7 }), pathRules([path], ['read-file']));
        expect(decode(serializeHelperPolicy(resolve(policy))).records).toEqual([['path', '4', '0', path]]);
      }),
    );
  });
});

describe('parseHelperReport', () => {
  const encode = (...tokens: string[]) => new TextEncoder().encode(`${tokens.join('\0')}\0`);

  it('reads status records', () => {
    const report = parseHelperReport(
      encode(
        'abi',
        '7',
        'errata',
        '3',
        'missing',
        '/lib64',
        'masked',
        '16',
        '/dev/null',
        'enforced',
        'seccomp',
        '8',
        'ready',
      ),
    );
    expect(report).toEqual({
      ok: true,
      value: {
        abi: 7,
        errata: 3,
        enforced: true,
        ready: true,
        seccompInstructions: 8,
        dropped: [
          { feature: 'path:/lib64', reason: 'optional path does not exist' },
          { feature: 'path:/dev/null', reason: 'not a directory: directory-only rights masked (remove-dir)' },
        ],
      },
    });
  });

  it('turns helper errors into VoltErrors with stable codes and hints', () => {
    const report = parseHelperReport(
      encode('abi', '7', 'errata', '0', 'error', 'missing-path', '/x does not exist'),
    );
    expect(report.ok && report.value.error).toMatchObject({
      code: 'INVALID_PATH',
      message: 'volt-landlock: /x does not exist',
      hint: expect.stringContaining('--ignore-missing'),
    });
    const unsupported = parseHelperReport(encode('error', 'unsupported', 'no Landlock'));
    expect(unsupported.ok && unsupported.value.error?.code).toBe('UNSUPPORTED');
  });

  it('refuses malformed reports', () => {
    expect(parseHelperReport(new TextEncoder().encode('abi\u00007')).ok).toBe(false);
    expect(parseHelperReport(encode('bogus')).ok).toBe(false);
    // A helper that died before writing anything reports nothing; the caller treats that as not enforced.
    expect(parseHelperReport(new Uint8Array())).toEqual({
      ok: true,
      value: { abi: 0, errata: 0, enforced: false, ready: false, dropped: [] },
    });
  });
});

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
