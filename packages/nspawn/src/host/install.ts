import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { joinUnderRoot, VoltError } from '@volt/core';
import { withDirectoryLock } from '@volt/netns';
import { containerPaths } from '../model/paths.js';
import type { IsolationPlan, PlannedFile } from '../render/plan.js';

/** Where an install happens: `/` on a host, or an image being built (`--root DIR`). */
export interface InstallOptions {
  readonly root?: string;
}

/** One file an apply creates, changes, removes or leaves alone. */
export interface FileChange {
  readonly path: string;
  readonly action: 'create' | 'update' | 'remove' | 'unchanged';
  /** A unified diff of text files that change; empty otherwise. */
  readonly diff: string;
}

interface JournalOperation {
  readonly from?: string;
  readonly to: string;
}

const JOURNAL = 'install-journal.json';
const MANIFEST = 'manifest.json';
const TEMP_MARK = '.volt-tmp-';

async function fsyncPath(path: string, flags: number = constants.O_RDONLY): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a file so that it is either absent or complete under `path`: temp file, fsync, no rename yet. */
async function writeTemp(path: string, data: Uint8Array | string, mode: number): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}${TEMP_MARK}${process.pid}`;
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The bytes of a planned file; a copy is read from this machine (the helper binary), not from the root. */
async function plannedBytes(file: PlannedFile): Promise<Buffer> {
  const { content } = file;
  if ('text' in content) return Buffer.from(content.text);
  if ('bytes' in content) return Buffer.from(content.bytes);
  return readFile(content.copyOf);
}

function rootOf(options: InstallOptions): string {
  return resolve(options.root ?? '/');
}

/** The path inside the install root of a file path on the target system. */
function relativeToRoot(root: string, hostPath: string): string {
  return root === '/' ? hostPath : hostPath.slice(root.length);
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

/**
 * Runs `action` while holding the container's install lock, so that two `volt apply` runs on the same
 * container end in one consistent state. A lock left by a killed process is taken over after 10 s.
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
  return withDirectoryLock(
    joinUnderRoot(rootOf(options), containerPaths(name).stateDir),
    `container ${name}`,
    action,
  );
}

/**
 * Finishes or undoes an install that was interrupted: with a committed journal, every rename it lists is
 * completed (roll forward); without one, stray temp files are removed (the previous set stays). Called
 * under the container lock by every command that reads or changes a container.
 *
 * @example
 * ```ts
 * await recoverInstall('web', { root: '/' });
 * ```
 */
export async function recoverInstall(
  name: string,
  options: InstallOptions = {},
): Promise<'clean' | 'rolled-forward' | 'rolled-back'> {
  const root = rootOf(options);
  const stateDir = joinUnderRoot(root, containerPaths(name).stateDir);
  const journal = await readIfExists(join(stateDir, JOURNAL));
  if (journal !== undefined) {
    const operations = JSON.parse(journal.toString('utf8')) as JournalOperation[];
    for (const operation of operations) {
      const target = joinUnderRoot(root, operation.to);
      if (operation.from === undefined) {
        await rm(target, { force: true });
      } else if ((await readIfExists(joinUnderRoot(root, operation.from))) !== undefined) {
        await rename(joinUnderRoot(root, operation.from), target);
      }
    }
    await unlink(join(stateDir, JOURNAL));
    await fsyncPath(stateDir);
    return 'rolled-forward';
  }
  const manifest = await readManifest(name, root);
  const directories = new Set(
    [...manifest, ...plannedPathsFor(name)].map((path) => dirname(joinUnderRoot(root, path))),
  );
  let removed = false;
  for (const directory of directories) {
    let entries: string[];
    try {
      entries = await readdir(directory);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.includes(TEMP_MARK)) {
        await rm(join(directory, entry), { force: true });
        removed = true;
      }
    }
  }
  return removed ? 'rolled-back' : 'clean';
}

function plannedPathsFor(name: string): string[] {
  const paths = containerPaths(name);
  return [
    paths.settingsFile,
    paths.serviceDropIn,
    paths.resolvConf,
    `${paths.stateDir}/${MANIFEST}`,
    `${paths.runtimeDir}/x`,
  ];
}

async function readManifest(name: string, root: string): Promise<string[]> {
  const text = await readIfExists(joinUnderRoot(root, `${containerPaths(name).stateDir}/${MANIFEST}`));
  return text === undefined ? [] : (JSON.parse(text.toString('utf8')) as string[]);
}

/**
 * What applying a plan would change, file by file, with diffs. Reads only.
 *
 * @example
 * ```ts
 * for (const change of await planChanges(plan)) console.log(change.action, change.path);
 * ```
 */
export async function planChanges(plan: IsolationPlan, options: InstallOptions = {}): Promise<FileChange[]> {
  const root = rootOf(options);
  const changes: FileChange[] = [];
  const planned = new Set(plan.files.map((file) => file.path));
  for (const file of plan.files) {
    const current = await readIfExists(joinUnderRoot(root, file.path));
    const next = await plannedBytes(file);
    const action = current === undefined ? 'create' : current.equals(next) ? 'unchanged' : 'update';
    const diff =
      'text' in file.content
        ? unifiedDiff(file.path, current?.toString('utf8') ?? '', file.content.text)
        : '';
    changes.push({ path: file.path, action, diff });
  }
  for (const path of await readManifest(plan.config.name, root)) {
    if (planned.has(path)) continue;
    const current = await readIfExists(joinUnderRoot(root, path));
    if (current !== undefined)
      changes.push({ path, action: 'remove', diff: unifiedDiff(path, current.toString('utf8'), '') });
  }
  return changes;
}

async function commit(name: string, root: string, operations: JournalOperation[]): Promise<void> {
  const stateDir = joinUnderRoot(root, containerPaths(name).stateDir);
  const journalTemp = await writeTemp(join(stateDir, JOURNAL), JSON.stringify(operations), 0o600);
  await rename(journalTemp, join(stateDir, JOURNAL));
  await fsyncPath(stateDir);
  await recoverInstall(name, { root });
  for (const directory of new Set(
    operations.map((operation) => dirname(joinUnderRoot(root, operation.to))),
  )) {
    try {
      await fsyncPath(directory);
    } catch {
      // a directory emptied by a removal may be gone
    }
  }
}

/**
 * Installs a plan's files all at once: every file is written to a temp file and fsynced, then a journal
 * of the renames is committed, then the renames happen. A process killed at any point leaves either the
 * previous set or, after {@link recoverInstall}, the new set — never a partial or mixed one. Files a
 * previous apply installed that the plan no longer has are removed in the same transaction. Takes the
 * container lock.
 *
 * @throws {@link VoltError} BUSY when another process holds the lock; SYSTEM_ERROR for I/O failures.
 * @example
 * ```ts
 * const changes = await applyPlan(plan, { root: '/' });
 * ```
 */
export async function applyPlan(plan: IsolationPlan, options: InstallOptions = {}): Promise<FileChange[]> {
  const root = rootOf(options);
  const name = plan.config.name;
  return withContainerLock(name, options, async () => {
    await recoverInstall(name, options);
    const changes = await planChanges(plan, options);
    if (changes.every((change) => change.action === 'unchanged')) return changes;
    const operations: JournalOperation[] = [];
    for (const file of plan.files) {
      const change = changes.find((candidate) => candidate.path === file.path);
      if (change?.action === 'unchanged') continue;
      const temp = await writeTemp(joinUnderRoot(root, file.path), await plannedBytes(file), file.mode);
      operations.push({ from: relativeToRoot(root, temp), to: file.path });
    }
    for (const change of changes) if (change.action === 'remove') operations.push({ to: change.path });
    const manifestPath = `${containerPaths(name).stateDir}/${MANIFEST}`;
    const manifest = JSON.stringify(plan.files.map((file) => file.path).sort());
    const manifestTemp = await writeTemp(joinUnderRoot(root, manifestPath), manifest, 0o644);
    operations.push({ from: relativeToRoot(root, manifestTemp), to: manifestPath });
    await commit(name, root, operations);
    return changes;
  });
}

/**
 * Removes everything Volt installed for a container (the files in its manifest and its state), in one
 * transaction, under the container lock. The container's rootfs is left alone except for the files
 * Volt wrote into it.
 *
 * @example
 * ```ts
 * await removeContainerFiles('web', { root: '/' });
 * ```
 */
export async function removeContainerFiles(name: string, options: InstallOptions = {}): Promise<string[]> {
  const root = rootOf(options);
  const removed = await withContainerLock(name, options, async () => {
    await recoverInstall(name, options);
    const manifest = await readManifest(name, root);
    const operations: JournalOperation[] = [...manifest, `${containerPaths(name).stateDir}/${MANIFEST}`].map(
      (to) => ({ to }),
    );
    await commit(name, root, operations);
    return manifest;
  });
  const stateDir = joinUnderRoot(root, containerPaths(name).stateDir);
  await rm(stateDir, { recursive: true, force: true });
  for (const path of removed) {
    const directory = dirname(joinUnderRoot(root, path));
    if (directory.endsWith('.service.d') && (await readdir(directory).catch(() => ['?'])).length === 0)
      await rmdir(directory);
  }
  return removed;
}
