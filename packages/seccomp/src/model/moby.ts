import { describeValue, fail, ok, type Result, type Valid, VoltError } from '@volt/core';
import * as z from 'zod/mini';
import type { SeccompArch } from './catalog.js';

/**
 * libseccomp action names as the Docker/moby and OCI formats spell them.
 *
 * @example
 * ```ts
 * SCMP_ACTIONS.includes('SCMP_ACT_ERRNO'); // true
 * ```
 */
export const SCMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const;
/** One of {@link SCMP_ACTIONS}. */
export type ScmpAction = (typeof SCMP_ACTIONS)[number];

/**
 * Argument comparison operators of the Docker/moby and OCI formats.
 *
 * @example
 * ```ts
 * SCMP_COMPARE_OPS.includes('SCMP_CMP_MASKED_EQ'); // true
 * ```
 */
export const SCMP_COMPARE_OPS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
] as const;
/** One of {@link SCMP_COMPARE_OPS}. */
export type ScmpCompareOp = (typeof SCMP_COMPARE_OPS)[number];

/** An argument condition of a rule. */
export interface MobyArg {
  readonly index: number;
  readonly value: number;
  readonly valueTwo?: number | undefined;
  readonly op: ScmpCompareOp;
}

/** The `includes`/`excludes` filter of a Docker rule. */
export interface MobyFilter {
  readonly caps?: readonly string[] | undefined;
  readonly arches?: readonly string[] | undefined;
  readonly minKernel?: string | undefined;
}

/** One rule of a Docker/moby seccomp profile. */
export interface MobySyscallRule {
  readonly names?: readonly string[] | undefined;
  readonly name?: string | undefined;
  readonly action: ScmpAction;
  readonly errnoRet?: number | undefined;
  readonly args?: readonly MobyArg[] | null | undefined;
  readonly comment?: string | undefined;
  readonly includes?: MobyFilter | undefined;
  readonly excludes?: MobyFilter | undefined;
}

/** A Docker/moby seccomp profile (a superset of the OCI runtime-spec `linux.seccomp`). */
export interface MobySeccompProfile {
  readonly defaultAction: ScmpAction;
  readonly defaultErrnoRet?: number | undefined;
  readonly architectures?: readonly string[] | undefined;
  readonly archMap?:
    | readonly { readonly architecture: string; readonly subArchitectures: readonly string[] | null }[]
    | undefined;
  readonly flags?: readonly string[] | undefined;
  readonly listenerPath?: string | undefined;
  readonly listenerMetadata?: string | undefined;
  readonly syscalls: readonly MobySyscallRule[];
}

const action = z.enum(SCMP_ACTIONS);
const u64 = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
const errnoRet = z.int().check(z.minimum(0), z.maximum(4095));
const matching = (pattern: RegExp) => z.string().check(z.regex(pattern));
const filter = z.strictObject({
  caps: z.optional(z.array(matching(/^CAP_[A-Z_]+$/))),
  arches: z.optional(z.array(matching(/^[a-z0-9_]+$/))),
  minKernel: z.optional(matching(/^\d+\.\d+$/)),
});
const rule = z.strictObject({
  names: z.optional(z.array(matching(/^[a-z0-9_]+$/))),
  name: z.optional(matching(/^[a-z0-9_]+$/)),
  action,
  errnoRet: z.optional(errnoRet),
  args: z.optional(
    z.nullable(
      z.array(
        z.strictObject({
          index: z.int().check(z.minimum(0), z.maximum(5)),
          value: u64,
          valueTwo: z.optional(u64),
          op: z.enum(SCMP_COMPARE_OPS),
        }),
      ),
    ),
  ),
  comment: z.optional(z.string()),
  includes: z.optional(filter),
  excludes: z.optional(filter),
});
const profileSchema = z.strictObject({
  defaultAction: action,
  defaultErrnoRet: z.optional(errnoRet),
  architectures: z.optional(z.array(matching(/^SCMP_ARCH_[A-Z0-9_]+$/))),
  archMap: z.optional(
    z.array(
      z.strictObject({
        architecture: matching(/^SCMP_ARCH_[A-Z0-9_]+$/),
        subArchitectures: z.nullable(z.array(matching(/^SCMP_ARCH_[A-Z0-9_]+$/))),
      }),
    ),
  ),
  flags: z.optional(z.array(matching(/^SECCOMP_FILTER_FLAG_[A-Z_]+$/))),
  listenerPath: z.optional(z.string()),
  listenerMetadata: z.optional(z.string()),
  syscalls: z.array(rule),
});

/**
 * Imports a Docker/moby seccomp profile (parsed JSON). Every field is checked and unknown fields are
 * refused, so an export gives back exactly what was imported.
 *
 * @example
 * ```ts
 * const result = parseMobySeccompProfile(JSON.parse(readFileSync('default.json', 'utf8')));
 * if (result.ok) result.value.syscalls.length; // 33 for moby's default profile
 * ```
 */
export function parseMobySeccompProfile(input: unknown): Result<Valid<MobySeccompProfile>> {
  const parsed = profileSchema.safeParse(input);
  if (parsed.success) {
    const profile: MobySeccompProfile = parsed.data;
    const missing = profile.syscalls.findIndex((r) => r.name === undefined && (r.names ?? []).length === 0);
    if (missing < 0) return ok(profile as Valid<MobySeccompProfile>);
    return fail(
      new VoltError('PARSE_ERROR', 'a rule names no system call; accepted: "names": [...] or "name"', {
        path: ['syscalls', missing],
      }),
    );
  }
  const [first, ...rest] = parsed.error.issues.map(
    (issue) =>
      new VoltError('PARSE_ERROR', `${issue.message}; accepted: the Docker/moby seccomp profile format`, {
        path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
      }),
  );
  return fail(first ?? new VoltError('PARSE_ERROR', 'not a Docker/moby seccomp profile'), ...rest);
}

/**
 * The capabilities Docker gives a container by default (moby's `oci/caps` defaults): what to pass when
 * expanding Docker's default seccomp profile for an ordinary `docker run`.
 *
 * @example
 * ```ts
 * DOCKER_DEFAULT_CAPABILITIES.includes('CAP_NET_BIND_SERVICE'); // true
 * ```
 */
export const DOCKER_DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/**
 * Docker's name (Go's GOARCH) for each architecture, as used in `includes.arches`.
 *
 * @example
 * ```ts
 * MOBY_ARCH_NAMES.x86_64; // 'amd64'
 * ```
 */
export const MOBY_ARCH_NAMES = { x86_64: 'amd64', aarch64: 'arm64' } as const;

/**
 * The libseccomp name of each architecture, as used in `archMap` and OCI `architectures`.
 *
 * @example
 * ```ts
 * SCMP_ARCH_NAMES.aarch64; // 'SCMP_ARCH_AARCH64'
 * ```
 */
export const SCMP_ARCH_NAMES = { x86_64: 'SCMP_ARCH_X86_64', aarch64: 'SCMP_ARCH_AARCH64' } as const;

/** Where a Docker profile is expanded: an architecture, the container's capabilities, the kernel. */
export interface MobyExpandOptions {
  readonly arch: SeccompArch;
  /** Capabilities in the container's bounding set, e.g. `CAP_SYS_ADMIN`. */
  readonly capabilities: readonly string[];
  /** Kernel version `major.minor`; rules with `minKernel` above it are dropped. Omitted: no rule is dropped for its kernel. */
  readonly kernel?: string;
}

/** A Docker profile reduced to one architecture and capability set: the rules that apply, in order. */
export interface ExpandedMobyProfile {
  readonly arch: SeccompArch;
  readonly defaultAction: ScmpAction;
  readonly defaultErrnoRet: number | undefined;
  readonly architectures: readonly string[];
  readonly rules: readonly {
    readonly names: readonly string[];
    readonly action: ScmpAction;
    readonly errnoRet: number | undefined;
    readonly args: readonly MobyArg[];
  }[];
}

function kernelAtLeast(kernel: string, minimum: string): boolean {
  const [major = 0, minor = 0] = kernel.split('.').map(Number);
  const [wantMajor = 0, wantMinor = 0] = minimum.split('.').map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

/**
 * Expands a Docker profile the way moby does for one container: a rule is kept when its `includes`
 * match (every listed capability present, the architecture listed, the kernel new enough) and its
 * `excludes` do not (no listed capability present, the architecture not listed, the kernel older).
 *
 * @throws {@link VoltError} `INVALID_VALUE` for a capability or kernel version that is not well formed.
 * @example
 * ```ts
 * const expanded = expandMobyProfile(profile, { arch: 'x86_64', capabilities: ['CAP_CHOWN'] });
 * expanded.rules.some((r) => r.names.includes('arch_prctl')); // true: amd64 only
 * ```
 */
export function expandMobyProfile(
  profile: Valid<MobySeccompProfile>,
  options: MobyExpandOptions,
): ExpandedMobyProfile {
  options.capabilities.forEach((cap, index) => {
    if (!/^CAP_[A-Z_]+$/.test(cap))
      throw new VoltError('INVALID_VALUE', `${describeValue(cap)} is not a capability; accepted: CAP_NAME`, {
        path: ['capabilities', index],
      });
  });
  if (options.kernel !== undefined && !/^\d+\.\d+$/.test(options.kernel))
    throw new VoltError('INVALID_VALUE', `kernel ${describeValue(options.kernel)}; accepted: major.minor`, {
      path: ['kernel'],
    });
  const arch = MOBY_ARCH_NAMES[options.arch];
  const caps = new Set(options.capabilities);
  const kernel = options.kernel;
  const rules: ExpandedMobyProfile['rules'][number][] = [];
  for (const entry of profile.syscalls) {
    const { includes = {}, excludes = {} } = entry;
    if ((excludes.arches ?? []).includes(arch)) continue;
    if ((excludes.caps ?? []).some((cap) => caps.has(cap))) continue;
    if (excludes.minKernel !== undefined && kernel !== undefined && kernelAtLeast(kernel, excludes.minKernel))
      continue;
    if ((includes.arches ?? []).length > 0 && !(includes.arches ?? []).includes(arch)) continue;
    if (!(includes.caps ?? []).every((cap) => caps.has(cap))) continue;
    if (
      includes.minKernel !== undefined &&
      kernel !== undefined &&
      !kernelAtLeast(kernel, includes.minKernel)
    )
      continue;
    rules.push({
      names: entry.names ?? (entry.name === undefined ? [] : [entry.name]),
      action: entry.action,
      errnoRet: entry.errnoRet,
      args: entry.args ?? [],
    });
  }
  const native = SCMP_ARCH_NAMES[options.arch];
  const mapped = profile.archMap?.find((item) => item.architecture === native);
  return {
    arch: options.arch,
    defaultAction: profile.defaultAction,
    defaultErrnoRet: profile.defaultErrnoRet,
    architectures: mapped === undefined ? [native] : [native, ...(mapped.subArchitectures ?? [])],
    rules,
  };
}

/**
 * The system calls an expanded profile allows without conditions (`SCMP_ACT_ALLOW`, no `args`): the
 * allowlist that {@link compileFilter} and libseccomp can both compile.
 *
 * @example
 * ```ts
 * mobyUnconditionalAllowlist(expanded).includes('read'); // true
 * ```
 */
export function mobyUnconditionalAllowlist(expanded: ExpandedMobyProfile): readonly string[] {
  const names = new Set<string>();
  for (const entry of expanded.rules)
    if (entry.action === 'SCMP_ACT_ALLOW' && entry.args.length === 0)
      for (const name of entry.names) names.add(name);
  return [...names].sort();
}
