import type { LandlockPolicy, Valid } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { landlockAbiFeatures } from '../model/abi.js';
import {
  landlockPolicy,
  landlockPreset,
  withCompatibility,
  withRestrictFlags,
  withRules,
  withScopes,
} from '../model/builder.js';
import { pathRules } from '../model/rules.js';
import { renderHelperPolicy } from './helper-policy.js';

const RECORD_SIZES: Readonly<Record<string, number>> = { feature: 7, path: 4, port: 3 };

/** The helper's reading of the format, as a test oracle: header pairs, then records. */
function decode(bytes: Uint8Array) {
  const tokens = new TextDecoder().decode(bytes).split('\0');
  expect(tokens.pop()).toBe('');
  const header = Object.fromEntries(
    Array.from({ length: 4 }, (_, index) => [tokens[index * 2], tokens[index * 2 + 1]]),
  );
  const records: string[][] = [];
  let index = 8;
  while (tokens[index] !== 'end') {
    const size = RECORD_SIZES[tokens[index] as string];
    expect(size).toBeDefined();
    records.push(tokens.slice(index, index + (size ?? 1)));
    index += size ?? 1;
  }
  expect(index).toBe(tokens.length - 1);
  return { header, records };
}

describe('renderHelperPolicy (format 2: the policy as asked)', () => {
  it('writes the header, every feature with the ABI and Linux release that has it, then the rules', () => {
    const start = landlockPolicy({ abi: 3, compatibility: 'hard-requirement', handle: { net: false } });
    const policy = withRestrictFlags(
      withScopes(withRules(start, pathRules(['/srv'], ['execute', 'read-file'])), ['signal']),
      { logFlags: ['subdomains-off'], threadSync: true },
    );
    const { header, records } = decode(renderHelperPolicy(policy));
    expect(header).toEqual({
      'volt-landlock-policy': '2',
      compatibility: 'hard-requirement',
      'file-rights': 'error',
      'file-rights-mask': String(1 | 2 | 4 | (1 << 14) | (1 << 15) | (1 << 16)),
    });
    const features = records.filter((record) => record[0] === 'feature');
    // 15 rights of ABI 3 (bit order), the signal scope, one logging flag, thread sync
    expect(features.map((record) => record[5])).toEqual([
      ...landlockAbiFeatures(3).fs.map((right) => `fs:${right}`),
      'scope:signal',
      'log-flag:subdomains-off',
      'thread-sync',
    ]);
    expect(features).toHaveLength(18);
    expect(features.find((record) => record[5] === 'fs:refer')).toEqual([
      'feature',
      'fs',
      String(1 << 13),
      '2',
      '5.19',
      'fs:refer',
      '; note: without it the kernel still denies every rename and link across directories (EXDEV)',
    ]);
    expect(features.slice(-3)).toEqual([
      ['feature', 'scope', '2', '6', '6.12', 'scope:signal', ''],
      ['feature', 'log-flag', '4', '7', '6.15', 'log-flag:subdomains-off', ''],
      ['feature', 'thread-sync', '8', '8', '7.0', 'thread-sync', ''],
    ]);
    expect(records.filter((record) => record[0] !== 'feature')).toEqual([['path', '5', '0', '/srv']]);
  });

  it('carries the compatibility mode as asked, and marks optional rules', () => {
    const policy = landlockPreset('server');
    const soft = decode(renderHelperPolicy(withCompatibility(policy, 'soft-requirement')));
    const best = decode(renderHelperPolicy(policy));
    expect([best.header['compatibility'], soft.header['compatibility']]).toEqual([
      'best-effort',
      'soft-requirement',
    ]);
    expect(soft.records).toEqual(best.records);
    const paths = best.records.filter((record) => record[0] === 'path');
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.every((record) => record[2] === '1')).toBe(true);
  });

  it('writes port rules after the path rules', () => {
    const policy = withRules(
      landlockPolicy({ abi: 4, handle: { scopes: false } }),
      pathRules(['/srv'], ['read-file']),
      [{ port: 443, access: ['connect-tcp'] }],
    );
    const { header, records } = decode(renderHelperPolicy(policy, { fileRights: 'mask' }));
    expect(header['file-rights']).toBe('mask');
    expect(records.slice(-2)).toEqual([
      ['path', '4', '0', '/srv'],
      ['port', '2', '443'],
    ]);
  });

  it('keeps every path a policy may have inside its one token', () => {
    const component = fc.stringMatching(/^[A-Za-z0-9_+@,~-][A-Za-z0-9._+@,~-]{0,7}$/);
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 3 }), (parts) => {
        const path = `/${parts.join('/')}`;
        const policy = withRules(landlockPolicy({ abi: 7 }), pathRules([path], ['read-file']));
        const paths = decode(renderHelperPolicy(policy)).records.filter((record) => record[0] === 'path');
        expect(paths).toEqual([['path', '4', '0', path]]);
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
    const base = withRules(landlockPolicy({ abi: 7 }), pathRules(['/x'], ['read-file']));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), (parts) => {
        const path = `/${parts.join('/')}`;
        const policy = { ...base, paths: [{ path, access: ['read-file'], optional: false }] };
        const paths = decode(renderHelperPolicy(policy as unknown as Valid<LandlockPolicy>)).records.filter(
          (record) => record[0] === 'path',
        );
        expect(paths).toEqual([['path', '4', '0', path]]);
      }),
    );
  });
});
