// File operations relative to directory file descriptors, so that nothing in a tree Volt does not control
// (a container's rootfs, an image tree under `--root`) can redirect them. Node has no openat(2); a path
// `/proc/self/fd/N/NAME` gives its semantics: the kernel jumps to the directory open as fd N without
// looking at any name, then looks up NAME in it, the last component alone obeying O_NOFOLLOW, and
// mkdir, rename, unlink and rmdir never follow a last component. Every call is synchronous, so that the
// descriptors of one walk are opened and closed in order around nothing else.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  renameSync,
  rmdirSync,
  type Stats,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname } from 'node:path';
import { VoltError } from '@volt/core';

/** A directory held open by file descriptor, with the host path it was reached by (for messages only). */
export interface TreeDirectory {
  readonly fd: number;
  readonly path: string;
}

/** O_PATH (Linux, the same value on x86_64 and aarch64): a descriptor that opens nothing, for fstat. */
const O_PATH = 0o10000000;
const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** For `/proc/self/fd/N` itself, a magic link that O_NOFOLLOW would refuse: a new descriptor of the same directory. */
const REOPEN_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY;
/**
 * At most this many symlinks in one lookup inside a root, as the kernel's own limit (ELOOP).
 *
 * @example
 * ```ts
 * MAX_SYMLINKS; // 40
 * ```
 */
export const MAX_SYMLINKS = 40;

/** The magic path of `name` in the directory open as `fd`: openat(fd, name) semantics. */
function at(fd: number, name?: string): string {
  return name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

function joinDisplay(directory: string, name: string): string {
  return directory.endsWith('/') ? `${directory}${name}` : `${directory}/${name}`;
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function systemError(error: unknown, what: string, path: string): VoltError {
  return new VoltError('SYSTEM_ERROR', `cannot ${what} ${path}: ${(error as Error).message}`, {
    cause: error,
  });
}

function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symlink';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'a regular file';
}

/** What is at `name` in `fd`, said for an error message (`a symlink to /etc`, `a FIFO`, …). */
function describeEntry(fd: number, name: string): string {
  try {
    const stats = lstatSync(at(fd, name));
    if (!stats.isSymbolicLink()) return kindOf(stats);
    return `a symlink to ${readlinkSync(at(fd, name))}`;
  } catch {
    return 'not what was expected';
  }
}

function unexpected(fd: number, name: string, display: string, accepted: string): VoltError {
  return new VoltError(
    'INVALID_PATH',
    `${display} is ${describeEntry(fd, name)}; Volt follows no symlink and opens nothing but ${accepted} there; accepted: ${accepted}`,
    { hint: `move ${display} out of the way (it is not Volt's) and run the command again` },
  );
}

/**
 * Opens a tree's root directory: the install root (`/` or `--root DIR`) or a directory given by the
 * caller. Symlinks in this path itself are the caller's and are followed; nothing below it is.
 *
 * @throws {@link VoltError} NOT_FOUND when it does not exist, INVALID_PATH when it is not a directory.
 * @example
 * ```ts
 * const root = openTreeRoot('/');
 * try { ... } finally { closeDirectory(root); }
 * ```
 */
export function openTreeRoot(path: string): TreeDirectory {
  try {
    return { fd: openSync(path, constants.O_RDONLY | constants.O_DIRECTORY), path };
  } catch (error) {
    if (errnoOf(error) === 'ENOENT')
      throw new VoltError('NOT_FOUND', `${path} does not exist; accepted: an existing directory`);
    if (errnoOf(error) === 'ENOTDIR')
      throw new VoltError('INVALID_PATH', `${path} is not a directory; accepted: a directory`);
    throw systemError(error, 'open', path);
  }
}

/**
 * Closes a directory opened by this module.
 *
 * @example
 * ```ts
 * closeDirectory(openTreeRoot('/'));
 * ```
 */
export function closeDirectory(directory: TreeDirectory): void {
  closeSync(directory.fd);
}

/**
 * Runs `use` on a directory and closes it afterwards; nothing when `directory` is undefined.
 *
 * @example
 * ```ts
 * const names = withDirectory(openBeneath(root, '/etc'), listDirectory) ?? [];
 * ```
 */
export function withDirectory<T>(
  directory: TreeDirectory | undefined,
  use: (directory: TreeDirectory) => T,
): T | undefined {
  if (directory === undefined) return undefined;
  try {
    return use(directory);
  } finally {
    closeDirectory(directory);
  }
}

/** Opens the directory `name` in `parent` without following a symlink; creates it with `mode` if asked. */
function openChildDirectory(
  parent: number,
  name: string,
  display: string,
  create: number | undefined,
): number | undefined {
  try {
    return openSync(at(parent, name), DIRECTORY_FLAGS);
  } catch (error) {
    if (errnoOf(error) === 'ENOTDIR') throw unexpected(parent, name, display, 'a directory');
    if (errnoOf(error) !== 'ENOENT') throw systemError(error, 'open', display);
    if (create === undefined) return undefined;
  }
  try {
    mkdirSync(at(parent, name), create);
  } catch (error) {
    // Made by someone else in the meantime: open what is there, as if it had been there before.
    if (errnoOf(error) === 'EEXIST') return openChildDirectory(parent, name, display, undefined);
    throw systemError(error, 'create', display);
  }
  const fd = openChildDirectory(parent, name, display, undefined);
  // mkdir applies the umask: the mode is set again, whatever the umask was.
  if (fd !== undefined) fchmodSync(fd, create);
  return fd;
}

/**
 * Opens a directory below `root` by walking `path` (absolute on the target system) one component at a time,
 * never following a symlink: a symlink, or anything but a directory, in any component is an error naming
 * it. With `create`, missing directories are made with that mode whatever the umask; otherwise a missing
 * one gives undefined.
 *
 * @throws {@link VoltError} INVALID_PATH for a symlink or a non-directory on the way, SYSTEM_ERROR for I/O.
 * @example
 * ```ts
 * const dir = openBeneath(root, '/etc/systemd/nspawn', { create: 0o755 });
 * ```
 */
export function openBeneath(
  root: TreeDirectory,
  path: string,
  options: { readonly create?: number } = {},
): TreeDirectory | undefined {
  const names = path.split('/').filter((part) => part !== '' && part !== '.');
  if (names.includes('..'))
    throw new VoltError('INVALID_PATH', `${path} contains '..'; accepted: a normalised path`);
  let fd = openSync(at(root.fd), REOPEN_FLAGS);
  let display = root.path;
  try {
    for (const name of names) {
      display = joinDisplay(display, name);
      const child = openChildDirectory(fd, name, display, options.create);
      closeSync(fd);
      fd = -1;
      if (child === undefined) return undefined;
      fd = child;
    }
  } catch (error) {
    if (fd >= 0) closeSync(fd);
    throw error;
  }
  return { fd, path: display };
}

/**
 * Opens a directory inside a root the way a lookup inside that root would find it (`RESOLVE_IN_ROOT`):
 * component by component from the root's descriptor; a symlink is read and its target looked up again
 * inside the root (an absolute target from the root, a relative one from the link's directory); `..` goes
 * back to the directory the walk came from and never above the root; at most {@link MAX_SYMLINKS} links.
 * Nothing outside the root is looked at. Undefined when the lookup would fail inside the root (missing,
 * not a directory, a dangling or looping symlink).
 *
 * @throws {@link VoltError} SYSTEM_ERROR for an I/O error other than those.
 * @example
 * ```ts
 * const units = openInRoot(rootfs, '/etc/systemd/system'); // an image's `etc -> /` stays in the image
 * ```
 */
export function openInRoot(root: TreeDirectory, path: string): TreeDirectory | undefined {
  const opened: number[] = [];
  const pending = path.split('/').filter((part) => part !== '' && part !== '.');
  let links = 0;
  try {
    for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
      if (name === '..') {
        const fd = opened.pop();
        if (fd !== undefined) closeSync(fd);
        continue;
      }
      const parent = opened.at(-1) ?? root.fd;
      try {
        opened.push(openSync(at(parent, name), DIRECTORY_FLAGS));
        continue;
      } catch (error) {
        if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'EACCES') return undefined;
        if (errnoOf(error) !== 'ENOTDIR') throw systemError(error, 'open', joinDisplay(root.path, path));
      }
      let target: string;
      try {
        target = readlinkSync(at(parent, name));
      } catch {
        return undefined; // not a symlink: a file where a directory would be
      }
      if (++links > MAX_SYMLINKS) return undefined;
      if (target.startsWith('/')) for (const fd of opened.splice(0)) closeSync(fd);
      pending.unshift(...target.split('/').filter((part) => part !== '' && part !== '.'));
    }
    const fd = opened.pop() ?? openSync(at(root.fd), REOPEN_FLAGS);
    return { fd, path: joinDisplay(root.path, path.replace(/^\/+/, '')) };
  } finally {
    for (const fd of opened) closeSync(fd);
  }
}

/**
 * The names in a directory.
 *
 * @example
 * ```ts
 * listDirectory(dir); // ['50-volt.conf']
 * ```
 */
export function listDirectory(directory: TreeDirectory): string[] {
  try {
    return readdirSync(at(directory.fd));
  } catch (error) {
    throw systemError(error, 'list', directory.path);
  }
}

/**
 * What identifies a directory on this host (device and inode): the same for every path that reaches it.
 *
 * @example
 * ```ts
 * directoryIdentity(dir); // '2049:131073'
 * ```
 */
export function directoryIdentity(directory: TreeDirectory): string {
  const stats = fstatSync(directory.fd);
  return `${stats.dev}:${stats.ino}`;
}

/**
 * Reads a regular file in a directory, at most `limit` bytes, without following a symlink at its name and
 * without opening anything else: the name is opened O_PATH (which opens no device and waits on no FIFO),
 * checked with fstat, then that same inode is opened for reading. Undefined when there is no such file.
 *
 * @throws {@link VoltError} INVALID_PATH for a symlink, anything but a regular file, or a file larger than
 *   `limit`; SYSTEM_ERROR for I/O.
 * @example
 * ```ts
 * const text = readFileAt(stateDir, 'manifest.json', 64 * 1024)?.toString('utf8');
 * ```
 */
export function readFileAt(directory: TreeDirectory, name: string, limit: number): Buffer | undefined {
  const display = joinDisplay(directory.path, name);
  let pathFd: number;
  try {
    pathFd = openSync(at(directory.fd, name), O_PATH | constants.O_NOFOLLOW);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw systemError(error, 'open', display);
  }
  try {
    const stats = fstatSync(pathFd);
    if (!stats.isFile()) throw unexpected(directory.fd, name, display, 'a regular file');
    if (stats.size > limit) {
      throw new VoltError(
        'INVALID_PATH',
        `${display} has ${stats.size} bytes; accepted: a file of at most ${limit} bytes`,
      );
    }
    const fd = openSync(at(pathFd), constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    try {
      // One byte more than fstat said: a file that grew meanwhile is seen, not cut short.
      const buffer = Buffer.alloc(stats.size + 1);
      let length = 0;
      while (length < buffer.length) {
        const read = readSync(fd, buffer, length, buffer.length - length, null);
        if (read === 0) break;
        length += read;
      }
      if (length > stats.size)
        throw new VoltError('INVALID_PATH', `${display} changed while it was read; accepted: a file at rest`);
      return buffer.subarray(0, length);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw VoltError.isInstance(error) ? error : systemError(error, 'read', display);
  } finally {
    closeSync(pathFd);
  }
}

/**
 * Reads a regular file below `root` by its path on the target system: its directory is opened with
 * {@link openBeneath}, the file read with {@link readFileAt}. Undefined when the file or its directory is
 * missing.
 *
 * @throws {@link VoltError} INVALID_PATH, SYSTEM_ERROR as those two.
 * @example
 * ```ts
 * const text = readFileBeneath(root, '/etc/systemd/nspawn/web.nspawn', 1 << 20)?.toString('utf8');
 * ```
 */
export function readFileBeneath(root: TreeDirectory, path: string, limit: number): Buffer | undefined {
  return withDirectory(openBeneath(root, dirname(path)), (directory) =>
    readFileAt(directory, basename(path), limit),
  );
}

/**
 * A name for a temporary file, unguessable (128 random bits) and hidden (systemd reads no dot file).
 *
 * @example
 * ```ts
 * temporaryName(); // '.volt-3f9c…e1.tmp'
 * ```
 */
export function temporaryName(): string {
  return `.volt-${randomBytes(16).toString('hex')}.tmp`;
}

/**
 * What {@link temporaryName} makes, and nothing else.
 *
 * @example
 * ```ts
 * TEMPORARY_NAME.test(temporaryName()); // true
 * ```
 */
export const TEMPORARY_NAME: RegExp = /^\.volt-[0-9a-f]{32}\.tmp$/;

/**
 * Creates a new file in a directory and writes it whole: O_CREAT|O_EXCL|O_NOFOLLOW (nothing already there
 * is opened, a symlink at that name neither), `mode` whatever the umask, fsynced.
 *
 * @throws {@link VoltError} INVALID_PATH when something is there already; SYSTEM_ERROR for I/O.
 * @example
 * ```ts
 * createFileAt(dir, temporaryName(), Buffer.from('[Exec]\n'), 0o644);
 * ```
 */
export function createFileAt(directory: TreeDirectory, name: string, data: Uint8Array, mode: number): void {
  const display = joinDisplay(directory.path, name);
  let fd: number;
  try {
    fd = openSync(
      at(directory.fd, name),
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      mode,
    );
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') throw unexpected(directory.fd, name, display, 'nothing');
    throw systemError(error, 'create', display);
  }
  try {
    fchmodSync(fd, mode);
    for (let written = 0; written < data.length; )
      written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
  } catch (error) {
    throw systemError(error, 'write', display);
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates a symlink in a directory (symlink(2) never follows the name it creates: nothing already there is
 * touched).
 *
 * @throws {@link VoltError} INVALID_PATH when something is there already; SYSTEM_ERROR for I/O.
 * @example
 * ```ts
 * createSymlinkAt(binDir, 'sh', 'busybox');
 * ```
 */
export function createSymlinkAt(directory: TreeDirectory, name: string, target: string): void {
  const display = joinDisplay(directory.path, name);
  try {
    symlinkSync(target, at(directory.fd, name));
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') throw unexpected(directory.fd, name, display, 'nothing');
    throw systemError(error, 'create', display);
  }
}

/**
 * Renames an entry within one directory (rename(2) follows neither name: a symlink at `to` is replaced,
 * not written through).
 *
 * @throws {@link VoltError} SYSTEM_ERROR, e.g. when `to` is a directory.
 * @example
 * ```ts
 * renameAt(dir, temp, 'web.nspawn');
 * ```
 */
export function renameAt(directory: TreeDirectory, from: string, to: string): void {
  try {
    renameSync(at(directory.fd, from), at(directory.fd, to));
  } catch (error) {
    throw systemError(error, `rename ${from} to`, joinDisplay(directory.path, to));
  }
}

/**
 * The kind of entry at `name` (lstat: a symlink is a symlink), or undefined when there is none.
 *
 * @example
 * ```ts
 * entryKind(dir, 'web.nspawn'); // 'a regular file'
 * ```
 */
export function entryKind(directory: TreeDirectory, name: string): string | undefined {
  try {
    return kindOf(lstatSync(at(directory.fd, name)));
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw systemError(error, 'look at', joinDisplay(directory.path, name));
  }
}

/**
 * Removes `name` from a directory if, and only if, it is a regular file (lstat): a symlink, directory or
 * anything else at that name is left alone. True when a file was removed.
 *
 * @throws {@link VoltError} SYSTEM_ERROR for I/O.
 * @example
 * ```ts
 * removeFileAt(stateDir, 'install-journal.json');
 * ```
 */
export function removeFileAt(directory: TreeDirectory, name: string): boolean {
  if (entryKind(directory, name) !== 'a regular file') return false;
  try {
    unlinkSync(at(directory.fd, name));
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw systemError(error, 'remove', joinDisplay(directory.path, name));
  }
}

/**
 * Removes the directory `name` if it is an empty directory (rmdir(2) follows no symlink). True when it
 * was removed.
 *
 * @throws {@link VoltError} SYSTEM_ERROR for I/O.
 * @example
 * ```ts
 * removeEmptyDirectoryAt(parent, 'runtime');
 * ```
 */
export function removeEmptyDirectoryAt(directory: TreeDirectory, name: string): boolean {
  try {
    rmdirSync(at(directory.fd, name));
    return true;
  } catch (error) {
    if (['ENOENT', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(errnoOf(error) ?? '')) return false;
    throw systemError(error, 'remove', joinDisplay(directory.path, name));
  }
}

/**
 * Flushes a directory's entries to disk (after renames, creations and removals in it).
 *
 * @example
 * ```ts
 * syncDirectory(stateDir);
 * ```
 */
export function syncDirectory(directory: TreeDirectory): void {
  try {
    fsyncSync(directory.fd);
  } catch (error) {
    throw systemError(error, 'sync', directory.path);
  }
}

/**
 * Sets a directory's mode (its permission bits), whatever it was.
 *
 * @example
 * ```ts
 * setDirectoryMode(stateDir, 0o755);
 * ```
 */
export function setDirectoryMode(directory: TreeDirectory, mode: number): void {
  try {
    fchmodSync(directory.fd, mode);
  } catch (error) {
    throw systemError(error, 'set the mode of', directory.path);
  }
}
