import { LANDLOCK_FS_RIGHTS } from '@volt/core';
import { describe, expect, it } from 'vitest';
import {
  bindTcp,
  connectTcp,
  ignoreIfMissing,
  landlockPolicy,
  landlockPreset,
  readExec,
  readOnly,
  readWrite,
  withCompatibility,
  withRestrictFlags,
  withRules,
  withScopes,
} from './builder.js';
import { LANDLOCK_FS_BITS, rightsMask } from './rights.js';

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
    expect(Object.isFrozen(server) && Object.isFrozen(server.paths)).toBe(true);
  });

  it('drop rights an older ABI lacks from the rules', () => {
    const abi2 = landlockPreset('server', { abi: 2, compatibility: 'hard-requirement' });
    expect(abi2.handledFs).not.toContain('truncate');
    expect(abi2.paths.find((rule) => rule.path === '/tmp')?.access).not.toContain('truncate');
    expect(abi2.compatibility).toBe('hard-requirement');
  });

  it('refuses unknown names with UNKNOWN_PRESET', () => {
    expect(() => landlockPreset('laptop' as never)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_PRESET' }),
    );
  });
});

describe('builder', () => {
  it('returns new frozen values and never changes its input', () => {
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
    expect(next.compatibility).toBe('hard-requirement');
    expect(withScopes(next, ['signal']).scopes).toEqual(['signal']);
    expect(withRestrictFlags(next, { threadSync: true, logFlags: ['new-exec-on'] })).toMatchObject({
      threadSync: true,
      logFlags: ['new-exec-on'],
    });
    expect(Object.isFrozen(next)).toBe(true);
  });

  it('marks rules optional and refuses rules that grant unhandled rights', () => {
    expect(ignoreIfMissing(readOnly('/a', '/b')).every((rule) => rule.optional)).toBe(true);
    const noNet = landlockPolicy({ handle: { net: false } });
    expect(() => withRules(noNet, bindTcp(80))).toThrow(
      expect.objectContaining({ code: 'INVALID_ACCESS_RIGHT' }),
    );
    expect(() => withRules(noNet, readOnly('etc'))).toThrow(
      expect.objectContaining({ code: 'INVALID_PATH' }),
    );
  });
});
