import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { busyboxApplets, elfIsStatic } from './busybox.js';

/** A minimal 64-bit little-endian ELF header with program headers of the given types. */
function elf(types: readonly number[]): Buffer {
  const header = Buffer.alloc(64 + 56 * types.length);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2;
  header[5] = 1;
  header.writeBigUInt64LE(64n, 32);
  header.writeUInt16LE(56, 54);
  header.writeUInt16LE(types.length, 56);
  for (const [index, type] of types.entries()) header.writeUInt32LE(type, 64 + 56 * index);
  return header;
}

describe('the busybox root', () => {
  it('tells a statically linked executable by its missing PT_INTERP', () => {
    expect(elfIsStatic(elf([1, 1, 4]))).toBe(true);
    expect(elfIsStatic(elf([6, 3, 1]))).toBe(false);
    expect(elfIsStatic(Buffer.from('#!/bin/sh\n'))).toBeUndefined();
    // node itself is dynamically linked
    expect(elfIsStatic(readFileSync(process.execPath))).toBe(false);
  });

  it("takes the applets in the root's own directories, never a path out of them or busybox itself", () => {
    expect(
      busyboxApplets('bin/sh\nusr/bin/[\nsbin/init\nbin/busybox\n../etc/passwd\nusr/share/x\nbin/a/b\n\n'),
    ).toEqual(['bin/sh', 'usr/bin/[', 'sbin/init']);
  });
});
