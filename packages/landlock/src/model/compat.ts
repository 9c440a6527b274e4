import {
  fail,
  type LandlockCompatibility,
  type LandlockPolicy,
  ok,
  type Result,
  type Valid,
  VoltError,
} from '@volt/core';
import { type LandlockAbi, landlockAbiFeatures, landlockAbiOf } from './abi.js';
import {
  LANDLOCK_FS_BITS,
  LANDLOCK_LOG_FLAG_BITS,
  LANDLOCK_NET_BITS,
  LANDLOCK_SCOPE_BITS,
  LANDLOCK_THREAD_SYNC_BIT,
} from './rights.js';

/**
 * How much of a policy a kernel enforces, from most to least.
 *
 * @example
 * ```ts
 * LANDLOCK_ENFORCEMENTS; // ['fully', 'partially', 'not']
 * ```
 */
export const LANDLOCK_ENFORCEMENTS = ['fully', 'partially', 'not'] as const;
/** How much of a policy the kernel enforces. */
export type LandlockEnforcement = (typeof LANDLOCK_ENFORCEMENTS)[number];

/** A part of the policy that is not enforced, and why. */
export interface LandlockDropped {
  /** `fs:refer`, `net:bind-tcp`, `scope:signal`, `log-flag:…`, `thread-sync`, `path:/x`, `port:80`. */
  readonly feature: string;
  readonly reason: string;
}

/** The outcome of applying a policy: always returned, never a silent success. */
export interface LandlockStatus {
  readonly enforcement: LandlockEnforcement;
  /** The kernel's Landlock ABI (0: not available). */
  readonly abi: number;
  /** The kernel's Landlock errata bit mask (fixed bugs), 0 when unknown. */
  readonly errata: number;
  readonly compatibility: LandlockCompatibility;
  readonly dropped: readonly LandlockDropped[];
}

/**
 * A policy cut down to what one kernel supports, with the status that explains the cut: what
 * {@link resolveLandlockCompatibility} returns, and what the helper's policy is rendered from.
 */
export interface LandlockResolution {
  /** Only features the kernel supports; what remains is enforced exactly. */
  readonly policy: Valid<LandlockPolicy>;
  /** The lowest ABI that enforces `policy` (0 when nothing is left to enforce). */
  readonly requiredAbi: LandlockAbi;
  readonly status: LandlockStatus;
}

/** What the running kernel offers, as found by the probe. */
export interface LandlockKernel {
  readonly abi: number;
  readonly errata?: number;
}

/** What a feature is: a handled right of either kind, a scope, or a `landlock_restrict_self()` flag. */
export type LandlockFeatureKind = 'fs' | 'net' | 'scope' | 'log-flag' | 'thread-sync';

/**
 * One right, scope or flag a policy asks for, with the first ABI (and Linux release) that has it: the unit
 * of the downgrade. {@link resolveLandlockCompatibility} decides on these, and the helper's policy file
 * carries them, so that the helper decides on the kernel it runs on without an ABI table of its own.
 */
export interface LandlockFeature {
  readonly kind: LandlockFeatureKind;
  /** The name reports use: `fs:refer`, `net:bind-tcp`, `scope:signal`, `log-flag:same-exec-off`, `thread-sync`. */
  readonly name: string;
  /** Its kernel bit: in `handled_access_fs`, `handled_access_net`, `scoped` or the restrict_self flags. */
  readonly bit: number;
  readonly abi: LandlockAbi;
  /** The first Linux release with that ABI. */
  readonly kernel: string;
  /** Added to the reason when the feature is dropped (empty for most). */
  readonly note: string;
}

/** Features that restrict something: a policy that keeps none of them enforces nothing. */
const RESTRICTING_KINDS: readonly LandlockFeatureKind[] = ['fs', 'net', 'scope'];

/** What a dropped feature's reason adds, by feature name. */
const DROP_NOTES: Readonly<Record<string, string>> = {
  'fs:refer': '; note: without it the kernel still denies every rename and link across directories (EXDEV)',
};

/**
 * The name of a feature in reports.
 *
 * @example
 * ```ts
 * landlockFeatureName('fs', 'refer'); // 'fs:refer'
 * landlockFeatureName('thread-sync', 'thread-sync'); // 'thread-sync'
 * ```
 */
export function landlockFeatureName(kind: LandlockFeatureKind, value: string): string {
  return kind === 'thread-sync' ? kind : `${kind}:${value}`;
}

function feature(kind: LandlockFeatureKind, value: string, bit: number, abi: LandlockAbi): LandlockFeature {
  const name = landlockFeatureName(kind, value);
  return { kind, name, bit, abi, kernel: landlockAbiFeatures(abi).kernel, note: DROP_NOTES[name] ?? '' };
}

/**
 * Every right, scope and flag a policy asks for, in the order of the downgrade and of its reports:
 * filesystem rights, network rights, scopes (each in kernel bit order), logging flags, thread sync.
 *
 * @example
 * ```ts
 * requestedLandlockFeatures(landlockPolicy({ abi: 2 })).map((item) => item.name).at(-1); // 'fs:refer'
 * requestedLandlockFeatures(landlockPolicy({ abi: 2 })).at(-1)?.abi; // 2
 * ```
 */
export function requestedLandlockFeatures(policy: LandlockPolicy): LandlockFeature[] {
  return [
    ...policy.handledFs.map((fs) => feature('fs', fs, LANDLOCK_FS_BITS[fs], landlockAbiOf({ fs }))),
    ...policy.handledNet.map((net) => feature('net', net, LANDLOCK_NET_BITS[net], landlockAbiOf({ net }))),
    ...policy.scopes.map((scope) =>
      feature('scope', scope, LANDLOCK_SCOPE_BITS[scope], landlockAbiOf({ scope })),
    ),
    ...policy.logFlags.map((logFlag) =>
      feature('log-flag', logFlag, LANDLOCK_LOG_FLAG_BITS[logFlag], landlockAbiOf({ logFlag })),
    ),
    ...(policy.threadSync
      ? [feature('thread-sync', 'thread-sync', LANDLOCK_THREAD_SYNC_BIT, landlockAbiOf({ threadSync: true }))]
      : []),
  ];
}

function missingReason(item: LandlockFeature, abi: number): string {
  const reason =
    abi === 0
      ? `Landlock is not available on this kernel (it needs ABI ${item.abi}, Linux ${item.kernel})`
      : `needs Landlock ABI ${item.abi} (Linux ${item.kernel}); this kernel has ABI ${abi}`;
  return `${reason}${item.note}`;
}

/** Cuts each rule's rights to the handled ones; a rule left without rights goes, and is reported. */
function keepHandled<R extends { readonly access: readonly A[] }, A>(
  rules: readonly R[],
  handled: readonly A[],
  name: (rule: R) => string,
  dropped: LandlockDropped[],
): R[] {
  return rules.flatMap((rule) => {
    const access = rule.access.filter((right) => handled.includes(right));
    if (access.length === rule.access.length) return [rule];
    if (access.length > 0) return [{ ...rule, access }];
    dropped.push({ feature: name(rule), reason: 'every right of the rule was dropped' });
    return [];
  });
}

/**
 * Cuts a validated policy down to what a kernel supports and decides, by the policy's compatibility mode,
 * whether that is acceptable:
 *
 * - `best-effort`: drop every unsupported feature; always succeeds, even when nothing is left.
 * - `soft-requirement`: drop unsupported features, but fail when nothing at all is left to enforce.
 * - `hard-requirement`: fail when anything asked for is unsupported.
 *
 * Dropping a handled right means the workload is no longer restricted for it. A rule whose rights were
 * all dropped goes too. Logging flags and thread sync go when nothing is left to enforce. The status lists
 * every dropped feature with its reason.
 *
 * The helper makes the same decisions on the kernel it runs on, from the policy as asked (its policy file
 * carries {@link requestedLandlockFeatures}); one table of cases (`spec/downgrade-cases.json`) checks both.
 *
 * @throws never; failures come back as a Result with code `UNSUPPORTED`.
 * @example
 * ```ts
 * const policy = withRestrictFlags(landlockPolicy({ compatibility: 'best-effort' }), { threadSync: true });
 * const result = resolveLandlockCompatibility(policy, { abi: 7 });
 * result.ok && result.value.status.dropped.map((item) => item.feature); // ['fs:resolve-unix', 'thread-sync']
 * resolveLandlockCompatibility(withCompatibility(policy, 'hard-requirement'), { abi: 7 }).ok; // false, code UNSUPPORTED
 * ```
 */
export function resolveLandlockCompatibility(
  policy: Valid<LandlockPolicy>,
  kernel: LandlockKernel,
): Result<LandlockResolution> {
  const abi = Math.max(0, Math.trunc(kernel.abi));
  const features = requestedLandlockFeatures(policy);
  const dropped: LandlockDropped[] = [];
  const kept = new Set<string>();
  const restricting = features.filter((item) => RESTRICTING_KINDS.includes(item.kind));
  for (const item of restricting) {
    if (abi >= item.abi) kept.add(item.name);
    else dropped.push({ feature: item.name, reason: missingReason(item, abi) });
  }
  const enforcesSomething = kept.size > 0;
  for (const item of features.filter((candidate) => !RESTRICTING_KINDS.includes(candidate.kind))) {
    if (abi >= item.abi && enforcesSomething) kept.add(item.name);
    else
      dropped.push({
        feature: item.name,
        reason: enforcesSomething ? missingReason(item, abi) : 'nothing is left to enforce',
      });
  }
  const keptOf = <T extends string>(kind: LandlockFeatureKind, values: readonly T[]): T[] =>
    values.filter((value) => kept.has(landlockFeatureName(kind, value)));
  const handledFs = keptOf('fs', policy.handledFs);
  const handledNet = keptOf('net', policy.handledNet);
  const threadSync = policy.threadSync && kept.has(landlockFeatureName('thread-sync', 'thread-sync'));
  const paths = keepHandled(policy.paths, handledFs, (rule) => `path:${rule.path}`, dropped);
  const ports = keepHandled(policy.ports, handledNet, (rule) => `port:${rule.port}`, dropped);

  const enforcement: LandlockEnforcement = !enforcesSomething
    ? 'not'
    : restricting.some((item) => !kept.has(item.name)) || threadSync !== policy.threadSync
      ? 'partially'
      : 'fully';

  if (policy.compatibility === 'hard-requirement' && dropped.length > 0) {
    return fail(
      new VoltError(
        'UNSUPPORTED',
        `this kernel cannot enforce the whole policy (hard requirement): ${dropped.map((item) => `${item.feature}: ${item.reason}`).join('; ')}`,
        { hint: 'run on a newer kernel, remove these features, or use best-effort / soft-requirement' },
      ),
    );
  }
  if (policy.compatibility === 'soft-requirement' && restricting.length > 0 && !enforcesSomething) {
    return fail(
      new VoltError(
        'UNSUPPORTED',
        `this kernel can enforce nothing of the policy (soft requirement): ${dropped.map((item) => `${item.feature}: ${item.reason}`).join('; ')}`,
        { hint: 'run on a kernel with Landlock enabled, or use best-effort to run unconfined' },
      ),
    );
  }

  // A valid policy with handled rights, scopes and flags taken away, and the rules cut to match, is valid.
  const cut: LandlockPolicy = {
    ...policy,
    handledFs,
    handledNet,
    scopes: keptOf('scope', policy.scopes),
    logFlags: keptOf('log-flag', policy.logFlags),
    threadSync,
    paths,
    ports,
  };
  const resolved = cut as Valid<LandlockPolicy>;
  return ok({
    policy: resolved,
    requiredAbi: requiredLandlockAbi(resolved),
    status: { enforcement, abi, errata: kernel.errata ?? 0, compatibility: policy.compatibility, dropped },
  });
}

/**
 * The lowest ABI version that can enforce every feature of a policy (0 when it enforces nothing).
 *
 * @example
 * ```ts
 * requiredLandlockAbi(landlockPreset('server', { abi: 3 })); // 3
 * ```
 */
export function requiredLandlockAbi(policy: LandlockPolicy): LandlockAbi {
  return Math.max(0, ...requestedLandlockFeatures(policy).map((item) => item.abi)) as LandlockAbi;
}
