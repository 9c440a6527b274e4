import type { ResourceLimits } from '@volt/core';
import {
  describeValue,
  failAll,
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
import { type Profile, safeParseProfile } from '@volt/core/profile';
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

/** A rule that spans parts of a configuration whose parts are each valid on their own. */
interface IsolationRule {
  /**
   * The profile keys the rule reads: {@link validateIsolation} runs it only when each of them is valid, so
   * that a value put in place of an invalid one is never judged.
   */
  readonly reads: readonly (keyof Profile)[];
  readonly check: (config: CheckedParts, path: InputPath) => VoltError | undefined;
}

/**
 * The rules across parts, as data: a container that does not boot needs a command; the rootfs is not a host
 * system tree ({@link rootfsProblem}); a workload unit is a service; a seccomp filter does not deny a system
 * call the Landlock helper needs when Landlock applies.
 */
const ISOLATION_RULES: readonly IsolationRule[] = [
  {
    reads: ['boot', 'command'],
    check: (config, path) =>
      !config.boot && config.command.length === 0
        ? new VoltError('CONFLICT', 'a container that does not boot (boot: false) needs a command', {
            path: [...path, 'command'],
            hint: 'give command: [/path/to/program, ...] or set boot: true',
          })
        : undefined,
  },
  { reads: ['name', 'rootfs'], check: (config, path) => rootfsProblem(config.rootfs, [...path, 'rootfs']) },
  {
    reads: ['workloadUnit'],
    check: (config, path) =>
      config.workloadUnit === undefined ? undefined : workloadUnitProblem(config.workloadUnit, path),
  },
  {
    reads: ['boot', 'workloadUnit', 'landlock', 'seccomp'],
    check: (config, path) => {
      const denied = planEnforcesLandlock(config) ? deniedHelperSyscalls(config.seccomp) : [];
      if (denied.length === 0) return undefined;
      return new VoltError(
        'CONFLICT',
        `the seccomp filter denies ${denied.join(', ')}, which the Landlock helper needs before it runs the workload: a best-effort policy would then not be enforced at all; accepted: a seccomp configuration that allows ${HELPER_SYSCALLS.join(', ')} while Landlock applies`,
        {
          path: [...path, 'seccomp'],
          hint: 'take those calls (or a group holding them, such as @sandbox) out of seccomp.deny, or set landlock: none',
        },
      );
    },
  },
];

/** The problems the rules find; only the rules that read none of `invalid` run. */
function ruleProblems(
  config: CheckedParts,
  path: InputPath,
  invalid: ReadonlySet<string> = new Set(),
): VoltError[] {
  return ISOLATION_RULES.filter((rule) => rule.reads.every((key) => !invalid.has(key))).flatMap((rule) => {
    const problem = rule.check(config, path);
    return problem === undefined ? [] : [problem];
  });
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
  return failAll(ruleProblems(config, path)) ?? ok(config as ValidIsolation);
}

/** A profile's parts completed by the packages that own them, and the keys whose part could not be. */
interface CompletedParts {
  readonly config: CheckedParts | undefined;
  readonly failed: ReadonlySet<keyof Profile>;
}

/**
 * Completes each part of a schema-valid profile with the package that owns it (the Landlock preset,
 * seccomp's syscall catalog, the network defaults), each on its own, every problem into `issues`.
 */
function completeParts(profile: Profile, issues: VoltError[], fallbackName?: string): CompletedParts {
  const failed = new Set<keyof Profile>();
  const take = <T>(key: keyof Profile, result: Result<T>): T | undefined => {
    if (result.ok) return result.value;
    issues.push(...result.issues);
    failed.add(key);
    return undefined;
  };
  const name = profile.name ?? fallbackName;
  if (profile.name === undefined) {
    failed.add('name');
    issues.push(
      new VoltError('INVALID_PROFILE', 'a container name is required', {
        path: ['name'],
        hint: 'set name: in the profile or pass --name',
      }),
    );
  }
  const landlock =
    profile.landlock === null || profile.landlock === undefined
      ? null
      : take('landlock', landlockPolicyFromProfile(profile.landlock, ['landlock']));
  const seccomp = take('seccomp', seccompConfigFromProfile(profile.seccomp ?? {}, ['seccomp']));
  const network = take('network', networkConfigFromProfile(profile.network ?? {}, ['network']));
  if (name === undefined || landlock === undefined || seccomp === undefined || network === undefined) {
    return { config: undefined, failed };
  }
  const { workloadUnit } = profile;
  const config: CheckedParts = {
    name,
    rootfs: profile.rootfs ?? `${MACHINES_DIR}/${name}`,
    boot: profile.boot ?? true,
    command: profile.command ?? [],
    ...(workloadUnit === undefined ? {} : { workloadUnit }),
    environment: profile.environment ?? [],
    landlock,
    seccomp,
    // The profile schema is the resource validator (core's table), so its output is valid as it is.
    resources: (profile.resources ?? {}) as Valid<ResourceLimits>,
    network,
    privateUsers: profile.privateUsers ?? true,
    readOnlyRoot: profile.readOnlyRoot ?? false,
  };
  return { config, failed };
}

/** The document with {@link DEFAULT_PROFILE} under it (a document that is not a record is left alone). */
function withDefaults(document: unknown): unknown {
  return isRecord(document) ? mergeProfileDocuments(DEFAULT_PROFILE, document) : document;
}

/**
 * Parses a container's isolation from a profile document (from YAML or JSON, or built by a JavaScript
 * caller): {@link DEFAULT_PROFILE} under it, then the one profile schema for the whole document, then each
 * part completed by the package that owns it (the Landlock preset, seccomp's syscall catalog, the network
 * defaults), then the rules that span parts. It stops at the first stage that finds a problem, with every
 * problem of that stage, each at its input path; {@link validateIsolation} goes on through every stage.
 * Unknown keys are errors. The only way to a configuration that `renderPlan` takes.
 *
 * @example
 * ```ts
 * const config = parseIsolation({ name: 'web', network: { mode: 'none' } });
 * config.ok && config.value.resources.memory?.max; // { kind: 'bytes', bytes: 2147483648 } (the default)
 * parseIsolation({ name: 'web', resources: { memroy: {} } }).ok; // false, code INVALID_PROFILE
 * ```
 */
export function parseIsolation(document: unknown): Result<ValidIsolation> {
  const profile = safeParseProfile(withDefaults(document));
  if (!profile.ok) return profile;
  const issues: VoltError[] = [];
  const { config } = completeParts(profile.value, issues);
  return failAll(issues) ?? checkIsolation(config as CheckedParts);
}

/** Never judged: it stands in for a missing name, and the rules that read the name are skipped then. */
const NAME_STAND_IN = 'unnamed';

/** A profile document with the keys of `unjudged` replaced by their defaults, or left out when none. */
function standIn(document: Readonly<Record<string, unknown>>, unjudged: ReadonlySet<string>): unknown {
  const defaults: Readonly<Record<string, unknown>> = DEFAULT_PROFILE;
  return Object.fromEntries(
    Object.entries(document).flatMap(([key, value]) => {
      if (!unjudged.has(key)) return [[key, value]];
      return defaults[key] === undefined ? [] : [[key, defaults[key]]];
    }),
  );
}

/**
 * Every problem of a profile document, from every stage of {@link parseIsolation} at once: the schema's
 * problems in the whole document; each part completed by its package, the parts the schema refused
 * standing in as their defaults; then each rule across parts that reads only valid parts. An empty list
 * means that `parseIsolation` accepts the document. For `volt validate`, which shows every mistake of a
 * profile, not only those of the first stage that has one.
 *
 * @example
 * ```ts
 * validateIsolation({ name: 'web', boot: false, resources: { memory: { max: '2GB' } } }).map((issue) => issue.code);
 * // ['INVALID_BYTE_SIZE', 'CONFLICT']: the size, and Boot=no without a command
 * ```
 */
export function validateIsolation(document: unknown): readonly VoltError[] {
  const merged = withDefaults(document);
  const schema = safeParseProfile(merged);
  if (!isRecord(merged)) return schema.ok ? [] : schema.issues;
  const issues: VoltError[] = schema.ok ? [] : [...schema.issues];
  // The profile's keys are independent of each other in the schema: the keys it refuses are those
  // refused on their own.
  const unjudged = new Set<string>(
    schema.ok ? [] : Object.keys(merged).filter((key) => !safeParseProfile({ [key]: merged[key] }).ok),
  );
  const profile = schema.ok ? schema : safeParseProfile(standIn(merged, unjudged));
  if (!profile.ok) return issues;
  const parts = completeParts(profile.value, issues, NAME_STAND_IN);
  for (const key of parts.failed) unjudged.add(key);
  let { config } = parts;
  if (config === undefined) {
    // A part its package refused stands in as its default too, for the rules that do not read it.
    const again = safeParseProfile(standIn(merged, unjudged));
    config = again.ok ? completeParts(again.value, [], NAME_STAND_IN).config : undefined;
  }
  return config === undefined ? issues : [...issues, ...ruleProblems(config, [], unjudged)];
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
