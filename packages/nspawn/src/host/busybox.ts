import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { VoltError } from '@volt/core';
import { BUSYBOX_ROOTFS, busyboxApplets, elfIsStatic } from '../model/busybox.js';
import { rootfsProblem } from '../model/rootfs.js';
import { findExecutable } from './preflight.js';
import {
  closeDirectory,
  createFileAt,
  createSymlinkAt,
  listDirectory,
  openBeneath,
  openTreeRoot,
  setDirectoryMode,
  type TreeDirectory,
  withDirectory,
} from './tree.js';

/** What {@link createBusyboxRootfs} made. */
export interface BusyboxRootfs {
  readonly directory: string;
  /** The host's busybox that was copied. */
  readonly busybox: string;
  readonly applets: number;
}

/** The host's busybox, statically linked (Debian's busybox-static), or a clear error. */
function staticBusybox(path: string | undefined): string {
  const found = path ?? findExecutable('busybox') ?? '/bin/busybox';
  let bytes: Buffer;
  try {
    bytes = readFileSync(found);
  } catch (error) {
    throw new VoltError('NOT_FOUND', `busybox is not installed (${found}: ${(error as Error).message})`, {
      hint: 'install it: apt-get install busybox-static',
      cause: error,
    });
  }
  if (elfIsStatic(bytes) !== true) {
    throw new VoltError(
      'UNSUPPORTED',
      `${found} is not a statically linked 64-bit busybox: it cannot run in a root without a C library`,
      {
        hint: 'install the static one: apt-get install busybox-static',
      },
    );
  }
  return found;
}

/**
 * Makes a tiny container root in `directory` from the host's statically linked busybox: the tree of
 * {@link BUSYBOX_ROOTFS} (what systemd-nspawn needs, including a read-only root's mount points), busybox
 * at `/bin/busybox` and a link for each of its applets. The directory must be new or empty, and may not be
 * or hold a host system tree ({@link rootfsProblem}); it is created with its parents, and everything in it
 * is made through its descriptor, never following a symlink, nothing replaced.
 *
 * @throws {@link VoltError} INVALID_PATH for a host system tree or a directory that is not empty; NOT_FOUND
 *   or UNSUPPORTED for a missing or dynamically linked busybox.
 * @example
 * ```ts
 * await createBusyboxRootfs('/var/lib/machines/hello'); // then: volt run examples/hello.yaml
 * ```
 */
export async function createBusyboxRootfs(
  directory: string,
  options: { readonly busybox?: string } = {},
): Promise<BusyboxRootfs> {
  const target = resolve(directory);
  const problem = rootfsProblem(target, ['directory']);
  if (problem !== undefined) throw problem;
  const busybox = staticBusybox(options.busybox);
  mkdirSync(target, { recursive: true, mode: 0o755 });
  const root = openTreeRoot(target);
  try {
    const entries = listDirectory(root);
    if (entries.length > 0) {
      throw new VoltError(
        'INVALID_PATH',
        `${target} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); accepted: a new or empty directory`,
        {
          path: ['directory'],
          hint: 'give a new directory, e.g. /var/lib/machines/NAME for the profile named NAME',
        },
      );
    }
    setDirectoryMode(root, 0o755);
    const inRoot = (path: string): TreeDirectory => openBeneath(root, `/${path}`) as TreeDirectory;
    for (const { path, mode } of BUSYBOX_ROOTFS.directories) {
      withDirectory(openBeneath(root, `/${path}`, { create: mode }), (created) =>
        setDirectoryMode(created, mode),
      );
    }
    for (const file of BUSYBOX_ROOTFS.files) {
      withDirectory(inRoot(dirname(file.path)), (parent) =>
        createFileAt(parent, basename(file.path), Buffer.from(file.text), file.mode),
      );
    }
    withDirectory(inRoot(dirname(BUSYBOX_ROOTFS.busybox)), (parent) =>
      createFileAt(parent, basename(BUSYBOX_ROOTFS.busybox), readFileSync(busybox), 0o755),
    );
    const applets = busyboxApplets(
      execFileSync(busybox, ['--list-full'], { encoding: 'utf8', timeout: 30_000 }),
    );
    for (const applet of applets) {
      withDirectory(inRoot(dirname(applet)), (parent) =>
        createSymlinkAt(parent, basename(applet), `/${BUSYBOX_ROOTFS.busybox}`),
      );
    }
    return { directory: target, busybox, applets: applets.length };
  } finally {
    closeDirectory(root);
  }
}
