import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { VoltError } from '@volt/core';
import { withDirectoryLock } from '@volt/netns';
import {
  type ContainerManifest,
  type InstallRoute,
  type ProfileOrigin,
  parseManifest,
  renderManifest,
} from '../model/manifest.js';
import { type ContainerPaths, containerPaths, installableFiles, ownedDirectories } from '../model/paths.js';
import { templateRootfs } from '../model/rootfs.js';
import type { IsolationPlan, PlannedFile } from '../render/plan.js';
import { checkRootfs } from './image.js';
import {
  closeDirectory,
  createFileAt,
  entryKind,
  openBeneath,
  openTreeRoot,
  readFileAt,
  readFileBeneath,
  removeEmptyDirectoryAt,
  removeFileAt,
  renameAt,
  setDirectoryMode,
  syncDirectory,
  TEMPORARY_NAME,
  type TreeDirectory,
  temporaryName,
  withDirectory,
} from './tree.js';

/** Where an install happens: `/` on a host, or an image being built (`--root DIR`). */
export interface InstallOptions {
  readonly root?: string;
}

/**
 * What an apply installs for. `template` (the default, `volt apply`): the stock `systemd-nspawn@NAME.service`,
 * which boots `/var/lib/machines/NAME` and nothing else, so a plan for another rootfs is refused. `direct`
 * (`volt run`): systemd-nspawn started with `--directory=ROOTFS`, any rootfs the profile allows.
 */
export interface ApplyOptions extends InstallOptions {
  readonly route?: InstallRoute;
  /** The profile file the plan came from, recorded in the manifest so that `volt list` can tell drift. */
  readonly profile?: ProfileOrigin;
}

/** One file an apply creates, changes, removes or leaves alone. */
export interface FileChange {
  readonly path: string;
  readonly action: 'create' | 'update' | 'remove' | 'unchanged';
  /** A unified diff of text files that change; empty otherwise. */
  readonly diff: string;
}

/**
 * An install in progress, kept in the container's state directory. `prepared`: the temp files below may
 * exist and are removed by recovery (the previous set stays). `committed`: every temp file is complete,
 * and recovery renames each over its target and removes the removals (the new set).
 */
interface Journal {
  readonly state: 'prepared' | 'committed';
  /** Each file to install, with the name of its temp file in the same directory. */
  readonly writes: readonly { readonly path: string; readonly temp: string }[];
  readonly removals: readonly string[];
  /** The temp file of the committed journal, in the state directory. */
  readonly journalTemp: string;
}

/** The most Volt reads of a file it installed; none it writes comes near (the helper is under 1 MiB). */
export const INSTALLED_FILE_LIMIT: number = 4 * 1024 * 1024;
/** The most Volt reads of its manifest and journal, which name at most a dozen paths. */
const STATE_FILE_LIMIT = 64 * 1024;
/** Every directory Volt creates, whatever the umask: readable by a container's own users, writable by root. */
const DIRECTORY_MODE = 0o755;

function rootOf(options: InstallOptions): string {
  return resolve(options.root ?? '/');
}

/** Runs `use` with the install root (`/`, or `--root DIR`) open. */
export function withTree<T>(options: InstallOptions, use: (root: TreeDirectory) => T): T {
  const root = openTreeRoot(rootOf(options));
  try {
    return use(root);
  } finally {
    closeDirectory(root);
  }
}

/** The directory of a file Volt installs, created with its mode if missing; Volt's own set to it again. */
function openForWrite(root: TreeDirectory, paths: ContainerPaths, directory: string): TreeDirectory {
  const opened = openBeneath(root, directory, { create: DIRECTORY_MODE }) as TreeDirectory;
  if (ownedDirectories(paths).includes(directory)) setDirectoryMode(opened, DIRECTORY_MODE);
  return opened;
}

/** The bytes of a planned file; a copy is read from this machine (the helper binary), not from the root. */
export function plannedBytes(file: PlannedFile): Buffer {
  const { content } = file;
  if ('text' in content) return Buffer.from(content.text);
  if ('bytes' in content) return Buffer.from(content.bytes);
  return readFileSync(content.copyOf);
}

function stateFileError(display: string, what: string): VoltError {
  return new VoltError('PARSE_ERROR', `${display} is not ${what} Volt wrote`, {
    hint: `it names a file Volt does not install, or was changed by hand: move ${display} away and apply again`,
  });
}

/**
 * The manifest: every file it names must be one a plan for this container can install.
 *
 * @throws {@link VoltError} PARSE_ERROR for anything but a manifest Volt wrote for this container.
 */
export function readManifest(root: TreeDirectory, paths: ContainerPaths): ContainerManifest {
  const bytes = readFileBeneath(root, paths.manifest, STATE_FILE_LIMIT);
  if (bytes === undefined) return { files: [], route: null, profile: null };
  const manifest = parseManifest(bytes.toString('utf8'), paths);
  if (manifest === undefined) {
    throw stateFileError(`${root.path === '/' ? '' : root.path}${paths.manifest}`, 'a manifest');
  }
  return manifest;
}

/** The SHA-256 of bytes, as lower-case hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Parses a journal; undefined for one that is not JSON, which can only be a prepared journal cut short
 * while it was written (a committed one is renamed into place once complete), before any temp file.
 */
function parseJournal(bytes: Buffer, paths: ContainerPaths, display: string): Journal | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const files = [...installableFiles(paths), paths.manifest];
  const journal = parsed as Partial<Journal> | null;
  const valid =
    typeof journal === 'object' &&
    journal !== null &&
    (journal.state === 'prepared' || journal.state === 'committed') &&
    typeof journal.journalTemp === 'string' &&
    TEMPORARY_NAME.test(journal.journalTemp) &&
    Array.isArray(journal.writes) &&
    journal.writes.every(
      (write) =>
        typeof write === 'object' &&
        write !== null &&
        files.includes(write.path) &&
        typeof write.temp === 'string' &&
        TEMPORARY_NAME.test(write.temp),
    ) &&
    Array.isArray(journal.removals) &&
    journal.removals.every((path) => files.includes(path));
  if (!valid) throw stateFileError(display, 'an install journal');
  return journal as Journal;
}

/** Renames every temp file of a committed journal into place, removes its removals, ends the journal. */
function rollForward(
  root: TreeDirectory,
  stateDir: TreeDirectory,
  paths: ContainerPaths,
  journal: Journal,
): void {
  for (const write of journal.writes) {
    withDirectory(openBeneath(root, dirname(write.path)), (directory) => {
      if (entryKind(directory, write.temp) === 'a regular file')
        renameAt(directory, write.temp, basename(write.path));
      syncDirectory(directory);
    });
  }
  for (const path of journal.removals) {
    withDirectory(openBeneath(root, dirname(path)), (directory) => {
      removeFileAt(directory, basename(path));
      syncDirectory(directory);
    });
  }
  removeFileAt(stateDir, basename(paths.journal));
  syncDirectory(stateDir);
}

function recover(root: TreeDirectory, paths: ContainerPaths): 'clean' | 'rolled-forward' | 'rolled-back' {
  const journalName = basename(paths.journal);
  return (
    withDirectory(openBeneath(root, paths.stateDir), (stateDir) => {
      const bytes = readFileAt(stateDir, journalName, STATE_FILE_LIMIT);
      if (bytes === undefined) return 'clean' as const;
      const journal = parseJournal(bytes, paths, `${stateDir.path}/${journalName}`);
      if (journal?.state === 'committed') {
        rollForward(root, stateDir, paths, journal);
        return 'rolled-forward' as const;
      }
      for (const write of journal?.writes ?? []) {
        withDirectory(openBeneath(root, dirname(write.path)), (directory) => {
          removeFileAt(directory, write.temp);
          syncDirectory(directory);
        });
      }
      if (journal !== undefined) removeFileAt(stateDir, journal.journalTemp);
      removeFileAt(stateDir, journalName);
      syncDirectory(stateDir);
      return 'rolled-back' as const;
    }) ?? 'clean'
  );
}

/** A small unified diff of two texts (whole-file hunk), enough for a person to review an apply. */
function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const oldLines = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const newLines = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  let start = 0;
  while (start < oldLines.length && start < newLines.length && oldLines[start] === newLines[start]) start++;
  let endOld = oldLines.length;
  let endNew = newLines.length;
  while (endOld > start && endNew > start && oldLines[endOld - 1] === newLines[endNew - 1]) {
    endOld--;
    endNew--;
  }
  const context = 2;
  const from = Math.max(0, start - context);
  const head = [
    `--- ${path}`,
    `+++ ${path}`,
    `@@ -${from + 1},${Math.min(oldLines.length, endOld + context) - from} +${from + 1},${Math.min(newLines.length, endNew + context) - from} @@`,
  ];
  const body = [
    ...oldLines.slice(from, start).map((line) => ` ${line}`),
    ...oldLines.slice(start, endOld).map((line) => `-${line}`),
    ...newLines.slice(start, endNew).map((line) => `+${line}`),
    ...oldLines.slice(endOld, Math.min(oldLines.length, endOld + context)).map((line) => ` ${line}`),
  ];
  return `${[...head, ...body].join('\n')}\n`;
}

function changesOf(root: TreeDirectory, plan: IsolationPlan, paths: ContainerPaths): FileChange[] {
  const changes: FileChange[] = [];
  for (const file of plan.files) {
    const next = plannedBytes(file);
    const current = readFileBeneath(root, file.path, Math.max(next.length, INSTALLED_FILE_LIMIT));
    const action = current === undefined ? 'create' : current.equals(next) ? 'unchanged' : 'update';
    const diff =
      'text' in file.content
        ? unifiedDiff(file.path, current?.toString('utf8') ?? '', file.content.text)
        : '';
    changes.push({ path: file.path, action, diff });
  }
  const planned = new Set(plan.files.map((file) => file.path));
  for (const { path } of readManifest(root, paths).files) {
    if (planned.has(path)) continue;
    const current = readFileBeneath(root, path, INSTALLED_FILE_LIMIT);
    if (current !== undefined)
      changes.push({ path, action: 'remove', diff: unifiedDiff(path, current.toString('utf8'), '') });
  }
  return changes;
}

/**
 * Runs `action` while holding the container's install lock, so that two `volt apply` runs on the same
 * container end in one consistent state. A lock left by a killed process is taken over after 10 s. The
 * state directory is opened without following a symlink, and locked through its descriptor.
 *
 * @throws {@link VoltError} BUSY when the lock cannot be had within about 30 s.
 * @example
 * ```ts
 * await withContainerLock('web', { root: '/' }, async () => { ... });
 * ```
 */
export async function withContainerLock<T>(
  name: string,
  options: InstallOptions,
  action: () => Promise<T>,
): Promise<T> {
  const paths = containerPaths(name);
  const stateDir = withTree(options, (root) => openForWrite(root, paths, paths.stateDir));
  let acting = false;
  try {
    // The lock's own files are made through the descriptor (openat semantics): nothing can redirect them.
    return await withDirectoryLock(`/proc/self/fd/${stateDir.fd}`, `container ${name}`, () => {
      acting = true;
      return action();
    });
  } catch (error) {
    if (acting || !VoltError.isInstance(error) || error.code !== 'BUSY') throw error;
    throw new VoltError('BUSY', `container ${name} (${stateDir.path}) is locked by another process`, {
      hint: 'retry; a lock left by a killed process is taken over after 10 s',
      cause: error,
    });
  } finally {
    closeDirectory(stateDir);
  }
}

/**
 * Finishes or undoes an install that was interrupted, as its journal says: a committed one is completed
 * (roll forward: the new set); a prepared one is undone by removing the temp files it names, and only
 * those, each only if it is a regular file (roll back: the previous set stays). Nothing is removed by a
 * name pattern. Called under the container lock by every command that reads or changes a container.
 *
 * @throws {@link VoltError} PARSE_ERROR for a journal that names a file Volt does not install;
 *   INVALID_PATH for a symlink or other non-directory on the way to a file.
 * @example
 * ```ts
 * await recoverInstall('web', { root: '/' });
 * ```
 */
export async function recoverInstall(
  name: string,
  options: InstallOptions = {},
): Promise<'clean' | 'rolled-forward' | 'rolled-back'> {
  return withTree(options, (root) => recover(root, containerPaths(name)));
}

/**
 * What applying a plan would change, file by file, with diffs. Reads only, without following a symlink
 * and only regular files, each at most 4 MiB.
 *
 * @throws {@link VoltError} INVALID_PATH for a symlink, directory, FIFO or device where a file or a
 *   directory of Volt's belongs; PARSE_ERROR for a manifest that names a file Volt does not install.
 * @example
 * ```ts
 * for (const change of await planChanges(plan)) console.log(change.action, change.path);
 * ```
 */
export async function planChanges(plan: IsolationPlan, options: InstallOptions = {}): Promise<FileChange[]> {
  return withTree(options, (root) => changesOf(root, plan, containerPaths(plan.config.name)));
}

/** Writes the temp files, commits the journal, then renames them into place. */
function install(
  root: TreeDirectory,
  plan: IsolationPlan,
  changes: readonly FileChange[],
  paths: ContainerPaths,
  record: Pick<ContainerManifest, 'route' | 'profile'>,
): void {
  const files = plan.files.map((file) => ({ path: file.path, mode: file.mode, bytes: plannedBytes(file) }));
  const manifest = renderManifest({
    files: files.map((file) => ({ path: file.path, sha256: sha256(file.bytes) })),
    ...record,
  });
  const pending = [
    ...files.filter((file) => changes.find((change) => change.path === file.path)?.action !== 'unchanged'),
    { path: paths.manifest, mode: 0o644, bytes: Buffer.from(manifest) },
  ].map((write) => ({ ...write, temp: temporaryName() }));
  const prepared: Journal = {
    state: 'prepared',
    writes: pending.map(({ path, temp }) => ({ path, temp })),
    removals: changes.filter((change) => change.action === 'remove').map((change) => change.path),
    journalTemp: temporaryName(),
  };
  const committed: Journal = { ...prepared, state: 'committed' };
  const stateDir = openForWrite(root, paths, paths.stateDir);
  try {
    // Every temp file is named in the journal before it exists, so recovery removes exactly those.
    createFileAt(stateDir, basename(paths.journal), Buffer.from(JSON.stringify(prepared)), 0o600);
    syncDirectory(stateDir);
    for (const write of pending) {
      withDirectory(openForWrite(root, paths, dirname(write.path)), (directory) =>
        createFileAt(directory, write.temp, write.bytes, write.mode),
      );
    }
    createFileAt(stateDir, committed.journalTemp, Buffer.from(JSON.stringify(committed)), 0o600);
    renameAt(stateDir, committed.journalTemp, basename(paths.journal));
    syncDirectory(stateDir);
    rollForward(root, stateDir, paths, committed);
  } finally {
    closeDirectory(stateDir);
  }
}

/**
 * Installs a plan's files all at once: every file is written to a temp file (a random name, created
 * exclusively, no symlink followed) and fsynced, then a journal of the renames is committed, then the
 * renames happen. A process killed at any point leaves either the previous set or, after
 * {@link recoverInstall}, the new set — never a partial or mixed one. Files a previous apply installed that
 * the plan no longer has are removed in the same transaction. Directories are created 0755 whatever the
 * umask. Takes the container lock. The rootfs is checked first ({@link checkRootfs}): a path through a
 * symlink is refused, and so is, for a booting container whose workload unit Landlock wraps, an image
 * drop-in that would override Volt's.
 *
 * @throws {@link VoltError} CONFLICT for a template-route plan whose rootfs is not `/var/lib/machines/NAME`,
 *   or an image drop-in that overrides Volt's; INVALID_PATH for a symlink or non-directory on the way to a
 *   file or to the rootfs, or something else than a regular file where one is; BUSY when another process holds the lock;
 *   SYSTEM_ERROR for I/O failures.
 * @example
 * ```ts
 * const changes = await applyPlan(plan, { root: '/' });
 * ```
 */
export async function applyPlan(plan: IsolationPlan, options: ApplyOptions = {}): Promise<FileChange[]> {
  const { name, rootfs } = plan.config;
  if ((options.route ?? 'template') === 'template' && rootfs !== templateRootfs(name)) {
    throw new VoltError(
      'CONFLICT',
      `rootfs ${rootfs}: the stock systemd-nspawn@${name}.service boots ${templateRootfs(name)}, and a .nspawn file cannot name another directory; accepted: rootfs ${templateRootfs(name)} (or no rootfs) for volt apply`,
      { path: ['rootfs'], hint: `move the image to ${templateRootfs(name)}, or start it with volt run` },
    );
  }
  const paths = containerPaths(name);
  return withContainerLock(name, options, async () =>
    withTree(options, (root) => {
      recover(root, paths);
      checkRootfs(root, plan.config);
      const changes = changesOf(root, plan, paths);
      const record = { route: options.route ?? 'template', profile: options.profile ?? null } as const;
      // The manifest is written again when only the record changed (a profile moved or rewritten alike).
      const current = readManifest(root, paths);
      const recorded =
        current.route === record.route &&
        current.profile?.path === record.profile?.path &&
        current.profile?.sha256 === record.profile?.sha256 &&
        current.files.every((file) => file.sha256 !== null);
      if (changes.some((change) => change.action !== 'unchanged') || !recorded) {
        install(root, plan, changes, paths, record);
      }
      return changes;
    }),
  );
}

/**
 * Removes everything Volt installed for a container, in one transaction under the container lock: the
 * files its manifest names (each only if it is a regular file; anything else there is an error naming
 * it) and the manifest, then Volt's own directories when they are empty. Nothing else is removed, and no
 * symlink is followed.
 *
 * @throws {@link VoltError} INVALID_PATH for a symlink or other non-directory on the way to a file, or a
 *   non-regular file where a manifest's file was; PARSE_ERROR for a manifest naming a file Volt does not
 *   install.
 * @example
 * ```ts
 * await removeContainerFiles('web', { root: '/' });
 * ```
 */
export async function removeContainerFiles(name: string, options: InstallOptions = {}): Promise<string[]> {
  const paths = containerPaths(name);
  const removed = await withContainerLock(name, options, async () =>
    withTree(options, (root) => {
      recover(root, paths);
      const manifest = readManifest(root, paths).files.map((file) => file.path);
      for (const path of manifest) {
        withDirectory(openBeneath(root, dirname(path)), (directory) => {
          const kind = entryKind(directory, basename(path));
          if (kind !== undefined && kind !== 'a regular file') {
            throw new VoltError(
              'INVALID_PATH',
              `${directory.path}/${basename(path)} is ${kind}, not the file Volt installed; accepted: a regular file`,
              { hint: "move it out of the way (it is not Volt's) and remove the container again" },
            );
          }
        });
      }
      const journal: Journal = {
        state: 'committed',
        writes: [],
        removals: [...manifest, paths.manifest],
        journalTemp: temporaryName(),
      };
      withDirectory(openBeneath(root, paths.stateDir), (stateDir) => {
        createFileAt(stateDir, basename(paths.journal), Buffer.from(JSON.stringify(journal)), 0o600);
        syncDirectory(stateDir);
        rollForward(root, stateDir, paths, journal);
      });
      return [...manifest];
    }),
  );
  // After the lock is gone (its directory was in the state directory): Volt's directories, if empty.
  withTree(options, (root) => {
    for (const directory of ownedDirectories(paths)) {
      withDirectory(openBeneath(root, dirname(directory)), (parent) =>
        removeEmptyDirectoryAt(parent, basename(directory)),
      );
    }
  });
  return removed;
}
