import type { LandlockPolicy, Valid } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  landlockPolicy,
  landlockPreset,
  withRestrictFlags,
  withRules,
  withScopes,
} from '../model/builder.js';
import { resolveLandlockCompatibility } from '../model/compat.js';
import { pathRules } from '../model/rules.js';
import { renderHelperPolicy } from './helper-policy.js';

const resolve = (policy: Valid<LandlockPolicy>, abi = 9) => {
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

describe('renderHelperPolicy', () => {
  it('writes the fixed header and one record per rule', () => {
    const start = landlockPolicy({ abi: 7, compatibility: 'hard-requirement' });
    const policy = withRestrictFlags(
      withScopes(withRules(start, pathRules(['/srv'], ['execute', 'read-file'])), ['signal']),
      { logFlags: ['subdomains-off'] },
    );
    const bytes = renderHelperPolicy(resolve(withRules(policy, [{ port: 443, access: ['connect-tcp'] }])));
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
    const { header, records } = decode(renderHelperPolicy(resolve(policy), { fileRights: 'mask' }));
    expect(header).toMatchObject({
      unavailable: 'run',
      'file-rights': 'mask',
      'restrict-flags': '8',
      abi: '9',
    });
    expect(records.every((record) => record[2] === '1')).toBe(true);
  });

  it('keeps every path a policy may have inside its one token', () => {
    const component = fc.stringMatching(/^[A-Za-z0-9_+@,~-][A-Za-z0-9._+@,~-]{0,7}$/);
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 3 }), (parts) => {
        const path = `/${parts.join('/')}`;
        const policy = withRules(landlockPolicy({ abi: 7 }), pathRules([path], ['read-file']));
        expect(decode(renderHelperPolicy(resolve(policy))).records).toEqual([['path', '4', '0', path]]);
      }),
    );
  });

  it('keeps any path byte but NUL inside its one token, as the helper reads it', () => {
    // The format's own promise, wider than what the validator admits today: the rule's path is replaced
    // after validation, so that every byte but NUL is tried.
    const segment = fc
      .string({ unit: 'binary', minLength: 1 })
      .map((text) => text.replaceAll('/', '|').replaceAll('\0', '0'))
      .map((text) => (text === '.' || text === '..' ? `${text}x` : text));
    const resolution = resolve(withRules(landlockPolicy({ abi: 7 }), pathRules(['/x'], ['read-file'])));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), (parts) => {
        const path = `/${parts.join('/')}`;
        const policy = { ...resolution.policy, paths: [{ path, access: ['read-file'], optional: false }] };
        const bytes = renderHelperPolicy({
          ...resolution,
          policy: policy as unknown as typeof resolution.policy,
        });
        expect(decode(bytes).records).toEqual([['path', '4', '0', path]]);
      }),
    );
  });
});
