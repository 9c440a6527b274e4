import {
  LANDLOCK_FS_RIGHTS,
  LANDLOCK_LOG_FLAGS,
  LANDLOCK_NET_RIGHTS,
  LANDLOCK_SCOPES,
  type LandlockFsRight,
  type LandlockLogFlag,
  type LandlockNetRight,
  type LandlockScope,
} from '@volt/core';

/** A Landlock ABI version: 0 means Landlock is not available. */
export type LandlockAbi = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/**
 * The newest ABI this package knows: every feature of it is modelled.
 *
 * @example
 * ```ts
 * landlockAbiFeatures(LANDLOCK_LATEST_ABI).fs.includes('resolve-unix'); // true
 * ```
 */
export const LANDLOCK_LATEST_ABI = 9 as const;

/** Everything one ABI version can enforce. */
export interface LandlockAbiFeatures {
  readonly abi: LandlockAbi;
  /** The first kernel release with this ABI. */
  readonly kernel: string;
  readonly fs: readonly LandlockFsRight[];
  readonly net: readonly LandlockNetRight[];
  readonly scopes: readonly LandlockScope[];
  readonly logFlags: readonly LandlockLogFlag[];
  readonly threadSync: boolean;
}

const FS_RIGHTS_BY_ABI = [0, 13, 14, 15, 15, 16, 16, 16, 16, 17] as const;
const KERNEL_BY_ABI = ['-', '5.13', '5.19', '6.2', '6.7', '6.10', '6.12', '6.15', '7.0', '7.1'] as const;

function featuresOf(abi: LandlockAbi): LandlockAbiFeatures {
  return {
    abi,
    kernel: KERNEL_BY_ABI[abi],
    fs: LANDLOCK_FS_RIGHTS.slice(0, FS_RIGHTS_BY_ABI[abi]),
    net: abi >= 4 ? LANDLOCK_NET_RIGHTS : [],
    scopes: abi >= 6 ? LANDLOCK_SCOPES : [],
    logFlags: abi >= 7 ? LANDLOCK_LOG_FLAGS : [],
    threadSync: abi >= 8,
  };
}

/**
 * What every ABI version supports, indexed by ABI (index 0: no Landlock).
 *
 * | ABI | kernel | adds |
 * |---|---|---|
 * | 1 | 5.13 | 13 filesystem rights |
 * | 2 | 5.19 | `refer` |
 * | 3 | 6.2 | `truncate` |
 * | 4 | 6.7 | TCP `bind-tcp`, `connect-tcp` |
 * | 5 | 6.10 | `ioctl-dev` |
 * | 6 | 6.12 | scopes `abstract-unix-socket`, `signal` |
 * | 7 | 6.15 | logging flags |
 * | 8 | 7.0 | thread sync |
 * | 9 | 7.1 | `resolve-unix` |
 *
 * @example
 * ```ts
 * LANDLOCK_ABI_FEATURES[4]?.net; // ['bind-tcp', 'connect-tcp']
 * ```
 */
export const LANDLOCK_ABI_FEATURES: readonly LandlockAbiFeatures[] = (
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const
).map(featuresOf);

/**
 * The features of an ABI version; versions newer than {@link LANDLOCK_LATEST_ABI} get the latest known
 * features (the kernel keeps older ABIs working).
 *
 * @example
 * ```ts
 * landlockAbiFeatures(3).fs.includes('truncate'); // true
 * landlockAbiFeatures(12).abi; // 9
 * ```
 */
export function landlockAbiFeatures(abi: number): LandlockAbiFeatures {
  const index = Math.max(0, Math.min(LANDLOCK_LATEST_ABI, Math.trunc(abi)));
  return LANDLOCK_ABI_FEATURES[index] as LandlockAbiFeatures;
}

/**
 * The first ABI version that supports a feature.
 *
 * @example
 * ```ts
 * landlockAbiOf({ fs: 'refer' }); // 2
 * landlockAbiOf({ threadSync: true }); // 8
 * ```
 */
export function landlockAbiOf(
  feature:
    | { readonly fs: LandlockFsRight }
    | { readonly net: LandlockNetRight }
    | { readonly scope: LandlockScope }
    | { readonly logFlag: LandlockLogFlag }
    | { readonly threadSync: true },
): LandlockAbi {
  const found = LANDLOCK_ABI_FEATURES.find((features) => {
    if ('fs' in feature) return features.fs.includes(feature.fs);
    if ('net' in feature) return features.net.includes(feature.net);
    if ('scope' in feature) return features.scopes.includes(feature.scope);
    if ('logFlag' in feature) return features.logFlags.includes(feature.logFlag);
    return features.threadSync;
  });
  return found?.abi ?? LANDLOCK_LATEST_ABI;
}

/**
 * The Landlock system calls. A seccomp filter that must let the helper work allows these: systemd-nspawn
 * before v257 does not, and answers EPERM (measured with systemd 252), so a container needs
 * `SystemCallFilter=` with these names.
 *
 * @example
 * ```ts
 * `--system-call-filter=${LANDLOCK_SYSCALLS.join(' ')}`;
 * ```
 */
export const LANDLOCK_SYSCALLS: readonly string[] = [
  'landlock_create_ruleset',
  'landlock_add_rule',
  'landlock_restrict_self',
];
