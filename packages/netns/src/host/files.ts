import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VoltError } from '@volt/core';

/**
 * node:fs/promises, loaded at first use: `volt render` loads the container lease module (through
 * @volt/nspawn) and never reads or writes a file of this package.
 */
const fileSystem = (): Promise<typeof import('node:fs/promises')> => import('node:fs/promises');

/**
 * Creates a directory and its missing parents, each with `mode` whatever the process umask: `mkdir`
 * applies the umask, so every directory this call created is set to `mode` again with `chmod`.
 * Directories that already existed are left as they are.
 *
 * @example
 * ```ts
 * await makeDirectory('/run/volt/net/sandboxes', 0o700);
 * ```
 */
export async function makeDirectory(path: string, mode: number): Promise<void> {
  const { chmod, mkdir } = await fileSystem();
  const first = await mkdir(path, { recursive: true, mode });
  if (first === undefined) return;
  for (let created = path; ; created = dirname(created)) {
    await chmod(created, mode);
    if (created === first || created === dirname(created)) return;
  }
}

/**
 * Writes a file whole: a temporary file with a random name next to it, created exclusively (`O_EXCL`,
 * which also refuses a symlink planted at that name), given `mode` whatever the umask, then renamed over
 * the target. No reader sees half a file; a failed write leaves the old file and no temporary file.
 *
 * @example
 * ```ts
 * await writeFileWhole('/run/volt/net/sandboxes/web-1.json', text, 0o600);
 * ```
 */
export async function writeFileWhole(path: string, text: string, mode: number): Promise<void> {
  const { open, rename, rm } = await fileSystem();
  const temporary = join(dirname(path), `.${randomBytes(8).toString('hex')}.volt-tmp`);
  const file = await open(temporary, 'wx', mode);
  try {
    try {
      await file.chmod(mode);
      await file.writeFile(text);
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Reads a small regular file as UTF-8 without following a symlink at its name and without blocking on a
 * FIFO; undefined when it does not exist. Synchronous on purpose: the files it is for are lease records
 * of a few hundred bytes in /run, read while the state lock is held, and fifty of them take 0.35 ms this
 * way against 6 ms through the thread pool's round trips, time every other process waits for the lock.
 *
 * @throws {@link VoltError} `PARSE_ERROR` naming the file when it is a symlink, not a regular file, or larger
 *   than `limit` bytes.
 * @example
 * ```ts
 * const text = readSmallFile('/run/volt/net/sandboxes/web-1.json', 64 * 1024);
 * ```
 */
export function readSmallFile(path: string, limit: number): string | undefined {
  let file: number;
  try {
    file = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP')
      throw new VoltError('PARSE_ERROR', `${path} is a symlink; accepted: a regular file`);
    throw error;
  }
  try {
    const accepted = `accepted: a regular file of at most ${limit} bytes`;
    if (!fstatSync(file).isFile())
      throw new VoltError('PARSE_ERROR', `${path} is not a regular file; ${accepted}`);
    const buffer = Buffer.allocUnsafe(limit + 1);
    const bytesRead = readSync(file, buffer, 0, limit + 1, 0);
    if (bytesRead > limit) throw new VoltError('PARSE_ERROR', `${path} is too long; ${accepted}`);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    closeSync(file);
  }
}
