import { validateResourceLimits } from '@volt/cgroups';
import {
  EMPTY_LIST,
  failAll,
  fieldTypeChecker,
  frozenCopy,
  type InputPath,
  type IsolationConfig,
  isRecord,
  type LandlockPolicy,
  type Mutable,
  type NetworkConfig,
  ok,
  parseAbsolutePath,
  parseEnvironmentName,
  parseMachineName,
  parseSafeValue,
  parseWorkloadUnitName,
  type ResourceLimits,
  type Result,
  rememberValidated,
  type SeccompConfig,
  VoltError,
  wrongType,
} from '@volt/core';
import type { LandlockProfile, Profile } from '@volt/core/profile';
import { landlockPolicyFromProfile, validateLandlockPolicy } from '@volt/landlock';
import { validateNetworkConfig } from '@volt/netns';
import { validateSeccompConfig } from '@volt/seccomp';
import { defaultIsolation } from './defaults.js';

/** What the command line may set on top of a profile. */
export interface IsolationOverrides {
  readonly name?: string;
  readonly rootfs?: string;
}

function landlockFromProfile(
  profile: LandlockProfile | null | undefined,
  base: LandlockPolicy | null,
): LandlockPolicy | null {
  if (profile === undefined) return base;
  if (profile === null) return null;
  try {
    return landlockPolicyFromProfile(profile);
  } catch (error) {
    throw VoltError.isInstance(error) ? error.at(['landlock']) : error;
  }
}

/**
 * Builds the full {@link IsolationConfig} of a container from a validated profile: every field the profile
 * leaves out comes from {@link defaultIsolation}, presets are resolved, and the result is validated as a
 * whole ({@link validateIsolation}).
 *
 * @throws {@link VoltError} INVALID_PROFILE at `name` when no name is given, or the first problem that
 *   {@link validateIsolation} finds.
 * @example
 * ```ts
 * const config = isolationFromProfile(parseProfile({ name: 'web', network: { mode: 'none' } }));
 * config.network.mode; // 'none'
 * config.resources.memory.max; // { kind: 'bytes', bytes: 2147483648 } (the default)
 * ```
 */
export function isolationFromProfile(profile: Profile, overrides: IsolationOverrides = {}): IsolationConfig {
  const name = overrides.name ?? profile.name;
  if (name === undefined) {
    throw new VoltError('INVALID_PROFILE', 'a container name is required', {
      path: ['name'],
      hint: 'set name: in the profile or pass --name',
    });
  }
  const base = defaultIsolation(name, overrides.rootfs ?? profile.rootfs);
  const resources = profile.resources;
  // A part the profile leaves out is the default part itself, validated once for every container.
  const config: IsolationConfig = {
    name,
    rootfs: base.rootfs,
    boot: profile.boot ?? base.boot,
    command: profile.command ?? base.command,
    ...(profile.workloadUnit === undefined ? {} : { workloadUnit: profile.workloadUnit }),
    environment: profile.environment ?? base.environment,
    landlock: landlockFromProfile(profile.landlock, base.landlock),
    seccomp: profile.seccomp === undefined ? base.seccomp : { ...base.seccomp, ...profile.seccomp },
    resources:
      resources === undefined
        ? base.resources
        : {
            delegate: resources.delegate ?? base.resources.delegate,
            memory: { ...base.resources.memory, ...resources.memory },
            cpu: { ...base.resources.cpu, ...resources.cpu },
            io: {
              ...base.resources.io,
              ...resources.io,
              devices: resources.io?.devices ?? base.resources.io.devices,
            },
            tasks: { ...base.resources.tasks, ...resources.tasks },
          },
    network: profile.network === undefined ? base.network : { ...base.network, ...profile.network },
    privateUsers: profile.privateUsers ?? base.privateUsers,
    readOnlyRoot: profile.readOnlyRoot ?? base.readOnlyRoot,
  };
  const valid = validateIsolation(config);
  if (!valid.ok) throw valid.error;
  return valid.value;
}

function collect<T>(
  issues: VoltError[],
  result: Result<T>,
  path: InputPath,
  pathIncluded = false,
): T | undefined {
  if (result.ok) return result.value;
  issues.push(...result.issues.map((issue) => (pathIncluded ? issue : issue.at(path))));
  return undefined;
}

/** The field types a JavaScript caller may get wrong; checked before anything reads the fields. */
const checkIsolationFieldTypes = fieldTypeChecker({
  name: 'string',
  rootfs: 'string',
  boot: 'boolean',
  command: 'list',
  workloadUnit: 'string?',
  environment: 'list',
  seccomp: 'record',
  resources: 'record',
  network: 'record',
  privateUsers: 'boolean',
  readOnlyRoot: 'boolean',
});

/**
 * Whether every field has the type {@link checkIsolationFieldTypes} asks for, read by name: the checker reads
 * fields by a computed key, about ten times slower, and every validation of a new configuration runs this.
 * It only spares the checker when all is well, so it must never accept what the checker refuses (a property
 * test compares the two).
 */
function hasIsolationFieldTypes(config: IsolationConfig): boolean {
  return (
    isRecord(config) &&
    typeof config.name === 'string' &&
    typeof config.rootfs === 'string' &&
    typeof config.boot === 'boolean' &&
    Array.isArray(config.command) &&
    (config.workloadUnit === undefined || typeof config.workloadUnit === 'string') &&
    Array.isArray(config.environment) &&
    isRecord(config.seccomp) &&
    isRecord(config.resources) &&
    isRecord(config.network) &&
    typeof config.privateUsers === 'boolean' &&
    typeof config.readOnlyRoot === 'boolean'
  );
}

/**
 * The shape TypeScript promises but a JavaScript caller (or a decoded document) may break: a wrong type
 * is one clear error at its path, never a TypeError from deep inside.
 */
function shapeProblems(config: IsolationConfig): readonly VoltError[] {
  if (!hasIsolationFieldTypes(config)) {
    const wrongFields = checkIsolationFieldTypes(config, EMPTY_LIST);
    if (wrongFields.length > 0) return wrongFields;
  }
  const problems: VoltError[] = [];
  const command: readonly unknown[] = config.command;
  for (let index = 0; index < command.length; index++) {
    if (typeof command[index] !== 'string')
      problems.push(wrongType(['command', index], 'a string', command[index]));
  }
  const environment: readonly unknown[] = config.environment;
  for (let index = 0; index < environment.length; index++) {
    const entry = environment[index];
    if (
      !Array.isArray(entry) ||
      entry.length !== 2 ||
      typeof entry[0] !== 'string' ||
      typeof entry[1] !== 'string'
    )
      problems.push(wrongType(['environment', index], 'a [name, value] pair of strings', entry));
  }
  if (config.landlock !== null && !isRecord(config.landlock)) {
    problems.push(wrongType(['landlock'], 'a Landlock policy, or null for none', config.landlock));
  }
  return problems;
}

function checkIsolation(config: IsolationConfig): Result<IsolationConfig> {
  const shape = shapeProblems(config);
  const wrongShape = failAll<IsolationConfig>(shape);
  if (wrongShape !== undefined) return wrongShape;
  const issues: VoltError[] = [];
  collect(issues, parseMachineName(config.name), ['name']);
  collect(issues, parseAbsolutePath(config.rootfs), ['rootfs']);
  for (let index = 0; index < config.command.length; index++)
    collect(issues, parseSafeValue(config.command[index] as string), ['command', index]);
  for (const [name, value] of config.environment) {
    collect(issues, parseEnvironmentName(name), ['environment', name]);
    collect(issues, parseSafeValue(value), ['environment', name]);
  }
  if (config.workloadUnit !== undefined)
    collect(issues, parseWorkloadUnitName(config.workloadUnit), ['workloadUnit']);
  if (!config.boot && config.command.length === 0) {
    issues.push(
      new VoltError('CONFLICT', 'a container that does not boot (boot: false) needs a command', {
        path: ['command'],
        hint: 'give command: [/path/to/program, ...] or set boot: true',
      }),
    );
  }
  const landlock =
    config.landlock === null ? null : collect(issues, validateLandlockPolicy(config.landlock), ['landlock']);
  const seccomp = collect(issues, validateSeccompConfig(config.seccomp), ['seccomp']);
  const resources = collect(issues, validateResourceLimits(config.resources), ['resources'], true);
  const network = collect(issues, validateNetworkConfig(config.network), ['network'], true);
  const failed = failAll<IsolationConfig>(issues);
  if (failed !== undefined) return failed;
  // Built field by field, in the order of IsolationConfig, so that workloadUnit (optional) keeps its place.
  const valid: Partial<Mutable<IsolationConfig>> = {
    name: config.name,
    rootfs: config.rootfs,
    boot: config.boot,
    command: frozenCopy(config.command),
  };
  if (config.workloadUnit !== undefined) valid.workloadUnit = config.workloadUnit;
  valid.environment = frozenCopy(config.environment);
  valid.landlock = landlock as LandlockPolicy | null;
  valid.seccomp = seccomp as SeccompConfig;
  valid.resources = resources as ResourceLimits;
  valid.network = network as NetworkConfig;
  valid.privateUsers = config.privateUsers;
  valid.readOnlyRoot = config.readOnlyRoot;
  return ok(Object.freeze(valid as IsolationConfig));
}

/**
 * Validates a whole isolation configuration: each part by the package that owns it, then the rules that
 * span parts. Every problem is reported with its input path. The result is a frozen copy with each part
 * in its canonical form, checked only once: validated again (by `renderPlan`), it is accepted at
 * once.
 *
 * @example
 * ```ts
 * validateIsolation({ ...defaultIsolation('web'), boot: false, command: [] }).ok; // false: Boot=no needs a command
 * ```
 */
export const validateIsolation: (config: IsolationConfig) => Result<IsolationConfig> =
  rememberValidated(checkIsolation);
