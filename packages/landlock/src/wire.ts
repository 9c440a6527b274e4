import { fail, type LandlockFsRight, ok, type Result, VoltError, type VoltErrorCode } from '@volt/core';
import type { LandlockDropped, LandlockResolution } from './compat.js';
import { keptResolutions } from './kept.js';
import {
  LANDLOCK_FILE_RIGHTS,
  LANDLOCK_FS_BITS,
  LANDLOCK_LOG_FLAG_BITS,
  LANDLOCK_NET_BITS,
  LANDLOCK_SCOPE_BITS,
  LANDLOCK_THREAD_SYNC_BIT,
  rightsFromMask,
  rightsMask,
} from './rights.js';

/**
 * The first token of every policy the helper reads; the format version follows it.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(bytes).startsWith(`${HELPER_POLICY_MAGIC}\0${HELPER_POLICY_VERSION}\0`); // true
 * ```
 */
export const HELPER_POLICY_MAGIC = 'volt-landlock-policy';
/**
 * The version of the helper's policy format; the helper refuses any other.
 *
 * @example
 * ```ts
 * HELPER_POLICY_VERSION; // 1
 * ```
 */
export const HELPER_POLICY_VERSION = 1;

/** What the helper does with a rule that grants directory-only rights on a file. */
export type LandlockFileRightsMode = 'error' | 'mask';

/** Options for {@link serializeHelperPolicy}. */
export interface HelperPolicyOptions {
  /**
   * `error` (default): a rule that grants a directory-only right (e.g. `make-dir`) on a path that is not a
   * directory stops the helper with an error, as the kernel would (EINVAL). `mask`: those rights are
   * removed from that rule, and the status says so.
   */
  readonly fileRights?: LandlockFileRightsMode;
}

/**
 * Renders a resolved policy into the helper's policy format: NUL-terminated tokens (a path may contain
 * any byte but NUL, so nothing needs quoting), numbers in decimal, in this fixed order:
 *
 * ```
 * volt-landlock-policy 1 | abi N | fs MASK | net MASK | scoped MASK | restrict-flags MASK
 * | file-rights error|mask | file-rights-mask MASK | unavailable fail|run
 * then any number of: path MASK 0|1(optional) PATH | port MASK PORT
 * then: end
 * ```
 *
 * `abi` is the lowest ABI that enforces the policy: the helper refuses to run on an older kernel rather
 * than enforce less. `unavailable run` (best-effort only) lets the workload run unconfined when the kernel
 * has no Landlock at all, and the helper reports that. Feed it a policy from
 * {@link resolveLandlockCompatibility}.
 *
 * @example
 * ```ts
 * const resolution = unwrap(resolveLandlockCompatibility(landlockPreset('server'), { abi: 7 }));
 * const bytes = serializeHelperPolicy(resolution);
 * new TextDecoder().decode(bytes).split('\0').slice(0, 4); // ['volt-landlock-policy', '1', 'abi', '5']
 * ```
 */
export function serializeHelperPolicy(
  resolution: LandlockResolution,
  options: HelperPolicyOptions = {},
): Uint8Array {
  // A resolution this package keeps (of a validated policy) always gives the same bytes; each caller gets
  // its own copy, since bytes cannot be frozen.
  if (!keptResolutions.has(resolution)) return serializeUncached(resolution, options);
  const mode = options.fileRights ?? 'error';
  let byMode = serialized.get(resolution);
  let bytes = byMode?.get(mode);
  if (bytes === undefined) {
    bytes = serializeUncached(resolution, options);
    if (byMode === undefined) {
      byMode = new Map();
      serialized.set(resolution, byMode);
    }
    byMode.set(mode, bytes);
  }
  return bytes.slice();
}

const serialized = new WeakMap<LandlockResolution, Map<LandlockFileRightsMode, Uint8Array>>();

function serializeUncached(resolution: LandlockResolution, options: HelperPolicyOptions): Uint8Array {
  const { policy } = resolution;
  const restrictFlags =
    rightsMask(LANDLOCK_LOG_FLAG_BITS, policy.logFlags) | (policy.threadSync ? LANDLOCK_THREAD_SYNC_BIT : 0);
  const tokens: string[] = [
    HELPER_POLICY_MAGIC,
    String(HELPER_POLICY_VERSION),
    'abi',
    String(resolution.requiredAbi),
    'fs',
    String(rightsMask(LANDLOCK_FS_BITS, policy.handledFs)),
    'net',
    String(rightsMask(LANDLOCK_NET_BITS, policy.handledNet)),
    'scoped',
    String(rightsMask(LANDLOCK_SCOPE_BITS, policy.scopes)),
    'restrict-flags',
    String(restrictFlags),
    'file-rights',
    options.fileRights ?? 'error',
    'file-rights-mask',
    String(rightsMask(LANDLOCK_FS_BITS, LANDLOCK_FILE_RIGHTS)),
    'unavailable',
    policy.compatibility === 'best-effort' ? 'run' : 'fail',
  ];
  for (const rule of policy.paths) {
    tokens.push(
      'path',
      String(rightsMask(LANDLOCK_FS_BITS, rule.access)),
      rule.optional ? '1' : '0',
      rule.path,
    );
  }
  for (const rule of policy.ports) {
    tokens.push('port', String(rightsMask(LANDLOCK_NET_BITS, rule.access)), String(rule.port));
  }
  tokens.push('end');
  return new TextEncoder().encode(`${tokens.join('\0')}\0`);
}

/** What the helper reported on its status descriptor. */
export interface HelperReport {
  readonly abi: number;
  readonly errata: number;
  /** True once `landlock_restrict_self()` succeeded. */
  readonly enforced: boolean;
  /** True when the helper waits for the caller's acknowledgement before it executes (`--status-ack`). */
  readonly ready: boolean;
  /** Why nothing was enforced, when the helper ran the command unconfined. */
  readonly unenforced?: string;
  /** Optional paths that did not exist and rights masked on files. */
  readonly dropped: readonly LandlockDropped[];
  /** Number of seccomp instructions installed, if a filter was given. */
  readonly seccompInstructions?: number;
  /** The helper's error, if it stopped before running the command. */
  readonly error?: VoltError;
}

const HELPER_ERROR_CODES: Readonly<Record<string, VoltErrorCode>> = {
  'missing-path': 'INVALID_PATH',
  'not-a-directory': 'INVALID_ACCESS_RIGHT',
  usage: 'USAGE',
  'bad-policy': 'PARSE_ERROR',
  'bad-seccomp': 'PARSE_ERROR',
  unsupported: 'UNSUPPORTED',
  'not-found': 'NOT_FOUND',
  'permission-denied': 'PERMISSION_DENIED',
};

const HELPER_ERROR_HINTS: Readonly<Record<string, string>> = {
  'missing-path': 'create the path, or mark the rule optional (volt sandbox run --ignore-missing)',
  'not-a-directory': "grant only file rights on files, or use the 'mask' file-rights mode",
};

/**
 * Parses the status records the helper writes to `--status-fd`: NUL-terminated tokens
 * `abi N`, `errata N`, `missing PATH`, `masked MASK PATH`, `enforced`, `unenforced REASON`,
 * `seccomp COUNT`, `ready`, `error KIND MESSAGE`.
 *
 * @example
 * ```ts
 * parseHelperReport(new TextEncoder().encode('abi\u00007\u0000errata\u00001\u0000enforced\u0000'));
 * // { ok: true, value: { abi: 7, errata: 1, enforced: true, ready: false, dropped: [] } }
 * ```
 */
export function parseHelperReport(bytes: Uint8Array): Result<HelperReport> {
  const tokens = new TextDecoder().decode(bytes).split('\0');
  const trailing = tokens.pop();
  const broken = (why: string) =>
    fail<HelperReport>(new VoltError('PARSE_ERROR', `the helper's status report is malformed: ${why}`));
  if (trailing !== '') return broken('it does not end with a NUL byte');
  let abi = 0;
  let errata = 0;
  let enforced = false;
  let ready = false;
  let unenforced: string | undefined;
  let seccompInstructions: number | undefined;
  let error: VoltError | undefined;
  const dropped: LandlockDropped[] = [];
  for (let index = 0; index < tokens.length; ) {
    const kind = tokens[index++];
    const take = (): string | undefined => tokens[index++];
    if (kind === 'abi') abi = Number(take());
    else if (kind === 'errata') errata = Number(take());
    else if (kind === 'enforced') enforced = true;
    else if (kind === 'ready') ready = true;
    else if (kind === 'unenforced') unenforced = take() ?? '';
    else if (kind === 'seccomp') seccompInstructions = Number(take());
    else if (kind === 'missing')
      dropped.push({ feature: `path:${take() ?? ''}`, reason: 'optional path does not exist' });
    else if (kind === 'masked') {
      const rights = rightsFromMask(LANDLOCK_FS_BITS, Number(take())) as LandlockFsRight[];
      dropped.push({
        feature: `path:${take() ?? ''}`,
        reason: `not a directory: directory-only rights masked (${rights.join(', ')})`,
      });
    } else if (kind === 'error') {
      const what = take() ?? 'system';
      const message = take() ?? '';
      const hint = HELPER_ERROR_HINTS[what];
      error = new VoltError(HELPER_ERROR_CODES[what] ?? 'SYSTEM_ERROR', `volt-landlock: ${message}`, {
        ...(hint === undefined ? {} : { hint }),
      });
    } else return broken(`unknown record ${JSON.stringify(kind)}`);
  }
  if (!Number.isInteger(abi) || !Number.isInteger(errata)) return broken('abi or errata is not a number');
  return ok({
    abi,
    errata,
    enforced,
    ready,
    ...(unenforced === undefined ? {} : { unenforced }),
    dropped,
    ...(seccompInstructions === undefined ? {} : { seccompInstructions }),
    ...(error === undefined ? {} : { error }),
  });
}

/** Where the helper and its policy are, as the wrapped command sees them (container paths). */
export interface LandlockWrapPaths {
  readonly helperPath: string;
  readonly policyPath: string;
  /** An optional classic-BPF seccomp filter, installed last, right before the command runs. */
  readonly seccompPath?: string;
}

/**
 * Wraps a command so that it runs under the helper: `helper --policy P [--seccomp-bpf F] -- argv...`.
 * For containers, the helper and the policy are bind-mounted read-only and every path is a container
 * path. The command's first word is looked up in `PATH` when it has no slash.
 *
 * @throws {@link VoltError} `USAGE` when argv is empty, `INVALID_PATH` when a path is not absolute.
 * @example
 * ```ts
 * landlockWrapCommand({ helperPath: '/run/volt/volt-landlock', policyPath: '/run/volt/policy' }, ['/app/server']);
 * // ['/run/volt/volt-landlock', '--policy', '/run/volt/policy', '--', '/app/server']
 * ```
 */
export function landlockWrapCommand(paths: LandlockWrapPaths, argv: readonly string[]): string[] {
  if (argv.length === 0)
    throw new VoltError('USAGE', 'no command to wrap; accepted: a command and its arguments');
  for (const path of [paths.helperPath, paths.policyPath, paths.seccompPath]) {
    if (path !== undefined && (!path.startsWith('/') || path.includes('\0')))
      throw new VoltError(
        'INVALID_PATH',
        `${JSON.stringify(path)} is not an absolute path; accepted: /absolute/path`,
      );
  }
  return [
    paths.helperPath,
    '--policy',
    paths.policyPath,
    ...(paths.seccompPath === undefined ? [] : ['--seccomp-bpf', paths.seccompPath]),
    '--',
    ...argv,
  ];
}
