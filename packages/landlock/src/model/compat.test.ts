import { LANDLOCK_COMPATIBILITY_MODES } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downgradeCases } from '../../test/downgrade-cases.js';
import {
  landlockPolicy,
  landlockPreset,
  withCompatibility,
  withRestrictFlags,
  withRules,
  withScopes,
} from './builder.js';
import { requiredLandlockAbi, resolveLandlockCompatibility } from './compat.js';
import { parseLandlockPolicy } from './policy.js';
import { readWrite } from './rules.js';

const everything = withRules(
  withRestrictFlags(withScopes(landlockPolicy({ abi: 9, compatibility: 'hard-requirement' }), ['signal']), {
    threadSync: true,
    logFlags: ['same-exec-off'],
  }),
  readWrite('/tmp'),
);

describe('the shared downgrade table (spec/downgrade-cases.json), against the resolver', () => {
  const cases = downgradeCases();

  it('has cases for every mode, failures and successes, and every ABI the helper can be told to emulate', () => {
    expect(new Set(cases.map((item) => item.policy.compatibility))).toEqual(
      new Set(LANDLOCK_COMPATIBILITY_MODES),
    );
    expect(cases.some((item) => 'failure' in item.expect)).toBe(true);
    expect(new Set(cases.map((item) => item.abi))).toEqual(new Set([0, 1, 2, 3, 4, 6, 7]));
  });

  for (const item of cases) {
    it(`${item.name} (ABI ${item.abi})`, () => {
      const result = resolveLandlockCompatibility(item.policy, { abi: item.abi });
      if ('failure' in item.expect) {
        expect(result.ok ? 'resolved' : { code: result.error.code, message: result.error.message }).toEqual({
          code: 'UNSUPPORTED',
          message: item.expect.failure,
        });
        return;
      }
      if (!result.ok) throw result.error;
      const { policy, status } = result.value;
      expect({
        enforcement: status.enforcement,
        kept: {
          handledFs: policy.handledFs,
          handledNet: policy.handledNet,
          scopes: policy.scopes,
          logFlags: policy.logFlags,
          threadSync: policy.threadSync,
          paths: policy.paths.map(({ path, access }) => ({ path, access })),
          ports: policy.ports,
        },
        dropped: status.dropped,
      }).toEqual(item.expect);
    });
  }
});

describe('resolveLandlockCompatibility', () => {
  it('best-effort on ABI 7 drops thread sync and resolve-unix and says why', () => {
    const result = resolveLandlockCompatibility(withCompatibility(everything, 'best-effort'), {
      abi: 7,
      errata: 3,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.status).toMatchObject({
      enforcement: 'partially',
      abi: 7,
      errata: 3,
      compatibility: 'best-effort',
    });
    expect(result.value.status.dropped).toEqual([
      { feature: 'fs:resolve-unix', reason: 'needs Landlock ABI 9 (Linux 7.1); this kernel has ABI 7' },
      { feature: 'thread-sync', reason: 'needs Landlock ABI 8 (Linux 7.0); this kernel has ABI 7' },
    ]);
    expect(result.value.policy.handledFs).not.toContain('resolve-unix');
    expect(result.value.policy.threadSync).toBe(false);
    expect(result.value.requiredAbi).toBe(7);
  });

  it('hard-requirement fails with UNSUPPORTED naming every missing feature', () => {
    const result = resolveLandlockCompatibility(everything, { abi: 7 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('UNSUPPORTED');
    expect(result.error.category).toBe('system');
    expect(result.error.message).toMatch(
      /fs:resolve-unix: needs Landlock ABI 9.*thread-sync: needs Landlock ABI 8/,
    );
  });

  it('is fully enforced when the kernel has everything', () => {
    const result = resolveLandlockCompatibility(everything, { abi: 9 });
    expect(result.ok && result.value.status).toMatchObject({ enforcement: 'fully', dropped: [] });
  });

  it('without Landlock: best-effort runs unenforced, soft and hard requirements fail', () => {
    const best = resolveLandlockCompatibility(landlockPreset('server'), { abi: 0 });
    expect(best.ok && best.value.status.enforcement).toBe('not');
    expect(best.ok && best.value.policy.paths).toEqual([]);
    for (const mode of ['soft-requirement', 'hard-requirement'] as const) {
      const result = resolveLandlockCompatibility(withCompatibility(landlockPreset('server'), mode), {
        abi: 0,
      });
      expect(result.ok).toBe(false);
    }
  });

  it('soft-requirement accepts a partial policy', () => {
    const result = resolveLandlockCompatibility(withCompatibility(everything, 'soft-requirement'), {
      abi: 3,
    });
    expect(result.ok && result.value.status.enforcement).toBe('partially');
    expect(result.ok && result.value.status.dropped.map((item) => item.feature)).toEqual([
      'fs:ioctl-dev',
      'fs:resolve-unix',
      'net:bind-tcp',
      'net:connect-tcp',
      'scope:signal',
      'log-flag:same-exec-off',
      'thread-sync',
    ]);
  });

  it('explains that refer stays denied without ABI 2', () => {
    const result = resolveLandlockCompatibility(withCompatibility(everything, 'best-effort'), { abi: 1 });
    expect(
      result.ok && result.value.status.dropped.find((item) => item.feature === 'fs:refer')?.reason,
    ).toMatch(/EXDEV/);
  });

  it('always returns a status or an error, and the resolved policy never needs more than the kernel has', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.constantFrom(...LANDLOCK_COMPATIBILITY_MODES),
        (abi, mode) => {
          const result = resolveLandlockCompatibility(withCompatibility(everything, mode), { abi });
          if (result.ok) {
            expect(result.value.requiredAbi).toBeLessThanOrEqual(abi);
            expect(['fully', 'partially', 'not']).toContain(result.value.status.enforcement);
            expect(result.value.status.enforcement === 'fully').toBe(
              result.value.status.dropped.length === 0 || abi >= 9,
            );
          } else {
            expect(mode).not.toBe('best-effort');
            expect(result.error.code).toBe('UNSUPPORTED');
          }
        },
      ),
    );
  });

  it('computes the lowest ABI of a policy', () => {
    expect(requiredLandlockAbi(landlockPreset('server', { abi: 3 }))).toBe(3);
    expect(requiredLandlockAbi(landlockPolicy({ handle: { fs: false, net: false, scopes: false } }))).toBe(0);
  });
});

describe('a resolution', () => {
  it('depends on its arguments alone, and leaves the policy as it was', () => {
    const policy = landlockPreset('server');
    const copy = structuredClone(policy);
    const first = resolveLandlockCompatibility(policy, { abi: 7 });
    expect(resolveLandlockCompatibility(copy, { abi: 7 })).toEqual(first);
    expect(resolveLandlockCompatibility(policy, { abi: 7 })).toEqual(first);
    expect(policy).toEqual(copy);
  });

  it('holds a valid policy for every ABI: parsed again, it is the same', () => {
    for (const abi of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      const result = resolveLandlockCompatibility(withCompatibility(everything, 'best-effort'), { abi });
      if (!result.ok) throw result.error;
      expect(parseLandlockPolicy(result.value.policy, [])).toEqual({ ok: true, value: result.value.policy });
    }
  });
});
