import { describe, expect, it } from 'vitest';
import { findXzStreamOffset, hasPvhEntryNote } from './kernel.js';

/** A minimal ELF64 with one PT_NOTE segment holding one note. */
function elfWithNote(name: string, type: number): Buffer {
  const noteName = Buffer.from(`${name}\0`);
  const namePadded = Math.ceil(noteName.length / 4) * 4;
  const note = Buffer.alloc(12 + namePadded + 4);
  note.writeUInt32LE(noteName.length, 0);
  note.writeUInt32LE(4, 4);
  note.writeUInt32LE(type, 8);
  noteName.copy(note, 12);
  const elf = Buffer.alloc(64 + 56 + note.length);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf[5] = 1;
  elf.writeBigUInt64LE(64n, 32);
  elf.writeUInt16LE(56, 54);
  elf.writeUInt16LE(1, 56);
  elf.writeUInt32LE(4, 64);
  elf.writeBigUInt64LE(BigInt(64 + 56), 64 + 8);
  elf.writeBigUInt64LE(BigInt(note.length), 64 + 32);
  note.copy(elf, 64 + 56);
  return elf;
}

describe('kernel', () => {
  it('finds the xz stream in a bzImage', () => {
    expect(findXzStreamOffset(Buffer.from([1, 2, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 9]))).toBe(2);
    expect(findXzStreamOffset(Buffer.from([1, 2, 3]))).toBe(-1);
  });

  it('recognises the Xen PHYS32_ENTRY note that QEMU boots through PVH', () => {
    expect(hasPvhEntryNote(elfWithNote('Xen', 18))).toBe(true);
    expect(hasPvhEntryNote(elfWithNote('Xen', 17))).toBe(false);
    expect(hasPvhEntryNote(elfWithNote('GNU', 18))).toBe(false);
    expect(
      hasPvhEntryNote(
        Buffer.from('MZ not an elf at all, but long enough to be read as one....................'),
      ),
    ).toBe(false);
  });
});
