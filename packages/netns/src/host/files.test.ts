import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirectory, readSmallFile, writeFileWhole } from './files.js';
import { withDirectoryLock } from './lock.js';

/** Runs `test` with a temporary directory of its own, removed after. */
async function inTempDir(test: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vh3-files-'));
  try {
    await test(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;

/** Runs `action` under `umask`, restoring the process umask after. */
async function underUmask<T>(umask: number, action: () => T | Promise<T>): Promise<T> {
  const previous = process.umask(umask);
  try {
    return await action();
  } finally {
    process.umask(previous);
  }
}

describe('makeDirectory', () => {
  // Issue 16: directories came out world-writable under umask 000.
  it('gives every directory it creates the mode asked for, under umask 000 and 077', () =>
    inTempDir(async (base) => {
      await underUmask(0o000, () => makeDirectory(join(base, 'a/b/c'), 0o700));
      for (const dir of ['a', 'a/b', 'a/b/c']) expect(await modeOf(join(base, dir))).toBe(0o700);
      await underUmask(0o077, () => makeDirectory(join(base, 'd/e'), 0o755));
      for (const dir of ['d', 'd/e']) expect(await modeOf(join(base, dir))).toBe(0o755);
    }));

  it('leaves directories that existed as they are', () =>
    inTempDir(async (base) => {
      await underUmask(0o000, () => makeDirectory(join(base, 'x'), 0o777));
      makeDirectory(join(base, 'x/y'), 0o700);
      expect(await modeOf(join(base, 'x'))).toBe(0o777);
      expect(await modeOf(join(base, 'x/y'))).toBe(0o700);
    }));
});

describe('writeFileWhole', () => {
  it('writes the mode asked for whatever the umask, and leaves no temporary file', () =>
    inTempDir(async (base) => {
      const path = join(base, 'record.json');
      await underUmask(0o000, () => writeFileWhole(path, 'one', 0o600));
      expect(await modeOf(path)).toBe(0o600);
      await underUmask(0o077, () => writeFileWhole(path, 'two', 0o644));
      expect(await modeOf(path)).toBe(0o644);
      expect(await readFile(path, 'utf8')).toBe('two');
      expect(await readdir(base)).toEqual(['record.json']);
    }));

  it('replaces a symlink at the target instead of writing through it', () =>
    inTempDir(async (base) => {
      const outside = join(base, 'outside');
      await writeFile(outside, 'sentinel');
      await symlink(outside, join(base, 'record.json'));
      writeFileWhole(join(base, 'record.json'), 'record', 0o600);
      expect(await readFile(outside, 'utf8')).toBe('sentinel');
      expect(await readFile(join(base, 'record.json'), 'utf8')).toBe('record');
    }));
});

describe('readSmallFile', () => {
  it('reads a regular file, and says undefined for a missing one', () =>
    inTempDir(async (base) => {
      await writeFile(join(base, 'a'), 'text');
      expect(readSmallFile(join(base, 'a'), 100)).toBe('text');
      expect(readSmallFile(join(base, 'missing'), 100)).toBeUndefined();
    }));

  it('refuses a symlink, a FIFO (without waiting for a writer), a directory and a file over the limit, naming it', () =>
    inTempDir(async (base) => {
      await writeFile(join(base, 'target'), 'secret');
      await symlink(join(base, 'target'), join(base, 'link'));
      execFileSync('mkfifo', [join(base, 'fifo')]);
      await writeFile(join(base, 'long'), 'x'.repeat(101));
      for (const name of ['link', 'fifo', 'target/..', 'long']) {
        expect(() => readSmallFile(join(base, name), 100)).toThrow(
          expect.objectContaining({
            code: 'PARSE_ERROR',
            message: expect.stringContaining(join(base, name)),
          }),
        );
      }
    }));
});

describe('withDirectoryLock', () => {
  it('creates the directory with the mode asked for and the lock directory 0o700, under umask 000', () =>
    inTempDir(async (base) => {
      const dir = join(base, 'state/net');
      const seen = await underUmask(0o000, () =>
        withDirectoryLock(dir, 'the test state', async () => modeOf(join(dir, '.lock')), { mode: 0o700 }),
      );
      expect(seen).toBe(0o700);
      expect(await modeOf(join(base, 'state'))).toBe(0o700);
      expect(await modeOf(dir)).toBe(0o700);
      expect(await readdir(dir)).toEqual([]);
    }));

  it('serialises callers', () =>
    inTempDir(async (base) => {
      const order: string[] = [];
      const hold = (name: string) =>
        withDirectoryLock(base, 'the test state', async () => {
          order.push(`${name} in`);
          await new Promise((resolve) => setTimeout(resolve, 20));
          order.push(`${name} out`);
        });
      await Promise.all([hold('a'), hold('b')]);
      expect(
        [order.slice(0, 2), order.slice(2)].map((pair) => pair[0]?.split(' ')[0] === pair[1]?.split(' ')[0]),
      ).toEqual([true, true]);
    }));
});
