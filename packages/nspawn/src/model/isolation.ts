import type { ResourceLimits } from '@volt/core';
import {
  describeValue,
  fail,
  failAll,
  formatVoltError,
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
import { DEFAULT_PROFILE, DEFAULT_YIELDS, MACHINES_DIR } from './defaults.js';
import { describeSource, type ProfileLayer, type ProfileSource, presetExtendsResolved } from './layers.js';
import {
  type MergedProfile,
  type MergedValue,
  mergedDocument,
  mergedLeaves,
  mergedValues,
  mergeProfileLayers,
  withoutField,
} from './merge.js';
import { rootfsProblem } from './rootfs.js';

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
 * Every problem of a merged profile document, from every stage at once: the schema's problems in the whole
 * document; each part completed by its package, the parts the schema refused standing in as their defaults;
 * then each rule across parts that reads only valid parts. {@link isolationFromMergedDocument} stops at the
 * first stage that finds a problem; this goes on, for a document that stage refused.
 */
function mergedDocumentProblems(merged: unknown): VoltError[] {
  const schema = safeParseProfile(merged);
  if (!isRecord(merged)) return schema.ok ? [] : [...schema.issues];
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
 * The isolation of a merged profile document: the schema, each part completed by the package that owns
 * it, the rules across parts. On a problem, every problem of the document ({@link mergedDocumentProblems}).
 */
function isolationFromMergedDocument(document: unknown): Result<ValidIsolation> {
  const profile = safeParseProfile(document);
  if (!profile.ok) return failAll(mergedDocumentProblems(document)) ?? profile;
  const issues: VoltError[] = [];
  const { config } = completeParts(profile.value, issues);
  const result = failAll(issues) ?? checkIsolation(config as CheckedParts);
  return result.ok ? result : (failAll(mergedDocumentProblems(document)) ?? result);
}

/** A default that gave way to a value the profile wrote (see {@link DEFAULT_YIELDS}). */
export interface YieldedDefault {
  /** The default's field. */
  readonly path: InputPath;
  /** The default's value, as a profile writes it. */
  readonly value: unknown;
  /** The values it gave way to, with their sources. */
  readonly yieldedTo: readonly MergedValue[];
  /** The conflict it would have made: the message of the check that refused the two together. */
  readonly conflict: string;
}

/**
 * Where each value of a composed isolation came from: the layers, lowest first (the defaults, presets,
 * files, the profile, the command line), every final value with its source, and the defaults that gave
 * way. Computed by the merge, carried beside the isolation; renderers never see it.
 */
export interface MergeReport {
  readonly layers: readonly ProfileSource[];
  readonly values: readonly MergedValue[];
  readonly yielded: readonly YieldedDefault[];
}

/** A validated isolation and the report of the merge it came from. */
export interface ComposedIsolation {
  readonly isolation: ValidIsolation;
  readonly merge: MergeReport;
}

const DEFAULT_LAYERS: readonly ProfileLayer[] = [{ source: { kind: 'default' }, document: DEFAULT_PROFILE }];

/** Whether one path is the other or lies under it. */
function related(a: InputPath, b: InputPath): boolean {
  const length = Math.min(a.length, b.length);
  return a.slice(0, length).every((part, index) => String(part) === String(b[index]));
}

/** The first default of {@link DEFAULT_YIELDS} that a conflict among `issues` involves, as it yields. */
function yieldingDefault(
  merged: MergedProfile,
  issues: readonly VoltError[],
): { readonly field: readonly string[]; readonly report: YieldedDefault } | undefined {
  const isDefault = (layer: number) => merged.layers[layer]?.source.kind === 'default';
  const conflicts = issues.filter((issue) => issue.code === 'CONFLICT');
  for (const row of DEFAULT_YIELDS) {
    const field = row.field.split('.');
    const defaults = mergedLeaves(merged, field);
    if (defaults.length === 0 || !defaults.every((leaf) => isDefault(leaf.layer))) continue;
    const written = row.yieldsTo
      .flatMap((other) => mergedLeaves(merged, other.split('.')))
      .filter((leaf) => !isDefault(leaf.layer));
    const fields = [row.field, ...row.yieldsTo].map((dotted) => dotted.split('.'));
    const conflict = conflicts.find((issue) => fields.some((path) => related(issue.path, path)));
    if (written.length === 0 || conflict === undefined) continue;
    const source = (layer: number) => (merged.layers[layer] as ProfileLayer).source;
    return {
      field,
      report: {
        path: field,
        value: mergedDocument(merged, field),
        yieldedTo: written.map((leaf) => ({
          path: leaf.path,
          value: leaf.value,
          source: source(leaf.layer),
        })),
        conflict: formatVoltError(conflict),
      },
    };
  }
  return undefined;
}

/**
 * The issues of a composed profile, each naming the presets or extended files its values came from: the
 * profile's own values (and the command line's) go unnamed.
 */
function attributedIssues(merged: MergedProfile, issues: readonly VoltError[]): VoltError[] {
  const own = merged.layers.map((layer) => layer.source.kind === 'file' || layer.source.kind === 'profile');
  const ownLayer = own.lastIndexOf(true);
  const leaves = mergedLeaves(merged);
  return issues.map((issue) => {
    const from = new Set(
      leaves
        .filter((leaf) => {
          const { source } = merged.layers[leaf.layer] as ProfileLayer;
          return (
            issue.path.length > 0 &&
            related(leaf.path, issue.path) &&
            leaf.layer !== ownLayer &&
            (source.kind === 'preset' || source.kind === 'file')
          );
        })
        .map((leaf) => describeSource((merged.layers[leaf.layer] as ProfileLayer).source)),
    );
    if (from.size === 0) return issue;
    return new VoltError(issue.code, `${issue.message} (set by ${[...from].join(', ')})`, {
      path: issue.path,
      ...(issue.hint === undefined ? {} : { hint: issue.hint }),
      cause: issue,
    });
  });
}

/**
 * {@link composeIsolation} over other defaults than {@link DEFAULT_PROFILE}; with none, the profile alone.
 * For the tests of the yield rule, which compare a profile with and without the defaults.
 *
 * @example
 * ```ts
 * composeIsolationOver([], [{ source: { kind: 'profile' }, document: { name: 'web' } }]).ok; // true
 * ```
 */
export function composeIsolationOver(
  defaults: readonly ProfileLayer[],
  layers: readonly ProfileLayer[],
): Result<ComposedIsolation> {
  const resolved = presetExtendsResolved([...defaults, ...layers]);
  if (!resolved.ok) return resolved;
  let merged = mergeProfileLayers(resolved.value);
  const yielded: YieldedDefault[] = [];
  for (;;) {
    const result = isolationFromMergedDocument(mergedDocument(merged));
    if (result.ok) {
      return ok({
        isolation: result.value,
        merge: {
          layers: merged.layers.map((layer) => layer.source),
          values: mergedValues(merged),
          yielded,
        },
      });
    }
    const giving = yieldingDefault(merged, result.issues);
    if (giving === undefined) {
      const [first, ...rest] = attributedIssues(merged, result.issues);
      return fail(first as VoltError, ...rest);
    }
    yielded.push(giving.report);
    merged = withoutField(merged, giving.field);
  }
}

/**
 * Composes a container's isolation from the layers of a profile, lowest first (presets, the files a
 * profile extends, the profile, the command line): {@link DEFAULT_PROFILE} under them, each layer's
 * `extends:` presets under it, everything merged field by field ({@link PROFILE_MERGE_RULES}), then one
 * profile schema for the merged document, each part completed by the package that owns it, and the rules
 * that span parts. A default that conflicts with a value the layers wrote gives way to it
 * ({@link DEFAULT_YIELDS}), and the report says so. Every problem is reported at once, each at its input
 * path, naming the presets and extended files its values came from.
 *
 * @example
 * ```ts
 * const composed = composeIsolation([
 *   { source: { kind: 'profile' }, document: { name: 'job', extends: 'strict-app', command: ['/bin/job'] } },
 * ]);
 * composed.ok && composed.value.isolation.readOnlyRoot; // true (from strict-app@1)
 * composed.ok && composed.value.merge.values.find((value) => value.path.join('.') === 'readOnlyRoot')?.source;
 * // { kind: 'preset', name: 'strict-app', version: 1 }
 * ```
 */
export function composeIsolation(layers: readonly ProfileLayer[]): Result<ComposedIsolation> {
  return composeIsolationOver(DEFAULT_LAYERS, layers);
}

/**
 * Parses a container's isolation from a profile document (from YAML or JSON, or built by a JavaScript
 * caller): {@link composeIsolation} of the one document, which may extend built-in presets (a profile
 * file that extends files is read with `readProfileLayers`). Every problem is reported at once, each at
 * its input path; unknown keys are errors. The only way to a configuration that `renderPlan` takes.
 *
 * @example
 * ```ts
 * const config = parseIsolation({ name: 'web', network: { mode: 'none' } });
 * config.ok && config.value.resources.memory?.max; // { kind: 'bytes', bytes: 2147483648 } (the default)
 * parseIsolation({ name: 'web', resources: { memroy: {} } }).ok; // false, code INVALID_PROFILE
 * parseIsolation({ name: 'web', resources: { memory: { max: '48M' } } }).ok; // true: the default MemoryHigh (1G) yields
 * ```
 */
export function parseIsolation(document: unknown): Result<ValidIsolation> {
  const composed = composeIsolation([{ source: { kind: 'profile' }, document }]);
  return composed.ok ? ok(composed.value.isolation) : composed;
}

/**
 * Every problem of a profile document at once, from every stage of {@link parseIsolation} (the schema,
 * each part, the rules across parts), after the defaults that give way have given way. An empty list means
 * that `parseIsolation` accepts the document. For `volt validate`, which shows every mistake of a profile.
 *
 * @example
 * ```ts
 * validateIsolation({ name: 'web', boot: false, resources: { memory: { max: '2GB' } } }).map((issue) => issue.code);
 * // ['INVALID_BYTE_SIZE', 'CONFLICT']: the size, and Boot=no without a command
 * ```
 */
export function validateIsolation(document: unknown): readonly VoltError[] {
  const composed = composeIsolation([{ source: { kind: 'profile' }, document }]);
  return composed.ok ? [] : composed.issues;
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
