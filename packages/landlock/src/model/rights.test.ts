import { readFileSync } from 'node:fs';
import { LANDLOCK_FS_RIGHTS, LANDLOCK_NET_RIGHTS } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LANDLOCK_FILE_RIGHTS,
  LANDLOCK_FS_BITS,
  LANDLOCK_LOG_FLAG_BITS,
  LANDLOCK_NET_BITS,
  LANDLOCK_READ_EXEC,
  LANDLOCK_READ_ONLY,
  LANDLOCK_READ_WRITE,
  LANDLOCK_SCOPE_BITS,
  LANDLOCK_THREAD_SYNC_BIT,
  rightsFromMask,
  rightsMask,
  sortRights,
} from './rights.js';

const UAPI_HEADER = '/usr/include/linux/landlock.h';

describe('kernel bit values', () => {
  it('agree with every constant the installed UAPI header defines', () => {
    const header = readFileSync(UAPI_HEADER, 'utf8');
    const defined = [
      ...header.matchAll(/#define LANDLOCK_(ACCESS_FS|ACCESS_NET|SCOPE)_(\w+)\s+\(1ULL << (\d+)\)/g),
    ];
    expect(defined.length).toBeGreaterThanOrEqual(13);
    for (const [, kind, name = '', bit] of defined) {
      const table: Record<string, number> =
        kind === 'ACCESS_FS'
          ? LANDLOCK_FS_BITS
          : kind === 'ACCESS_NET'
            ? LANDLOCK_NET_BITS
            : LANDLOCK_SCOPE_BITS;
      expect([name, table[name.toLowerCase().replaceAll('_', '-')]]).toEqual([name, 2 ** Number(bit)]);
    }
  });

  it('match the LANDLOCK_ACCESS_FS_* constants of the UAPI header', () => {
    expect(LANDLOCK_FS_BITS).toEqual({
      execute: 1 << 0,
      'write-file': 1 << 1,
      'read-file': 1 << 2,
      'read-dir': 1 << 3,
      'remove-dir': 1 << 4,
      'remove-file': 1 << 5,
      'make-char': 1 << 6,
      'make-dir': 1 << 7,
      'make-reg': 1 << 8,
      'make-sock': 1 << 9,
      'make-fifo': 1 << 10,
      'make-block': 1 << 11,
      'make-sym': 1 << 12,
      refer: 1 << 13,
      truncate: 1 << 14,
      'ioctl-dev': 1 << 15,
      'resolve-unix': 1 << 16,
    });
  });

  it('match the net, scope and restrict-self constants', () => {
    expect(LANDLOCK_NET_BITS).toEqual({ 'bind-tcp': 1, 'connect-tcp': 2 });
    expect(LANDLOCK_SCOPE_BITS).toEqual({ 'abstract-unix-socket': 1, signal: 2 });
    expect(LANDLOCK_LOG_FLAG_BITS).toEqual({ 'same-exec-off': 1, 'new-exec-on': 2, 'subdomains-off': 4 });
    expect(LANDLOCK_THREAD_SYNC_BIT).toBe(8);
  });

  it("gives the sketch's combinations the sketch's masks", () => {
    // LandlockReadOnly, LandlockReadExec, LandlockReadWrite of the Go design, as numbers.
    expect(rightsMask(LANDLOCK_FS_BITS, LANDLOCK_READ_ONLY)).toBe(0b1100);
    expect(rightsMask(LANDLOCK_FS_BITS, LANDLOCK_READ_EXEC)).toBe(0b1101);
    expect(rightsMask(LANDLOCK_FS_BITS, LANDLOCK_READ_WRITE)).toBe(0b1100 | 2 | 256 | 128 | 32 | 16 | 16384);
  });

  it('lists exactly the rights the kernel accepts on files', () => {
    expect(rightsMask(LANDLOCK_FS_BITS, LANDLOCK_FILE_RIGHTS)).toBe(
      1 | 2 | 4 | (1 << 14) | (1 << 15) | (1 << 16),
    );
  });

  it('turns masks back into rights in kernel order', () => {
    fc.assert(
      fc.property(fc.subarray([...LANDLOCK_FS_RIGHTS]), fc.subarray([...LANDLOCK_NET_RIGHTS]), (fs, net) => {
        expect(rightsFromMask(LANDLOCK_FS_BITS, rightsMask(LANDLOCK_FS_BITS, fs))).toEqual(fs);
        expect(rightsFromMask(LANDLOCK_NET_BITS, rightsMask(LANDLOCK_NET_BITS, net))).toEqual(net);
      }),
    );
    expect(sortRights(LANDLOCK_FS_RIGHTS, ['read-dir', 'execute', 'read-dir'])).toEqual([
      'execute',
      'read-dir',
    ]);
  });
});
