import { LANDLOCK_FS_RIGHTS } from '@volt/core';
import { describe, expect, it } from 'vitest';
import {
  landlockPolicy,
  landlockPreset,
  withCompatibility,
  withRestrictFlags,
  withRules,
  withScopes,
} from './builder.js';
import { resolveLandlockCompatibility } from './compat.js';
import { LANDLOCK_FS_BITS, rightsMask } from './rights.js';
import { bindTcp, connectTcp, ignoreIfMissing, readExec, readOnly, readWrite } from './rules.js';

// The Go design's ServerPolicy and DesktopPolicy, as path -> access mask (its LandlockAccess values).
const RO = 0b1100;
const RX = 0b1101;
const RW = RO | 2 | 256 | 128 | 32 | 16 | 16384;
const SKETCH_SERVER = {
  '/usr': RX,
  '/lib': RO | 1,
  '/lib64': RO | 1,
  '/bin': RX,
  '/sbin': RX,
  '/etc': RO,
  '/app': RW,
  '/tmp': RW,
  '/var': RW,
  '/run': RW,
};
const SKETCH_DESKTOP = {
  '/usr': RX,
  '/lib': RO | 1,
  '/lib64': RO | 1,
  '/bin': RX,
  '/sbin': RX,
  '/etc': RW,
  '/home': RW | 1,
  '/tmp': RW,
  '/var': RW,
  '/run': RW,
  '/opt': RX,
};

const asMasks = (
  paths: readonly { path: string; access: readonly (typeof LANDLOCK_FS_RIGHTS)[number][] }[],
) => Object.fromEntries(paths.map((rule) => [rule.path, rightsMask(LANDLOCK_FS_BITS, rule.access)]));

describe('presets', () => {
  it('have the same paths and rights as the original ServerPolicy and DesktopPolicy, in container paths', () => {
    expect(asMasks(landlockPreset('server').paths)).toEqual(SKETCH_SERVER);
    expect(asMasks(landlockPreset('desktop').paths)).toEqual(SKETCH_DESKTOP);
    expect(landlockPreset('server').paths.map((rule) => rule.path)).toEqual(Object.keys(SKETCH_SERVER));
  });

  it('handle every filesystem right of the ABI, nothing else, and are best-effort and optional', () => {
    const server = landlockPreset('server');
    expect(server.handledFs).toEqual(LANDLOCK_FS_RIGHTS);
    expect(server.handledNet).toEqual([]);
    expect(server.scopes).toEqual([]);
    expect(server.compatibility).toBe('best-effort');
    expect(server.paths.every((rule) => rule.optional)).toBe(true);
  });

  it('drop rights an older ABI lacks from the rules', () => {
    const abi2 = landlockPreset('server', { abi: 2, compatibility: 'hard-requirement' });
    expect(abi2.handledFs).not.toContain('truncate');
    expect(abi2.paths.find((rule) => rule.path === '/tmp')?.access).not.toContain('truncate');
    expect(abi2.compatibility).toBe('hard-requirement');
  });

  it('refuses unknown names as a profile does', () => {
    expect(() => landlockPreset('laptop' as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE', path: ['preset'] }),
    );
  });
});

describe('builder', () => {
  it('by default handles every right of the newest ABI, soft-requirement: it runs on every kernel with Landlock', () => {
    const policy = landlockPolicy();
    expect(policy.handledFs).toEqual(LANDLOCK_FS_RIGHTS);
    expect(policy.compatibility).toBe('soft-requirement');
    for (const abi of [1, 4, 7, 9]) {
      const resolved = resolveLandlockCompatibility(policy, { abi });
      expect(resolved.ok && resolved.value.status.enforcement).toBe(abi === 9 ? 'fully' : 'partially');
    }
    expect(resolveLandlockCompatibility(policy, { abi: 0 }).ok).toBe(false);
  });

  it('returns new values and never changes its input', () => {
    const start = landlockPolicy({ abi: 6 });
    const next = withRules(
      start,
      readExec('/usr'),
      readOnly('/etc'),
      readWrite('/tmp'),
      bindTcp(8080),
      connectTcp(443),
    );
    expect(start.paths).toEqual([]);
    expect(next.paths.map((rule) => rule.path)).toEqual(['/usr', '/etc', '/tmp']);
    expect(next.ports).toEqual([
      { port: 8080, access: ['bind-tcp'] },
      { port: 443, access: ['connect-tcp'] },
    ]);
    expect(withCompatibility(next, 'best-effort').compatibility).toBe('best-effort');
    expect(next.compatibility).toBe('soft-requirement');
    expect(withScopes(next, ['signal']).scopes).toEqual(['signal']);
    expect(withRestrictFlags(next, { threadSync: true, logFlags: ['new-exec-on'] })).toMatchObject({
      threadSync: true,
      logFlags: ['new-exec-on'],
    });
    expect(start).toEqual(landlockPolicy({ abi: 6 }));
  });

  it('marks rules optional and refuses rules that grant unhandled rights', () => {
    expect(ignoreIfMissing(readOnly('/a', '/b')).every((rule) => rule.optional)).toBe(true);
    const noNet = landlockPolicy({ handle: { net: false } });
    expect(() => withRules(noNet, bindTcp(80))).toThrow(
      expect.objectContaining({ code: 'INVALID_ACCESS_RIGHT' }),
    );
    expect(() => withRules(noNet, readOnly('etc'))).toThrow(
      expect.objectContaining({ code: 'INVALID_PATH', path: ['paths', 0, 'path'] }),
    );
    expect(() => withScopes(noNet, ['ptrace' as never])).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE', path: ['scopes', 0] }),
    );
  });
});
