import { resolve } from 'node:path';
import { parseMachineName, type ValidIsolation, VoltError } from '@volt/core';
import { isolationFromInstalled } from '../model/installed.js';
import { containerPaths } from '../model/paths.js';
import { templateRootfs } from '../model/rootfs.js';
import { checkRootfs } from './image.js';
import { closeDirectory, openTreeRoot, readFileBeneath } from './tree.js';

/** The most Volt reads of one installed text file (an environment of 1024 entries fits many times). */
const INSTALLED_TEXT_LIMIT = 1024 * 1024;

/**
 * Reads an installed container from disk (under `root`) and parses it with {@link isolationFromInstalled}:
 * only Volt's own files (the `.nspawn` file, the service drop-in, the state directory), each read without
 * following a symlink, only if it is a regular file of at most 1 MiB. The rootfs is
 * `/var/lib/machines/NAME` (the template route's), checked again as `volt start` must ({@link checkRootfs}:
 * no symlink on its path; for a booting container whose workload unit Landlock wraps, no image drop-in
 * that would override Volt's).
 *
 * @throws {@link VoltError} NOT_FOUND when there is no `.nspawn` file; CONFLICT for an image drop-in that
 *   overrides Volt's; INVALID_PATH for a symlink or non-regular file, or a symlink on the rootfs path;
 *   PARSE_ERROR and validation codes.
 * @example
 * ```ts
 * const config = await readInstalledContainer('web', { root: '/' });
 * ```
 */
export async function readInstalledContainer(
  name: string,
  options: { readonly root?: string } = {},
): Promise<ValidIsolation> {
  const checked = parseMachineName(name);
  if (!checked.ok) throw checked.error.at(['name']);
  const paths = containerPaths(checked.value);
  const root = openTreeRoot(resolve(options.root ?? '/'));
  try {
    const read = (path: string) => readFileBeneath(root, path, INSTALLED_TEXT_LIMIT)?.toString('utf8');
    const nspawnFile = read(paths.settingsFile);
    if (nspawnFile === undefined) {
      throw new VoltError('NOT_FOUND', `container ${name} has no settings file ${paths.settingsFile}`, {
        hint: 'install it with volt apply PROFILE',
      });
    }
    const optional = (
      key: 'serviceDropIn' | 'resolvConf' | 'containerNetworkFile' | 'landlockPolicy' | 'workloadDropIn',
      path: string,
    ) => {
      const text = read(path);
      return text === undefined ? {} : { [key]: text };
    };
    const result = isolationFromInstalled({
      name: checked.value,
      rootfs: templateRootfs(checked.value),
      nspawnFile,
      ...optional('serviceDropIn', paths.serviceDropIn),
      ...optional('resolvConf', paths.resolvConf),
      ...optional('containerNetworkFile', paths.containerNetworkFile),
      ...optional('landlockPolicy', paths.landlockPolicy),
      ...optional('workloadDropIn', paths.workloadDropIn),
    });
    if (!result.ok) throw result.error;
    checkRootfs(root, result.value);
    return result.value;
  } finally {
    closeDirectory(root);
  }
}
