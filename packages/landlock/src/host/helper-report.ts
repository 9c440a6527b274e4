import { fail, type LandlockFsRight, ok, type Result, VoltError, type VoltErrorCode } from '@volt/core';
import type { LandlockDropped } from '../model/compat.js';
import { LANDLOCK_FS_BITS, rightsFromMask } from '../model/rights.js';

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
 * const bytes = new TextEncoder().encode('abi\u00007\u0000errata\u00001\u0000enforced\u0000');
 * parseHelperReport(bytes); // { ok: true, value: { abi: 7, errata: 1, enforced: true, ready: false, dropped: [] } }
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
