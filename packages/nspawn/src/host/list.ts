import { spawnSync } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import {
  formatVoltError,
  parseInterfaceAddress,
  parseMachineName,
  parseUnitFile,
  type Valid,
  type ValidIsolation,
  VoltError,
} from '@volt/core';
import { loadProfileDocument, PROFILE_LIMITS } from '@volt/core/profile';
import { type ContainerLease, parseContainerLease, planBridge } from '@volt/netns';
import type { ContainerManifest, InstallRoute } from '../model/manifest.js';
import { containerPaths, VOLT_STATE_DIR } from '../model/paths.js';
import { renderPlan } from '../render/plan.js';
import { isolationFromLayers, profileLayersFrom } from './document.js';
import {
  INSTALLED_FILE_LIMIT,
  type InstallOptions,
  plannedBytes,
  readManifest,
  sha256,
  withTree,
} from './install.js';
import { parseContainerStatus } from './lifecycle.js';
import { systemdIsPid1 } from './probe.js';
import { planTargetFor } from './target.js';
import {
  closeDirectory,
  listDirectory,
  openBeneath,
  openTreeRoot,
  readFileAt,
  readFileBeneath,
  type TreeDirectory,
  withDirectory,
} from './tree.js';

/** Whether a container's installed files are still what its profile renders. */
export interface ContainerDrift {
  /** `in-sync`: nothing differs; `drifted`: see `changes`; `unknown`: see `reason` (and any `changes` found). */
  readonly state: 'in-sync' | 'drifted' | 'unknown';
  /** What differs, one line each: a file changed or missing since it was installed, the profile changed… */
  readonly changes: readonly string[];
  /** Why drift cannot be told (the profile is gone, no longer valid, was not a file…). */
  readonly reason?: string;
}

/** A container Volt installed, as `volt list` shows it. */
export interface InstalledContainer {
  readonly name: string;
  /** `template` (`volt apply`), `direct` (`volt run`), or null for an install recorded before routes were. */
  readonly route: InstallRoute | null;
  /** The profile file it was applied from, or null. */
  readonly profile: string | null;
  /** The unit systemd runs it as. */
  readonly unit: string;
  /** The unit's state (`active (running)`), or `unknown: PID 1 is not systemd`. */
  readonly state: string;
  readonly drift: ContainerDrift;
}

/** The unit name machined gives a machine's scope: `machine-NAME.scope`, NAME escaped as systemd escapes it. */
function machineScope(name: string): string {
  const escaped = [...name]
    .map((character) =>
      /[A-Za-z0-9:_.]/.test(character)
        ? character
        : `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`,
    )
    .join('');
  return `machine-${escaped}.scope`;
}

/** The state of a unit, as `systemctl show` says it. */
function unitState(unit: string): string {
  if (!systemdIsPid1()) return 'unknown: PID 1 is not systemd';
  const run = spawnSync('systemctl', ['show', unit, '--property=ActiveState,SubState'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.status !== 0)
    return `unknown: systemctl show failed (${run.stderr.trim() || `exit ${run.status}`})`;
  const status = parseContainerStatus(unit, run.stdout);
  return `${status.activeState} (${status.subState})`;
}

/** A private container's lease, read back from the networkd file Volt installed for it. */
function installedLease(root: TreeDirectory, config: ValidIsolation): Valid<ContainerLease> | undefined {
  if (config.network.mode !== 'private') return undefined;
  const text = readFileBeneath(root, containerPaths(config.name).containerNetworkFile, INSTALLED_FILE_LIMIT);
  const file = text === undefined ? undefined : parseUnitFile(text.toString('utf8'));
  if (file === undefined || !file.ok) return undefined;
  const addresses = file.value.sections
    .filter((section) => section.name === 'Network')
    .flatMap((section) =>
      section.entries.filter(([key]) => key === 'Address').map(([, value]) => parseInterfaceAddress(value)),
    )
    .flatMap((address) => (address.ok ? [address.value.address] : []));
  const address = addresses.find((candidate) => candidate.family === 4);
  const address6 = addresses.find((candidate) => candidate.family === 6);
  if (address === undefined) return undefined;
  const lease = parseContainerLease(planBridge(config.network), {
    address: address.text,
    ...(address6 === undefined ? {} : { address6: address6.text }),
  });
  return lease.ok ? lease.value : undefined;
}

/** The profile's text at its recorded path, read as a regular file (never a FIFO, never a last symlink). */
function readRecordedProfile(path: string): string | undefined {
  const directory = openTreeRoot(dirname(path));
  return withDirectory(directory, (opened) =>
    readFileAt(opened, basename(path), PROFILE_LIMITS.bytes + 1)?.toString('utf8'),
  );
}

/** Compares what is installed with what was installed, and with what the profile renders now. */
async function driftOf(
  root: TreeDirectory,
  name: string,
  manifest: ContainerManifest,
): Promise<ContainerDrift> {
  const changes = new Map<string, string>();
  for (const file of manifest.files) {
    const current = readFileBeneath(root, file.path, INSTALLED_FILE_LIMIT);
    if (current === undefined) changes.set(file.path, `${file.path}: missing`);
    else if (file.sha256 !== null && sha256(current) !== file.sha256)
      changes.set(file.path, `${file.path}: changed since it was installed`);
  }
  const unknown = (reason: string): ContainerDrift => ({
    state: changes.size > 0 ? 'drifted' : 'unknown',
    changes: [...changes.values()],
    reason,
  });
  if (manifest.route === null)
    return unknown('installed by an older Volt, which recorded no profile: apply it again');
  if (manifest.profile === null)
    return unknown('applied from a profile that was not a file (a pipe): apply it from a file');
  let text: string | undefined;
  try {
    text = readRecordedProfile(manifest.profile.path);
  } catch (error) {
    return unknown(
      `the profile ${manifest.profile.path} cannot be read: ${VoltError.isInstance(error) ? error.message : String(error)}`,
    );
  }
  if (text === undefined) return unknown(`the profile ${manifest.profile.path} is gone`);
  if (sha256(Buffer.from(text)) !== manifest.profile.sha256)
    changes.set('profile', `${manifest.profile.path}: changed since it was applied`);
  try {
    const document = await loadProfileDocument(text, manifest.profile.path);
    // The files it extends are read again too: a change there shows as a difference in what it renders.
    const config = isolationFromLayers(await profileLayersFrom(manifest.profile.path, document)).isolation;
    if (config.name !== name)
      return unknown(`the profile ${manifest.profile.path} now names the container ${config.name}`);
    const lease = installedLease(root, config);
    const plan = renderPlan(config, {
      ...(await planTargetFor(config)),
      ...(lease === undefined ? {} : { containerLease: lease }),
    });
    const installed = new Set(manifest.files.map((file) => file.path));
    for (const file of plan.files) {
      if (changes.has(file.path)) continue;
      const current = readFileBeneath(root, file.path, INSTALLED_FILE_LIMIT);
      if (!installed.has(file.path) || current === undefined)
        changes.set(file.path, `${file.path}: rendered, not installed`);
      else if (!current.equals(plannedBytes(file)))
        changes.set(file.path, `${file.path}: differs from what the profile renders`);
    }
    const rendered = new Set(plan.files.map((file) => file.path));
    for (const path of installed)
      if (!rendered.has(path) && !changes.has(path))
        changes.set(path, `${path}: installed, no longer rendered`);
  } catch (error) {
    if (!VoltError.isInstance(error)) throw error;
    return unknown(`the profile ${manifest.profile.path} no longer renders: ${formatVoltError(error)}`);
  }
  return { state: changes.size > 0 ? 'drifted' : 'in-sync', changes: [...changes.values()] };
}

/**
 * The containers Volt installed (under `root`): each directory of `/var/lib/volt/containers` with a
 * manifest, read with the safe file operations of the install (no symlink followed, regular files only,
 * every path checked against the files Volt installs). For each: its route, the state of its unit (when
 * systemd is PID 1), and its drift: the installed files against what was installed (their SHA-256 in the
 * manifest) and against what its profile, read again from the recorded path, renders on this host now.
 * Nothing is written.
 *
 * @example
 * ```ts
 * for (const container of await listContainers()) console.log(container.name, container.drift.state);
 * ```
 */
export async function listContainers(options: InstallOptions = {}): Promise<InstalledContainer[]> {
  const found = withTree(options, (root) => {
    const directory = openBeneath(root, `${VOLT_STATE_DIR}/containers`);
    if (directory === undefined) return [];
    return (withDirectory(directory, (opened) => listDirectory(opened)) ?? [])
      .filter((name) => parseMachineName(name).ok)
      .toSorted();
  });
  const containers: InstalledContainer[] = [];
  for (const name of found) {
    const root = openTreeRoot(resolve(options.root ?? '/'));
    try {
      let manifest: ContainerManifest;
      try {
        manifest = readManifest(root, containerPaths(name));
      } catch (error) {
        if (!VoltError.isInstance(error)) throw error;
        containers.push({
          name,
          route: null,
          profile: null,
          unit: '',
          state: 'unknown',
          drift: { state: 'unknown', changes: [], reason: error.message },
        });
        continue;
      }
      if (manifest.files.length === 0) continue;
      const unit = manifest.route === 'direct' ? machineScope(name) : `systemd-nspawn@${name}.service`;
      containers.push({
        name,
        route: manifest.route,
        profile: manifest.profile?.path ?? null,
        unit,
        state: unitState(unit),
        drift: await driftOf(root, name, manifest).catch((error: unknown) => {
          // A file Volt installed replaced by a symlink, a FIFO or a device: the drift is that it cannot be read.
          if (!VoltError.isInstance(error)) throw error;
          return { state: 'unknown' as const, changes: [], reason: error.message };
        }),
      });
    } finally {
      closeDirectory(root);
    }
  }
  return containers;
}
