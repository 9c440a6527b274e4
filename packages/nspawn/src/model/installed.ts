import { resourceLimitsFromProperties } from '@volt/cgroups';
import {
  fail,
  parseMachineName,
  parseNspawnBindSpec,
  parseNspawnSettingsWords,
  parseUnitEnvironment,
  parseUnitExecStart,
  parseUnitFile,
  type Result,
  type UnitFile,
  type ValidIsolation,
  VoltError,
} from '@volt/core';
import { safeParseProfile } from '@volt/core/profile';
import { landlockPolicyFromConfig } from '@volt/landlock';
import { NSPAWN_NETWORK_KEYS, networkConfigFromInstalled } from '@volt/netns';
import { seccompConfigFromNspawn } from '@volt/seccomp';
import { MACHINES_DIR } from './defaults.js';
import { checkIsolation } from './isolation.js';
import {
  CONTAINER_RUNTIME_UNIT_DIR,
  CONTAINER_VOLT_DIR,
  WORKLOAD_DROP_IN_NAME,
  workloadDropInTarget,
} from './paths.js';

/** The files of an installed container, as text. Only the `.nspawn` file is required. */
export interface InstalledFiles {
  readonly name: string;
  /** Default: `/var/lib/machines/NAME`, where the stock unit looks. */
  readonly rootfs?: string;
  readonly nspawnFile: string;
  readonly serviceDropIn?: string;
  readonly resolvConf?: string;
  /** A private container's networkd file for host0: the only installed file that says the bridge's subnet. */
  readonly containerNetworkFile?: string;
  /** The requested Landlock policy (landlockconfig JSON), when the container has one. */
  readonly landlockPolicy?: string;
  /**
   * For Boot=yes with a workload unit: Volt's drop-in for it, which the `.nspawn` file binds into the
   * container's `/run/systemd/system/UNIT.d/` (the unit's name is read from that bind).
   */
  readonly workloadDropIn?: string;
}

const READ_KEYS: Readonly<Record<string, readonly string[]>> = {
  Exec: ['Boot', 'Parameters', 'Environment', 'PrivateUsers', 'SystemCallFilter', 'ResolvConf', 'KillSignal'],
  Files: ['ReadOnly', 'PrivateUsersOwnership', 'BindReadOnly'],
  Network: NSPAWN_NETWORK_KEYS,
};

function entries(file: UnitFile, section: string, key: string): string[] {
  return file.sections
    .filter((candidate) => candidate.name === section)
    .flatMap((candidate) => candidate.entries.filter(([name]) => name === key).map(([, value]) => value));
}

function unwrapHelper(argv: readonly string[]): readonly string[] {
  if (argv[0] !== `${CONTAINER_VOLT_DIR}/volt-landlock`) return argv;
  const separator = argv.indexOf('--');
  return separator < 0 ? argv : argv.slice(separator + 1);
}

/** The workload unit whose drop-in the `.nspawn` file binds into the container, if any. */
function boundWorkloadUnit(file: UnitFile): string | undefined {
  const prefix = `${CONTAINER_RUNTIME_UNIT_DIR}/`;
  const suffix = `.d/${WORKLOAD_DROP_IN_NAME}`;
  const target = entries(file, 'Files', 'BindReadOnly')
    .flatMap((bind) => {
      const parsed = parseNspawnBindSpec(bind);
      return parsed.ok ? [parsed.value.target] : [];
    })
    .find((candidate) => candidate.startsWith(prefix) && candidate.endsWith(suffix));
  return target?.slice(prefix.length, -suffix.length);
}

/**
 * Reads an installed container's files back into an {@link IsolationConfig}: the `.nspawn` file (boot,
 * command, environment, users, seccomp lines, read-only root, network), the service drop-in (limits,
 * `SYSTEMD_SECCOMP=0`), resolv.conf (DNS), the requested Landlock policy, and the workload drop-in.
 * Rendering the result gives the same files again. A key Volt does not write is an error rather than
 * silently dropped.
 *
 * @example
 * ```ts
 * const config = isolationFromInstalled({ name: 'web', nspawnFile, serviceDropIn, resolvConf });
 * ```
 */
export function isolationFromInstalled(files: InstalledFiles): Result<ValidIsolation> {
  const name = parseMachineName(files.name);
  if (!name.ok) return fail(name.error.at(['name']));
  const parsed = parseUnitFile(files.nspawnFile);
  if (!parsed.ok) return parsed;
  const file = parsed.value;
  for (const section of file.sections) {
    const known = READ_KEYS[section.name];
    for (const [key] of section.entries) {
      if (known === undefined || !known.includes(key)) {
        return fail(
          new VoltError('PARSE_ERROR', `[${section.name}] ${key}= is not a setting Volt reads back`, {
            path: [section.name, key],
            hint: `Volt reads ${Object.entries(READ_KEYS)
              .map(([name, keys]) => `[${name}] ${keys.join(' ')}`)
              .join('; ')}`,
          }),
        );
      }
    }
  }
  const dropIn =
    files.serviceDropIn === undefined
      ? { ok: true as const, value: { sections: [] } }
      : parseUnitFile(files.serviceDropIn);
  if (!dropIn.ok) return dropIn;
  const serviceEntries = dropIn.value.sections
    .filter((section) => section.name === 'Service')
    .flatMap((section) => section.entries);
  const resources = resourceLimitsFromProperties(serviceEntries);
  if (!resources.ok) return fail(resources.error.at(['serviceDropIn']));
  const serviceAssignments: (readonly [string, string])[] = [];
  for (const [key, value] of serviceEntries) {
    if (key !== 'Environment') continue;
    const parsed = parseUnitEnvironment(value);
    if (!parsed.ok) return fail(parsed.error.at(['serviceDropIn', 'Environment']));
    serviceAssignments.push(...parsed.value);
  }
  const serviceEnvironment = Object.fromEntries(serviceAssignments);
  const seccomp = seccompConfigFromNspawn(entries(file, 'Exec', 'SystemCallFilter'), serviceEnvironment);
  if (!seccomp.ok) return fail(seccomp.error.at(['Exec', 'SystemCallFilter']));
  const network = networkConfigFromInstalled(
    {
      networkSection: file.sections
        .filter((section) => section.name === 'Network')
        .flatMap((section) => section.entries),
      ...(files.resolvConf === undefined ? {} : { resolvConf: files.resolvConf }),
      ...(files.containerNetworkFile === undefined
        ? {}
        : { containerNetworkFile: files.containerNetworkFile }),
    },
    ['network'],
  );
  if (!network.ok) return network;

  let landlock: ValidIsolation['landlock'] = null;
  if (files.landlockPolicy !== undefined) {
    let document: unknown;
    try {
      document = JSON.parse(files.landlockPolicy);
    } catch (error) {
      return fail(
        new VoltError(
          'PARSE_ERROR',
          `the installed Landlock policy is not JSON: ${(error as Error).message}`,
          {
            path: ['landlock'],
            hint: 'install the container again with volt apply',
          },
        ),
      );
    }
    const policy = landlockPolicyFromConfig(document);
    if (!policy.ok) return fail(policy.error.at(['landlock']));
    landlock = policy.value;
  }
  const boot = entries(file, 'Exec', 'Boot')[0] === 'yes';
  const parameters = parseNspawnSettingsWords(entries(file, 'Exec', 'Parameters')[0] ?? '');
  if (!parameters.ok) return fail(parameters.error.at(['Exec', 'Parameters']));
  let command = unwrapHelper(parameters.value);
  const workloadUnit = boundWorkloadUnit(file);
  if ((workloadUnit === undefined) !== (files.workloadDropIn === undefined)) {
    return fail(
      new VoltError(
        'PARSE_ERROR',
        workloadUnit === undefined
          ? `there is a workload drop-in, but the .nspawn file binds none at ${workloadDropInTarget('UNIT')}`
          : `the .nspawn file binds Volt's drop-in for ${workloadUnit}, but there is no drop-in`,
        { path: ['workloadDropIn'], hint: 'install the container again with volt apply' },
      ),
    );
  }
  if (files.workloadDropIn !== undefined) {
    const workload = parseUnitFile(files.workloadDropIn);
    if (!workload.ok) return fail(workload.error.at(['workloadDropIn']));
    const execStart = parseUnitExecStart(entries(workload.value, 'Service', 'ExecStart').at(-1) ?? '');
    if (!execStart.ok) return fail(execStart.error.at(['workloadDropIn', 'ExecStart']));
    command = unwrapHelper(execStart.value.argv);
  }
  const environment: string[] = [];
  for (const value of entries(file, 'Exec', 'Environment')) {
    const words = parseNspawnSettingsWords(value);
    if (!words.ok) return fail(words.error.at(['Exec', 'Environment']));
    environment.push(...words.value);
  }
  const ownEnvironment = environment.filter(
    (assignment) => !assignment.startsWith('VOLT_CONTAINER=') && !assignment.startsWith('VOLT_RUNTIME='),
  );
  // The files may have been edited by hand: the top-level values go through the profile schema, as a
  // profile's would, and the whole through the rules that span parts.
  const topLevel = safeParseProfile({
    name: name.value,
    rootfs: files.rootfs ?? `${MACHINES_DIR}/${name.value}`,
    boot,
    command: command.length === 0 ? undefined : command,
    ...(workloadUnit === undefined ? {} : { workloadUnit }),
    environment: Object.fromEntries(
      ownEnvironment.map((assignment) => {
        const equals = assignment.indexOf('=');
        return [assignment.slice(0, equals), assignment.slice(equals + 1)];
      }),
    ),
    privateUsers: entries(file, 'Exec', 'PrivateUsers')[0] === 'pick',
    readOnlyRoot: entries(file, 'Files', 'ReadOnly')[0] === 'yes',
  });
  if (!topLevel.ok) return topLevel;
  return checkIsolation({
    name: name.value,
    rootfs: topLevel.value.rootfs ?? `${MACHINES_DIR}/${name.value}`,
    boot,
    command: topLevel.value.command ?? [],
    ...(workloadUnit === undefined ? {} : { workloadUnit }),
    environment: topLevel.value.environment ?? [],
    landlock,
    seccomp: seccomp.value,
    resources: resources.value,
    network: network.value,
    privateUsers: topLevel.value.privateUsers ?? false,
    readOnlyRoot: topLevel.value.readOnlyRoot ?? false,
  });
}
