import type { ResourceLimits } from '@volt/core';
import {
  describeValue,
  fail,
  type InputPath,
  type IsolationConfig,
  isRecord,
  type LandlockPolicy,
  type NetworkConfig,
  ok,
  type Result,
  type SeccompConfig,
  unwrap,
  type Valid,
  type ValidIsolation,
  VoltError,
} from '@volt/core';
import { safeParseProfile } from '@volt/core/profile';
import { LANDLOCK_SYSCALLS, landlockPolicyFromProfile } from '@volt/landlock';
import { networkConfigFromProfile } from '@volt/netns';
import { resolveSeccompNames, seccompConfigFromProfile } from '@volt/seccomp';
import { DEFAULT_PROFILE, MACHINES_DIR } from './defaults.js';
import { rootfsProblem } from './rootfs.js';

/**
 * A profile document laid over another, key by key: records merge, anything else (a list, a string, a
 * number) replaces what was there. Used for the defaults under a profile and for command-line flags over a
 * profile file.
 *
 * @example
 * ```ts
 * mergeProfileDocuments({ resources: { memory: { max: '2G' } } }, { resources: { tasks: { max: 64 } } });
 * // { resources: { memory: { max: '2G' }, tasks: { max: 64 } } }
 * ```
 */
export function mergeProfileDocuments(base: unknown, overlay: unknown): unknown {
  if (!isRecord(base) || !isRecord(overlay)) return overlay === undefined ? base : overlay;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) merged[key] = mergeProfileDocuments(merged[key], value);
  return merged;
}

/** A configuration whose parts each went through their own validator. */
type CheckedParts = IsolationConfig & {
  readonly landlock: Valid<LandlockPolicy> | null;
  readonly seccomp: Valid<SeccompConfig>;
  readonly resources: Valid<ResourceLimits>;
  readonly network: Valid<NetworkConfig>;
};

/**
 * Whether a plan for this configuration applies Landlock, and so needs the host's Landlock ABI: there is
 * a policy, and a workload to wrap (the command of a Boot=no container, or a named workload unit).
 *
 * @example
 * ```ts
 * planEnforcesLandlock(defaultIsolation('web')); // false: it boots, and names no workload unit
 * ```
 */
export function planEnforcesLandlock(config: IsolationConfig): boolean {
  return config.landlock !== null && (!config.boot || config.workloadUnit !== undefined);
}

/**
 * The system calls the Landlock helper makes before it runs the workload: the Landlock calls, and prctl
 * for no_new_privs. A seccomp filter that denies one of them would leave a best-effort policy unenforced.
 */
const HELPER_SYSCALLS: readonly string[] = [...LANDLOCK_SYSCALLS, 'prctl'];

/** The helper's system calls that a (valid) seccomp configuration denies. */
function deniedHelperSyscalls(seccomp: Valid<SeccompConfig>): readonly string[] {
  const names = resolveSeccompNames(seccomp);
  return HELPER_SYSCALLS.filter((name) =>
    names.mode === 'allowlist' ? !names.allowed.has(name) : names.denied.has(name),
  );
}

/** Why a workload unit cannot carry Volt's drop-in, or undefined when it can. */
function workloadUnitProblem(unit: string, path: InputPath): VoltError | undefined {
  if (!unit.endsWith('.service')) {
    return new VoltError(
      'INVALID_VALUE',
      `${describeValue(unit)} is not a service: Volt wraps the workload unit's ExecStart= in a [Service] drop-in, which systemd ignores for any other unit type (a socket unit has no ExecStart= of its own); accepted: a .service name`,
      {
        path: [...path, 'workloadUnit'],
        hint: "name the service the socket activates (by default the socket's name with .service)",
      },
    );
  }
  if (unit.includes(':')) {
    return new VoltError(
      'INVALID_VALUE',
      `${describeValue(unit)} contains ':', which separates the paths of the bind mount that carries Volt's drop-in into the container; accepted: a .service name without ':'`,
      { path: [...path, 'workloadUnit'] },
    );
  }
  return undefined;
}

/**
 * The rules that span parts of a configuration whose parts are each valid on their own: what every route
 * into a configuration (a profile, installed files read back) ends with. A container that does not boot
 * needs a command; the rootfs is not a host system tree ({@link rootfsProblem}); a workload unit is a
 * service; a seccomp filter does not deny a system call the Landlock helper needs when Landlock applies.
 *
 * @example
 * ```ts
 * checkIsolation({ ...defaultIsolation('web'), boot: false, command: [] }).ok; // false: Boot=no needs a command
 * ```
 */
export function checkIsolation(config: CheckedParts, path: InputPath = []): Result<ValidIsolation> {
  const issues: VoltError[] = [];
  if (!config.boot && config.command.length === 0) {
    issues.push(
      new VoltError('CONFLICT', 'a container that does not boot (boot: false) needs a command', {
        path: [...path, 'command'],
        hint: 'give command: [/path/to/program, ...] or set boot: true',
      }),
    );
  }
  const rootfs = rootfsProblem(config.rootfs, [...path, 'rootfs']);
  if (rootfs !== undefined) issues.push(rootfs);
  const unit = config.workloadUnit === undefined ? undefined : workloadUnitProblem(config.workloadUnit, path);
  if (unit !== undefined) issues.push(unit);
  const denied = planEnforcesLandlock(config) ? deniedHelperSyscalls(config.seccomp) : [];
  if (denied.length > 0) {
    issues.push(
      new VoltError(
        'CONFLICT',
        `the seccomp filter denies ${denied.join(', ')}, which the Landlock helper needs before it runs the workload: a best-effort policy would then not be enforced at all; accepted: a seccomp configuration that allows ${HELPER_SYSCALLS.join(', ')} while Landlock applies`,
        {
          path: [...path, 'seccomp'],
          hint: 'take those calls (or a group holding them, such as @sandbox) out of seccomp.deny, or set landlock: none',
        },
      ),
    );
  }
  const [first, ...rest] = issues;
  return first === undefined ? ok(config as ValidIsolation) : fail(first, ...rest);
}

/**
 * Parses a container's isolation from a profile document (from YAML or JSON, or built by a JavaScript
 * caller): {@link DEFAULT_PROFILE} under it, then the one profile schema for the whole document, then each
 * part completed by the package that owns it (the Landlock preset, seccomp's syscall catalog, the network
 * defaults), then the rules that span parts. Every problem is reported at once, each at its input path;
 * unknown keys are errors. The only way to a configuration that `renderPlan` takes.
 *
 * @example
 * ```ts
 * const config = parseIsolation({ name: 'web', network: { mode: 'none' } });
 * config.ok && config.value.resources.memory?.max; // { kind: 'bytes', bytes: 2147483648 } (the default)
 * parseIsolation({ name: 'web', resources: { memroy: {} } }).ok; // false, code INVALID_PROFILE
 * ```
 */
export function parseIsolation(document: unknown): Result<ValidIsolation> {
  const profile = safeParseProfile(
    isRecord(document) ? mergeProfileDocuments(DEFAULT_PROFILE, document) : document,
  );
  if (!profile.ok) return profile;
  const { name } = profile.value;
  if (name === undefined) {
    return fail(
      new VoltError('INVALID_PROFILE', 'a container name is required', {
        path: ['name'],
        hint: 'set name: in the profile or pass --name',
      }),
    );
  }
  const issues: VoltError[] = [];
  const take = <T>(result: Result<T>): T | undefined => {
    if (result.ok) return result.value;
    issues.push(...result.issues);
    return undefined;
  };
  const landlock =
    profile.value.landlock === null || profile.value.landlock === undefined
      ? null
      : take(landlockPolicyFromProfile(profile.value.landlock, ['landlock']));
  const seccomp = take(seccompConfigFromProfile(profile.value.seccomp ?? {}, ['seccomp']));
  const network = take(networkConfigFromProfile(profile.value.network ?? {}, ['network']));
  const [first, ...rest] = issues;
  if (first !== undefined || landlock === undefined || seccomp === undefined || network === undefined) {
    return fail(first as VoltError, ...rest);
  }
  const { workloadUnit } = profile.value;
  return checkIsolation({
    name,
    rootfs: profile.value.rootfs ?? `${MACHINES_DIR}/${name}`,
    boot: profile.value.boot ?? true,
    command: profile.value.command ?? [],
    ...(workloadUnit === undefined ? {} : { workloadUnit }),
    environment: profile.value.environment ?? [],
    landlock,
    seccomp,
    // The profile schema is the resource validator (core's table), so its output is valid as it is.
    resources: (profile.value.resources ?? {}) as Valid<ResourceLimits>,
    network,
    privateUsers: profile.value.privateUsers ?? true,
    readOnlyRoot: profile.value.readOnlyRoot ?? false,
  });
}

/**
 * The default isolation of a container: {@link DEFAULT_PROFILE} with its name (and rootfs, by default
 * `/var/lib/machines/NAME`), parsed.
 *
 * @throws {@link VoltError} INVALID_MACHINE_NAME or INVALID_PATH for a bad name or rootfs.
 * @example
 * ```ts
 * defaultIsolation('web').rootfs; // '/var/lib/machines/web'
 * ```
 */
export function defaultIsolation(name: string, rootfs?: string): ValidIsolation {
  return unwrap(parseIsolation(rootfs === undefined ? { name } : { name, rootfs }));
}
