import { readdir, readFile } from 'node:fs/promises';
import { joinUnderRoot, parseMachineName, type ValidIsolation, VoltError } from '@volt/core';
import { MACHINES_DIR } from '../model/defaults.js';
import { type InstalledFiles, isolationFromInstalled } from '../model/installed.js';
import { containerPaths } from '../model/paths.js';

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads an installed container from disk (under `root`) and parses it with {@link isolationFromInstalled}.
 * The workload drop-in is looked for in the rootfs (`/var/lib/machines/NAME` unless given).
 *
 * @throws {@link VoltError} NOT_FOUND when there is no `.nspawn` file; PARSE_ERROR and validation codes.
 * @example
 * ```ts
 * const config = await readInstalledContainer('web', { root: '/' });
 * ```
 */
export async function readInstalledContainer(
  name: string,
  options: { readonly root?: string; readonly rootfs?: string } = {},
): Promise<ValidIsolation> {
  const checked = parseMachineName(name);
  if (!checked.ok) throw checked.error.at(['name']);
  const root = options.root ?? '/';
  const paths = containerPaths(checked.value);
  const at = (path: string) => joinUnderRoot(root, path);
  const nspawnFile = await readText(at(paths.settingsFile));
  if (nspawnFile === undefined) {
    throw new VoltError('NOT_FOUND', `container ${name} has no settings file ${paths.settingsFile}`, {
      hint: 'install it with volt apply PROFILE',
    });
  }
  const rootfs = options.rootfs ?? `${MACHINES_DIR}/${checked.value}`;
  const unitDir = at(joinUnderRoot(rootfs, '/etc/systemd/system'));
  let workload: InstalledFiles['workload'];
  for (const entry of await readdir(unitDir).catch(() => [] as string[])) {
    const dropIn = entry.endsWith('.d')
      ? await readText(`${unitDir}/${entry}/50-volt-landlock.conf`)
      : undefined;
    if (dropIn !== undefined) workload = { unit: entry.slice(0, -2), dropIn };
  }
  const optional = async (
    key: 'serviceDropIn' | 'resolvConf' | 'containerNetworkFile' | 'landlockPolicy',
    path: string,
  ) => {
    const text = await readText(at(path));
    return text === undefined ? {} : { [key]: text };
  };
  const result = isolationFromInstalled({
    name: checked.value,
    rootfs,
    nspawnFile,
    ...(await optional('serviceDropIn', paths.serviceDropIn)),
    ...(await optional('resolvConf', paths.resolvConf)),
    ...(await optional('containerNetworkFile', paths.containerNetworkFile)),
    ...(await optional('landlockPolicy', paths.landlockPolicy)),
    ...(workload === undefined ? {} : { workload }),
  });
  if (!result.ok) throw result.error;
  return result.value;
}
