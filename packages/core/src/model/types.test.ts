import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  LANDLOCK_FS_RIGHTS,
  LANDLOCK_LOG_FLAGS,
  LANDLOCK_NET_RIGHTS,
  LANDLOCK_SCOPES,
  NETWORK_MODES,
  PORT_PROTOCOLS,
  SECCOMP_PROFILES,
} from './types.js';

const HEADER = '/usr/include/linux/landlock.h';

/** The `(1ULL << n)` defines with a given prefix in the installed kernel header, as `[name, bit]`. */
function headerBits(prefix: string): [string, number][] {
  const pattern = new RegExp(`#define ${prefix}([A-Z_]+)\\s+\\(1ULL << (\\d+)\\)`, 'g');
  return [...readFileSync(HEADER, 'utf8').matchAll(pattern)].map((match) => [
    (match[1] as string).toLowerCase().replaceAll('_', '-'),
    Number(match[2]),
  ]);
}

describe('shared constant tables', () => {
  it('list Landlock rights, scopes and flags in kernel bit order (facts.md table)', () => {
    expect(LANDLOCK_FS_RIGHTS).toHaveLength(17);
    expect(LANDLOCK_FS_RIGHTS.indexOf('execute')).toBe(0);
    expect(LANDLOCK_FS_RIGHTS.indexOf('refer')).toBe(13);
    expect(LANDLOCK_FS_RIGHTS.indexOf('truncate')).toBe(14);
    expect(LANDLOCK_FS_RIGHTS.indexOf('ioctl-dev')).toBe(15);
    expect(LANDLOCK_FS_RIGHTS.indexOf('resolve-unix')).toBe(16);
    expect(LANDLOCK_NET_RIGHTS).toEqual(['bind-tcp', 'connect-tcp']);
    expect(LANDLOCK_SCOPES).toEqual(['abstract-unix-socket', 'signal']);
    expect(LANDLOCK_LOG_FLAGS).toEqual(['same-exec-off', 'new-exec-on', 'subdomains-off']);
  });

  it('agree with the bits of the installed linux/landlock.h (skipped only when the kernel headers are missing)', () => {
    const fs = headerBits('LANDLOCK_ACCESS_FS_');
    expect(fs.length).toBeGreaterThanOrEqual(13);
    for (const [name, bit] of fs)
      expect([name, LANDLOCK_FS_RIGHTS.indexOf(name as never)]).toEqual([name, bit]);
    for (const [name, bit] of headerBits('LANDLOCK_ACCESS_NET_'))
      expect([name, LANDLOCK_NET_RIGHTS.indexOf(name as never)]).toEqual([name, bit]);
    for (const [name, bit] of headerBits('LANDLOCK_SCOPE_'))
      expect([name, LANDLOCK_SCOPES.indexOf(name as never)]).toEqual([name, bit]);
  });

  it('have no duplicates', () => {
    for (const table of [
      LANDLOCK_FS_RIGHTS,
      LANDLOCK_NET_RIGHTS,
      LANDLOCK_SCOPES,
      LANDLOCK_LOG_FLAGS,
      NETWORK_MODES,
      PORT_PROTOCOLS,
      SECCOMP_PROFILES,
    ]) {
      expect(new Set(table).size).toBe(table.length);
    }
  });
});
